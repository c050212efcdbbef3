"""Time-driven ABC: minutes per event from an expression parsed without eval."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from kamaudit.cost_to_serve.settings import CostToServeSettings
from kamaudit.cost_to_serve.time_equations import ExpressionError, parse_minutes, variables_of
from kamaudit.errors import InputError

from .frames import run_on


def _f(text, **env):
    return parse_minutes(text)({k: np.asarray(v, dtype=float) for k, v in env.items()})


def test_grammar():
    assert _f("5 + 0.5 * lines", lines=[2, 4]).tolist() == [6.0, 7.0]
    assert _f("(10 if rush > 0 else 0) + 1", rush=[0, 2]).tolist() == [1.0, 11.0]
    assert _f("max(3, lines / 2) - -1", lines=[2, 10]).tolist() == [4.0, 6.0]
    assert _f(
        "2 if 1 < lines <= 3 and not big else 0", lines=[1, 2, 3], big=[0, 0, 1]
    ).tolist() == [
        0.0,
        2.0,
        0.0,
    ]
    assert variables_of("min(a, 2) + b * 3") == {"a", "b"}


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os').system('x')",
        "lines.real",
        "open('f')",
        "lines[0]",
        "[1, 2]",
        "lambda: 1",
        "2 ** 8",
        "'text'",
        "min(lines, key=1)",
    ],
)
def test_anything_else_is_refused_without_running_it(text):
    with pytest.raises(ExpressionError, match="not allowed|not an expression"):
        parse_minutes(text)


def test_a_bad_equation_fails_when_the_engagement_loads():
    with pytest.raises(ValidationError, match="is not allowed"):
        CostToServeSettings(
            time_equations=[
                {"pool": "order", "minutes": "lines ** 2", "practical_capacity_minutes": 10}
            ]
        )


def test_minutes_and_cost_per_minute(small):
    """Orders: 5 min + 2 min a line + 10 min if the customer has a delivery that day."""
    eq = {
        "pool": "order",
        "event": "invoices",
        "minutes": "5 + 2 * lines + (10 if delivery > 0 else 0)",
        "practical_capacity_minutes": 200,
    }
    tables = dict(small)
    tables["cost_pools"] = small["cost_pools"].assign(annual_cost=[100.0, 50.0, 400.0], rate=np.nan)
    r = run_on(tables, monte_carlo_runs=0, time_equations=[eq])
    rate = r.rates.set_index("activity").loc["order"]
    # A: invoice 1 (2 lines, deliveries on 10 Jan) 5+4+10 = 19; invoice 5 (1 line) 7 → 26
    # B: invoice 2 (1 line) 7; C: invoice 3 (1 line) 7, its credit note is no order
    assert rate["driver"] == "minutes" and rate["method"] == "capacity"
    assert rate["driver_volume"] == 40.0
    assert rate["rate"] == pytest.approx(2.0)  # 400 a year ÷ 200 minutes
    assert rate["allocated_cost"] == 80.0 and rate["unused_capacity_cost"] == 320.0
    pnl = r.pnl.set_index("customer_id")
    assert pnl["cts_order"].to_dict() == {"A": 52.0, "B": 14.0, "C": 14.0}
    assert "minutes per invoices" in rate["driver_why"]


def test_activity_events_and_errors(small):
    eq = {
        "pool": "visit",
        "event": "visits",
        "minutes": "30 + 60 * hours",
        "practical_capacity_minutes": 1000,
    }
    r = run_on(small, monte_carlo_runs=0, time_equations=[eq])
    assert r.rates.set_index("activity").loc["visit", "driver_volume"] == 150.0
    bad = {**eq, "minutes": "30 + lines"}
    with pytest.raises(InputError, match=r"time_equations\[0\] \(pool visit\).*uses lines"):
        run_on(small, monte_carlo_runs=0, time_equations=[bad])
    with pytest.raises(InputError, match="the pool 'nope' is not in the cost pools file"):
        run_on(small, monte_carlo_runs=0, time_equations=[{**eq, "pool": "nope"}])
