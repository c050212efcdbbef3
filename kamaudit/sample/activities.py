"""Activities that cost money: deliveries, rush orders, returns, visits, calls, complaints
and support, per customer; and the extra service that makes the planted loss-makers lose."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .arrays import bincount, round2
from .costing import customer_pnl
from .profiles import DRIVERS, ROLES

if TYPE_CHECKING:
    from .company import Company


def add_activities(c: Company, rng: np.random.Generator, workdays: np.ndarray) -> None:
    prof, n, r = c.prof, c.n, c.role_idx
    reg = np.flatnonzero(~c.inv_credit)
    rc = c.inv_cust[reg]
    rd = c.inv_day[reg]
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
    role_no = {role: i for i, role in enumerate(ROLES)}

    def add(
        role: str, cust: np.ndarray, day: np.ndarray, qty: np.ndarray, hours: np.ndarray
    ) -> None:
        parts.append(
            (
                cust.astype(np.int64),
                np.minimum(day, c.ndays - 1).astype(np.int64),
                np.full(len(cust), role_no[role]),
                qty.astype(np.float64),
                round2(hours),
            )
        )

    # deliveries: one row per invoice with the number of drops; split deliveries for some
    per_inv = prof.delivery_per_invoice * np.where(c.pickup[rc], 0.0, 1.0)
    dq = rng.poisson(per_inv * np.clip(c.service[rc], 0.5, 1.6))
    dq = np.where(np.isin(rc, c.loss), 1 + rng.poisson(0.6, len(rc)), dq)
    has = dq > 0
    h = prof.acts["delivery"].hours
    add(
        "delivery",
        rc[has],
        rd[has] + 1,
        dq[has],
        dq[has] * h * rng.uniform(0.8, 1.2, int(has.sum())),
    )
    # rush orders
    p_rush = np.clip(0.04 * c.service, 0.0, 0.3)
    p_rush[c.loss] = 0.25
    p_rush[c.single] = 0.01
    p_rush[r["must_key"]] = 0.01
    isr = rng.random(len(rc)) < p_rush[rc]
    h = prof.acts["rush"].hours
    add(
        "rush", rc[isr], rd[isr], np.ones(int(isr.sum())), h * rng.uniform(0.7, 1.5, int(isr.sum()))
    )
    # returns: one per credit note
    cr = np.flatnonzero(c.inv_credit)
    h = prof.acts["return"].hours
    add(
        "return",
        c.inv_cust[cr],
        c.inv_day[cr],
        np.ones(len(cr)),
        h * rng.uniform(0.6, 1.6, len(cr)),
    )

    # per-customer events spread over the working days of the period
    yrs = c.years
    n_inv_c = np.bincount(rc, minlength=n).astype(np.float64)
    active = n_inv_c > 0
    owned = np.zeros(n, bool)
    owned[np.argsort(-bincount(rc, c.inv_amount[reg], n))[: max(8, n // 4)]] = True
    c.kam_owned = owned
    # fixed touchpoints follow the business a customer brings on average, not the line count
    scale = float(np.clip(len(c.l_inv) / n / 133.0, 0.3, 3.0))
    visits = np.where(owned, rng.uniform(4, 10, n), rng.uniform(0.0, 1.5, n))
    visits[c.visited] = rng.uniform(4, 9, len(c.visited))
    visits[c.single] = 3.0
    visits[r["must_key"]] = 10.0
    span = (c.win_hi - c.win_lo) / c.ndays * active  # share of the period a customer is active
    lam = {
        "visit": visits * scale * yrs * span,
        "call": 4.0 * scale * yrs * span + 0.25 * n_inv_c * c.service * active,
        "complaint": 0.2 * yrs * span + 0.012 * n_inv_c * c.service * active,
        "support": 0.4 * yrs * span + 0.03 * n_inv_c * c.service * active,
    }
    lam["visit"][r["vip_loss"]] = 40.0 * scale * yrs
    lam["call"][r["vip_loss"]] *= 3.0
    lam["support"][c.loss] = 0.06 * n_inv_c[c.loss]
    lam["complaint"][c.loss] = 0.03 * n_inv_c[c.loss]
    for role in ("visit", "call", "complaint", "support"):
        k = rng.poisson(lam[role])
        cust = np.repeat(np.arange(n), k)
        w_lo = np.searchsorted(workdays, c.win_lo[cust])
        w_hi = np.maximum(np.searchsorted(workdays, c.win_hi[cust]), w_lo + 1)
        day = workdays[
            np.minimum(
                w_lo + (rng.random(len(cust)) * (w_hi - w_lo)).astype(np.int64), len(workdays) - 1
            )
        ]
        h = prof.acts[role].hours * rng.lognormal(
            0.0, 0.45 if role == "support" else 0.25, len(cust)
        )
        add(role, cust, day, np.ones(len(cust)), h)
    c.act_parts = parts
    c.workdays = workdays
    stack_activities(c)


def stack_activities(c: Company) -> None:
    cust, day, role, qty, hours = (np.concatenate(x) for x in zip(*c.act_parts, strict=True))
    order = np.lexsort((role, cust, day))  # stable: ties keep their (deterministic) order
    c.a_cust, c.a_day, c.a_role = cust[order], day[order], role[order]
    c.a_qty, c.a_hours = qty[order], hours[order]


def calibrate_loss(
    c: Company, rng: np.random.Generator, who: np.ndarray, roles: tuple[str, ...]
) -> None:
    """Add service events until each customer in ``who`` loses >= 5% of revenue at 0.75x rates."""
    p = customer_pnl(c)
    acts = c.prof.acts
    for i in who:
        gm, fin, cts, nr = p["gross_margin"][i], p["financing"][i], p["cts"][i], p["net_revenue"][i]
        need = (gm - fin + 0.05 * abs(nr)) / 0.75 - cts
        if need <= 0:
            continue
        share = need / len(roles)
        for role in roles:
            a = acts[role]
            per_event = a.rate * (a.hours if DRIVERS[role] == "hours" else 1.0)
            k = int(np.ceil(share / per_event))
            day = c.workdays[rng.integers(0, len(c.workdays), k)]
            hours = np.full(k, a.hours)
            c.act_parts.append(
                (
                    np.full(k, i, np.int64),
                    day.astype(np.int64),
                    np.full(k, ROLES.index(role)),
                    np.ones(k),
                    round2(hours),
                )
            )
    stack_activities(c)  # one sort per calibration round; cheap next to the lines
