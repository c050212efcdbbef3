"""The customer P&L proved against the ledger and the cost pools."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._util import _num

__all__ = ["reconcile"]


def reconcile(
    pnl: pd.DataFrame,
    rates: pd.DataFrame,
    invoices: pd.DataFrame,
    rebates: pd.DataFrame | None,
    financing: pd.DataFrame,
) -> pd.DataFrame:
    """The P&L summed over customers against the ledger and the pools.

    Columns item, ledger, pnl, difference (expected 0.00 for every row). Pool rows
    compare ``pool_cost`` with allocated (summed over customers) + unallocated.
    """
    rows = []

    def add(item, ledger, total):
        rows.append(
            {
                "item": item,
                "ledger": round(ledger, 2),
                "pnl": round(total, 2),
                "difference": round(total - ledger, 2),
            }
        )

    net = np.nan_to_num(_num(invoices["net_amount"]))
    add("net_invoiced", float(net.sum()), float((pnl["list_sales"] - pnl["discounts"]).sum()))
    if rebates is not None and "amount" in rebates.columns:
        add("rebates", float(np.nansum(_num(rebates["amount"]))), float(pnl["rebates"].sum()))
    if "cost_amount" in invoices.columns:
        cost = _num(invoices["cost_amount"])
        known = ~np.isnan(cost)
        if known.all():
            add("cogs", float(cost.sum()), float(pnl["cogs"].sum()))
    add(
        "financing_cost",
        float(financing["financing_cost"].sum()),
        float(pnl["financing_cost"].sum()),
    )
    for _, r in rates.iterrows():
        allocated = float(pnl[r["cost_column"]].sum())
        add(
            f"pool:{r['activity']}", float(r["pool_cost"]), allocated + float(r["unallocated_cost"])
        )
    out = pd.DataFrame(rows, columns=["item", "ledger", "pnl", "difference"])
    out["item"] = out["item"].astype("str")
    return out
