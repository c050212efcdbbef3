"""The words of each chart, in the engagement's language: one source for the report and
the notebooks.

Each function takes ``t`` (``Catalog.t``) and returns the keyword arguments the chart
function of :mod:`kamaudit.plots` takes for its title, axes and legend, so the HTML
report and a notebook shown on a projector say the same thing in the same language:

>>> from kamaudit.deliverables.i18n import Catalog
>>> whale_curve(Catalog("cs").t)["title"]  # doctest: +SKIP
'Velrybí křivka'

The report may still override a money axis with its currency and period
(``ReportContext.money_axis``); a notebook keeps the plain label.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from ..account_profile.portfolio import QUADRANTS as PROFILE_QUADRANTS
from ..cost_to_serve.segments import QUADRANTS as CTS_QUADRANTS

T = Callable[..., str]

_I, _C, _A, _TD = "intake.", "cost_to_serve.", "account_profile.", "team_design."


def lorenz_curve(t: T) -> dict:
    return {
        "title": t(f"{_I}lorenz_title"),
        "x_label": t(f"{_I}lorenz_x"),
        "y_label": t(f"{_I}lorenz_y"),
        "equality_label": t(f"{_I}lorenz_equal"),
        "marker_label": t(f"{_I}lorenz_marker"),
    }


def coverage_by_month(t: T) -> dict:
    return {
        "title": t(f"{_I}coverage_title"),
        "lines_label": t(f"{_I}coverage_lines"),
        "amount_label": t(f"{_I}coverage_amount"),
        "gap_label": t(f"{_I}coverage_gap"),
    }


def whale_curve(t: T) -> dict:
    return {
        "title": t(f"{_C}whale_title"),
        "x_label": t(f"{_C}whale_x"),
        "y_label": t(f"{_C}whale_y"),
        "peak_label": t(f"{_C}whale_peak"),
        "total_label": t(f"{_C}whale_total"),
    }


def quadrant_scatter(t: T) -> dict:
    return {
        "title": t(f"{_C}quadrant_title"),
        "x_label": t(f"{_C}quadrant_x"),
        "y_label": t(f"{_C}quadrant_y"),
        "quadrant_labels": {q: t(f"{_C}quadrant_names.{q}") for q in CTS_QUADRANTS},
    }


def pnl_waterfall(catalog, cost_columns: list[str], whole: bool = True) -> dict:
    """For :func:`kamaudit.plots.cost_to_serve.pnl_waterfall`; ``whole``: the base's title
    (a single customer's chart is titled with its name)."""
    from .cost_to_serve import waterfall_labels  # that module draws with these words too

    words: dict = {"labels": waterfall_labels(catalog, list(cost_columns))}
    if whole:
        words["title"] = catalog.t(f"{_C}waterfall_base_title")
    return words


def scenario_names(t: T) -> dict[str, str]:
    return {k: t(f"{_C}scenario_names.{k}") for k in ("now", "reprice", "reserve", "exit")}


def scenario_whales(t: T) -> dict:
    return {
        "labels": scenario_names(t),
        "title": t(f"{_C}scenarios_title"),
        "x_label": t(f"{_C}whale_x"),
        "y_label": t(f"{_C}scenarios_y"),
    }


def portfolio_matrix(t: T) -> dict:
    return {
        "labels": {
            **{q: t(f"{_A}quadrant.{q}", q) for q in PROFILE_QUADRANTS},
            "x": t(f"{_A}matrix_x"),
            "y": t(f"{_A}matrix_y"),
            "title": t(f"{_A}matrix_title"),
            "key": t(f"{_A}matrix_key"),
            "unassessed": t(f"{_A}matrix_unassessed"),
            "unassessed_note": t(f"{_A}matrix_unassessed_note"),
            "size": t(f"{_A}matrix_size"),
            "numbered": t(f"{_A}matrix_numbered"),
        }
    }


COMPARISON_KINDS = ("both", "profile_only", "turnover_only", "neither")


def turnover_comparison(t: T) -> dict:
    return {
        "labels": {
            **{k: t(f"{_A}comparison.{k}", k) for k in COMPARISON_KINDS},
            "x": t(f"{_A}comparison_x"),
            "y": t(f"{_A}comparison_y"),
            "title": t(f"{_A}comparison_title"),
        }
    }


def load_per_person(t: T, roles: Iterable = ()) -> dict:
    return {
        "title": t(f"{_TD}load_title"),
        "xlabel": t(f"{_TD}load_x"),
        "planned_label": t(f"{_TD}load_planned"),
        "capacity_label": t(f"{_TD}load_capacity"),
        "role_labels": {r: t(f"{_TD}role.{r}", default=str(r)) for r in roles},
    }


def contact_calendar(t: T) -> dict:
    return {"title": t(f"{_TD}calendar_title")}
