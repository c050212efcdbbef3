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
