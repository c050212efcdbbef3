"""Build both deliverables from what the workspace holds.

>>> xlsx, html = build_deliverables(engagement, workspace)      # doctest: +SKIP
>>> result = build_deliverables(engagement, workspace)          # doctest: +SKIP
>>> result.errors    # contributors that failed (stage, error); the runner can flag them

Each stage contributes through ``kamaudit/deliverables/<stage>.py`` (``build(ctx)``). A
contributor that does not exist yet is skipped; one that raises becomes a warning in its
section of the report (and an entry in :attr:`Deliverables.errors` and in
``data/deliverables_status.json``): one bad stage never loses the client's deliverables.
Until intake contributes, a "Data on hand" section lists the workspace's tables.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib
import logging
import os
import time
import traceback
from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd

from ..freshness import CURRENT, NOT_RUN, RAN_NOW, STAGES, STALE
from ..workspace import Workspace
from . import STAGE_CONTRIBUTORS
from .context import ReportContext
from .model import KeyFigures, Section, Sheet, StageReport, Table, Text

log = logging.getLogger(__name__)

STATUS_JSON = "deliverables_status"


@dataclass
class ContributorError:
    """A stage contributor that failed: which, the one-line error and the traceback."""

    stage: str
    error: str
    traceback: str = ""


class Deliverables(tuple):
    """``(xlsx_path, html_path)``, with what went wrong attached.

    Unpacks like the pair it is; ``errors`` lists failed contributors, ``notes`` what
    the writers changed (sheet names shortened, characters removed), ``stages`` the
    stages that contributed.
    """

    xlsx: Path
    html: Path
    errors: list[ContributorError]
    notes: list[str]
    stages: list[str]

    def __new__(cls, xlsx: Path, html: Path, errors=(), notes=(), stages=()):
        self = super().__new__(cls, (xlsx, html))
        self.xlsx, self.html = xlsx, html
        self.errors, self.notes, self.stages = list(errors), list(notes), list(stages)
        return self

    def __getnewargs__(self):  # pickles (batch runs pass results between processes)
        return (self.xlsx, self.html)

    @property
    def ok(self) -> bool:
        return not self.errors


def deliverable_paths(engagement, workspace: Workspace) -> tuple[Path, Path]:
    """Where the workbook and the report go: ``deliverables/<slug>_kam_audit.{xlsx,html}``."""
    base = Path(workspace.deliverables_dir) / f"{engagement.slug}_kam_audit"
    return base.with_suffix(".xlsx"), base.with_suffix(".html")


# ----------------------------------------------------------------- contributors


def collect_reports(
    ctx: ReportContext, stages=STAGE_CONTRIBUTORS
) -> tuple[list[StageReport], list[ContributorError]]:
    """Call every stage contributor that exists; failures become warning sections."""
    reports: list[StageReport] = []
    errors: list[ContributorError] = []
    for stage in stages:
        module_name = f"{__package__}.{stage}"
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:  # the contributor does not exist (yet)
                log.debug("no contributor for %s", stage)
                continue
            errors.append(_failed(ctx, stage, exc, reports))
            continue
        except Exception as exc:  # a contributor that does not even import
            errors.append(_failed(ctx, stage, exc, reports))
            continue
        build = getattr(module, "build", None)
        if build is None:
            errors.append(
                _failed(ctx, stage, AttributeError(f"{module_name} has no build(ctx)"), reports)
            )
            continue
        started = time.perf_counter()
        try:
            report = build(ctx)
        except Exception as exc:
            errors.append(_failed(ctx, stage, exc, reports))
            continue
        if report is None:
            continue
        if not isinstance(report, StageReport):
            errors.append(
                _failed(
                    ctx,
                    stage,
                    TypeError(f"build(ctx) returned {type(report).__name__}, not a StageReport"),
                    reports,
                )
            )
            continue
        log.info(
            "%s contributed %d sheet(s) in %.2f s",
            stage,
            len(report.sheets),
            time.perf_counter() - started,
        )
        reports.append(report)
    return reports, errors


def mark_freshness(ctx: ReportContext, reports: list[StageReport]) -> list[StageReport]:
    """Say on each section whether it is from this run, an earlier current run, or stale,
    and add a short section for each stage that has not run.

    Reads ``sections`` of the workspace manifest (the runner writes it before the
    deliverables); when every stage ran now, or there is no manifest (a workspace built
    by hand), nothing is added.
    """
    states = (ctx.workspace.read_manifest() or {}).get("sections") or {}
    if not states or all(v == RAN_NOW for v in states.values()):
        return reports
    t = ctx.t
    kinds = {RAN_NOW: "note", CURRENT: "note", STALE: "warning"}
    keys = {RAN_NOW: "ran_now", CURRENT: "current", STALE: "stale", NOT_RUN: "not_run"}
    out = []
    for report in reports:
        state = states.get(report.stage)
        if state in kinds:
            title = report.section.title
            note = Text(t(f"report.section_{keys[state]}", section=title), kind=kinds[state])
            report.section.blocks.insert(0, note)
            if state == STALE:
                report.summary.insert(0, f"{title}: {note.text}")
        out.append(report)
    done = {r.stage for r in reports}
    for stage in STAGES:
        if states.get(stage) == NOT_RUN and stage not in done:
            title = t(f"report.stage_{stage}")
            text = Text(t("report.section_not_run", section=title), kind="warning")
            out.append(
                StageReport(stage=stage, section=Section(id=stage, title=title, blocks=[text]))
            )
    return out


def _failed(
    ctx: ReportContext, stage: str, exc: BaseException, reports: list[StageReport]
) -> ContributorError:
    message = f"{type(exc).__name__}: {exc}".strip()
    if len(message) > 300:
        message = message[:297] + "..."
    tb = "".join(traceback.format_exception(exc))
    log.error("The %s part of the deliverables failed: %s\n%s", stage, message, tb)
    title = ctx.t(f"stages.{stage}", default=stage.replace("_", " ").capitalize())
    reports.append(
        StageReport(
            stage=stage,
            section=Section(
                id=stage,
                title=title,
                blocks=[
                    Text(
                        ctx.t("report.contributor_failed", stage=title, error=message),
                        kind="warning",
                    )
                ],
            ),
        )
    )
    return ContributorError(stage=stage, error=message, traceback=tb)


# ----------------------------------------------------------------- fallback


def table_summary(workspace: Workspace) -> pd.DataFrame:
    """Each table in the workspace with its row and column counts (from parquet metadata)."""
    import pyarrow.parquet as pq

    rows = []
    for name in workspace.tables():
        try:
            meta = pq.ParquetFile(workspace.table_path(name)).metadata
            rows.append({"table": name, "rows_n": meta.num_rows, "columns_n": meta.num_columns})
        except Exception as exc:  # a damaged file is reported, not fatal
            log.warning("cannot read %s: %s", name, exc)
            rows.append({"table": name, "rows_n": None, "columns_n": None})
    df = pd.DataFrame(rows, columns=["table", "rows_n", "columns_n"])
    return df.astype({"table": "str", "rows_n": "Int64", "columns_n": "Int64"})


def data_on_hand_report(ctx: ReportContext) -> StageReport:
    """The fallback section: the engagement and the tables the workspace holds."""
    t = ctx.t
    df = table_summary(ctx.workspace)
    inputs = ctx.engagement.inputs
    df["file"] = [str(inputs[n].path.name) if n in inputs else "" for n in df["table"]]
    formats = {"table": "text", "rows_n": "int", "columns_n": "int", "file": "text"}
    labels = {"file": t("columns.file", default="File")}
    total = int(df["rows_n"].fillna(0).sum()) if len(df) else 0
    blocks = [Text(t("data_on_hand.intro"))]
    if df.empty:
        blocks.append(Text(t("data_on_hand.none"), kind="note"))
        summary = [t("data_on_hand.none")]
    else:
        summary = [
            t("data_on_hand.summary", tables=ctx.fmt.number(len(df)), rows=ctx.fmt.number(total))
        ]
        blocks += [
            KeyFigures(
                [
                    (t("data_on_hand.tables_n"), ctx.fmt.number(len(df))),
                    (t("data_on_hand.rows_n"), ctx.fmt.number(total)),
                ]
            ),
            Table(df=df, formats=formats, column_labels=labels, max_rows=len(df)),
        ]
    return StageReport(
        stage="data_on_hand",
        section=Section(id="data_on_hand", title=t("data_on_hand.title"), blocks=blocks),
        sheets=[
            Sheet(
                key="data_on_hand",
                name=t("data_on_hand.sheet"),
                df=df,
                title=t("data_on_hand.title"),
                note=t("data_on_hand.note"),
                formats=formats,
                column_labels=labels,
            )
        ],
        summary=summary,
    )


# ----------------------------------------------------------------- the build


def _shareable(path: Path) -> None:
    """rw-r--r--: temporary files are created 0600, a client deliverable is meant to be shared."""
    with contextlib.suppress(OSError):  # e.g. a file system without modes
        os.chmod(path, 0o644)


def _print(html_path: Path, notes: list[str]) -> Path | None:
    """The report's PDF beside it (Chromium), or None; a failed print is a note."""
    from .pdf import PrintError, print_pdf

    started = time.perf_counter()
    try:
        path = print_pdf(html_path)
    except PrintError as exc:
        notes.append(f"No PDF of the report: {exc}")
        return None
    if path is not None:
        log.info("report printed in %.2f s: %s", time.perf_counter() - started, path)
    return path


def build_deliverables(
    engagement, workspace, run_date: dt.date | None = None, pdf: bool = False
) -> Deliverables:
    """Write ``deliverables/<slug>_kam_audit.xlsx`` and ``.html`` for what the workspace holds.

    Returns
    -------
    Deliverables
        ``(xlsx_path, html_path)``; ``.errors`` lists contributors that failed (their
        sections carry a warning), ``.notes`` what the writers had to change.
    """
    from .html import write_report
    from .workbook import write_workbook

    if not isinstance(workspace, Workspace):
        workspace = Workspace(workspace)
    workspace.ensure()
    ctx = ReportContext(engagement, workspace)
    reports, errors = collect_reports(ctx)
    if not any(r.stage == "intake" for r in reports):
        reports.insert(0, data_on_hand_report(ctx))
    reports = mark_freshness(ctx, reports)
    xlsx_path, html_path = deliverable_paths(engagement, workspace)
    notes: list[str] = []
    started = time.perf_counter()
    result = write_workbook(xlsx_path, ctx, reports, run_date=run_date)
    notes += result.notes
    errors += [ContributorError(stage=stage, error=sentence) for stage, sentence in result.failed]
    log.info("workbook written in %.2f s: %s", time.perf_counter() - started, xlsx_path)
    started = time.perf_counter()
    write_report(html_path, ctx, reports, run_date=run_date)
    log.info("report written in %.2f s: %s", time.perf_counter() - started, html_path)
    pdf_path = _print(html_path, notes) if pdf and engagement.report.pdf else None
    for path in (xlsx_path, html_path, pdf_path):
        if path is not None:
            _shareable(path)
    from .working_papers import write_settings_paper

    write_settings_paper(ctx, workspace.notebooks_dir)
    for note in notes:
        log.warning(note)
    workspace.write_json(
        STATUS_JSON,
        {
            "xlsx": str(xlsx_path),
            "html": str(html_path),
            "pdf": str(pdf_path) if pdf_path else None,
            "stages": [r.stage for r in reports],
            "errors": [asdict(e) for e in errors],
            "notes": notes,
        },
    )
    return Deliverables(
        xlsx_path, html_path, errors=errors, notes=notes, stages=[r.stage for r in reports]
    )
