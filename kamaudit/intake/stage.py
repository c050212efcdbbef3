"""Stage 1, intake: raw client tables in, canonical tables and a quality report out.

The stage in three calls::

    raw = {t: read_input(t, spec) for t, spec in engagement.inputs.items()}   # kamaudit.io
    result = run_intake(raw, engagement)        # pure: map, derive, coerce, validate, profile
    workspace.save(result)                      # data/<table>.parquet, intake_* tables

``read_and_check(engagement)`` does the first two and is what ``kamaudit validate`` runs.

Every problem found becomes a row of ``result.issues`` (file, sheet, row as the client
sees it, column, value, problem, action, severity). Severities: ``fatal`` stops the run
(after listing every fatal problem in one :class:`~kamaudit.errors.ValidationFailed`),
``error`` dropped a row or cleared a value, ``warning`` kept something doubtful,
``info`` records what was detected or derived.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..errors import InputError, ValidationFailed
from ..io import SCHEMA, RawTable, read_input
from ..messages import Message
from ..stage import StageResult
from .coerce import _contract, _normalise_codes
from .issues import SEVERITIES, _fatal_message, _Issues
from .quality import _base, _coverage, _quality
from .settings import IntakeSettings
from .steps import _STEPS, _State


@dataclass
class IntakeResult(StageResult):
    """What intake produced.

    Attributes
    ----------
    canonical
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

    canonical: dict[str, pd.DataFrame]
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

    @property
    def messages(self) -> list[Message]:
        """What intake derived, as catalog keys (the issue list holds every row problem)."""
        return [
            Message(f"intake.derivations.{d['key']}", d.get("params") or {}, "info")
            for d in self.summary.get("derivation_items", [])
        ]

    def tables(self) -> dict[str, pd.DataFrame]:
        """The canonical tables and the quality report's tables, by workspace name."""
        return {
            **self.canonical,
            "intake_issues": self.issues,
            "intake_quality": self.quality,
            "intake_missing": self.missing,
            "intake_coverage": self.coverage,
            "intake_base_monthly": self.base_monthly,
            "intake_base_lorenz": self.base_lorenz,
            "intake_base_top": self.base_top,
        }

    def documents(self) -> dict[str, Any]:
        return {"intake_summary": self.summary}


def run(
    inputs: dict[str, RawTable],
    settings: IntakeSettings,
    period: Any,
    mappings: dict[str, dict[str, str]] | None = None,
    read_problems: list[dict] | None = None,
) -> IntakeResult:
    """Map, derive, type-check and validate the raw tables; profile the customer base.

    Pure: no file is read or written.

    Parameters
    ----------
    inputs
        ``{table: RawTable}`` from :func:`load_inputs` (or :func:`kamaudit.io.read_input`).
    settings
        The engagement's ``intake`` settings.
    period
        The audited period (``engagement.period``).
    mappings
        Per table, the engagement file's ``columns`` (client header -> canonical name), so a
        missing column is named as the client wrote it.
    read_problems
        Issues found while reading (files that could not be read), listed with the rest.

    Raises
    ------
    ValidationFailed
        When any problem is fatal; the message lists every fatal problem and
        ``.problems`` holds the whole issue list.
    """
    s = _State(
        mappings=mappings or {},
        settings=settings,
        period=period,
        p_start=pd.Timestamp(period.start),
        p_end=pd.Timestamp(period.end),
        issues=_Issues(settings.max_issues_per_problem),
        raws={t: inputs[t] for t in SCHEMA if t in inputs},
    )
    for p in read_problems or []:
        s.issues.add(**p)
    for step in _STEPS:
        step(s)
    tables, raws, issues, stats, rows_of = s.tables, s.raws, s.issues, s.stats, s.rows_of
    p_start, p_end = s.p_start, s.p_end

    # ---- coded values once, then final column order and types
    _normalise_codes(tables, raws, rows_of, issues)
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
        "derivations": s.derivations,
        "derivation_items": s.derivation_items,
        "unattributed": s.unattributed,
        "excluded_customers": s.excluded,
        "cancellations": s.cancellations,
        "money": s.money,
        "customers_derived_from_invoices": s.derived_customers,
        "base": base,
        "issues_by_severity": {s: int((issues_df["severity"] == s).sum()) for s in SEVERITIES},
        "tables": {t: int(len(df)) for t, df in tables.items()},
    }
    result = IntakeResult(
        canonical=tables,
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


def read_and_check(engagement: Any, workspace: Any = None) -> IntakeResult:
    """Read every input of the engagement and run intake (what ``kamaudit validate`` runs).

    Files that cannot be read are listed with every other fatal problem. With a
    ``workspace``, a run stopped by fatal problems still writes the issue list there
    (``intake_issues``), so the consultant can open it; nothing else is written.
    """
    raw, problems = load_inputs(engagement)
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


def run_intake(
    raw: dict[str, RawTable], engagement: Any, read_problems: list[dict] | None = None
) -> IntakeResult:
    """:func:`run` with the settings, period and column mappings of ``engagement``."""
    mappings = {t: spec.header_map() for t, spec in (engagement.inputs or {}).items()}
    return run(raw, engagement.intake, engagement.period, mappings, read_problems)


def load_inputs(engagement: Any) -> tuple[dict[str, RawTable], list[dict]]:
    """Read every input file of the engagement as the client exported it.

    Returns the raw tables and the fatal problems of files that could not be read (listed
    later with every other problem, so one run names them all).
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
    return raw, problems
