"""Driver volumes per customer and pool; activities no pool covers."""

from __future__ import annotations

import pandas as pd

from kamaudit.cost_to_serve import compute_rates, driver_volumes, unpooled_activities


def test_fixed_rate_and_pool_without_volume_are_reported(small):
    universe = pd.Index(["A", "B", "C"])
    pools = pd.concat(
        [
            small["cost_pools"],
            pd.DataFrame(
                {
                    "activity": ["training", "x"],
                    "annual_cost": [99.0, 10.0],
                    "driver": ["activity", "zorblats"],
                }
            ),
        ],
        ignore_index=True,
    )
    volumes, p = driver_volumes(pools, small["invoices"], small["activities"], universe)
    rates = compute_rates(p, volumes, years=1.0)
    by = rates.set_index("activity")
    assert by.loc["order", "method"] == "fixed_rate"
    assert by.loc["order", "allocated_cost"] == 20.0  # 4 invoices (not the credit note) × 5
    assert by.loc["training", "status"] == "no_driver_volume"
    assert by.loc["training", "unallocated_cost"] == 99.0
    assert by.loc["x", "status"] == "unknown_driver"
    assert by.loc["x", "unallocated_cost"] == 10.0


def test_driver_aliases_and_ledger_drivers(small):
    pools = pd.DataFrame(
        {
            "activity": ["orders", "lines", "returns", "accounts", "sales", "visit"],
            "driver": ["Orders", "lines", "credit notes", "customer", "net-revenue", None],
        }
    )
    volumes, p = driver_volumes(
        pools, small["invoices"], small["activities"], pd.Index(["A", "B", "C"])
    )
    assert p["driver"].tolist() == [
        "invoices",
        "invoice_lines",
        "credit_notes",
        "customers",
        "revenue",
        "activity",
    ]
    assert p["status"].tolist()[-1] == "default_driver"
    assert volumes[:, 0].tolist() == [2.0, 1.0, 1.0]  # invoices, not the credit note
    assert volumes[:, 1].tolist() == [3.0, 1.0, 1.0]  # lines, not the credit line
    assert volumes[:, 2].tolist() == [0.0, 0.0, 1.0]
    assert volumes[:, 3].tolist() == [1.0, 1.0, 1.0]
    assert volumes[:, 4].tolist() == [160.0, 200.0, 280.0]
    assert volumes[:, 5].tolist() == [0.0, 0.0, 1.0]  # one visit row, quantity 1


def test_activities_without_a_pool_are_listed(small):
    u = unpooled_activities(small["activities"], small["cost_pools"])
    assert u.to_dict("records") == [
        {"activity": "complaint", "rows_n": 1, "quantity": 1.0, "hours": 1.0, "customers_n": 1}
    ]
    assert unpooled_activities(None, small["cost_pools"]).empty
