"""The client's Excel workbook, written with openpyxl from ``templates/kamaudit_template.xlsx``.

Sheets, in order: cover, contents (every sheet, linked, with what it shows), executive
summary, one sheet per :class:`~kamaudit.deliverables.model.Sheet` a stage contributed.
The full list of settings is a working paper (``notebooks/00_settings.html``), not a
client sheet. Every data sheet is a real Excel table (filters, banded rows) under a title
and a one-line explanation, with number formats by column kind, a frozen header,
conditional formats and an optional native chart.

Client text is never a formula: a string starting with ``=``, ``+``, ``-`` or ``@`` is
stored as a text cell (and marked with Excel's quote prefix so editing it keeps it text).
Characters Excel cannot store (control characters) are removed and the removal is
reported in :attr:`WorkbookResult.notes`.

Speed: cells are created with a per-column style prototype rather than by setting a
number format cell by cell (see ``benchmarks/`` and the module test).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.formatting.rule import CellIsRule, ColorScaleRule, DataBarRule, Rule
from openpyxl.styles import Font
from openpyxl.styles.cell_style import StyleArray
from openpyxl.styles.differential import DifferentialStyle
from openpyxl.styles.numbers import NumberFormat
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.table import Table as XlTable
from openpyxl.worksheet.table import TableStyleInfo

from ..resources import templates_dir
from ..workspace import atomic_path
from .model import FormatKind, Heading, Sheet, Table
from .native_charts import add_chart
from .printing import name_column, setup_print
from .values import format_value, labelled

TEMPLATE_NAME = "kamaudit_template.xlsx"

NUMBER_FORMATS: dict[str, str] = {
    "money": "#,##0.00",
    "money0": "#,##0",
    "pct": '0.0" %"',
    "points": "+0.0;-0.0;0.0",
    "ratio": "0.0 %",  # a 0-1 share shown like a pct column: "12.5 %"
    "int": "#,##0",
    "float": "#,##0.00",
    "score": "0.0",
    "date": "yyyy-mm-dd",
    "text": "General",
}
"""Excel number format for each column kind (``pct`` holds 0-100 numbers)."""

TABLE_STYLE = "TableStyleMedium2"
HEADER_ROW = 4  # title in row 1, note in row 2, a blank row, then the table
FORMULA_PREFIXES = ("=", "+", "-", "@")
MAX_CELL_TEXT = 32767
EXCEL_MAX_ROWS = 1_048_576
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_INVALID_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_CELL_REF_LIKE = re.compile(r"^([A-Za-z]{1,3}\d+|[Rr]\d*[Cc]\d*|[Rr]|[Cc])$")


@dataclass
class WorkbookResult:
    """What :func:`write_workbook` wrote: the path, the sheet names and any notes
    (text cleaned, names shortened) worth telling the consultant."""

    path: Path
    sheets: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (stage, sentence)


def template_path() -> Path:
    return templates_dir() / TEMPLATE_NAME


# ----------------------------------------------------------------- names


def safe_sheet_name(name: str, used: set[str]) -> str:
    """A valid, unique sheet name: no ``[]:*?/\\``, at most 31 characters, not blank."""
    clean = _INVALID_SHEET_CHARS.sub(" ", _ILLEGAL.sub("", str(name))).strip().strip("'").strip()
    if not clean or clean.lower() == "history":
        clean = "Sheet"
    clean = clean[:31].rstrip()
    candidate, n = clean, 2
    while candidate.lower() in used:
        suffix = f" ({n})"
        candidate = clean[: 31 - len(suffix)].rstrip() + suffix
        n += 1
    used.add(candidate.lower())
    return candidate


def table_display_name(key: str, used: set[str]) -> str:
    """A valid, unique Excel table name from a stable key (``customer_pnl`` -> ``T_customer_pnl``)."""
    base = re.sub(r"[^A-Za-z0-9_.]", "_", str(key)) or "table"
    if not re.match(r"[A-Za-z_]", base) or _CELL_REF_LIKE.match(base):
        base = "T_" + base
    base = "T_" + base if not base.startswith("T_") else base
    base = base[:250]
    candidate, n = base, 2
    while candidate.lower() in used:
        candidate = f"{base}_{n}"
        n += 1
    used.add(candidate.lower())
    return candidate


def _unique_labels(labels: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for label in labels:
        label = clean_text(str(label))[0].replace("\n", " ").strip() or "column"
        candidate, n = label, 2
        while candidate.lower() in seen:
            candidate = f"{label} ({n})"
            n += 1
        seen.add(candidate.lower())
        out.append(candidate)
    return out


# ----------------------------------------------------------------- values


def clean_text(text: str) -> tuple[str, bool]:
    """Remove characters Excel cannot store; returns the text and whether it changed."""
    cleaned = _ILLEGAL.sub("", text)
    if len(cleaned) > MAX_CELL_TEXT:
        cleaned = cleaned[: MAX_CELL_TEXT - 1] + "…"
    return cleaned, cleaned != text


def set_text(cell, value) -> bool:
    """Write ``value`` into ``cell`` as text, never as a formula; True if it was cleaned."""
    text, changed = clean_text("" if value is None else str(value))
    cell.value = None
    cell._value = text  # noqa: SLF001 - bypasses openpyxl's formula detection on purpose
    cell.data_type = "s"
    if text.startswith(FORMULA_PREFIXES):
        cell.quotePrefix = True
    return changed


def _column_values(series: pd.Series, kind: FormatKind) -> tuple[list, str]:
    """Python values for one column (None for missing) and the openpyxl data type."""
    s = series
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        s = s.dt.tz_localize(None)
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        values = [None if pd.isna(v) else v.to_pydatetime() for v in s.tolist()]
        return values, "d"
    if pd.api.types.is_bool_dtype(s.dtype):
        return [
            None if v is pd.NA or v is None else bool(v) for v in s.astype(object).tolist()
        ], "b"
    if pd.api.types.is_numeric_dtype(s.dtype):
        values = (
            s.astype("float64").tolist() if not pd.api.types.is_integer_dtype(s.dtype) else None
        )
        if values is None:
            values = [
                None if v is pd.NA or v is None else int(v) for v in s.astype(object).tolist()
            ]
            return values, "n"
        return [None if (v != v or v in (math.inf, -math.inf)) else v for v in values], "n"
    return s.astype(object).tolist(), "mixed"


def _kind_of_value(v):
    """openpyxl data type for one value of a mixed (object) column, and the value."""
    if v is None or v is pd.NA or v is pd.NaT:
        return None, None
    if isinstance(v, float):
        if v != v or v in (math.inf, -math.inf):
            return None, None
        return v, "n"
    if isinstance(v, bool):
        return v, "b"
    if isinstance(v, int):
        return v, "n"
    if isinstance(v, pd.Timestamp):
        return (None, None) if pd.isna(v) else (v.tz_localize(None).to_pydatetime(), "d")
    if isinstance(v, dt.datetime):
        return v.replace(tzinfo=None), "d"
    if isinstance(v, dt.date):
        return v, "d"
    try:
        import numpy as np

        if isinstance(v, np.generic):
            return _kind_of_value(v.item())
    except ImportError:  # pragma: no cover
        pass
    return str(v), "s"


# ----------------------------------------------------------------- writing

_new_cell = Cell.__new__


def _fast_cell(ws, row: int, column: int, style: StyleArray) -> Cell:
    """A cell sharing its column's style array (openpyxl only reads it when saving).

    About twice as fast as ``Cell(...)``, which copies the style for every cell. Cells
    made here must not be restyled in place (that would restyle the whole column); the
    writer never does, and a cell that needs its own style is built with ``Cell(...)``.
    """
    cell = _new_cell(Cell)
    cell.parent = ws
    cell._style = style  # noqa: SLF001
    cell.row = row
    cell.column = column
    cell._hyperlink = None  # noqa: SLF001
    cell._comment = None  # noqa: SLF001
    return cell


class _Writer:
    def __init__(self, template: Path | None = None):
        template = Path(template) if template else template_path()
        self.wb = load_workbook(template) if template.exists() else _blank_workbook()
        self.used_sheets: set[str] = {n.lower() for n in self.wb.sheetnames}
        self.used_tables: set[str] = set()
        self.notes: list[str] = []
        self._protos: dict[tuple[str, str], StyleArray] = {}
        self.marking = ""  # the footer's draft/final and confidentiality words
        self.rows_note = None  # (printed, rows) -> the page header of a sheet printed in part

    # styles ------------------------------------------------------------------
    def style_array(self, ws, number_format: str, style: str | None = None) -> StyleArray:
        key = (number_format, style or "")
        proto = self._protos.get(key)
        if proto is None:
            cell = Cell(ws)
            if style:
                cell.style = style
            cell.number_format = number_format
            proto = self._protos[key] = StyleArray(cell._style)  # noqa: SLF001
        return proto

    def named(self, cell, style: str) -> None:
        if style in self.wb.named_styles:
            cell.style = style

    # sheets ------------------------------------------------------------------
    def new_sheet(self, name: str):
        title = safe_sheet_name(name, self.used_sheets)
        if title != name:
            self.notes.append(f"Sheet name {name!r} was changed to {title!r}.")
        return self.wb.create_sheet(title)

    def write_title(self, ws, title: str, note: str = "") -> None:
        c = ws.cell(row=1, column=1)
        set_text(c, title)
        self.named(c, "kam_title")
        if note:
            c = ws.cell(row=2, column=1)
            set_text(c, note)
            self.named(c, "kam_note")

    def write_table(
        self,
        ws,
        spec: Sheet,
        labels: list[str],
        header_row: int = HEADER_ROW,
    ) -> str:
        """Write ``spec.df`` as an Excel table at ``header_row``; returns its ref."""
        df = spec.df
        room = EXCEL_MAX_ROWS - header_row
        if len(df) > room:
            self.notes.append(
                f"Sheet {ws.title!r}: {len(df):,} rows do not fit in Excel; the first {room:,} are written."
            )
            df = df.head(room)
            spec = Sheet(**{**spec.__dict__, "df": df})
        ncols = len(df.columns)
        labels = _unique_labels(labels)
        for j, label in enumerate(labels, start=1):
            set_text(ws.cell(row=header_row, column=j), label)
        first = header_row + 1
        cleaned = 0
        wrote_cells = ws._cells  # noqa: SLF001 - the fast path: cells built directly
        for j, column in enumerate(df.columns, start=1):
            kind = spec.format_of(column)
            fmt = NUMBER_FORMATS.get(kind, "General")
            values, dtype = _column_values(df[column], kind)
            proto = self.style_array(ws, fmt if dtype != "mixed" or kind != "text" else "General")
            text_proto = self.style_array(ws, "General")
            for i, v in enumerate(values):
                if dtype == "mixed":
                    v, t = _kind_of_value(v)
                else:
                    t = dtype
                if v is None:
                    continue
                row = first + i
                if t == "s":
                    text, changed = clean_text(v)
                    cleaned += changed
                    if text.startswith(FORMULA_PREFIXES):
                        cell = Cell(ws, row=row, column=j, style_array=text_proto)  # own copy
                        cell.quotePrefix = True
                    else:
                        cell = _fast_cell(ws, row, j, text_proto)
                    cell._value = text  # noqa: SLF001 - never parsed as a formula
                    cell.data_type = "s"
                else:
                    cell = _fast_cell(ws, row, j, proto)
                    cell._value = v  # noqa: SLF001
                    cell.data_type = t
                wrote_cells[(row, j)] = cell
        if cleaned:
            self.notes.append(
                f"Sheet {ws.title!r}: removed characters Excel cannot store from {cleaned} cell(s)."
            )
        last_row = header_row + max(len(df), 1)
        last_col = get_column_letter(max(ncols, 1))
        ref = f"A{header_row}:{last_col}{last_row}"
        if ncols:
            table = XlTable(displayName=table_display_name(spec.key, self.used_tables), ref=ref)
            table.tableStyleInfo = TableStyleInfo(
                name=TABLE_STYLE, showRowStripes=True, showColumnStripes=False
            )
            ws.add_table(table)
        self._widths(ws, spec, labels)
        setup_print(
            ws,
            ncols,
            last_row,
            header_row,
            name_column(list(df.columns)),
            self.marking,
            self.rows_note,
        )
        return ref

    def _widths(self, ws, spec: Sheet, labels: list[str]) -> None:
        sample = spec.df.head(200)
        for j, column in enumerate(spec.df.columns, start=1):
            kind = spec.format_of(column)
            width = len(labels[j - 1]) + 4  # room for the filter button
            if kind == "date":
                width = max(width, 12)
            elif kind in ("money", "money0", "float", "int"):
                s = pd.to_numeric(sample[column], errors="coerce").abs()
                biggest = float(s.max()) if s.notna().any() else 0.0
                digits = len(f"{biggest:,.2f}") if biggest < 1e15 else 20
                width = max(width, digits + 2)
            else:
                lengths = sample[column].astype(str).str.len().fillna(0)
                longest = float(lengths.max()) if len(lengths) else 0.0
                width = max(width, int(longest) + 2)
            ws.column_dimensions[get_column_letter(j)].width = max(8, min(width, 50))

    def conditional(self, ws, spec: Sheet, header_row: int = HEADER_ROW) -> None:
        if spec.df.empty:
            return
        last = header_row + len(spec.df)
        for column, rule in (spec.conditional or {}).items():
            if column not in spec.df.columns:
                self.notes.append(f"Sheet {ws.title!r}: no column {column!r} to format.")
                continue
            letter = get_column_letter(list(spec.df.columns).index(column) + 1)
            rng = f"{letter}{header_row + 1}:{letter}{last}"
            if rule == "neg_red":
                ws.conditional_formatting.add(
                    rng, CellIsRule(operator="lessThan", formula=["0"], font=Font(color="C00000"))
                )
            elif rule == "scale":
                ws.conditional_formatting.add(
                    rng,
                    ColorScaleRule(
                        start_type="min",
                        start_color="F8696B",
                        mid_type="percentile",
                        mid_value=50,
                        mid_color="FFEB84",
                        end_type="max",
                        end_color="63BE7B",
                    ),
                )
            elif rule == "whole":  # a column mixing counts and rates: whole numbers, no decimals
                ws.conditional_formatting.add(
                    rng,
                    Rule(
                        type="expression",
                        formula=[f"MOD({letter}{header_row + 1},1)=0"],
                        dxf=DifferentialStyle(numFmt=NumberFormat(numFmtId=3, formatCode="#,##0")),
                    ),
                )
            elif rule == "bar":
                ws.conditional_formatting.add(
                    rng,
                    DataBarRule(start_type="min", end_type="max", color="5B9BD5", showValue=True),
                )

    def chart(self, ws, spec: Sheet, header_row: int = HEADER_ROW) -> None:
        add_chart(ws, spec, header_row, self.notes)

    def save(self, path: Path) -> None:
        with atomic_path(path, ".xlsx") as tmp:
            self.wb.save(tmp)


def _blank_workbook():
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Cover"
    return wb


# ----------------------------------------------------------------- the workbook


def write_workbook(
    path: str | Path,
    ctx,
    reports,
    summary: list[str] | None = None,
    template: str | Path | None = None,
    run_date: dt.date | None = None,
) -> WorkbookResult:
    """Write the client's workbook.

    Parameters
    ----------
    path
        The ``.xlsx`` to write (atomically).
    ctx
        The :class:`~kamaudit.deliverables.context.ReportContext` (engagement, catalog).
    reports
        The :class:`~kamaudit.deliverables.model.StageReport` objects, in stage order.
    summary
        Executive-summary sentences; default: every report's ``summary``.
    """
    t = ctx.t
    w = _Writer(Path(template) if template else None)
    wb = w.wb
    rep = ctx.engagement.report
    w.rows_note = lambda printed, rows: t(
        "workbook.rows_printed", printed=ctx.fmt.number(printed), rows=ctx.fmt.number(rows)
    )
    w.marking = " · ".join(
        x
        for x in (
            t(f"report.status_{rep.status}"),
            t("report.confidential") if rep.confidential else "",
            rep.firm or "",
        )
        if x
    )
    cover = _write_cover(w, ctx, run_date or dt.date.today())
    # contents and summary come first, the contents filled after the data sheets exist
    contents = w.new_sheet(t("workbook.contents"))
    summary_ws = w.new_sheet(t("workbook.summary"))
    entries: list[tuple[str, str]] = [
        (cover.title, t("workbook.cover_desc")),
        (contents.title, t("workbook.contents_desc")),
        (summary_ws.title, t("workbook.summary_desc")),
    ]
    _write_summary(w, summary_ws, reports, summary, ctx)
    failed = _write_stage_sheets(w, reports, ctx, entries)
    _write_contents(w, contents, entries, ctx)
    for ws in (cover, contents, summary_ws):  # the text sheets: A4 portrait, to one page wide
        setup_print(ws, ws.max_column, ws.max_row, marking=w.marking)
    if ctx.catalog.rtl:
        for ws in wb.worksheets:
            ws.sheet_view.rightToLeft = True
    wb.active = 0
    path = Path(path)
    w.save(path)
    return WorkbookResult(path=path, sheets=list(wb.sheetnames), notes=w.notes, failed=failed)


def _write_cover(w: _Writer, ctx, run_date: dt.date):
    """The cover sheet (the template's first sheet); every other template sheet removed."""
    from .. import __version__

    eng, t, wb = ctx.engagement, ctx.t, w.wb
    cover = wb["Cover"] if "Cover" in wb.sheetnames else wb.worksheets[0]
    w.used_sheets.discard(cover.title.lower())
    cover.title = safe_sheet_name(t("workbook.cover"), w.used_sheets)
    for ws in list(wb.worksheets):
        if ws is not cover:
            wb.remove(ws)
            w.used_sheets.discard(ws.title.lower())
    set_text(cover["B2"], eng.report.title or t("report.title"))
    w.named(cover["B2"], "kam_cover_title")
    period = f"{ctx.fmt.date(eng.period.start)} – {ctx.fmt.date(eng.period.end)}"
    rows = [
        (t("workbook.client"), eng.client),
        (t("workbook.period"), period),
        (t("workbook.run_date"), ctx.fmt.date(run_date)),
        (t("workbook.version"), __version__),
        (t("workbook.consultant"), eng.report.consultant or ""),
        (t("workbook.currency"), eng.currency_code or "–"),
    ]
    for i, (label, value) in enumerate(rows, start=4):
        set_text(cover.cell(row=i, column=2), label)
        set_text(cover.cell(row=i, column=3), value)
        w.named(cover.cell(row=i, column=2), "kam_label")
        w.named(cover.cell(row=i, column=3), "kam_value")
    if ctx.catalog.rtl:
        cover.sheet_view.rightToLeft = True
    return cover


def _write_summary(w: _Writer, summary_ws, reports, summary: list[str] | None, ctx) -> None:
    """The executive summary: ``summary`` as given, or each report's sentences under its title."""
    t = ctx.t
    w.write_title(summary_ws, t("report.executive_summary"), ctx.engagement.client)
    summary_ws.column_dimensions["A"].width = 90
    row = HEADER_ROW

    def line(text: str, style: str) -> None:
        nonlocal row
        c = summary_ws.cell(row=row, column=1)
        set_text(c, text)
        w.named(c, style)
        row += 1

    if summary is not None:
        for sentence in summary:
            line(sentence, "kam_text")
    else:  # as the report's first page: the answers, the top actions, then the rest
        from .html import summary_parts

        answers, rests_on, later = summary_parts(reports)
        for title, sentences in answers:
            line(title, "kam_label")
            for sentence in sentences:
                line(sentence, "kam_text")
            row += 1
        for block in (b for r in reports for b in r.headline):
            if isinstance(block, Heading):
                line(block.text, "kam_label")
            elif isinstance(block, Table):
                shown = labelled(block.df, ctx.catalog)
                for values in shown.itertuples(index=False):
                    parts = [
                        format_value(v, block.format_of(c), ctx.fmt, ctx.t)
                        for c, v in zip(shown.columns, values, strict=True)
                    ]
                    line(" · ".join(p for p in parts if p), "kam_text")
                row += 1
        for title, sentences in rests_on + later:
            line(title, "kam_label")
            for sentence in sentences:
                line(sentence, "kam_text")
            row += 1
    if row == HEADER_ROW:
        set_text(summary_ws.cell(row=row, column=1), t("report.no_findings"))


def _write_stage_sheets(w: _Writer, reports, ctx, entries: list) -> list[tuple[str, str]]:
    """Every stage's data sheets; a sheet that fails is left out and named, never fatal."""
    failed: list[tuple[str, str]] = []
    for report in reports:
        for spec in report.sheets:
            ws = w.new_sheet(spec.name)
            try:
                _write_data_sheet(w, ws, spec, ctx)
                entries.append((ws.title, spec.title or spec.note or ws.title))
            except Exception as exc:  # one bad sheet never loses the workbook
                sentence = f"Sheet {spec.name!r} of {report.stage} was not written: {exc}"
                w.notes.append(sentence)
                failed.append((report.stage, sentence))
                w.wb.remove(ws)
                w.used_sheets.discard(ws.title.lower())
    return failed


def _write_contents(w: _Writer, contents, entries: list[tuple[str, str]], ctx) -> None:
    """The contents sheet: every sheet linked, with what it holds."""
    t = ctx.t
    w.write_title(contents, t("workbook.contents"), ctx.engagement.client)
    set_text(contents.cell(row=HEADER_ROW - 1, column=1), t("workbook.sheet"))
    set_text(contents.cell(row=HEADER_ROW - 1, column=2), t("workbook.description"))
    w.named(contents.cell(row=HEADER_ROW - 1, column=1), "kam_label")
    w.named(contents.cell(row=HEADER_ROW - 1, column=2), "kam_label")
    for i, (name, desc) in enumerate(entries, start=HEADER_ROW):
        c = contents.cell(row=i, column=1)
        set_text(c, name)
        quoted = name.replace("'", "''")
        c.hyperlink = Hyperlink(ref=c.coordinate, location=f"'{quoted}'!A1", display=name)
        w.named(c, "kam_link")
        d = contents.cell(row=i, column=2)
        set_text(d, desc)
    contents.column_dimensions["A"].width = max(14, min(40, max(len(n) for n, _ in entries) + 4))
    contents.column_dimensions["B"].width = 60


def _write_data_sheet(w: _Writer, ws, spec: Sheet, ctx) -> None:
    w.write_title(ws, spec.title or spec.name, spec.note)
    shown = labelled(spec.df, ctx.catalog)
    if shown is not spec.df:
        spec = Sheet(**{**spec.__dict__, "df": shown})
    labels = [spec.column_labels.get(c) or ctx.catalog.column(str(c)) for c in spec.df.columns]
    w.write_table(ws, spec, labels)
    w.conditional(ws, spec)
    w.chart(ws, spec)


def assumptions_sheet(ctx) -> Sheet:
    """Every setting in force, its value and its source, as a sheet spec."""
    t = ctx.t
    df = ctx.engagement.assumptions().copy()
    sources = {
        "engagement file": t("assumptions.source_file"),
        "default": t("assumptions.source_default"),
        "override": t("assumptions.source_override"),
        "detected from the file": t("assumptions.source_detected"),
        "rescaled": t("assumptions.source_rescaled"),
    }
    df["source"] = df["source"].map(lambda s: sources.get(s, s))
    df["setting"] = df["setting"].astype(str)
    df["value"] = df["value"].astype(str)
    return Sheet(
        key="assumptions",
        name=t("workbook.assumptions"),
        df=df,
        title=t("report.assumptions"),
        note=t("assumptions.note"),
        formats={"setting": "text", "value": "text", "source": "text"},
    )
