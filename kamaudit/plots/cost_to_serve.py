"""Cost-to-serve charts: whale curve, P&L waterfall, Shapiro quadrant scatter.

Every function returns a matplotlib ``Figure`` and never saves or shows it. Labels are
arguments (the deliverables pass translated text; notebooks can rely on the English
defaults). Scatter points are rasterized so large customer bases stay light in any format.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter, PercentFormatter

from . import short_money

__all__ = [
    "QUADRANT_COLORS",
    "pnl_waterfall",
    "pocket_steps",
    "quadrant_limits",
    "quadrant_scatter",
    "scenario_whales",
    "waterfall",
    "waterfall_steps",
    "whale_curve",
]

_POS = "#2e7d32"
_NEG = "#c62828"
_TOT = "#37474f"
QUADRANT_COLORS = {
    "carriage_trade": "#1565c0",
    "passive": "#2e7d32",
    "bargain_basement": "#f9a825",
    "aggressive": "#c62828",
}


def _money_axis(ax, axis: str = "y") -> None:
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(FuncFormatter(short_money))


def whale_curve(
    curve: pd.DataFrame,
    *,
    title: str = "Whale curve",
    x_label: str = "Customers, most profitable first (%)",
    y_label: str = "Cumulative net profit (% of total)",
    peak_label: str = "Peak {peak:.0f} %",
    total_label: str = "Total = 100 %",
) -> plt.Figure:
    """Kaplan's whale curve from ``cts_whale`` (cum_customers_pct, cum_profit_pct).

    When total profit is not positive the curve is drawn in money (cum_net_profit).
    """
    fig, ax = plt.subplots(figsize=(7, 4.2))
    x = curve["cum_customers_pct"].to_numpy(dtype=float)
    y = curve["cum_profit_pct"].to_numpy(dtype=float)
    in_money = not np.isfinite(y).all()
    if in_money:
        y = curve["cum_net_profit"].to_numpy(dtype=float)
        _money_axis(ax)
    ax.plot(x, y, color=_TOT, lw=2)
    ax.fill_between(x, 0, y, color=_TOT, alpha=0.08)
    if len(y):
        i = int(np.nanargmax(y))
        ax.scatter([x[i]], [y[i]], color=_POS, zorder=3)
        if not in_money:
            ax.annotate(
                peak_label.format(peak=y[i]),
                (x[i], y[i]),
                textcoords="offset points",
                xytext=(6, 6),
                color=_POS,
            )
            ax.axhline(100, color="#9e9e9e", lw=1, ls="--")
            ax.annotate(
                total_label,
                (0, 100),
                textcoords="offset points",
                xytext=(4, -14),
                color="#616161",
                fontsize=8,
            )
    ax.axhline(0, color="#9e9e9e", lw=0.8)
    ax.set_xlim(0, 100)
    ax.xaxis.set_major_formatter(PercentFormatter(100, decimals=0))
    ax.set_xlabel(x_label)
    ax.set_ylabel(y_label)
    ax.set_title(title)
    ax.grid(alpha=0.25)
    fig.tight_layout()
    return fig


def waterfall_steps(
    row: pd.Series | dict, cts_columns: list[str], labels: dict[str, str] | None = None
) -> pd.DataFrame:
    """The P&L as waterfall steps: label, value (signed), kind (``total``/``step``).

    ``row`` holds list_sales, discounts, rebates, cogs, the ``cts_columns``,
    financing_cost and net_profit (a customer's P&L row or the base summed).
    """
    labels = labels or {}

    def lab(k: str) -> str:
        return labels.get(k, k.removeprefix("cts_").replace("_", " ").capitalize())

    r = dict(row)
    steps = [(lab("list_sales"), float(r["list_sales"]), "total")]
    for k in ("discounts", "rebates"):
        steps.append((lab(k), -float(r[k]), "step"))
    steps.append(
        (lab("net_revenue"), float(r["list_sales"] - r["discounts"] - r["rebates"]), "total")
    )
    steps.append((lab("cogs"), -float(r["cogs"]), "step"))
    steps.append(
        (
            lab("gross_margin"),
            float(r["list_sales"] - r["discounts"] - r["rebates"] - r["cogs"]),
            "total",
        )
    )
    for c in cts_columns:
        steps.append((lab(c), -float(r[c]), "step"))
    steps.append((lab("financing_cost"), -float(r["financing_cost"]), "step"))
    steps.append((lab("net_profit"), float(r["net_profit"]), "total"))
    return pd.DataFrame(steps, columns=["label", "value", "kind"])


def waterfall(
    steps: pd.DataFrame,
    *,
    title: str = "Customer P&L",
    max_steps: int = 18,
    other_label: str = "Other",
    y_label: str = "",
) -> plt.Figure:
    """A horizontal-label waterfall from :func:`waterfall_steps`; ``y_label`` names the
    money axis (its currency and period).

    Small cost steps beyond ``max_steps`` bars are merged into one "other" step so the
    chart stays readable with many pools.
    """
    s = steps.copy()
    step_rows = s.index[s["kind"] == "step"]
    if len(s) > max_steps and len(step_rows) > 2:
        keep_n = max(1, max_steps - int((s["kind"] == "total").sum()) - 1)
        small = s.loc[step_rows, "value"].abs().sort_values(ascending=False).index[keep_n:]
        if len(small) > 1:
            other = s.loc[small, "value"].sum()
            first = min(small)
            s.loc[first, ["label", "value"]] = [other_label, other]
            s = s.drop(index=[i for i in small if i != first]).reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(max(6.5, 0.62 * len(s) + 2), 4.2))
    level = 0.0
    for i, (_label, value, kind) in enumerate(s.itertuples(index=False)):
        if kind == "total":
            bottom, height, color = 0.0, value, _TOT if value >= 0 else _NEG
            level = value
        else:
            bottom, height = level, value
            color = _NEG if value < 0 else _POS
            level += value
        ax.bar(i, height, bottom=bottom, color=color, width=0.7)
        ax.annotate(
            short_money(value),
            (i, bottom + height if height >= 0 else bottom + height),
            textcoords="offset points",
            xytext=(0, 3 if height >= 0 else -11),
            ha="center",
            fontsize=7,
        )
    ax.axhline(0, color="#9e9e9e", lw=0.8)
    ax.set_xticks(range(len(s)))
    ax.set_xticklabels(s["label"], rotation=35, ha="right", fontsize=8)
    _money_axis(ax)
    if y_label:
        ax.set_ylabel(y_label, fontsize=8)
    ax.set_title(title)
    ax.grid(axis="y", alpha=0.25)
    fig.tight_layout()
    return fig


def quadrant_scatter(
    pnl: pd.DataFrame,
    price_cut: float,
    cts_cut: float,
    *,
    title: str = "Net price against cost-to-serve (Shapiro)",
    x_label: str = "Cost-to-serve (% of net revenue)",
    y_label: str = "Pocket margin (% of net revenue)",
    quadrant_labels: dict[str, str] | None = None,
    clip_pct: float = 2.0,
) -> plt.Figure:
    """Customers on Shapiro's matrix, bubbles sized by net revenue.

    ``pnl`` needs pocket_margin_pct, cost_to_serve_pct (or cts_total and financing_cost),
    net_revenue, cost_quadrant. Axes are clipped to the ``clip_pct`` … 100 − ``clip_pct``
    percentiles so a few outliers do not squash the picture. Rasterized points.
    """
    quadrant_labels = quadrant_labels or {
        k: k.replace("_", " ").capitalize() for k in QUADRANT_COLORS
    }
    d = pnl[pnl["net_revenue"] > 0]
    if "cost_to_serve_pct" in d.columns:
        x = d["cost_to_serve_pct"].to_numpy(dtype=float)
    else:
        x = (
            (d["cts_total"] + d["financing_cost"]).to_numpy(dtype=float)
            / d["net_revenue"].to_numpy(float)
            * 100
        )
    y = d["pocket_margin_pct"].to_numpy(dtype=float)
    rev = d["net_revenue"].to_numpy(dtype=float)
    size = 8 + 400 * np.sqrt(rev / rev.max()) if len(rev) else np.array([])
    fig, ax = plt.subplots(figsize=(7, 5))
    for q, color in QUADRANT_COLORS.items():
        m = (d["cost_quadrant"] == q).to_numpy()
        ax.scatter(
            x[m],
            y[m],
            s=size[m],
            color=color,
            alpha=0.45,
            edgecolor="white",
            lw=0.4,
            label=quadrant_labels.get(q, q),
            rasterized=True,
        )
    if len(x):
        xlim, ylim = quadrant_limits(x, y, price_cut, cts_cut, clip_pct)
        ax.set_xlim(*xlim)
        ax.set_ylim(*ylim)
    ax.axvline(cts_cut, color="#616161", lw=1, ls="--")
    ax.axhline(price_cut, color="#616161", lw=1, ls="--")
    corners = {
        "carriage_trade": (0.98, 0.97, "right", "top"),
        "passive": (0.02, 0.97, "left", "top"),
        "bargain_basement": (0.02, 0.03, "left", "bottom"),
        "aggressive": (0.98, 0.03, "right", "bottom"),
    }
    for q, (cx, cy, ha, va) in corners.items():
        ax.text(
            cx,
            cy,
            quadrant_labels.get(q, q),
            transform=ax.transAxes,
            ha=ha,
            va=va,
            color=QUADRANT_COLORS[q],
            fontsize=9,
            fontweight="bold",
        )
    ax.set_xlabel(x_label)
    ax.set_ylabel(y_label)
    ax.set_title(title)
    ax.grid(alpha=0.25)
    fig.tight_layout()
    return fig


def quadrant_limits(
    x, y, price_cut: float, cts_cut: float, clip_pct: float = 2.0
) -> tuple[tuple[float, float], tuple[float, float]]:
    """Axis ends for Shapiro's matrix: the ``clip_pct`` … 100 − ``clip_pct`` percentiles
    of the points, the cut lines always inside, with a margin (the HTML and the workbook
    chart share them).

    >>> quadrant_limits([0, 10], [0, 20], price_cut=5, cts_cut=5, clip_pct=0)
    ((-2.5, 12.5), (-4.0, 24.0))
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    lo_x, hi_x = np.nanpercentile(x, [clip_pct, 100 - clip_pct])
    lo_y, hi_y = np.nanpercentile(y, [clip_pct, 100 - clip_pct])
    px = (hi_x - lo_x) * 0.15 + 1
    py = (hi_y - lo_y) * 0.15 + 1
    cx = cts_cut if np.isfinite(cts_cut) else lo_x
    cy = price_cut if np.isfinite(price_cut) else lo_y
    return (
        (float(min(lo_x, cx) - px), float(max(hi_x, cx) + px)),
        (float(min(lo_y, cy) - py), float(max(hi_y, cy) + py)),
    )


def pnl_waterfall(
    pnl: pd.DataFrame,
    cost_columns: list[str],
    customer_id: str | None = None,
    *,
    title: str | None = None,
    labels: dict[str, str] | None = None,
) -> plt.Figure:
    """Waterfall of the whole base (``customer_id=None``) or of one customer.

    >>> pnl_waterfall(result.pnl, list(result.rates["cost_column"]))  # doctest: +SKIP
    """
    cols = [
        "list_sales",
        "discounts",
        "rebates",
        "cogs",
        *cost_columns,
        "financing_cost",
        "net_profit",
    ]
    if customer_id is None:
        row = pnl[cols].sum()
        title = title or "All customers"
    else:
        match = pnl[pnl["customer_id"] == str(customer_id)]
        if match.empty:
            raise KeyError(f"customer {customer_id!r} is not in the P&L")
        row = match.iloc[0]
        name = row.get("name")
        title = title or (name if isinstance(name, str) and name else str(customer_id))
    return waterfall(waterfall_steps(row, cost_columns, labels), title=title)


_SCENARIO_STYLE = {
    "now": (_TOT, "-"),
    "reprice": ("#1565c0", "--"),
    "reserve": ("#f9a825", "-."),
    "exit": (_POS, ":"),
}


def scenario_whales(
    profits: pd.DataFrame,
    *,
    labels: dict[str, str] | None = None,
    title: str = "Whale curve after each scenario",
    x_label: str = "Customers, most profitable first (%)",
    y_label: str = "Cumulative net profit",
) -> plt.Figure:
    """Whale curves in money, now and after each scenario, on one chart.

    ``profits``: one column per curve (``now``, ``reprice``, ``reserve``, ``exit``: each
    customer's net profit, as ``cost_to_serve.scenarios.scenario_profits`` gives them).
    Each curve ends at its portfolio's net profit.
    """
    labels = labels or {}
    fig, ax = plt.subplots(figsize=(7, 4.2))
    for col, (color, ls) in _SCENARIO_STYLE.items():
        if col not in profits.columns:
            continue
        y = np.sort(profits[col].to_numpy(dtype=float))[::-1].cumsum()
        x = np.arange(1, len(y) + 1) / max(len(y), 1) * 100
        ax.plot(np.r_[0, x], np.r_[0, y], color=color, ls=ls, lw=2, label=labels.get(col, col))
    ax.axhline(0, color="#9e9e9e", lw=0.8)
    ax.set_xlim(0, 100)
    ax.xaxis.set_major_formatter(PercentFormatter(100, decimals=0))
    _money_axis(ax)
    ax.set_xlabel(x_label)
    ax.set_ylabel(y_label)
    ax.set_title(title)
    ax.legend(fontsize=8, loc="lower left")
    ax.grid(alpha=0.25)
    fig.tight_layout()
    return fig


def pocket_steps(
    rows: pd.DataFrame,
    labels: dict[str, str] | None = None,
    totals: tuple[str, ...] = ("list_sales", "net_revenue", "gross_margin", "pocket_profit"),
) -> pd.DataFrame:
    """One customer's rows of ``pocket_margins`` (step_no, step, amount) as
    :func:`waterfall` steps; ``totals`` are the steps drawn as bars from zero (the
    subtotals of ``kamaudit.synthesis.POCKET_STEPS``)."""
    labels = labels or {}
    r = rows.sort_values("step_no", kind="stable")
    return pd.DataFrame(
        {
            "label": [labels.get(s, s.replace("_", " ").capitalize()) for s in r["step"]],
            "value": r["amount"].to_numpy(dtype=float),
            "kind": ["total" if s in totals else "step" for s in r["step"]],
        }
    )
