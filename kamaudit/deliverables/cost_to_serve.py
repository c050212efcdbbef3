"""Stage 2's part of the deliverables: customer P&L sheets and the cost-to-serve section.

``build(ctx)`` reads what stage 2 saved in the workspace (``customer_pnl``, ``cts_*`` and
``cts_findings``) and returns a :class:`StageReport`, or ``None`` when the stage has not
run. It presents the stage's figures; it computes none of its own. The sheets are
declared in :data:`SHEETS`, the report section is the blocks of :data:`SECTIONS` in
order. ``render_findings`` turns the stage's findings and notes (messages with numbers)
into sentences of the engagement's language; the notebook uses it too.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..cost_to_serve.findings import messages_from_records
from ..cost_to_serve.scenarios import scenario_profits
from ..messages import Message
from ..plots import cost_to_serve as plots
from . import chart_words
from .i18n import plural_count
from .model import (
    ChartSpec,
    Heading,
    KeyFigures,
    Section,
    Sheet,
    StageReport,
    Table,
    Text,
)
from .scenario_words import scenario_words
from .values import format_params

__all__ = ["SECTIONS", "SHEETS", "build", "format_values", "line_label", "render_findings"]

STAGE = "cost_to_serve"
_P = "cost_to_serve."


# ------------------------------------------------------------------ words


def format_values(values: Mapping[str, Any], fmt) -> dict[str, str]:
    """Message parameters formatted by their names (:func:`values.format_params`)."""
    return format_params(dict(values), fmt)


def render_findings(messages: Iterable[Message], catalog) -> list[str]:
    """Sentences for the stage's messages (its findings or its notes); a rate or cost line
    a finding names is shown by its label, never its code (``cost_of_capital``)."""
    out = []
    for m in messages:
        params = format_values(m.params, catalog)
        for key in ("parameter", "activity"):
            if key in params:
                params[key] = parameter_label(m.params[key], catalog)
        out.append(catalog.t(m.key, count=plural_count(m.params), **params))
    return out


def parameter_label(code, catalog) -> str:
    """A rate or cost pool a finding or the sensitivity names, in words: a P&L line's
    label (``cost_of_capital`` -> financing), else the activity's (:meth:`Catalog.label`)."""
    code = str(code)
    name = "financing_cost" if code == "cost_of_capital" else code
    if catalog.has(f"{_P}lines.{name}"):
        return catalog.t(f"{_P}lines.{name}")
    return catalog.label("activity", code)


def factor_label(code, catalog) -> str:
    """A robustness factor in words: ``rate:<activity>`` and ``basis:<activity>`` name the
    activity; other factors are rates or lines (:func:`parameter_label`)."""
    kind, _, activity = str(code).partition(":")
    if activity and catalog.has(f"{_P}factor_names.{kind}"):
        return catalog.t(f"{_P}factor_names.{kind}", activity=catalog.label("activity", activity))
    if catalog.has(f"{_P}factor_names.{code}"):
        return catalog.t(f"{_P}factor_names.{code}")
    return parameter_label(code, catalog)


def line_label(name: str, catalog) -> str:
    """Client label of a P&L cost line (``cts_delivery`` -> "CtS: delivery")."""
    if catalog.has(f"{_P}lines.{name}"):
        return catalog.t(f"{_P}lines.{name}")
    if name.startswith("cts_"):
        return catalog.t(f"{_P}cts_column", activity=catalog.label("activity", name[4:]))
    return catalog.column(name)


def waterfall_labels(catalog, cts_cols: list[str]) -> dict[str, str]:
    """The steps of a P&L waterfall in the client's words (report and notebooks)."""
    labels = {
        k: line_label(k, catalog)
        for k in ("discounts", "rebates", "cogs", "financing_cost", *cts_cols)
    }
    for k in ("list_sales", "net_revenue", "gross_margin", "net_profit"):
        labels[k] = catalog.column(k)
    return labels


def _line_word(name: str, catalog) -> str:
    """A cost line inside a list of lines: the activity alone (the column says CtS)."""
    if name.startswith("cts_") and not catalog.has(f"{_P}lines.{name}"):
        return catalog.label("activity", name.removeprefix("cts_"))
    return line_label(name, catalog)


def _labels(df: pd.DataFrame, catalog, cts_cols: list[str]) -> dict[str, str]:
    labels = {c: catalog.column(c) for c in df.columns}
    for c in cts_cols:
        if c in labels:
            labels[c] = line_label(c, catalog)
    return labels


def _is_line_column(c: str) -> bool:
    return c in ("sinking_lines", "unusual_lines") or (c.startswith("line_") and c.count("_") == 1)


def _display(df: pd.DataFrame, catalog) -> pd.DataFrame:
    """Codes a client would not read (quadrants, cost lines) in words."""
    d = df.copy()
    if "item" in d.columns:  # reconciliation lines: pools as their cost lines, no codes
        d["item"] = (
            d["item"]
            .map(
                lambda s: (
                    line_label("cts_" + s.removeprefix("pool:"), catalog)
                    if isinstance(s, str) and s.startswith("pool:")
                    else line_label(s, catalog)
                    if isinstance(s, str)
                    else s
                )
            )
            .astype("str")
        )
    if "parameter" in d.columns:  # the sensitivity's rates and pools
        d["parameter"] = [parameter_label(p, catalog) for p in d["parameter"]]
    if "tipping_factor" in d.columns:
        d["tipping_factor"] = [
            factor_label(f, catalog) if isinstance(f, str) and f else ""
            for f in d["tipping_factor"]
        ]
    if "cost_quadrant" in d.columns:
        d["cost_quadrant"] = (
            d["cost_quadrant"]
            .map(lambda q: catalog.t(f"{_P}quadrant_names.{q}") if isinstance(q, str) and q else q)
            .astype("str")
        )
    for c in [c for c in d.columns if _is_line_column(c)]:
        d[c] = (
            d[c]
            .map(
                lambda s: (
                    catalog.join(_line_word(x, catalog) for x in str(s).split(";") if x)
                    if isinstance(s, str)
                    else s
                )
            )
            .astype("str")
        )
    return d


def _name(row) -> str:
    n = row.get("name")
    if isinstance(n, str) and n and n not in ("nan", "<NA>"):
        return n
    return str(row["customer_id"])


# ------------------------------------------------------------------ what the stage wrote

_TABLES = (
    "cts_unpooled",
    "cts_whale",
    "cts_deciles",
    "cts_abc",
    "cts_quadrants",
    "cts_big_unprofitable",
    "cts_sensitivity",
    "cts_reconciliation",
    "cts_scenarios",
    "cts_robustness",
    "pocket_margins",
)


@dataclass(frozen=True)
class _Results:
    """Stage 2's results as the workspace holds them, read once."""

    pnl: pd.DataFrame
    rates: pd.DataFrame  # driver and method codes in the client's words
    tables: dict[str, pd.DataFrame | None]
    findings: list[Message]
    notes: list[Message]
    whale: dict[str, Any]
    cut_points: dict[str, Any]
    totals: dict[str, float]
    cts_cols: list[str] = field(default_factory=list)
    scenarios: dict[str, Any] = field(default_factory=dict)
    codes: Callable[[pd.Series, str], pd.Series] | None = None
    catalog: Any = None

    def table(self, name: str) -> pd.DataFrame | None:
        return self.tables.get(name)

    def coded(self, name: str, column: str, group: str) -> pd.DataFrame | None:
        """A table with the codes of ``column`` in the client's words (``group`` names)."""
        df = self.tables.get(name)
        if df is None or self.codes is None:
            return df
        return df.assign(**{column: self.codes(df[column], f"{_P}{group}")})


def _read(ctx) -> _Results | None:
    ws = ctx.workspace
    if not ws.has_table("customer_pnl"):
        return None
    pnl = ws.read_table("customer_pnl")
    rates = ws.read_table("cts_rates", required=False)
    rates = rates if rates is not None else pd.DataFrame(columns=["activity", "cost_column"])
    for column, key in (("driver", "driver_name"), ("method", "method_name")):
        if column in rates.columns:
            rates[column] = ctx.codes(rates[column], f"{_P}{key}")
    info = ws.read_json("cts_findings", {}) or {}
    return _Results(
        pnl=pnl,
        rates=rates,
        tables={name: ws.read_table(name, required=False) for name in _TABLES},
        findings=messages_from_records(info.get("findings", []), "findings"),
        notes=messages_from_records(info.get("notes", []), "notes"),
        whale=info.get("whale", {}),
        cut_points=info.get("cut_points", {}),
        totals=info.get("totals", {}),
        cts_cols=[c for c in rates["cost_column"] if c in pnl.columns],
        scenarios=info.get("scenarios") or {},
        codes=ctx.codes,
        catalog=ctx.catalog,
    )


def _scenario_sheet(r: _Results) -> pd.DataFrame | None:
    """``cts_scenarios`` for the client: scenario names, levers and assumptions in words."""
    df = r.coded("cts_scenarios", "scenario", "scenario_names")
    if df is None or r.catalog is None or "lever_terms" not in df.columns:
        return df
    words = {
        x: scenario_words(x, r.catalog)
        for x in set(df["lever_terms"]) | set(df["assumption_terms"])
    }
    return df.assign(
        lever=df["lever_terms"].map(words), assumption=df["assumption_terms"].map(words)
    ).drop(columns=["lever_terms", "assumption_terms"])


# ------------------------------------------------------------------ the workbook sheets

_PNL_FORMATS = {"prob_unprofitable": "ratio", "invoices_n": "int", "verdict_flips_n": "int"}
_WHALE_COLUMNS = (
    "rank",
    "customer_id",
    "name",
    "net_revenue",
    "net_profit",
    "cum_net_profit",
    "cum_customers_pct",
    "cum_profit_pct",
)
_UNPROFITABLE_COLUMNS = (
    "customer_id",
    "name",
    "industry",
    "client_flag",
    "net_revenue",
    "gross_margin",
    "cts_total",
    "financing_cost",
    "net_profit",
    "net_profit_pct",
    "revenue_rank",
    "is_big_unprofitable",
    "sinking_lines",
    "unusual_lines",
    "prob_unprofitable",
    "verdict_flips_n",
    "avoidable_cost",
    "profit_change_if_dropped",
)


def _unprofitable(r: _Results) -> pd.DataFrame:
    """The customers that lose money or are big but unprofitable, worst first."""
    pnl = r.pnl
    cols = [c for c in _UNPROFITABLE_COLUMNS if c in pnl.columns]
    rows = pnl[(pnl["net_profit"] < 0) | pnl.get("is_big_unprofitable", False)][cols]
    return rows.sort_values("net_profit", kind="stable")


def _whale_chart(ctx, r: _Results) -> ChartSpec:
    t = ctx.t
    return ChartSpec(
        kind="line",
        x="cum_customers_pct",
        y=["cum_profit_pct"],
        title=t(f"{_P}whale_title"),
        x_title=t(f"{_P}whale_x"),
        y_title=t(f"{_P}whale_y"),
    )


QUADRANTS = ("carriage_trade", "passive", "bargain_basement", "aggressive")
"""Shapiro's four quadrants, in the order the charts list them."""


def _shapiro_chart(ctx, r: _Results) -> ChartSpec | None:
    """Shapiro's matrix, native: each customer's pocket margin against its cost to serve
    (both % of net revenue), a colour per quadrant, dashed lines at the cut points."""
    pnl, t, cat = r.pnl, ctx.t, ctx.catalog
    if not {"pocket_margin_pct", "cost_quadrant"} <= set(pnl.columns):
        return None
    d = pnl[pnl["net_revenue"] > 0]
    if "cost_to_serve_pct" in d.columns:
        x = d["cost_to_serve_pct"].astype(float)
    else:
        x = (d["cts_total"] + d["financing_cost"]) / d["net_revenue"] * 100
    names = {q: t(f"{_P}quadrant_names.{q}") for q in QUADRANTS}
    data = pd.DataFrame(
        {
            "name": d["name"] if "name" in d.columns else d["customer_id"],
            "cost_quadrant": d["cost_quadrant"].map(names).fillna("").astype(str),
            "cost_to_serve_pct": x.astype(float),
            "pocket_margin_pct": d["pocket_margin_pct"].astype(float),
            "net_revenue": d["net_revenue"].astype(float),
        }
    )
    data = data[data[["cost_to_serve_pct", "pocket_margin_pct"]].notna().all(axis=1)]
    if data.empty:
        return None
    rank = d["cost_quadrant"].map({q: i for i, q in enumerate(QUADRANTS)}).loc[data.index]
    data = data.assign(_q=rank).sort_values(["_q", "net_revenue"], ascending=[True, False])
    data = data.drop(columns="_q").reset_index(drop=True)
    pcut = r.cut_points.get("price_cut_pct")
    ccut = r.cut_points.get("cts_cut_pct")
    pcut = math.nan if pcut is None else float(pcut)
    ccut = math.nan if ccut is None else float(ccut)
    xlim, ylim = plots.quadrant_limits(
        data["cost_to_serve_pct"], data["pocket_margin_pct"], pcut, ccut
    )
    if data["cost_to_serve_pct"].min() >= 0:  # no room below zero when no one is there
        xlim = (max(xlim[0], 0.0), xlim[1])
    return ChartSpec(
        kind="scatter",
        x="cost_to_serve_pct",
        y=["pocket_margin_pct"],
        group="cost_quadrant",
        data=data,
        data_title=t(f"{_P}quadrant_title"),
        data_labels={c: cat.column(c) for c in data.columns},
        colors={names[q]: plots.QUADRANT_COLORS[q].lstrip("#").upper() for q in QUADRANTS},
        title=t(f"{_P}quadrant_title"),
        x_title=t(f"{_P}quadrant_x"),
        y_title=t(f"{_P}quadrant_y"),
        lines=[
            (t(f"{_P}quadrant_cut_x", value=cat.pct(ccut)), ccut, ylim[0], ccut, ylim[1]),
            (t(f"{_P}quadrant_cut_y", value=cat.pct(pcut)), xlim[0], pcut, xlim[1], pcut),
        ],
        x_range=xlim,
        y_range=ylim,
    )


@dataclass(frozen=True)
class SheetSpec:
    """One workbook sheet: its data and how to show it.

    ``source`` is a workspace table, or a function of the stage's results. Titles and
    notes are the catalog's ``cost_to_serve.sheets.<key>_title`` / ``_note``.
    """

    key: str
    source: str | Callable[[_Results], pd.DataFrame | None]
    note: bool = False
    formats: Mapping[str, str] = field(default_factory=dict)
    conditional: Mapping[str, str] = field(default_factory=dict)
    columns: tuple[str, ...] = ()
    chart: Callable[[Any, _Results], ChartSpec | None] | None = None
    skip_empty: bool = False


SHEETS: tuple[SheetSpec, ...] = (
    SheetSpec(
        "pnl",
        lambda r: r.pnl,
        note=True,
        formats=_PNL_FORMATS,
        conditional={
            "net_profit": "neg_red",
            "net_profit_pct": "neg_red",
            "prob_unprofitable": "scale",
        },
    ),
    SheetSpec(
        "rates",
        lambda r: r.rates.drop(columns=[c for c in STAGE_NOTES if c in r.rates.columns]),
        note=True,
        formats={
            "driver_volume": "float",
            "capacity": "float",
            "rate": "float",
            "avoidable_pct": "pct",
        },
    ),
    SheetSpec(
        "unpooled",
        "cts_unpooled",
        note=True,
        formats={"quantity": "float", "hours": "float"},
        skip_empty=True,
    ),
    SheetSpec(
        "whale",
        "cts_whale",
        note=True,
        formats={"rank": "int"},
        columns=_WHALE_COLUMNS,
        chart=_whale_chart,
    ),
    SheetSpec(
        "deciles",
        "cts_deciles",
        formats={"decile": "int"},
        conditional={"net_profit": "neg_red"},
    ),
    SheetSpec("abc", "cts_abc"),
    SheetSpec(
        "quadrants", "cts_quadrants", conditional={"net_profit": "neg_red"}, chart=_shapiro_chart
    ),
    SheetSpec(
        "unprofitable",
        _unprofitable,
        note=True,
        formats=_PNL_FORMATS,
        conditional={"net_profit": "neg_red", "profit_change_if_dropped": "neg_red"},
    ),
    SheetSpec("sensitivity", "cts_sensitivity", formats={"change_pct": "pct"}),
    SheetSpec(
        "scenarios",
        _scenario_sheet,
        note=True,
        formats={"price_change_pct": "pct", "breakeven_volume_loss_pct": "pct"},
        conditional={"net_profit_after": "neg_red", "profit_change": "neg_red"},
        skip_empty=True,
    ),
    SheetSpec(
        "robustness",
        lambda r: r.coded("cts_robustness", "label", "robustness_names"),
        note=True,
        formats={"prob_unprofitable": "ratio", "tipping_point_pct": "pct"},
        conditional={"net_profit": "neg_red"},
        skip_empty=True,
    ),
    SheetSpec(
        "reconciliation",
        "cts_reconciliation",
        formats={"ledger": "money", "pnl": "money", "difference": "money"},
    ),
)
"""The stage's sheets, in workbook order."""


def _text_params(ctx, r: _Results) -> dict[str, str]:
    """Values the sheet titles and notes show (each text uses the ones it names)."""
    fmt, eng, w = ctx.fmt, ctx.engagement, r.whale
    return {
        "currency": eng.currency_code or "",
        "period": f"{fmt.date(eng.period.start)} – {fmt.date(eng.period.end)}",
        "peak": fmt.pct(w.get("peak_pct") or math.nan, 0),
        "customers": fmt.pct(w.get("peak_customers_pct") or math.nan, 0),
        "erosion": fmt.money(w.get("erosion") or 0.0),
        "pct": fmt.pct(eng.cost_to_serve.sensitivity_pct, 0),
    }


def _sheet(spec: SheetSpec, ctx, r: _Results, params: dict[str, str]) -> Sheet | None:
    src = spec.source
    df = r.table(src) if isinstance(src, str) else src(r)
    if df is None or (spec.skip_empty and not len(df)):
        return None
    if spec.columns:
        df = df[list(spec.columns)]
    t = ctx.t
    return Sheet(
        key=spec.key,
        name=t(f"{_P}sheets.{spec.key}")[:31],
        df=_display(df, ctx.catalog),
        title=t(f"{_P}sheets.{spec.key}_title", **params),
        note=t(f"{_P}sheets.{spec.key}_note", **params) if spec.note else "",
        chart=spec.chart(ctx, r) if spec.chart else None,
        formats=dict(spec.formats),
        column_labels=_labels(df, ctx.catalog, r.cts_cols),
        conditional=dict(spec.conditional),
    )


# ------------------------------------------------------------------ the report section


def _loss_makers(ctx, r: _Results) -> str:
    """Loss-makers of all customers, and how many of them lose money robustly."""
    fmt = ctx.fmt
    n, total = fmt.number(int(r.whale["unprofitable_n"])), fmt.number(len(r.pnl))
    robust = r.table("cts_robustness")
    if robust is None:
        return f"{n} / {total}"
    k = fmt.number(int((robust["label"] == "robust_loss").sum()))
    return ctx.t(f"{_P}key_unprofitable_robust", n=n, total=total, robust_n=k)


def _overview(ctx, r: _Results, params) -> list:
    """Key figures, the findings and the notes."""
    t, fmt, totals = ctx.t, ctx.fmt, r.totals
    blocks: list = [
        Text(t(f"{_P}intro")),
        KeyFigures(
            [
                (t(f"{_P}key_net_revenue"), fmt.money(totals["net_revenue"])),
                (t(f"{_P}key_cts"), fmt.money(totals["cts_total"] + totals["financing_cost"])),
                (t(f"{_P}key_net_profit"), fmt.money(totals["net_profit"])),
                (t(f"{_P}key_unprofitable"), _loss_makers(ctx, r)),
            ]
        ),
    ]
    sentences = render_findings(r.findings, ctx.catalog)
    if sentences:
        blocks.append(Heading(t(f"{_P}findings_heading")))
        blocks.extend(
            Text(x, kind="warning" if m.severity in ("error", "fatal") else "finding")
            for m, x in zip(r.findings, sentences, strict=True)
        )
    note_text = render_findings(r.notes, ctx.catalog)
    if note_text:
        blocks.append(Heading(t(f"{_P}notes_heading"), level=4))
        blocks.extend(Text(x, kind="note") for x in note_text)
    return blocks


def _whale(ctx, r: _Results, params) -> list:
    whale, t = r.table("cts_whale"), ctx.t
    if whale is None:
        return []
    figure = plots.whale_curve(whale, **chart_words.whale_curve(t))
    return [
        Heading(t(f"{_P}whale_heading")),
        Text(t(f"{_P}whale_text")),
        ctx.figure(
            "cts_whale_curve",
            figure,
            alt=t(f"{_P}whale_alt"),
            caption=t(f"{_P}sheets.whale_note", **params),
        ),
    ]


def _waterfalls(ctx, r: _Results, params) -> list:
    """The base's P&L from the stage's totals, then the largest customers' own."""
    t, cts_cols = ctx.t, r.cts_cols
    labels = waterfall_labels(ctx.catalog, cts_cols)
    base = {**r.totals, **dict(zip(r.rates["cost_column"], r.rates["allocated_cost"], strict=True))}
    money = ctx.money_axis(t("charts.amount"))
    blocks: list = [
        Heading(t(f"{_P}waterfall_heading")),
        Text(t(f"{_P}waterfall_text")),
        ctx.figure(
            "cts_waterfall_base",
            plots.waterfall(
                plots.waterfall_steps(base, cts_cols, labels),
                title=t(f"{_P}waterfall_base_title"),
                other_label=t(f"{_P}label_other"),
                y_label=money,
            ),
            alt=t(f"{_P}waterfall_base_alt"),
        ),
    ]
    n = ctx.engagement.cost_to_serve.top_customers_n
    top = r.pnl.sort_values("revenue_rank", kind="stable").head(n)
    for i, (_, row) in enumerate(top.iterrows(), start=1):
        name = _name(row)
        blocks.append(
            ctx.figure(
                f"cts_waterfall_top{i}",
                plots.waterfall(
                    plots.waterfall_steps(row, cts_cols, labels),
                    title=name,
                    other_label=t(f"{_P}label_other"),
                    y_label=money,
                ),
                alt=t(f"{_P}waterfall_customer_alt", name=name),
            )
        )
    return blocks


POCKET_ROWS_HTML = 10
"""Key accounts whose pocket margins the report's table shows (the workbook shows all)."""


def _pocket(ctx, r: _Results, params) -> list:
    """The key accounts' pocket-margin waterfalls (the synthesis's ``pocket_margins``)."""
    from ..synthesis.pocket import POCKET_STEPS

    pockets, t = r.table("pocket_margins"), ctx.t
    if pockets is None or not len(pockets):
        return []
    labels = {s: t(f"{_P}pocket_steps.{s}") for s, _c, _sign in POCKET_STEPS}
    totals = tuple(s for s, _c, sign in POCKET_STEPS if sign == 0) + ("list_sales",)
    shares = pockets.pivot_table(
        index=["customer_id", "name"], columns="step", values="pct_of_list", sort=False
    )
    shares = shares[[s for s, _c, _sign in POCKET_STEPS if s in shares.columns]].reset_index()
    blocks: list = [
        Heading(t(f"{_P}pocket_heading")),
        Text(t(f"{_P}pocket_text")),
        Table(
            shares.drop(columns=["customer_id"]),
            formats={s: "pct" for s, _c, _sign in POCKET_STEPS},
            column_labels={"name": ctx.catalog.column("name"), **labels},
            # the largest key accounts; the workbook's sheet has every one
            max_rows=min(ctx.engagement.report.max_table_rows_html, POCKET_ROWS_HTML),
        ),
    ]
    n = ctx.engagement.cost_to_serve.top_customers_n
    groups = list(pockets.groupby("customer_id", sort=False))[:n]
    for i, (cid, rows) in enumerate(groups):
        name = str(rows["name"].iloc[0]) if "name" in rows.columns else str(cid)
        name = name if name and name not in ("nan", "<NA>") else str(cid)
        fig = plots.waterfall(
            plots.pocket_steps(rows, labels, totals),
            title=name,
            y_label=ctx.money_axis(t("charts.amount")),
        )
        blocks.append(ctx.figure(f"cts_pocket_{i + 1}", fig, alt=t(f"{_P}pocket_alt", name=name)))
    return blocks


def _scenarios(ctx, r: _Results, params) -> list:
    """Profit at stake, the whale curve after each scenario, and what each would add."""
    table, t, fmt = r.table("cts_scenarios"), ctx.t, ctx.fmt
    summary = r.scenarios
    if table is None or not len(table) or "now" not in summary:
        return []
    words = chart_words.scenario_whales(t)
    names = words["labels"]
    fig = plots.scenario_whales(
        scenario_profits(r.pnl, table), **{**words, "y_label": ctx.money_axis(words["y_label"])}
    )
    rows = [
        {
            "scenario": names[k],
            "customers_n": int(summary[k].get("customers_n", 0)) if k != "now" else None,
            "profit_change": summary[k].get("profit_change", 0.0) if k != "now" else None,
            "net_profit": summary[k]["net_profit"],
        }
        for k in ("now", "reprice", "reserve", "exit")
        if k in summary
    ]
    shown = pd.DataFrame(rows)
    robust = r.table("cts_robustness")
    blocks: list = [
        Heading(t(f"{_P}scenarios_heading")),
        Text(t(f"{_P}scenarios_text", stake=fmt.money(summary["now"]["profit_at_stake"]))),
        ctx.figure("cts_scenario_whales", fig, alt=t(f"{_P}scenarios_alt")),
        Table(shown, column_labels=_labels(shown, ctx.catalog, [])),
    ]
    if robust is not None and len(robust):
        blocks.append(
            Text(
                t(
                    f"{_P}robustness_text",
                    robust_n=fmt.number(int((robust["label"] == "robust_loss").sum())),
                    sensitive_n=fmt.number(int((robust["label"] == "sensitive").sum())),
                    pct=fmt.pct(ctx.engagement.cost_to_serve.sensitivity_pct, 0),
                    sheet=t(f"{_P}sheets.robustness"),
                ),
                kind="note",
            )
        )
    return blocks


def _quadrants(ctx, r: _Results, params) -> list:
    pnl, t, fmt = r.pnl, ctx.t, ctx.fmt
    if "pocket_margin_pct" not in pnl.columns:
        return []
    pcut = r.cut_points.get("price_cut_pct")
    ccut = r.cut_points.get("cts_cut_pct")
    pcut = math.nan if pcut is None else pcut
    ccut = math.nan if ccut is None else ccut
    blocks: list = [
        Heading(t(f"{_P}quadrant_heading")),
        Text(t(f"{_P}quadrant_text", price_cut=fmt.pct(pcut), cts_cut=fmt.pct(ccut))),
    ]
    if (pnl["net_revenue"] > 0).any():
        figure = plots.quadrant_scatter(pnl, pcut, ccut, **chart_words.quadrant_scatter(t))
        blocks.append(ctx.figure("cts_quadrants", figure, alt=t(f"{_P}quadrant_alt")))
    q = r.table("cts_quadrants")
    if q is not None:
        blocks.append(Table(_display(q, ctx.catalog), column_labels=_labels(q, ctx.catalog, [])))
    return blocks


_BIG_COLUMNS = (
    "name",
    "client_flag",
    "net_revenue",
    "net_profit",
    "net_profit_pct",
    "sinking_lines",
    "unusual_lines",
    "margin_gap_pp",
    "prob_unprofitable",
    "profit_change_if_dropped",
)


def _big(ctx, r: _Results, params) -> list:
    t, fmt, s = ctx.t, ctx.fmt, ctx.engagement.cost_to_serve
    big = r.table("cts_big_unprofitable")
    blocks: list = [
        Heading(t(f"{_P}big_heading")),
        Text(
            t(
                f"{_P}big_text",
                top_pct=fmt.pct(s.big_revenue_top_pct, 0),
                flags=", ".join(s.big_flags),
            )
        ),
    ]
    if big is None or not len(big):
        return [*blocks, Text(t(f"{_P}big_none"), kind="note")]
    shown = big[[c for c in _BIG_COLUMNS if c in big.columns]]
    table = Table(
        _display(shown, ctx.catalog),
        formats={"prob_unprofitable": "ratio"},
        column_labels=_labels(shown, ctx.catalog, []),
        max_rows=ctx.engagement.report.max_table_rows_html,
    )
    return [*blocks, table]


def _abc(ctx, r: _Results, params) -> list:
    t, fmt, s = ctx.t, ctx.fmt, ctx.engagement.cost_to_serve
    m = r.table("cts_abc")
    if m is None:
        return []
    return [
        Heading(t(f"{_P}abc_heading")),
        Text(t(f"{_P}abc_text", a_pct=fmt.pct(s.abc_a_pct, 0), b_pct=fmt.pct(s.abc_b_pct, 0))),
        Table(m, column_labels=_labels(m, ctx.catalog, [])),
    ]


def _sensitivity(ctx, r: _Results, params) -> list:
    t, fmt, s = ctx.t, ctx.fmt, ctx.engagement.cost_to_serve
    sens = r.table("cts_sensitivity")
    if sens is None or not len(sens):
        return []
    text = t(
        f"{_P}sensitivity_text",
        pct=fmt.pct(s.sensitivity_pct, 0),
        runs=fmt.number(s.monte_carlo_runs),
    )
    return [
        Heading(t(f"{_P}sensitivity_heading")),
        Text(text),
        Table(
            _display(sens.drop(columns=["cost_column"]), ctx.catalog),
            formats={"change_pct": "pct"},
            column_labels=_labels(sens, ctx.catalog, []),
        ),
    ]


STAGE_NOTES = ("driver_note", "driver_why")
"""The stage's own English notes on how it read each pool's driver: for the consultant's
working papers, not the client's report or workbook."""

_RATE_COLUMNS = (
    "activity",
    "driver_word",
    "driver",
    "method",
    "pool_cost",
    "driver_volume",
    "rate",
    "allocated_cost",
    "unused_capacity_cost",
    "unallocated_cost",
    "avoidable_pct",
)


def _rates(ctx, r: _Results, params) -> list:
    if not len(r.rates):
        return []
    shown = r.rates[[c for c in _RATE_COLUMNS if c in r.rates.columns]]
    return [
        Heading(ctx.t(f"{_P}rates_heading")),
        Table(
            shown,
            formats={"driver_volume": "float", "rate": "float", "avoidable_pct": "pct"},
            column_labels=_labels(shown, ctx.catalog, []),
        ),
    ]


SECTIONS: tuple[Callable[[Any, _Results, dict[str, str]], list], ...] = (
    _overview,
    _whale,
    _waterfalls,
    _pocket,
    _quadrants,
    _big,
    _scenarios,
    _abc,
    _sensitivity,
    _rates,
)
"""The report section's parts, in reading order; each returns its blocks."""


def _summary(ctx, r: _Results) -> list[str]:
    """The headline for the executive summary, then the three strongest findings."""
    fmt, totals = ctx.fmt, r.totals
    revenue, profit = totals["net_revenue"], totals["net_profit"]
    lead = ctx.t(
        f"{_P}summary_lead",
        profit=fmt.money(profit),
        revenue=fmt.money(revenue),
        pct=fmt.pct(profit / revenue * 100 if revenue else math.nan),
    )
    return [lead, *render_findings(r.findings[:3], ctx.catalog)]


def build(ctx) -> StageReport | None:
    """The cost-to-serve sheets and report section, or None before stage 2 has run."""
    r = _read(ctx)
    if r is None:
        return None
    params = _text_params(ctx, r)
    sheets = [s for spec in SHEETS if (s := _sheet(spec, ctx, r, params)) is not None]
    blocks = [b for part in SECTIONS for b in part(ctx, r, params)]
    return StageReport(
        stage=STAGE,
        section=Section(id="cost_to_serve", title=ctx.t(f"{_P}title"), blocks=blocks),
        sheets=sheets,
        summary=_summary(ctx, r)[:4],
    )
