"""The customer P&L: list sales down to net profit, checked by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from kamaudit.cost_to_serve import customer_base, customer_pnl

from .frames import run_on


def test_pnl_by_hand(small):
    r = run_on(small, cost_of_capital=0.0)
    p = r.pnl.set_index("customer_id")
    a = p.loc["A"]
    assert a["list_sales"] == 170.0 and a["discounts"] == 10.0 and a["rebates"] == 0.0
    assert a["net_revenue"] == 160.0 and a["cogs"] == 96.0 and a["gross_margin"] == 64.0
    # delivery: 100 for the year over 4 deliveries; A has 3 of them
    assert p["cts_delivery"].sum() == pytest.approx(100.0)
    assert a["cts_delivery"] == pytest.approx(75.0)
    assert a["cts_order"] == 10.0  # two invoices at the fixed rate 5
    assert a["net_profit"] == pytest.approx(64.0 - 75.0 - 10.0)
    assert bool(a["is_big_unprofitable"])  # a VIP losing money
    assert p.loc["C", "cts_visit"] == 25.0  # 2 h at 50 ÷ 4 h capacity; 25 unused
    assert r.reconciles


def test_pnl_without_pools_or_activities(small):
    r = run_on({"invoices": small["invoices"]})
    assert r.pnl["cts_total"].eq(0).all()
    assert r.pnl["customer_id"].tolist() == ["C", "B", "A"]  # by revenue, derived from invoices
    assert not r.pnl["in_master"].any()


def test_missing_cogs_uses_the_assumed_margin(small):
    inv = small["invoices"].drop(columns=["cost_amount"])
    pnl, *_ = customer_pnl(inv, assumed_margin_pct=40)
    b = pnl.set_index("customer_id").loc["B"]
    assert b["cogs"] == pytest.approx(120.0) and bool(b["cogs_assumed"])


def test_rebates_reduce_net_revenue(small):
    reb = pd.DataFrame({"customer_id": ["B"], "amount": [30.0], "kind": ["volume bonus"]})
    r = run_on({**small, "rebates": reb})
    b = r.pnl.set_index("customer_id").loc["B"]
    assert b["rebates"] == 30.0 and b["net_revenue"] == 170.0
    assert r.reconciles


def test_customer_base_adds_ids_seen_only_in_the_ledger(small):
    acts = pd.concat(
        [small["activities"], pd.DataFrame({"customer_id": ["Z"], "activity": ["visit"]})],
        ignore_index=True,
    )
    base = customer_base(small["invoices"], small["customers"].iloc[:2], acts)
    assert base["customer_id"].tolist() == ["A", "B", "C", "Z"]
    assert base["in_master"].tolist() == [True, True, False, False]
    assert base["customer_id"].dtype == "str" and base["name"].dtype == "str"
    assert base["payment_terms_days"].dtype == "float64"
