"""Charts of stage 4, team design: load per person, the contact calendar.

Each function returns a matplotlib ``Figure`` and never saves or shows it. Labels are
arguments (the deliverables pass translated text; notebooks use the English defaults).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

_ROLE_COLORS = {
    "kam": "#1f4e79",
    "executive": "#7f3f98",
    "finance": "#2e8b57",
    "logistics": "#b8860b",
    "marketing": "#c0504d",
    "specialist": "#4f81bd",
    "other": "#7f7f7f",
}


def load_per_person(
    load: pd.DataFrame,
    title: str = "Planned hours per person against capacity",
    xlabel: str = "hours a year",
    planned_label: str = "planned",
    capacity_label: str = "capacity",
    role_labels: dict[str, str] | None = None,
):
    """Horizontal bars: planned hours per person (coloured by role) against their capacity.

    ``load`` is ``team_load`` (person_id, name, role, hours_planned, capacity_hours);
    ``role_labels`` translates the role codes shown beside the names.
    """
    df = load[load["capacity_hours"].fillna(0) > 0].copy()
    order = {r: i for i, r in enumerate(_ROLE_COLORS)}
    df["_o"] = df["role"].map(order).fillna(len(order))
    df = df.sort_values(["_o", "name"], kind="mergesort").reset_index(drop=True)
    height = max(2.0, 0.38 * len(df) + 1.2)
    fig, ax = plt.subplots(figsize=(7.5, height))
    if not len(df):
        ax.text(0.5, 0.5, "–", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return fig
    y = np.arange(len(df))
    colors = [_ROLE_COLORS.get(r, "#7f7f7f") for r in df["role"]]
    ax.barh(y, df["capacity_hours"], color="#e6e6e6", edgecolor="#9a9a9a", label=capacity_label)
    ax.barh(y, df["hours_planned"], height=0.5, color=colors, label=planned_label)
    for yi, (h, c) in enumerate(zip(df["hours_planned"], df["capacity_hours"], strict=True)):
        ax.text(c, yi, f" {100 * h / c:.0f}%", va="center", fontsize=8)
    labels = role_labels or {}
    ax.set_yticks(
        y, [f"{n} ({labels.get(r, r)})" for n, r in zip(df["name"], df["role"], strict=True)]
    )
    ax.invert_yaxis()
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_xlim(0, float(df["capacity_hours"].max()) * 1.12)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2, fontsize=8, frameon=False)
    fig.tight_layout()
    return fig


def contact_calendar(
    contact_plan: pd.DataFrame,
    month_names: list[str] | None = None,
    title: str = "Planned touchpoints per key account and month",
):
    """Heatmap: key accounts × the twelve months of the contact plan (touchpoints)."""
    months = [f"m{i:02d}" for i in range(1, 13)]
    label = "customer_name" if "customer_name" in contact_plan.columns else "customer_id"
    grid = contact_plan.groupby(label, sort=True)[months].sum()
    height = max(2.0, 0.3 * len(grid) + 1.3)
    fig, ax = plt.subplots(figsize=(8, height))
    if not len(grid):
        ax.text(0.5, 0.5, "–", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return fig
    im = ax.imshow(grid.to_numpy(), aspect="auto", cmap="Blues")
    ax.set_xticks(range(12), month_names or months, rotation=45, ha="right", fontsize=8)
    ax.set_yticks(range(len(grid)), grid.index.tolist(), fontsize=8)
    for (i, j), v in np.ndenumerate(grid.to_numpy()):
        if v:
            ax.text(
                j,
                i,
                str(int(v)),
                ha="center",
                va="center",
                fontsize=7,
                color="white" if v > grid.to_numpy().max() / 2 else "black",
            )
    ax.set_title(title)
    fig.colorbar(im, ax=ax, fraction=0.03)
    fig.tight_layout()
    return fig
