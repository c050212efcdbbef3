"""Print setup for the workbook's sheets: what Excel or LibreOffice print on paper.

Every sheet prints on A4, fitted to one page wide and to at most :data:`ROWS_PER_PAGE` rows a page, in
landscape when its columns are wider than a portrait page; data sheets print their table
(title, note and table: the print area) with the header row repeated on every page and
the panes frozen below the header and right of the name column, so a wide sheet scrolls
with the customer's name in view. The footer carries the marking (draft or final,
confidentiality) and the page number.

>>> setup_print(ws, ncols=12, last_row=301, header_row=4, name_column=2)   # doctest: +SKIP
"""

from __future__ import annotations

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

ROWS_PER_PAGE = 80
"""A long sheet prints at most this many rows to a page (about 7 pt text at most): Excel
scales it to fit ``ceil(rows / ROWS_PER_PAGE)`` pages tall and one page wide."""
MAX_PRINTED_ROWS = 2 * ROWS_PER_PAGE
"""A sheet prints at most two pages of its table (the rows in the sheet's order, which
puts the largest or most urgent first); the file holds every row, and the printed page's
header says how many were printed."""
PORTRAIT_WIDTH = 95
"""Sum of column widths (Excel characters) that still fits an A4 portrait page."""
NAME_COLUMNS = ("name", "customer_name", "person_name", "kam_name", "contact_name", "customer")
"""Columns that name a row: the panes freeze right of the first of them."""


def name_column(columns: list[str], look: int = 4) -> int | None:
    """1-based position of the first naming column among the first ``look``, or None."""
    for i, c in enumerate(columns[:look], start=1):
        if str(c) in NAME_COLUMNS:
            return i
    return None


def _sheet_width(ws, ncols: int) -> float:
    total = 0.0
    for j in range(1, ncols + 1):
        width = ws.column_dimensions[get_column_letter(j)].width
        total += width if width else 8.43
    return total


def setup_print(
    ws,
    ncols: int,
    last_row: int,
    header_row: int | None = None,
    name_column: int | None = None,
    marking: str = "",
    rows_note=None,
) -> None:
    """A4, fit to width, landscape when wide; print area, repeated header, frozen panes.

    A table longer than :data:`MAX_PRINTED_ROWS` prints its first rows only, and the
    page header carries ``rows_note(printed, rows)`` (the sentence in the report's language).
    """
    ncols = max(ncols, 1)
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    wide = _sheet_width(ws, ncols) > PORTRAIT_WIDTH
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE if wide else ws.ORIENTATION_PORTRAIT
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_setup.fitToWidth = 1
    rows = last_row - header_row if header_row is not None else 0
    if header_row is not None and rows > MAX_PRINTED_ROWS:
        last_row = header_row + MAX_PRINTED_ROWS
        if rows_note:
            ws.oddHeader.right.text = rows_note(MAX_PRINTED_ROWS, rows).replace("&", "&&")
            ws.oddHeader.right.size = 8
    ws.page_setup.fitToHeight = max(1, -(-last_row // ROWS_PER_PAGE))
    ws.print_options.horizontalCentered = False
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.print_area = f"A1:{get_column_letter(ncols)}{max(last_row, 1)}"
    if header_row is not None:
        ws.print_title_rows = f"{header_row}:{header_row}"
        ws.freeze_panes = ws.cell(row=header_row + 1, column=(name_column or 0) + 1).coordinate
    if marking:
        ws.oddFooter.left.text = marking.replace("&", "&&")
        ws.oddFooter.left.size = 8
    ws.oddFooter.right.text = "&P / &N"
    ws.oddFooter.right.size = 8
