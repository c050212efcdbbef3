"""What a stage hands to the deliverables: sheets for the workbook, a section for the report.

A stage's contributor (``kamaudit/deliverables/<stage>.py``) has one function::

    def build(ctx: ReportContext) -> StageReport | None

It reads the stage's results from ``ctx.workspace`` (``None`` when the stage has not run)
and describes content; the workbook and HTML writers decide how it looks. Every word a
client reads comes from ``ctx.t(key, **values)`` (the message catalog of the engagement's
language); numbers in sentences go through ``ctx.fmt``.

Column formats are kinds, not Excel codes: ``money``, ``money0`` (no decimals), ``pct``
(a number 0-100 shown with %), ``ratio`` (0-1 shown as %), ``int``, ``float``, ``score``
(one decimal), ``date``, ``text``. Columns not listed get a kind from their name:
``*_pct`` pct, ``*_n``/``*_count``/``*_days`` int, ``*_date`` date, money-like names
(revenue, profit, margin, amount, cost, cts_*, sales, discounts, rebates, cogs) money.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from .values import FormatKind, infer_format  # noqa: F401  (the one formatter)


@dataclass
class ChartSpec:
    """A native Excel chart (drawn by :mod:`kamaudit.deliverables.native_charts`).

    ``x`` is a column name; ``y`` one or more columns. ``kind``: line, bar, scatter,
    bubble (``size`` names the column that sizes the bubbles) or waterfall (``x`` the
    step label, ``y[0]`` the signed amount, a ``kind`` column ``total``/``step``).
    The chart plots the sheet's table, or ``data`` when given (written beside the chart,
    under ``data_title``, with headers ``data_labels``: the series' names). A scatter
    with ``group`` has one series per value, coloured by ``colors`` (hex, by value);
    ``lines`` are dashed reference lines ``(label, x0, y0, x1, y1)`` (a quadrant
    matrix's dividing lines); ``x_range``/``y_range`` fix an axis's ends (rounded out to
    a round step).
    """

    kind: Literal["line", "bar", "scatter", "bubble", "waterfall"]
    x: str
    y: list[str]
    title: str = ""
    x_title: str = ""
    y_title: str = ""
    size: str = ""
    group: str = ""
    data: pd.DataFrame | None = None
    data_title: str = ""
    data_labels: dict[str, str] = field(default_factory=dict)
    colors: dict[str, str] = field(default_factory=dict)
    lines: list[tuple[str, float, float, float, float]] = field(default_factory=list)
    x_range: tuple[float, float] | None = None
    y_range: tuple[float, float] | None = None


@dataclass
class Sheet:
    """One workbook sheet: a heading, an explanation and a real Excel table.

    ``name`` is the tab name (at most 31 characters, already translated);
    ``key`` a stable identifier (``"customer_pnl"``) used for the table name and tests.
    """

    key: str
    name: str
    df: pd.DataFrame
    title: str = ""
    note: str = ""
    formats: dict[str, FormatKind] = field(default_factory=dict)
    chart: ChartSpec | None = None
    column_labels: dict[str, str] = field(default_factory=dict)
    conditional: dict[str, Literal["neg_red", "scale", "bar", "whole"]] = field(
        default_factory=dict
    )

    def format_of(self, column: str) -> FormatKind:
        return self.formats.get(column) or infer_format(column, self.df[column].dtype)


# ------------------------------------------------------------------ HTML blocks


@dataclass
class Text:
    """A paragraph. ``kind``: ``p`` plain, ``finding`` highlighted, ``warning``, ``note``."""

    text: str
    kind: Literal["p", "finding", "warning", "note"] = "p"


@dataclass
class Heading:
    text: str
    level: Literal[3, 4] = 3


@dataclass
class Bullets:
    items: list[str]


@dataclass
class Table:
    """A table; long ones are cut to ``max_rows`` with a line saying so."""

    df: pd.DataFrame
    caption: str = ""
    formats: dict[str, FormatKind] = field(default_factory=dict)
    column_labels: dict[str, str] = field(default_factory=dict)
    max_rows: int | None = None

    def format_of(self, column: str) -> FormatKind:
        return self.formats.get(column) or infer_format(column, self.df[column].dtype)


@dataclass
class Figure:
    """A chart rendered once to PNG (``ctx.figure(...)`` returns it)."""

    png: bytes
    alt: str
    caption: str = ""


@dataclass
class KeyFigures:
    """A row of headline numbers: (label, already formatted value)."""

    items: list[tuple[str, str]]


@dataclass
class ScoreBar:
    """One row of :class:`ScoreBars`: a criterion's score (``low``-``high``) and weight.

    ``axis`` is ``"attractiveness"`` or ``"strength"`` (the bar's colour); ``missing``
    marks a criterion that scored neutral for lack of data (a striped bar and a marker).
    """

    label: str
    axis: str
    score: float
    weight: float
    missing: bool = False


@dataclass
class ScoreBars:
    """Scores by criterion drawn as HTML bars by the report template (no image).

    ``legend`` is ``(axis, label)`` in the order shown; ``missing_label`` is both the
    legend entry and the row marker for a neutral score without data; ``caption`` names
    the chart (a screen reader announces it); ``header`` the two column labels read out
    by a screen reader (criterion and weight, score); ``note`` explains the scale.
    Bars start at ``low``; ``neutral`` (``None``: none) is drawn as a dashed line.
    """

    rows: list[ScoreBar]
    legend: list[tuple[str, str]]
    caption: str
    missing_label: str = ""
    header: tuple[str, str] = ("", "")
    note: str = ""
    low: float = 1.0
    high: float = 10.0
    neutral: float | None = 5.5


@dataclass
class Card:
    """A profile card: a title, label/value pairs, optional scores and bullet lists.

    ``scores`` (bars the template draws) replaces ``figure`` (a PNG) for the criterion
    scores; a card may carry either, both or neither.
    """

    title: str
    subtitle: str = ""
    fields: list[tuple[str, str]] = field(default_factory=list)
    figure: Figure | None = None
    lists: list[tuple[str, list[str]]] = field(default_factory=list)
    scores: ScoreBars | None = None


Block = Text | Heading | Bullets | Table | Figure | KeyFigures | Card


@dataclass
class Section:
    """One report section (a stage). ``id`` is the anchor used by the table of contents."""

    id: str
    title: str
    blocks: list[Block] = field(default_factory=list)


@dataclass
class StageReport:
    """A stage's contribution to both deliverables.

    ``summary``: one to four plain sentences for the executive summary.
    ``headline``: blocks for the executive summary's page after the answers (the
    synthesis's top actions); most stages leave it empty.
    """

    stage: str
    section: Section
    sheets: list[Sheet] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)
    headline: list[Block] = field(default_factory=list)
    summary_title: str = ""
    """The summary's heading when it is not the section's title (what the figures rest on)."""
    answer_notes: dict[str, str] = field(default_factory=dict)
    """Per answer stage, what its figures rest on when not the data alone: the first line
    of that answer on the first page (the synthesis's evidence)."""
