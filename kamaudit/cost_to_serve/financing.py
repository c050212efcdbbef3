"""Financing cost: the money tied up in each unpaid invoice, at the cost of capital."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._util import _col, _num
from .ledger import _Ledger, _ledger

__all__ = ["financing_cost"]


def financing_cost(
    invoices: pd.DataFrame,
    customers: pd.DataFrame | None,
    payments: pd.DataFrame | None,
    period_end,
    cost_of_capital: float,
    default_terms_days: int = 30,
) -> pd.DataFrame:
    """Financing cost per invoice: amount × days outstanding × cost of capital ÷ 365.

    Days outstanding run from the invoice date to the paid date, or to the period end
    when the invoice is unpaid. Days beyond terms (after the due date, or invoice date +
    the customer's payment terms) and their cost are given separately. Without a
    payments table each invoice is assumed paid on its terms (``estimated`` = True).
    Credit notes carry no financing cost.

    Returns
    -------
    DataFrame
        invoice_id, customer_id, invoice_date, amount, due_date, paid_date,
        days_outstanding, days_beyond_terms, financing_cost, late_cost, estimated.

    Examples
    --------
    1,000 outstanding 73 days at 10 %: 1000 × 73 × 0.10 / 365 = 20.00.
    """
    universe = pd.Index(pd.unique(invoices["customer_id"]))
    led = _ledger(invoices, universe, 0.0)
    return _financing(
        led, universe, customers, payments, period_end, cost_of_capital, default_terms_days
    )[0]


def _financing(
    led: _Ledger,
    universe: pd.Index,
    customers: pd.DataFrame | None,
    payments: pd.DataFrame | None,
    period_end,
    cost_of_capital: float,
    default_terms_days: int,
) -> tuple[pd.DataFrame, np.ndarray]:
    inv = led.invoice_table
    inv = inv[~inv["is_credit"] & (inv["amount"] > 0)].reset_index(drop=True)
    terms = np.full(len(universe), float(default_terms_days))
    if customers is not None and "payment_terms_days" in customers.columns:
        ct = pd.Series(_num(customers["payment_terms_days"]), index=customers["customer_id"])
        ct = ct[~ct.index.duplicated()]
        t = ct.reindex(universe).to_numpy(dtype=float)
        terms = np.where(np.isnan(t), terms, t)
    codes = inv["code"].to_numpy()
    inv_terms = np.where(codes >= 0, terms[np.clip(codes, 0, None)], float(default_terms_days))
    inv_date = inv["invoice_date"].to_numpy(dtype="datetime64[ns]")
    end = np.datetime64(pd.Timestamp(period_end), "ns")
    day = np.timedelta64(1, "D")
    terms_due = inv_date + (inv_terms * 86400e9).astype("timedelta64[ns]")
    if payments is not None and len(payments):
        due, paid = _payment_dates(inv["invoice_id"], payments)
        due = np.where(np.isnat(due), terms_due, due)
        settled = np.where(np.isnat(paid), end, paid)
        estimated = np.zeros(len(inv), dtype=bool)
    else:
        due = terms_due
        paid = np.full(len(inv), np.datetime64("NaT"), dtype="datetime64[ns]")
        settled = terms_due
        estimated = np.ones(len(inv), dtype=bool)
    days = np.clip((settled - inv_date) / day, 0, None)
    late = np.clip((settled - due) / day, 0, None)
    amount = inv["amount"].to_numpy()
    k = cost_of_capital / 365.0
    out = pd.DataFrame(
        {
            "invoice_id": inv["invoice_id"],
            "customer_id": pd.Series(universe.to_numpy()[np.clip(codes, 0, None)], dtype="str"),
            "invoice_date": inv["invoice_date"],
            "amount": amount,
            "due_date": pd.to_datetime(due),
            "paid_date": pd.to_datetime(paid),
            "days_outstanding": days,
            "days_beyond_terms": late,
            "financing_cost": amount * days * k,
            "late_cost": amount * late * k,
            "estimated": estimated,
        }
    )
    return out, codes


def _payment_dates(invoice_ids: pd.Series, payments: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Per invoice, the earliest due date and the latest paid date in ``payments``
    (NaT where the invoice has no payment row or the row has no date)."""
    # one factorize over both id columns: faster than an index lookup on text ids
    both = pd.concat([invoice_ids, payments["invoice_id"]], ignore_index=True)
    jc, uniq = pd.factorize(both)
    left, right = jc[: len(invoice_ids)], jc[len(invoice_ids) :]
    ok = right >= 0
    nat = np.iinfo(np.int64).min
    due_p = _col(payments, "due_date", pd.NaT).to_numpy(dtype="datetime64[ns]").view(np.int64)
    paid_p = _col(payments, "paid_date", pd.NaT).to_numpy(dtype="datetime64[ns]").view(np.int64)
    due_min = np.full(len(uniq), np.iinfo(np.int64).max)
    np.minimum.at(due_min, right[ok], np.where(due_p == nat, np.iinfo(np.int64).max, due_p)[ok])
    paid_max = np.full(len(uniq), nat)
    np.maximum.at(paid_max, right[ok], paid_p[ok])
    seen = np.zeros(len(uniq), dtype=bool)
    seen[right[ok]] = True
    due_min[due_min == np.iinfo(np.int64).max] = nat
    has = (left >= 0) & seen[np.clip(left, 0, None)]
    due = np.where(has, due_min[np.clip(left, 0, None)], nat).view("datetime64[ns]")
    paid = np.where(has, paid_max[np.clip(left, 0, None)], nat).view("datetime64[ns]")
    return due, paid
