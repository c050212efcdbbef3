"""What a workbook holds before any engine reads it: its sheets (name, hidden or not, the
part that stores them) and how far a sheet's cells really reach.

Both engines build a grid from A1 to the farthest cell. A sheet whose declared
dimension lies, or whose one stray cell sits at XFD1048576, would make calamine allocate
hundreds of gigabytes and abort from Rust (no ``except`` catches that) and openpyxl yield a
million rows of 16,384 empty cells. So the sheet's XML is scanned first, as raw bytes in
chunks: the farthest row and column by pattern search (about 0.3 s per 75 MB of XML), and
only when that grid is far larger than the cells present, every cell reference, to find the
block the table occupies and name the cells outside it.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError

_CHUNK = 1 << 22
SMALL_GRID = 2_000_000
"""A grid up to this many cells is read as it is, however sparse."""
SPARSE_RATIO = 4
"""A larger grid is read whole only when it has at most this many cells per cell present."""

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


@dataclass
class Sheet:
    name: str
    hidden: bool
    part: str | None
    """The zip member holding the sheet's XML (None when the workbook does not say)."""


@dataclass
class Extent:
    """How far a sheet's cells reach, and the block to read when they reach too far."""

    max_row: int
    max_col: int
    cells: int
    read_rows: int | None = None
    read_cols: int | None = None
    outside: list[str] = field(default_factory=list)
    """References of cells left outside the block read (the farthest first, at most 5)."""
    outside_n: int = 0

    @property
    def bounded(self) -> bool:
        return self.read_rows is not None


def workbook_sheets(path: Path) -> list[Sheet] | None:
    """The sheets in workbook order with their visibility; None when the file is not an
    ordinary xlsx package (the engines then word what is wrong with it)."""
    from defusedxml import ElementTree

    try:
        with zipfile.ZipFile(path) as zf:
            book = ElementTree.fromstring(zf.read("xl/workbook.xml"))
            try:
                rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
                targets = {
                    r.get("Id"): r.get("Target") for r in rels.iter(f"{_PKG_REL}Relationship")
                }
            except KeyError:
                targets = {}
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        return None
    except Exception:  # noqa: BLE001 - defusedxml refusals, broken XML: the engines word them
        return None
    sheets = []
    for s in book.iter(f"{_MAIN}sheet"):
        target = targets.get(s.get(f"{_REL}id"))
        part = None
        if target:
            part = (
                target.lstrip("/")
                if target.startswith("/")
                else posixpath.normpath(posixpath.join("xl", target))
            )
        state = (s.get("state") or "visible").lower()
        sheets.append(Sheet(name=s.get("name") or "", hidden=state != "visible", part=part))
    return sheets


def sheet_extent(path: Path, part: str, where: str) -> Extent | None:
    """The sheet's reach; a block to read when the cells reach far beyond the table.

    Raises :class:`InputError` when the cells are spread so thin that no block holds
    the table (``where`` names the file and sheet).
    """
    try:
        with zipfile.ZipFile(path) as zf:
            if part not in zf.namelist():
                return None
            max_row, max_col, cells = _reach(zf, part)
            if max_row * max_col <= max(SMALL_GRID, SPARSE_RATIO * cells):
                return Extent(max_row, max_col, cells)
            refs = _all_refs(zf, part)
    except (zipfile.BadZipFile, OSError):
        return None
    return _block(refs, max_row, max_col, where)


# --- the fast pass: farthest row and column -------------------------------------------

_ROW_REF = re.compile(rb' r="[A-Z]{0,3}(\d+)"')
_CELL_REF = re.compile(rb' r="([A-Z]{1,3})(\d+)"')


def _col_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def col_letters(n: int) -> str:
    out = ""
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def _greater(text: str, alphabet: str, most: int) -> str:
    """A regex for strings over ``alphabet`` that sort after ``text`` as numbers do: longer
    (up to ``most`` characters), or as long and greater at the first difference."""
    first, last = alphabet[0], alphabet[-1]
    alts = [f"[{first}-{last}]{{{len(text) + 1},{most}}}"] if len(text) < most else []
    for i, ch in enumerate(text):
        if ch == last:
            continue
        nxt = chr(ord(ch) + 1)
        rest = len(text) - i - 1
        alts.append(
            re.escape(text[:i])
            + f"[{nxt}-{last}]"
            + (f"[{first}-{last}]{{{rest}}}" if rest else "")
        )
    return "(?:" + "|".join(alts) + ")" if alts else "(?!)"


def _chunks(zf: zipfile.ZipFile, part: str):
    """The sheet's XML in chunks cut before a tag opens, so no reference is split."""
    tail = b""
    with zf.open(part) as fh:
        while True:
            block = fh.read(_CHUNK)
            data = tail + block
            cut = data.rfind(b"<") if block else len(data)
            cut = cut if cut > 0 else len(data)
            chunk, tail = data[:cut], data[cut:]
            yield chunk
            if not block:
                return


def _reach(zf: zipfile.ZipFile, part: str) -> tuple[int, int, int]:
    """Farthest row, farthest column and the number of cells, in one pass over the bytes.

    Rows and columns are found by searching only for a reference beyond the farthest seen
    so far (the pattern is rebuilt when one is found), so an ordinary sheet costs a few
    searches per chunk, not one match per cell.
    """
    max_row, max_col, cells = 0, 0, 0
    col_pat = _col_pattern(0)
    row_pat = _row_pattern(0)
    for chunk in _chunks(zf, part):
        cells += chunk.count(b'c r="')
        last = chunk.rfind(b' r="')
        m = _ROW_REF.match(chunk, last) if last >= 0 else None
        if m and int(m.group(1)) > max_row:
            max_row = int(m.group(1))
            row_pat = _row_pattern(max_row)
        pos = 0
        while m := row_pat.search(chunk, pos):
            max_row = int(m.group(1))
            row_pat = _row_pattern(max_row)
            pos = m.end()
        pos = 0
        while m := col_pat.search(chunk, pos):
            max_col = _col_number(m.group(1).decode())
            col_pat = _col_pattern(max_col)
            pos = m.end()
    return max_row, max_col, cells


def _row_pattern(max_row: int) -> re.Pattern:
    # row elements only: one candidate per row, not one per cell
    return re.compile(rb'row r="(' + _greater(str(max_row), "0123456789", 7).encode() + rb')"')


def _col_pattern(max_col: int) -> re.Pattern:
    letters = col_letters(max_col) if max_col else ""
    return re.compile(
        rb' r="(' + _greater(letters, "ABCDEFGHIJKLMNOPQRSTUVWXYZ", 3).encode() + rb")\d"
    )


# --- the slow pass, only for a suspicious sheet: every reference ----------------------


def _all_refs(zf: zipfile.ZipFile, part: str) -> list[tuple[int, int]]:
    return [
        (int(r), _col_number(c.decode()))
        for chunk in _chunks(zf, part)
        for c, r in _CELL_REF.findall(chunk)
    ]


def _edge(values: list[int], slack: int) -> int:
    """The last value before the first gap wider than ``max(slack, value so far)``."""
    edge = 0
    for v in sorted(set(values)):
        if edge and v - edge > max(slack, edge):
            break
        edge = v
    return edge


def _block(refs: list[tuple[int, int]], max_row: int, max_col: int, where: str) -> Extent:
    cells = len(refs)
    rows = _edge([r for r, _ in refs], 1000)
    cols = _edge([c for r, c in refs if r <= rows], 50)
    inside = sum(1 for r, c in refs if r <= rows and c <= cols)
    far = sorted(((r, c) for r, c in refs if r > rows or c > cols), reverse=True)
    if not inside or len(far) > inside or rows * cols > max(SMALL_GRID, SPARSE_RATIO * inside):
        farthest = f"{col_letters(max_col)}{max_row}"
        raise InputError(
            f"{where}: its {cells:,} cells are spread over A1:{farthest}, too thin to read as "
            f"one table (the grid would hold {max_row * max_col:,} cells). Delete the cells "
            f"outside the table in Excel (the farthest is {farthest}) or export the table as CSV."
        )
    return Extent(
        max_row,
        max_col,
        cells,
        read_rows=rows,
        read_cols=cols,
        outside=[f"{col_letters(c)}{r}" for r, c in far[:5]],
        outside_n=len(far),
    )
