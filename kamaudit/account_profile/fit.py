"""How well key account management fits the customer base (``kam_fit``).

KAM pays where a few customers carry much of the business, buy again and again, in large
orders, and where we know enough about them to judge our standing. :func:`kam_fit` tests
each of these on the active customers and returns ``strong``, ``moderate`` or ``weak`` with
its reasons; with a weak fit the key-account list is tentative, and the tests that failed
say what would make it firm.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from .selection import history_ok, selection_cap
from .settings import ProfileSettings

__all__ = ["FIT_TESTS", "kam_fit"]

FIT_TESTS = ("concentration", "largest_share", "repeat_ordering", "order_size", "data_present")
"""The tests, in the order shown."""


def _share(part: float, total: float) -> float:
    return 100 * part / total if total > 0 else float("nan")


def kam_fit(
    metrics: pd.DataFrame, scores: pd.DataFrame, settings: ProfileSettings
) -> dict[str, Any]:
    """The fit of KAM to this base: ``{"fit", "tests": [...], "tentative", "to_make_firm"}``.

    The "top group" is as many of the largest active customers as the list may hold
    (:func:`~kamaudit.account_profile.selection.selection_cap`, at least one). Tests
    (:class:`~kamaudit.account_profile.settings.FitRules`): ``concentration`` (the top group
    holds at least ``min_top_share_pct`` of net revenue), ``largest_share`` (the largest
    customer at least ``min_largest_share_pct``), ``repeat_ordering`` (at least
    ``min_repeat_pct`` of the top group with a real history), ``order_size`` (the top group's
    median revenue per invoice at least ``min_order_size_ratio`` times the whole base's) and
    ``data_present`` (our strength assessed for at least ``min_assessed_pct`` of the top
    group). Strong: every test passes but at most one, concentration among them; weak:
    concentration fails or at most two pass; else moderate.

    >>> m = pd.DataFrame({"customer_id": ["A", "B"], "net_revenue": [90.0, 10.0],
    ...     "invoices_n": [10, 5], "revenue_h1": [1.0, 1.0], "revenue_h2": [1.0, 1.0]})
    >>> sc = pd.DataFrame({"strength_unassessed": [True, True]})
    >>> kam_fit(m, sc, ProfileSettings())["fit"]
    'weak'
    """
    r = settings.fit
    rev = metrics["net_revenue"].fillna(0).to_numpy(dtype="float64")
    active = rev > 0
    total = float(rev[active].sum())
    n_top = max(1, selection_cap(int(active.sum()), settings)) if active.any() else 0
    order = np.argsort(-np.where(active, rev, -np.inf), kind="stable")[:n_top]
    top = np.zeros(len(rev), bool)
    top[order] = True
    top &= active
    inv_n = metrics["invoices_n"].fillna(0).to_numpy(dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        per_invoice = np.where(inv_n > 0, rev / inv_n, np.nan)
    base_size = float(np.nanmedian(per_invoice[active])) if active.any() else float("nan")
    top_size = float(np.nanmedian(per_invoice[top])) if top.any() else float("nan")
    assessed = (
        ~scores["strength_unassessed"].to_numpy(dtype=bool)
        if "strength_unassessed" in scores.columns
        else np.ones(len(rev), bool)
    )
    values = {
        "concentration": _share(float(rev[top].sum()), total),
        "largest_share": _share(float(rev[active].max()) if active.any() else 0.0, total),
        "repeat_ordering": 100 * float(history_ok(metrics, settings)[top].mean())
        if top.any()
        else float("nan"),
        "order_size": top_size / base_size if base_size > 0 else float("nan"),
        "data_present": 100 * float(assessed[top].mean()) if top.any() else float("nan"),
    }
    limits = {
        "concentration": r.min_top_share_pct,
        "largest_share": r.min_largest_share_pct,
        "repeat_ordering": r.min_repeat_pct,
        "order_size": r.min_order_size_ratio,
        "data_present": r.min_assessed_pct,
    }
    tests = [
        {
            "test": name,
            "value": None if math.isnan(values[name]) else round(values[name], 2),
            "limit": limits[name],
            "passed": bool(not math.isnan(values[name]) and values[name] >= limits[name]),
        }
        for name in FIT_TESTS
    ]
    passed = {t["test"] for t in tests if t["passed"]}
    if "concentration" not in passed or len(passed) <= 2:
        fit = "weak"
    elif len(passed) >= len(FIT_TESTS) - 1:
        fit = "strong"
    else:
        fit = "moderate"
    return {
        "fit": fit,
        "top_group_n": int(top.sum()),
        "tests": tests,
        "tentative": fit == "weak",
        "to_make_firm": [t["test"] for t in tests if not t["passed"]],
    }
