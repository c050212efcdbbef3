"""Stage 2's part of the deliverables: customer P&L sheets and the cost-to-serve section.

``build(ctx)`` reads what ``kamaudit.cost_to_serve.write_results`` left in the workspace
(``customer_pnl``, ``cts_*`` and ``cts_findings``) and returns a :class:`StageReport`, or
``None`` when the stage has not run. ``render_findings`` turns the stage's findings and
notes (message keys with numbers) into sentences of the engagement's language; the
notebook uses it too.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from ..plots import cost_to_serve as plots
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

STAGE = "cost_to_serve"
_P = "cost_to_serve."


def format_values(values: dict[str, Any], fmt) -> dict[str, str]:
    """Format finding values by their name: ``*_pct`` percent, ``*_amount`` money,
    ``*_n`` whole numbers; anything else as text."""
    out: dict[str, str] = {}
    for k, v in values.items():
        if v is None:
            out[k] = "–"
        elif isinstance(v, (int, float)) and not isinstance(v, bool):
            if v is None or (isinstance(v, float) and math.isnan(v)):
                out[k] = "–"
            elif k.endswith("_pct"):
                out[k] = fmt.pct(v, 0 if abs(v) >= 10 else 1)
            elif k.endswith("_amount"):
                out[k] = fmt.money(v)
            elif k.endswith("_n"):
                out[k] = fmt.number(v)
            else:
                out[k] = fmt.number(v, 2)
        else:
            out[k] = "" if v is None else str(v)
    return out


def render_findings(items: list[dict[str, Any]], catalog, kind: str = "findings") -> list[str]:
    """Sentences for findings (``kind="findings"``) or notes (``kind="notes"``)."""
    return [
        catalog.t(f"{_P}{kind}.{it['key']}", **format_values(it.get("values", {}), catalog))
        for it in items
    ]


def line_label(name: str, catalog) -> str:
    """Client label of a P&L cost line (``cts_delivery`` -> "CtS: delivery")."""
    if catalog.has(f"{_P}lines.{name}"):
        return catalog.t(f"{_P}lines.{name}")
    if name.startswith("cts_"):
        return catalog.t(f"{_P}cts_column", activity=name.removeprefix("cts_").replace("_", " "))
    return catalog.column(name)


def _line_word(name: str, catalog) -> str:
    """A cost line inside a list of lines: the activity alone (the column says CtS)."""
    if name.startswith("cts_") and not catalog.has(f"{_P}lines.{name}"):
        return name.removeprefix("cts_").replace("_", " ")
    return line_label(name, catalog)


def _labels(df: pd.DataFrame, catalog, cts_cols: list[str]) -> dict[str, str]:
    labels = {c: catalog.column(c) for c in df.columns}
    for c in cts_cols:
        if c in labels:
            labels[c] = line_label(c, catalog)
    return labels


def _display(df: pd.DataFrame, catalog) -> pd.DataFrame:
    """Codes a client would not read (quadrants, cost lines) in words."""
    d = df.copy()
    if "cost_quadrant" in d.columns:
        d["cost_quadrant"] = (
            d["cost_quadrant"]
            .map(lambda q: catalog.t(f"{_P}quadrant_names.{q}") if isinstance(q, str) and q else q)
            .astype("str")
        )
    for c in [
        c
        for c in d.columns
        if c in ("sinking_lines", "unusual_lines") or (c.startswith("line_") and c.count("_") == 1)
    ]:
        d[c] = (
            d[c]
            .map(
                lambda s: (
                    ", ".join(_line_word(x, catalog) for x in str(s).split(";") if x)
                    if isinstance(s, str)
                    else s
                )
            )
            .astype("str")
        )
    return d


def _name_codes(rates: pd.DataFrame, ctx) -> pd.DataFrame:
    """Driver and method codes in the client's words (unknown codes shown as they are)."""
    out = rates.copy()
    for column, key in (("driver", "driver_name"), ("method", "method_name")):
        if column in out.columns:
            out[column] = ctx.codes(out[column], f"{_P}{key}")
    return out


def build(ctx) -> StageReport | None:
    """The cost-to-serve sheets and report section, or None before stage 2 has run."""
    ws = ctx.workspace
    if not ws.has_table("customer_pnl"):
        return None
    t, fmt = ctx.t, ctx.fmt
    eng = ctx.engagement
    s = eng.cost_to_serve
    pnl = ws.read_table("customer_pnl")
    rates = ws.read_table("cts_rates", required=False)
    rates = rates if rates is not None else pd.DataFrame(columns=["activity", "cost_column"])
    rates = _name_codes(rates, ctx)
    info = ws.read_json("cts_findings", {}) or {}
    found = info.get("findings", [])
    notes = info.get("notes", [])
    whale_stats = info.get("whale", {})
    cuts = info.get("cut_points", {})
    cts_cols = [c for c in rates["cost_column"] if c in pnl.columns]
    period = f"{fmt.date(eng.period.start)} – {fmt.date(eng.period.end)}"

    def table(name):
        return ws.read_table(name, required=False)

    sheets: list[Sheet] = []

    def sheet(key, df, *, title="", note="", chart=None, formats=None, conditional=None):
        if df is None:
            return
        sheets.append(
            Sheet(
                key=key,
                name=t(f"{_P}sheets.{key.removeprefix('cts_')}")[:31],
                df=_display(df, ctx.catalog),
                title=title,
                note=note,
                chart=chart,
                formats=formats or {},
                column_labels=_labels(df, ctx.catalog, cts_cols),
                conditional=conditional or {},
            )
        )

    money_fmt = {"prob_unprofitable": "ratio", "invoices_n": "int", "verdict_flips_n": "int"}
    sheet(
        "pnl",
        pnl,
        title=t(f"{_P}sheets.pnl_title"),
        note=t(f"{_P}sheets.pnl_note", currency=eng.currency, period=period),
        formats=money_fmt,
        conditional={
            "net_profit": "neg_red",
            "net_profit_pct": "neg_red",
            "prob_unprofitable": "scale",
        },
    )
    sheet(
        "rates",
        rates,
        title=t(f"{_P}sheets.rates_title"),
        note=t(f"{_P}sheets.rates_note"),
        formats={
            "driver_volume": "float",
            "capacity": "float",
            "rate": "float",
            "avoidable_pct": "pct",
        },
    )
    unpooled = table("cts_unpooled")
    if unpooled is not None and len(unpooled):
        sheet(
            "unpooled",
            unpooled,
            title=t(f"{_P}sheets.unpooled_title"),
            note=t(f"{_P}sheets.unpooled_note"),
            formats={"quantity": "float", "hours": "float"},
        )
    whale = table("cts_whale")
    whale_note = t(
        f"{_P}sheets.whale_note",
        peak=fmt.pct(whale_stats.get("peak_pct") or math.nan, 0),
        customers=fmt.pct(whale_stats.get("peak_customers_pct") or math.nan, 0),
        erosion=fmt.money(whale_stats.get("erosion") or 0.0),
    )
    if whale is not None:
        sheet(
            "whale",
            whale[
                [
                    "rank",
                    "customer_id",
                    "name",
                    "net_revenue",
                    "net_profit",
                    "cum_net_profit",
                    "cum_customers_pct",
                    "cum_profit_pct",
                ]
            ],
            title=t(f"{_P}sheets.whale_title"),
            note=whale_note,
            chart=ChartSpec(
                kind="line",
                x="cum_customers_pct",
                y=["cum_profit_pct"],
                title=t(f"{_P}whale_title"),
                x_title=t(f"{_P}whale_x"),
                y_title=t(f"{_P}whale_y"),
            ),
            formats={"rank": "int"},
        )
    sheet(
        "deciles",
        table("cts_deciles"),
        title=t(f"{_P}sheets.deciles_title"),
        formats={"decile": "int"},
        conditional={"net_profit": "neg_red"},
    )
    sheet("abc", table("cts_abc"), title=t(f"{_P}sheets.abc_title"))
    sheet(
        "quadrants",
        table("cts_quadrants"),
        title=t(f"{_P}sheets.quadrants_title"),
        conditional={"net_profit": "neg_red"},
    )
    unprof_cols = [
        c
        for c in (
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
        if c in pnl.columns
    ]
    unprof = pnl[(pnl["net_profit"] < 0) | pnl.get("is_big_unprofitable", False)][unprof_cols]
    unprof = unprof.sort_values("net_profit", kind="stable")
    sheet(
        "unprofitable",
        unprof,
        title=t(f"{_P}sheets.unprofitable_title"),
        note=t(f"{_P}sheets.unprofitable_note"),
        formats=money_fmt,
        conditional={"net_profit": "neg_red", "profit_change_if_dropped": "neg_red"},
    )
    sheet(
        "sensitivity",
        table("cts_sensitivity"),
        title=t(f"{_P}sheets.sensitivity_title", pct=fmt.pct(s.sensitivity_pct, 0)),
        formats={"change_pct": "pct"},
    )
    sheet(
        "reconciliation",
        table("cts_reconciliation"),
        title=t(f"{_P}sheets.reconciliation_title"),
        formats={"ledger": "money", "pnl": "money", "difference": "money"},
    )

    # ---- report section
    blocks: list = [Text(t(f"{_P}intro"))]
    totals = info.get("totals") or {
        c: float(pnl[c].sum()) for c in ("net_revenue", "cts_total", "financing_cost", "net_profit")
    }
    blocks.append(
        KeyFigures(
            [
                (t(f"{_P}key_net_revenue"), fmt.money(totals["net_revenue"])),
                (t(f"{_P}key_cts"), fmt.money(totals["cts_total"] + totals["financing_cost"])),
                (t(f"{_P}key_net_profit"), fmt.money(totals["net_profit"])),
                (
                    t(f"{_P}key_unprofitable"),
                    f"{fmt.number(int((pnl['net_profit'] < 0).sum()))} / {fmt.number(len(pnl))}",
                ),
            ]
        )
    )
    sentences = render_findings(found, ctx.catalog)
    if sentences:
        blocks.append(Heading(t(f"{_P}findings_heading")))
        blocks.extend(Text(x, kind="finding") for x in sentences)
    note_text = render_findings(notes, ctx.catalog, kind="notes")
    if note_text:
        blocks.append(Heading(t(f"{_P}notes_heading"), level=4))
        blocks.extend(Text(x, kind="note") for x in note_text)

    if whale is not None:
        blocks += [Heading(t(f"{_P}whale_heading")), Text(t(f"{_P}whale_text"))]
        blocks.append(
            ctx.figure(
                "cts_whale_curve",
                plots.whale_curve(
                    whale,
                    title=t(f"{_P}whale_title"),
                    x_label=t(f"{_P}whale_x"),
                    y_label=t(f"{_P}whale_y"),
                    peak_label=t(f"{_P}whale_peak"),
                    total_label=t(f"{_P}whale_total"),
                ),
                alt=t(f"{_P}whale_alt"),
                caption=whale_note,
            )
        )

    labels = {
        k: line_label(k, ctx.catalog)
        for k in ("discounts", "rebates", "cogs", "financing_cost", *cts_cols)
    }
    labels.update(
        {
            k: ctx.catalog.column(k)
            for k in ("list_sales", "net_revenue", "gross_margin", "net_profit")
        }
    )
    blocks += [Heading(t(f"{_P}waterfall_heading")), Text(t(f"{_P}waterfall_text"))]
    base_row = pnl[
        ["list_sales", "discounts", "rebates", "cogs", *cts_cols, "financing_cost", "net_profit"]
    ].sum()
    blocks.append(
        ctx.figure(
            "cts_waterfall_base",
            plots.waterfall(
                plots.waterfall_steps(base_row, cts_cols, labels),
                title=t(f"{_P}waterfall_base_title"),
                other_label=t(f"{_P}label_other"),
            ),
            alt=t(f"{_P}waterfall_base_alt"),
        )
    )
    top = pnl.sort_values("net_revenue", ascending=False, kind="stable").head(s.top_customers_n)
    for i, (_, row) in enumerate(top.iterrows(), start=1):
        name = _name(row)
        blocks.append(
            ctx.figure(
                f"cts_waterfall_top{i}",
                plots.waterfall(
                    plots.waterfall_steps(row, cts_cols, labels),
                    title=name,
                    other_label=t(f"{_P}label_other"),
                ),
                alt=t(f"{_P}waterfall_customer_alt", name=name),
            )
        )

    if "pocket_margin_pct" in pnl.columns:
        pcut = cuts.get("price_cut_pct")
        ccut = cuts.get("cts_cut_pct")
        pcut = math.nan if pcut is None else pcut
        ccut = math.nan if ccut is None else ccut
        qnames = {
            q: t(f"{_P}quadrant_names.{q}")
            for q in ("carriage_trade", "passive", "bargain_basement", "aggressive")
        }
        blocks += [
            Heading(t(f"{_P}quadrant_heading")),
            Text(t(f"{_P}quadrant_text", price_cut=fmt.pct(pcut), cts_cut=fmt.pct(ccut))),
        ]
        if (pnl["net_revenue"] > 0).any():
            blocks.append(
                ctx.figure(
                    "cts_quadrants",
                    plots.quadrant_scatter(
                        pnl,
                        pcut,
                        ccut,
                        title=t(f"{_P}quadrant_title"),
                        x_label=t(f"{_P}quadrant_x"),
                        y_label=t(f"{_P}quadrant_y"),
                        quadrant_labels=qnames,
                    ),
                    alt=t(f"{_P}quadrant_alt"),
                )
            )
        q = table("cts_quadrants")
        if q is not None:
            blocks.append(
                Table(_display(q, ctx.catalog), column_labels=_labels(q, ctx.catalog, []))
            )

    big = table("cts_big_unprofitable")
    blocks += [
        Heading(t(f"{_P}big_heading")),
        Text(
            t(
                f"{_P}big_text",
                top_pct=fmt.pct(s.big_revenue_top_pct, 0),
                flags=", ".join(s.big_flags),
            )
        ),
    ]
    if big is not None and len(big):
        cols = [
            c
            for c in (
                "name",
                "client_flag",
                "net_revenue",
                "net_profit",
                "net_profit_pct",
                "sinking_lines",
                "unusual_lines",
                "margin_gap_pct",
                "prob_unprofitable",
                "profit_change_if_dropped",
            )
            if c in big.columns
        ]
        blocks.append(
            Table(
                _display(big[cols], ctx.catalog),
                formats={"prob_unprofitable": "ratio"},
                column_labels=_labels(big[cols], ctx.catalog, []),
                max_rows=eng.report.max_table_rows_html,
            )
        )
    else:
        blocks.append(Text(t(f"{_P}big_none"), kind="note"))

    m = table("cts_abc")
    if m is not None:
        blocks += [
            Heading(t(f"{_P}abc_heading")),
            Text(t(f"{_P}abc_text", a_pct=fmt.pct(s.abc_a_pct, 0), b_pct=fmt.pct(s.abc_b_pct, 0))),
            Table(m, column_labels=_labels(m, ctx.catalog, [])),
        ]
    sens = table("cts_sensitivity")
    if sens is not None and len(sens):
        blocks += [
            Heading(t(f"{_P}sensitivity_heading")),
            Text(
                t(
                    f"{_P}sensitivity_text",
                    pct=fmt.pct(s.sensitivity_pct, 0),
                    runs=fmt.number(s.monte_carlo_runs),
                )
            ),
            Table(
                sens.drop(columns=["cost_column"]),
                formats={"change_pct": "pct"},
                column_labels=_labels(sens, ctx.catalog, []),
            ),
        ]
    if len(rates):
        rcols = [
            c
            for c in (
                "activity",
                "driver",
                "method",
                "pool_cost",
                "driver_volume",
                "rate",
                "allocated_cost",
                "unallocated_cost",
                "avoidable_pct",
            )
            if c in rates.columns
        ]
        blocks += [
            Heading(t(f"{_P}rates_heading")),
            Table(
                rates[rcols],
                formats={"driver_volume": "float", "rate": "float", "avoidable_pct": "pct"},
                column_labels=_labels(rates[rcols], ctx.catalog, []),
            ),
        ]

    summary = [
        t(
            f"{_P}summary_lead",
            profit=fmt.money(totals["net_profit"]),
            revenue=fmt.money(totals["net_revenue"]),
            pct=fmt.pct(
                totals["net_profit"] / totals["net_revenue"] * 100
                if totals["net_revenue"]
                else math.nan
            ),
        )
    ]
    summary += sentences[:3]
    return StageReport(
        stage=STAGE,
        section=Section(id="cost_to_serve", title=t(f"{_P}title"), blocks=blocks),
        sheets=sheets,
        summary=summary[:4],
    )


def _name(row) -> str:
    n = row.get("name")
    if isinstance(n, str) and n and n not in ("nan", "<NA>"):
        return n
    return str(row["customer_id"])


__all__ = ["build", "format_values", "line_label", "render_findings"]
