"""Numbers written as text: their decimal and thousands separators, and parsing them to
float64 (vectorised with pyarrow string kernels)."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

NUMBERISH = re.compile(r"^[+\-(]?[\d\s\u00a0\u202f.,']*\d[\d\s\u00a0\u202f.,']*[)\-]?$")


def detect_number_format(values: pd.Series, delimiter: str | None = None) -> dict[str, Any]:
    """Decimal and thousands separators of numbers written as text.

    Returns ``{"decimal": "," | ".", "thousands": " " | "." | "," | "'" | "", "why": ...}``.
    """
    v = values[values.str.match(NUMBERISH.pattern)] if len(values) else values
    v = v.str.replace(r"[\s\u00a0\u202f\u2007]", " ", regex=True)
    if not len(v):
        dec = "," if delimiter == ";" else "."
        return {"decimal": dec, "thousands": "", "why": "no numbers written as text"}
    comma_dec = int(v.str.contains(r",\d{1,2}\)?-?$|,\d{4,}\)?-?$|\.\d{3},\d", regex=True).sum())
    point_dec = int(v.str.contains(r"\.\d{1,2}\)?-?$|\.\d{4,}\)?-?$|,\d{3}\.\d", regex=True).sum())
    if comma_dec > point_dec:
        dec, why = ",", "numbers like " + _first(v, r",\d{1,2}$|,\d{4,}$|\.\d{3},")
    elif point_dec > comma_dec:
        dec, why = ".", "numbers like " + _first(v, r"\.\d{1,2}$|\.\d{4,}$|,\d{3}\.")
    else:
        dec = "," if delimiter == ";" else "."
        why = "no decimals seen; assumed from the delimiter"
    seps = {" ": r"\d \d{3}(?!\d)", "'": r"\d'\d{3}(?!\d)"}
    seps["."] = r"\d\.\d{3}(?:[.,\s]|$)" if dec == "," else None
    seps[","] = r"\d,\d{3}(?:[.,\s]|$)" if dec == "." else None
    thousands, best = "", 0
    for sep, pat in seps.items():
        if pat is None:
            continue
        n = int(v.str.contains(pat, regex=True).sum())
        if n > best:
            thousands, best = sep, n
    if thousands == " " and values.str.contains("\u00a0", regex=False).any():
        thousands = "\u00a0"
    return {"decimal": dec, "thousands": thousands, "why": why}


def _first(v: pd.Series, pat: str) -> str:
    hit = v[v.str.contains(pat, regex=True)]
    return f'"{hit.iloc[0]}"' if len(hit) else ""


def arrow_strings(s: pd.Series):
    """The column as a pyarrow string array (zero-copy for pandas' ``str`` dtype)."""
    import pyarrow as pa

    arr = s.array
    if hasattr(arr, "_pa_array"):
        out = arr._pa_array
    else:
        out = pa.array(s.astype("str").array._pa_array if s.dtype != "str" else s.array)
    if isinstance(out, pa.ChunkedArray):
        out = out.combine_chunks() if out.num_chunks != 1 else out.chunk(0)
    if out.type != pa.large_string():
        out = out.cast(pa.large_string())
    return out


_NUMBER_OK = r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$"


def parse_numbers(s: pd.Series, decimal: str = ".", thousands: str = "") -> pd.Series:
    """Numbers written as text -> float64 (NaN where empty or not a number).

    Handles thousands separators (any kind of space always), a decimal comma,
    accounting negatives ``(1 200,00)``, SAP's trailing minus ``1200-`` and a leading ``+``.
    Cells that already hold numbers (from a workbook) are kept as they are. ``inf``,
    ``nan`` and numbers beyond float range (``1e309``) are not numbers an export holds:
    they come back NaN, so intake lists their rows. Vectorised with pyarrow string kernels.
    """
    out = _parse_numbers(s, decimal, thousands)
    return out.where(np.isfinite(out.to_numpy()))


def _parse_numbers(s: pd.Series, decimal: str, thousands: str) -> pd.Series:
    import pyarrow as pa
    import pyarrow.compute as pc

    if s.dtype == object:
        out = pd.to_numeric(
            s.where(s.map(lambda v: isinstance(v, (int, float)) and not isinstance(v, bool))),
            errors="coerce",
        ).astype("float64")
        text = s.where(s.map(lambda v: isinstance(v, str))).astype("str")
        rest = _parse_numbers(text, decimal, thousands)
        return out.fillna(rest)
    if pd.api.types.is_numeric_dtype(s):
        return s.astype("float64")
    if not len(s):
        return pd.Series([], index=s.index, dtype="float64")
    t = arrow_strings(s)
    if pc.any(pc.match_substring_regex(t, "[\u0660-\u066c\u06f0-\u06f9]")).as_py():
        # Persian and Arabic digits and separators
        for i in range(10):
            t = pc.replace_substring(t, chr(0x0660 + i), str(i))
            t = pc.replace_substring(t, chr(0x06F0 + i), str(i))
        t = pc.replace_substring(pc.replace_substring(t, "\u066c", ""), "\u066b", decimal)
    for blank in (" ", "\u00a0", "\u202f", "\u2007", "\t", "\r", "\n"):
        if pc.any(pc.match_substring(t, blank)).as_py():
            t = pc.replace_substring(t, blank, "")
    if (
        thousands
        and thousands not in (" ", "\u00a0", "\u202f")
        and pc.any(pc.match_substring(t, thousands)).as_py()
    ):
        t = pc.replace_substring(t, thousands, "")
    if decimal == ",":
        t = pc.replace_substring(t, ",", ".")
    neg = pc.or_(pc.ends_with(t, "-"), pc.starts_with(t, "("))
    if pc.any(neg).as_py():
        stripped = pc.utf8_trim(t, "()-")
        t = pc.if_else(
            neg,
            pc.binary_join_element_wise(
                pa.scalar("-", pa.large_string()), stripped, pa.scalar("", pa.large_string())
            ),
            t,
        )
    try:
        vals = pc.cast(t, pa.float64()).to_numpy(zero_copy_only=False)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        ok = pc.match_substring_regex(t, _NUMBER_OK)
        t = pc.if_else(ok, t, pa.scalar(None, pa.large_string()))
        vals = pc.cast(t, pa.float64()).to_numpy(zero_copy_only=False)
    return pd.Series(vals, index=s.index, dtype="float64")
