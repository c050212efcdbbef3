"""The P&L proved against the ledger and the pools."""

from __future__ import annotations

from .frames import run_on


def test_reconciliation_rows_are_zero(small):
    r = run_on(small)
    items = r.reconciliation.set_index("item")
    assert {"net_invoiced", "cogs", "financing_cost", "pool:delivery", "pool:visit"} <= set(
        items.index
    )
    assert items.loc["pool:visit", "ledger"] == 50.0  # 25 allocated + 25 unused
    assert r.reconciles


def test_a_broken_pnl_does_not_reconcile(small):
    from kamaudit.cost_to_serve import reconcile

    r = run_on(small)
    pnl = r.pnl.copy()
    pnl.loc[0, "cts_delivery"] += 1.0
    bad = reconcile(pnl, r.rates, small["invoices"], None, r.financing).set_index("item")
    assert bad.loc["pool:delivery", "difference"] == 1.0
