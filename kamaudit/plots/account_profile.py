"""Charts of the key-account profile: portfolio matrix, scores by criterion, turnover vs profile.

Each function returns a matplotlib ``Figure``; labels are passed in (already translated)
so the deliverables and the notebook share the same charts.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter, NullFormatter

from . import short_money

QUADRANT_COLORS = {
    "Strategic": "#1b7837",
    "Star": "#2c7fb8",
    "Status": "#e08214",
    "Streamline": "#8c8c8c",
}


UNASSESSED_COLOR = "#6e6e6e"
"""Outline of a customer whose quadrant is not assessed (hollow: its scores are filled in)."""


def _unassessed_mask(profile: pd.DataFrame) -> np.ndarray:
    """Customers an axis of which rests mostly on missing data (or whose quadrant says so)."""
    out = np.zeros(len(profile), bool)
    for col in ("attractiveness_unassessed", "strength_unassessed"):
        if col in profile:
            out |= profile[col].fillna(False).to_numpy(dtype=bool)
    if "quadrant" in profile:
        out |= (profile["quadrant"] == "unassessed").to_numpy()
    return out


def bubble_sizes(revenue: np.ndarray, top: float) -> np.ndarray:
    """Marker areas (points²) for revenues: 20 plus an area growing with the square root of
    the revenue (small customers stay visible); the size legend uses the same scale.

    >>> bubble_sizes(np.array([0.0, 25.0, 100.0]), 100.0).round().tolist()
    [20.0, 770.0, 1520.0]
    """
    if top <= 0:
        return np.full(len(revenue), 30.0)
    return 20 + 1500 * np.sqrt(np.clip(revenue, 0, None) / top)


def nice_steps(top: float, n: int = 3) -> list[float]:
    """Round reference revenues for the size legend: the largest, then about a quarter and a
    sixteenth of it, each rounded to one significant digit (distinct, positive, descending).

    >>> nice_steps(1328723.0)
    [1000000.0, 300000.0, 80000.0]
    """
    out: list[float] = []
    for k in range(n):
        v = top / 4**k
        if v <= 0:
            break
        mag = 10 ** np.floor(np.log10(v))
        r = float(np.floor(v / mag) * mag)
        if r > 0 and r not in out:
            out.append(r)
    return out


def _overlaps(box, placed, pad: float = 2.0) -> bool:
    return any(
        box.x0 - pad < b.x1 and b.x0 - pad < box.x1 and box.y0 - pad < b.y1 and b.y0 - pad < box.y1
        for b in placed
    )


def _number_key_accounts(fig, ax, points: pd.DataFrame) -> list[tuple[int, str]]:
    """Number the key accounts (largest first) beside their bubble where the number collides
    with no other number; returns the ``(number, name)`` pairs drawn."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    placed, drawn = [], []
    offsets = ((4, 4), (-4, 4), (4, -4), (-4, -4), (6, 0), (-6, 0), (0, 6), (0, -6))
    for i, r in enumerate(points.itertuples(index=False), start=1):
        for dx, dy in offsets:
            text = ax.annotate(
                str(i),
                (r.strength, r.attractiveness),
                xytext=(dx, dy),
                textcoords="offset points",
                ha="left" if dx >= 0 else "right",
                va="bottom" if dy >= 0 else "top",
                fontsize=7,
                weight="bold",
                parse_math=False,
            )
            box = text.get_window_extent(renderer)
            if _overlaps(box, placed):
                text.remove()
                continue
            placed.append(box)
            drawn.append((i, str(r.name)))
            break
    return drawn


def _size_legend(ax, top: float, money, title: str):
    """Grey reference bubbles for a few round revenues, as a legend of their own."""
    handles = [
        ax.scatter(
            [],
            [],
            s=bubble_sizes(np.array([v]), top)[0],
            facecolors="none",
            edgecolors="#555555",
            linewidths=0.8,
            label=money(v),
        )
        for v in nice_steps(top)
    ]
    return ax.legend(
        handles=handles,
        title=title,
        loc="lower left",
        bbox_to_anchor=(1.02, 0.0),
        labelspacing=2.4,
        handletextpad=2.0,
        borderpad=1.4,
        fontsize=7,
        title_fontsize=8,
        frameon=False,
    )


def _draw_quadrants(ax, split_attractiveness, split_strength, labels) -> None:
    ax.axvline(split_strength, color="black", lw=0.8, ls="--")
    ax.axhline(split_attractiveness, color="black", lw=0.8, ls="--")
    ax.set_xlim(1, 10)
    ax.set_ylim(1, 10)
    for q, (x, y) in {
        "Strategic": (9.9, 9.9),
        "Star": (1.1, 9.9),
        "Status": (9.9, 1.1),
        "Streamline": (1.1, 1.1),
    }.items():
        ax.text(
            x,
            y,
            labels.get(q, q),
            ha="right" if x > 5 else "left",
            va="top" if y > 5 else "bottom",
            fontsize=11,
            color=QUADRANT_COLORS[q],
            weight="bold",
        )


def portfolio_matrix(
    profile: pd.DataFrame,
    split_attractiveness: float = 5.5,
    split_strength: float = 5.5,
    labels: dict[str, str] | None = None,
    annotate_n: int = 30,
    money=None,
):
    """McDonald's matrix: strength (x) × attractiveness (y), bubble size = net revenue.

    ``profile`` needs attractiveness, strength, quadrant, net_revenue, name and
    is_key_account; with ``attractiveness_unassessed``/``strength_unassessed`` (or quadrant
    ``unassessed``) a customer is drawn hollow and grey at its filled-in scores, with a note
    (``labels["unassessed"]``, ``labels["unassessed_note"]``). Key accounts are outlined in
    black; the ``annotate_n`` largest are numbered where the number collides with no other,
    and named in a numbered list beside the chart. A legend of reference bubbles
    (``money`` formats their revenue) gives the size scale.
    """
    labels = labels or {}
    money = money or (lambda v: f"{v:,.0f}")
    fig, ax = plt.subplots(figsize=(10, 7.5))
    rev = profile["net_revenue"].clip(lower=0).fillna(0).to_numpy(dtype="float64")
    top = float(rev.max()) if len(rev) else 0.0
    size = bubble_sizes(rev, top)
    n = len(profile)
    key = (
        profile["is_key_account"].fillna(False).to_numpy(dtype=bool)
        if "is_key_account" in profile
        else np.zeros(n, bool)
    )
    blind = _unassessed_mask(profile)
    x, y = profile["strength"], profile["attractiveness"]
    for q, color in QUADRANT_COLORS.items():
        m = (profile["quadrant"] == q).to_numpy() & ~blind
        ax.scatter(
            x[m],
            y[m],
            s=size[m],
            c=color,
            alpha=0.45,
            edgecolors="none",
            label=labels.get(q, q),
            rasterized=n > 2000,
        )
    if blind.any():
        ax.scatter(
            x[blind],
            y[blind],
            s=size[blind],
            facecolors="none",
            edgecolors=UNASSESSED_COLOR,
            linewidths=0.8,
            linestyles="--",
            label=f"{labels.get('unassessed', 'unassessed')} ({int(blind.sum())})",
            rasterized=n > 2000,
        )
    if key.any():
        ax.scatter(
            x[key],
            y[key],
            s=size[key],
            facecolors="none",
            edgecolors="black",
            linewidths=1.2,
            label=labels.get("key", "key account"),
        )
    _draw_quadrants(ax, split_attractiveness, split_strength, labels)
    ax.set_xlabel(labels.get("x", "Our strength as the customer sees us (1-10)"))
    ax.set_ylabel(labels.get("y", "Customer attractiveness to us (1-10)"))
    ax.set_title(labels.get("title", "Portfolio matrix"))
    quadrants = ax.legend(
        loc="upper center",
        bbox_to_anchor=(0.5, -0.1),
        ncol=3,
        fontsize=8,
        markerscale=0.4,
        frameon=False,
    )
    _size_legend(ax, top, money, labels.get("size", "Net revenue"))
    ax.add_artist(quadrants)  # the size legend replaced it as the axes' legend
    if blind.any():
        note = labels.get(
            "unassessed_note",
            "Hollow grey bubbles: an axis rests mostly on missing data; drawn at filled-in "
            "scores, without a quadrant.",
        )
        fig.text(0.01, 0.01, note, fontsize=7, color=UNASSESSED_COLOR, wrap=True, parse_math=False)
    fig.subplots_adjust(left=0.08, right=0.68, top=0.94, bottom=0.2)
    if key.any() and annotate_n > 0:
        points = profile.loc[key].nlargest(annotate_n, "net_revenue")
        drawn = _number_key_accounts(fig, ax, points)
        listing = "\n".join(
            f"{i}  {name if len(name) <= 26 else name[:25] + '…'}" for i, name in drawn
        )
        fig.text(
            0.70,
            0.97,
            f"{labels.get('numbered', 'Key accounts')}\n{listing}",
            fontsize=6.5,
            va="top",
            ha="left",
            parse_math=False,
            linespacing=1.25,
        )
    return fig


def criterion_scores(scores: pd.DataFrame, title: str = "", labels: dict[str, str] | None = None):
    """Horizontal bars: one customer's score by criterion (1-10), coloured by axis.

    ``scores`` is that customer's rows of ``profile_criterion_scores`` (criterion, axis,
    score, weight, missing). Neutral scores for missing values are hatched.
    """
    labels = labels or {}
    # barh draws the first row at the bottom: attractiveness ends on top, heaviest first,
    # as the report's profile cards read
    d = scores.sort_values(["axis", "weight"], ascending=[False, True], kind="stable")
    d = d.reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(5, 0.25 * len(d) + 1.0))
    fig.subplots_adjust(left=0.38, right=0.97, top=0.9, bottom=0.8 / (0.25 * len(d) + 1.0))
    colors = np.where(d["axis"] == "attractiveness", "#2c7fb8", "#1b7837")
    bars = ax.barh(np.arange(len(d)), d["score"] - 1, left=1, color=colors, alpha=0.85)
    for bar, missing in zip(bars, d["missing"].to_numpy(dtype=bool), strict=True):
        if missing:
            bar.set_hatch("///")
            bar.set_alpha(0.35)
    ax.set_yticks(np.arange(len(d)))
    ax.set_yticklabels(
        [f"{labels.get(c, c)} ({w:g})" for c, w in zip(d["criterion"], d["weight"], strict=True)],
        fontsize=8,
    )
    ax.axvline(5.5, color="black", lw=0.8, ls="--")
    ax.set_xlim(1, 10)
    ax.set_xlabel(
        labels.get("x", "score (1-10); weight in brackets; hatched = no data, neutral"), fontsize=8
    )
    ax.set_title(title, fontsize=10)
    ax.tick_params(axis="x", labelsize=8)
    return fig


def turnover_comparison(selection: pd.DataFrame, labels: dict[str, str] | None = None):
    """Net revenue (x, log) against net profit (y): who a turnover-only list picks and who the profile picks.

    ``selection`` needs net_revenue, net_profit and comparison (both, profile_only,
    turnover_only, neither).
    """
    labels = labels or {}
    fig, ax = plt.subplots(figsize=(8, 5.5))
    style = {
        "neither": ("#c8c8c8", "o", 12),
        "turnover_only": ("#d7301f", "v", 45),
        "profile_only": ("#2c7fb8", "^", 45),
        "both": ("#1b7837", "s", 45),
    }
    d = selection.loc[selection["net_revenue"] > 0]
    for k, (color, marker, s) in style.items():
        m = d["comparison"] == k
        ax.scatter(
            d.loc[m, "net_revenue"],
            d.loc[m, "net_profit"],
            c=color,
            marker=marker,
            s=s,
            label=f"{labels.get(k, k)} ({int(m.sum())})",
            alpha=0.8 if k != "neither" else 0.5,
            rasterized=len(d) > 2000,
        )
    ax.set_xscale("log")
    # math text is off (client text is never interpreted), so the log axis's default
    # "$10^{5}$" labels would print raw: plain money ticks instead
    ax.xaxis.set_major_formatter(FuncFormatter(short_money))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.yaxis.set_major_formatter(FuncFormatter(short_money))
    ax.axhline(0, color="black", lw=0.8)
    ax.set_xlabel(labels.get("x", "Net revenue (log scale)"))
    ax.set_ylabel(labels.get("y", "Net profit after cost-to-serve"))
    ax.set_title(labels.get("title", "Turnover-only top list against the profile"))
    ax.legend(fontsize=8, frameon=False)
    fig.tight_layout()
    return fig
