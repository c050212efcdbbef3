"""How sure each verdict is: rates moved one at a time, then a seeded Monte Carlo."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["sensitivity"]


def sensitivity(
    pnl: pd.DataFrame,
    rates: pd.DataFrame,
    *,
    pct: float = 20.0,
    runs: int = 500,
    seed: int = 42,
    vary_financing: bool = True,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """How sure is each verdict: the rates moved one at a time, then all together.

    One at a time: each pool's rate (and the cost of capital) × (1 ± pct/100); for each
    move, how many customers turn unprofitable or profitable. Monte Carlo: ``runs``
    draws with every rate × uniform(1 − pct/100, 1 + pct/100), independently, seeded;
    ``prob_unprofitable`` is the share of draws in which the customer's net profit is
    below zero.

    Returns
    -------
    table
        parameter, cost_column, change_pct, total_net_profit, turn_unprofitable_n,
        turn_profitable_n, changing_sign_n.
    per_customer
        customer_id, prob_unprofitable, flips_n (one-at-a-time moves that change the
        customer's sign).
    """
    cols = list(rates["cost_column"])
    names = list(rates["activity"])
    if vary_financing:
        cols.append("financing_cost")
        names.append("cost_of_capital")
    gross = pnl["gross_margin"].to_numpy(dtype=float)
    C = (
        np.column_stack([pnl[c].to_numpy(dtype=float) for c in cols])
        if cols
        else np.zeros((len(pnl), 0))
    )
    base = gross - C.sum(axis=1)
    neg = base < 0
    rows = []
    flips = np.zeros(len(pnl), dtype=np.int64)
    s = pct / 100.0
    for j, (name, col) in enumerate(zip(names, cols, strict=True)):
        for sign in (-1, 1):
            p = base - C[:, j] * s * sign
            to_neg = (~neg) & (p < 0)
            to_pos = neg & (p >= 0)
            flips += to_neg | to_pos
            rows.append(
                {
                    "parameter": name,
                    "cost_column": col,
                    "change_pct": sign * pct,
                    "total_net_profit": float(p.sum()),
                    "turn_unprofitable_n": int(to_neg.sum()),
                    "turn_profitable_n": int(to_pos.sum()),
                    "changing_sign_n": int((to_neg | to_pos).sum()),
                }
            )
    table = pd.DataFrame(
        rows,
        columns=[
            "parameter",
            "cost_column",
            "change_pct",
            "total_net_profit",
            "turn_unprofitable_n",
            "turn_profitable_n",
            "changing_sign_n",
        ],
    )
    table["parameter"] = table["parameter"].astype("str")
    table["cost_column"] = table["cost_column"].astype("str")
    if runs > 0 and len(pnl):
        rng = np.random.default_rng(seed)
        F = rng.uniform(1 - s, 1 + s, size=(len(cols), runs))
        neg_count = np.zeros(len(pnl))
        chunk = max(1, 2_000_000 // max(len(pnl), 1))
        for a in range(0, runs, chunk):
            sim = gross[:, None] - C @ F[:, a : a + chunk]
            neg_count += (sim < 0).sum(axis=1)
        prob = neg_count / runs
    else:
        prob = neg.astype(float)
    per = pd.DataFrame(
        {
            "customer_id": pnl["customer_id"].to_numpy(),
            "prob_unprofitable": prob,
            "flips_n": flips,
        }
    )
    return table, per
