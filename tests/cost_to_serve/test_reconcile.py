"""The P&L proved against the ledger and the pools."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .frames import run_on, small_tables


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


# ------------------------------------------------------------------ honest reconciliation


_WORDS = st.sampled_from(
    [
        "activity",
        "hours",
        "invoices",
        "invoice lines",
        "credit notes",
        "customers",
        "revenue",
        "deliveries",
        "Visits",
        "visit hours",
        "complaints",
        "orders",
        "zorblats",
        "",
    ]
)


@st.composite
def random_pools(draw):
    n = draw(st.integers(1, 6))
    names = [
        draw(st.sampled_from(["delivery", "visit", "complaint", "order", "misc"])) for _ in range(n)
    ]
    names = [f"{a}_{i}" if names.index(a) != i else a for i, a in enumerate(names)]
    return pd.DataFrame(
        {
            "activity": names,
            "annual_cost": [draw(st.integers(0, 50_000_000)) / 100 for _ in range(n)],
            "driver": [draw(_WORDS) for _ in range(n)],
            "rate": [draw(st.sampled_from([np.nan, np.nan, 3.25])) for _ in range(n)],
            "practical_capacity": [draw(st.sampled_from([np.nan, 2.0, 500.0])) for _ in range(n)],
        }
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_pools())
def test_customers_carry_exactly_the_allocated_line(pools):
    tables = {**small_tables(), "cost_pools": pools}
    r = run_on(tables, monte_carlo_runs=0, unallocated="allow")
    rec = r.reconciliation.set_index("item")
    cents = round(r.pnl["cts_total"].sum() * 100)
    assert cents == round(rec.loc["cts_allocated", "ledger"] * 100)
    assert cents == round(r.rates["allocated_cost"].sum() * 100)
    for _, p in r.rates.iterrows():
        parts = p[["allocated_cost", "unused_capacity_cost", "unallocated_cost"]].sum()
        assert round(parts * 100) == round(p["pool_cost"] * 100), p["activity"]
    missing = (r.rates["unallocated_cost"].abs() > 0.005).any()
    assert r.reconciles is not bool(missing)
    assert rec.loc["cts_unallocated", "difference"] == -rec.loc["cts_unallocated", "ledger"]
