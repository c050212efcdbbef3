"""The debrief written out: an HTML page, a workbook and one answer sheet per company.

Every text from the data (company and customer names, group names) is escaped in the
HTML and written to the workbook as text, never as a formula (the deliverables'
:func:`~kamaudit.deliverables.workbook.set_text`). Labels come from the catalog
(``reveal.*`` in ``locales/<language>/seminar.yaml``).
"""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from ..deliverables.i18n import Catalog
from .collect import Pairing

__all__ = ["answer_sheet", "write_html", "write_workbook"]

_MONEY = {"net_revenue", "net_profit", "key_net_profit"}
_DAYS = {"days_beyond_terms", "key_days_late"}
_PCT = {"whale_peak_pct", "key_whale_peak_pct"}


def _label(cat: Catalog, col: str) -> str:
    """A column's label; a group's own name (a column of the side-by-side tables) as it is."""
    return cat.t(f"reveal.columns.{col}", default=col)


def _show(cat: Catalog, col: str, v) -> str:
    """One value as the debrief shows it (text, in the catalog's language)."""
    if isinstance(v, bool) or (col in {"found", "is_key_account", "is_potential"} and v in (0, 1)):
        if col == "found":
            return cat.t("reveal.found") if v else cat.t("reveal.missed")
        return cat.t("yes") if v else cat.t("no")
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return "–"
    if col == "fact":
        return cat.t(f"reveal.facts.{v}", default=str(v))
    if col in {"key", "potential"} or v in ("key", "potential"):
        return cat.t(f"reveal.status.{v}", default=str(v))
    if col in _MONEY:
        return cat.number(v)
    if col in _DAYS:
        return cat.number(v, 0)
    if col in _PCT:
        return cat.pct(v, 1)
    if isinstance(v, float):
        return cat.number(v, 2 if v % 1 else 0)
    return str(v)


def _html_table(df: pd.DataFrame, cat: Catalog, found_col: bool = False) -> str:
    head = "".join(f"<th>{html.escape(_label(cat, str(c)))}</th>" for c in df.columns)
    body = []
    for row in df.itertuples(index=False):
        cells = []
        for col, v in zip(df.columns, row, strict=True):
            cls = ""
            if found_col and col == "found":
                cls = ' class="ok"' if v else ' class="miss"'
            cells.append(f"<td{cls}>{html.escape(_show(cat, str(col), v))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


_CSS = """
body{font-family:system-ui,sans-serif;margin:2rem;font-size:15px;color:#222}
h1{font-size:1.6rem} h2{font-size:1.25rem;margin-top:2rem}
table{border-collapse:collapse;margin:.5rem 0 1rem} th,td{border:1px solid #ccc;padding:.25rem .5rem}
th{background:#f0f0f0;text-align:start} td.ok{background:#e3f4e3} td.miss{background:#fbe0e0}
@media print{body{margin:0;font-size:11px} h2{page-break-before:auto}}
"""


def write_html(path: Path, tables: dict[str, pd.DataFrame], cat: Catalog, notes: list[str]) -> None:
    facts = tables["facts"].drop(columns=["client"])
    parts = [
        f"<h1>{html.escape(cat.t('reveal.title'))}</h1>",
        f"<p>{html.escape(cat.t('reveal.intro'))}</p>",
        f"<h2>{html.escape(cat.t('reveal.summary_heading'))}</h2>",
        _html_table(tables["summary"], cat),
        f"<h2>{html.escape(cat.t('reveal.facts_heading'))}</h2>",
        _html_table(facts, cat, found_col=True),
        f"<h2>{html.escape(cat.t('reveal.accounts_heading'))}</h2>",
        f"<p>{html.escape(cat.t('reveal.accounts_note'))}</p>",
    ]
    acc = tables["accounts"]
    for company, df in acc.groupby("company", sort=True) if len(acc) else []:
        df = df.dropna(axis=1, how="all").drop(columns="company")
        parts += [f"<h3>{html.escape(str(company))}</h3>", _html_table(df, cat)]
    parts += [
        f"<h2>{html.escape(cat.t('reveal.weights_heading'))}</h2>",
        _html_table(tables["weights"], cat),
    ]
    if notes:
        parts.append(f"<h2>{html.escape(cat.t('reveal.unmatched'))}</h2><ul>")
        parts += [f"<li>{html.escape(n)}</li>" for n in notes]
        parts.append("</ul>")
    direction = "rtl" if cat.rtl else "ltr"
    page = (
        f'<!doctype html><html lang="{cat.language}" dir="{direction}"><head>'
        f'<meta charset="utf-8"><title>{html.escape(cat.t("reveal.title"))}</title>'
        f"<style>{_CSS}</style></head><body>{''.join(parts)}</body></html>"
    )
    path.write_text(page, encoding="utf-8")


def write_workbook(path: Path, tables: dict[str, pd.DataFrame], cat: Catalog) -> None:
    """One sheet per table; text cells as text (never formulas), numbers as numbers."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from ..deliverables.workbook import safe_sheet_name, set_text

    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    for key in ("summary", "facts", "accounts", "weights"):
        df = tables[key]
        ws = wb.create_sheet(safe_sheet_name(cat.t(f"reveal.sheets.{key}", default=key), used))
        for j, col in enumerate(df.columns, start=1):
            set_text(ws.cell(row=1, column=j), _label(cat, str(col)))
            ws.cell(row=1, column=j).font = Font(bold=True)
            ws.column_dimensions[ws.cell(row=1, column=j).column_letter].width = 18
        for i, row in enumerate(df.itertuples(index=False), start=2):
            for j, (col, v) in enumerate(zip(df.columns, row, strict=True), start=1):
                cell = ws.cell(row=i, column=j)
                if isinstance(v, (int, float)) and not isinstance(v, bool) and pd.notna(v):
                    cell.value = float(v)
                    cell.number_format = "#,##0.0" if col in _PCT else "#,##0"
                else:
                    set_text(cell, _show(cat, str(col), v))
        ws.freeze_panes = "A2"
    wb.save(path)


def answer_sheet(p: Pairing, facts: pd.DataFrame, cat: Catalog) -> str:
    """The facilitator's answer sheet for one company, from that company's audit."""
    a, t = p.audit, cat.t
    mine = facts[facts["group"].eq(p.group) & facts["company"].eq(p.label)]
    whale_key = (p.key.get("whale_curve") or {}).get("peak_pct")
    pnl = a.table("customer_pnl")
    lines = [
        f"# {t('reveal.sheet.title', client=a.client, company=p.label)}",
        "",
        t("reveal.sheet.intro", audit=str(a.root)),
        "",
        "- "
        + t(
            "reveal.sheet.whale", peak=cat.pct(a.whale.get("peak_pct")), key_peak=cat.pct(whale_key)
        ),
        "- "
        + t("reveal.sheet.loss_makers", n=int((pnl["net_profit"] < 0).sum()) if len(pnl) else 0),
        "- "
        + t("reveal.sheet.feasible_yes" if a.team.get("feasible") else "reveal.sheet.feasible_no"),
    ]
    team = p.key.get("team") or {}
    if team:  # what the answer key planted: a roster too small for the list, or one that fits
        word = "understaffed" if team.get("understaffed") else "staffed"
        lines.append(
            "- "
            + t(
                f"reveal.sheet.planted_{word}",
                kams=team.get("kams_n"),
                slots=team.get("kam_slots"),
                key_n=team.get("key_accounts_expected"),
            )
        )
    lines.append("")
    cols = [
        "name",
        "expected",
        "found",
        "revenue_rank",
        "net_profit",
        "sinking_lines",
        "days_beyond_terms",
        "stability",
    ]
    for fact, df in mine.groupby("fact", sort=False, observed=True):
        lines += [f"## {t(f'reveal.facts.{fact}')}", "", t(f"reveal.ask.{fact}"), ""]
        lines.append("| " + " | ".join(_label(cat, c) for c in cols) + " |")
        lines.append("|" + "---|" * len(cols))
        for row in df[cols].itertuples(index=False):
            cells = [_show(cat, c, v).replace("|", "\\|") for c, v in zip(cols, row, strict=True)]
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    prof = a.table("account_profile")
    names = dict(zip(prof["customer_id"], prof["name"], strict=True)) if len(prof) else {}
    for key, ids in (("key_accounts", a.key_accounts()), ("potential", a.potential())):
        lines += [f"## {t(f'reveal.sheet.{key}', n=len(ids))}", ""]
        lines += [f"- {cid} {names.get(cid, '')}".rstrip() for cid in ids] or ["- –"]
        lines.append("")
    return "\n".join(lines)
