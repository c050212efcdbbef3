"""Native workbook charts: the waterfall's stacked columns, grouped scatters with
reference lines, and, on the sample, the Shapiro scatter and the pocket waterfall in Czech
with the currency and the period on the money axis."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from openpyxl.chart import BarChart, ScatterChart

from kamaudit.deliverables import ChartSpec, Section, Sheet, StageReport
from kamaudit.deliverables.context import ReportContext
from kamaudit.deliverables.native_charts import CHART_ROWS, nice_range, waterfall_frame
from kamaudit.deliverables.synthesis import pocket_chart
from kamaudit.deliverables.workbook import HEADER_ROW, write_workbook


def _title(t) -> str:
    """The text of an openpyxl chart or axis title ('' when none)."""
    if t is None or t.tx is None or t.tx.rich is None:
        return ""
    return "".join(r.t for p in t.tx.rich.p for r in (p.r or []))


def _levels(frame: pd.DataFrame) -> list[tuple[float, float]]:
    """(bottom, top) each bar reaches, stacking positives up and negatives down."""
    out = []
    for _, row in frame.iterrows():
        parts = [v for v in row.drop(["label", "value"]).tolist() if pd.notna(v)]
        pos = sum(v for v in parts if v > 0)
        neg = sum(v for v in parts if v < 0)
        out.append((neg, pos))
    return out


def test_waterfall_bars_float_from_the_running_level_and_split_at_zero():
    steps = pd.DataFrame(
        {
            "label": ["Sales", "Discount", "Cost", "Credit", "Profit"],
            "value": [100.0, -30.0, -100.0, 10.0, -20.0],
            "kind": ["total", "step", "step", "step", "total"],
        }
    )
    f = waterfall_frame(steps, ChartSpec("waterfall", "label", ["value"]))
    assert list(f.columns) == [
        "label",
        "value",
        "base",
        "subtotal",
        "increase",
        "decrease",
        "decrease_below",
    ]
    # Cost runs from 70 down to -30: drawn 0..70 above zero and 0..-30 below
    assert f.loc[2, ["base", "decrease", "decrease_below"]].tolist() == [0.0, 70.0, -30.0]
    # Credit runs from -30 up to -20: an invisible base down to -20, the bar below it
    assert f.loc[3, "base"] == -20.0 and f.loc[3, "increase"] == -10.0
    # the visible part of each step spans its move; totals stand on zero
    spans = [(0.0, 100.0), (0.0, 100.0), (-30.0, 70.0), (-30.0, 0.0), (-20.0, 0.0)]
    assert _levels(f) == spans


def test_nice_range_rounds_out_to_a_round_step():
    assert nice_range(-21.1, 163.4) == (-50.0, 200.0, 50.0)
    assert nice_range(0.0, 140.0) == (0.0, 150.0, 25.0)
    lo, hi, step = nice_range(0.13, 0.91)
    assert lo <= 0.13 and hi >= 0.91 and step in (0.1, 0.2)


def _report(sheet: Sheet) -> StageReport:
    return StageReport(stage="test", section=Section(id="t", title="T"), sheets=[sheet])


def test_grouped_scatter_has_a_series_per_group_and_per_line(make_engagement, tmp_path):
    ctx = ReportContext(make_engagement(), None)
    points = pd.DataFrame(
        {
            "name": ["A", "B", "C", "D", "E"],
            "group": ["high", "low", "high", "mid", "low"],
            "x": [1.0, 2.0, 3.0, 4.0, 5.0],
            "y": [5.0, 1.0, 4.0, 3.0, 2.0],
        }
    )
    spec = ChartSpec(
        kind="scatter",
        x="x",
        y=["y"],
        group="group",
        data=points,
        colors={"high": "1565C0"},
        lines=[("cut", 2.5, 2.0, 2.5, 3.0)],
        title="Matrix",
        x_range=(0.2, 5.3),
        y_range=(1.0, 5.0),
    )
    sheet = Sheet(key="m", name="Matrix", df=pd.DataFrame({"q": ["high", "low"]}), chart=spec)
    path = write_workbook(tmp_path / "m.xlsx", ctx, [_report(sheet)]).path
    ws = load_workbook(path)["Matrix"]
    (chart,) = ws._charts
    assert isinstance(chart, ScatterChart)
    assert len(chart.series) == 3 + 1  # high, low, mid; the dividing line
    assert [s.tx.v for s in chart.series] == ["high", "low", "mid", "cut"]
    assert (chart.x_axis.scaling.min, chart.x_axis.scaling.max) == (0.0, 6.0)
    line = chart.series[3]  # vertical: stretched from the y axis's end to end (1..5)
    top_row = HEADER_ROW + CHART_ROWS + 1
    assert [ws.cell(row=top_row + i, column=8).value for i in (1, 2)] == [2.5, 2.5]
    assert [ws.cell(row=top_row + i, column=9).value for i in (1, 2)] == [1.0, 5.0]
    assert line.yVal.numRef.f == f"'Matrix'!$I${top_row + 1}:$I${top_row + 2}"
    # each group's points are contiguous rows written beside the chart, outside the print area
    top = HEADER_ROW + CHART_ROWS + 1  # the block's header row, below the chart
    assert chart.series[0].yVal.numRef.f == f"'Matrix'!$F${top + 1}:$F${top + 2}"  # A, C
    assert chart.series[1].xVal.numRef.f == f"'Matrix'!$E${top + 3}:$E${top + 4}"  # B, E
    assert ws.cell(row=top + 1, column=3).value == "A"
    assert ws.print_area == "'Matrix'!$A$1:$A$6"  # the table only: the block is not printed


def test_pocket_waterfall_is_translated_and_its_money_axis_names_currency_and_period(
    make_engagement, tmp_path
):
    eng = make_engagement(language="cs")
    ctx = ReportContext(eng, None)
    steps = ["list_sales", "discounts", "net_revenue", "cogs", "gross_margin", "pocket_profit"]
    amounts = {
        "A": [100.0, -10.0, 90.0, -60.0, 30.0, 30.0],
        "B": [50.0, -5.0, 45.0, -50.0, -5.0, -5.0],
    }
    pockets = pd.DataFrame(
        [
            {"customer_id": c, "name": c, "step_no": i + 1, "step": s, "amount": a[i]}
            for c, a in amounts.items()
            for i, s in enumerate(steps)
        ]
    )
    spec = pocket_chart(pockets, ctx)
    assert spec.kind == "waterfall"
    assert (
        spec.title
        == ctx.t("synthesis.pocket_chart_title")
        != "Pocket margin of the key accounts together"
    )
    assert "CZK" in spec.y_title and "24 měsíců" in spec.y_title
    assert spec.data["label"].tolist()[0] == ctx.t("synthesis.steps.list_sales")
    assert spec.data["value"].tolist() == [150.0, -15.0, 135.0, -110.0, 25.0, 25.0]
    sheet = Sheet(key="pocket", name="Pocket", df=pockets, chart=spec)
    ws = load_workbook(write_workbook(tmp_path / "p.xlsx", ctx, [_report(sheet)]).path)["Pocket"]
    (chart,) = ws._charts
    assert isinstance(chart, BarChart) and chart.grouping == "stacked"
    assert len(chart.series) == 3  # the invisible base, subtotals, decreases
    assert chart.series[0].graphicalProperties.noFill
    assert _title(chart.y_axis.title) == spec.y_title
    assert [e.idx for e in chart.legend.legendEntry] == [0]  # the base has no legend entry


@pytest.fixture(scope="module")
def sample_charts_cs(sample_run, tmp_path_factory):
    """The sample's cost-to-serve and synthesis sheets rebuilt in Czech."""
    from kamaudit.config import load_engagement
    from kamaudit.deliverables import cost_to_serve, synthesis
    from kamaudit.workspace import Workspace

    folder = tmp_path_factory.mktemp("charts-cs") / "audit"
    shutil.copytree(sample_run, folder)
    engagement = Path(__file__).resolve().parents[2] / "data" / "sample" / "engagement.yaml"
    ctx = ReportContext(load_engagement(engagement, ["language=cs"]), Workspace(folder))
    reports = [cost_to_serve.build(ctx), synthesis.build(ctx)]
    path = write_workbook(folder / "cs.xlsx", ctx, reports).path
    return ctx, reports, load_workbook(path)


@pytest.mark.slow
def test_sample_workbook_has_the_shapiro_scatter_and_the_pocket_waterfall(sample_charts_cs):
    ctx, reports, wb = sample_charts_cs
    t = ctx.t
    by_key = {s.key: s for r in reports for s in r.sheets}
    quadrants = wb[by_key["quadrants"].name[:31]]
    (shapiro,) = quadrants._charts
    assert isinstance(shapiro, ScatterChart)
    assert len(shapiro.series) == 4 + 2  # the four quadrants, the two dividing lines
    assert (
        _title(shapiro.title)
        == t("cost_to_serve.quadrant_title")
        == "Čistá cena proti nákladům na obsluhu (Shapiro)"
    )
    assert _title(shapiro.x_axis.title) == t("cost_to_serve.quadrant_x")
    names = [s.tx.v for s in shapiro.series[:4]]
    assert names == [
        t(f"cost_to_serve.quadrant_names.{q}")
        for q in ("carriage_trade", "passive", "bargain_basement", "aggressive")
    ]
    pocket = wb[by_key["pocket_margins"].name[:31]]
    (waterfall,) = pocket._charts
    assert isinstance(waterfall, BarChart) and waterfall.grouping == "stacked"
    assert len(waterfall.series) >= 3
    y_title = _title(waterfall.y_axis.title)
    assert ctx.engagement.currency_code in y_title and ctx.period_label() in y_title
    assert "měsíců" in y_title
