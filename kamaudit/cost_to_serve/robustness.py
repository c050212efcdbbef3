"""Robust or sensitive: does a customer's verdict survive the doubts about the costing?

:func:`robustness` builds ``cts_robustness``: for each customer, its verdict (profit or
loss), the Monte Carlo of :func:`~kamaudit.cost_to_serve.sensitivity.sensitivity`
(``prob_unprofitable``) and the smallest one-at-a-time change that flips it, over

- each pool's rate (and the cost of capital): profit moves by ``−cost × change``;
- the allocation basis of every pool counted in activity rows: its cost re-spread by hours
  instead of quantity (or the reverse), blended in by ``change`` (100 % = the other basis);
- when cost of goods is assumed, the assumed margin: the customer's gross margin
  moves by ``gross_margin × change``.

A verdict is **robust** when it holds in at least ``1 − tolerance`` of the simulations
(default 90 %) and under every change of ``±pct`` (default 20 %); otherwise it is
**sensitive**. ``tipping_point_pct`` is the smallest change that flips it (NaN when no
change up to 100 % does), ``tipping_factor`` the factor that does it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._util import _codes, _col, _num, _sum_by
from .driver_words import pool_activities

__all__ = ["LABELS", "robustness"]

LABELS = ("robust_profit", "robust_loss", "sensitive")


def _basis_shift(
    pnl: pd.DataFrame, rates: pd.DataFrame, activities: pd.DataFrame | None
) -> list[tuple[str, np.ndarray]]:
    """Per activity-row pool: (factor name, cost change per customer when the pool is
    allocated by the other basis: hours instead of quantity, or the reverse)."""
    if activities is None or not len(activities) or not len(rates):
        return []
    universe = pd.Index(pnl["customer_id"])
    codes = _codes(activities["customer_id"], universe)
    key = activities["activity"].astype(str).str.strip().str.lower().to_numpy()
    qty = np.nan_to_num(_num(_col(activities, "quantity", 1.0)), nan=1.0)
    hrs = np.nan_to_num(_num(_col(activities, "hours", 0.0)))
    out = []
    for (_, r), act in zip(rates.iterrows(), pool_activities(rates, activities), strict=True):
        if act is None or r["driver"] not in ("activity", "hours"):
            continue
        m = key == act.strip().lower()
        other = hrs if r["driver"] == "activity" else qty
        vol = _sum_by(codes[m], other[m], len(universe))
        if vol.sum() <= 0:
            continue
        current = pnl[r["cost_column"]].to_numpy(dtype=float)
        alt = float(current.sum()) * vol / vol.sum()
        out.append((f"basis:{r['activity']}", alt - current))
    return out


def _factors(pnl, rates, activities, vary_financing: bool) -> list[tuple[str, np.ndarray, bool]]:
    """(factor, profit change per customer for a +100 % change, two-sided)."""
    out = [
        (f"rate:{a}", -pnl[c].to_numpy(dtype=float), True)
        for a, c in zip(rates["activity"], rates["cost_column"], strict=True)
    ]
    if vary_financing:
        out.append(("cost_of_capital", -pnl["financing_cost"].to_numpy(dtype=float), True))
    out += [(name, -d, False) for name, d in _basis_shift(pnl, rates, activities)]
    if "cogs_assumed" in pnl.columns and pnl["cogs_assumed"].any():
        gm = np.where(pnl["cogs_assumed"], pnl["gross_margin"].to_numpy(dtype=float), 0.0)
        out.append(("assumed_margin", gm, True))
    return out


def robustness(
    pnl: pd.DataFrame,
    rates: pd.DataFrame,
    prob_unprofitable: np.ndarray,
    activities: pd.DataFrame | None = None,
    *,
    pct: float = 20.0,
    tolerance_pct: float = 10.0,
    vary_financing: bool = True,
) -> pd.DataFrame:
    """The ``cts_robustness`` table, one row per customer of ``pnl`` (same order).

    Columns customer_id, name, net_profit, prob_unprofitable, label (robust_profit,
    robust_loss or sensitive), tipping_point_pct, tipping_factor. Does not modify its
    inputs.

    >>> pnl = pd.DataFrame({"customer_id": ["A", "B"], "net_profit": [-50.0, 5.0],
    ...     "gross_margin": [50.0, 105.0], "cts_x": [100.0, 100.0], "financing_cost": 0.0})
    >>> rates = pd.DataFrame({"activity": ["x"], "cost_column": ["cts_x"],
    ...     "driver": ["invoices"], "driver_word": ["invoices"]})
    >>> robustness(pnl, rates, np.array([1.0, 0.0]))[["label", "tipping_point_pct"]].values.tolist()
    [['robust_loss', 50.0], ['sensitive', 5.0]]
    """
    profit = pnl["net_profit"].to_numpy(dtype=float)
    loss = profit < 0
    n = len(pnl)
    tip = np.full(n, np.inf)
    factor = np.full(n, "", dtype=object)
    for name, d, two_sided in _factors(pnl, rates, activities, vary_financing):
        # profit + d × x crosses zero at x = −profit / d; allowed x in [−1, 1] (one-sided: [0, 1])
        with np.errstate(divide="ignore", invalid="ignore"):
            x = np.where(d != 0, -profit / d, np.inf)
        ok = (x >= 0) | two_sided
        # a loss flips when profit reaches 0; a profit when it goes below 0 (x strictly past)
        size = np.where(ok, np.abs(x) * 100.0, np.inf)
        size = np.where(size > 100.0, np.inf, size)
        better = size < tip
        tip = np.where(better, size, tip)
        factor = np.where(better, name, factor)
    mc_holds = np.where(
        loss, prob_unprofitable >= 1 - tolerance_pct / 100, prob_unprofitable <= tolerance_pct / 100
    )
    robust = mc_holds & (tip > pct)
    label = np.where(robust, np.where(loss, "robust_loss", "robust_profit"), "sensitive")
    out = pd.DataFrame(
        {
            "customer_id": pnl["customer_id"].to_numpy(),
            "name": pnl["name"].to_numpy() if "name" in pnl.columns else "",
            "net_profit": profit,
            "prob_unprofitable": np.asarray(prob_unprofitable, dtype=float),
            "label": label,
            "tipping_point_pct": np.where(np.isinf(tip), np.nan, tip),
            "tipping_factor": np.where(np.isinf(tip), "", factor),
        }
    )
    for c in ("customer_id", "name", "label", "tipping_factor"):
        out[c] = out[c].astype("str")
    return out
