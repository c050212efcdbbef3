"""What dropping a customer would really save."""

from __future__ import annotations

import pandas as pd
import pytest

from kamaudit.cost_to_serve import avoidability

from .frames import run_on


def test_avoidability_by_hand():
    pnl = pd.DataFrame(
        {
            "customer_id": ["a"],
            "gross_margin": [50.0],
            "cts_x": [40.0],
            "cts_y": [20.0],
            "financing_cost": [5.0],
        }
    )
    rates = pd.DataFrame({"cost_column": ["cts_x", "cts_y"], "avoidable_pct": [25.0, None]})
    a = avoidability(pnl, rates, default_avoidable_pct=50.0).iloc[0]
    assert a["avoidable_cost"] == 40 * 0.25 + 20 * 0.5 + 5.0
    assert a["profit_change_if_dropped"] == 25.0 - 50.0  # dropping it would lose 25


def test_avoidability_beside_the_verdict(small):
    r = run_on(small, cost_of_capital=0.0)
    a = r.pnl.set_index("customer_id").loc["A"]
    # delivery is 50 % avoidable, the fixed-rate order pool 100 %
    assert a["avoidable_cost"] == pytest.approx(75.0 * 0.5 + 10.0)
    assert a["profit_change_if_dropped"] == pytest.approx(a["avoidable_cost"] - 64.0)
