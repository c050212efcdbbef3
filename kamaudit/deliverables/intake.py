"""Stage 1's part of the deliverables: data quality, the issue list and the customer base.

``build(ctx)`` reads what ``kamaudit.intake.write_results`` left in the workspace
(``intake_quality``, ``intake_issues``, ``intake_missing``, ``intake_coverage``,
``intake_base_*`` and JSON ``intake_summary``) and returns a :class:`StageReport`, or
``None`` when intake has not run.
"""

from __future__ import annotations

import json
import math
from types import SimpleNamespace
from typing import Any

import pandas as pd

from ..intake import ISSUE_COLUMNS
from ..plots import intake as plots
from . import chart_words
from .i18n import plural_count
from .model import (
    Bullets,
    ChartSpec,
    Heading,
    KeyFigures,
    Section,
    Sheet,
    StageReport,
    Table,
    Text,
)
from .values import format_params

STAGE = "intake"
_P = "intake."
_SEVERITY_ORDER = {"fatal": 0, "error": 1, "warning": 2, "info": 3}
_OPTION_NAMES = (
    "sheet",
    "encoding",
    "delimiter",
    "header_row",
    "decimal",
    "thousands",
    "date_format",
    "total_rows",
)


# the English actions intake writes -> catalog keys (intake.actions.<key>)
_ACTION_KEYS = {
    "row dropped": "row_dropped",
    "value cleared": "value_cleared",
    "kept": "kept",
    "kept; the workbook shows it cut": "kept_cut",
    "derived": "derived",
    "corrected: quantity × unit_price": "corrected_qty_price",
    "kept (outlier)": "kept_outlier",
    "kept, marked is_credit": "kept_credit",
    "row dropped; the first row kept": "dropped_first_kept",
    "kept; the customer added from the invoices": "kept_customer_added",
    "skipped": "skipped",
    "dropped (not a data row)": "dropped_total",
    "read as a workbook": "read_as_workbook",
    "left out of the customer analysis; counted and reported": "left_out_counted",
    "kept as read (numbers as whole numbers, no leading zeros added); check with the client": (
        "kept_check_client"
    ),
    "stopped": "stopped",
    "ignored": "ignored",
    "not read": "not_read",
    "left out of the analysis; reconciled apart": "left_out_reconciled",
    "matched sales carry no financing for the cancelled amount; customers "
    "without net revenue are neither candidates nor loss-makers": "cancellations_matched",
    "converted": "converted",
}
_ISSUE_INTERNAL = ("problem_key", "params")


def problem_text(issue: dict, catalog) -> str:
    """The problem of an issue row in the catalog's language (English text as the fallback)."""
    english = str(issue.get("problem") or "")
    key = issue.get("problem_key") or ""
    if not key or (isinstance(key, float) and math.isnan(key)):
        return english
    try:
        params = json.loads(issue.get("params") or "{}")
    except (TypeError, ValueError):
        params = {}
    if not isinstance(params, dict):
        params = {}
    more = params.pop("more_n", None)
    if more is not None and not catalog.has(f"{_P}problems.{key}"):
        return english
    shown = format_params(params, catalog)
    count = plural_count(params)
    text = catalog.t(f"{_P}problems.{key}", english if more is None else None, count=count, **shown)
    if text == f"{_P}problems.{key}":
        return english
    if more is not None:
        text += " " + catalog.t(f"{_P}problems.more_rows", count=more, n=catalog.number(more))
    return text


def action_text(action: str, catalog, issue: dict | None = None) -> str:
    """What the audit did, in the catalog's language (English as the fallback)."""
    a = str(action or "")
    key = _ACTION_KEYS.get(a)
    if key:
        return catalog.t(f"{_P}actions.{key}", a)
    if issue is not None and issue.get("problem_key") == "ids_float_text":
        try:
            params = json.loads(issue.get("params") or "{}")
            return catalog.t(
                f"{_P}actions.corrected_value", a, **{k: str(v) for k, v in params.items()}
            )
        except (TypeError, ValueError, AttributeError):
            return a
    if a.startswith("corrected: read as "):
        return catalog.t(
            f"{_P}actions.corrected_read_as", a, format=a[len("corrected: read as ") :]
        )
    return a


def derivation_texts(summary: dict, catalog) -> list[str]:
    """What intake derived, one sentence each, in the catalog's language."""
    items = summary.get("derivation_items")
    english = list(summary.get("derivations") or [])
    if not items or len(items) != len(english):
        return english
    out = []
    for item, en in zip(items, english, strict=True):
        key = f"{_P}derivations.{item.get('key', '')}"
        out.append(
            catalog.t(key, en, **format_params(item.get("params") or {}, catalog))
            if catalog.has(key)
            else en
        )
    return out


def unattributed_texts(summary: dict, catalog) -> list[str]:
    """Invoice lines without a customer id: what they are and what the audit did."""
    out = []
    for table, info in (summary.get("unattributed") or {}).items():
        if table != "invoices" or not info.get("lines_n"):
            continue
        out.append(
            catalog.t(
                f"{_P}unattributed_text",
                lines=catalog.number(info["lines_n"]),
                lines_pct=catalog.pct(info.get("lines_pct"), 1),
                invoices=catalog.number(info.get("invoices_n", 0)),
                amount=catalog.money(info.get("net_amount"), 0),
                amount_pct=catalog.pct(info.get("net_amount_pct"), 1),
                credits=catalog.number(info.get("credit_lines_n", 0)),
            )
        )
    return out


def _client_words(df: pd.DataFrame, catalog) -> pd.DataFrame:
    """Contract table and column names in ``table`` and ``column`` as the client reads them
    (the catalog's words); the client's own headers and file names stay as they are."""
    out = df.copy()
    if "table" in out.columns:
        out["table"] = out["table"].map(lambda v: v if pd.isna(v) else catalog.table(str(v)))
    if "column" in out.columns:
        out["column"] = out["column"].map(lambda v: v if pd.isna(v) else catalog.column(str(v)))
    return out


INVOICED_COLUMNS = ("net_revenue", "net_amount")
"""Intake's amounts are invoice lines before rebates: shown as invoiced sales, never as net
revenue (which the P&L defines after rebates)."""


def _labels(df: pd.DataFrame, catalog) -> dict[str, str]:
    invoiced = catalog.t(f"{_P}invoiced_sales")
    return {c: invoiced if c in INVOICED_COLUMNS else catalog.column(c) for c in df.columns}


def _issues_display(issues: pd.DataFrame, catalog) -> pd.DataFrame:
    df = issues.copy()
    order = df["severity"].map(_SEVERITY_ORDER).fillna(9)
    df = (
        df.assign(_o=order)
        .sort_values(["_o", "table", "file"], kind="mergesort")
        .drop(columns="_o")
    )
    df["severity"] = df["severity"].map(lambda s: catalog.t(f"{_P}severity.{s}", s))
    if len(df):
        records = df.to_dict("records")
        df["problem"] = [problem_text(r, catalog) for r in records]
        df["action"] = [action_text(r.get("action"), catalog, r) for r in records]
    df = df.drop(columns=[c for c in _ISSUE_INTERNAL if c in df.columns])
    return df.reset_index(drop=True)


_VALUE_WORDS = {
    "": "none",
    "\t": "tab",
    " ": "space",
    "\u00a0": "nbsp",
    "'": "apostrophe",
}


def _show_value(v: Any, catalog=None) -> str:
    """A reading option's value as a reader sees it ("space", not " ")."""
    if v is None:
        return "–"
    word = _VALUE_WORDS.get(str(v))
    if word is not None:
        default = {"nbsp": "no-break space"}.get(word, word)
        return catalog.t(f"{_P}option_values.{word}", default=default) if catalog else default
    if str(v) in (";", ",", "."):
        return f'"{v}"'
    return str(v)


def reading_items(summary: dict, catalog) -> list[str]:
    """One sentence per input: the reading options used and whether each was detected."""
    out = []
    for info in (summary.get("inputs") or {}).values():
        parts = []
        for name in _OPTION_NAMES:
            opt = (info.get("options") or {}).get(name)
            if (
                not opt
                or opt.get("value") is None
                or (name == "total_rows" and not opt.get("value"))
            ):
                continue
            src = (
                catalog.t(f"{_P}source_detected")
                if opt.get("source") == "detected"
                else catalog.t(f"{_P}source_given")
            )
            parts.append(
                catalog.t(
                    f"{_P}option_item",
                    name=catalog.t(f"{_P}option_names.{name}", default=name.replace("_", " ")),
                    value=_show_value(opt.get("value"), catalog),
                    source=src,
                )
            )
        file = info.get("file", "")
        if info.get("sheet"):
            file = f"{file} [{info['sheet']}]"
        out.append(catalog.t(f"{_P}reading_item", file=file, options="; ".join(parts)))
    return out


def summary_sentences(
    summary: dict, quality: pd.DataFrame, issues: pd.DataFrame, catalog
) -> list[str]:
    """One to three plain sentences for the executive summary."""
    fmt = catalog
    base = summary.get("base") or {}
    read = quality[quality["status"] == "read"] if "status" in quality else quality
    out = [
        catalog.t(
            f"{_P}summary_read",
            lines=fmt.number(base.get("invoice_lines_n", 0)),
            files=fmt.number(read["file"].nunique() if len(read) else 0),
            dropped=fmt.number(int(quality["rows_dropped"].sum()) if len(quality) else 0),
            issues=fmt.number(len(issues)),
        )
    ]
    if base.get("top20pct_share_pct") is not None:
        out.append(
            catalog.t(
                f"{_P}summary_concentration",
                top20=fmt.pct(base["top20pct_share_pct"], 0),
                top20_n=fmt.number(base.get("top20pct_customers_n", 0)),
                top10=fmt.pct(base.get("top10_share_pct") or math.nan, 0),
            )
        )
    if summary.get("customers_derived_from_invoices"):
        out.append(catalog.t(f"{_P}summary_derived"))
    elif base.get("window_months"):
        out.append(
            catalog.t(
                f"{_P}summary_base",
                window=fmt.number(base["window_months"]),
                new=fmt.number(base.get("customers_new_n", 0)),
                lost=fmt.number(base.get("customers_lost_n", 0)),
            )
        )
    return out[:3]


def _read(ctx) -> SimpleNamespace | None:
    """What intake wrote, or None before intake has run."""
    ws = ctx.workspace
    if not ws.has_table("intake_quality"):
        return None
    t, fmt = ctx.t, ctx.fmt
    quality = ws.read_table("intake_quality")
    issues = ws.read_table("intake_issues", required=False)
    if issues is None:
        issues = pd.DataFrame(columns=ISSUE_COLUMNS)
    missing = ws.read_table("intake_missing", required=False)
    coverage = ws.read_table("intake_coverage", required=False)
    monthly = ws.read_table("intake_base_monthly", required=False)
    lorenz = ws.read_table("intake_base_lorenz", required=False)
    top = ws.read_table("intake_base_top", required=False)
    summary = ws.read_json("intake_summary", {}) or {}
    base = summary.get("base") or {}
    cat = ctx.catalog

    if missing is not None:  # a header only where the client's file had that column
        headers = {
            table: set(info.get("headers") or [])
            for table, info in (summary.get("inputs") or {}).items()
        }
        pairs = zip(missing["table"], missing["header"], strict=True)
        had = [h in headers.get(tb, ()) for tb, h in pairs]
        missing = missing.assign(header=missing["header"].where(had, ""))
    issues_show = _client_words(_issues_display(issues, cat), cat)
    quality = _client_words(quality, cat)
    missing = None if missing is None else _client_words(missing, cat)
    return SimpleNamespace(
        t=t,
        fmt=fmt,
        quality=quality,
        issues=issues,
        missing=missing,
        coverage=coverage,
        monthly=monthly,
        lorenz=lorenz,
        top=top,
        summary=summary,
        base=base,
        cat=cat,
        issues_show=issues_show,
    )


def _sheets(d: SimpleNamespace, ctx) -> list:
    """The intake sheets of the workbook."""
    t, quality, missing, coverage, monthly, cat, issues_show = (
        d.t,
        d.quality,
        d.missing,
        d.coverage,
        d.monthly,
        d.cat,
        d.issues_show,
    )
    sheets: list[Sheet] = []

    def sheet(
        key: str, df: pd.DataFrame | None, formats=None, chart=None, conditional=None
    ) -> None:
        if df is None:
            return
        sheets.append(
            Sheet(
                key=f"intake_{key}",
                name=t(f"{_P}sheets.{key}")[:31],
                df=df,
                title=t(f"{_P}sheets.{key}_title"),
                note=t(f"{_P}sheets.{key}_note"),
                formats=formats or {},
                chart=chart,
                column_labels=_labels(df, cat),
                conditional=conditional or {},
            )
        )

    sheet("quality", quality, conditional={"rows_dropped": "bar"})
    sheet("issues", issues_show, formats={"row": "int", "value": "text"})
    if missing is not None:
        sheet("missing", missing, formats={"missing_pct": "pct"})
    if coverage is not None and len(coverage):
        sheet(
            "coverage",
            coverage,
            formats={"net_amount": "money0", "credit_amount": "money0"},
            chart=ChartSpec(
                kind="bar",
                x="month",
                y=["invoice_lines_n"],
                title=t(f"{_P}coverage_title"),
                y_title=t(f"{_P}coverage_lines"),
            ),
        )
    if monthly is not None and len(monthly):
        sheet(
            "base",
            monthly,
            formats={"net_amount": "money0"},
            chart=ChartSpec(
                kind="line", x="month", y=["active_n", "new_n"], title=t(f"{_P}sheets.base_title")
            ),
        )

    return sheets


def _intro_blocks(d: SimpleNamespace, ctx) -> list:
    """The section opening: what was read, in key figures."""
    t, fmt, issues, base = d.t, d.fmt, d.issues, d.base
    blocks: list = [Text(t(f"{_P}intro"))]
    blocks.append(
        KeyFigures(
            [
                (t(f"{_P}key_lines"), fmt.number(base.get("invoice_lines_n", 0))),
                (t(f"{_P}key_customers"), fmt.number(base.get("customers_active_n", 0))),
                (
                    t(f"{_P}key_revenue"),
                    fmt.money(
                        base.get("net_revenue") if base.get("net_revenue") is not None else math.nan
                    ),
                ),
                (t(f"{_P}key_issues"), fmt.number(len(issues))),
            ]
        )
    )
    return blocks


def _quality_blocks(d: SimpleNamespace, ctx) -> list:
    """Rows read, kept and dropped; how each file was read; derivations; missing values."""
    t, quality, missing, summary, cat = d.t, d.quality, d.missing, d.summary, d.cat
    blocks: list = []
    blocks.append(Heading(t(f"{_P}quality_heading")))
    blocks.append(Text(t(f"{_P}quality_text")))
    qcols = [
        "table",
        "file",
        "rows_read",
        "rows_kept",
        "rows_dropped",
        "missing_required_n",
        "type_errors_n",
        "duplicates_n",
        "orphans_n",
        "outside_period_n",
        "outliers_n",
        "credit_lines_n",
    ]
    qshow = quality[[c for c in qcols if c in quality.columns]]
    blocks.append(Table(qshow, column_labels=_labels(qshow, cat)))
    for text in unattributed_texts(summary, cat):
        blocks.append(Text(text, kind="warning"))
    blocks.append(Heading(t(f"{_P}reading_heading"), level=4))
    blocks.append(Bullets(reading_items(summary, cat)))
    blocks.append(Heading(t(f"{_P}derivations_heading"), level=4))
    derivations = derivation_texts(summary, cat)
    blocks.append(
        Bullets(list(derivations)) if derivations else Text(t(f"{_P}derivations_none"), kind="note")
    )
    if missing is not None:
        blocks.append(Heading(t(f"{_P}missing_heading"), level=4))
        mshow = missing[missing["missing_n"] > 0].sort_values(
            ["missing_pct"], ascending=False, kind="mergesort"
        )
        if len(mshow):
            blocks.append(Text(t(f"{_P}missing_text")))
            mshow = mshow[["table", "column", "header", "missing_n", "missing_pct"]]
            blocks.append(
                Table(
                    mshow.reset_index(drop=True),
                    formats={"missing_pct": "pct"},
                    column_labels=_labels(mshow, cat),
                )
            )
        else:
            blocks.append(Text(t(f"{_P}missing_none"), kind="note"))
    return blocks


def _coverage_blocks(d: SimpleNamespace, ctx) -> list:
    """Invoice lines by month of the period, with gaps named."""
    t, coverage = d.t, d.coverage
    blocks: list = []
    if coverage is not None and len(coverage):
        blocks.append(Heading(t(f"{_P}coverage_heading")))
        blocks.append(Text(t(f"{_P}coverage_text")))
        gaps = coverage.loc[~coverage["has_data"].astype(bool), "month"]
        if len(gaps):
            blocks.append(
                Text(
                    t(
                        f"{_P}coverage_gaps",
                        months=", ".join(pd.to_datetime(gaps).dt.strftime("%Y-%m")),
                    ),
                    kind="warning",
                )
            )
        words = chart_words.coverage_by_month(t)
        words["amount_label"] = ctx.money_axis(words["amount_label"], period=False)
        fig = plots.coverage_by_month(coverage, **words)
        blocks.append(ctx.figure("intake_coverage", fig, alt=t(f"{_P}coverage_alt")))
    return blocks


def _issue_blocks(d: SimpleNamespace, ctx) -> list:
    """The issue list, worst first."""
    t, cat, issues_show = d.t, d.cat, d.issues_show
    blocks: list = []
    blocks.append(Heading(t(f"{_P}issues_heading")))
    if len(issues_show):
        blocks.append(Text(t(f"{_P}issues_text")))
        ishow = issues_show[["severity", "file", "row", "column", "value", "problem", "action"]]
        blocks.append(
            Table(ishow, formats={"row": "int", "value": "text"}, column_labels=_labels(ishow, cat))
        )
    else:
        blocks.append(Text(t(f"{_P}issues_none"), kind="note"))
    return blocks


def _base_blocks(d: SimpleNamespace, ctx) -> list:
    """The customer base: active, new and lost customers, concentration."""
    t, fmt, lorenz, top, base, cat = d.t, d.fmt, d.lorenz, d.top, d.base, d.cat
    blocks: list = []
    if base:
        window = fmt.number(base.get("window_months", 12))
        blocks.append(Heading(t(f"{_P}base_heading")))
        blocks.append(Text(t(f"{_P}base_text", window=window)))
        blocks.append(
            KeyFigures(
                [
                    (t(f"{_P}key_customers"), fmt.number(base.get("customers_active_n", 0))),
                    (t(f"{_P}key_new"), fmt.number(base.get("customers_new_n", 0))),
                    (t(f"{_P}key_lost"), fmt.number(base.get("customers_lost_n", 0))),
                    (t(f"{_P}key_retained"), fmt.number(base.get("customers_retained_n", 0))),
                    (t(f"{_P}key_top10"), fmt.pct(_nan(base.get("top10_share_pct")), 0)),
                    (t(f"{_P}key_top20"), fmt.pct(_nan(base.get("top20pct_share_pct")), 0)),
                ]
            )
        )
        if top is not None and len(top):
            blocks.append(Heading(t(f"{_P}top_heading"), level=4))
            blocks.append(
                Table(
                    top,
                    formats={"rank": "int", "share_pct": "pct", "cum_share_pct": "pct"},
                    column_labels=_labels(top, cat),
                )
            )
        if lorenz is not None and len(lorenz):
            blocks.append(Heading(t(f"{_P}lorenz_heading"), level=4))
            gini = base.get("gini")
            blocks.append(
                Text(t(f"{_P}lorenz_text", gini=fmt.number(gini, 2) if gini is not None else "–"))
            )
            fig = plots.lorenz_curve(
                lorenz,
                top20_share_pct=base.get("top20pct_share_pct"),
                **chart_words.lorenz_curve(t),
            )
            blocks.append(ctx.figure("intake_lorenz", fig, alt=t(f"{_P}lorenz_alt")))

    return blocks


def build(ctx) -> StageReport | None:
    """The intake sheets and report section, or None before intake has run."""
    d = _read(ctx)
    if d is None:
        return None
    blocks = [
        *_intro_blocks(d, ctx),
        *_quality_blocks(d, ctx),
        *_coverage_blocks(d, ctx),
        *_issue_blocks(d, ctx),
        *_base_blocks(d, ctx),
    ]
    section = Section(id=STAGE, title=d.t(f"{_P}title"), blocks=blocks)
    return StageReport(
        stage=STAGE,
        section=section,
        sheets=_sheets(d, ctx),
        summary=summary_sentences(d.summary, d.quality, d.issues, d.cat),
    )


def _nan(x: Any) -> float:
    return math.nan if x is None else float(x)
