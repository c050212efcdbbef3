"""Typing client values: ids, numbers, dates and text checked against the data contract,
value ranges, and coded values normalised once (``kamaudit.contract`` vocabularies)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from .. import contract
from ..io import SCHEMA, RawTable, detect_date_format, parse_dates, parse_numbers
from .issues import _add_kept_rows, _col_label, _Issues, _show
from .settings import IntakeSettings

_FLOAT_ID = r"^-?\d+\.0+$"


# value ranges checked after types, (min, max) with None open; and duplicate keys per
# table, (key columns, what happens to the later rows): views of ``kamaudit.contract``
RANGES: dict[str, dict[str, tuple[float | None, float | None]]] = {
    t: r for t in contract.TABLES if (r := contract.ranges(t))
}


KEYS: dict[str, tuple[list[str], str]] = {
    t.name: (list(t.key), t.duplicates) for t in contract.INPUTS.values() if t.duplicates
}


def _blank(s: pd.Series) -> np.ndarray:
    if s.dtype == object:
        return s.map(
            lambda v: (
                v is None
                or (isinstance(v, float) and math.isnan(v))
                or (isinstance(v, str) and not v.strip())
            )
        ).to_numpy(dtype=bool)
    if pd.api.types.is_string_dtype(s):
        return (s.isna() | (s.str.strip() == "")).to_numpy(dtype=bool)
    return s.isna().to_numpy(dtype=bool)


def _cell_text(v: Any) -> Any:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, bool):
        return str(v).upper()
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else repr(v)
    if hasattr(v, "strftime"):
        return (
            v.strftime("%Y-%m-%d")
            if not getattr(v, "hour", 0) and not getattr(v, "minute", 0)
            else v.isoformat(sep=" ")
        )
    s = str(v).strip()
    return s or None


def to_text(s: pd.Series) -> pd.Series:
    """Text cells -> ``str`` (stripped, empty -> NA). Numbers from a workbook keep no ``.0``."""
    if s.dtype == object:
        return s.map(_cell_text).astype("str")
    if not pd.api.types.is_string_dtype(s):
        s = s.astype("str")
    t = s.str.strip()
    return t.where(t != "")


def _number_hint(raw: RawTable, bad: pd.Series) -> str:
    table = raw.table
    dec = raw.option("decimal", ".")
    other = "," if dec == "." else "."
    alt = parse_numbers(bad.astype("str"), other, "")
    if len(bad) and alt.notna().mean() > 0.5:
        name = "a decimal comma" if other == "," else "a decimal point"
        return (
            f' The file seems to use {name}: set  inputs.{table}.decimal: "{other}"  '
            "in engagement.yaml."
        )
    th = raw.option("thousands", "")
    return (
        f' Expected a number written with decimal "{dec}"'
        + (f' and thousands "{th}"' if th else "")
        + f" (see inputs.{table}.decimal and thousands)."
    )


def _date_hint(raw: RawTable, bad: pd.Series) -> str:
    fmt = raw.option("date_format")
    found = detect_date_format(bad.astype("str"))
    if found["date_format"] and found["date_format"] != fmt:
        return (
            f"  The dates look like {found['date_format']}: set  inputs.{raw.table}.date_format: "
            f'"{found["date_format"]}"  in engagement.yaml.'
        )
    return f" Expected a date in the format {fmt or 'YYYY-MM-DD'} (see inputs.{raw.table}.date_format)."


def _coerce(
    raw: RawTable, settings: IntakeSettings, issues: _Issues, stats: dict
) -> tuple[pd.DataFrame, np.ndarray]:
    """Canonical columns with contract types, and the mask of rows to keep."""
    schema = SCHEMA[raw.table]
    df = raw.df
    n = len(df)
    keep = np.ones(n, dtype=bool)
    out: dict[str, pd.Series] = {}
    type_errors = 0
    for col, (kind, required) in schema.items():
        if col not in df.columns:
            continue
        s = df[col]
        blank = _blank(s)
        if kind in ("id", "text"):
            v = to_text(s).reset_index(drop=True)
            if kind == "id":
                v = _check_ids(raw, col, s.reset_index(drop=True), v, issues)
            if kind == "text":
                long = v.str.len().fillna(0).to_numpy() > 32767
                issues.add_rows(
                    raw,
                    long,
                    col,
                    v.str.slice(0, 40),
                    "is longer than an Excel cell holds (32,767 characters)",
                    "kept; the workbook shows it cut",
                    "warning",
                    key="too_long",
                )
            bad = np.zeros(n, dtype=bool)
        elif kind in ("money", "float"):
            v = parse_numbers(
                s.reset_index(drop=True), raw.option("decimal", "."), raw.option("thousands", "")
            )
            bad = ~blank & v.isna().to_numpy()
        else:
            v = parse_dates(s.reset_index(drop=True), raw.option("date_format"), settings.dayfirst)
            bad = ~blank & v.isna().to_numpy()
            if bad.any() and (~bad & ~blank).any():
                v, bad = _second_date_format(raw, col, s.reset_index(drop=True), v, bad, issues)
        out[col] = v
        nbad = int(bad.sum())
        if nbad:
            type_errors += nbad
            filled = int((~blank).sum())
            fatal = nbad / max(filled, 1) > settings.max_invalid_share
            bad_vals = s.reset_index(drop=True)[bad]
            if kind == "date":
                what, wkey = "is not a date", "not_date"
                hint = _date_hint(raw, to_text(bad_vals).dropna())
            else:
                what, wkey = "is not a number", "not_number"
                hint = _number_hint(raw, to_text(bad_vals).dropna())
            action = "row dropped" if required else "value cleared"
            sev = "fatal" if fatal else "error"
            if fatal:  # the fix once, on the first row; the other rows listed plainly
                first = np.zeros(n, dtype=bool)
                first[np.flatnonzero(bad)[0]] = True
                issues.add_rows(
                    raw,
                    first,
                    col,
                    s.reset_index(drop=True),
                    what + "." + hint,
                    action,
                    sev,
                    key=wkey,
                )
                issues.add_rows(
                    raw,
                    bad & ~first,
                    col,
                    s.reset_index(drop=True),
                    what + ".",
                    action,
                    sev,
                    key=wkey,
                )
            else:
                issues.add_rows(
                    raw, bad, col, s.reset_index(drop=True), what + ".", action, sev, key=wkey
                )
            if required:
                keep &= ~bad
        if required and col != "net_amount":
            miss = blank
            if raw.table == "invoices" and col == "customer_id":
                # lines without a customer (cash sales, web shop guests): one issue with
                # the count and the amount, written once net_amount is known (run_intake)
                nmiss = int((miss & keep).sum())
                stats["no_customer_mask"] = miss & keep
            else:
                nmiss = issues.add_rows(
                    raw,
                    miss & keep,
                    col,
                    None,
                    "is empty but required",
                    "row dropped",
                    "error",
                    key="empty_required",
                )
            stats["missing_required_n"] = stats.get("missing_required_n", 0) + nmiss
            keep &= ~miss
    stats["type_errors_n"] = type_errors
    frame = pd.DataFrame(out)
    return frame, keep


def _check_ids(raw: RawTable, col: str, s: pd.Series, v: pd.Series, issues: _Issues) -> pd.Series:
    """Ids stored as numbers: integers as text ("17850", never "17850.0"), and a warning
    when numbers and text ids with leading zeros are mixed (Excel drops leading zeros
    from numbers: "0042" typed as a number becomes 42). Nothing is guessed: the ids are
    kept as read and the consultant asks the client."""
    filled = v.notna().to_numpy(dtype=bool)
    if not filled.any():
        return v
    if s.dtype == object:
        is_num = (
            s.map(
                lambda x: isinstance(x, (int, float, np.number)) and not isinstance(x, bool)
            ).to_numpy(dtype=bool)
            & filled
        )
        if not is_num.any():
            return _float_text_ids(raw, col, v, filled, issues)
        is_text = s.map(lambda x: isinstance(x, str)).to_numpy(dtype=bool) & filled
        lead0 = is_text & v.str.match(r"^0\d+$").fillna(False).to_numpy(dtype=bool)
        if lead0.any():
            nums = v[is_num]
            zeros = v[lead0]
            texts = set(zeros)
            clash = pd.Series(False, index=nums.index)
            for w in sorted(set(zeros.str.len())):
                clash |= nums.str.zfill(w).isin(texts)
            n_num, n_lz, n_clash = int(is_num.sum()), int(lead0.sum()), int(clash.sum())
            num_ex, lz_ex = str(nums.iloc[0]), str(zeros.iloc[0])
            problem = (
                f"mixes ids stored as numbers ({n_num:,} cells, e.g. {num_ex}) with ids written as "
                f'text with leading zeros ({n_lz:,} cells, e.g. "{lz_ex}"): ids may have lost '
                "leading zeros in Excel"
            )
            if n_clash:
                problem += f"; {n_clash:,} of the numbers equal a text id once zero-padded"
            issues.add(
                table=raw.table,
                file=raw.file_name,
                sheet=raw.sheet or "",
                row=int(raw.rows[np.flatnonzero(is_num)[0]]),
                column=_col_label(raw, col),
                value=num_ex,
                problem=problem,
                action="kept as read (numbers as whole numbers, no leading zeros added); "
                "check with the client",
                severity="warning",
                key="ids_leading_zeros_clash" if n_clash else "ids_leading_zeros",
                params={
                    "numbers_n": n_num,
                    "number": num_ex,
                    "zeros_n": n_lz,
                    "zero_id": lz_ex,
                    "clash_n": n_clash,
                },
            )
        return v
    return _float_text_ids(raw, col, v, filled, issues)


def _float_text_ids(
    raw: RawTable, col: str, v: pd.Series, filled: np.ndarray, issues: _Issues
) -> pd.Series:
    """A CSV (or text cells) written from a float column: every id like "17850.0"."""
    f = v[filled]
    if len(f) and f.str.fullmatch(_FLOAT_ID).all():
        out = v.str.replace(r"\.0+$", "", regex=True)
        issues.add(
            table=raw.table,
            file=raw.file_name,
            sheet=raw.sheet or "",
            row=None,
            column=_col_label(raw, col),
            value=str(f.iloc[0]),
            problem=f'holds ids written as decimals (like "{f.iloc[0]}"): read as whole numbers',
            action=f'corrected: "{f.iloc[0]}" read as "{out[filled].iloc[0]}"',
            severity="info",
            key="ids_float_text",
            params={"example": str(f.iloc[0]), "fixed": str(out[filled].iloc[0])},
        )
        return out
    return v


def _second_date_format(
    raw: RawTable, col: str, s: pd.Series, v: pd.Series, bad: np.ndarray, issues: _Issues
) -> tuple[pd.Series, np.ndarray]:
    """Dates the column's format cannot read, read with a second format when one reads
    them all unambiguously (exports merged from two systems); each such row reported."""
    text = to_text(s[bad]).dropna()
    if not len(text) or len(text) < int(bad.sum()):
        return v, bad
    found = detect_date_format(text)
    fmt = found["date_format"]
    if not fmt or fmt == raw.option("date_format") or "ambiguous" in found["why"]:
        return v, bad
    second = parse_dates(s[bad], fmt)
    if second.isna().any():
        return v, bad
    v = v.copy()
    v[bad] = second.to_numpy()
    issues.add_rows(
        raw,
        bad,
        col,
        s,
        f"is in a second date format ({fmt})",
        f"corrected: read as {fmt}",
        "warning",
    )
    return v, np.zeros(len(v), dtype=bool)


def _check_ranges(table: str, df: pd.DataFrame, raw: RawTable, issues: _Issues) -> pd.DataFrame:
    for col, (lo, hi) in RANGES.get(table, {}).items():
        if col not in df.columns:
            continue
        v = df[col]
        bad = np.zeros(len(v), dtype=bool)
        if lo is not None:
            bad |= (v < lo).to_numpy(dtype=bool)
        if hi is not None:
            bad |= (v > hi).to_numpy(dtype=bool)
        if bad.any():
            rng = (
                f"from {lo:g} to {hi:g}"
                if lo is not None and hi is not None
                else (f"at least {lo:g}" if lo is not None else f"at most {hi:g}")
            )
            issues.add_rows(
                raw, bad, col, v, f"is out of range (expected {rng})", "value cleared", "error"
            )
            df[col] = v.mask(bad)
    return df


def _contract(table: str, df: pd.DataFrame) -> pd.DataFrame:
    """Contract columns only, in contract order and dtypes (``kamaudit.contract``).

    Every optional contract column the client sent is carried; columns outside the
    contract are not (no personal data by accident). The customer master, read by every
    stage, has all its contract columns, empty where unknown.
    """
    spec = contract.table_spec(table)
    out = df[[c for c in spec.names if c in df.columns]]
    return contract.conform(table, out, all_columns=(table == "customers"))


def _normalise_codes(
    tables: dict[str, pd.DataFrame],
    raws: dict[str, RawTable],
    rows_of: dict[str, np.ndarray],
    issues: _Issues,
) -> None:
    """Coded columns (contact roles, channels, team roles, stages) to contract codes, once.

    A value written the client's way ("Decision-maker", "Buyer", "E-mail") is read as its
    code and listed once per spelling (info); a value the vocabulary does not know is
    counted as its fallback (``other``) or left empty, row by row (warning).
    """
    for table, df in tables.items():
        for col, vocab in contract.coded_columns(table).items():
            if col not in df.columns:
                continue
            given = df[col]
            codes = vocab.normalise_series(given)
            known = {v: vocab.recognises(v) for v in pd.unique(given.dropna())}
            unknown = given.map(known).eq(False).to_numpy(dtype=bool)
            fallback = vocab.fallback
            action = f"counted as {fallback}" if fallback else "value cleared"
            _add_kept_rows(
                issues,
                raws[table],
                rows_of[table],
                unknown,
                col,
                given,
                f"is not a known {vocab.name} ({', '.join(vocab.codes)})",
                action,
                "warning",
                key="unknown_code",
                params={"vocabulary": vocab.name, "codes": ", ".join(vocab.codes)},
            )
            respelled = given.notna() & ~unknown & (given != codes)
            for spelling, n in given[respelled].value_counts(sort=False).items():
                code = vocab.normalise(spelling)
                issues.add(
                    table=table,
                    file=raws[table].file_name,
                    sheet=raws[table].sheet or "",
                    row=None,
                    column=_col_label(raws[table], col),
                    value=_show(spelling),
                    problem=f'{n:,} rows: "{spelling}" read as {code}',
                    action="read as code",
                    severity="info",
                    key="code_spelling",
                    params={"n": int(n), "spelling": str(spelling), "code": code},
                )
            df[col] = codes
