"""Excel workbooks: one sheet's cells from A1 (python-calamine when installed, openpyxl
otherwise), the header row found, Excel's row numbers kept."""

from __future__ import annotations

import contextlib
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError, did_you_mean
from .headers import header_row, listed_headers
from .raw import BLANKS, RawTable, clean_header, note, opt, title_rows_note
from .xlsx_scan import Extent, Sheet, col_letters, sheet_extent, workbook_sheets


def read_xlsx(table: str, path: Path, spec: Any) -> RawTable:
    """Read one sheet: python-calamine (Rust) when installed, openpyxl otherwise.

    calamine reads the cell values about ten times faster; anything it cannot open
    (or a missing calamine) goes to openpyxl, which also words the error messages for
    broken workbooks. Both give the grid from cell A1, so row numbers are Excel's.

    The sheet is chosen and its cells' reach scanned first (:mod:`.xlsx_scan`): hidden
    sheets are skipped unless the engagement file names them, and a sheet whose cells
    reach far beyond its table is read in the table's block only (openpyxl, bounded),
    the cells outside named; one spread too thin to hold a table is refused.
    """
    book = workbook_sheets(path)
    picked, extent = None, None
    if book:
        picked = _pick_sheet(table, path.name, [s.name for s in book], spec, book)
        part = next((s.part for s in book if s.name == picked[0]), None)
        if part:
            extent = sheet_extent(path, part, f'{path.name}, sheet "{picked[0]}"')
    bounded = extent is not None and extent.bounded
    use_calamine = XLSX_ENGINE in ("auto", "calamine") and not bounded
    got = _calamine_grid(table, path, spec, picked) if use_calamine else None
    if got is None:
        # a file object (opened read-only): openpyxl then accepts any extension
        with open(path, "rb") as fh:
            got = _openpyxl_grid(table, path, spec, fh, picked, extent if bounded else None)
    ws_name, options, values = got
    raw = _workbook_table(table, path, spec, ws_name, options, values)
    if book and spec.sheet is None:
        skipped = [s.name for s in book if s.hidden][:10]
        if skipped:
            raw.notes.append(_hidden_note(raw, skipped))
    if bounded:
        raw.notes.append(_far_cells_note(raw, extent))
    return raw


def _hidden_note(raw: RawTable, skipped: list[str]) -> dict:
    names = ", ".join(f'"{s}"' for s in skipped)
    return note(
        raw,
        problem=f"hidden sheet(s) {names} skipped: the first visible sheet was read",
        action="skipped",
        severity="info",
        key="hidden_sheets",
        params={"sheets": names},
    )


def _far_cells_note(raw: RawTable, extent: Extent) -> dict:
    block = f"A1:{col_letters(extent.read_cols or 1)}{extent.read_rows}"
    cells = ", ".join(extent.outside) + (" …" if extent.outside_n > len(extent.outside) else "")
    return note(
        raw,
        value=cells,
        problem=(
            f"{extent.outside_n} cell(s) far outside the table ({cells}) were not read; "
            f"the table was read in {block}"
        ),
        action="not read",
        severity="warning",
        key="far_cells",
        params={"n": extent.outside_n, "cells": cells, "block": block},
    )


XLSX_ENGINE = "auto"
"""``auto`` (calamine when installed, else openpyxl), ``calamine`` or ``openpyxl``: for
benchmarks and tests."""


def _pick_sheet(
    table: str, name: str, sheets: list[str], spec: Any, book: list[Sheet] | None = None
) -> tuple[str, dict]:
    sheet = spec.sheet
    options: dict[str, dict[str, Any]] = {"format": opt("xlsx", "detected")}
    if not sheets:
        raise InputError(f"{name} is an Excel workbook without any sheet: export {table} again.")
    if sheet is None:
        hidden = {s.name for s in book or [] if s.hidden}
        visible = [s for s in sheets if s not in hidden]
        if not visible:
            raise InputError(
                f"every sheet of {name} is hidden ("
                + ", ".join(f'"{s}"' for s in sheets)
                + f"): name the one holding {table} in inputs.{table}.sheet."
            )
        ws_name = visible[0]
        options["sheet"] = opt(
            ws_name, "detected", why="first visible sheet" if hidden else "first sheet"
        )
    elif isinstance(sheet, int):
        if not 0 <= sheet < len(sheets):
            raise InputError(
                f"{name} has no sheet number {sheet} (0-based); it has {len(sheets)}: "
                + ", ".join(f'{i} "{s}"' for i, s in enumerate(sheets))
                + f". Set inputs.{table}.sheet."
            )
        ws_name = sheets[sheet]
        options["sheet"] = opt(ws_name, "engagement file")
    else:
        if sheet not in sheets:
            lowered = {s.casefold().strip(): s for s in sheets}
            if str(sheet).casefold().strip() in lowered:
                ws_name = lowered[str(sheet).casefold().strip()]
            else:
                raise InputError(
                    f'{name} has no sheet "{sheet}"; its sheets are: '
                    + ", ".join(f'"{s}"' for s in sheets)
                    + f".{did_you_mean(str(sheet), sheets)} Set inputs.{table}.sheet."
                )
        else:
            ws_name = sheet
        options["sheet"] = opt(ws_name, "engagement file")
    return ws_name, options


def _calamine_grid(
    table: str, path: Path, spec: Any, picked: tuple[str, dict] | None
) -> tuple[str, dict, list] | None:
    """The sheet's cell values from A1 with python-calamine; None to fall back to openpyxl.

    Empty cells come back as ``""`` (made ``None`` later, as openpyxl gives them);
    numbers as float, dates and date-times as ``date``/``datetime``.
    """
    try:
        from python_calamine import CalamineWorkbook
    except ImportError:
        return None
    try:
        with open(path, "rb") as fh:
            wb = CalamineWorkbook.from_filelike(fh)
            try:
                meta = getattr(wb, "sheets_metadata", None)
                sheets = [m.name for m in meta] if meta else list(wb.sheet_names)
                ws_name, options = picked or _pick_sheet(table, path.name, sheets, spec)
                values = wb.get_sheet_by_name(ws_name).to_python(skip_empty_area=False)
            finally:
                close = getattr(wb, "close", None)
                if close is not None:
                    with contextlib.suppress(Exception):  # already closed
                        close()
    except InputError:
        raise
    except Exception:  # noqa: BLE001 - whatever calamine cannot read, openpyxl tries (and words)
        return None
    options["engine"] = opt("calamine", "detected")
    return ws_name, options, values


def _openpyxl_grid(
    table: str,
    path: Path,
    spec: Any,
    fh: Any,
    picked: tuple[str, dict] | None = None,
    extent: Extent | None = None,
) -> tuple[str, dict, list]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    name = path.name
    try:
        wb = openpyxl.load_workbook(fh, read_only=True, data_only=True, keep_links=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise InputError(
            f"{name} is not a readable Excel workbook ({type(exc).__name__}): open it in Excel "
            "and save it again as .xlsx, or export CSV."
        ) from None
    try:
        ws_name, options = picked or _pick_sheet(table, name, wb.sheetnames, spec)
        ws = wb[ws_name]
        if extent is not None:  # the table's block only: never a grid to the farthest cell
            values = [
                tuple(r)
                for r in ws.iter_rows(
                    max_row=extent.read_rows, max_col=extent.read_cols, values_only=True
                )
            ]
            options["engine"] = opt("openpyxl", "detected")
            return ws_name, options, values
        # trust the stored dimension unless it is missing or says A1 only (some exporters);
        # recomputing it parses the whole sheet a second time
        try:
            dims = ws.calculate_dimension()
        except (ValueError, TypeError):
            dims = None
        if hasattr(ws, "reset_dimensions") and (not dims or dims in ("A1", "A1:A1")):
            ws.reset_dimensions()
        values = [tuple(r) for r in ws.iter_rows(values_only=True)]
    finally:
        wb.close()
    options["engine"] = opt("openpyxl", "detected")
    return ws_name, options, values


def _workbook_table(
    table: str, path: Path, spec: Any, ws_name: str, options: dict, values: list
) -> RawTable:
    name = path.name
    grid = _object_grid(values)
    del values
    # trim empty rows and columns at the end
    blank = _blank_cells(grid)
    filled_rows = np.flatnonzero(~blank.all(axis=1)) if grid.size else np.zeros(0, dtype=int)
    if not len(filled_rows):
        raise InputError(f'{name}, sheet "{ws_name}" is empty: no header and no rows.')
    last_row = int(filled_rows[-1]) + 1
    last = int(np.flatnonzero(~blank[:last_row].all(axis=0))[-1]) + 1
    grid = grid[:last_row, :last]

    head_rows = [list(r) for r in grid[:60]]
    header_idx = header_row(
        table, spec, head_rows, len(grid), options, f'{name}, sheet "{ws_name}"', "rows"
    )
    if header_idx < 0:  # header_row: none, the columns listed in file order
        headers, keep = listed_headers(table, spec, grid.shape[1], f'{name}, sheet "{ws_name}"')
        grid, blank = grid[:, keep], blank[:, keep]
        last = len(keep)
    else:
        headers = [clean_header(c) for c in grid[header_idx]]
    body = grid[header_idx + 1 :]
    cols = [f"__col{i}" for i in range(len(headers))]
    df = pd.DataFrame({c: pd.Series(body[:, j], dtype=object) for j, c in enumerate(cols)})
    rows = header_idx + 2 + np.arange(len(df), dtype=np.int64)
    raw = RawTable(
        table=table, df=df, rows=rows, file=path, sheet=ws_name, options=options, headers=headers
    )
    raw.blank = blank[header_idx + 1 : last_row, :last]
    if header_idx > 0:
        raw.notes.append(title_rows_note(raw, header_idx))
    return raw


def _object_grid(values: list) -> np.ndarray:
    """Rows of cell values -> a 2-D object array (ragged rows padded with None; "" -> None)."""
    if not values:
        return np.empty((0, 0), dtype=object)
    width = max(len(r) for r in values)
    if all(len(r) == width for r in values):
        grid = np.empty((len(values), width), dtype=object)
        grid[:] = values if width else np.empty((len(values), 0), dtype=object)
    else:
        grid = np.full((len(values), width), None, dtype=object)
        for i, r in enumerate(values):
            grid[i, : len(r)] = r
    empty = grid == ""
    if empty.any():
        grid[empty] = None
    return grid


def _blank_cells(grid: np.ndarray) -> np.ndarray:
    """True where a cell is None or only whitespace (vectorised over the object array)."""
    blank = np.equal(grid, None)
    # exact type, elementwise: faster than isinstance through a Python lambda
    is_str = (np.frompyfunc(type, 1, 1)(grid) == str) if grid.size else blank.copy()  # noqa: E721
    if is_str.any():
        strs = grid[is_str].astype(str)
        blank[is_str] = np.char.str_len(np.char.strip(strs, " \t\r\n" + BLANKS)) == 0
    return blank
