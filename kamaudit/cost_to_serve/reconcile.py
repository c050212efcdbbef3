"""The customer P&L proved against the ledger and the cost pools."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import InputError
from ._util import _num
from .driver_words import check_drivers

__all__ = ["check_unallocated", "reconcile", "unreached"]


def reconcile(
    pnl: pd.DataFrame,
    rates: pd.DataFrame,
    invoices: pd.DataFrame,
    rebates: pd.DataFrame | None,
    financing: pd.DataFrame,
) -> pd.DataFrame:
    """The P&L summed over customers against the ledger and the pools.

    Columns item, ledger, pnl, difference. The ledger rows (net invoiced, rebates, cost
    of goods, financing) expect 0.00. The cost-to-serve is split into separate lines:
    ``cts_allocated`` (the pools' allocated cost against the customers' cost-to-serve,
    to the cent), ``cts_unused_capacity`` (practical capacity nobody used: a period
    cost, not the customers') and ``cts_unallocated`` (cost that reached no customer:
    its difference is the missing cost, never added back). Each ``pool:<activity>``
    row compares the pool cost with what its customers carry plus its unused capacity,
    so a pool with unallocated cost shows a difference: nothing reconciles while cost
    is missing from the customers.
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
    if len(rates):
        unused = float(rates["unused_capacity_cost"].sum())
        add("cts_allocated", float(rates["allocated_cost"].sum()), float(pnl["cts_total"].sum()))
        add("cts_unused_capacity", unused, unused)
        add("cts_unallocated", float(rates["unallocated_cost"].sum()), 0.0)
    for _, r in rates.iterrows():
        allocated = float(pnl[r["cost_column"]].sum())
        add(
            f"pool:{r['activity']}",
            float(r["pool_cost"]),
            allocated + float(r["unused_capacity_cost"]),
        )
    out = pd.DataFrame(rows, columns=["item", "ledger", "pnl", "difference"])
    out["item"] = out["item"].astype("str")
    return out


def unreached(rates: pd.DataFrame) -> tuple[float, float]:
    """(cost that reached no customer, total pool cost): ``unallocated_cost`` above zero
    summed over pools, against the sum of ``pool_cost``."""
    if not len(rates):
        return 0.0, 0.0
    missing = float(rates["unallocated_cost"].clip(lower=0).sum())
    return round(missing, 2), round(float(rates["pool_cost"].sum()), 2)


def check_unallocated(
    rates: pd.DataFrame,
    cost_pools: pd.DataFrame | None,
    activities: pd.DataFrame | None,
    *,
    allow: bool,
    timed: tuple[str, ...] = (),
) -> None:
    """Refuse cost that would reach no customer, unless the engagement allows it.

    Unresolved drivers first (:func:`~kamaudit.cost_to_serve.driver_words.check_drivers`:
    file, row, pool, word, did-you-mean, accepted words); then every pool whose resolved
    driver finds no volume in the data. The file name and header row come from
    ``cost_pools.attrs["source"]`` (set by ``load_inputs`` from intake's summary). Pools
    costed by a time equation (``timed``) need no driver word.
    """
    if allow or cost_pools is None or not len(cost_pools):
        return
    src = cost_pools.attrs.get("source") or {}
    file, header = str(src.get("file") or "cost_pools"), int(src.get("header_row") or 1)
    check_drivers(cost_pools, activities, file=file, header_row=header, skip=timed)
    lines = []
    for pos, r in rates.reset_index(drop=True).iterrows():
        if r["unallocated_cost"] > 0.005:
            lines.append(
                f'{file}, row {header + 1 + pos}, pool "{r["activity"]}": its driver '
                f'"{r["driver_word"] or r["driver"]}" ({r["driver_why"]}) finds no volume in '
                f"the data, so {r['unallocated_cost']:,.2f} of cost would reach no customer. "
                "Give the pool a driver the data counts, add the missing activity rows, or set "
                " cost_to_serve.unallocated: allow  in the engagement file."
            )
    if lines:
        raise InputError("\n".join(lines))
