"""Native Excel charts for the workbook's sheets (openpyxl), from a :class:`ChartSpec`.

A chart plots the sheet's table, or its own rows (``ChartSpec.data``) when the table is
not in the shape the chart needs: those rows are written beside the chart, below it and
outside the print area, under the header ``ChartSpec.data_title`` (a consultant who edits
them sees the chart follow). Kinds:

- ``line``, ``bar`` (columns): ``x`` the categories, one series per ``y`` column;
- ``scatter``: one series per ``y`` column, or per value of ``group`` (each group a colour
  of ``colors``), and a dashed series per reference line of ``lines`` (a quadrant
  matrix's dividing lines: Shapiro's price × cost-to-serve matrix), its two points
  written beside the chart's rows;
- ``bubble``: as scatter, sized by ``size``;
- ``waterfall``: rows ``x`` (step label), ``y[0]`` (signed amount) and ``kind``
  (``total`` bars stand on zero; ``step`` bars float from the running level). Excel has
  no waterfall type in the format openpyxl writes: it is a stacked column chart whose
  first series, the floating bars' base, is invisible, and whose coloured series are the
  subtotals, increases and decreases (a bar that crosses zero is split into a part above
  and a part below, drawn in the same colour with no legend entry of its own).

Every chart's axes are kept (openpyxl would otherwise write them as deleted, and Excel
hides them); fixed axis ends are rounded out to a round step (1, 2, 2.5 or 5 times a power
of ten), which is also the distance between ticks, and a vertical or horizontal reference
line spans its axis; titles come translated in the spec and
are set at a size that leaves the plot most of the chart.
"""

from __future__ import annotations

import math

import pandas as pd
from openpyxl.chart import BarChart, BubbleChart, LineChart, Reference, ScatterChart, Series
from openpyxl.chart.legend import LegendEntry
from openpyxl.chart.marker import Marker
from openpyxl.chart.series import SeriesLabel
from openpyxl.chart.shapes import GraphicalProperties
from openpyxl.chart.text import RichText, Text
from openpyxl.chart.title import Title
from openpyxl.drawing.text import (
    CharacterProperties,
    Paragraph,
    ParagraphProperties,
    RegularTextRun,
)
from openpyxl.utils import get_column_letter

from .model import ChartSpec


def set_text(cell, value) -> bool:  # the workbook's: text is never a formula
    from .workbook import set_text as _set

    return _set(cell, value)


CHART_ROWS = 20
"""Rows the chart covers (height 9 cm): a chart's own data starts below it."""
WATERFALL_COLORS = {"subtotal": "37474F", "increase": "2E7D32", "decrease": "C62828"}
"""Colours of the waterfall's bars (the HTML chart's)."""
REFERENCE_COLOR = "616161"
"""Colour of the dashed reference lines."""
_MONEY_FORMAT = "#,##0"
TITLE_SIZE, AXIS_TITLE_SIZE = 1200, 900
"""Font sizes (hundredths of a point) of a chart's title and its axis titles."""


def add_chart(ws, spec, header_row: int, notes: list[str]) -> None:
    """Draw ``spec.chart`` (a :class:`ChartSpec`) on ``ws`` beside the sheet's table.

    ``spec`` is the :class:`~kamaudit.deliverables.model.Sheet`; a chart naming a column
    its data lacks is skipped and the skip is told in ``notes``.
    """
    chart_spec: ChartSpec | None = spec.chart
    if chart_spec is None or spec.df.empty:
        return
    own = chart_spec.data is not None
    df = chart_spec.data if own else spec.df
    if df is None or df.empty:
        return
    wanted = [chart_spec.x, *chart_spec.y, chart_spec.size, chart_spec.group]
    if chart_spec.kind == "waterfall":
        wanted.append("kind")
    missing = [c for c in wanted if c and c not in df.columns]
    if missing:
        notes.append(f"Sheet {ws.title!r}: chart skipped, no column(s) {missing}.")
        return
    anchor_col = len(spec.df.columns) + 2
    if chart_spec.kind == "waterfall":
        df = waterfall_frame(df, chart_spec)
    elif chart_spec.group:
        order = list(dict.fromkeys(df[chart_spec.group]))
        rank = df[chart_spec.group].map({g: i for i, g in enumerate(order)})
        df = df.assign(_rank=rank).sort_values("_rank", kind="stable").drop(columns="_rank")
    if own or chart_spec.kind == "waterfall":
        top = header_row + CHART_ROWS + 1
        if chart_spec.data_title:
            set_text(ws.cell(row=top - 1, column=anchor_col), chart_spec.data_title)
        _write_block(ws, df, top, anchor_col, chart_spec.data_labels)
        first_row, first_col = top, anchor_col
    else:
        first_row, first_col = header_row, 1
    chart = _build(ws, df, chart_spec, first_row, first_col)
    ends = {}
    for name, axis, rng in (
        ("x", chart.x_axis, chart_spec.x_range),
        ("y", chart.y_axis, chart_spec.y_range),
    ):
        if rng is not None:
            lo, hi, step = nice_range(*rng)
            axis.scaling.min, axis.scaling.max, axis.majorUnit = lo, hi, step
            axis.number_format = "0" if step >= 1 else "0.0"
            ends[name] = (lo, hi)
    if chart_spec.lines:
        lines = [_span(line, ends) for line in chart_spec.lines]
        _reference_lines(
            ws, chart, lines, header_row + CHART_ROWS + 1, anchor_col + len(df.columns) + 1
        )
    chart.title = _title(chart_spec.title, TITLE_SIZE)
    chart.x_axis.title = _title(chart_spec.x_title, AXIS_TITLE_SIZE)
    chart.y_axis.title = _title(chart_spec.y_title, AXIS_TITLE_SIZE)
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.height, chart.width = 9, 18
    if len(chart.series) == 1:
        chart.legend = None
    elif chart.legend is not None:
        chart.legend.position = "b"
    ws.add_chart(chart, f"{get_column_letter(anchor_col)}{header_row}")


def nice_range(lo: float, hi: float, ticks: int = 6) -> tuple[float, float, float]:
    """``lo``..``hi`` rounded out to a round step (1, 2, 2.5 or 5 × 10^k), and the step.

    >>> nice_range(0.0, 140.0)
    (0.0, 150.0, 25.0)
    >>> nice_range(2.4, 37.4)
    (0.0, 40.0, 10.0)
    """
    span = max(hi - lo, 1e-9)
    raw = span / ticks
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    step = float(step)
    return float(math.floor(lo / step) * step), float(math.ceil(hi / step) * step), step


def _title(text: str, size: int) -> Title | None:
    """A chart or axis title at ``size`` (bold), or None for no title."""
    if not text:
        return None
    props = CharacterProperties(sz=size, b=True)
    para = Paragraph(pPr=ParagraphProperties(defRPr=props), r=[RegularTextRun(rPr=props, t=text)])
    return Title(tx=Text(rich=RichText(p=[para])), overlay=False)


def _span(line, ends: dict[str, tuple[float, float]]):
    """A vertical or horizontal reference line stretched across its fixed axis."""
    label, x0, y0, x1, y1 = line
    if x0 == x1 and "y" in ends:
        y0, y1 = ends["y"]
    elif y0 == y1 and "x" in ends:
        x0, x1 = ends["x"]
    return label, x0, y0, x1, y1


def _reference_lines(ws, chart, lines, top: int, col: int) -> None:
    """Each ``(label, x0, y0, x1, y1)`` as a dashed two-point series; its points are
    written at ``top`` (label), then x and y of each end, two columns a line."""
    for k, (label, x0, y0, x1, y1) in enumerate(lines):
        c = col + 2 * k
        if not all(math.isfinite(v) for v in (x0, y0, x1, y1)):
            continue
        set_text(ws.cell(row=top, column=c), label)
        for i, (x, y) in enumerate(((x0, y0), (x1, y1)), start=1):
            ws.cell(row=top + i, column=c, value=float(x))
            ws.cell(row=top + i, column=c + 1, value=float(y))
        series = Series(_ref(ws, c + 1, top + 1, top + 2), _ref(ws, c, top + 1, top + 2))
        series.tx = SeriesLabel(v=label)
        series.marker = Marker(symbol="none")
        series.smooth = False
        line = series.graphicalProperties.line
        line.solidFill, line.prstDash, line.width = REFERENCE_COLOR, "dash", 12700
        chart.series.append(series)


def _write_block(ws, df: pd.DataFrame, top: int, col: int, labels: dict[str, str]) -> None:
    """``df`` with a header row at ``top``: numbers as numbers, text as text."""
    formats = []
    for j, name in enumerate(df.columns):
        set_text(ws.cell(row=top, column=col + j), labels.get(name, name))
        width = 28 if df[name].dtype == object else 14
        ws.column_dimensions[get_column_letter(col + j)].width = width
        big = pd.api.types.is_numeric_dtype(df[name]) and (df[name].abs() >= 1000).any()
        formats.append(_MONEY_FORMAT if big else "0.0")  # amounts whole, percentages 0.0
    for i, row in enumerate(df.itertuples(index=False), start=1):
        for j, v in enumerate(row):
            if v is None or (isinstance(v, float) and not math.isfinite(v)):
                continue
            cell = ws.cell(row=top + i, column=col + j)
            if isinstance(v, str):
                set_text(cell, v)
            else:
                cell.value = float(v) if not isinstance(v, bool) else v
                cell.number_format = formats[j]


def waterfall_frame(steps: pd.DataFrame, spec: ChartSpec) -> pd.DataFrame:
    """The stacked columns of a waterfall: label, amount, base, then one column per colour
    (``subtotal``, ``increase``, ``decrease``) and, where a bar crosses zero, its part
    below zero (``<colour>_below``). Colours no bar uses are left out.

    >>> s = pd.DataFrame({"label": ["Sales", "Cost", "Profit"], "value": [100.0, -130.0, -30.0],
    ...                   "kind": ["total", "step", "total"]})
    >>> waterfall_frame(s, ChartSpec("waterfall", "label", ["value"])).iloc[1].to_dict()
    ... # doctest: +NORMALIZE_WHITESPACE
    {'label': 'Cost', 'value': -130.0, 'base': 0.0, 'subtotal': nan, 'decrease': 100.0,
     'decrease_below': -30.0}
    """
    rows, level = [], 0.0
    for label, value, kind in zip(
        steps[spec.x], steps[spec.y[0]].astype(float), steps["kind"], strict=True
    ):
        if kind == "total":
            start, end, colour = 0.0, value, "subtotal"
            level = value
        else:
            start, end = level, level + value
            colour = "increase" if value >= 0 else "decrease"
            level = end
        lo, hi = min(start, end), max(start, end)
        row = {"label": label, "value": value, "base": 0.0}
        if lo >= 0:
            row["base"], row[colour] = lo, hi - lo
        elif hi <= 0:
            row["base"], row[colour] = hi, lo - hi
        else:
            row[colour], row[f"{colour}_below"] = hi, lo
        rows.append(row)
    out = pd.DataFrame(rows)
    order = ["label", "value", "base"]
    for colour in WATERFALL_COLORS:
        order += [c for c in (colour, f"{colour}_below") if c in out.columns]
    return out[order]


def _ref(ws, col: int, first: int, last: int) -> Reference:
    return Reference(ws, min_col=col, min_row=first, max_row=last)


def _build(ws, df: pd.DataFrame, cs: ChartSpec, top: int, left: int):
    """The openpyxl chart over ``df`` written with its header at row ``top``, column ``left``."""
    cols = list(df.columns)
    last = top + len(df)

    def col(name: str) -> int:
        return left + cols.index(name)

    if cs.kind == "waterfall":
        return _waterfall(ws, df, top, left)
    xref = _ref(ws, col(cs.x), top + 1, last)
    if cs.kind == "bubble":
        chart = BubbleChart()
        chart.style = 18
        zref = _ref(ws, col(cs.size or cs.y[0]), top + 1, last)
        for y in cs.y:
            yref = _ref(ws, col(y), top, last)
            chart.series.append(
                Series(values=yref, xvalues=xref, zvalues=zref, title_from_data=True)
            )
        chart.bubbleScale = 30
        return chart
    if cs.kind == "scatter":
        chart = ScatterChart()
        chart.style = 13
        if cs.group:
            _group_series(ws, df, cs, chart, top, col)
        else:
            for y in cs.y:
                series = Series(_ref(ws, col(y), top, last), xref, title_from_data=True)
                _markers(series, None)
                chart.series.append(series)
        return chart
    chart = LineChart() if cs.kind == "line" else BarChart()
    if cs.kind == "bar":
        chart.type = "col"
    for y in cs.y:
        chart.add_data(_ref(ws, col(y), top, last), titles_from_data=True)
    chart.set_categories(xref)
    return chart


def _markers(series, colour: str | None) -> None:
    series.marker = Marker(symbol="circle", size=5)
    series.graphicalProperties.line.noFill = True
    if colour:
        series.marker.graphicalProperties = GraphicalProperties(solidFill=colour)
        series.marker.graphicalProperties.line.solidFill = colour


def _group_series(ws, df: pd.DataFrame, cs: ChartSpec, chart, top: int, col) -> None:
    """One scatter series per value of ``cs.group`` (rows already contiguous by group)."""
    groups = df[cs.group].tolist()
    start = 0
    while start < len(groups):
        end = start
        while end + 1 < len(groups) and groups[end + 1] == groups[start]:
            end += 1
        first, last = top + 1 + start, top + 1 + end
        series = Series(_ref(ws, col(cs.y[0]), first, last), _ref(ws, col(cs.x), first, last))
        series.tx = SeriesLabel(v=str(groups[start]))
        _markers(series, cs.colors.get(str(groups[start])))
        chart.series.append(series)
        start = end + 1


def _waterfall(ws, df: pd.DataFrame, top: int, left: int):
    """Stacked columns: an invisible base, then the coloured bars (see the module text)."""
    cols = list(df.columns)
    last = top + len(df)
    chart = BarChart()
    chart.type = "col"
    chart.grouping = "stacked"
    chart.overlap = 100
    chart.gapWidth = 40
    hidden: list[int] = []
    for i, name in enumerate(cols[2:]):
        ref = _ref(ws, left + cols.index(name), top, last)
        chart.add_data(ref, titles_from_data=True)
        series = chart.series[-1]
        colour = WATERFALL_COLORS.get(name.removesuffix("_below"))
        if colour is None:  # the base
            series.graphicalProperties.noFill = True
            series.graphicalProperties.line.noFill = True
        else:
            series.graphicalProperties.solidFill = colour
            series.graphicalProperties.line.solidFill = colour
        if colour is None or name.endswith("_below"):
            hidden.append(i)
    chart.set_categories(_ref(ws, left, top + 1, last))  # the step labels
    chart.y_axis.number_format = _MONEY_FORMAT
    chart.legend.legendEntry = [LegendEntry(idx=i, delete=True) for i in hidden]
    chart.legend.position = "b"
    return chart


def waterfall_labels(t, step: str, amount: str) -> dict[str, str]:
    """Headers of a waterfall's data block (the legend's words): ``t`` the catalog's."""
    words = {c: t(f"charts.{c}") for c in WATERFALL_COLORS}
    return {
        "label": step,
        "value": amount,
        "base": "",
        **words,
        **{f"{c}_below": w for c, w in words.items()},
    }
