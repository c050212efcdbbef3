"""The portfolio matrix tells the truth: unassessed customers hollow, numbers that do not
collide on key accounts only, and a bubble-size legend."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.legend import Legend

import kamaudit.plots  # noqa: F401  (sets the rcParams)
from kamaudit.plots.account_profile import nice_steps, portfolio_matrix


def _profile(n: int = 120, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    strength = rng.uniform(1, 10, n)
    strength[:40] = 5.06  # a column of filled-in scores, as the sample's
    attractiveness = rng.uniform(1, 10, n)
    quadrant = np.where(
        attractiveness >= 5.5,
        np.where(strength >= 5.5, "Strategic", "Star"),
        np.where(strength >= 5.5, "Status", "Streamline"),
    )
    blind = np.zeros(n, bool)
    blind[:40] = True
    quadrant[:30] = "unassessed"  # ten are unassessed on strength only, quadrant kept
    revenue = rng.lognormal(11, 1.2, n)
    key = np.zeros(n, bool)
    key[np.argsort(-revenue)[:25]] = True
    return pd.DataFrame(
        {
            "customer_id": [f"C{i:03d}" for i in range(n)],
            "name": [f"Customer $ {i}" for i in range(n)],
            "strength": strength,
            "attractiveness": attractiveness,
            "quadrant": quadrant,
            "net_revenue": revenue,
            "is_key_account": key,
            "strength_unassessed": blind,
            "attractiveness_unassessed": np.zeros(n, bool),
        }
    )


def _hollow(coll) -> bool:
    faces = coll.get_facecolors()
    return len(faces) == 0 or float(np.max(faces[:, 3])) == 0.0


def test_every_customer_is_drawn_once_and_the_unassessed_hollow():
    p = _profile()
    fig = portfolio_matrix(p, labels={"unassessed": "not assessed"})
    ax = fig.axes[0]
    pts = [(c, len(c.get_offsets())) for c in ax.collections if len(c.get_offsets())]
    filled = sum(n for c, n in pts if not _hollow(c))
    hollow = [(c, n) for c, n in pts if _hollow(c) and c.get_label().startswith("not assessed")]
    assert filled == (~p["strength_unassessed"]).sum()  # each assessed customer, coloured
    assert [n for _, n in hollow] == [40]  # each unassessed one, hollow (none left out)
    assert hollow[0][0].get_label() == "not assessed (40)"
    notes = [t.get_text() for t in fig.texts]
    assert any("missing data" in t for t in notes)
    plt.close(fig)


def test_only_key_accounts_are_numbered_and_numbers_never_collide():
    p = _profile()
    fig = portfolio_matrix(p, annotate_n=25)
    ax = fig.axes[0]
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    numbers = [t for t in ax.texts if t.get_text().isdigit()]
    assert numbers, "no key account numbered"
    boxes = [t.get_window_extent(renderer) for t in numbers]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not a.overlaps(b)
    key = p.loc[p["is_key_account"]].nlargest(25, "net_revenue").reset_index(drop=True)
    listing = next(t.get_text() for t in fig.texts if "Key accounts" in t.get_text())
    for t in numbers:  # each number sits on its key account and is named in the list
        i = int(t.get_text())
        row = key.loc[i - 1]
        assert t.xy == (row["strength"], row["attractiveness"])
        assert f"{i}  {row['name'][:26]}" in listing.splitlines()
    plt.close(fig)


def test_a_bubble_size_legend_in_round_money():
    p = _profile()
    fig = portfolio_matrix(p, money=lambda v: f"{v:,.0f} EUR", labels={"size": "Net revenue"})
    legends = [c for c in fig.axes[0].get_children() if isinstance(c, Legend)]
    size = next(lg for lg in legends if lg.get_title().get_text() == "Net revenue")
    texts = [t.get_text() for t in size.get_texts()]
    steps = nice_steps(float(p["net_revenue"].max()))
    assert texts == [f"{v:,.0f} EUR" for v in steps] and len(steps) == 3
    assert steps[0] <= p["net_revenue"].max() and steps == sorted(steps, reverse=True)
    plt.close(fig)
