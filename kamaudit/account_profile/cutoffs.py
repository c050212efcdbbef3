"""Cut-offs that rounding never decides, and axes that imputed values never decide.

A weighted mean of neutral scores under renormalised weights lands on 5.499999999999999 or
5.500000000000001 by floating-point noise alone; comparing it to a 5.5 cut-off would split
customers on that noise. :func:`at_or_above` compares with a tolerance far below any real
difference, :func:`on_the_line` marks scores too close to a cut-off to call, and
:func:`unassessed` marks an axis whose weight rests mostly on missing data.

>>> import numpy as np
>>> at_or_above(np.array([5.499999999999999, 5.4, np.nan]), 5.5).tolist()
[True, False, False]
>>> on_the_line(np.array([5.45, 5.7, np.nan]), 5.5, 0.1).tolist()
[True, False, False]
"""

from __future__ import annotations

import numpy as np

__all__ = ["EPS", "at_or_above", "on_the_line", "unassessed"]

EPS = 1e-9
"""Tolerance of a comparison with a cut-off: far below any difference a score can mean."""


def at_or_above(x, cut: float) -> np.ndarray:
    """``x >= cut`` where floating-point noise counts as equal; NaN is never above."""
    v = np.asarray(x, dtype="float64")
    with np.errstate(invalid="ignore"):
        return v >= cut - EPS


def on_the_line(x, cut: float, margin: float) -> np.ndarray:
    """Scores within ``margin`` of ``cut`` (too close to call); NaN is not on the line."""
    v = np.asarray(x, dtype="float64")
    with np.errstate(invalid="ignore"):
        return np.abs(v - cut) <= margin + EPS


def unassessed(missing_weight_pct, limit_pct: float) -> np.ndarray:
    """Axes resting on missing data for more than ``limit_pct`` % of their weight."""
    v = np.asarray(missing_weight_pct, dtype="float64")
    return v > limit_pct + EPS
