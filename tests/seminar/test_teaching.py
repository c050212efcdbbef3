"""The teaching view: tables for a projector, and a loud word on the built-in company."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd

import kamaudit
from kamaudit.teaching import show


def _ctx(language: str):
    return SimpleNamespace(engagement=SimpleNamespace(language=language, currency="CZK"))


def test_show_keeps_few_columns_labelled_rounded_and_without_nan():
    df = pd.DataFrame(
        {
            "name": ["Alfa a.s.", "Beta s.r.o."],
            "net_revenue": [1234567.891, np.nan],
            "growth_pct": [12.345, -3.0],
            "attractiveness": [8.668503, 5.0],
            "internal_code": ["x", "y"],
        }
    )
    out = show(
        df, ["name", "net_revenue", "growth_pct", "attractiveness"], _ctx("cs"), sort="net_revenue"
    )
    assert "internal_code" not in out.columns and len(out.columns) == 4
    text = out.to_string()
    assert "nan" not in text.lower() and "8.668503" not in text
    assert "–" in text and "8,7" in text  # Czech decimal comma, one decimal
    assert out.iloc[0, 0] == "Alfa a.s."  # sorted by revenue
    assert df["net_revenue"].iloc[0] == 1234567.891  # the input is not mutated


def test_empty_parameters_say_loudly_which_company_is_audited(capsys):
    ctx = kamaudit.open_stage("", "", "{}")
    said = capsys.readouterr().out
    assert "BUILT-IN sample company" in said and ctx.engagement.client in said
