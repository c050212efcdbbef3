"""The customer universe and the per-customer ledger figures, computed once.

``customer_base`` lists every customer the audit knows; ``_ledger`` sums the invoice lines
per customer with category codes and ``numpy.bincount`` (fast on millions of lines).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._util import _codes, _col, _num, _sum_by

__all__ = ["customer_base"]


def customer_base(
    invoices: pd.DataFrame,
    customers: pd.DataFrame | None = None,
    activities: pd.DataFrame | None = None,
    rebates: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Every customer the audit knows: the master, then any id seen only in the ledger.

    Returns columns customer_id, name, industry, client_flag, payment_terms_days,
    in_master (bool).
    """
    cols = ["customer_id", "name", "industry", "client_flag", "payment_terms_days"]
    if customers is not None and len(customers):
        base = pd.DataFrame({c: _col(customers, c) for c in cols})
        base = base.drop_duplicates("customer_id")
    else:
        base = pd.DataFrame(
            {c: pd.Series(dtype="str" if c != "payment_terms_days" else float) for c in cols}
        )
    base["in_master"] = True
    seen = [invoices["customer_id"]]
    for t in (activities, rebates):
        if t is not None and "customer_id" in t.columns:
            seen.append(t["customer_id"])
    extra = pd.Index(pd.unique(pd.concat(seen, ignore_index=True).dropna()))
    extra = extra.difference(pd.Index(base["customer_id"]), sort=False)
    if len(extra):
        add = pd.DataFrame({"customer_id": extra.astype("str"), "in_master": False})
        base = pd.concat([base, add], ignore_index=True)
    for c in ("name", "industry", "client_flag"):  # text even when the master lacks them
        base[c] = base[c].astype("str")
    return base.reset_index(drop=True)


@dataclass(frozen=True)
class _Ledger:
    """Per-customer ledger figures computed once with category codes and bincount."""

    n_customers: int
    list_sales: np.ndarray
    discounts: np.ndarray
    invoice_net: np.ndarray
    cogs: np.ndarray
    cogs_assumed: np.ndarray
    invoices_n: np.ndarray
    lines_n: np.ndarray
    credit_notes_n: np.ndarray
    invoice_table: pd.DataFrame  # invoice_id, customer code, invoice_date, amount


def _ledger(invoices: pd.DataFrame, universe: pd.Index, assumed_margin_pct: float) -> _Ledger:
    n = len(universe)
    cust = _codes(invoices["customer_id"], universe)
    net = _num(invoices["net_amount"])
    net = np.nan_to_num(net)
    disc = _num(_col(invoices, "discount_amount"))
    lst = _num(_col(invoices, "list_amount"))
    # list = list_amount, else net + discount; discount = list − net (so list − discount = net)
    lst = np.where(np.isnan(lst), net + np.nan_to_num(disc), lst)
    disc_line = lst - net
    cost = _num(_col(invoices, "cost_amount"))
    assumed = np.isnan(cost)
    cost = np.where(assumed, net * (1 - assumed_margin_pct / 100.0), cost)
    credit_line = net < 0
    inv_codes, inv_ids = pd.factorize(invoices["invoice_id"])
    n_inv = len(inv_ids)
    inv_amount = np.bincount(inv_codes, weights=net, minlength=n_inv)
    # the first line of each invoice gives its customer and date
    first = np.full(n_inv, len(inv_codes), dtype=np.int64)
    np.minimum.at(first, inv_codes, np.arange(len(inv_codes)))
    inv_cust = cust[first]
    inv_date = invoices["invoice_date"].to_numpy()[first]
    is_credit = inv_amount < 0
    table = pd.DataFrame(
        {
            "invoice_id": inv_ids,
            "code": inv_cust,
            "invoice_date": pd.to_datetime(inv_date),
            "amount": inv_amount,
            "is_credit": is_credit,
        }
    )
    return _Ledger(
        n_customers=n,
        list_sales=_sum_by(cust, lst, n),
        discounts=_sum_by(cust, disc_line, n),
        invoice_net=_sum_by(cust, net, n),
        cogs=_sum_by(cust, cost, n),
        cogs_assumed=_sum_by(cust, assumed.astype(float), n) > 0,
        invoices_n=_sum_by(inv_cust, (~is_credit).astype(float), n),
        lines_n=_sum_by(cust, (~credit_line).astype(float), n),
        credit_notes_n=_sum_by(inv_cust, is_credit.astype(float), n),
        invoice_table=table,
    )
