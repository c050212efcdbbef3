"""Small helpers the team design modules share: missing values, word lists, name lists."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

__all__ = ["is_missing", "name_list", "word_set"]


def is_missing(value: Any) -> bool:
    """True for None, NA, NaN and blank text.

    >>> is_missing(" "), is_missing("kam"), is_missing(float("nan"))
    (True, False, True)
    """
    return (
        value is None
        or value is pd.NA
        or (isinstance(value, float) and math.isnan(value))
        or (isinstance(value, str) and not value.strip())
    )


def word_set(value: Any) -> frozenset[str]:
    """A roster list cell ("retail; Food, pharma") as lower-case words.

    >>> sorted(word_set("retail; Food, pharma"))
    ['food', 'pharma', 'retail']
    """
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return frozenset()
    return frozenset(
        p.strip().lower() for p in str(value).replace(",", ";").split(";") if p.strip()
    )


def name_list(values: list[str], limit: int = 6) -> list[str]:
    """At most ``limit`` names, then ``"<n> more"`` (the deliverables translate it).

    >>> name_list(list("abcdefgh"), 3)
    ['a', 'b', 'c', '5 more']
    """
    values = [str(v) for v in values]
    if len(values) <= limit:
        return values
    return values[:limit] + [f"{len(values) - limit} more"]
