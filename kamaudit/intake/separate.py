"""Intake steps that set lines apart: customers excluded by the engagement file, and
cancellations matched to the sales they cancel (:mod:`kamaudit.intake.cancellations`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from .cancellations import cancellation_stats, match_cancellations

if TYPE_CHECKING:
    from .steps import _State

__all__ = ["excluded_customers", "matched_cancellations"]


def excluded_customers(s: _State) -> None:
    """Leave out the customers ``intake.exclude_customers`` names (intercompany, cash sale,
    staff): their rows leave every table; their invoice lines are counted, with the net
    amount, per customer and reason, so revenue still reconciles to the export."""
    listed = s.settings.exclude_customers
    if not listed:
        return
    reasons = {x.customer_id: x.reason for x in listed}
    rows = []
    inv = s.tables.get("invoices")
    for cid, reason in reasons.items():
        lines = inv.loc[inv["customer_id"] == cid] if inv is not None else inv
        rows.append(
            {
                "customer_id": cid,
                "reason": reason,
                "lines_n": int(len(lines)) if lines is not None else 0,
                "net_amount": round(float(lines["net_amount"].sum()), 2)
                if lines is not None
                else 0.0,
            }
        )
    for table, df in list(s.tables.items()):
        if "customer_id" not in df.columns:
            continue
        keep = ~df["customer_id"].isin(list(reasons)).to_numpy()
        if keep.all():
            continue
        s.tables[table] = df.loc[keep].reset_index(drop=True)
        s.rows_of[table] = s.rows_of[table][keep]
    unknown = [r["customer_id"] for r in rows if r["lines_n"] == 0]
    s.excluded = {
        "customers": rows,
        "lines_n": sum(r["lines_n"] for r in rows),
        "net_amount": round(sum(r["net_amount"] for r in rows), 2),
        "not_found": unknown,
    }
    s.issues.add(
        table="invoices",
        file=s.raws["invoices"].file_name if "invoices" in s.raws else "",
        sheet="",
        column="customer_id",
        problem=(
            f"{len(rows)} customers left out as the engagement file says "
            f"({s.excluded['lines_n']:,} lines, net amount {s.excluded['net_amount']:,.2f})"
        ),
        action="left out of the analysis; reconciled apart",
        severity="info",
        key="customers_excluded",
        params={
            "customers": len(rows),
            "lines": s.excluded["lines_n"],
            "amount": s.excluded["net_amount"],
        },
    )


def matched_cancellations(s: _State) -> None:
    """Match credit lines to the sales they cancel: ``cancels_invoice_id`` on each matched
    credit line (a reference the export gives is kept), and the counts in the summary."""
    inv = s.tables.get("invoices")
    if inv is None or not len(inv):
        return
    ids, basis = match_cancellations(inv)
    given = inv["cancels_invoice_id"] if "cancels_invoice_id" in inv.columns else None
    out = ids.where(ids.notna(), given) if given is not None else ids
    inv = inv.assign(cancels_invoice_id=pd.Series(out, index=inv.index).astype("str"))
    s.tables["invoices"] = inv
    s.cancellations = cancellation_stats(inv, basis)
    c = s.cancellations
    if c["credit_lines_n"]:
        s.issues.add(
            table="invoices",
            file=s.raws["invoices"].file_name if "invoices" in s.raws else "",
            sheet="",
            column="net_amount",
            problem=(
                f"{c['matched_n']:,} of {c['credit_lines_n']:,} credit lines matched to the sale "
                f"they cancel; {c['no_net_revenue_customers_n']:,} customers have no net revenue"
            ),
            action="matched sales carry no financing for the cancelled amount; customers "
            "without net revenue are neither candidates nor loss-makers",
            severity="info",
            key="cancellations_matched",
            params={
                "matched": c["matched_n"],
                "lines": c["credit_lines_n"],
                "customers": c["no_net_revenue_customers_n"],
            },
        )
