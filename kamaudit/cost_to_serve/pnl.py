"""The customer P&L: list sales down to net profit, one row per customer."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import InputError
from ._util import _codes, _num, _pct, _sum_by
from .drivers import driver_volumes
from .financing import _financing
from .ledger import _ledger, customer_base
from .rates import allocate, compute_rates
from .time_equations import equation_minutes

__all__ = ["customer_pnl"]


def customer_pnl(
    invoices: pd.DataFrame,
    *,
    customers: pd.DataFrame | None = None,
    rebates: pd.DataFrame | None = None,
    activities: pd.DataFrame | None = None,
    cost_pools: pd.DataFrame | None = None,
    payments: pd.DataFrame | None = None,
    period_end=None,
    years: float = 1.0,
    cost_of_capital: float = 0.08,
    assumed_margin_pct: float = 25.0,
    default_terms_days: int = 30,
    time_equations: tuple = (),
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, np.ndarray]:
    """The customer P&L, one row per customer, and what it was built from.

    list_sales − discounts − rebates = net_revenue; − cogs = gross_margin;
    − cts_<activity> (one per pool) = − cts_total; − financing_cost = net_profit.
    Percentages are of net revenue. ``cogs_assumed`` marks customers whose cost of
    goods (some or all of it) comes from ``assumed_margin_pct``. A pool named by one of
    ``time_equations`` is costed by minutes (:mod:`.time_equations`).

    Returns
    -------
    pnl, rates, financing, volumes
        The P&L; the pool rates (:func:`compute_rates`); financing per invoice
        (:func:`financing_cost`); the customers × pools driver volumes.
    """
    base = customer_base(invoices, customers, activities, rebates)
    universe = pd.Index(base["customer_id"])
    n = len(universe)
    led = _ledger(invoices, universe, assumed_margin_pct)
    reb = np.zeros(n)
    if rebates is not None and len(rebates) and "amount" in rebates.columns:
        reb = _sum_by(_codes(rebates["customer_id"], universe), _num(rebates["amount"]), n)
    if period_end is None:
        period_end = pd.Timestamp(invoices["invoice_date"].max())
    fin, fin_codes = _financing(
        led,
        universe,
        customers,
        payments,
        period_end,
        cost_of_capital,
        default_terms_days,
        invoices=invoices,
    )
    financing = _sum_by(fin_codes, fin["financing_cost"].to_numpy(), n)
    late = _sum_by(fin_codes, fin["late_cost"].to_numpy(), n)
    if cost_pools is not None and len(cost_pools):
        volumes, pools = driver_volumes(
            cost_pools, invoices, activities, universe, _ledger_cache=led
        )
        _apply_time_equations(pools, volumes, time_equations, invoices, activities, universe)
        rates = compute_rates(pools, volumes, years)
        cts = allocate(rates, volumes)
    else:
        volumes = np.zeros((n, 0))
        rates = compute_rates(
            pd.DataFrame(columns=["activity", "driver", "status"]), volumes, years
        )
        cts = np.zeros((n, 0))
    pnl = base[["customer_id", "name", "industry", "client_flag"]].copy()
    net_revenue = led.list_sales - led.discounts - reb
    gross = net_revenue - led.cogs
    cts_total = cts.sum(axis=1) if cts.size else np.zeros(n)
    pnl["list_sales"] = led.list_sales
    pnl["discounts"] = led.discounts
    pnl["rebates"] = reb
    pnl["net_revenue"] = net_revenue
    pnl["cogs"] = led.cogs
    pnl["gross_margin"] = gross
    pnl["gross_margin_pct"] = _pct(gross, net_revenue)
    for j, col in enumerate(rates["cost_column"]):
        pnl[col] = cts[:, j]
    pnl["cts_total"] = np.round(cts_total, 2)
    pnl["cts_total_pct"] = _pct(cts_total, net_revenue)
    pnl["financing_cost"] = financing
    pnl["financing_late_cost"] = late
    pnl["net_profit"] = gross - pnl["cts_total"].to_numpy() - financing
    pnl["net_profit_pct"] = _pct(pnl["net_profit"], net_revenue)
    pnl["invoices_n"] = led.invoices_n.astype("int64")
    pnl["cogs_assumed"] = led.cogs_assumed
    pnl["in_master"] = base["in_master"].to_numpy()
    return pnl, rates, fin, volumes


def _apply_time_equations(pools, volumes, equations, invoices, activities, universe) -> None:
    """Pools named by a time equation: volume in minutes, capacity in minutes (in place)."""
    if not equations:
        return
    keys = pools["activity"].astype(str).str.strip().str.lower().tolist()
    for i, eq in enumerate(equations):
        name = str(eq.pool).strip().lower()
        if name not in keys:
            raise InputError(
                f"cost_to_serve.time_equations[{i}]: the pool {eq.pool!r} is not in the cost "
                f"pools file (pools: {', '.join(pools['activity'].astype(str))})."
            )
        j = keys.index(name)
        minutes, why = equation_minutes(eq, i, invoices, activities, universe)
        volumes[:, j] = minutes
        pools.loc[j, "driver"] = "minutes"
        pools.loc[j, "practical_capacity"] = float(eq.practical_capacity_minutes)
        pools.loc[j, "rate"] = np.nan
        pools.loc[j, "status"] = "ok" if minutes.sum() > 0 else "no_driver_volume"
        pools.loc[j, "driver_note"] = "minutes per event from the time equation"
        pools.loc[j, "driver_why"] = why
