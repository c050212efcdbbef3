"""Issue 15: cancellations matched to their sales, customers left out by decision, and
no financing on cancelled invoices."""

from __future__ import annotations

import pandas as pd
import pytest

from kamaudit.cost_to_serve import financing_cost
from kamaudit.intake.cancellations import cancellation_stats, match_cancellations

from .common import run

# A web-shop export: cancellations carry a "C" invoice number and no reference
SHOP = (
    "InvoiceNo,InvoiceDate,CustomerID,StockCode,Quantity,UnitPrice\n"
    "536365,2024-12-01,17850,85123A,6,2.55\n"
    "536366,2024-12-01,17850,71053,6,3.39\n"
    "536367,2024-12-02,13047,84879,32,1.69\n"
    "C536379,2024-12-03,17850,85123A,-6,2.55\n"  # cancels 536365
    "C536380,2024-12-03,14527,22556,-12,1.65\n"  # cancels nothing we have: credit-only customer
    "536390,2024-12-05,99999,22086,100,2.55\n"  # the client's own shop
)
MAP = {
    "InvoiceNo": "invoice_id",
    "InvoiceDate": "invoice_date",
    "CustomerID": "customer_id",
    "StockCode": "product_id",
    "Quantity": "quantity",
    "UnitPrice": "unit_price",
}


@pytest.fixture
def shop(tmp_path):
    return run(
        tmp_path,
        {"inv.csv": SHOP},
        {"invoices": {"path": "inv.csv", "columns": MAP}},
        period={"start": "2024-01-01", "end": "2024-12-31"},
        intake={"exclude_customers": [{"customer_id": 99999, "reason": "intercompany: own shop"}]},
    )


def test_cancellation_lines_are_matched_to_the_sale_they_cancel(shop):
    inv = shop.canonical["invoices"].set_index("invoice_id")
    assert inv.loc["C536379", "cancels_invoice_id"] == "536365"
    assert pd.isna(inv.loc["C536380", "cancels_invoice_id"])
    c = shop.summary["cancellations"]
    assert (c["credit_lines_n"], c["matched_n"], c["unmatched_n"]) == (2, 1, 1)
    assert c["by_customer_product_quantity_n"] == 1
    assert c["no_net_revenue_customers_n"] == 1  # 14527: credits only
    keys = set(shop.issues["problem_key"])
    assert "cancellations_matched" in keys


def test_excluded_customers_are_left_out_and_reconciled_apart(shop):
    inv = shop.canonical["invoices"]
    assert "99999" not in set(inv["customer_id"])
    assert "99999" not in set(shop.canonical["customers"]["customer_id"])
    ex = shop.summary["excluded_customers"]
    assert ex["customers"] == [
        {
            "customer_id": "99999",
            "reason": "intercompany: own shop",
            "lines_n": 1,
            "net_amount": 255.0,
        }
    ]
    # revenue reconciles: what is analysed + what is left out = the export
    assert inv["net_amount"].sum() + ex["net_amount"] == pytest.approx(
        15.3 + 20.34 + 54.08 - 15.3 - 19.8 + 255.0
    )


def test_a_reference_wins_and_each_sale_is_cancelled_once():
    inv = pd.DataFrame(
        {
            "invoice_id": ["1", "2", "3", "C1", "C2", "C3"],
            "customer_id": ["A"] * 6,
            "invoice_date": pd.to_datetime(
                ["2024-01-01", "2024-01-05", "2024-01-07", "2024-01-08", "2024-01-09", "2024-01-09"]
            ),
            "product_id": ["p", "p", "q", "p", "p", "p"],
            "quantity": [2.0, 2.0, 1.0, -2.0, -2.0, -2.0],
            "net_amount": [10.0, 10.0, 7.0, -10.0, -10.0, -10.0],
            "cancels_invoice_id": [None, None, None, "1", None, None],
        }
    )
    ids, basis = match_cancellations(inv)
    assert ids.tolist()[3:5] == ["1", "2"]  # the reference; then the latest earlier p x2
    assert basis.tolist()[3:5] == ["reference", "customer_product_quantity"]
    # C3 would need a third p x2: "1" is referenced, "2" is taken: no match, and no
    # fallback on the amount when the line names its product
    assert basis.tolist()[5] == ""
    assert cancellation_stats(inv, basis)["by_reference_n"] == 1


def test_without_products_the_same_amount_of_the_same_customer_matches():
    inv = pd.DataFrame(
        {
            "invoice_id": ["1", "C1", "C2"],
            "customer_id": ["A", "A", "B"],
            "invoice_date": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-02"]),
            "net_amount": [99.5, -99.5, -99.5],
        }
    )
    ids, basis = match_cancellations(inv)
    assert basis.tolist() == ["", "customer_amount", ""]
    assert ids.tolist()[1] == "1"


def test_an_unpaid_cancelled_invoice_is_not_financed_past_its_cancellation():
    inv = pd.DataFrame(
        {
            "invoice_id": ["1", "C1", "2"],
            "invoice_date": pd.to_datetime(["2024-01-01", "2024-01-03", "2024-01-01"]),
            "customer_id": ["A", "A", "A"],
            "net_amount": [365.0, -365.0, 365.0],
            "cancels_invoice_id": [None, "1", None],
        }
    )
    pay = pd.DataFrame(
        {
            "invoice_id": ["1", "2"],
            "due_date": pd.to_datetime(["2024-01-31", "2024-01-31"]),
            "paid_date": pd.Series([pd.NaT, pd.NaT], dtype="datetime64[ns]"),
        }
    )
    f = financing_cost(
        inv, None, pay, "2024-12-31", cost_of_capital=1.0, snapshot="2024-06-30"
    ).set_index("invoice_id")
    # cancelled on 3 January: two days, nothing late
    assert f.loc["1", "days_outstanding"] == 2
    assert f.loc["1", "days_beyond_terms"] == 0
    assert not f.loc["1", "at_least"]
    # the other unpaid invoice runs to the payments' snapshot, and says it is a lower bound
    assert (
        f.loc["2", "days_outstanding"]
        == (pd.Timestamp("2024-06-30") - pd.Timestamp("2024-01-01")).days
    )
    assert f.loc["2", "at_least"]


TWO_CURRENCIES = (
    "invoice_id,invoice_date,customer_id,net_amount,currency\n"
    "1,2024-02-01,A,100,EUR\n"
    "2,2024-02-02,B,100,USD\n"
)


def test_several_currencies_are_never_summed_blindly(tmp_path):
    from .common import fails

    err = fails(
        tmp_path, {"inv.csv": TWO_CURRENCIES}, {"invoices": "inv.csv"}, match="currency_rates"
    )
    assert "USD" in str(err) and "EUR" in str(err)


def test_several_currencies_convert_at_the_rates_and_vat_comes_out(tmp_path):
    r = run(
        tmp_path,
        {"inv.csv": TWO_CURRENCIES},
        {"invoices": "inv.csv"},
        intake={"currency_rates": {"EUR": 1, "usd": 0.9}, "vat_included_pct": 20},
    )
    inv = r.canonical["invoices"].set_index("customer_id")
    assert inv.loc["A", "net_amount"] == pytest.approx(100 / 1.2)
    assert inv.loc["B", "net_amount"] == pytest.approx(90 / 1.2)
    money = r.summary["money"]
    assert money["currencies"] == {"EUR": 1, "USD": 1}
    assert money["vat_removed_pct"] == 20
