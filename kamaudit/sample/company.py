"""The company: every array of one generated company, built section by section.

One ``numpy.random.Generator`` drives it all, so the sections run in a fixed order (the
order of the draws is part of the output: the same seed gives the same bytes).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .activities import add_activities, calibrate_loss
from .arrays import year_starts
from .customers import customer_attributes, sizes_and_roles
from .invoices import (
    add_rebates,
    credit_notes,
    draw_invoices,
    draw_lines,
    fit_planted_sizes,
    grow_planted,
    number_invoices,
    payments,
)

if TYPE_CHECKING:
    from .profiles import Profile


class Company:
    """All arrays of one generated company (internal)."""


def build_company(
    rng: np.random.Generator,
    prof: Profile,
    n_cust: int,
    n_lines: int,
    years: int,
    start: pd.Timestamp,
) -> Company:
    c = Company()
    c.prof, c.n, c.years, c.start = prof, n_cust, years, start
    ybounds = year_starts(start, years)
    c.ybounds, c.ndays = ybounds, int(ybounds[-1])
    cum_w, workdays = _calendar(c)
    size = sizes_and_roles(c, rng)  # customers: size ranks (0 = largest) and planted roles
    growth = customer_attributes(c, rng, size)
    counts, n_credit_lines = draw_invoices(c, rng, size, growth, n_lines, cum_w)
    draw_lines(c, rng, counts, size)
    fit_planted_sizes(c)
    grow_planted(c)
    credit_notes(c, rng, counts, n_credit_lines)
    number_invoices(c)
    payments(c, rng)
    add_rebates(c, rng)
    add_activities(c, rng, workdays)
    # calibrate planted loss-makers: a loss even with every rate 25% lower
    r = c.role_idx
    for who, roles in (
        (c.loss, ("rush", "support", "delivery", "complaint")),
        (np.array([r["vip_loss"]]), ("visit", "support", "rush", "call")),
    ):
        calibrate_loss(c, rng, who, roles)
    return c


def _calendar(c: Company) -> tuple[np.ndarray, np.ndarray]:
    """Seasonality, weekends and holidays: cumulative day weights, and the working days.

    Sets ``c.dates`` (every day of the period).
    """
    dates = np.datetime64(c.start.date(), "D") + np.arange(c.ndays)
    month = dates.astype("datetime64[M]").astype(np.int64) % 12
    weekday = (dates.astype(np.int64) + 3) % 7
    day_w = np.asarray(c.prof.season)[month] * np.where(weekday < 5, 1.0, 0.02)
    md = pd.DatetimeIndex(dates).strftime("%m-%d").to_numpy()
    day_w = np.where(np.isin(md, ["01-01", "12-24", "12-25", "12-26", "12-31"]), 0.01, day_w)
    c.dates = dates
    return np.cumsum(day_w), np.flatnonzero(weekday < 5)
