"""The client's HTML report: one self-contained file from ``templates/report.html.j2``.

The page carries its CSS inline and its charts as ``data:image/png;base64`` images (the
cards' score bars are plain HTML and CSS); it loads nothing from anywhere (a
Content-Security-Policy in the page forbids it too). Jinja2 autoescaping is on, and this
module never marks client data safe: every value a stage hands over is escaped. Numbers
and dates are formatted for the engagement's locale via ``ctx.fmt``; Persian pages are
right-to-left.
"""

from __future__ import annotations

import base64
import datetime as dt
import logging
import re
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from ..resources import templates_dir
from ..workspace import write_text_atomic
from .model import (
    Bullets,
    Card,
    Figure,
    Heading,
    KeyFigures,
    ScoreBars,
    Section,
    StageReport,
    Table,
    Text,
)
from .values import format_value, labelled

log = logging.getLogger(__name__)

TEMPLATE_NAME = "report.html.j2"
PORTRAIT_MAX_COLUMNS = 8
"""A table with more columns prints on a landscape A4 page of its own (``.wide``)."""
ANSWER_STAGES = ("cost_to_serve", "account_profile", "team_design")
EVIDENCE_STAGE = "synthesis"
"""Its summary is what the figures rest on: on the first page, after the top actions."""
"""The three answers the executive summary opens with, in this order."""
CLIENT_ORDER = (*ANSWER_STAGES, "synthesis")
"""Sections in the order a client reads them: the answers, the actions; then the rest
(the data received, data on hand, stages not run) in the order the stages run."""
_NUMERIC_KINDS = {"money", "money0", "pct", "ratio", "int", "float", "score"}


def _environment(folder: Path) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(folder)),
        autoescape=True,  # every template, whatever its extension
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return env


def anchor_id(text: str, used: set[str]) -> str:
    """A valid, unique HTML id from a section id (``"cost_to_serve"`` stays as it is)."""
    base = re.sub(r"[^A-Za-z0-9_-]+", "-", str(text)).strip("-") or "section"
    if not base[0].isalpha():
        base = "s-" + base
    candidate, n = base, 2
    while candidate in used:
        candidate = f"{base}-{n}"
        n += 1
    used.add(candidate)
    return candidate


# ----------------------------------------------------------------- cells


def format_cell(value, kind: str, fmt, t) -> str:
    """One table value as the client reads it (:func:`values.format_value`)."""
    return format_value(value, kind, fmt, t)


def _table_view(block: Table, ctx, max_rows_default: int) -> dict:
    df = labelled(block.df, ctx.catalog)
    limit = block.max_rows if block.max_rows is not None else max_rows_default
    total = len(df)
    shown_df = df.head(limit) if limit and total > limit else df
    kinds = [block.format_of(c) for c in df.columns]
    headers = []
    for c, kind in zip(df.columns, kinds, strict=True):
        label = block.column_labels.get(c) or ctx.catalog.column(str(c))
        currency = ctx.catalog.currency
        if kind in ("money", "money0") and currency and currency not in label:
            label = f"{label} ({currency})"
        headers.append({"text": label, "num": kind in _NUMERIC_KINDS})
    columns = [shown_df[c].tolist() for c in df.columns]
    rows = []
    for i in range(len(shown_df)):
        row = []
        for j, kind in enumerate(kinds):
            v = columns[j][i]
            row.append(
                {
                    "text": format_cell(v, kind, ctx.fmt, ctx.t),
                    "num": kind in _NUMERIC_KINDS,
                    "date": kind == "date",
                    "neg": kind in _NUMERIC_KINDS and _is_negative(v),
                }
            )
        rows.append(row)
    cut = ""
    if len(shown_df) < total:
        cut = ctx.t(
            "report.rows_cut", shown=ctx.fmt.number(len(shown_df)), total=ctx.fmt.number(total)
        )
    return {
        "type": "table",
        "caption": block.caption,
        "headers": headers,
        "rows": rows,
        "cut": cut,
        "empty": ctx.t("report.empty_table") if total == 0 else "",
        "wide": len(headers) > PORTRAIT_MAX_COLUMNS,
    }


def _is_negative(v) -> bool:
    try:
        return float(v) < 0
    except (TypeError, ValueError):
        return False


def _figure_view(fig: Figure) -> dict:
    return {
        "type": "figure",
        "src": "data:image/png;base64," + base64.b64encode(fig.png).decode("ascii"),
        "alt": fig.alt,
        "caption": fig.caption,
    }


_AXIS_CLASS = {"attractiveness": "attr", "strength": "strength"}


def _share(x: float, low: float, high: float) -> str:
    """Where ``x`` lies between ``low`` and ``high``, as a CSS percentage (0-100)."""
    try:
        share = (float(x) - low) / (high - low)
    except (TypeError, ValueError, ZeroDivisionError):
        return "0"
    if share != share:  # NaN
        return "0"
    return f"{100 * min(1.0, max(0.0, share)):.1f}"


def _weight_text(w, fmt) -> str:
    """A weight as written in the engagement file: 25, 7.5, 12.25 (locale digits)."""
    try:
        w = float(w)
    except (TypeError, ValueError):
        return str(w)
    decimals = next((d for d in (0, 1, 2) if round(w, d) == w), 2)
    return fmt.number(w, decimals)


def _score_bars_view(sb: ScoreBars, ctx) -> dict:
    """Bars as plain data: widths are numbers computed here, every text is escaped later."""
    fmt = ctx.fmt
    rows = [
        {
            "label": str(r.label),
            "weight": _weight_text(r.weight, fmt),
            "score": fmt.number(r.score, 1),
            "width": _share(r.score, sb.low, sb.high),
            "axis": _AXIS_CLASS.get(str(r.axis), "other"),
            "missing": bool(r.missing),
        }
        for r in sb.rows
    ]
    order = list(dict.fromkeys(r["axis"] for r in rows))  # the legend reads as the bars do
    legend = sorted(
        (
            {"axis": _AXIS_CLASS.get(str(a), "other"), "label": str(label)}
            for a, label in sb.legend
            if _AXIS_CLASS.get(str(a), "other") in order
        ),
        key=lambda item: order.index(item["axis"]),
    )
    return {
        "caption": str(sb.caption),
        "header": (str(sb.header[0]), str(sb.header[1])),
        "rows": rows,
        "legend": legend,
        "missing_label": str(sb.missing_label),
        "any_missing": any(r["missing"] for r in rows),
        "neutral": None if sb.neutral is None else _share(sb.neutral, sb.low, sb.high),
        "note": str(sb.note),
    }


def block_view(block, ctx, max_rows: int) -> dict:
    """A block of ``model.py`` as plain data for the template."""
    if isinstance(block, Text):
        return {"type": "text", "kind": block.kind, "text": block.text}
    if isinstance(block, Heading):
        return {"type": "heading", "level": 4 if block.level == 4 else 3, "text": block.text}
    if isinstance(block, Bullets):
        return {"type": "bullets", "items": [str(i) for i in block.items]}
    if isinstance(block, Table):
        return _table_view(block, ctx, max_rows)
    if isinstance(block, Figure):
        return _figure_view(block)
    if isinstance(block, KeyFigures):
        return {"type": "keyfigures", "items": [(str(a), str(b)) for a, b in block.items]}
    if isinstance(block, Card):
        return {
            "type": "card",
            "title": block.title,
            "subtitle": block.subtitle,
            "fields": [(str(a), str(b)) for a, b in block.fields],
            "figure": _figure_view(block.figure) if block.figure is not None else None,
            "scores": _score_bars_view(block.scores, ctx) if block.scores is not None else None,
            "lists": [(str(a), [str(x) for x in items]) for a, items in block.lists],
        }
    return {"type": "text", "kind": "warning", "text": f"Unknown block {type(block).__name__}"}


def _safe_block_view(block, ctx, max_rows: int, stage: str) -> dict:
    """A block that cannot be rendered becomes a warning; the report is still written."""
    try:
        return block_view(block, ctx, max_rows)
    except Exception as exc:  # noqa: BLE001 - one bad block never loses the report
        log.error("%s: a %s block could not be rendered: %s", stage, type(block).__name__, exc)
        title = ctx.t(f"stages.{stage}", default=stage)
        return {
            "type": "text",
            "kind": "warning",
            "text": ctx.t(
                "report.contributor_failed", stage=title, error=f"{type(exc).__name__}: {exc}"
            ),
        }


def _group_cards(blocks: list[dict], max_cards: int | None = None, ctx=None) -> list[dict]:
    """Consecutive cards share one grid (two or three to a row on a wide screen); a grid
    shows at most ``max_cards`` (in the order given) and says so."""
    out: list[dict] = []
    for b in blocks:
        if b["type"] == "card":
            if out and out[-1]["type"] == "cards":
                out[-1]["cards"].append(b)
            else:
                out.append({"type": "cards", "cards": [b], "cut": ""})
        elif b["type"] == "figure" and out and out[-1]["type"] in ("figure", "figures"):
            # consecutive figures form a group (two to a row on paper)
            if out[-1]["type"] == "figure":
                out[-1] = {"type": "figures", "figures": [out[-1]]}
            out[-1]["figures"].append(b)
        else:
            out.append(b)
    if max_cards is not None:
        for g in out:
            if g["type"] == "cards" and len(g["cards"]) > max_cards:
                total = len(g["cards"])
                g["cards"] = g["cards"][:max_cards]
                g["cut"] = ctx.t(
                    "report.cards_cut",
                    shown=ctx.fmt.number(max_cards),
                    total=ctx.fmt.number(total),
                )
    return out


# ----------------------------------------------------------------- the page


def css_string(text: str) -> str:
    """``text`` for inside a CSS string: every character but ASCII letters and digits as a
    six-digit CSS escape, so client text can neither end the string nor the style sheet.

    >>> css_string('A "b" · c')
    'A\\000020\\000022b\\000022\\000020\\0000b7\\000020c'
    """
    return "".join(c if c.isascii() and c.isalnum() else f"\\{ord(c):06x}" for c in text)


def client_order(reports: list[StageReport]) -> list[StageReport]:
    """Reports in :data:`CLIENT_ORDER`, then the others as they came."""
    rank = {stage: i for i, stage in enumerate(CLIENT_ORDER)}
    return sorted(reports, key=lambda r: rank.get(r.stage, len(rank)))


def summary_parts(reports: list[StageReport]):
    """``(answers, rests_on, later)``: the summaries of :data:`ANSWER_STAGES` first, in
    that order; what the figures rest on (the synthesis's evidence lines, under their own
    title), which follows the top actions on the first page; every other report's summary
    (the data received, stale notes) after."""
    ordered = client_order(reports)

    def part(r: StageReport):
        return (r.summary_title or r.section.title, list(r.summary))

    notes = {k: v for r in ordered for k, v in r.answer_notes.items()}
    answers = [
        (
            r.summary_title or r.section.title,
            [notes[r.stage], *r.summary] if r.stage in notes else list(r.summary),
        )
        for r in ordered
        if r.summary and r.stage in ANSWER_STAGES
    ]
    rests_on = [part(r) for r in ordered if r.summary and r.stage == EVIDENCE_STAGE]
    later = [
        part(r)
        for r in ordered
        if r.summary and r.stage not in ANSWER_STAGES and r.stage != EVIDENCE_STAGE
    ]
    return answers, rests_on, later


def _leads(report: StageReport) -> bool:
    """True when the report's summary opens its own section rather than the first page."""
    return bool(report.summary) and report.stage not in (*ANSWER_STAGES, EVIDENCE_STAGE)


def render_report(
    ctx,
    reports: list[StageReport],
    summary: list[tuple[str, list[str]]] | None = None,
    run_date: dt.date | None = None,
    template: Path | None = None,
) -> str:
    """The report as one HTML string (see :func:`write_report`)."""
    from .. import __version__

    eng = ctx.engagement
    t = ctx.t
    fmt = ctx.fmt
    max_rows = eng.report.max_table_rows_html
    run_date = run_date or dt.date.today()
    folder = template.parent if template else templates_dir()
    env = _environment(folder)
    tpl = env.get_template(template.name if template else TEMPLATE_NAME)

    used = {"contents", "summary", "top", "rests-on"}
    sections = []
    for report in client_order(reports):
        sec: Section = report.section
        sections.append(
            {
                "id": anchor_id(sec.id or report.stage, used),
                "title": sec.title,
                # the data received (and any other non-answer summary) opens its own
                # section, so the first page holds the answers, actions and evidence only
                "lead": list(report.summary) if summary is None and _leads(report) else [],
                "blocks": _group_cards(
                    [_safe_block_view(b, ctx, max_rows, report.stage) for b in sec.blocks],
                    eng.report.max_cards_html,
                    ctx,
                ),
            }
        )
    if summary is None:
        answers, rests_on, _later = summary_parts(reports)
    else:
        answers, rests_on = summary, []
    headline = [_safe_block_view(b, ctx, max_rows, r.stage) for r in reports for b in r.headline]
    period = f"{fmt.date(eng.period.start)} – {fmt.date(eng.period.end)}"
    title = eng.report.title or t("report.title")
    page = {
        "lang": ctx.catalog.language,
        "dir": "rtl" if ctx.catalog.rtl else "ltr",
        "title": title,
        "client": eng.client,
        "period": period,
        "currency": eng.currency_code or "",
        "consultant": eng.report.consultant or "",
        "firm": eng.report.firm or "",
        "marking_css": css_string(
            " · ".join(
                x
                for x in (
                    t(f"report.status_{eng.report.status}"),
                    t("report.confidential") if eng.report.confidential else "",
                    eng.report.firm or "",
                    eng.client,
                )
                if x
            )
        ),
        "status": t(f"report.status_{eng.report.status}"),
        "confidential": t("report.confidential") if eng.report.confidential else "",
        "date": fmt.date(run_date),
        "generated": t("report.generated", date=fmt.date(run_date), version=__version__),
    }
    return tpl.render(
        page=page,
        t=t,
        sections=sections,
        summary=answers,
        headline=headline,
        rests_on=rests_on,
    )


def write_report(path: str | Path, ctx, reports: list[StageReport], **kwargs) -> Path:
    """Render the report and write it atomically to ``path``."""
    html = render_report(ctx, reports, **kwargs)
    return write_text_atomic(path, html)
