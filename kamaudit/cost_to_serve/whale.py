"""Kaplan's whale curve: cumulative profit from the most to the least profitable customer."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._util import _col, _pct

__all__ = ["WhaleCurve", "whale_curve"]


@dataclass(frozen=True)
class WhaleCurve:
    """Kaplan's whale curve: customers from most to least profitable.

    ``curve``: rank, customer_id, name, net_revenue, net_profit, cum_net_profit,
    cum_customers_pct, cum_profit_pct (of total net profit). ``deciles``: ten groups of
    customers in the same order. ``peak_pct``: the curve's peak as % of total profit;
    ``peak_customers_pct``: share of customers up to the peak; ``erosion``: peak − end.
    """

    curve: pd.DataFrame
    deciles: pd.DataFrame
    total_profit: float
    peak_profit: float
    peak_pct: float
    peak_customers_n: int
    peak_customers_pct: float
    erosion: float
    erosion_pct: float
    unprofitable_n: int
    unprofitable_pct: float

    def stats(self) -> dict[str, float]:
        return {
            k: getattr(self, k)
            for k in (
                "total_profit",
                "peak_profit",
                "peak_pct",
                "peak_customers_n",
                "peak_customers_pct",
                "erosion",
                "erosion_pct",
                "unprofitable_n",
                "unprofitable_pct",
            )
        }


def loss_makers(pnl: pd.DataFrame) -> np.ndarray:
    """Customers who lose money: net profit below zero, except a customer without net
    revenue whose only cost is financing (cancelled or credited sales, nothing served):
    that is a data fact to explain, not a loss-maker to act on."""
    profit = pnl["net_profit"].to_numpy(dtype=float)
    out = profit < 0
    if "net_revenue" in pnl.columns and "cts_total" in pnl.columns:
        no_sales = pnl["net_revenue"].to_numpy(dtype=float) <= 0
        not_served = pnl["cts_total"].fillna(0).to_numpy(dtype=float) <= 0.005
        out &= ~(no_sales & not_served)
    return out


def whale_curve(pnl: pd.DataFrame) -> WhaleCurve:
    """Rank customers by net profit and accumulate it.

    The curve starts at zero (rank 0) and ends at total net profit.

    >>> pnl = pd.DataFrame({"customer_id": list("abc"), "net_revenue": [9., 5., 3.],
    ...                     "net_profit": [6., -2., 1.]})
    >>> w = whale_curve(pnl)
    >>> w.peak_pct, w.erosion
    (140.0, 2.0)
    """
    d = pnl.sort_values(["net_profit", "customer_id"], ascending=[False, True], kind="stable")
    profit = d["net_profit"].to_numpy(dtype=float)
    n = len(d)
    cum = np.concatenate([[0.0], np.cumsum(profit)])
    total = float(cum[-1])
    peak_i = int(np.argmax(cum))
    peak = float(cum[peak_i])
    denom = total if total > 0 else math.nan
    curve = pd.DataFrame(
        {
            "rank": np.arange(0, n + 1),
            "customer_id": pd.Series([""] + list(d["customer_id"]), dtype="str"),
            "name": pd.Series([""] + list(_col(d, "name", "")), dtype="str"),
            "net_revenue": np.concatenate([[0.0], d["net_revenue"].to_numpy(dtype=float)]),
            "net_profit": np.concatenate([[0.0], profit]),
            "cum_net_profit": cum,
            "cum_customers_pct": np.arange(0, n + 1) / max(n, 1) * 100.0,
            "cum_profit_pct": cum / denom * 100.0,
        }
    )
    if n:
        dec = np.minimum((np.arange(n) * 10) // n, 9) + 1
        g = pd.DataFrame({"decile": dec, "rev": d["net_revenue"].to_numpy(float), "p": profit})
        deciles = (
            g.groupby("decile")
            .agg(customers_n=("p", "size"), net_revenue=("rev", "sum"), net_profit=("p", "sum"))
            .reset_index()
        )
        deciles["cum_net_profit"] = deciles["net_profit"].cumsum()
        deciles["cum_profit_pct"] = deciles["cum_net_profit"] / denom * 100.0
        deciles["net_profit_pct"] = _pct(deciles["net_profit"], deciles["net_revenue"])
    else:
        deciles = pd.DataFrame(
            columns=[
                "decile",
                "customers_n",
                "net_revenue",
                "net_profit",
                "cum_net_profit",
                "cum_profit_pct",
                "net_profit_pct",
            ]
        )
    unprof = int(loss_makers(d).sum())
    return WhaleCurve(
        curve=curve,
        deciles=deciles,
        total_profit=total,
        peak_profit=peak,
        peak_pct=peak / denom * 100.0,
        peak_customers_n=peak_i,
        peak_customers_pct=peak_i / max(n, 1) * 100.0,
        erosion=peak - total,
        erosion_pct=(peak - total) / peak * 100.0 if peak > 0 else math.nan,
        unprofitable_n=unprof,
        unprofitable_pct=unprof / max(n, 1) * 100.0,
    )
