"""One export as read (:class:`RawTable`), and the small pieces every reader shares:
reading options marked by their source, notes for the intake issue list, header cells."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

BLANKS = "\u00a0\u202f\u2007"


@dataclass
class RawTable:
    """One export as read, before types are checked.

    Attributes
    ----------
    table
        Canonical table name (``invoices``...).
    df
        The rows under the header. Canonical column names where the header is mapped,
        the client's header otherwise. Values are text for CSV, cell values for XLSX.
    rows
        Row number of each row of ``df`` as the client sees it (1-based, counting title
        and header rows: the row number in Excel, the line number in a text editor).
    file, sheet
        Where it came from.
    options
        Reading options used: ``{"encoding": {"value": "cp1251", "source": "detected"}, ...}``.
    headers
        The header row as found in the file.
    column_map
        Canonical name -> the client's header it was mapped from.
    notes
        Issues found while reading (title rows, total rows, unnamed columns), as dicts with
        the keys of the intake issue list.
    """

    table: str
    df: pd.DataFrame
    rows: np.ndarray
    file: Path
    sheet: str | None = None
    options: dict[str, dict[str, Any]] = field(default_factory=dict)
    headers: list[str] = field(default_factory=list)
    column_map: dict[str, str] = field(default_factory=dict)
    notes: list[dict[str, Any]] = field(default_factory=list)
    blank: np.ndarray | None = field(default=None, repr=False)
    """Empty cells of ``df`` as read (workbooks), so they are not looked for twice."""

    @property
    def file_name(self) -> str:
        return self.file.name

    def option(self, name: str, default: Any = None) -> Any:
        entry = self.options.get(name)
        return default if entry is None else entry.get("value", default)

    def header_of(self, column: str) -> str:
        """The client's header for a canonical column (the name itself if unmapped)."""
        return self.column_map.get(column, column)


def opt(value: Any, source: str, **extra: Any) -> dict[str, Any]:
    return {"value": value, "source": source, **extra}


def note(
    raw: RawTable | None = None,
    *,
    file: str = "",
    sheet: Any = None,
    row: Any = None,
    column: str = "",
    value: str = "",
    problem: str,
    action: str,
    severity: str = "info",
    key: str = "",
    params: dict | None = None,
) -> dict:
    out = {
        "file": raw.file_name if raw is not None else file,
        "sheet": (raw.sheet if raw is not None else sheet) or "",
        "row": row,
        "column": column,
        "value": value,
        "problem": problem,
        "action": action,
        "severity": severity,
    }
    if key:  # the message catalog key (intake.problems.<key>) for the deliverables
        out["key"] = key
        out["params"] = params or {}
    return out


def title_rows_note(raw: RawTable, header_idx: int) -> dict:
    """The note that ``header_idx`` title rows above the header were skipped."""
    return note(
        raw,
        row=None,
        problem=f"{header_idx} title row(s) above the header (row {header_idx + 1})",
        action="skipped",
        severity="info",
        key="title_rows",
        params={"n": header_idx, "header_row": header_idx + 1},
    )


def clean_header(c: Any) -> str:
    if c is None or (isinstance(c, float) and c != c):
        return ""
    s = str(c)
    return s.replace("\ufeff", "").strip(" \t\r\n" + BLANKS)


def is_blank(c: Any) -> bool:
    return c is None or (isinstance(c, str) and c.strip(" \t\r\n" + BLANKS) == "")
