"""Pool rates (by volume, by practical capacity or fixed) and their allocation in cents."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from ._util import _cents, _largest_remainder, slug

__all__ = ["allocate", "compute_rates", "period_years"]


def compute_rates(pools: pd.DataFrame, volumes: np.ndarray, years: float) -> pd.DataFrame:
    """One rate per pool, and what it leaves unallocated.

    Method per pool, in this order:

    - ``fixed_rate``: the pool gives ``rate`` per driver unit; any ``annual_cost`` is the
      pool to reconcile against (the rest is unallocated, negative when over-absorbed);
    - ``capacity``: ``annual_cost × years ÷ (practical_capacity × years)``; the cost of
      unused capacity is its own line (``unused_capacity_cost``, reported, not loaded onto
      customers). When the volume exceeds capacity the rate falls back to pool ÷ volume
      (status ``over_capacity``);
    - ``volume``: ``annual_cost × years ÷ driver volume`` (the pool is fully absorbed).

    Parameters
    ----------
    pools
        Output of :func:`driver_volumes` (activity, driver, status, annual_cost, rate,
        practical_capacity, avoidable_pct).
    volumes
        Customers × pools driver volumes.
    years
        Length of the engagement period in years (``annual_cost`` is per year).

    Returns
    -------
    DataFrame
        activity, cost_column, driver, method, status, pool_cost, driver_volume,
        capacity, rate, allocated_cost, unallocated_cost, unused_capacity_cost,
        avoidable_pct, driver_note, driver_word, driver_why. Every pool splits exactly:
        ``allocated_cost + unused_capacity_cost + unallocated_cost = pool_cost``;
        ``unallocated_cost`` is cost that reached no customer (no driver, no volume;
        negative when a fixed rate over-absorbs the pool).

    Examples
    --------
    A 1,000-a-year delivery pool over 2 years and 40 deliveries costs 50 a delivery.
    """
    rows = []
    used_cols: set[str] = set()
    for j, p in pools.iterrows():
        vol = float(volumes[:, j].sum()) if volumes.size else 0.0
        col = "cts_" + slug(p["activity"])
        if col in used_cols or col in ("cts_total", "cts_total_pct"):
            col = f"{col}_{j + 1}"
        used_cols.add(col)
        rows.append(_pool_rate(p, col, vol, years))
    out = pd.DataFrame(rows, columns=RATE_COLUMNS)
    for c in ("activity", "cost_column", "driver", "method", "status", *TEXT_COLUMNS):
        out[c] = out[c].astype("str")
    return out


RATE_COLUMNS = [
    "activity",
    "cost_column",
    "driver",
    "method",
    "status",
    "pool_cost",
    "driver_volume",
    "capacity",
    "rate",
    "allocated_cost",
    "unallocated_cost",
    "unused_capacity_cost",
    "avoidable_pct",
    "driver_note",
    "driver_word",
    "driver_why",
]
TEXT_COLUMNS = ("driver_note", "driver_word", "driver_why")
"""Columns of :func:`compute_rates` (the ``cts_rates`` table)."""


def _pool_rate(p: pd.Series, col: str, vol: float, years: float) -> dict[str, Any]:
    """One row of :func:`compute_rates`: the method, rate and allocation of pool ``p``."""
    annual = _float(p.get("annual_cost"))
    fixed = _float(p.get("rate"))
    cap = _float(p.get("practical_capacity"))
    status = str(p.get("status", "ok"))
    pool_cost = round(annual * years, 2) if not math.isnan(annual) else math.nan
    capacity = cap * years if not math.isnan(cap) and cap > 0 else math.nan
    method = "volume"
    rate = math.nan
    if status == "unknown_driver":
        method = "none"
    elif not math.isnan(fixed):
        method, rate = "fixed_rate", fixed
    elif math.isnan(pool_cost):
        method, status = "none", "no_cost"
    elif not math.isnan(capacity):
        method = "capacity"
        if vol > capacity:
            rate, status = pool_cost / vol, "over_capacity"
        else:
            rate = pool_cost / capacity
    elif vol > 0:
        rate = pool_cost / vol
    allocated = 0.0 if math.isnan(rate) else rate * vol
    if method == "volume" and not math.isnan(rate):
        allocated = pool_cost  # exactly absorbed
    allocated = round(allocated, 2)
    if math.isnan(pool_cost):
        pool_cost = allocated  # a fixed rate without a pool: nothing to reconcile
    rest = round(pool_cost - allocated, 2)
    unused = rest if method == "capacity" else 0.0
    return {
        "activity": str(p["activity"]),
        "cost_column": col,
        "driver": str(p["driver"]),
        "method": method,
        "status": status,
        "pool_cost": pool_cost,
        "driver_volume": vol,
        "capacity": capacity,
        "rate": rate,
        "allocated_cost": allocated,
        "unallocated_cost": round(rest - unused, 2),
        "unused_capacity_cost": unused,
        "avoidable_pct": _float(p.get("avoidable_pct")),
        **{c: str(p.get(c, "")) for c in TEXT_COLUMNS},
    }


def period_years(start, end) -> float:
    """Length of a period in years, exact for whole years.

    Whole anniversaries count as full years (2024-01-01 … 2025-12-31 is 2.0, leap day
    or not); the rest adds days ÷ 365.25. ``annual_cost`` × this is the pool's cost.

    >>> period_years("2024-01-01", "2025-12-31"), period_years("2024-01-01", "2024-06-30")
    (2.0, 0.49828884325804246)
    """
    start = pd.Timestamp(start).normalize()
    after = pd.Timestamp(end).normalize() + pd.Timedelta(days=1)
    k = max(0, after.year - start.year)
    while k > 0 and start + pd.DateOffset(years=k) > after:
        k -= 1
    rest = (after - (start + pd.DateOffset(years=k))).days
    return k + rest / 365.25


def _float(x: Any) -> float:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return math.nan
    return v


def allocate(rates: pd.DataFrame, volumes: np.ndarray) -> np.ndarray:
    """Cost of each pool for each customer, in whole cents summing to ``allocated_cost``.

    Returns a customers × pools array of money (cents / 100). Each column sums to the
    pool's ``allocated_cost`` exactly (unused capacity and unallocated cost stay off
    the customers).
    """
    out = np.zeros(volumes.shape)
    for j, r in rates.iterrows():
        rate = r["rate"]
        if math.isnan(rate):
            continue
        raw = volumes[:, j] * rate
        cents = _largest_remainder(raw, _cents(r["allocated_cost"]))
        out[:, j] = cents / 100.0
    return out
