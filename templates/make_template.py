"""Build ``templates/kamaudit_template.xlsx``, the workbook every deliverable starts from.

Run it after changing a style here (``python templates/make_template.py``) and commit
both files. The template holds only what survives an openpyxl load and save: named
styles, fonts and colours, the cover's layout (column widths, print setup) and document
properties. ``kamaudit.deliverables.workbook`` fills in the words and the data.

Named styles (used by the workbook writer by name):

``kam_title``      sheet titles           ``kam_note``      the explanation under a title
``kam_cover_title`` the cover's big title ``kam_label``     a label in a label/value list
``kam_value``      a value beside a label ``kam_link``      a hyperlink on the contents sheet
``kam_text``       a sentence (wrapped)
"""

from __future__ import annotations

import sys
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side

TEMPLATE = Path(__file__).resolve().parent / "kamaudit_template.xlsx"

# house colours
NAVY = "1F3864"
TEAL = "2E75B6"
GREY = "595959"
LIGHT = "DDEBF7"
FONT = "Calibri"


def named_styles() -> list[NamedStyle]:
    thin = Side(style="thin", color=TEAL)
    return [
        NamedStyle(
            name="kam_cover_title",
            font=Font(name=FONT, size=24, bold=True, color=NAVY),
            alignment=Alignment(vertical="center"),
        ),
        NamedStyle(
            name="kam_title",
            font=Font(name=FONT, size=16, bold=True, color=NAVY),
            border=Border(bottom=thin),
        ),
        NamedStyle(
            name="kam_note",
            font=Font(name=FONT, size=10, italic=True, color=GREY),
            alignment=Alignment(vertical="top", wrap_text=False),
        ),
        NamedStyle(
            name="kam_label",
            font=Font(name=FONT, size=11, bold=True, color=NAVY),
            fill=PatternFill("solid", fgColor=LIGHT),
            alignment=Alignment(vertical="top"),
        ),
        NamedStyle(
            name="kam_value",
            font=Font(name=FONT, size=11),
            alignment=Alignment(vertical="top", horizontal="left", wrap_text=True),
        ),
        NamedStyle(
            name="kam_link",
            font=Font(name=FONT, size=11, color=TEAL, underline="single"),
        ),
        NamedStyle(
            name="kam_text",
            font=Font(name=FONT, size=11),
            alignment=Alignment(vertical="top", wrap_text=True),
        ),
    ]


def build(path: Path = TEMPLATE) -> Path:
    wb = Workbook()
    for style in named_styles():
        wb.add_named_style(style)
    ws = wb.active
    ws.title = "Cover"
    ws.sheet_view.showGridLines = False
    ws.column_dimensions["A"].width = 3
    ws.column_dimensions["B"].width = 24
    ws.column_dimensions["C"].width = 60
    ws.row_dimensions[2].height = 42
    ws["B2"].style = "kam_cover_title"
    for row in range(4, 12):
        ws.cell(row=row, column=2).style = "kam_label"
        ws.cell(row=row, column=3).style = "kam_value"
    ws.page_setup.orientation = "portrait"
    ws.page_setup.fitToWidth = 1
    ws.print_options.horizontalCentered = True
    wb.properties.creator = "kamaudit"
    wb.properties.title = "Key Account Management audit"
    # fixed timestamps keep the template byte-stable between rebuilds
    import datetime as dt

    stamp = dt.datetime(2025, 1, 1)
    wb.properties.created = stamp
    wb.properties.modified = stamp
    wb.save(path)
    return path


if __name__ == "__main__":
    out = build(Path(sys.argv[1]) if len(sys.argv) > 1 else TEMPLATE)
    print(out)
