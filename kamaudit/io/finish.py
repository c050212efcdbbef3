"""What every export goes through after reading: empty columns and rows dropped, total rows
under the table dropped (and noted), headers mapped to canonical names, and the number and
date formats of the value columns detected."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError
from .dates import detect_date_format
from .headers import NUMERIC_KINDS, SCHEMA, map_headers
from .numeric import detect_number_format
from .raw import RawTable, is_blank, note, opt

_TOTAL_RE = re.compile(
    r"^\s*(?:grand\s+|sub\s*)?(?:totals?|sum|sums|итого|итог|всего|celkem|celkom|součet|"
    r"spolu|razem|suma|ogółem|ogolem|summe|gesamt|insgesamt|gesamtsumme|totaal|totale|totalt|"
    r"جمع|مجموع|جمع\s+کل)(?:\W|$)",
    re.IGNORECASE,
)


def _blank_mask(df: pd.DataFrame) -> np.ndarray:
    """True where a cell is empty (NA or only whitespace)."""
    out = np.ones(df.shape, dtype=bool)
    for j, col in enumerate(df.columns):
        s = df[col]
        if s.dtype == object:
            out[:, j] = s.map(is_blank).to_numpy(dtype=bool)
        else:
            out[:, j] = (s.isna() | (s.str.strip() == "")).to_numpy(dtype=bool)
    return out


def finish_table(raw: RawTable, spec: Any) -> RawTable:
    df = raw.df
    headers = list(raw.headers)
    # empty columns without a header: trailing delimiters, spacer columns
    if raw.blank is not None and raw.blank.shape == df.shape:
        blank = raw.blank
    else:
        blank = _blank_mask(df) if len(df.columns) else np.ones((len(df), 0), dtype=bool)
    raw.blank = None
    keep_cols = [j for j, h in enumerate(headers) if h or not blank[:, j].all()]
    if len(keep_cols) < len(headers):
        df = df.iloc[:, keep_cols]
        blank = blank[:, keep_cols]
        headers = [headers[j] for j in keep_cols]
    if not headers:
        raise InputError(f"{raw.file_name}{_where(raw)} holds no table: the header row is empty.")
    # empty rows anywhere
    empty_rows = blank.all(axis=1) if blank.shape[1] else np.ones(len(df), dtype=bool)
    keep = ~empty_rows
    # total rows at the bottom of the table
    filled = (~blank).sum(axis=1)
    idx_nonempty = np.flatnonzero(keep)
    totals: list[int] = []
    if len(idx_nonempty):
        typical = float(np.median(filled[keep]))
        for i in idx_nonempty[::-1][:5]:
            first_cells = [df.iat[i, j] for j in range(df.shape[1]) if not blank[i, j]][:3]
            is_total = any(isinstance(c, str) and _TOTAL_RE.match(c) for c in first_cells)
            if not (is_total and filled[i] < typical):
                break
            totals.append(int(i))
    for i in totals:
        keep[i] = False
        shown = next((str(df.iat[i, j]) for j in range(df.shape[1]) if not blank[i, j]), "")
        raw.notes.append(
            note(
                raw,
                row=int(raw.rows[i]),
                value=shown,
                problem="a total row under the table",
                action="dropped (not a data row)",
                severity="info",
                key="total_row",
            )
        )
    raw.options["total_rows"] = opt(len(totals), "detected")
    if (~keep).any():
        df = df.loc[keep]
        raw.rows = raw.rows[keep]
    df = df.reset_index(drop=True)

    # unnamed columns with data
    for j, h in enumerate(headers):
        if not h:
            headers[j] = f"column {_excel_col(j)}"
    # header mapping
    mapping, problems = map_headers(raw.table, headers, spec.columns)
    raw.notes.extend(note(raw, **p) for p in problems)
    new_names = []
    seen: set[str] = set()
    column_map: dict[str, str] = {}
    for h in headers:
        canon = mapping.get(h)
        if canon and canon not in seen:
            new_names.append(canon)
            seen.add(canon)
            column_map[canon] = h
        else:
            n = h
            while n in seen:
                n = n + "_"
            new_names.append(n)
            seen.add(n)
    df.columns = new_names
    raw.df = df
    raw.headers = headers
    raw.column_map = column_map
    _detect_value_formats(raw, spec)
    return raw


def _where(raw: RawTable) -> str:
    return f', sheet "{raw.sheet}"' if raw.sheet else ""


def _excel_col(j: int) -> str:
    s = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        s = chr(65 + r) + s
    return s


def _text_sample(s: pd.Series, n: int = 4000) -> pd.Series:
    """Distinct non-empty text values from an even sample of the column."""
    if s.dtype == object:
        s = s[s.map(lambda v: isinstance(v, str))]
        s = s.astype("str")
    s = s.dropna()
    if len(s) > n:
        step = len(s) // n + 1
        s = pd.concat([s.iloc[::step], s.iloc[-50:]])
    s = s.str.strip()
    return s[s != ""].drop_duplicates()


def _detect_value_formats(raw: RawTable, spec: Any) -> None:
    schema = SCHEMA.get(raw.table, {})
    num_cols = [c for c, (k, _) in schema.items() if k in NUMERIC_KINDS and c in raw.df.columns]
    date_cols = [c for c, (k, _) in schema.items() if k == "date" and c in raw.df.columns]
    delim = raw.option("delimiter")
    if spec.decimal or spec.thousands is not None:
        found = detect_number_format(_concat_samples(raw.df, num_cols), delim)
    else:
        found = None
    if spec.decimal:
        raw.options["decimal"] = opt(spec.decimal, "engagement file")
    if spec.thousands is not None:
        raw.options["thousands"] = opt(spec.thousands, "engagement file")
    if not spec.decimal or spec.thousands is None:
        found = found or detect_number_format(_concat_samples(raw.df, num_cols), delim)
        if not spec.decimal:
            raw.options["decimal"] = opt(found["decimal"], "detected", why=found["why"])
        if spec.thousands is None:
            th = found["thousands"]
            if spec.decimal and th == spec.decimal:
                th = ""
            raw.options["thousands"] = opt(th, "detected")
    if spec.date_format:
        raw.options["date_format"] = opt(spec.date_format, "engagement file")
    else:
        found_d = detect_date_format(_concat_samples(raw.df, date_cols))
        raw.options["date_format"] = opt(found_d["date_format"], "detected", why=found_d["why"])


def _concat_samples(df: pd.DataFrame, cols: list[str]) -> pd.Series:
    parts = [_text_sample(df[c]) for c in cols]
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.Series([], dtype="str")
    return pd.concat(parts, ignore_index=True).astype("str")


# ------------------------------------------------------------------ value parsing
