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
from .headers import header_row
from .raw import BLANKS, RawTable, clean_header, opt, title_rows_note


def read_xlsx(table: str, path: Path, spec: Any) -> RawTable:
    """Read one sheet: python-calamine (Rust) when installed, openpyxl otherwise.

    calamine reads the cell values about ten times faster; anything it cannot open
    (or a missing calamine) goes to openpyxl, which also words the error messages for
    broken workbooks. Both give the grid from cell A1, so row numbers are Excel's.
    """
    got = _calamine_grid(table, path, spec) if XLSX_ENGINE in ("auto", "calamine") else None
    if got is None:
        # a file object (opened read-only): openpyxl then accepts any extension
        with open(path, "rb") as fh:
            got = _openpyxl_grid(table, path, spec, fh)
    ws_name, options, values = got
    return _workbook_table(table, path, spec, ws_name, options, values)


XLSX_ENGINE = "auto"
"""``auto`` (calamine when installed, else openpyxl), ``calamine`` or ``openpyxl``: for
benchmarks and tests."""


def _pick_sheet(table: str, name: str, sheets: list[str], spec: Any) -> tuple[str, dict]:
    sheet = spec.sheet
    options: dict[str, dict[str, Any]] = {"format": opt("xlsx", "detected")}
    if not sheets:
        raise InputError(f"{name} is an Excel workbook without any sheet: export {table} again.")
    if sheet is None:
        ws_name = sheets[0]
        options["sheet"] = opt(ws_name, "detected", why="first sheet")
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


def _calamine_grid(table: str, path: Path, spec: Any) -> tuple[str, dict, list] | None:
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
                ws_name, options = _pick_sheet(table, path.name, sheets, spec)
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


def _openpyxl_grid(table: str, path: Path, spec: Any, fh: Any) -> tuple[str, dict, list]:
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
        ws_name, options = _pick_sheet(table, name, wb.sheetnames, spec)
        ws = wb[ws_name]
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
