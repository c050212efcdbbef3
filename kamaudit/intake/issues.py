"""The issue list: every problem intake finds, with file, sheet, row as the client sees it,
column, value, problem, action and severity; and its sentences."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pandas as pd

from ..io import RawTable

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
    params: dict | None = None,
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
        shadow,
        mask,
        column,
        values.reset_index(drop=True),
        problem,
        action,
        severity,
        key=key,
        params=params,
    )


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
