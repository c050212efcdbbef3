"""Metrics: growth, tenure and payment discipline by hand, from contract-typed tables."""

from __future__ import annotations

import pandas as pd
import pytest

from kamaudit.account_profile import compute_metrics

START, END = pd.Timestamp("2024-01-01"), pd.Timestamp("2025-12-31")


def _invoices() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "invoice_id": ["1", "2", "3"],
            "invoice_date": pd.to_datetime(["2025-06-01", "2025-09-01", "2024-03-01"]),
            "customer_id": ["A", "A", "B"],
            "net_amount": [100.0, 100.0, 50.0],
        }
    )


def _customers(since) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": pd.Series(["A", "B"], dtype="str"),
            "name": ["Alfa", "Beta"],
            "industry": ["x", "y"],
            "region": ["r", "r"],
            "client_flag": [None, None],
            "account_owner": [None, None],
            "wallet_estimate": [1000.0, None],
            "customer_since": pd.to_datetime(since),
            "relationship_stage": pd.Series(["partnership", None], dtype="str"),
        }
    )


PNL = pd.DataFrame(
    {"customer_id": ["A", "B"], "net_revenue": [200.0, 50.0], "net_profit": [1.0, 1.0]}
)


def test_tenure_counts_from_customer_since_in_the_master():
    """Issue 11, defect 1: a customer since 2005 is not 0.6 years old."""
    tables = {"invoices": _invoices(), "customers": _customers(["2005-01-01", None])}
    m = compute_metrics(tables, PNL, START, END).set_index("customer_id")
    assert m.loc["A", "tenure_years"] == pytest.approx(
        (END - pd.Timestamp("2005-01-01")).days / 365.25
    )
    # without a date, tenure counts from the first invoice
    assert m.loc["B", "tenure_years"] == pytest.approx(
        (END - pd.Timestamp("2024-03-01")).days / 365.25
    )
    assert m.loc["A", "stage_given"] == "partnership"


def test_growth_and_share_of_wallet_by_hand():
    tables = {"invoices": _invoices(), "customers": _customers([None, None])}
    m = compute_metrics(tables, PNL, START, END).set_index("customer_id")
    # 24 months: 2025 against the same months of 2024
    assert m.loc["A", "growth_basis"] == "same_months"
    assert m.loc["A", "growth_status"] == "new"  # nothing a year earlier: new, not +300 %
    assert pd.isna(m.loc["A", "growth_pct"])
    assert m.loc["B", "growth_status"] == "lost"
    assert m.loc["B", "growth_pct"] == -100.0
    years = ((END - START).days + 1) / 365.25
    assert m.loc["A", "share_of_wallet_pct"] == pytest.approx(100 * 200 / years / 1000)
    assert pd.isna(m.loc["B", "share_of_wallet_pct"])


def test_payment_discipline_weights_by_amount():
    payments = pd.DataFrame(
        {
            "invoice_id": ["1", "2"],
            "due_date": pd.to_datetime(["2025-06-30", "2025-09-30"]),
            "paid_date": pd.to_datetime(["2025-06-30", "2025-10-30"]),
            "amount": [100.0, 300.0],
        }
    )
    tables = {"invoices": _invoices(), "payments": payments}
    m = compute_metrics(tables, PNL, START, END).set_index("customer_id")
    assert m.loc["A", "days_late_avg"] == pytest.approx(30 * 300 / 400)
    assert m.loc["A", "payment_discipline_pct"] == pytest.approx(25.0)
    assert pd.isna(m.loc["B", "payment_discipline_pct"])
