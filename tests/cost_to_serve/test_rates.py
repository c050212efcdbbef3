"""Pool rates by volume, capacity or a fixed rate; allocation in whole cents."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from kamaudit.cost_to_serve import allocate, compute_rates, period_years


def test_volume_rate_by_hand():
    pools = pd.DataFrame(
        {
            "activity": ["delivery"],
            "driver": ["activity"],
            "annual_cost": [1000.0],
            "status": ["ok"],
        }
    )
    volumes = np.array([[10.0], [30.0]])
    rates = compute_rates(pools, volumes, years=2.0)
    r = rates.iloc[0]
    assert r["method"] == "volume"
    assert r["pool_cost"] == 2000.0  # 1000 a year, two years
    assert r["rate"] == 50.0  # 2000 / 40 deliveries
    assert r["allocated_cost"] == 2000.0 and r["unallocated_cost"] == 0.0
    assert allocate(rates, volumes)[:, 0].tolist() == [500.0, 1500.0]


def test_capacity_rate_reports_unused_capacity():
    pools = pd.DataFrame(
        {
            "activity": ["visit"],
            "driver": ["hours"],
            "annual_cost": [1200.0],
            "practical_capacity": [100.0],
            "status": ["ok"],
        }
    )
    rates = compute_rates(pools, np.array([[30.0], [30.0]]), years=1.0)
    r = rates.iloc[0]
    assert r["method"] == "capacity" and r["rate"] == 12.0
    assert r["allocated_cost"] == 720.0
    # unused capacity is its own line, never "unallocated" (cost that reached no customer)
    assert r["unused_capacity_cost"] == 480.0 and r["unallocated_cost"] == 0.0


def test_over_capacity_falls_back_to_volume():
    pools = pd.DataFrame(
        {
            "activity": ["visit"],
            "driver": ["hours"],
            "annual_cost": [1200.0],
            "practical_capacity": [10.0],
            "status": ["ok"],
        }
    )
    r = compute_rates(pools, np.array([[30.0], [30.0]]), years=1.0).iloc[0]
    assert r["status"] == "over_capacity" and r["rate"] == 20.0  # 1200 / 60 hours
    assert r["allocated_cost"] == 1200.0 and r["unused_capacity_cost"] == 0.0


def test_allocation_in_cents_conserves_the_pool():
    pools = pd.DataFrame(
        {"activity": ["a"], "driver": ["activity"], "annual_cost": [100.0], "status": ["ok"]}
    )
    volumes = np.array([[1.0], [1.0], [1.0]])
    rates = compute_rates(pools, volumes, years=1.0)
    alloc = allocate(rates, volumes)[:, 0]
    assert sorted(alloc.tolist()) == [33.33, 33.33, 33.34]
    assert round(alloc.sum(), 2) == 100.0


def test_cost_columns_are_unique():
    pools = pd.DataFrame(
        {
            "activity": ["Rush order", "rush-order", "total"],
            "driver": ["activity"] * 3,
            "annual_cost": [1.0, 2.0, 3.0],
            "status": ["ok"] * 3,
        }
    )
    rates = compute_rates(pools, np.ones((1, 3)), years=1.0)
    assert rates["cost_column"].tolist() == ["cts_rush_order", "cts_rush_order_2", "cts_total_3"]


def test_empty_pool_costs_are_handled():
    rates = compute_rates(
        pd.DataFrame({"activity": ["a"], "driver": ["activity"], "status": ["ok"]}),
        np.zeros((1, 1)),
        1.0,
    )
    assert math.isnan(rates["rate"].iloc[0])
    assert rates["status"].iloc[0] == "no_cost"


def test_period_years_counts_whole_years_exactly():
    assert period_years("2024-01-01", "2025-12-31") == 2.0  # a leap day inside
    assert period_years("2023-03-01", "2024-02-29") == 1.0
    assert period_years("2024-01-01", "2024-06-30") == 182 / 365.25
