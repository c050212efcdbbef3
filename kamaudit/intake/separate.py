"""Intake steps that set lines apart: customers excluded by the engagement file, and
cancellations matched to the sales they cancel (:mod:`kamaudit.intake.cancellations`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from .cancellations import cancellation_stats, match_cancellations

if TYPE_CHECKING:
    from .steps import _State

__all__ = ["excluded_customers", "matched_cancellations", "money_in_one_currency"]

_SALES_MONEY = ("net_amount", "unit_price", "list_amount", "discount_amount")
"""Sales amounts: VAT comes out of these (the cost of goods carries none)."""
_MONEY = (*_SALES_MONEY, "cost_amount")


def money_in_one_currency(s: _State) -> None:
    """Amounts in one currency, net of VAT, before anything is summed.

    Several currencies in ``invoices.currency`` are converted at ``intake.currency_rates``
    (one rate per currency found); a currency without a rate stops the run with one
    sentence naming the currencies and the setting, never a blind sum. With
    ``intake.vat_included_pct`` the VAT is taken out of the sales amounts. What was found
    and done is in the summary (``money``)."""
    inv = s.tables.get("invoices")
    if inv is None:
        return
    file = s.raws["invoices"].file_name if "invoices" in s.raws else ""
    money: dict = {"currencies": {}, "rates": {}, "vat_removed_pct": None}
    if "currency" in inv.columns and inv["currency"].notna().any():
        codes = inv["currency"].astype("str").str.strip().str.upper()
        counts = codes.dropna().value_counts()
        money["currencies"] = {str(k): int(v) for k, v in counts.items()}
        if len(counts) > 1:
            rates = {k.upper(): v for k, v in s.settings.currency_rates.items()}
            lacking = [c for c in counts.index if c not in rates]
            if lacking:
                s.issues.add(
                    table="invoices",
                    file=file,
                    column="currency",
                    problem=(
                        f"the invoice lines are in {len(counts)} currencies "
                        f"({', '.join(counts.index)}): they cannot be summed without a rate "
                        f"for {', '.join(lacking)}; set intake.currency_rates in the engagement file"
                    ),
                    action="stopped",
                    severity="fatal",
                    key="several_currencies",
                    params={"currencies": ", ".join(counts.index), "lacking": ", ".join(lacking)},
                )
                return
            factor = codes.map(rates).fillna(1.0).to_numpy(dtype="float64")
            for col in _MONEY:
                if col in inv.columns:
                    inv[col] = inv[col] * factor
            money["rates"] = {c: rates[c] for c in counts.index}
            s.issues.add(
                table="invoices",
                file=file,
                column="currency",
                problem=f"amounts in {', '.join(counts.index)} converted at intake.currency_rates",
                action="converted",
                severity="info",
                key="currencies_converted",
                params={"currencies": ", ".join(counts.index)},
            )
    vat = s.settings.vat_included_pct
    if vat:
        for col in _SALES_MONEY:
            if col in inv.columns:
                inv[col] = inv[col] / (1 + vat / 100)
        money["vat_removed_pct"] = vat
        s.issues.add(
            table="invoices",
            file=file,
            column="net_amount",
            problem=f"sales amounts include VAT at {vat:g} %: taken out",
            action="converted",
            severity="info",
            key="vat_removed",
            params={"vat": vat},
        )
    s.tables["invoices"] = inv
    s.money = money


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
