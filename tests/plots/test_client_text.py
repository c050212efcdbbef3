"""Client names are drawn as written: no math text, no exception."""

from __future__ import annotations

import io

import matplotlib.pyplot as plt

import kamaudit.plots  # noqa: F401  (sets the rcParams)


def test_dollar_signs_in_names_are_plain_text():
    names = ["Buck$ 50% Off $tore", "Ca$h & Carry", r"$\frac{1}{0}$ GmbH", "$$"]
    fig, ax = plt.subplots()
    for i, n in enumerate(names):
        ax.annotate(n, (i, i))
    ax.set_title(names[0])
    fig.savefig(io.BytesIO(), format="png")  # raised ParseException with math text on
    drawn = [t.get_text() for t in ax.texts]
    assert drawn == names
    plt.close(fig)


def test_a_log_axis_prints_plain_numbers_not_math_markup():
    """With math text off, matplotlib's log ticks ("$\\mathdefault{10^{5}}$") print raw."""
    import pandas as pd

    from kamaudit.plots.account_profile import turnover_comparison

    sel = pd.DataFrame(
        {
            "net_revenue": [2e3, 4e4, 3e5, 2e6],
            "net_profit": [-1e3, 5e3, 2e4, 3e5],
            "comparison": ["neither", "turnover_only", "profile_only", "both"],
        }
    )
    fig = turnover_comparison(sel)
    fig.savefig(io.BytesIO(), format="png")
    ticks = [t.get_text() for ax in fig.axes for t in ax.get_xticklabels() + ax.get_yticklabels()]
    assert ticks and not [t for t in ticks if "$" in t or "mathdefault" in t]
    assert "1.0m" in ticks or "1m" in ticks or any(t.endswith("k") for t in ticks)
    plt.close(fig)
