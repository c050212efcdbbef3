"""Cancellations matched to the lines they cancel.

A credit line (negative amount) cancels an earlier sale. Where the export names the
invoice it cancels (``cancels_invoice_id``), that reference is used; otherwise the line is
matched to the latest earlier sale of the same customer with the same product and the
same quantity (as many exports, such as a web shop's "C"-prefixed cancellations, carry
no reference), and without products to the latest earlier sale of the same customer for
exactly the same amount. Each sale line is cancelled at most once. The original invoice
then carries no financing cost for the cancelled amount (cost-to-serve), and a customer
whose credits cancel its sales has no net revenue: neither a candidate nor a loss-maker.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["BASES", "cancellation_stats", "match_cancellations"]

BASES = ("reference", "customer_product_quantity", "customer_amount")
"""How a credit line was matched, strongest first."""


def _latest_earlier(credits: pd.DataFrame, sales: pd.DataFrame, by: list[str]) -> pd.Series:
    """Per credit line (its index), the index of the latest earlier sale line with the same
    ``by`` values, each sale line used once (NaN where none)."""
    c = credits.dropna(subset=by + ["invoice_date"]).sort_values("invoice_date", kind="stable")
    s = sales.dropna(subset=by + ["invoice_date"]).sort_values("invoice_date", kind="stable")
    if not len(c) or not len(s):
        return pd.Series(np.nan, index=credits.index)
    left = c[[*by, "invoice_date"]].assign(_credit=c.index)
    right = s[[*by, "invoice_date"]].assign(_sale=s.index)
    for col in by:  # merge_asof needs equal key dtypes
        left[col] = left[col].astype("str") if left[col].dtype != "float64" else left[col]
        right[col] = right[col].astype("str") if right[col].dtype != "float64" else right[col]
    m = pd.merge_asof(left, right, on="invoice_date", by=by, direction="backward")
    m = m.dropna(subset=["_sale"])
    m = m.loc[~m["_sale"].duplicated(keep="first")]  # one cancellation per sale line
    return pd.Series(m["_sale"].to_numpy(), index=m["_credit"].to_numpy()).reindex(credits.index)


def match_cancellations(inv: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """(cancels_invoice_id, basis) for every line of ``inv`` (empty for sale lines and for
    credits that match nothing). ``inv`` follows the invoices contract; not mutated.

    >>> inv = pd.DataFrame({"invoice_id": ["1", "2", "C9"], "customer_id": ["A", "A", "A"],
    ...     "invoice_date": pd.to_datetime(["2024-01-02", "2024-02-01", "2024-02-03"]),
    ...     "product_id": ["p", "p", "p"], "quantity": [2.0, 2.0, -2.0],
    ...     "net_amount": [10.0, 10.0, -10.0]})
    >>> ids, basis = match_cancellations(inv)
    >>> ids.fillna("").tolist(), basis.tolist()
    (['', '', '2'], ['', '', 'customer_product_quantity'])
    """
    n = len(inv)
    ids = pd.Series([None] * n, index=inv.index, dtype="object")
    basis = pd.Series("", index=inv.index, dtype="object")
    amount = inv["net_amount"]
    credit = amount < 0
    if not credit.any():
        return ids.astype("str"), basis.astype("str")
    known = set(inv.loc[amount > 0, "invoice_id"].dropna())
    if "cancels_invoice_id" in inv.columns:
        ref = inv["cancels_invoice_id"]
        ok = credit & ref.notna() & ref.isin(known)
        ids[ok] = ref[ok]
        basis[ok] = "reference"
    # sales of an invoice a reference already cancels are not matched again
    sales = inv.loc[(amount > 0) & ~inv["invoice_id"].isin(set(ids.dropna()))]
    todo = credit & ids.isna()
    has_product = "product_id" in inv.columns and "quantity" in inv.columns
    if has_product:
        line_known = inv["product_id"].notna() & inv["quantity"].notna()
    else:
        line_known = pd.Series(False, index=inv.index)
    if has_product and (todo & line_known).any():
        todo = todo & line_known
        c = inv.loc[todo].assign(_q=inv.loc[todo, "quantity"].abs())
        s = sales.assign(_q=sales["quantity"].abs())
        hit = _latest_earlier(c, s, ["customer_id", "product_id", "_q"]).dropna()
        ids[hit.index] = inv.loc[hit.to_numpy().astype(int), "invoice_id"].to_numpy()
        basis[hit.index] = "customer_product_quantity"
        sales = sales.drop(index=hit.to_numpy().astype(int))
    todo = credit & ids.isna() & ~line_known  # by amount only where the line names no product
    if todo.any():
        c = inv.loc[todo].assign(_a=-amount[todo].round(2))
        s = sales.assign(_a=sales["net_amount"].round(2))
        hit = _latest_earlier(c, s, ["customer_id", "_a"]).dropna()
        ids[hit.index] = inv.loc[hit.to_numpy().astype(int), "invoice_id"].to_numpy()
        basis[hit.index] = "customer_amount"
    return ids.astype("str"), basis.astype("str")


def cancellation_stats(inv: pd.DataFrame, basis: pd.Series) -> dict[str, Any]:
    """Counts for the intake summary: credit lines, how many were matched and how, the
    amount matched, and customers whose net revenue is zero or below (credits only)."""
    credit = (inv["net_amount"] < 0).to_numpy()
    b = basis.to_numpy()
    net = inv.groupby("customer_id")["net_amount"].sum()
    return {
        "credit_lines_n": int(credit.sum()),
        "matched_n": int((credit & (b != "")).sum()),
        **{f"by_{x}_n": int((b == x).sum()) for x in BASES},
        "unmatched_n": int((credit & (b == "")).sum()),
        "matched_amount": round(float(-inv.loc[credit & (b != ""), "net_amount"].sum()), 2),
        "unmatched_amount": round(float(-inv.loc[credit & (b == ""), "net_amount"].sum()), 2),
        "no_net_revenue_customers_n": int((net <= 0).sum()),
    }
