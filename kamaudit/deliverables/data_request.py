"""The client data-request workbook that ``kamaudit init`` writes.

One intro sheet (what we ask for and how to fill it in, with a link to every sheet), then
one sheet per input table of the data contract: row 1 says what the table holds, row 2
what each column means and whether it is required, row 3 is the header of an Excel table
with the canonical column names (so intake reads the returned file without mapping).
Columns with a fixed set of values offer drop-downs (list validations over a hidden
``lists`` sheet); scores and percentages are range-checked; id columns are text so
"0042" stays "0042".

>>> write_data_request("acme/data_request.xlsx", language="cs")     # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.table import Table, TableStyleInfo

from ..contract import (
    ACTIVITY_EXAMPLES,
    ASSESSMENT_SOURCES,
    CHANNELS,
    CONTACT_ROLES,
    REBATE_KINDS,
    RELATIONSHIP_STAGES,
    TEAM_ROLES,
)
from ..workspace import atomic_path
from .i18n import Catalog
from .workbook import safe_sheet_name, set_text

INPUT_ROWS = 5000
"""Rows the validations cover below the header."""

HEADER_ROW = 3
LISTS_SHEET = "lists"

# column -> (kind, required); used when the intake schema cannot be imported
# helper columns of the intake schema a client need not fill in
_SKIP = {
    "invoices": {"customer_name", "industry", "region", "country", "line_no"},
    "rebates": {"year"},
}

_FORMATS = {"id": "@", "text": "@", "date": "yyyy-mm-dd", "money": "#,##0.00", "float": "General"}


def _schema() -> dict[str, dict[str, tuple[str, bool]]]:
    """The data contract (``kamaudit.contract``, the one place it is written), less the
    columns only read to derive another table."""
    from ..config import TABLES
    from ..io import SCHEMA

    return {
        table: {c: tuple(v[:2]) for c, v in SCHEMA[table].items() if c not in _SKIP.get(table, ())}
        for table in TABLES
    }


def _criteria() -> tuple[str, ...]:
    try:
        from ..account_profile import ASSESSMENT_CRITERIA

        return tuple(ASSESSMENT_CRITERIA)
    except Exception:
        return (
            "reliability",
            "quality",
            "flexibility",
            "personal_approach",
            "financial_stability",
            "reference_value",
            "strategic_value",
        )


def _lists() -> dict[str, tuple[str, ...]]:
    from ..cost_to_serve import DRIVERS

    return {
        "activity": ACTIVITY_EXAMPLES,
        "rebate_kind": REBATE_KINDS,
        "channel": CHANNELS.codes,
        "team_role": TEAM_ROLES.codes,
        "relationship_stage": RELATIONSHIP_STAGES.codes,
        "contact_role": CONTACT_ROLES.codes,
        "driver": tuple(DRIVERS),
        "source": ASSESSMENT_SOURCES.codes,
        "criterion": _criteria(),
    }


# (table, column) -> ("list", list name, strict) | ("whole"/"decimal", min, max)
_RULES: dict[tuple[str, str], tuple] = {
    ("activities", "activity"): ("list", "activity", False),
    ("cost_pools", "activity"): ("list", "activity", False),
    ("cost_pools", "driver"): ("list", "driver", False),  # or the client's own word
    ("cost_pools", "avoidable_pct"): ("decimal", 0, 100),
    ("rebates", "kind"): ("list", "rebate_kind", False),
    ("customers", "relationship_stage"): ("list", "relationship_stage", True),
    ("contacts", "role"): ("list", "contact_role", True),
    ("contacts", "preferred_channel"): ("list", "channel", True),
    ("contacts", "relationship_strength"): ("whole", 1, 5),
    ("contacts", "competitor_ties"): ("whole", 1, 5),
    ("assessments", "score"): ("decimal", 1, 10),
    ("assessments", "source"): ("list", "source", True),
    ("assessments", "criterion"): ("list", "criterion", False),
    ("team", "role"): ("list", "team_role", True),
    ("customers", "payment_terms_days"): ("whole", 0, 365),
    ("team", "max_accounts"): ("whole", 0, 100),
}

_REQUIRED_TABLES = {"invoices"}


def write_data_request(path: str | Path, language: str = "en") -> Path:
    """Write the client data-request workbook (atomically) and return its path."""
    from ..config import TABLES

    cat = Catalog(language)
    t = cat.t
    schema = _schema()
    lists = _lists()
    wb = Workbook()
    intro = wb.active
    intro.title = safe_sheet_name(t("data_request.how_to"), {LISTS_SHEET, *TABLES})
    if cat.rtl:
        intro.sheet_view.rightToLeft = True

    # hidden sheet with the drop-down lists
    lists_ws = wb.create_sheet(LISTS_SHEET)
    ranges: dict[str, str] = {}
    for j, (name, values) in enumerate(lists.items(), start=1):
        set_text(lists_ws.cell(row=1, column=j), name)
        for i, v in enumerate(values, start=2):
            set_text(lists_ws.cell(row=i, column=j), v)
        letter = get_column_letter(j)
        ranges[name] = f"{quote_sheetname(LISTS_SHEET)}!${letter}$2:${letter}${len(values) + 1}"
    lists_ws.sheet_state = "hidden"

    bold = Font(bold=True, color="1F3864")
    required_font = Font(bold=True, color="C00000", size=9)
    optional_font = Font(italic=True, color="595959", size=9)
    fill = PatternFill("solid", fgColor="F2F2F2")
    sheets: list[tuple[str, str, bool]] = []
    for table in TABLES:
        cols = schema.get(table)
        if not cols:
            continue
        ws = wb.create_sheet(table)
        if cat.rtl:
            ws.sheet_view.rightToLeft = True
        required_table = table in _REQUIRED_TABLES
        desc = t(f"data_request.tables.{table}")
        status = t(
            "data_request.required_table" if required_table else "data_request.optional_table"
        )
        set_text(ws.cell(row=1, column=1), f"{table} — {status}: {desc}")
        ws.cell(row=1, column=1).font = Font(bold=True, size=13, color="1F3864")
        for j, (col, (kind, required)) in enumerate(cols.items(), start=1):
            letter = get_column_letter(j)
            meaning = t(f"data_request.columns.{col}", default=cat.column(col))
            flag = t("data_request.required" if required else "data_request.optional")
            note = ws.cell(row=2, column=j)
            set_text(note, f"{flag}: {meaning}")
            note.font = required_font if required else optional_font
            note.alignment = Alignment(wrap_text=True, vertical="top")
            note.fill = fill
            set_text(ws.cell(row=HEADER_ROW, column=j), col)
            width = max(len(col) + 4, 14 if kind == "date" else 12)
            ws.column_dimensions[letter].width = min(max(width, 16), 40)
            # a column style: Excel applies it to what the client types into empty cells
            ws.column_dimensions[letter].number_format = _FORMATS.get(kind, "General")
            rule = _RULES.get((table, col))
            if rule:
                _validation(
                    ws,
                    rule,
                    ranges,
                    f"{letter}{HEADER_ROW + 1}:{letter}{HEADER_ROW + INPUT_ROWS}",
                    t,
                    col,
                )
        ws.row_dimensions[2].height = 62
        last = get_column_letter(len(cols))
        tab = Table(displayName=f"request_{table}", ref=f"A{HEADER_ROW}:{last}{HEADER_ROW + 1}")
        tab.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
        ws.add_table(tab)
        ws.freeze_panes = f"A{HEADER_ROW + 1}"
        sheets.append((ws.title, desc, required_table))

    # intro sheet
    intro.column_dimensions["A"].width = 22
    intro.column_dimensions["B"].width = 90
    intro.column_dimensions["C"].width = 14
    set_text(intro["A1"], t("data_request.title"))
    intro["A1"].font = Font(bold=True, size=16, color="1F3864")
    for row, key in ((3, "data_request.intro"), (5, "data_request.steps")):
        cell = intro.cell(row=row, column=1)
        set_text(cell, t(key))
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        intro.merge_cells(start_row=row, start_column=1, end_row=row, end_column=3)
        intro.row_dimensions[row].height = 75
    set_text(intro["A4"], t("data_request.how_to"))
    intro["A4"].font = bold
    for j, key in enumerate(
        ("data_request.sheet", "data_request.what", "data_request.required"), 1
    ):
        c = intro.cell(row=7, column=j)
        set_text(c, t(key).capitalize() if j == 3 else t(key))
        c.font = bold
    for i, (name, desc, required) in enumerate(sheets, start=8):
        c = intro.cell(row=i, column=1)
        set_text(c, name)
        c.hyperlink = Hyperlink(
            ref=c.coordinate, location=f"{quote_sheetname(name)}!A1", display=name
        )
        c.font = Font(color="2E75B6", underline="single")
        set_text(intro.cell(row=i, column=2), desc)
        intro.cell(row=i, column=2).alignment = Alignment(wrap_text=True, vertical="top")
        set_text(
            intro.cell(row=i, column=3),
            t("data_request.required_table" if required else "data_request.optional_table"),
        )
    set_text(intro.cell(row=9 + len(sheets), column=1), t("data_request.contact"))
    wb.move_sheet(lists_ws, offset=len(wb.sheetnames) - 1 - wb.sheetnames.index(LISTS_SHEET))
    wb.active = 0
    path = Path(path)
    with atomic_path(path, ".xlsx") as tmp:
        wb.save(tmp)
    return path


def _validation(ws, rule: tuple, ranges: dict[str, str], cell_range: str, t, col: str) -> None:
    kind = rule[0]
    if kind == "list":
        _, name, strict = rule
        dv = DataValidation(type="list", formula1=ranges[name], allow_blank=True)
        dv.showErrorMessage = True
        dv.errorStyle = "stop" if strict else "warning"
    else:
        _, lo, hi = rule
        dv = DataValidation(
            type=kind, operator="between", formula1=str(lo), formula2=str(hi), allow_blank=True
        )
        dv.showErrorMessage = True
        dv.errorStyle = "stop"
    dv.errorTitle = col
    dv.error = t(f"data_request.columns.{col}", default=col)[:255]
    dv.promptTitle = col
    dv.prompt = t(f"data_request.columns.{col}", default=col)[:255]
    dv.showInputMessage = True
    dv.add(cell_range)
    ws.add_data_validation(dv)
