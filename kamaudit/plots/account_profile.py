"""Charts of the key-account profile: portfolio matrix, scores by criterion, turnover vs profile.

Each function returns a matplotlib ``Figure``; labels are passed in (already translated)
so the deliverables and the notebook share the same charts.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

QUADRANT_COLORS = {
    "Strategic": "#1b7837",
    "Star": "#2c7fb8",
    "Status": "#e08214",
    "Streamline": "#8c8c8c",
}


def portfolio_matrix(
    profile: pd.DataFrame,
    split_attractiveness: float = 5.5,
    split_strength: float = 5.5,
    labels: dict[str, str] | None = None,
    annotate_n: int = 8,
):
    """McDonald's matrix: strength (x) × attractiveness (y), bubble = net revenue.

    ``profile`` needs attractiveness, strength, quadrant, net_revenue, name and
    is_key_account. Key accounts are outlined and the ``annotate_n`` largest key
    accounts are named.
    """
    labels = labels or {}
    fig, ax = plt.subplots(figsize=(8, 6.5))
    rev = profile["net_revenue"].clip(lower=0).fillna(0).to_numpy(dtype="float64")
    size = 20 + 1500 * np.sqrt(rev / rev.max()) if rev.max() > 0 else np.full(len(rev), 30.0)
    key = (
        profile["is_key_account"].to_numpy(dtype=bool)
        if "is_key_account" in profile
        else np.zeros(len(rev), bool)
    )
    for q, color in QUADRANT_COLORS.items():
        m = (profile["quadrant"] == q).to_numpy()
        ax.scatter(
            profile.loc[m, "strength"],
            profile.loc[m, "attractiveness"],
            s=size[m],
            c=color,
            alpha=0.45,
            edgecolors="none",
            label=labels.get(q, q),
            rasterized=len(rev) > 2000,
        )
    if key.any():
        ax.scatter(
            profile.loc[key, "strength"],
            profile.loc[key, "attractiveness"],
            s=size[key],
            facecolors="none",
            edgecolors="black",
            linewidths=1.2,
            label=labels.get("key", "key account"),
        )
        top = profile.loc[key].nlargest(annotate_n, "net_revenue")
        for _, r in top.iterrows():  # a dozen labels
            ax.annotate(
                str(r["name"])[:22],
                (r["strength"], r["attractiveness"]),
                fontsize=7,
                xytext=(4, 4),
                textcoords="offset points",
            )
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
    ax.set_xlabel(labels.get("x", "Our strength as the customer sees us (1-10)"))
    ax.set_ylabel(labels.get("y", "Customer attractiveness to us (1-10)"))
    ax.set_title(labels.get("title", "Portfolio matrix"))
    ax.legend(
        loc="upper center",
        bbox_to_anchor=(0.5, -0.1),
        ncol=5,
        fontsize=8,
        markerscale=0.4,
        frameon=False,
    )
    fig.tight_layout()
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
    ax.axhline(0, color="black", lw=0.8)
    ax.set_xlabel(labels.get("x", "Net revenue (log scale)"))
    ax.set_ylabel(labels.get("y", "Net profit after cost-to-serve"))
    ax.set_title(labels.get("title", "Turnover-only top list against the profile"))
    ax.legend(fontsize=8, frameon=False)
    fig.tight_layout()
    return fig
