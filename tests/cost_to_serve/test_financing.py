"""Financing cost per invoice: amount × days outstanding × cost of capital ÷ 365."""

from __future__ import annotations

import pandas as pd
import pytest

from kamaudit.cost_to_serve import financing_cost


def test_financing_by_hand():
    inv = pd.DataFrame(
        {
            "invoice_id": ["1"],
            "invoice_date": pd.to_datetime(["2024-01-01"]),
            "customer_id": ["A"],
            "net_amount": [1000.0],
        }
    )
    pay = pd.DataFrame(
        {
            "invoice_id": ["1"],
            "due_date": pd.to_datetime(["2024-01-31"]),
            "paid_date": pd.to_datetime(["2024-03-14"]),
        }
    )
    f = financing_cost(inv, None, pay, "2024-12-31", cost_of_capital=0.10)
    r = f.iloc[0]
    assert r["days_outstanding"] == 73  # 1 Jan → 14 Mar 2024
    assert r["financing_cost"] == pytest.approx(20.0)  # 1000 × 73 × 0.10 / 365
    assert r["days_beyond_terms"] == 43
    assert r["late_cost"] == pytest.approx(1000 * 43 * 0.10 / 365)
    assert not r["estimated"]


def test_unpaid_invoice_runs_to_period_end():
    inv = pd.DataFrame(
        {
            "invoice_id": ["1", "2"],
            "invoice_date": pd.to_datetime(["2024-12-01"] * 2),
            "customer_id": ["A", "A"],
            "net_amount": [365.0, 100.0],
        }
    )
    pay = pd.DataFrame(
        {
            "invoice_id": ["2"],
            "due_date": pd.Series([pd.NaT], dtype="datetime64[ns]"),
            "paid_date": pd.to_datetime(["2024-12-11"]),
        }
    )
    f = financing_cost(
        inv, None, pay, "2024-12-31", cost_of_capital=1.0, snapshot="2024-12-31"
    ).set_index("invoice_id")
    assert f.loc["1", "days_outstanding"] == 30
    assert f.loc["1", "at_least"] and not f.loc["2", "at_least"]
    assert f.loc["1", "financing_cost"] == pytest.approx(30.0)
    assert f.loc["2", "days_outstanding"] == 10


def test_financing_without_payments_is_an_estimate(small):
    f = financing_cost(
        small["invoices"],
        small["customers"],
        None,
        "2024-12-31",
        cost_of_capital=0.0365,
        default_terms_days=14,
    )
    assert f["estimated"].all()
    by = f.set_index("invoice_id")
    assert by.loc["2", "days_outstanding"] == 60  # B's terms
    assert by.loc["3", "days_outstanding"] == 14  # C has no terms: the default
    assert "4" not in by.index  # a credit note is not financed
    assert by.loc["2", "financing_cost"] == pytest.approx(200 * 60 * 0.0001)
