"""Financing cost: the money tied up in each unpaid invoice, at the cost of capital."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._util import _col, _num
from .ledger import _Ledger, _ledger

__all__ = ["cancelled_amounts", "financing_cost", "payments_snapshot"]


def financing_cost(
    invoices: pd.DataFrame,
    customers: pd.DataFrame | None,
    payments: pd.DataFrame | None,
    period_end,
    cost_of_capital: float,
    default_terms_days: int = 30,
    snapshot=None,
) -> pd.DataFrame:
    """Financing cost per invoice: amount × days outstanding × cost of capital ÷ 365.

    Days outstanding run from the invoice date to the paid date, or, for an invoice still
    unpaid, to the payments' snapshot date (``snapshot``; default the latest payment in the
    payments table, else the period end): those days are a lower bound (``at_least`` =
    True). Days beyond terms (after the due date, or invoice date + the customer's payment
    terms) and their cost are given separately. Without a payments table each invoice is
    assumed paid on its terms (``estimated`` = True). Credit notes carry no financing cost;
    an unpaid invoice that its matched credit lines (``cancels_invoice_id``, matched by
    intake) cancel in full is outstanding only until its cancellation, and a paid one or a
    partial return keeps its financing as paid.

    Returns
    -------
    DataFrame
        invoice_id, customer_id, invoice_date, amount, due_date,
        paid_date, days_outstanding, days_beyond_terms, financing_cost, late_cost,
        estimated, cancelled_amount (credited later by matched lines), at_least.

    Examples
    --------
    1,000 outstanding 73 days at 10 %: 1000 × 73 × 0.10 / 365 = 20.00.
    """
    universe = pd.Index(pd.unique(invoices["customer_id"]))
    led = _ledger(invoices, universe, 0.0)
    return _financing(
        led,
        universe,
        customers,
        payments,
        period_end,
        cost_of_capital,
        default_terms_days,
        invoices=invoices,
        snapshot=snapshot,
    )[0]


def cancelled_amounts(invoices: pd.DataFrame | None) -> pd.DataFrame:
    """Per original invoice id (index): ``amount`` its matched credit lines cancel
    (positive) and ``date``, the latest of those credits."""
    if invoices is None or "cancels_invoice_id" not in invoices.columns:
        return pd.DataFrame(
            {"amount": pd.Series(dtype="float64"), "date": pd.Series(dtype="M8[ns]")}
        )
    c = invoices.loc[(invoices["net_amount"] < 0) & invoices["cancels_invoice_id"].notna()]
    g = c.groupby("cancels_invoice_id")
    return pd.DataFrame({"amount": -g["net_amount"].sum(), "date": g["invoice_date"].max()})


def payments_snapshot(payments: pd.DataFrame | None, period_end) -> pd.Timestamp:
    """The date the payments file was taken: its latest payment (else the period end).

    Due dates are promises, not observations, so they do not date the file."""
    if payments is None or "paid_date" not in payments.columns:
        return pd.Timestamp(period_end)
    latest = payments["paid_date"].max()
    return pd.Timestamp(latest) if pd.notna(latest) else pd.Timestamp(period_end)


def _financing(
    led: _Ledger,
    universe: pd.Index,
    customers: pd.DataFrame | None,
    payments: pd.DataFrame | None,
    period_end,
    cost_of_capital: float,
    default_terms_days: int,
    invoices: pd.DataFrame | None = None,
    snapshot=None,
) -> tuple[pd.DataFrame, np.ndarray]:
    inv = led.invoice_table
    inv = inv[~inv["is_credit"] & (inv["amount"] > 0)]
    canc = cancelled_amounts(invoices).reindex(inv["invoice_id"])
    inv = inv.assign(
        cancelled=np.minimum(canc["amount"].fillna(0.0).to_numpy(), inv["amount"].to_numpy()),
        cancelled_on=canc["date"].to_numpy(dtype="datetime64[ns]"),
    ).reset_index(drop=True)
    # an unpaid invoice its credits cancel in full is owed no longer than until then
    full = (inv["amount"] - inv["cancelled"] <= 0.005).to_numpy()
    terms = np.full(len(universe), float(default_terms_days))
    if customers is not None and "payment_terms_days" in customers.columns:
        ct = pd.Series(_num(customers["payment_terms_days"]), index=customers["customer_id"])
        ct = ct[~ct.index.duplicated()]
        t = ct.reindex(universe).to_numpy(dtype=float)
        terms = np.where(np.isnan(t), terms, t)
    codes = inv["code"].to_numpy()
    inv_terms = np.where(codes >= 0, terms[np.clip(codes, 0, None)], float(default_terms_days))
    inv_date = inv["invoice_date"].to_numpy(dtype="datetime64[ns]")
    if snapshot is None:
        snapshot = payments_snapshot(payments, period_end)
    end = np.datetime64(pd.Timestamp(snapshot), "ns")
    day = np.timedelta64(1, "D")
    terms_due = inv_date + (inv_terms * 86400e9).astype("timedelta64[ns]")
    if payments is not None and len(payments):
        due, paid = _payment_dates(inv["invoice_id"], payments)
        due = np.where(np.isnat(due), terms_due, due)
        settled = np.where(np.isnat(paid), end, paid)
        stop = inv["cancelled_on"].to_numpy(dtype="datetime64[ns]")
        cut = full & np.isnat(paid) & ~np.isnat(stop)
        settled = np.where(cut, np.minimum(settled, stop), settled)
        estimated = np.zeros(len(inv), dtype=bool)
    else:
        due = terms_due
        paid = np.full(len(inv), np.datetime64("NaT"), dtype="datetime64[ns]")
        stop = inv["cancelled_on"].to_numpy(dtype="datetime64[ns]")
        cut = full & ~np.isnat(stop)
        settled = np.where(cut, np.minimum(terms_due, stop), terms_due)
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
            "cancelled_amount": inv["cancelled"].to_numpy(dtype="float64"),
            "at_least": ~estimated & np.isnat(paid) & ~cut,
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
