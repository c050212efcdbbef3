"""The customer base: sizes, the planted customers, their attributes (country, terms,
payment habits, discounts, service intensity), and who joins, leaves or costs too much."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .arrays import top_k
from .names import COUNTRIES

if TYPE_CHECKING:
    from .company import Company


def planted_ranks(n_cust: int, rng: np.random.Generator) -> dict[str, int]:
    """Where each planted customer sits by size (0 = largest), drawn for each company so
    that no two companies of a pack have their facts at the same places.

    The largest customer is the one that must be key; two loss makers among size ranks
    1-5 (so they stay in the top 10 by revenue after their discounts); three single-contact
    candidates among ranks 1-8; the VIP loss maker at 5-9% of the base (outside the top
    10), the late payer at 6-12%; four fast growers between 62% and 85%, small enough
    today to be potential, not key, accounts.
    """
    top = rng.permutation(np.arange(1, 9))
    loss = sorted(int(x) for x in top[top <= 5][:2])
    single = sorted(int(x) for x in top if x not in loss)[:3]
    vip = max(16, int(round(rng.uniform(0.05, 0.09) * n_cust)))
    late = max(18, int(round(rng.uniform(0.06, 0.12) * n_cust)))
    if late == vip:
        late += 1
    r = {"must_key": 0, "loss_a": loss[0], "loss_b": loss[1], "vip_loss": vip, "late": late}
    r |= {f"single_{k}": s for k, s in zip("abc", single, strict=True)}
    grow = np.sort(rng.uniform(0.62, 0.85, 4))
    for j, q in enumerate(grow):
        r[f"grow_{j}"] = int(round(q * n_cust)) + j
    return r


def sizes_and_roles(c: Company, rng: np.random.Generator) -> np.ndarray:
    """Revenue shares by size rank (0 = largest), and the planted customers' places.

    Sets ``c.role_idx`` (planted role -> customer index), ``c.loss``, ``c.single``,
    ``c.grow`` and ``c.planted``.
    """
    n_cust, prof = c.n, c.prof
    # rank-size (Zipf-like) with noise: top 20% bring ~70-80% of revenue at a few hundred customers
    size = np.sort((np.arange(n_cust) + 3.0) ** -1.1 * rng.lognormal(0.0, 0.3, n_cust))[::-1]
    size /= size.sum()
    r = planted_ranks(n_cust, rng)
    c.role_idx = r
    loss = np.array([r["loss_a"], r["loss_b"]])
    single = np.array([r["single_a"], r["single_b"], r["single_c"]])
    grow = np.array([r[f"grow_{j}"] for j in range(4)])
    planted = np.array(sorted(r.values()))
    c.loss, c.single, c.grow = loss, single, grow
    c.planted = planted
    m_bar = float(np.mean([k.margin for k in prof.categories]))
    size[loss] *= 1.15 * (1 - 0.25 * m_bar) / (1 - 0.7 * m_bar)  # heavy discounts eat revenue
    size /= size.sum()
    return size


def customer_attributes(c: Company, rng: np.random.Generator, size: np.ndarray) -> np.ndarray:
    """Country, region, industry, service, terms and payment habits; life cycles and the tail.

    Rescales ``size`` in place by each customer's active share; returns the yearly growth
    factor per customer.
    """
    n_cust, prof, r = c.n, c.prof, c.role_idx
    loss, single, grow, planted = c.loss, c.single, c.grow, c.planted
    country_w = np.array([x[1] for x in COUNTRIES])
    c.country = rng.choice(len(COUNTRIES), n_cust, p=country_w / country_w.sum())
    c.region = rng.integers(0, 4, n_cust)
    c.industry = rng.integers(0, len(prof.customer_industries), n_cust)
    c.service = rng.lognormal(0.0, 0.85, n_cust)  # service intensity, independent of size
    c.service[np.concatenate([[r["must_key"]], single])] = 0.3
    c.service[grow] = 0.5
    c.pickup = rng.random(n_cust) < 0.15
    c.pickup[planted] = False
    c.give = rng.beta(1.6, 2.4, n_cust) * 0.8  # share of the category margin given as discount
    c.give[np.concatenate([[r["must_key"]], single])] = 0.22
    c.give[loss] = 0.7
    c.give[r["vip_loss"]] = 0.45
    c.give[grow] = 0.2
    c.terms = rng.choice(np.array([14, 30, 30, 30, 45, 60]), n_cust)
    c.terms[loss] = 60
    c.terms[r["late"]] = 30
    pay_type = rng.choice(3, n_cust, p=[0.58, 0.30, 0.12])
    c.delay_mu = np.array([-1.0, 9.0, 26.0])[pay_type] + rng.normal(0, 2.0, n_cust)
    c.delay_sd = np.array([3.0, 6.0, 10.0])[pay_type]
    c.delay_mu[np.concatenate([[r["must_key"]], single, grow])] = -1.0
    c.delay_sd[np.concatenate([[r["must_key"]], single, grow])] = 3.0
    c.delay_mu[loss] = 42.0
    c.delay_sd[loss] = 12.0
    c.delay_mu[r["late"]] = 115.0
    c.delay_sd[r["late"]] = 8.0
    # yearly growth factor: most customers drift, some shrink or are lost
    growth = rng.lognormal(0.04, 0.25, n_cust)
    growth[planted] = 1.05
    growth[grow] = 6.0
    life_and_tail(c, rng, size, c.ybounds)
    size /= size.sum()
    return growth


# Shares of the customer base (of n_customers) with each life cycle and cost profile.
_NEW, _LOST, _FADING, _ONE_OFF = 0.13, 0.10, 0.03, 0.035
_TAIL, _DEEP_DISCOUNT, _VISITED = 0.22, 0.07, 0.08
TAIL_ORDERS = 4.0  # tail customers place this many times the orders their size suggests
_TAIL_SERVICE = (1.6, 0.35)  # lognormal service intensity of the tail
_BIG_DISCOUNT = 0.15  # extra share of margin the larger (non-planted) customers get as discount


def life_and_tail(
    c: Company, rng: np.random.Generator, size: np.ndarray, ybounds: np.ndarray
) -> None:
    """Who joins, leaves or buys once during the period, and who costs far more than they pay.

    Sets ``c.win_lo`` / ``c.win_hi`` (each customer's active days, [lo, hi)), the index
    arrays ``c.new``, ``c.lost``, ``c.fading``, ``c.oneoff``, ``c.tail`` (small customers
    ordering often in tiny lots, with rush orders, returns and calls), ``c.deep`` (mid-size
    customers with deep discounts) and ``c.visited`` (small customers a salesperson visits
    regularly), and scales ``size`` (revenue over the period) by the active share. The
    planted customers and the largest ones stay continuous and keep their profile.
    """
    n, ndays = c.n, c.ndays
    idx = np.arange(n)
    free = np.setdiff1d(idx[max(12, n // 25) :], c.planted)
    rank = free / n  # 0 = largest
    taken = np.zeros(n, bool)

    def pick(share: float, weight: np.ndarray) -> np.ndarray:
        w = np.where(taken[free], 0.0, weight)
        k = min(int(round(share * n)), int((w > 0).sum()))
        chosen = free[top_k(rng, w, k)] if k > 0 else free[:0]
        chosen = np.sort(chosen[w[np.searchsorted(free, chosen)] > 0])
        taken[chosen] = True
        return chosen

    c.win_lo = np.zeros(n, np.int64)
    c.win_hi = np.full(n, ndays, np.int64)
    last_start = int(ybounds[-2])  # first day of the last year
    c.oneoff = pick(_ONE_OFF, (rank >= 0.6).astype(float))
    span = min(45, ndays // 4)
    lo = np.floor(rng.random(len(c.oneoff)) * (ndays - span)).astype(np.int64)
    c.win_lo[c.oneoff], c.win_hi[c.oneoff] = lo, lo + span
    smaller = 0.15 + rank  # gains and losses are mostly among the smaller customers
    c.new = pick(_NEW, smaller)
    c.win_lo[c.new] = last_start + np.floor(
        rng.random(len(c.new)) * (ndays - 30 - last_start)
    ).astype(np.int64)
    c.lost = pick(_LOST, smaller)
    c.win_hi[c.lost] = 60 + np.floor(rng.random(len(c.lost)) * (last_start - 60)).astype(np.int64)
    c.fading = pick(_FADING, smaller)
    c.win_hi[c.fading] = last_start + 15 + np.floor(rng.random(len(c.fading)) * 90).astype(np.int64)
    moved = np.concatenate([c.new, c.lost, c.fading])
    size[moved] *= (c.win_hi[moved] - c.win_lo[moved]) / ndays

    # the loss-making tail: service intensity far above revenue
    taken[:] = False
    taken[c.oneoff] = True
    c.tail = pick(_TAIL, (rank >= 0.3).astype(float))
    c.service[c.tail] = np.maximum(c.service[c.tail], rng.lognormal(*_TAIL_SERVICE, len(c.tail)))
    c.deep = pick(_DEEP_DISCOUNT, ((rank >= 0.2) & (rank < 0.55)).astype(float))
    c.give[c.deep] = rng.uniform(0.6, 0.85, len(c.deep))
    # larger customers negotiate deeper discounts (the planted ones keep theirs)
    big = free[rank < 0.2]
    c.give[big] = np.minimum(c.give[big] + _BIG_DISCOUNT, 0.8)
    c.visited = pick(_VISITED, (rank >= 0.3).astype(float))
    c.continuous = (c.win_lo == 0) & (c.win_hi == ndays)
