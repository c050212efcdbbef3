"""Stage 1, intake: raw client tables in, canonical tables and a quality report out.

The stage in three calls::

    raw = {t: read_input(t, spec) for t, spec in engagement.inputs.items()}   # readers.py
    result = run_intake(raw, engagement)        # pure: map, derive, coerce, validate, profile
    write_results(result, workspace)            # data/<table>.parquet, intake_* tables

``read_and_check(engagement)`` does the first two and is what ``kamaudit validate`` runs.

Every problem found becomes a row of ``result.issues`` (file, sheet, row as the client
sees it, column, value, problem, action, severity). Severities: ``fatal`` stops the run
(after listing every fatal problem in one :class:`~kamaudit.errors.ValidationFailed`),
``error`` dropped a row or cleared a value, ``warning`` kept something doubtful,
``info`` records what was detected or derived.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from . import contract
from .errors import InputError, ValidationFailed, did_you_mean
from .io import SCHEMA, RawTable, detect_date_format, parse_dates, parse_numbers, read_input

__all__ = [
    "ISSUE_COLUMNS",
    "IntakeResult",
    "IntakeSettings",
    "issue_sentence",
    "issue_summary",
    "read_and_check",
    "reading_options",
    "run_intake",
    "write_results",
]

ISSUE_COLUMNS = [
    "table",
    "file",
    "sheet",
    "row",
    "column",
    "value",
    "problem",
    "action",
    "severity",
    "problem_key",
    "params",
]
"""Issue list columns. ``problem`` is the English sentence (CLI, ``ValidationFailed``);
``problem_key`` and ``params`` (JSON) let the deliverables say it in the client's language
(``intake.problems.<key>`` in the message catalog); an empty key means English only."""
SEVERITIES = ["fatal", "error", "warning", "info"]

# value ranges checked after types, (min, max) with None open; and duplicate keys per
# table, (key columns, what happens to the later rows): views of ``kamaudit.contract``
RANGES: dict[str, dict[str, tuple[float | None, float | None]]] = {
    t: r for t in contract.TABLES if (r := contract.ranges(t))
}
KEYS: dict[str, tuple[list[str], str]] = {
    t.name: (list(t.key), t.duplicates) for t in contract.INPUTS.values() if t.duplicates
}


class IntakeSettings(BaseModel):
    """Intake settings of the engagement file (``intake:``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    drop_outside_period: bool = Field(
        True, description="drop invoice lines and activities dated outside the engagement period"
    )
    max_invalid_share: float = Field(
        0.05,
        ge=0,
        le=1,
        description="share of filled values in a column that may fail to read before the run stops "
        "(a larger share means a reading option is wrong, e.g. the decimal separator)",
    )
    dayfirst: bool = Field(
        True, description="read ambiguous dates such as 03/04/2024 day-first (3 April)"
    )
    duplicate_customers: Literal["keep_first", "fail"] = Field(
        "keep_first",
        description="a customer id listed twice in the customer master: keep the first row, or stop",
    )
    drop_duplicate_lines: bool = Field(
        False, description="drop invoice lines identical in every column to an earlier line"
    )
    outlier_rule: Literal["log_iqr", "iqr", "none"] = Field(
        "log_iqr",
        description="flag amounts, quantities and prices far above the typical line: log_iqr = above "
        "Q3 + k × IQR of log10 of absolute values (suits skewed money data), iqr = the same on the "
        "values themselves; flagged lines are kept",
    )
    outlier_k: float = Field(3.0, gt=0, description="k of the outlier rule")
    max_issues_per_problem: int = Field(
        1000, ge=10, description="rows listed per kind of problem and column; the rest are counted"
    )
    base_window_months: int = Field(
        12,
        ge=1,
        description="months at each end of the period compared to count new and lost customers",
    )


@dataclass
class IntakeResult:
    """What intake produced.

    Attributes
    ----------
    tables
        Canonical tables (``customers``, ``invoices``, ...) with the types of the data contract.
    issues
        Every problem: table, file, sheet, row, column, value, problem, action, severity.
    quality
        One row per table: rows read, kept and dropped, and the counts behind them.
    missing
        Missing values by table and column.
    coverage
        Invoice lines, invoices, customers and net amount by month of the period.
    base_monthly, base_lorenz, base_top
        Customer base: active/new customers and revenue by month; Lorenz curve points;
        the largest customers.
    summary
        JSON-native: reading options used (given or detected), derivations, base figures.
    """

    tables: dict[str, pd.DataFrame]
    issues: pd.DataFrame
    quality: pd.DataFrame
    missing: pd.DataFrame
    coverage: pd.DataFrame
    base_monthly: pd.DataFrame
    base_lorenz: pd.DataFrame
    base_top: pd.DataFrame
    summary: dict[str, Any] = field(default_factory=dict)

    @property
    def fatal(self) -> pd.DataFrame:
        return self.issues[self.issues["severity"] == "fatal"]

    @property
    def derivations(self) -> list[str]:
        return list(self.summary.get("derivations", []))


# ------------------------------------------------------------------ issues


class _Issues:
    """Collects issue rows as small frames (vectorised: no loop per data row)."""

    def __init__(self, cap: int):
        self.cap = cap
        self.parts: list[pd.DataFrame] = []

    def add(self, **kw: Any) -> None:
        row = {c: kw.get(c, "") for c in ISSUE_COLUMNS}
        row["row"] = kw.get("row")
        row["problem_key"] = kw.get("key") or kw.get("problem_key") or ""
        row["params"] = _params(kw.get("params"))
        self.parts.append(pd.DataFrame([row], columns=ISSUE_COLUMNS))

    def add_rows(
        self,
        raw: RawTable,
        mask: np.ndarray,
        column: str,
        values: pd.Series | None,
        problem: str,
        action: str,
        severity: str,
        more: str | None = None,
        key: str = "",
        params: dict | None = None,
    ) -> int:
        """One issue per row where ``mask``; the first ``cap`` listed, the rest counted.

        ``key`` and ``params`` name the problem in the message catalog
        (``intake.problems.<key>``); the English ``problem`` stays for the CLI.
        """
        idx = np.flatnonzero(mask)
        n = len(idx)
        if not n:
            return 0
        shown = idx[: self.cap]
        vals = (
            [""] * len(shown) if values is None else [_show(v) for v in values.iloc[shown].tolist()]
        )
        self.parts.append(
            pd.DataFrame(
                {
                    "table": raw.table,
                    "file": raw.file_name,
                    "sheet": raw.sheet or "",
                    "row": raw.rows[shown],
                    "column": _col_label(raw, column),
                    "value": vals,
                    "problem": problem,
                    "action": action,
                    "severity": severity,
                    "problem_key": key,
                    "params": _params(params),
                },
                columns=ISSUE_COLUMNS,
            )
        )
        if n > len(shown):
            self.add(
                table=raw.table,
                file=raw.file_name,
                sheet=raw.sheet or "",
                row=None,
                column=_col_label(raw, column),
                value="",
                problem=more or f"{problem} (and {n - len(shown):,} more rows like this)",
                action=action,
                severity=severity,
                key=key,
                params={**(params or {}), "more_n": n - len(shown)} if key else None,
            )
        return n

    def frame(self) -> pd.DataFrame:
        if not self.parts:
            df = pd.DataFrame({c: pd.Series([], dtype="str") for c in ISSUE_COLUMNS})
        else:
            df = pd.concat(self.parts, ignore_index=True)
        df["row"] = (
            pd.array(df["row"].astype("float64"), dtype="Int64")
            if len(df)
            else pd.array([], dtype="Int64")
        )
        for c in ISSUE_COLUMNS:
            if c not in df.columns:
                df[c] = ""
            if c != "row":
                df[c] = df[c].fillna("").astype("str")
        return df[ISSUE_COLUMNS]


def _params(params: dict | None) -> str:
    """Message parameters as JSON (numbers stay numbers; the deliverable formats them)."""
    if not params:
        return ""
    return json.dumps(params, ensure_ascii=False, sort_keys=True, default=str)


def _col_label(raw: RawTable, column: str) -> str:
    if not column:
        return ""
    header = raw.header_of(column)
    return header if header == column else f"{header} ({column})"


def _show(v: Any, width: int = 60) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
        return ""
    if hasattr(v, "strftime") and not isinstance(v, str):
        try:
            return v.strftime("%Y-%m-%d")
        except ValueError:
            return str(v)
    s = str(v)
    return s if len(s) <= width else s[: width - 1] + "…"


def issue_sentence(issue: dict | pd.Series) -> str:
    """One sentence for an issue row::

    invoices.csv, row 1204, column "net_amount": "1 200,50" is not a number.
    """
    get = issue.get
    where = str(get("file") or get("table") or "")
    if get("sheet"):
        where += f', sheet "{get("sheet")}"'
    row = get("row")
    if row is not None and not pd.isna(row):
        where += f", row {int(row)}"
    if get("column"):
        where += f', column "{get("column")}"'
    problem = str(get("problem") or "")
    value = get("value")
    file = str(get("file") or "\0")
    file_level = (row is None or pd.isna(row)) and not get("column")
    if problem.startswith(file) or (file_level and file in problem):
        text = problem
    elif value not in (None, "") and not pd.isna(value):
        text = f'{where}: "{value}" {problem}'
    else:
        text = f"{where}: {problem}"
    text = text.rstrip()
    if not text.endswith((".", "?", "!")):
        text += "."
    action = get("action")
    if action and get("severity") != "fatal":
        text += f" ({action})"
    return text


# ------------------------------------------------------------------ coercion


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


_FLOAT_ID = r"^-?\d+\.0+$"


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


# ------------------------------------------------------------------ the stage


def run_intake(
    raw: dict[str, RawTable], engagement: Any, read_problems: list[dict] | None = None
) -> IntakeResult:
    """Map, derive, type-check and validate the raw tables; profile the customer base.

    Pure: no file is read or written.

    Parameters
    ----------
    raw
        ``{table: RawTable}`` from :func:`kamaudit.readers.read_input`.
    engagement
        The :class:`~kamaudit.config.Engagement` (period and ``intake`` settings).
    read_problems
        Issues found while reading (files that could not be read), listed with the rest.

    Raises
    ------
    ValidationFailed
        When any problem is fatal; the message lists every fatal problem and
        ``.problems`` holds the whole issue list.
    """
    settings: IntakeSettings = getattr(engagement, "intake", None) or IntakeSettings()
    period = engagement.period
    p_start, p_end = pd.Timestamp(period.start), pd.Timestamp(period.end)
    issues = _Issues(settings.max_issues_per_problem)
    for p in read_problems or []:
        issues.add(**p)
    tables: dict[str, pd.DataFrame] = {}
    rows_of: dict[str, np.ndarray] = {}
    stats: dict[str, dict[str, Any]] = {}
    derivations: list[str] = []
    derivation_items: list[dict] = []  # the same, as catalog keys for the deliverables
    unattributed: dict[str, dict] = {}
    raws = {t: raw[t] for t in SCHEMA if t in raw}

    for table, r in raws.items():
        st = stats.setdefault(
            table, {"file": r.file_name, "sheet": r.sheet or "", "rows_read": len(r.df)}
        )
        for note in r.notes:
            issues.add(table=table, **note)
        st["total_rows_dropped_n"] = int(r.option("total_rows", 0) or 0)
        schema = SCHEMA[table]
        missing_cols = [c for c, (_, req) in schema.items() if req and c not in r.df.columns]
        if (
            table == "invoices"
            and "net_amount" in missing_cols
            and {"quantity", "unit_price"} <= set(r.df.columns)
        ):
            missing_cols.remove("net_amount")
        if missing_cols:
            spec_cols = {v: k for k, v in _spec_columns(engagement, table).items()}
            found = [h for h in r.headers if h]
            for c in missing_cols:
                wanted = spec_cols.get(c)
                looked = f'"{wanted}" (mapped to {c})' if wanted else f'"{c}"'
                hint = did_you_mean(wanted or c, found)
                extra = " or quantity and unit_price to derive it" if c == "net_amount" else ""
                issues.add(
                    table=table,
                    file=r.file_name,
                    sheet=r.sheet or "",
                    row=None,
                    column=c,
                    value="",
                    problem=(
                        f"{r.file_name}: the required column {looked}{extra} is not in the file."
                        f"{hint} Headers found: {', '.join(found[:25])}."
                        f' Map it with  inputs.{table}.columns: {{"<header>": {c}}}  in engagement.yaml.'
                    ),
                    action="stopped",
                    severity="fatal",
                )
            # still check the columns that are there, so one run lists every problem
            df, _ = _coerce(r, settings, issues, st)
            _check_ranges(table, df, r, issues)
            continue
        df, keep = _coerce(r, settings, issues, st)
        df = _check_ranges(table, df, r, issues)
        tables[table] = df
        rows_of[table] = r.rows
        st["keep"] = keep

    # ---- invoices: derive amounts, credits, period, duplicates, outliers
    if "invoices" in tables:
        r = raws["invoices"]
        inv, keep = tables["invoices"], stats["invoices"]["keep"]
        st = stats["invoices"]
        if "net_amount" not in inv.columns:
            inv["net_amount"] = (inv["quantity"] * inv["unit_price"]).round(2)
            derivations.append(
                "invoices.net_amount = quantity × unit_price (the export has no amount column)"
            )
            derivation_items.append({"key": "net_amount", "params": {}})
            issues.add(
                table="invoices",
                file=r.file_name,
                sheet=r.sheet or "",
                column="net_amount",
                problem="has no amount column: net_amount derived as quantity × unit_price",
                action="derived",
                severity="info",
                key="net_derived",
            )
            miss = inv["net_amount"].isna().to_numpy() & keep
            issues.add_rows(
                r,
                miss,
                "net_amount",
                None,
                "has no quantity or unit price to derive the amount from",
                "row dropped",
                "error",
                key="net_underivable",
            )
            keep &= ~miss
        else:
            na = inv["net_amount"].isna().to_numpy()
            if {"quantity", "unit_price"} <= set(inv.columns):
                fill = na & (inv["quantity"] * inv["unit_price"]).notna().to_numpy() & keep
                if fill.any():
                    inv["net_amount"] = inv["net_amount"].fillna(
                        (inv["quantity"] * inv["unit_price"]).round(2)
                    )
                    issues.add_rows(
                        r,
                        fill,
                        "net_amount",
                        None,
                        "is empty",
                        "corrected: quantity × unit_price",
                        "warning",
                        key="net_filled",
                    )
                    derivations.append(
                        f"invoices.net_amount filled from quantity × unit_price on {int(fill.sum()):,} lines"
                    )
                    derivation_items.append(
                        {"key": "net_amount_filled", "params": {"lines": int(fill.sum())}}
                    )
                    na = inv["net_amount"].isna().to_numpy()
            miss = (
                na & keep & _blank(r.df["net_amount"])
                if "net_amount" in r.df.columns
                else na & keep
            )
            issues.add_rows(
                r,
                miss,
                "net_amount",
                None,
                "is empty but required",
                "row dropped",
                "error",
                key="empty_required",
            )
            st["missing_required_n"] = st.get("missing_required_n", 0) + int(miss.sum())
            keep &= ~na
        if "line_no" not in inv.columns:
            inv["line_no"] = (
                inv.groupby("invoice_id", sort=False, dropna=False).cumcount() + 1
            ).astype("float64")
        # dates outside the period
        d = inv["invoice_date"]
        outside = ((d < p_start) | (d > p_end)).to_numpy(dtype=bool) & keep
        st["outside_period_n"] = int(outside.sum())
        if outside.any():
            act = "row dropped" if settings.drop_outside_period else "kept"
            issues.add_rows(
                r,
                outside,
                "invoice_date",
                d,
                f"is outside the engagement period {period.start} – {period.end}",
                act,
                "warning",
                key="outside_period",
                params={"start": str(period.start), "end": str(period.end)},
            )
            if settings.drop_outside_period:
                keep &= ~outside
        already_fatal = any(
            (p["severity"] == "fatal").any() and (p["table"] == "invoices").any()
            for p in issues.parts
        )
        if not keep.any() and len(inv) and not already_fatal:
            dd = d.dropna()
            span = (
                f" The file's dates run from {dd.min():%Y-%m-%d} to {dd.max():%Y-%m-%d}."
                if len(dd)
                else ""
            )
            issues.add(
                table="invoices",
                file=r.file_name,
                sheet=r.sheet or "",
                problem=(
                    f"{r.file_name}: no invoice line is left to audit in the period "
                    f"{period.start} – {period.end}.{span} Check period in engagement.yaml "
                    f"and inputs.invoices.date_format."
                ),
                action="stopped",
                severity="fatal",
            )
        elif not len(inv):
            issues.add(
                table="invoices",
                file=r.file_name,
                sheet=r.sheet or "",
                problem=f"{r.file_name} has a header but no invoice lines.",
                action="stopped",
                severity="fatal",
            )
        # exact duplicate lines
        dup = inv.duplicated(keep="first").to_numpy() & keep
        st["duplicates_n"] = int(dup.sum())
        if dup.any():
            act = "row dropped" if settings.drop_duplicate_lines else "kept"
            issues.add_rows(
                r,
                dup,
                "",
                None,
                "repeats an earlier invoice line in every column",
                act,
                "warning",
                key="duplicate_line",
            )
            if settings.drop_duplicate_lines:
                keep &= ~dup
        # outliers
        st["outliers_n"] = 0
        if settings.outlier_rule != "none":
            use_log = settings.outlier_rule == "log_iqr"
            flagged = np.zeros(len(inv), dtype=bool)
            for col in ("net_amount", "quantity", "unit_price"):
                if col not in inv.columns:
                    continue
                a = inv[col].abs().to_numpy(dtype="float64", na_value=np.nan)
                pos = keep & (a > 0)
                if pos.sum() < 20:
                    continue
                v = np.log10(a, where=a > 0, out=np.full_like(a, np.nan)) if use_log else a
                q1, q3 = np.nanpercentile(v[pos], [25, 75])
                if q3 <= q1:
                    continue
                fence_v = q3 + settings.outlier_k * (q3 - q1)
                fence = 10**fence_v if use_log else fence_v
                out_mask = pos & (v > fence_v)
                if out_mask.any():
                    rule = (
                        f"Q3 + {settings.outlier_k:g} × IQR of log10"
                        if use_log
                        else f"Q3 + {settings.outlier_k:g} × IQR"
                    )
                    issues.add_rows(
                        r,
                        out_mask,
                        col,
                        inv[col],
                        f"is far above the typical line (above {fence:,.2f} = {rule})",
                        "kept (outlier)",
                        "warning",
                        key="outlier_log" if use_log else "outlier",
                        params={"fence": round(float(fence), 2), "k": settings.outlier_k},
                    )
                    flagged |= out_mask
            st["outliers_n"] = int(flagged.sum())
        inv["is_credit"] = (inv["net_amount"] < 0).fillna(False).astype(bool)
        credits = inv["is_credit"].to_numpy() & keep
        st["credit_lines_n"] = int(credits.sum())
        if credits.any():
            issues.add(
                table="invoices",
                file=r.file_name,
                sheet=r.sheet or "",
                column="net_amount",
                problem=f"{int(credits.sum()):,} lines have a negative amount (credit notes, returns, cancellations)",
                action="kept, marked is_credit",
                severity="info",
                key="credit_lines",
                params={"lines": int(credits.sum())},
            )
        no_cust = st.pop("no_customer_mask", None)
        if no_cust is not None and no_cust.any():
            unattributed["invoices"] = _no_customer_issue(r, inv, no_cust, keep, issues)
        tables["invoices"] = inv
        st["keep"] = keep

    # ---- keys: duplicates
    for table, (key, policy) in KEYS.items():
        if table not in tables or not set(key) <= set(tables[table].columns):
            continue
        df, keep = tables[table], stats[table]["keep"]
        k = df[key]
        has_key = k.notna().all(axis=1).to_numpy()
        cand = keep & has_key
        sub = k[cand]
        dup_sub = sub.duplicated(keep="first").to_numpy()
        dup = np.zeros(len(df), dtype=bool)
        dup[np.flatnonzero(cand)[dup_sub]] = True
        stats[table]["duplicates_n"] = int(dup.sum())
        if not dup.any():
            continue
        r = raws[table]
        first_row = (
            pd.Series(r.rows[cand], index=sub.index)
            .groupby([sub[c] for c in key], sort=False)
            .transform("first")
        )
        firsts = np.zeros(len(df), dtype=np.int64)
        firsts[cand] = first_row.to_numpy()
        col = key[0] if len(key) == 1 else ""
        label = " and ".join(key)
        if table == "customers" and settings.duplicate_customers == "fail":
            sev, act = "fatal", "stopped"
        elif policy == "drop":
            sev, act = "warning", "row dropped; the first row kept"
        else:
            sev, act = "warning", "kept"
        shown = df[key[0]]
        # per-row message names the first row
        for_rows = np.flatnonzero(dup)[: issues.cap]
        first_txt = pd.Series(firsts[for_rows]).astype(str).tolist()
        part = pd.DataFrame(
            {
                "table": table,
                "file": r.file_name,
                "sheet": r.sheet or "",
                "row": r.rows[for_rows],
                "column": _col_label(r, col) if col else label,
                "value": [_show(v) for v in shown.iloc[for_rows].tolist()],
                "problem": [f"repeats the {label} of row {f}" for f in first_txt],
                "action": act,
                "severity": sev,
                "problem_key": "duplicate_key",
                "params": [_params({"key": label, "row": int(f)}) for f in first_txt],
            },
            columns=ISSUE_COLUMNS,
        )
        issues.parts.append(part)
        if dup.sum() > len(for_rows):
            issues.add(
                table=table,
                file=r.file_name,
                sheet=r.sheet or "",
                column=col,
                problem=f"{int(dup.sum()) - len(for_rows):,} more rows repeat a {label}",
                action=act,
                severity=sev,
                key="duplicate_key_more",
                params={"n": int(dup.sum()) - len(for_rows), "key": label},
            )
        if policy == "drop":
            stats[table]["keep"] = keep & ~dup

    # ---- apply the row filters
    for table in list(tables):
        keep = stats[table].pop("keep")
        tables[table] = tables[table].loc[keep].reset_index(drop=True)
        rows_of[table] = rows_of[table][keep]

    # ---- customers: master or derived; orphans
    derived_customers = False
    if "invoices" in tables:
        inv = tables["invoices"]
        first_seen = _customers_from_invoices(inv)
        if "customers" in tables:
            cust = tables["customers"]
            cust["derived_from_invoices"] = False
            known = set(cust["customer_id"].dropna())
            orphan = ~inv["customer_id"].isin(known).to_numpy()
            stats["invoices"]["orphans_n"] = int(orphan.sum())
            if orphan.any():
                r = raws["invoices"]
                _add_kept_rows(
                    issues,
                    r,
                    rows_of["invoices"],
                    orphan,
                    "customer_id",
                    inv["customer_id"],
                    "is not in the customer master",
                    "kept; the customer added from the invoices",
                    "warning",
                    key="orphan_customer_master",
                )
                extra = first_seen[~first_seen["customer_id"].isin(known)]
                cust = pd.concat([cust, extra], ignore_index=True)
                derivations.append(
                    f"{len(extra):,} customers added from invoice lines (not in the customer master)"
                )
                derivation_items.append(
                    {"key": "customers_added", "params": {"customers": int(len(extra))}}
                )
            tables["customers"] = cust
        else:
            tables["customers"] = first_seen
            derived_customers = True
            derivations.append(
                f"customers derived from the invoices ({len(first_seen):,} customer ids): there is no customer master"
            )
            derivation_items.append(
                {"key": "customers_derived", "params": {"customers": int(len(first_seen))}}
            )
            issues.add(
                table="customers",
                file="",
                problem="no customer master: customers derived from the invoices",
                action="derived",
                severity="info",
                key="customers_derived",
            )
            stats["customers"] = {"file": "(derived from invoices)", "sheet": "", "rows_read": 0}
    known_customers = (
        set(tables["customers"]["customer_id"].dropna()) if "customers" in tables else None
    )
    for table in ("rebates", "activities", "contacts", "assessments"):
        if table not in tables or known_customers is None:
            continue
        df = tables[table]
        orphan = ~df["customer_id"].isin(known_customers).to_numpy()
        stats[table]["orphans_n"] = int(orphan.sum())
        if orphan.any():
            _add_kept_rows(
                issues,
                raws[table],
                rows_of[table],
                orphan,
                "customer_id",
                df["customer_id"],
                "is not a known customer",
                "row dropped",
                "warning",
                key="orphan_customer",
            )
            tables[table] = df.loc[~orphan].reset_index(drop=True)
            rows_of[table] = rows_of[table][~orphan]
    if "payments" in tables and "invoices" in tables:
        df = tables["payments"]
        orphan = ~df["invoice_id"].isin(set(tables["invoices"]["invoice_id"])).to_numpy()
        stats["payments"]["orphans_n"] = int(orphan.sum())
        if orphan.any():
            _add_kept_rows(
                issues,
                raws["payments"],
                rows_of["payments"],
                orphan,
                "invoice_id",
                df["invoice_id"],
                "is not an invoice in the invoice lines",
                "row dropped",
                "warning",
                key="orphan_invoice",
            )
            tables["payments"] = df.loc[~orphan].reset_index(drop=True)
            rows_of["payments"] = rows_of["payments"][~orphan]
    if "activities" in tables:
        df = tables["activities"]
        if "quantity" not in df.columns:
            df["quantity"] = 1.0
            derivations.append("activities.quantity = 1 for every row (no quantity column)")
            derivation_items.append({"key": "activity_quantity", "params": {}})
        else:
            df["quantity"] = df["quantity"].fillna(1.0)
        if "activity_date" in df.columns:
            d = df["activity_date"]
            outside = ((d < p_start) | (d > p_end)).to_numpy(dtype=bool)
            stats["activities"]["outside_period_n"] = int(outside.sum())
            if outside.any():
                act = "row dropped" if settings.drop_outside_period else "kept"
                _add_kept_rows(
                    issues,
                    raws["activities"],
                    rows_of["activities"],
                    outside,
                    "activity_date",
                    d,
                    f"is outside the engagement period {period.start} – {period.end}",
                    act,
                    "warning",
                    key="outside_period",
                    params={"start": str(period.start), "end": str(period.end)},
                )
                if settings.drop_outside_period:
                    df = df.loc[~outside].reset_index(drop=True)
                    rows_of["activities"] = rows_of["activities"][~outside]
        tables["activities"] = df

    # ---- final column order and types
    for table in list(tables):
        tables[table] = _contract(table, tables[table])

    issues_df = issues.frame()
    quality, missing = _quality(tables, raws, stats)
    coverage = _coverage(tables.get("invoices"), p_start, p_end)
    base_monthly, base_lorenz, base_top, base = _base(tables, p_start, p_end, settings)
    summary = {
        "period": {"start": str(period.start), "end": str(period.end)},
        "inputs": {
            t: {
                "file": r.file_name,
                "sheet": r.sheet,
                "options": r.options,
                "headers": r.headers,
                "column_map": r.column_map,
            }
            for t, r in raws.items()
        },
        "derivations": derivations,
        "derivation_items": derivation_items,
        "unattributed": unattributed,
        "customers_derived_from_invoices": derived_customers,
        "base": base,
        "issues_by_severity": {s: int((issues_df["severity"] == s).sum()) for s in SEVERITIES},
        "tables": {t: int(len(df)) for t, df in tables.items()},
    }
    result = IntakeResult(
        tables=tables,
        issues=issues_df,
        quality=quality,
        missing=missing,
        coverage=coverage,
        base_monthly=base_monthly,
        base_lorenz=base_lorenz,
        base_top=base_top,
        summary=summary,
    )
    fatal = result.fatal
    if len(fatal):
        raise ValidationFailed(_fatal_message(fatal), problems=issues_df)
    return result


def _spec_columns(engagement: Any, table: str) -> dict[str, str]:
    spec = (getattr(engagement, "inputs", None) or {}).get(table)
    return dict(getattr(spec, "columns", {}) or {})


def _add_kept_rows(
    issues: _Issues,
    raw: RawTable,
    rows: np.ndarray,
    mask: np.ndarray,
    column: str,
    values: pd.Series,
    problem: str,
    action: str,
    severity: str,
    key: str = "",
) -> None:
    """Like ``add_rows`` for a table already filtered (``rows`` are its source rows)."""
    shadow = RawTable(
        table=raw.table,
        df=raw.df.iloc[:0],
        rows=rows,
        file=raw.file,
        sheet=raw.sheet,
        options=raw.options,
        headers=raw.headers,
        column_map=raw.column_map,
    )
    issues.add_rows(
        shadow, mask, column, values.reset_index(drop=True), problem, action, severity, key=key
    )


def _no_customer_issue(
    raw: RawTable, inv: pd.DataFrame, mask: np.ndarray, keep: np.ndarray, issues: _Issues
) -> dict[str, Any]:
    """Invoice lines without a customer id: one issue row with the count and the amount.

    A consultant expects these lines (cash sales, web-shop guests, a POS export) to be
    left out of the customer analysis, not lumped into an "unknown customer" that would
    top every ranking and become a key account; and to be counted, with the net amount
    they carry, so revenue still reconciles to the ledger.
    """
    n = int(mask.sum())
    amount = float(inv.loc[mask, "net_amount"].sum()) if "net_amount" in inv.columns else 0.0
    total = float(inv.loc[keep | mask, "net_amount"].sum()) if "net_amount" in inv.columns else 0.0
    read = len(inv)
    share_lines = 100.0 * n / read if read else 0.0
    share_amount = 100.0 * amount / total if total else 0.0
    rows = raw.rows[np.flatnonzero(mask)[:10]]
    row_list = ", ".join(str(int(x)) for x in rows) + (", …" if n > len(rows) else "")
    invoices_n = int(inv.loc[mask, "invoice_id"].nunique()) if "invoice_id" in inv.columns else 0
    credit_n = int((inv.loc[mask, "net_amount"] < 0).sum()) if "net_amount" in inv.columns else 0
    issues.add(
        table=raw.table,
        file=raw.file_name,
        sheet=raw.sheet or "",
        row=None,
        column=_col_label(raw, "customer_id"),
        value="",
        problem=(
            f"{n:,} invoice lines have no customer id ({share_lines:.1f}% of the lines read, "
            f"net amount {amount:,.2f}); rows {row_list}"
        ),
        action="left out of the customer analysis; counted and reported",
        severity="warning",
        key="no_customer_id",
        params={
            "lines": n,
            "lines_pct": round(share_lines, 1),
            "amount": round(amount, 2),
            "rows": row_list,
        },
    )
    return {
        "lines_n": n,
        "invoices_n": invoices_n,
        "credit_lines_n": credit_n,
        "net_amount": round(amount, 2),
        "lines_pct": round(share_lines, 2),
        "net_amount_pct": round(share_amount, 2),
        "action": "left out of the customer analysis",
    }


def _customers_from_invoices(inv: pd.DataFrame) -> pd.DataFrame:
    """One row per customer id in the invoices, with the attributes the lines carry."""
    attrs = [c for c in ("customer_name", "industry", "region", "country") if c in inv.columns]
    g = inv[["customer_id", *attrs]].dropna(subset=["customer_id"])
    if attrs:
        out = g.groupby("customer_id", sort=True).first().reset_index()
    else:
        out = pd.DataFrame({"customer_id": g["customer_id"].drop_duplicates().sort_values()})
    out = out.rename(columns={"customer_name": "name"})
    out["derived_from_invoices"] = True
    return out.reset_index(drop=True)


_CONTRACT_EXTRA = {
    "customers": {"derived_from_invoices": "bool"},
    "invoices": {"is_credit": "bool"},
}


def _contract(table: str, df: pd.DataFrame) -> pd.DataFrame:
    """Contract column order and dtypes; canonical columns only."""
    schema = SCHEMA[table]
    cols = [c for c in schema if c in df.columns]
    if table == "customers":
        cols = [c for c in cols if c != "customer_name"]
    if table == "invoices":
        cols = [c for c in cols if c not in ("customer_name", "industry", "region", "country")]
    extra = [c for c in _CONTRACT_EXTRA.get(table, {}) if c in df.columns]
    out = df[cols + extra].copy()
    if (
        table == "customers"
    ):  # the master is read by every stage: all contract columns, NA when unknown
        for c in schema:
            if c not in out.columns:
                kind = schema[c][0]
                out[c] = (
                    np.nan
                    if kind in ("money", "float")
                    else pd.NaT
                    if kind == "date"
                    else pd.Series(pd.NA, index=out.index, dtype="str")
                )
        out = out[list(schema) + extra]
        cols = list(schema)
    for c in cols:
        kind = schema[c][0]
        if kind in ("id", "text"):
            out[c] = out[c].astype("str")
        elif kind in ("money", "float"):
            out[c] = out[c].astype("float64")
        elif kind == "date":
            out[c] = out[c].astype("datetime64[ns]")
    for c in extra:
        out[c] = out[c].fillna(False).astype(bool)
    return out.reset_index(drop=True)


# ------------------------------------------------------------------ quality and base


def _quality(
    tables: dict[str, pd.DataFrame], raws: dict[str, RawTable], stats: dict
) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows = []
    for table, st in stats.items():
        kept = len(tables[table]) if table in tables else 0
        read = int(st.get("rows_read", 0))
        rows.append(
            {
                "table": table,
                "file": st.get("file", ""),
                "sheet": st.get("sheet", ""),
                "rows_read": read,
                "rows_kept": kept,
                "rows_dropped": max(read - kept, 0) if read else 0,
                "total_rows_dropped_n": int(st.get("total_rows_dropped_n", 0)),
                "missing_required_n": int(st.get("missing_required_n", 0)),
                "type_errors_n": int(st.get("type_errors_n", 0)),
                "duplicates_n": int(st.get("duplicates_n", 0)),
                "orphans_n": int(st.get("orphans_n", 0)),
                "outliers_n": int(st.get("outliers_n", 0)),
                "outside_period_n": int(st.get("outside_period_n", 0)),
                "credit_lines_n": int(st.get("credit_lines_n", 0)),
                "status": "read"
                if table in raws
                else ("derived" if table in tables else "not read"),
            }
        )
    quality = pd.DataFrame(rows)
    if len(quality):
        quality["file"] = quality["file"].astype("str")
    miss_rows = []
    for table, df in tables.items():
        r = raws.get(table)
        n = len(df)
        for c in df.columns:
            kind, req = SCHEMA.get(table, {}).get(c, ("bool", False))
            m = int(df[c].isna().sum())
            miss_rows.append(
                {
                    "table": table,
                    "column": c,
                    "header": r.header_of(c) if r else "",
                    "kind": kind,
                    "required": bool(req),
                    "missing_n": m,
                    "missing_pct": round(100.0 * m / n, 2) if n else 0.0,
                }
            )
    missing = pd.DataFrame(
        miss_rows,
        columns=["table", "column", "header", "kind", "required", "missing_n", "missing_pct"],
    )
    return quality, missing


def _months(p_start: pd.Timestamp, p_end: pd.Timestamp) -> pd.PeriodIndex:
    return pd.period_range(p_start.to_period("M"), p_end.to_period("M"), freq="M")


def _coverage(inv: pd.DataFrame | None, p_start: pd.Timestamp, p_end: pd.Timestamp) -> pd.DataFrame:
    months = _months(p_start, p_end)
    cols = [
        "month",
        "invoice_lines_n",
        "invoices_n",
        "customers_n",
        "net_amount",
        "credit_amount",
        "has_data",
    ]
    if inv is None:
        return pd.DataFrame(columns=cols)
    m = inv["invoice_date"].dt.to_period("M")
    g = inv.groupby(m)
    out = pd.DataFrame(
        {
            "invoice_lines_n": g.size(),
            "invoices_n": g["invoice_id"].nunique(),
            "customers_n": g["customer_id"].nunique(),
            "net_amount": g["net_amount"].sum(),
            "credit_amount": inv["net_amount"].where(inv["is_credit"], 0.0).groupby(m).sum(),
        }
    ).reindex(months)
    out = out.fillna(0)
    for c in ("invoice_lines_n", "invoices_n", "customers_n"):
        out[c] = out[c].astype("int64")
    out["has_data"] = out["invoice_lines_n"] > 0
    out.index.name = "month"
    out = out.reset_index()
    out["month"] = out["month"].dt.to_timestamp().astype("datetime64[ns]")
    return out[cols]


def _base(
    tables: dict[str, pd.DataFrame],
    p_start: pd.Timestamp,
    p_end: pd.Timestamp,
    settings: IntakeSettings,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, dict]:
    inv = tables.get("invoices")
    empty = (
        pd.DataFrame(columns=["month", "active_n", "new_n", "net_amount"]),
        pd.DataFrame(columns=["customers_share", "revenue_share"]),
        pd.DataFrame(
            columns=["rank", "customer_id", "name", "net_revenue", "share_pct", "cum_share_pct"]
        ),
        {},
    )
    if inv is None or not len(inv):
        return empty
    months = _months(p_start, p_end)
    m = inv["invoice_date"].dt.to_period("M")
    first = inv.groupby("customer_id")["invoice_date"].min().dt.to_period("M")
    monthly = (
        pd.DataFrame(
            {
                "active_n": inv.groupby(m)["customer_id"].nunique(),
                "new_n": first.value_counts(),
                "net_amount": inv.groupby(m)["net_amount"].sum(),
            }
        )
        .reindex(months)
        .fillna(0)
    )
    monthly["active_n"] = monthly["active_n"].astype("int64")
    monthly["new_n"] = monthly["new_n"].astype("int64")
    monthly.index.name = "month"
    monthly = monthly.reset_index()
    monthly["month"] = monthly["month"].dt.to_timestamp().astype("datetime64[ns]")

    # new and lost: the first and last windows of the period
    n_months = len(months)
    w = max(1, min(settings.base_window_months, n_months // 2)) if n_months >= 2 else 1
    first_w = set(months[:w])
    last_w = set(months[-w:])
    in_first = pd.Index(inv.loc[m.isin(list(first_w)).to_numpy(), "customer_id"].unique())
    in_last = pd.Index(inv.loc[m.isin(list(last_w)).to_numpy(), "customer_id"].unique())
    active = inv["customer_id"].nunique()
    new = len(in_last.difference(in_first)) if n_months >= 2 else 0
    lost = len(in_first.difference(in_last)) if n_months >= 2 else 0
    retained = len(in_first.intersection(in_last))

    rev = (
        inv.groupby("customer_id")["net_amount"]
        .sum()
        .sort_values(ascending=False, kind="mergesort")
    )
    pos = rev.clip(lower=0)
    total = float(pos.sum())
    n = len(pos)
    top10 = float(pos.iloc[:10].sum()) / total * 100 if total > 0 else float("nan")
    k20 = max(1, math.ceil(0.2 * n))
    top20 = float(pos.iloc[:k20].sum()) / total * 100 if total > 0 else float("nan")
    asc = np.sort(pos.to_numpy())
    cum = np.concatenate([[0.0], np.cumsum(asc)])
    x = np.linspace(0, 1, n + 1)
    y = cum / cum[-1] if cum[-1] > 0 else x
    grid = np.linspace(0, 1, 101)
    lorenz = pd.DataFrame({"customers_share": grid, "revenue_share": np.interp(grid, x, y)})
    gini = float(1 - 2 * np.trapezoid(y, x)) if cum[-1] > 0 else float("nan")

    cust = tables.get("customers")
    names = (
        cust.set_index("customer_id")["name"]
        if cust is not None and "name" in cust.columns
        else None
    )
    top = rev.iloc[:20].rename("net_revenue").reset_index()
    top.insert(0, "rank", np.arange(1, len(top) + 1))
    top["name"] = (
        top["customer_id"].map(names)
        if names is not None
        else pd.Series(pd.NA, index=top.index, dtype="str")
    )
    top["name"] = top["name"].astype("str")
    top["share_pct"] = top["net_revenue"].clip(lower=0) / total * 100 if total > 0 else np.nan
    top["cum_share_pct"] = top["share_pct"].cumsum()
    top = top[["rank", "customer_id", "name", "net_revenue", "share_pct", "cum_share_pct"]]

    base = {
        "customers_active_n": int(active),
        "customers_new_n": int(new),
        "customers_lost_n": int(lost),
        "customers_retained_n": int(retained),
        "window_months": int(w),
        "negative_revenue_customers_n": int((rev < 0).sum()),
        "net_revenue": round(float(inv["net_amount"].sum()), 2),
        "credit_amount": round(float(inv.loc[inv["is_credit"], "net_amount"].sum()), 2),
        "top10_share_pct": _r(top10),
        "top20pct_share_pct": _r(top20),
        "top20pct_customers_n": int(k20),
        "gini": _r(gini, 4),
        "invoice_lines_n": int(len(inv)),
        "invoices_n": int(inv["invoice_id"].nunique()),
        "first_date": f"{inv['invoice_date'].min():%Y-%m-%d}",
        "last_date": f"{inv['invoice_date'].max():%Y-%m-%d}",
    }
    return monthly, lorenz, top, base


def _r(x: float, nd: int = 2) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else round(float(x), nd)


def _fatal_message(fatal: pd.DataFrame, limit: int = 30) -> str:
    order = [c for c in ("file", "sheet", "row") if c in fatal.columns]
    if order:  # as the client reads the file: top to bottom
        fatal = fatal.sort_values(order, kind="stable", na_position="first")
    lines = [issue_sentence(row) for row in fatal.to_dict("records")]
    n = len(lines)
    head = (
        "Intake stopped: 1 problem must be fixed first."
        if n == 1
        else (f"Intake stopped: {n:,} problems must be fixed first.")
    )
    shown = lines[:limit]
    text = head + "\n  " + "\n  ".join(shown)
    if n > limit:
        text += (
            f"\n  … and {n - limit:,} more: see the intake issue list (ValidationFailed.problems)."
        )
    return text


# ------------------------------------------------------------------ I/O wrappers


def read_and_check(engagement: Any, workspace: Any = None) -> IntakeResult:
    """Read every input of the engagement and run intake (what ``kamaudit validate`` runs).

    Files that cannot be read are listed with every other fatal problem. With a
    ``workspace``, a run stopped by fatal problems still writes the issue list there
    (``intake_issues``), so the consultant can open it; nothing else is written.
    """
    raw: dict[str, RawTable] = {}
    problems: list[dict] = []
    for table in SCHEMA:
        spec = engagement.inputs.get(table)
        if spec is None:
            continue
        try:
            raw[table] = read_input(table, spec)
        except InputError as exc:
            problems.append(
                {
                    "table": table,
                    "file": spec.path.name,
                    "sheet": "",
                    "row": None,
                    "column": "",
                    "value": "",
                    "problem": str(exc),
                    "action": "stopped",
                    "severity": "fatal",
                }
            )
    if "invoices" not in raw and not problems:
        problems.append(
            {
                "table": "invoices",
                "file": "",
                "problem": "invoices: no input file is set.",
                "action": "stopped",
                "severity": "fatal",
            }
        )
    try:
        return run_intake(raw, engagement, read_problems=problems)
    except ValidationFailed as exc:
        if workspace is not None and exc.problems is not None:
            workspace.write_table("intake_issues", exc.problems)
        raise


def reading_options(result: IntakeResult) -> pd.DataFrame:
    """How each file was read: table, file, sheet, option, value, source (given/detected), why."""
    rows = []
    for table, info in result.summary.get("inputs", {}).items():
        for name, opt in (info.get("options") or {}).items():
            rows.append(
                {
                    "table": table,
                    "file": info.get("file", ""),
                    "sheet": info.get("sheet") or "",
                    "option": name,
                    "value": "" if opt.get("value") is None else str(opt.get("value")),
                    "source": opt.get("source", ""),
                    "why": opt.get("why", ""),
                }
            )
    return pd.DataFrame(
        rows, columns=["table", "file", "sheet", "option", "value", "source", "why"]
    )


def issue_summary(issues: pd.DataFrame) -> pd.DataFrame:
    """Issues counted by table, severity, column and problem, most severe first."""
    if not len(issues):
        return pd.DataFrame(columns=["table", "severity", "column", "problem", "action", "rows_n"])
    df = issues.assign(
        problem=issues["problem"].str.replace(
            r" \(and [\d,]+ more rows like this\)$", "", regex=True
        )
    )
    out = (
        df.groupby(["table", "severity", "column", "problem", "action"], sort=False, dropna=False)
        .size()
        .rename("rows_n")
        .reset_index()
    )
    out["_o"] = out["severity"].map({s: i for i, s in enumerate(SEVERITIES)})
    return (
        out.sort_values(["_o", "table"], kind="mergesort").drop(columns="_o").reset_index(drop=True)
    )


def write_results(result: IntakeResult, workspace: Any) -> list[str]:
    """Write canonical tables and the intake report tables to the workspace.

    Writes ``data/<table>.parquet`` for every canonical table, ``intake_issues``,
    ``intake_quality``, ``intake_missing``, ``intake_coverage``, ``intake_base_monthly``,
    ``intake_base_lorenz``, ``intake_base_top`` and JSON ``intake_summary``. Returns the
    names written. Re-running over the same inputs writes the same bytes.
    """
    written = []
    for name, df in result.tables.items():
        workspace.write_table(name, df)
        written.append(name)
    for name, df in (
        ("intake_issues", result.issues),
        ("intake_quality", result.quality),
        ("intake_missing", result.missing),
        ("intake_coverage", result.coverage),
        ("intake_base_monthly", result.base_monthly),
        ("intake_base_lorenz", result.base_lorenz),
        ("intake_base_top", result.base_top),
    ):
        workspace.write_table(name, df)
        written.append(name)
    workspace.write_json("intake_summary", result.summary)
    written.append("intake_summary")
    return written
