"""Rates moved one at a time, and a seeded Monte Carlo."""

from __future__ import annotations

import pandas as pd

from kamaudit.cost_to_serve import sensitivity


def test_sensitivity_counts_sign_changes_and_is_seeded():
    pnl = pd.DataFrame(
        {
            "customer_id": ["a", "b"],
            "gross_margin": [100.0, 100.0],
            "cts_x": [90.0, 10.0],
            "financing_cost": [0.0, 0.0],
        }
    )
    rates = pd.DataFrame({"activity": ["x"], "cost_column": ["cts_x"]})
    table, per = sensitivity(pnl, rates, pct=20, runs=200, seed=1)
    up = table[(table["parameter"] == "x") & (table["change_pct"] == 20)].iloc[0]
    assert up["turn_unprofitable_n"] == 1  # a: 100 − 108 < 0
    assert per.set_index("customer_id").loc["b", "prob_unprofitable"] == 0.0
    assert 0.2 < per.set_index("customer_id").loc["a", "prob_unprofitable"] < 0.6  # P(f > 1.111)
    _, again = sensitivity(pnl, rates, pct=20, runs=200, seed=1)
    assert again["prob_unprofitable"].tolist() == per["prob_unprofitable"].tolist()


def test_without_simulations_the_verdict_is_certain():
    pnl = pd.DataFrame(
        {"customer_id": ["a", "b"], "gross_margin": [1.0, 1.0], "financing_cost": [2.0, 0.0]}
    )
    table, per = sensitivity(pnl, pd.DataFrame(columns=["activity", "cost_column"]), runs=0)
    assert table["parameter"].tolist() == ["cost_of_capital", "cost_of_capital"]
    assert per["prob_unprofitable"].tolist() == [1.0, 0.0]
