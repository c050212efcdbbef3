"""The stage's sheets and report section, built from what it saved."""

from __future__ import annotations

import pytest

from kamaudit import Workspace
from kamaudit.deliverables.context import ReportContext
from kamaudit.deliverables.cost_to_serve import SHEETS, build, format_values, render_findings
from kamaudit.deliverables.i18n import Catalog
from kamaudit.messages import Message

from .frames import engagement, run_on


@pytest.fixture
def saved(small, tmp_path):
    eng = engagement()
    ws = Workspace(tmp_path).ensure()
    assert build(ReportContext(eng, ws)) is None  # before the stage has run
    ws.save(run_on(small))
    return eng, ws


def test_build_the_deliverable(saved):
    eng, ws = saved
    report = build(ReportContext(eng, ws))
    keys = [s.key for s in report.sheets]
    assert keys == [s.key for s in SHEETS]  # "complaint" has no pool: the unpooled sheet too
    whale = next(s for s in report.sheets if s.key == "whale")
    assert whale.chart is not None and whale.chart.kind == "line"
    assert all(len(s.name) <= 31 for s in report.sheets)
    texts = [b.text for b in report.section.blocks if hasattr(b, "text")] + report.summary
    texts += [s.name for s in report.sheets] + [s.title for s in report.sheets]
    texts += [s.note for s in report.sheets]
    assert not [x for x in texts if "cost_to_serve." in x], "a message key is missing"
    assert not [x for x in texts if "{" in x], "a placeholder was left unfilled"
    assert 2 <= len(report.summary) <= 4
    assert any("Alpha" in x for x in texts)  # the VIP is named


def test_figures_come_from_the_stage_not_the_deliverable(saved):
    """The key figures are the totals the stage wrote, whatever the P&L table says."""
    eng, ws = saved
    doc = ws.read_json("cts_findings")
    doc["totals"]["net_profit"] = 123456.0
    ws.write_json("cts_findings", doc)
    report = build(ReportContext(eng, ws))
    assert "123,456" in report.summary[0]


def test_unprofitable_sheet_lists_the_losers_worst_first(saved):
    eng, ws = saved
    report = build(ReportContext(eng, ws))
    sheet = next(s for s in report.sheets if s.key == "unprofitable")
    assert sheet.df["customer_id"].tolist() == ["A"]


def test_render_findings_formats_by_parameter_name():
    cat = Catalog("en", "EUR")
    m = Message(
        "cost_to_serve.notes.cogs_assumed", {"margin_pct": 25.0, "customers_n": 3}, "warning"
    )
    (sentence,) = render_findings([m], cat)
    assert "3 customers" in sentence and "25" in sentence
    assert format_values({"x_pct": float("nan"), "name": "A"}, cat) == {"x_pct": "–", "name": "A"}


def test_scenarios_robustness_and_pocket_margins_are_shown(saved):
    import pandas as pd

    from kamaudit.synthesis import pocket_margins

    eng, ws = saved
    pnl = ws.read_table("customer_pnl")
    profile = pd.DataFrame({"customer_id": pnl["customer_id"], "is_key_account": True})
    ws.write_table("pocket_margins", pocket_margins(pnl, profile))
    report = build(ReportContext(eng, ws))
    keys = [s.key for s in report.sheets]
    assert "scenarios" in keys and "robustness" in keys
    scen = next(s for s in report.sheets if s.key == "scenarios").df
    assert set(scen["scenario"]) <= {"Reprice", "Cheaper service", "Exit"}
    heads = [b.text for b in report.section.blocks if type(b).__name__ == "Heading"]
    assert "What can be done: reprice, serve more cheaply, or let go" in heads
    assert "Pocket margin of the key accounts" in heads
    texts = [b.text for b in report.section.blocks if type(b).__name__ == "Text"]
    assert any("The loss-makers lose" in x for x in texts)
    figures = [b for b in report.section.blocks if type(b).__name__ == "Figure"]
    assert len(figures) >= 3 + 3  # whale, base, 3 customers, quadrants + scenarios + 3 pockets
