"""The answer key's costing: driver volumes per customer and a plain activity-based P&L at
the profile's target rates (financing at :data:`COST_OF_CAPITAL`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .arrays import bincount
from .profiles import DRIVERS, ROLES

if TYPE_CHECKING:
    from .company import Company

COST_OF_CAPITAL = 0.08
"""Annual rate the answer key's financing cost uses (the engagement default)."""


def driver_volumes(c: Company) -> np.ndarray:
    """Driver volume per customer (rows) and role (columns)."""
    n = c.n
    vol = np.zeros((n, len(ROLES)))
    for j, role in enumerate(ROLES):
        drv = DRIVERS[role]
        if drv == "invoices":
            vol[:, j] = np.bincount(c.inv_cust, minlength=n)
        elif drv == "credit_notes":
            vol[:, j] = np.bincount(c.inv_cust[c.inv_credit], minlength=n)
        else:
            sel = c.a_role == j
            w = c.a_hours[sel] if drv == "hours" else c.a_qty[sel]
            vol[:, j] = bincount(c.a_cust[sel], w, n)
    return vol


def customer_pnl(c: Company, rate_factor: float = 1.0) -> dict[str, np.ndarray]:
    """Per-customer P&L at the profile's target rates (what the answer key states)."""
    n = c.n
    l_cust = c.inv_cust[c.l_inv]
    net = bincount(l_cust, c.l_net, n)
    cogs = bincount(l_cust, c.l_cost, n)
    reb = bincount(c.reb_cust, c.reb_amount, n)
    nr = net - reb
    end_day = np.where(c.pay_unpaid, c.ndays - 1, c.pay_paid)
    days_out = np.maximum(end_day - c.inv_day[c.pay_inv], 0)
    fin = bincount(
        c.inv_cust[c.pay_inv], c.inv_amount[c.pay_inv] * days_out * COST_OF_CAPITAL / 365.0, n
    )
    rates = np.array([c.prof.acts[role].rate for role in ROLES]) * rate_factor
    cts_by = driver_volumes(c) * rates[None, :]
    cts = cts_by.sum(axis=1)
    return {
        "net_revenue": nr,
        "gross_margin": nr - cogs,
        "financing": fin,
        "cts_by": cts_by,
        "cts": cts,
        "net_profit": nr - cogs - cts - fin,
    }
