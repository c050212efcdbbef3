"""The steps of intake over one engagement's tables, in order (:data:`_STEPS`): typing,
invoice amounts, period, duplicates, outliers, credits, repeated keys, filters, customers,
orphans, activities. Each takes the shared :class:`_State` and records what it did."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..errors import did_you_mean
from ..io import SCHEMA, RawTable
from .coerce import KEYS, _blank, _check_ranges, _coerce
from .issues import ISSUE_COLUMNS, _add_kept_rows, _col_label, _Issues, _params, _show
from .separate import excluded_customers, matched_cancellations, money_in_one_currency
from .settings import IntakeSettings


@dataclass
class _State:
    """What the intake steps share while they run (one engagement's tables in progress)."""

    mappings: dict[str, dict[str, str]]  # per table: client header -> canonical column
    settings: IntakeSettings
    period: Any
    p_start: pd.Timestamp
    p_end: pd.Timestamp
    issues: _Issues
    raws: dict[str, RawTable]
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    rows_of: dict[str, np.ndarray] = field(default_factory=dict)
    stats: dict[str, dict[str, Any]] = field(default_factory=dict)
    derivations: list[str] = field(default_factory=list)
    derivation_items: list[dict] = field(default_factory=list)  # catalog keys of derivations
    unattributed: dict[str, dict] = field(default_factory=dict)
    derived_customers: bool = False
    derived_invoice_ids: bool = False
    money: dict[str, Any] = field(default_factory=dict)  # currencies found, rates, VAT
    excluded: dict[str, Any] = field(default_factory=dict)  # customers left out by decision
    cancellations: dict[str, Any] = field(default_factory=dict)  # credit lines matched


def _invoices(s: _State) -> tuple[RawTable, pd.DataFrame, dict[str, Any], np.ndarray]:
    """The invoices in progress: raw table, typed frame, its stats and its row filter
    (the filter is changed in place: ``keep &= ...``)."""
    return (
        s.raws["invoices"],
        s.tables["invoices"],
        s.stats["invoices"],
        s.stats["invoices"]["keep"],
    )


def _outside_period(
    s: _State, table: str, rows: np.ndarray, outside: np.ndarray, column: str, dates: pd.Series
) -> None:
    """List the rows of ``table`` dated outside the engagement period (``rows``: their
    source rows, ``outside``: the mask over them), dropped or kept as the settings say."""
    start, end = s.period.start, s.period.end
    _add_kept_rows(
        s.issues,
        s.raws[table],
        rows,
        outside,
        column,
        dates,
        f"is outside the engagement period {start} – {end}",
        "row dropped" if s.settings.drop_outside_period else "kept",
        "warning",
        key="outside_period",
        params={"start": str(start), "end": str(end)},
    )


_DERIVABLE = {
    "invoices": {
        "net_amount": {"quantity", "unit_price"},  # quantity × unit price (_invoice_amounts)
        "invoice_id": {"customer_id", "invoice_date"},  # one per customer and day (_invoice_ids)
    }
}
"""Required columns a missing export column is derived from, per table."""


def _typed_tables(s: _State) -> None:
    """Check required columns, coerce every column to its kind, check ranges."""
    for table, r in s.raws.items():
        st = s.stats.setdefault(
            table, {"file": r.file_name, "sheet": r.sheet or "", "rows_read": len(r.df)}
        )
        for note in r.notes:
            s.issues.add(table=table, **note)
        st["total_rows_dropped_n"] = int(r.option("total_rows", 0) or 0)
        schema = SCHEMA[table]
        missing_cols = [c for c, (_, req) in schema.items() if req and c not in r.df.columns]
        for column, sources in _DERIVABLE.get(table, {}).items():
            if column in missing_cols and sources <= set(r.df.columns):
                missing_cols.remove(column)  # derived by a later step, and said
        if missing_cols:
            spec_cols = {v: k for k, v in s.mappings.get(table, {}).items()}
            found = [h for h in r.headers if h]
            for c in missing_cols:
                wanted = spec_cols.get(c)
                looked = f'"{wanted}" (mapped to {c})' if wanted else f'"{c}"'
                hint = did_you_mean(wanted or c, found)
                extra = " or quantity and unit_price to derive it" if c == "net_amount" else ""
                s.issues.add(
                    table=table,
                    file=r.file_name,
                    sheet=r.sheet or "",
                    row=None,
                    column=c,
                    value="",
                    problem=(
                        f"{r.file_name}: the required column {looked}{extra} is not in the file."
                        f"{hint} Headers found: {', '.join(found[:25])}."
                        f' Map it with  inputs.{table}.columns: {{"<header>": {c}}}  in engagement.yaml.'
                    ),
                    action="stopped",
                    severity="fatal",
                )
            # still check the columns that are there, so one run lists every problem
            df, _ = _coerce(r, s.settings, s.issues, st)
            _check_ranges(table, df, r, s.issues)
            continue
        df, keep = _coerce(r, s.settings, s.issues, st)
        df = _check_ranges(table, df, r, s.issues)
        s.tables[table] = df
        s.rows_of[table] = r.rows
        st["keep"] = keep


def _invoice_ids(s: _State) -> None:
    """An export without invoice numbers: one invoice per customer and day, said so.

    Lines of one customer on one day become one invoice ``<customer>/<yyyy-mm-dd>``, so
    order counts, lines per order and order sizes rest on that assumption, and payments
    (which name invoice numbers) cannot be matched: :func:`_orphans` says so once.
    """
    if "invoices" not in s.tables or "invoice_id" in s.tables["invoices"].columns:
        return
    r, inv, _, _ = _invoices(s)
    day = inv["invoice_date"].dt.strftime("%Y-%m-%d")
    ids = inv["customer_id"].fillna("?").astype(str) + "/" + day.fillna("?")
    inv["invoice_id"] = ids.astype(inv["customer_id"].dtype)
    s.derived_invoice_ids = True
    n = int(inv["invoice_id"].nunique())
    s.derivations.append(
        f"invoices.invoice_id = customer and day ({n:,} invoices): the export has no invoice number"
    )
    s.derivation_items.append({"key": "invoice_id", "params": {"invoices": n}})
    s.issues.add(
        table="invoices",
        file=r.file_name,
        sheet=r.sheet or "",
        column="invoice_id",
        problem=(
            "has no invoice number column: one invoice per customer and day assumed "
            f"({n:,} invoices)"
        ),
        action="derived",
        severity="warning",
        key="invoice_id_derived",
        params={"invoices": n},
    )


def _invoice_amounts(s: _State) -> None:
    """Invoice amounts: derive net_amount from quantity × unit price, drop lines without one; number the lines."""
    if "invoices" not in s.tables:
        return
    r, inv, st, keep = _invoices(s)
    if "net_amount" not in inv.columns:
        inv["net_amount"] = (inv["quantity"] * inv["unit_price"]).round(2)
        s.derivations.append(
            "invoices.net_amount = quantity × unit_price (the export has no amount column)"
        )
        s.derivation_items.append({"key": "net_amount", "params": {}})
        s.issues.add(
            table="invoices",
            file=r.file_name,
            sheet=r.sheet or "",
            column="net_amount",
            problem="has no amount column: net_amount derived as quantity × unit_price",
            action="derived",
            severity="info",
            key="net_derived",
        )
        miss = inv["net_amount"].isna().to_numpy() & keep
        s.issues.add_rows(
            r,
            miss,
            "net_amount",
            None,
            "has no quantity or unit price to derive the amount from",
            "row dropped",
            "error",
            key="net_underivable",
        )
        keep &= ~miss
    else:
        na = inv["net_amount"].isna().to_numpy()
        if {"quantity", "unit_price"} <= set(inv.columns):
            fill = na & (inv["quantity"] * inv["unit_price"]).notna().to_numpy() & keep
            if fill.any():
                inv["net_amount"] = inv["net_amount"].fillna(
                    (inv["quantity"] * inv["unit_price"]).round(2)
                )
                s.issues.add_rows(
                    r,
                    fill,
                    "net_amount",
                    None,
                    "is empty",
                    "corrected: quantity × unit_price",
                    "warning",
                    key="net_filled",
                )
                s.derivations.append(
                    f"invoices.net_amount filled from quantity × unit_price on {int(fill.sum()):,} lines"
                )
                s.derivation_items.append(
                    {"key": "net_amount_filled", "params": {"lines": int(fill.sum())}}
                )
                na = inv["net_amount"].isna().to_numpy()
        miss = na & keep & _blank(r.df["net_amount"]) if "net_amount" in r.df.columns else na & keep
        s.issues.add_rows(
            r,
            miss,
            "net_amount",
            None,
            "is empty but required",
            "row dropped",
            "error",
            key="empty_required",
        )
        st["missing_required_n"] = st.get("missing_required_n", 0) + int(miss.sum())
        keep &= ~na
    if "line_no" not in inv.columns:
        inv["line_no"] = (
            inv.groupby("invoice_id", sort=False, dropna=False).cumcount() + 1
        ).astype("float64")


def _invoice_period(s: _State) -> None:
    """Invoice lines outside the period; stop when no line is left to audit."""
    if "invoices" not in s.tables:
        return
    r, inv, st, keep = _invoices(s)
    # dates outside the period
    d = inv["invoice_date"]
    outside = ((d < s.p_start) | (d > s.p_end)).to_numpy(dtype=bool) & keep
    st["outside_period_n"] = int(outside.sum())
    if outside.any():
        _outside_period(s, "invoices", r.rows, outside, "invoice_date", d)
        if s.settings.drop_outside_period:
            keep &= ~outside
    already_fatal = any(
        (p["severity"] == "fatal").any() and (p["table"] == "invoices").any()
        for p in s.issues.parts
    )
    if not keep.any() and len(inv) and not already_fatal:
        dd = d.dropna()
        span = (
            f" The file's dates run from {dd.min():%Y-%m-%d} to {dd.max():%Y-%m-%d}."
            if len(dd)
            else ""
        )
        s.issues.add(
            table="invoices",
            file=r.file_name,
            sheet=r.sheet or "",
            problem=(
                f"{r.file_name}: no invoice line is left to audit in the period "
                f"{s.period.start} – {s.period.end}.{span} Check period in engagement.yaml "
                f"and inputs.invoices.date_format."
            ),
            action="stopped",
            severity="fatal",
        )
    elif not len(inv):
        s.issues.add(
            table="invoices",
            file=r.file_name,
            sheet=r.sheet or "",
            problem=f"{r.file_name} has a header but no invoice lines.",
            action="stopped",
            severity="fatal",
        )


def _invoice_duplicates(s: _State) -> None:
    """Invoice lines that repeat an earlier line in every column."""
    if "invoices" not in s.tables:
        return
    r, inv, st, keep = _invoices(s)
    # exact duplicate lines
    dup = inv.duplicated(keep="first").to_numpy() & keep
    st["duplicates_n"] = int(dup.sum())
    if dup.any():
        act = "row dropped" if s.settings.drop_duplicate_lines else "kept"
        s.issues.add_rows(
            r,
            dup,
            "",
            None,
            "repeats an earlier invoice line in every column",
            act,
            "warning",
            key="duplicate_line",
        )
        if s.settings.drop_duplicate_lines:
            keep &= ~dup


def _invoice_outliers(s: _State) -> None:
    """Amounts, quantities and prices far above the typical line (flagged, kept)."""
    if "invoices" not in s.tables:
        return
    r, inv, st, keep = _invoices(s)
    # outliers
    st["outliers_n"] = 0
    if s.settings.outlier_rule != "none":
        use_log = s.settings.outlier_rule == "log_iqr"
        flagged = np.zeros(len(inv), dtype=bool)
        for col in ("net_amount", "quantity", "unit_price"):
            if col not in inv.columns:
                continue
            a = inv[col].abs().to_numpy(dtype="float64", na_value=np.nan)
            pos = keep & (a > 0)
            if pos.sum() < 20:
                continue
            v = np.log10(a, where=a > 0, out=np.full_like(a, np.nan)) if use_log else a
            q1, q3 = np.nanpercentile(v[pos], [25, 75])
            if q3 <= q1:
                continue
            fence_v = q3 + s.settings.outlier_k * (q3 - q1)
            fence = 10**fence_v if use_log else fence_v
            out_mask = pos & (v > fence_v)
            if out_mask.any():
                rule = (
                    f"Q3 + {s.settings.outlier_k:g} × IQR of log10"
                    if use_log
                    else f"Q3 + {s.settings.outlier_k:g} × IQR"
                )
                s.issues.add_rows(
                    r,
                    out_mask,
                    col,
                    inv[col],
                    f"is far above the typical line (above {fence:,.2f} = {rule})",
                    "kept (outlier)",
                    "warning",
                    key="outlier_log" if use_log else "outlier",
                    params={"fence": round(float(fence), 2), "k": s.settings.outlier_k},
                )
                flagged |= out_mask
        st["outliers_n"] = int(flagged.sum())


def _invoice_credits(s: _State) -> None:
    """Credit lines marked; lines without a customer counted apart."""
    if "invoices" not in s.tables:
        return
    r, inv, st, keep = _invoices(s)
    inv["is_credit"] = (inv["net_amount"] < 0).fillna(False).astype(bool)
    credits = inv["is_credit"].to_numpy() & keep
    st["credit_lines_n"] = int(credits.sum())
    if credits.any():
        s.issues.add(
            table="invoices",
            file=r.file_name,
            sheet=r.sheet or "",
            column="net_amount",
            problem=f"{int(credits.sum()):,} lines have a negative amount (credit notes, returns, cancellations)",
            action="kept, marked is_credit",
            severity="info",
            key="credit_lines",
            params={"lines": int(credits.sum())},
        )
    no_cust = st.pop("no_customer_mask", None)
    if no_cust is not None and no_cust.any():
        s.unattributed["invoices"] = _no_customer_issue(r, inv, no_cust, keep, s.issues)
    s.tables["invoices"] = inv
    st["keep"] = keep


def _sales_to_audit(s: _State) -> None:
    """Stop with one sentence when no kept invoice line is a sale (all zero or negative):
    there is nothing to analyse, and every later figure would be a division by nothing."""
    if "invoices" not in s.tables:
        return
    r, inv, _, keep = _invoices(s)
    if not keep.any() or (inv["net_amount"].to_numpy()[keep] > 0).any():
        return
    negative = int((inv["net_amount"].to_numpy()[keep] < 0).sum())
    s.issues.add(
        table="invoices",
        file=r.file_name,
        sheet=r.sheet or "",
        column="net_amount",
        problem=(
            f"{r.file_name}: none of the {int(keep.sum()):,} invoice lines in the period is a "
            f"sale ({negative:,} are negative, the rest zero): there is nothing to audit. Check "
            "that the amount column holds sales (inputs.invoices.columns) and its sign."
        ),
        action="stopped",
        severity="fatal",
        key="no_sales",
        params={"lines": int(keep.sum()), "negative_n": negative},
    )


def _duplicate_keys(s: _State) -> None:
    """Repeated keys per table (KEYS): later rows dropped or kept with a warning."""
    for table, (key, policy) in KEYS.items():
        if table not in s.tables or not set(key) <= set(s.tables[table].columns):
            continue
        df, keep = s.tables[table], s.stats[table]["keep"]
        k = df[key]
        if policy == "refuse":  # one pool however it is spelled
            k = k.apply(lambda c: c.str.strip().str.casefold().str.replace(r"\s+", " ", regex=True))
        has_key = k.notna().all(axis=1).to_numpy()
        cand = keep & has_key
        sub = k[cand]
        dup_sub = sub.duplicated(keep="first").to_numpy()
        dup = np.zeros(len(df), dtype=bool)
        dup[np.flatnonzero(cand)[dup_sub]] = True
        s.stats[table]["duplicates_n"] = int(dup.sum())
        if not dup.any():
            continue
        r = s.raws[table]
        first_row = (
            pd.Series(r.rows[cand], index=sub.index)
            .groupby([sub[c] for c in key], sort=False)
            .transform("first")
        )
        firsts = np.zeros(len(df), dtype=np.int64)
        firsts[cand] = first_row.to_numpy()
        col = key[0] if len(key) == 1 else ""
        label = " and ".join(key)
        if policy == "refuse" or (
            table == "customers" and s.settings.duplicate_customers == "fail"
        ):
            sev, act = "fatal", "stopped"
        elif policy == "drop":
            sev, act = "warning", "row dropped; the first row kept"
        else:
            sev, act = "warning", "kept"
        shown = df[key[0]]
        # per-row message names the first row
        for_rows = np.flatnonzero(dup)[: s.issues.cap]
        first_txt = pd.Series(firsts[for_rows]).astype(str).tolist()
        part = pd.DataFrame(
            {
                "table": table,
                "file": r.file_name,
                "sheet": r.sheet or "",
                "row": r.rows[for_rows],
                "column": _col_label(r, col) if col else label,
                "value": [_show(v) for v in shown.iloc[for_rows].tolist()],
                "problem": [f"repeats the {label} of row {f}" for f in first_txt],
                "action": act,
                "severity": sev,
                "problem_key": "duplicate_key",
                "params": [_params({"key": label, "row": int(f)}) for f in first_txt],
            },
            columns=ISSUE_COLUMNS,
        )
        s.issues.parts.append(part)
        if dup.sum() > len(for_rows):
            s.issues.add(
                table=table,
                file=r.file_name,
                sheet=r.sheet or "",
                column=col,
                problem=f"{int(dup.sum()) - len(for_rows):,} more rows repeat a {label}",
                action=act,
                severity=sev,
                key="duplicate_key_more",
                params={"n": int(dup.sum()) - len(for_rows), "key": label},
            )
        if policy == "drop":
            s.stats[table]["keep"] = keep & ~dup


def _apply_filters(s: _State) -> None:
    """Apply every step's row filter at once."""
    for table in list(s.tables):
        keep = s.stats[table].pop("keep")
        s.tables[table] = s.tables[table].loc[keep].reset_index(drop=True)
        s.rows_of[table] = s.rows_of[table][keep]


def _customers(s: _State) -> None:
    """The customer master, or customers derived from the invoices; invoice orphans added."""
    if "invoices" in s.tables:
        inv = s.tables["invoices"]
        first_seen = _customers_from_invoices(inv)
        if "customers" in s.tables:
            cust = s.tables["customers"]
            cust["derived_from_invoices"] = False
            known = set(cust["customer_id"].dropna())
            orphan = ~inv["customer_id"].isin(known).to_numpy()
            s.stats["invoices"]["orphans_n"] = int(orphan.sum())
            if orphan.any():
                r = s.raws["invoices"]
                _add_kept_rows(
                    s.issues,
                    r,
                    s.rows_of["invoices"],
                    orphan,
                    "customer_id",
                    inv["customer_id"],
                    "is not in the customer master",
                    "kept; the customer added from the invoices",
                    "warning",
                    key="orphan_customer_master",
                )
                extra = first_seen[~first_seen["customer_id"].isin(known)]
                cust = pd.concat([cust, extra], ignore_index=True)
                s.derivations.append(
                    f"{len(extra):,} customers added from invoice lines (not in the customer master)"
                )
                s.derivation_items.append(
                    {"key": "customers_added", "params": {"customers": int(len(extra))}}
                )
            s.tables["customers"] = cust
        else:
            s.tables["customers"] = first_seen
            s.derived_customers = True
            s.derivations.append(
                f"customers derived from the invoices ({len(first_seen):,} customer ids): there is no customer master"
            )
            s.derivation_items.append(
                {"key": "customers_derived", "params": {"customers": int(len(first_seen))}}
            )
            s.issues.add(
                table="customers",
                file="",
                problem="no customer master: customers derived from the invoices",
                action="derived",
                severity="info",
                key="customers_derived",
            )
            s.stats["customers"] = {"file": "(derived from invoices)", "sheet": "", "rows_read": 0}


def _orphans(s: _State) -> None:
    """Rows of other tables whose customer or invoice is unknown are dropped."""
    known_customers = (
        set(s.tables["customers"]["customer_id"].dropna()) if "customers" in s.tables else None
    )
    for table in ("rebates", "activities", "contacts", "assessments"):
        if table not in s.tables or known_customers is None:
            continue
        df = s.tables[table]
        orphan = ~df["customer_id"].isin(known_customers).to_numpy()
        s.stats[table]["orphans_n"] = int(orphan.sum())
        if orphan.any():
            _add_kept_rows(
                s.issues,
                s.raws[table],
                s.rows_of[table],
                orphan,
                "customer_id",
                df["customer_id"],
                "is not a known customer",
                "row dropped",
                "warning",
                key="orphan_customer",
            )
            s.tables[table] = df.loc[~orphan].reset_index(drop=True)
            s.rows_of[table] = s.rows_of[table][~orphan]
    if "payments" in s.tables and "invoices" in s.tables and s.derived_invoice_ids:
        r = s.raws["payments"]
        n = len(s.tables["payments"])
        s.issues.add(
            table="payments",
            file=r.file_name,
            sheet=r.sheet or "",
            column="invoice_id",
            problem=(
                f"none of the {n:,} payments can be matched to an invoice: the invoice lines have "
                "no invoice number (invoices were derived per customer and day), so payment "
                "discipline is not assessed"
            ),
            action="ignored",
            severity="warning",
            key="payments_unmatched",
            params={"payments": n},
        )
        s.stats["payments"]["orphans_n"] = n
        del s.tables["payments"]
    if "payments" in s.tables and "invoices" in s.tables:
        df = s.tables["payments"]
        orphan = ~df["invoice_id"].isin(set(s.tables["invoices"]["invoice_id"])).to_numpy()
        s.stats["payments"]["orphans_n"] = int(orphan.sum())
        if orphan.any():
            _add_kept_rows(
                s.issues,
                s.raws["payments"],
                s.rows_of["payments"],
                orphan,
                "invoice_id",
                df["invoice_id"],
                "is not an invoice in the invoice lines",
                "row dropped",
                "warning",
                key="orphan_invoice",
            )
            s.tables["payments"] = df.loc[~orphan].reset_index(drop=True)
            s.rows_of["payments"] = s.rows_of["payments"][~orphan]


def _activities(s: _State) -> None:
    """Activities: quantity 1 where not given; dates outside the period."""
    if "activities" in s.tables:
        df = s.tables["activities"]
        if "quantity" not in df.columns:
            df["quantity"] = 1.0
            s.derivations.append("activities.quantity = 1 for every row (no quantity column)")
            s.derivation_items.append({"key": "activity_quantity", "params": {}})
        else:
            df["quantity"] = df["quantity"].fillna(1.0)
        if "activity_date" in df.columns:
            d = df["activity_date"]
            outside = ((d < s.p_start) | (d > s.p_end)).to_numpy(dtype=bool)
            s.stats["activities"]["outside_period_n"] = int(outside.sum())
            if outside.any():
                _outside_period(
                    s, "activities", s.rows_of["activities"], outside, "activity_date", d
                )
                if s.settings.drop_outside_period:
                    df = df.loc[~outside].reset_index(drop=True)
                    s.rows_of["activities"] = s.rows_of["activities"][~outside]
        s.tables["activities"] = df


_STEPS = (
    _typed_tables,
    _invoice_ids,
    _invoice_amounts,
    money_in_one_currency,
    _invoice_period,
    _invoice_duplicates,
    _invoice_outliers,
    _invoice_credits,
    _sales_to_audit,
    _duplicate_keys,
    _apply_filters,
    excluded_customers,
    matched_cancellations,
    _customers,
    _orphans,
    _activities,
)


def _no_customer_issue(
    raw: RawTable, inv: pd.DataFrame, mask: np.ndarray, keep: np.ndarray, issues: _Issues
) -> dict[str, Any]:
    """Invoice lines without a customer id: one issue row with the count and the amount.

    A consultant expects these lines (cash sales, web-shop guests, a POS export) to be
    left out of the customer analysis, not lumped into an "unknown customer" that would
    top every ranking and become a key account; and to be counted, with the net amount
    they carry, so revenue still reconciles to the ledger.
    """
    n = int(mask.sum())
    amount = float(inv.loc[mask, "net_amount"].sum()) if "net_amount" in inv.columns else 0.0
    total = float(inv.loc[keep | mask, "net_amount"].sum()) if "net_amount" in inv.columns else 0.0
    read = len(inv)
    share_lines = 100.0 * n / read if read else 0.0
    share_amount = 100.0 * amount / total if total else 0.0
    rows = raw.rows[np.flatnonzero(mask)[:10]]
    row_list = ", ".join(str(int(x)) for x in rows) + (", …" if n > len(rows) else "")
    invoices_n = int(inv.loc[mask, "invoice_id"].nunique()) if "invoice_id" in inv.columns else 0
    credit_n = int((inv.loc[mask, "net_amount"] < 0).sum()) if "net_amount" in inv.columns else 0
    issues.add(
        table=raw.table,
        file=raw.file_name,
        sheet=raw.sheet or "",
        row=None,
        column=_col_label(raw, "customer_id"),
        value="",
        problem=(
            f"{n:,} invoice lines have no customer id ({share_lines:.1f}% of the lines read, "
            f"net amount {amount:,.2f}); rows {row_list}"
        ),
        action="left out of the customer analysis; counted and reported",
        severity="warning",
        key="no_customer_id",
        params={
            "lines": n,
            "lines_pct": round(share_lines, 1),
            "amount": round(amount, 2),
            "rows": row_list,
        },
    )
    return {
        "lines_n": n,
        "invoices_n": invoices_n,
        "credit_lines_n": credit_n,
        "net_amount": round(amount, 2),
        "lines_pct": round(share_lines, 2),
        "net_amount_pct": round(share_amount, 2),
        "action": "left out of the customer analysis",
    }


def _customers_from_invoices(inv: pd.DataFrame) -> pd.DataFrame:
    """One row per customer id in the invoices, with the attributes the lines carry."""
    attrs = [c for c in ("customer_name", "industry", "region", "country") if c in inv.columns]
    g = inv[["customer_id", *attrs]].dropna(subset=["customer_id"])
    if attrs:
        out = g.groupby("customer_id", sort=True).first().reset_index()
    else:
        out = pd.DataFrame({"customer_id": g["customer_id"].drop_duplicates().sort_values()})
    out = out.rename(columns={"customer_name": "name"})
    out["derived_from_invoices"] = True
    return out.reset_index(drop=True)
