"""Issue 15: the evidence document names the basis of every headline figure and the
assumptions' effects, recomputed (not guessed)."""

from __future__ import annotations

import pandas as pd
import pytest

from kamaudit.config import Engagement
from kamaudit.synthesis import run
from kamaudit.synthesis.evidence import evidence, period_label


def _eng(**extra) -> Engagement:
    raw = {
        "client": "Shop Ltd",
        "period": {"start": "2024-01-01", "end": "2025-12-31"},
        "inputs": {"invoices": {"path": "inv.csv"}},
        **extra,
    }
    eng = Engagement.model_validate(raw, context={"base_dir": "."})
    object.__setattr__(eng, "_raw", raw) if not hasattr(eng, "_raw") else None
    return eng


def _invoice_only():
    invoices = pd.DataFrame(
        {
            "invoice_id": ["1", "2", "3", "C3"],
            "customer_id": ["A", "B", "C", "C"],
            "net_amount": [1000.0, 200.0, 50.0, -50.0],
            "cost_amount": [None, None, None, None],
        }
    )
    # 25 % assumed margin, financing on terms
    pnl = pd.DataFrame(
        {
            "customer_id": ["A", "B", "C"],
            "name": ["A", "B", "C"],
            "net_revenue": [1000.0, 200.0, 0.0],
            "gross_margin": [250.0, 50.0, 0.0],
            "cts_total": [0.0, 0.0, 0.0],
            "financing_cost": [10.0, 45.0, 1.0],
            "net_profit": [240.0, 5.0, -1.0],
            "cogs_assumed": [True, True, True],
        }
    )
    return {
        "customer_pnl": pnl,
        "invoices": invoices,
        "account_profile": None,
        "team_plan": None,
        "cts_big_unprofitable": None,
        "team_capacity": None,
        "tables_received": ["customers", "invoices"],
        "intake_summary": {},
        "profile_summary": {},
    }


def test_period_label_says_what_a_total_covers():
    assert period_label("2024-01-01", "2025-12-31")["label"] == "2024-2025, 24 months"


def test_an_invoice_only_audit_rests_on_named_assumptions_with_recomputed_effects():
    eng = _eng()
    doc = evidence(_invoice_only(), eng, eng.period)
    assert doc["tables"]["received"] == ["customers", "invoices"]
    assert "payments" in doc["tables"]["missing"] and "cost_pools" in doc["tables"]["missing"]
    a = {x["key"]: x for x in doc["assumptions"]}
    # margin: at 20 % instead of 25 %, every assumed line's profit falls by 5 % of its revenue
    m = a["margin_assumed"]
    assert m["value"] == 25.0 and m["base"]["net_profit"] == pytest.approx(244.0)
    at20 = next(e for e in m["effects"] if e["value"] == 20.0)
    assert at20["net_profit"] == pytest.approx(244.0 - 0.05 * 1200)
    assert at20["loss_makers_n"] == 1  # B: 5 - 10 < 0; C has no net revenue: never a loss-maker
    assert m["base"]["loss_makers_n"] == 0
    # financing on terms: B loses nothing at 8 %, C is credit-only
    f = a["financing_on_terms"]
    assert f["value"] == 0.08 and f["financing_total"] == pytest.approx(56.0)
    at10 = next(e for e in f["effects"] if e["value"] == pytest.approx(0.10))
    assert at10["net_profit"] == pytest.approx(244.0 - 56.0 * 0.25)
    assert "no_cost_pools" in a and "no_currency" in a
    figs = {x["figure"]: x for x in doc["figures"]}
    assert figs["net_revenue"]["basis"] == "data"
    assert figs["net_profit"]["basis"] == "assumed"
    assert set(figs["net_profit"]["assumptions"]) >= {"margin_assumed", "financing_on_terms"}
    assert figs["cts_total"]["basis"] == "not_assessable"
    assert figs["loss_makers_n"]["value"] == 0


def test_a_currency_given_is_named_and_none_is_not_invented():
    eng = _eng(currency="GBP")
    doc = evidence(_invoice_only(), eng, eng.period)
    assert doc["currency"]["given"] and doc["currency"]["code"] == "GBP"
    assert "no_currency" not in {x["key"] for x in doc["assumptions"]}


def test_the_synthesis_writes_the_evidence_document():
    eng = _eng()
    r = run(_invoice_only(), eng, eng.period)
    assert r.documents()["evidence"]["period"]["months"] == 24


@pytest.mark.parametrize("language", ["en", "cs", "pl", "ru", "fa"])
def test_an_invoice_only_summary_opens_with_what_it_rests_on(tmp_path, language):
    from kamaudit.deliverables.context import ReportContext
    from kamaudit.deliverables.html import summary_parts
    from kamaudit.deliverables.model import Section, StageReport
    from kamaudit.deliverables.synthesis import build
    from kamaudit.workspace import Workspace

    eng = _eng(language=language)
    ws = Workspace(tmp_path / "ws").ensure()
    ws.save(run(_invoice_only(), eng, eng.period))
    ctx = ReportContext(eng, ws)
    report = build(ctx)
    other = StageReport(
        stage="cost_to_serve",
        section=Section(id="cost_to_serve", title="P&L", blocks=[]),
        summary=["Net customer profit is 244."],
    )
    answers, rests_on, later = summary_parts([other, report])
    assert not later
    ((title, (basis, finding)),) = answers
    # the answer's first line names what its figures rest on, before the finding
    assert (title, finding) == ("P&L", "Net customer profit is 244.")
    e = "synthesis.evidence."
    why = f" ({ctx.t(e + 'names.margin_assumed')}, {ctx.t(e + 'names.financing_on_terms')})"
    items = [
        ("net_profit", "assumed", why),
        ("cts_total", "not_assessable", ""),
        ("loss_makers_n", "assumed", why),
    ]
    expected = "; ".join(
        ctx.t(
            e + "answer_item",
            figure=ctx.t(e + f"figures.{f}"),
            basis=ctx.t(e + f"bases.{b}"),
            why=w,
        )
        for f, b, w in items
    )
    assert basis == ctx.t(e + "answer_basis", items=expected)
    title, lines = rests_on[0]
    assert title == ctx.t("synthesis.evidence.heading")
    text = " ".join(lines[:6])
    # the assumptions, with their values, before any finding; no currency symbol invented
    for share in (25, 20, 8):
        assert ctx.fmt.pct(share, 0) in text
    assert "€" not in text and "EUR" not in text
    if language == "en":
        assert lines[0].startswith(
            "Amounts are totals for the audited period (2024-2025, 24 months)"
        )
        assert any(x.startswith("Cost of goods missing") for x in lines[:4])
        assert "at 20 %" in text.lower() or "At 20" in text
