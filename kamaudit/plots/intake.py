"""Intake charts: the Lorenz curve of revenue, and coverage of the period by month.

Every function returns a matplotlib ``Figure`` and never saves or shows it. Labels are
arguments (the deliverables pass translated text; notebooks use the English defaults).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter, PercentFormatter

from . import short_money

__all__ = ["coverage_by_month", "lorenz_curve"]

_MAIN = "#1565c0"
_GAP = "#c62828"
_GREY = "#9e9e9e"


def lorenz_curve(
    lorenz: pd.DataFrame,
    *,
    top20_share_pct: float | None = None,
    title: str = "Concentration of revenue",
    x_label: str = "Share of customers (smallest first)",
    y_label: str = "Share of net revenue",
    equality_label: str = "Equal revenue per customer",
    marker_label: str = "Top 20% of customers: {share:.0f}% of revenue",
) -> plt.Figure:
    """Lorenz curve from ``customers_share`` / ``revenue_share`` points (0..1).

    With ``top20_share_pct`` the point where the largest 20% of customers start is marked.
    """
    fig, ax = plt.subplots(figsize=(5.5, 5.0))
    x = lorenz["customers_share"].to_numpy(dtype=float)
    y = lorenz["revenue_share"].to_numpy(dtype=float)
    ax.plot([0, 1], [0, 1], color=_GREY, linestyle="--", linewidth=1, label=equality_label)
    ax.fill_between(x, y, x, color=_MAIN, alpha=0.08)
    ax.plot(x, y, color=_MAIN, linewidth=2)
    if top20_share_pct is not None and np.isfinite(top20_share_pct):
        y80 = 1 - top20_share_pct / 100
        ax.plot([0.8, 0.8], [0, y80], color=_GAP, linewidth=1)
        ax.plot([0.8], [y80], "o", color=_GAP, label=marker_label.format(share=top20_share_pct))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel(x_label)
    ax.set_ylabel(y_label)
    ax.set_title(title)
    ax.legend(loc="upper left", frameon=False, fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def coverage_by_month(
    coverage: pd.DataFrame,
    *,
    title: str = "Invoice lines and net amount by month",
    lines_label: str = "Invoice lines",
    amount_label: str = "Net amount",
    gap_label: str = "Month without data",
) -> plt.Figure:
    """Bars of invoice lines per month, net amount as a line; empty months marked."""
    fig, ax = plt.subplots(figsize=(8, 3.6))
    months = pd.to_datetime(coverage["month"])
    labels = months.dt.strftime("%Y-%m")
    pos = np.arange(len(coverage))
    n = coverage["invoice_lines_n"].to_numpy(dtype=float)
    colors = np.where(n > 0, _MAIN, _GAP)
    ax.bar(pos, n, color=colors, alpha=0.75, label=lines_label)
    gaps = n == 0
    if gaps.any():
        ax.bar(pos[gaps], np.full(gaps.sum(), max(n.max(), 1) * 0.03), color=_GAP, label=gap_label)
    ax.set_ylabel(lines_label)
    ax2 = ax.twinx()
    ax2.plot(
        pos,
        coverage["net_amount"].to_numpy(dtype=float),
        color="#37474f",
        marker="o",
        markersize=3,
        linewidth=1.5,
        label=amount_label,
    )
    ax2.yaxis.set_major_formatter(FuncFormatter(short_money))
    ax2.set_ylabel(amount_label)
    step = max(1, len(pos) // 12)
    ax.set_xticks(pos[::step])
    ax.set_xticklabels(labels.iloc[::step], rotation=45, ha="right", fontsize=8)
    ax.set_title(title)
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    ax.set_ylim(0, max(n.max(), 1) * 1.25)
    lo, hi = ax2.get_ylim()
    ax2.set_ylim(lo, hi + (hi - lo) * 0.25)
    ax.legend(h1 + h2, l1 + l2, loc="upper left", ncol=3, frameon=True, framealpha=0.9, fontsize=8)
    fig.tight_layout()
    return fig
