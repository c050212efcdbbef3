"""Dates written as text or stored in workbooks: their format, and parsing them to
``datetime64[ns]`` at midnight (numpy and pyarrow fast paths, strict where they do not fit)."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from .numeric import arrow_strings, parse_numbers

_DATE_FORMATS = (
    "%Y-%m-%d",
    "%d.%m.%Y",
    "%d/%m/%Y",
    "%m/%d/%Y",
    "%d-%m-%Y",
    "%Y/%m/%d",
    "%Y.%m.%d",
    "%d.%m.%y",
    "%d/%m/%y",
    "%m/%d/%y",
    "%Y%m%d",
)


def _date_part(s: pd.Series) -> pd.Series:
    """The date part of date-time text ("01.02.2024 0:00:00" -> "01.02.2024")."""
    import pyarrow.compute as pc

    if not len(s):
        return s
    t = pc.replace_substring_regex(pc.utf8_trim_whitespace(arrow_strings(s)), r"[\sT].*$", "")
    return pd.Series(
        pd.arrays.ArrowStringArray(t) if hasattr(pd.arrays, "ArrowStringArray") else t.to_pylist(),
        index=s.index,
        dtype="str",
    )


def detect_date_format(values: pd.Series, dayfirst: bool = True) -> dict[str, Any]:
    """The date format of dates written as text, or ``"excel"`` for serial numbers.

    Tries ISO, day-first and month-first patterns on a sample and keeps the one that
    reads the most values; a tie between day-first and month-first goes to ``dayfirst``.
    """
    if not len(values):
        return {"date_format": None, "why": "no dates written as text"}
    part = _date_part(values).dropna()
    if part.str.fullmatch(r"\d{5}(?:\.\d+)?").mean() > 0.8:
        return {"date_format": "excel", "why": "Excel serial numbers like " + f'"{part.iloc[0]}"'}
    scores = {}
    for fmt in _DATE_FORMATS:
        parsed = pd.to_datetime(part, format=fmt, errors="coerce")
        scores[fmt] = int(parsed.notna().sum())
    best = max(scores.values())
    if best == 0:
        return {"date_format": None, "why": "no known date format fits"}
    tied = [f for f, n in scores.items() if n == best]
    fmt = tied[0]
    why = f'dates like "{part.iloc[0]}"'
    pairs = {("%d/%m/%Y", "%m/%d/%Y"), ("%d/%m/%y", "%m/%d/%y")}
    for a, b in pairs:
        if a in tied and b in tied:
            fmt = a if dayfirst else b
            why += " (day and month both 12 or less: ambiguous, read as " + (
                "day-first)" if dayfirst else "month-first)"
            )
    return {"date_format": fmt, "why": why}


def parse_dates(s: pd.Series, date_format: str | None = None, dayfirst: bool = True) -> pd.Series:
    """Dates -> ``datetime64[ns]`` at midnight (NaT where empty or not a date).

    Text is read with ``date_format`` (or ``"excel"`` for serial numbers); the time of day,
    if any, is dropped. Workbook cells holding dates or serial numbers are read as such.
    Fast path: pyarrow's strptime, checked by formatting back; values that do not
    round-trip (no zero padding, impossible dates) are read strictly by pandas.
    """
    if s.dtype == object:
        is_dt = s.map(lambda v: hasattr(v, "year"))
        is_num = s.map(lambda v: isinstance(v, (int, float)) and not isinstance(v, bool))
        out = pd.to_datetime(s.where(is_dt), errors="coerce")
        serial = pd.to_numeric(s.where(is_num), errors="coerce")
        out = out.fillna(_from_serial(serial))
        text = s.where(s.map(lambda v: isinstance(v, str))).astype("str")
        if text.notna().any():
            fmt = (
                date_format
                or detect_date_format(text.dropna().str.strip(), dayfirst)["date_format"]
            )
            out = out.fillna(parse_dates(text, fmt, dayfirst))
        return _ns(out)
    if pd.api.types.is_datetime64_any_dtype(s):
        return _ns(s)
    if pd.api.types.is_numeric_dtype(s):
        return _ns(_from_serial(s))
    if date_format == "excel":
        return _ns(_from_serial(parse_numbers(s)))
    if not len(s):
        return pd.Series([], index=s.index, dtype="datetime64[ns]")
    has_time = bool(date_format) and any(x in date_format for x in ("%H", "%M", "%S", "%I"))
    if not date_format:
        part = _date_part(s)
        return _ns(pd.to_datetime(part, errors="coerce", dayfirst=dayfirst, format="mixed"))
    return _ns(_strptime(s, date_format, has_time))


_FIELD_RE = {
    "%d": r"(?P<d>\d{1,2})",
    "%m": r"(?P<m>\d{1,2})",
    "%Y": r"(?P<Y>\d{4})",
    "%y": r"(?P<y>\d{2})",
}


def _numeric_date_regex(fmt: str) -> str | None:
    """A regex with named groups for formats made of %d %m %Y %y and literal separators."""
    parts = re.split(r"(%.)", fmt)
    out = []
    for p in parts:
        if p.startswith("%"):
            if p not in _FIELD_RE:
                return None
            out.append(_FIELD_RE[p])
        else:
            out.append(re.escape(p))
    pattern = "".join(out)
    if (
        "(?P<d>" not in pattern
        or "(?P<m>" not in pattern
        or not ("(?P<Y>" in pattern or "(?P<y>" in pattern)
    ):
        return None
    return r"^\s*" + pattern + r"(?:[T\s].*)?$"


def _fixed_width_dates(t, fmt: str) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Zero-padded dates read straight from the string bytes (numpy, no regex).

    Returns ``(fast, values)``: ``fast`` marks the rows read this way (ASCII digits and the
    format's separators at their places, optionally followed by a time); the others are
    left to the slower strict parser. ``(None, None)`` when the format is not fixed-width.
    """
    import pyarrow as pa

    layout: list[tuple[str, int, int]] = []  # (field or literal, start, length)
    pos = 0
    for p in re.split(r"(%.)", fmt):
        if not p:
            continue
        width = {"%d": 2, "%m": 2, "%Y": 4, "%y": 2}.get(p)
        if p.startswith("%") and width is None:
            return None, None
        if width is None:
            if not p.isascii():
                return None, None
            layout.append((p, pos, len(p)))
            pos += len(p)
        else:
            layout.append((p, pos, width))
            pos += width
    total = pos
    if isinstance(t, pa.ChunkedArray):
        t = t.combine_chunks()
    n = len(t)
    if n == 0:
        return np.zeros(0, dtype=bool), np.zeros(0, dtype="datetime64[ns]")
    bufs = t.buffers()
    offsets = np.frombuffer(bufs[1], dtype=np.int64, count=n + 1, offset=t.offset * 8)
    data = np.frombuffer(bufs[2], dtype=np.uint8) if bufs[2] is not None else np.zeros(0, np.uint8)
    start = offsets[:-1]
    length = offsets[1:] - start
    valid = ~np.asarray(t.is_null().to_numpy(zero_copy_only=False), dtype=bool)
    fast = valid & (length >= total)
    longer = fast & (length > total)
    if longer.any():
        nxt = np.zeros(n, dtype=np.uint8)
        nxt[longer] = data[start[longer] + total]
        fast &= ~longer | (nxt == ord(" ")) | (nxt == ord("T"))
    idx = np.flatnonzero(fast)
    st = start[idx]
    ok = np.ones(len(idx), dtype=bool)
    fields: dict[str, np.ndarray] = {}
    for part, p0, w in layout:
        if part.startswith("%"):
            val = np.zeros(len(idx), dtype=np.int64)
            for k in range(w):
                c = data[st + p0 + k].astype(np.int64) - 48
                ok &= (c >= 0) & (c <= 9)
                val = val * 10 + c
            fields[part] = val
        else:
            for k, ch in enumerate(part.encode()):
                ok &= data[st + p0 + k] == ch
    fast[idx[~ok]] = False
    keep = ok
    d = fields["%d"][keep]
    m = fields["%m"][keep]
    if "%Y" in fields:
        y = fields["%Y"][keep]
    else:
        yy = fields["%y"][keep]
        y = np.where(yy < 69, 2000 + yy, 1900 + yy)
    good = (m >= 1) & (m <= 12) & (d >= 1) & (y >= 1678) & (y <= 2261)
    k = np.where(good, (y - 1970) * 12 + (m - 1), 0)
    k0 = int(k.min()) if len(k) else 0
    # calendar of the months present: first day (days since epoch) and length
    span = (
        np.arange(k0, (int(k.max()) if len(k) else 0) + 2)
        .astype("datetime64[M]")
        .astype("datetime64[D]")
    )
    first = span.astype(np.int64)
    days_in = np.diff(first)
    j = k - k0
    good &= d <= days_in[j]
    day_n = first[:-1][j] + d - 1
    ns = np.where(good, day_n * 86_400_000_000_000, np.iinfo(np.int64).min)
    out = np.full(n, np.iinfo(np.int64).min, dtype=np.int64)
    out[idx[keep]] = ns
    return fast, out.view("datetime64[ns]")


def _strptime(s: pd.Series, fmt: str, has_time: bool, fast_path: bool = True) -> pd.Series:
    """Strict, vectorised date parsing.

    Day-month-year formats: zero-padded values are read straight from the string bytes
    (numpy), the rest split with one regex (pyarrow); both assembled in numpy with
    impossible dates (31.02.) left empty. Other formats go through pandas.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    t = arrow_strings(s)
    pattern = None if has_time else _numeric_date_regex(fmt)
    if pattern is None:
        return pd.to_datetime(s.str.strip(), format=fmt, errors="coerce")
    fast, values = _fixed_width_dates(t, fmt) if fast_path else (None, None)
    if fast is not None and fast.all():
        return pd.Series(values, index=s.index)
    if fast is not None:
        rest = _strptime(s[~fast], fmt, has_time, fast_path=False) if (~fast).any() else None
        out = pd.Series(values, index=s.index)
        if rest is not None:
            out[~fast] = rest.to_numpy()
        return out
    parts = pc.extract_regex(t, pattern)
    names = [parts.type.field(i).name for i in range(parts.type.num_fields)]

    def field(name: str) -> np.ndarray:
        col = pc.struct_field(parts, [names.index(name)])
        return pc.cast(col, pa.int32()).to_numpy(zero_copy_only=False)

    valid = pc.is_valid(parts).to_numpy(zero_copy_only=False)
    n = len(t)
    if not valid.any():
        return pd.Series(np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]"), index=s.index)
    sub = pc.filter(parts, pa.array(valid))
    parts = sub
    d = field("d").astype(np.int64)
    m = field("m").astype(np.int64)
    if "Y" in names:
        y = field("Y").astype(np.int64)
    else:
        yy = field("y").astype(np.int64)
        y = np.where(yy < 69, 2000 + yy, 1900 + yy)  # as strptime's %y
    ok = (m >= 1) & (m <= 12) & (d >= 1) & (y >= 1678) & (y <= 2261)
    mc = np.clip(m, 1, 12)
    month0 = ((y - 1970) * 12 + (mc - 1)).astype("datetime64[M]")
    days_in = (month0 + 1).astype("datetime64[D]") - month0.astype("datetime64[D]")
    ok &= d <= days_in.astype(np.int64)
    dates = month0.astype("datetime64[D]") + (np.clip(d, 1, 31) - 1)
    dates = np.where(ok, dates, np.datetime64("NaT"))
    out = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    out[valid] = dates.astype("datetime64[ns]")
    return pd.Series(out, index=s.index)


def _from_serial(x: pd.Series) -> pd.Series:
    x = x.where((x > 0) & (x < 2958466))
    return pd.to_datetime(x, unit="D", origin="1899-12-30", errors="coerce")


def _ns(s: pd.Series) -> pd.Series:
    s = pd.to_datetime(s, errors="coerce")
    if getattr(s.dt, "tz", None) is not None:
        s = s.dt.tz_localize(None)
    return s.dt.normalize().astype("datetime64[ns]")
