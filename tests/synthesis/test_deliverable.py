"""The action list reaches the client in their language, without codes."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from kamaudit.deliverables.context import ReportContext
from kamaudit.deliverables.synthesis import build
from kamaudit.synthesis import action_list
from kamaudit.workspace import Workspace

from .test_actions import BIG, PLAN, PNL, PROFILE


@pytest.mark.parametrize("language", ["en", "cs", "pl", "ru", "fa"])
def test_actions_in_the_clients_words(tmp_path, make_engagement, language):
    ws = Workspace(tmp_path / "ws").ensure()
    eng = make_engagement(language=language)
    assert build(ReportContext(eng, ws)) is None  # before the synthesis ran
    actions = action_list(PNL, PROFILE, PLAN, BIG, ["invoices"], dt.date(2025, 12, 31))
    ws.write_table("actions", actions)
    report = build(ReportContext(eng, ws))
    (sheet,) = report.sheets
    shown = sheet.df.astype(str).to_numpy().ravel().tolist() + list(sheet.column_labels.values())
    codes = set(actions["action"]) | set(actions["basis"]) | {"collect_data", "cost_pools"}
    assert not codes & set(shown), codes & set(shown)
    assert len(sheet.df) == len(actions)
    assert sheet.df["owner"].str.len().gt(0).all()
    assert report.section.title and pd.Series(sheet.df["impact_amount"]).notna().any()
