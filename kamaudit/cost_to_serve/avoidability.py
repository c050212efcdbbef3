"""Avoidability: what dropping a customer would really save."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

__all__ = ["avoidability"]


def avoidability(
    pnl: pd.DataFrame, rates: pd.DataFrame, default_avoidable_pct: float = 100.0
) -> pd.DataFrame:
    """What dropping each customer would really save, and what it would change.

    ``avoidable_cost`` = Σ cts_<pool> × avoidable_pct/100 + financing cost (capital is
    freed). ``profit_change_if_dropped`` = avoidable_cost − gross_margin: positive means
    the company would earn more without the customer; negative means the fixed costs it
    absorbs would stay and the company would lose by dropping it.
    """
    avoid = np.zeros(len(pnl))
    for _, r in rates.iterrows():
        pct = r["avoidable_pct"]
        pct = default_avoidable_pct if pct is None or math.isnan(pct) else pct
        avoid += pnl[r["cost_column"]].to_numpy(dtype=float) * pct / 100.0
    avoid += pnl["financing_cost"].to_numpy(dtype=float)
    return pd.DataFrame(
        {
            "customer_id": pnl["customer_id"].to_numpy(),
            "avoidable_cost": avoid,
            "profit_change_if_dropped": avoid - pnl["gross_margin"].to_numpy(dtype=float),
        }
    )
