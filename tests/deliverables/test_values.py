"""The one formatter: units that say what a number is, and no "-0.0"."""

from __future__ import annotations

import numpy as np

from kamaudit.deliverables.i18n import Catalog
from kamaudit.deliverables.values import format_value, infer_format


def test_a_difference_of_percentages_is_in_points_not_percent():
    assert infer_format("margin_gap_pp", np.dtype("float64")) == "points"
    en, cs = Catalog("en"), Catalog("cs")
    assert format_value(-16.14, "points", en, en.t) == "-16.1\u00a0pp"
    assert format_value(-16.14, "points", cs, cs.t) == "-16,1\u00a0p. b."
    assert "%" not in format_value(3.0, "points", en, en.t)


def test_a_value_that_rounds_to_zero_has_no_minus_sign():
    en, fa = Catalog("en", "EUR"), Catalog("fa", "EUR")
    assert format_value(-0.045, "pct", en, en.t) == "0.0\u00a0%"
    assert format_value(-0.4, "money", en, en.t) == "0"
    assert en.money(-0.2) == "0\u00a0€"
    assert format_value(-0.06, "pct", en, en.t) == "-0.1\u00a0%"  # a real loss keeps its sign
    assert "-" not in fa.pct(-0.01, 1) and "\u2212" not in fa.pct(-0.01, 1)


def test_names_in_a_persian_sentence_are_isolated_and_joined_with_the_persian_comma_of_cldr():
    from kamaudit.deliverables.values import format_params

    names = ["Vertex Agriculture Sp. z o.o.", "Bison (Europe) Zrt."]
    fa = format_params({"names": names, "name": names[0]}, Catalog("fa"))
    assert (
        fa["names"]
        == "\u2068Vertex Agriculture Sp. z o.o.\u2069\u060c\u200f \u2068Bison (Europe) Zrt.\u2069"
    )
    assert fa["name"] == "\u2068Vertex Agriculture Sp. z o.o.\u2069"
    en = format_params({"names": names}, Catalog("en"))
    assert en["names"] == "Vertex Agriculture Sp. z o.o., Bison (Europe) Zrt."
