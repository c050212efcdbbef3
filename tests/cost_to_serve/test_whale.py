"""Kaplan's whale curve, by hand."""

from __future__ import annotations

import pandas as pd

from kamaudit.cost_to_serve import whale_curve


def test_whale_curve_by_hand():
    pnl = pd.DataFrame(
        {
            "customer_id": list("abcd"),
            "net_revenue": [9.0, 5.0, 3.0, 1.0],
            "net_profit": [6.0, -2.0, 1.0, -1.0],
        }
    )
    w = whale_curve(pnl)
    assert w.curve["cum_net_profit"].tolist() == [0.0, 6.0, 7.0, 6.0, 4.0]
    assert w.peak_profit == 7.0 and w.peak_pct == 175.0
    assert w.peak_customers_pct == 50.0 and w.erosion == 3.0
    assert w.unprofitable_n == 2


def test_whale_deciles_add_up():
    pnl = pd.DataFrame(
        {
            "customer_id": [f"c{i}" for i in range(25)],
            "net_revenue": [10.0] * 25,
            "net_profit": [float(12 - i) for i in range(25)],
        }
    )
    w = whale_curve(pnl)
    assert w.deciles["customers_n"].sum() == 25 and len(w.deciles) == 10
    assert w.deciles["net_profit"].sum() == pnl["net_profit"].sum()
    assert w.curve["cum_net_profit"].iloc[-1] == w.total_profit
