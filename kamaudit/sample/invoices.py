"""Invoices, their lines, credit notes, payments and rebates.

Sections of :func:`kamaudit.sample.company.build_company`, in the order they draw from the
generator; the planted sizes and growth are enforced after the draw.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .arrays import bincount, group_rank, round2, sample_rows, top_k
from .customers import TAIL_ORDERS

if TYPE_CHECKING:
    from .company import Company


def draw_invoices(
    c: Company,
    rng: np.random.Generator,
    size: np.ndarray,
    growth: np.ndarray,
    n_lines: int,
    cum_w: np.ndarray,
) -> tuple[np.ndarray, int]:
    """Regular invoices per customer, their line counts and days (credit notes come later).

    Sets ``c.inv_cust`` and ``c.inv_day``; returns the line count of each invoice and the
    number of credit-note lines still to add.
    """
    prof, n_cust, years, ndays, ybounds = c.prof, c.n, c.years, c.ndays, c.ybounds
    loss, grow = c.loss, c.grow
    cum_w0 = np.concatenate([[0.0], cum_w])
    credit_share = 0.03
    n_credit_lines = max(2, int(round(n_lines * credit_share)))
    n_reg = n_lines - n_credit_lines
    lpi = np.full(n_cust, prof.lines_per_invoice)
    lpi[loss] = max(1.6, prof.lines_per_invoice * 0.5)
    lpi[c.tail] = max(1.3, prof.lines_per_invoice * 0.4)
    inv_share = size**0.6
    inv_share[loss] *= 1.8
    inv_share[c.tail] *= TAIL_ORDERS
    inv_share /= inv_share.sum()
    n_inv_target = int(n_reg / prof.lines_per_invoice)
    lpi[grow] = 2.0
    n_grow_inv = int(np.clip(round(0.6 * n_inv_target / n_cust), 10, 24))
    min_inv = np.full(n_cust, 2)
    min_inv[grow] = n_grow_inv
    min_inv[c.oneoff] = 0
    spare = max(0, n_inv_target - int(min_inv.sum()))
    n_inv_c = rng.multinomial(spare, inv_share) + min_inv
    n_inv_c[grow] = n_grow_inv
    n_inv_c[c.oneoff] = rng.integers(1, 3, len(c.oneoff))
    n_inv = int(n_inv_c.sum())
    inv_cust = np.repeat(np.arange(n_cust), n_inv_c)
    counts = 1 + rng.poisson(lpi[inv_cust] - 1.0)
    diff = n_reg - int(counts.sum())
    if diff > 0:
        np.add.at(counts, rng.integers(0, n_inv, diff), 1)
    elif diff < 0:
        slots = np.repeat(np.arange(n_inv), counts - 1)
        take = top_k(rng, np.ones(len(slots)), -diff)
        np.subtract.at(counts, slots[take], 1)

    # year of each invoice: stratified per customer, then a day by seasonality
    yp = growth[:, None] ** np.arange(years)[None, :]
    ycum = np.cumsum(yp / yp.sum(axis=1, keepdims=True), axis=1)
    rank_in = group_rank(n_inv_c)
    u = (rank_in + rng.random(n_inv)) / n_inv_c[inv_cust]
    inv_year = (u[:, None] > ycum[inv_cust][:, :-1]).sum(axis=1)
    lo = cum_w0[ybounds[inv_year]]
    hi = cum_w0[ybounds[inv_year + 1]]
    inv_day = np.searchsorted(cum_w, lo + rng.random(n_inv) * (hi - lo), side="right")
    inv_day = np.minimum(inv_day, ybounds[inv_year + 1] - 1)
    # customers gained or lost during the period buy only inside their active window
    w_lo, w_hi = c.win_lo[inv_cust], c.win_hi[inv_cust]
    part = (w_lo > 0) | (w_hi < ndays)
    if part.any():
        lo, hi = cum_w0[w_lo[part]], cum_w0[w_hi[part]]
        d = np.searchsorted(cum_w, lo + u[part] * (hi - lo), side="right")
        inv_day[part] = np.clip(d, w_lo[part], w_hi[part] - 1)
    c.inv_cust, c.inv_day = inv_cust, inv_day
    return counts, n_credit_lines


def draw_lines(c: Company, rng: np.random.Generator, counts: np.ndarray, size: np.ndarray) -> None:
    """Products (list price, cost) and invoice lines: category, product, quantity, discount."""
    prof, n_cust, planted, grow = c.prof, c.n, c.planted, c.grow
    n_inv, inv_cust = len(counts), c.inv_cust
    line_inv = np.repeat(np.arange(n_inv), counts)
    line_cust = inv_cust[line_inv]
    n_cat = len(prof.categories)
    pref = rng.dirichlet(np.full(n_cat, 0.6), n_cust)
    pref[planted] = rng.dirichlet(np.full(n_cat, 3.0), len(planted))
    line_value = np.array([k.price * k.qty for k in prof.categories])
    cheap = (line_value <= np.median(line_value)).astype(float) + 0.02
    pref[grow] = cheap / cheap.sum()
    cat = np.minimum(sample_rows(rng, np.cumsum(pref, axis=1), line_cust), n_cat - 1)
    n_prod = 24
    prod_w = 1.0 / np.arange(1, n_prod + 1) ** 0.8
    pidx = np.searchsorted(np.cumsum(prod_w) / prod_w.sum(), rng.random(len(cat)), side="right")
    pidx = np.minimum(pidx, n_prod - 1)
    prod = cat * n_prod + pidx
    cat_price = np.array([k.price for k in prof.categories])
    cat_margin = np.array([k.margin for k in prof.categories])
    cat_qty = np.array([k.qty for k in prof.categories])
    p_cat = np.repeat(np.arange(n_cat), n_prod)
    p_list = round2(cat_price[p_cat] * rng.lognormal(0.0, 0.45, n_cat * n_prod))
    p_list = np.maximum(p_list, 0.05)
    p_margin = np.clip(cat_margin[p_cat] * rng.uniform(0.85, 1.15, n_cat * n_prod), 0.03, 0.9)
    p_cost = np.round(p_list * (1.0 - p_margin), 4)
    codes = [k.name[:3].upper() for k in prof.categories]
    c.product_ids = np.array(
        [f"P-{codes[p_cat[i]]}-{i % n_prod + 1:03d}" for i in range(n_cat * n_prod)]
    )
    c.cat_names = np.array([k.name for k in prof.categories])
    c.p_cat = p_cat

    line_share = np.bincount(line_cust, minlength=n_cust) / len(line_cust)
    qty_mult = size / np.maximum(line_share, 1e-12)
    qty_mult /= np.average(qty_mult, weights=np.maximum(line_share, 1e-12))
    qty = np.maximum(
        1.0, np.round(cat_qty[cat] * qty_mult[line_cust] * rng.lognormal(0.0, 0.6, len(cat)))
    )
    m_line = p_margin[prod]
    disc = np.clip(m_line * (c.give[line_cust] + rng.normal(0.0, 0.04, len(cat))), 0.0, 0.95)
    disc = np.round(disc * 200.0) / 200.0  # half-percent steps, as price lists have
    c.l_inv, c.l_prod, c.l_qty, c.l_disc = line_inv, prod, qty, disc
    c.p_list, c.p_cost = p_list, p_cost
    line_amounts(c)


def fit_planted_sizes(c: Company) -> None:
    """Make the planted sizes hold whatever the draw: scale quantities where needed."""
    r = c.role_idx
    for i in c.loss:
        _fit(c, int(i), lo=5)  # above the 6th largest other customer
    for i in c.single:
        _fit(c, int(i), lo=7)  # among the eight largest
    _fit(c, r["must_key"], lo=0)  # the largest
    _fit(c, r["vip_loss"], hi=12)  # below the 13th
    for g in c.grow:
        _fit(c, int(g), hi=int(0.35 * c.n))


def _fit(c: Company, i: int, lo: float | None = None, hi: float | None = None) -> None:
    n_cust = c.n
    for _ in range(8):
        rev = bincount(c.inv_cust[c.l_inv], c.l_net, n_cust)
        now = rev[i]
        others = np.sort(np.delete(rev, i))[::-1]
        want = None
        if lo is not None and now < others[int(lo)] * 1.08:
            want = others[int(lo)] * 1.15
        elif hi is not None and now > others[int(hi)] * 0.92:
            want = others[int(hi)] * 0.85
        if want is None or now <= 0:
            return
        sel = c.inv_cust[c.l_inv] == i
        c.l_qty[sel] = np.maximum(1.0, np.round(c.l_qty[sel] * want / now))
        line_amounts(c)


def grow_planted(c: Company) -> None:
    """Growth calibration: last year >= 3.5x the year before for the planted growers.

    Moves their invoices between the last two years (or shrinks a last small order) until it holds.
    """
    if c.years < 2:
        return
    ybounds, ndays, grow = c.ybounds, c.ndays, c.grow
    b_prev, b_last = int(ybounds[-3]), int(ybounds[-2])
    fwd, back = b_last - b_prev, int(ybounds[-1] - ybounds[-2])
    for g in grow:
        for _ in range(64):
            rev = yearly_revenue(c, g)
            if rev[-2] > 0 and rev[-1] >= 3.5 * rev[-2]:
                break
            inv_tot = bincount(c.l_inv, c.l_net, len(c.inv_cust))
            mine = c.inv_cust == g
            prev = np.flatnonzero(mine & (c.inv_day >= b_prev) & (c.inv_day < b_last))
            last = np.flatnonzero(mine & (c.inv_day >= b_last))
            if len(prev) == 0:  # nothing the year before: bring the smallest invoice back
                mv = last[np.argmin(inv_tot[last])]
                c.inv_day[mv] = min(max(c.inv_day[mv] - back, b_prev), b_last - 1)
                continue
            big = prev[np.argmax(inv_tot[prev])]
            small = last[np.argmin(inv_tot[last])] if len(last) else -1
            if small >= 0 and inv_tot[small] < inv_tot[big]:  # swap their years
                c.inv_day[big] = min(c.inv_day[big] + fwd, ndays - 1)
                c.inv_day[small] = min(max(c.inv_day[small] - back, b_prev), b_last - 1)
            elif len(prev) > 1:
                c.inv_day[big] = min(c.inv_day[big] + fwd, ndays - 1)
            else:  # one small order left the year before: make it smaller
                sel = c.l_inv == big
                c.l_qty[sel] = np.maximum(1.0, np.floor(c.l_qty[sel] / 4.0))
                line_amounts(c)


def credit_notes(
    c: Company, rng: np.random.Generator, counts: np.ndarray, n_credit_lines: int
) -> None:
    """Credit notes: copies of lines of earlier invoices, negative quantities, appended."""
    r, loss, single, grow, ndays = c.role_idx, c.loss, c.single, c.grow, c.ndays
    n_inv, inv_cust = len(counts), c.inv_cust
    ret_w = np.clip(c.service, 0.2, 3.0)
    ret_w[loss] = 5.0
    ret_w[np.concatenate([[r["must_key"]], single])] = 0.3
    ret_w[grow] = 0.0
    extra = min(n_credit_lines // 4, int((counts >= 2).sum()))
    m = n_credit_lines - extra
    src = top_k(rng, ret_w[inv_cust] * np.where(c.inv_day < ndays - 5, 1.0, 1e-9), m)
    two = src[top_k(rng, np.where(counts[src] >= 2, 1.0, 1e-12), extra)] if extra else src[:0]
    cr_src = np.concatenate([src, two])
    cr_line_pos = np.concatenate([np.zeros(len(src), np.int64), np.ones(len(two), np.int64)])
    starts = np.cumsum(counts) - counts
    src_line = starts[cr_src] + np.minimum(cr_line_pos, counts[cr_src] - 1)
    cr_day = np.minimum(c.inv_day[src] + rng.integers(3, 31, m), ndays - 1)
    cr_day = np.minimum(cr_day, np.maximum(c.win_hi[c.inv_cust[src]] - 1, c.inv_day[src]))
    cr_inv_of_line = np.concatenate([np.arange(m), np.searchsorted(src, two)])
    ret_frac = rng.uniform(0.2, 1.0, len(cr_src))
    cr_qty = -np.maximum(1.0, np.floor(c.l_qty[src_line] * ret_frac))
    # append credit invoices and their lines
    c.n_regular = n_inv
    c.inv_cust = np.concatenate([c.inv_cust, c.inv_cust[src]])
    c.inv_day = np.concatenate([c.inv_day, cr_day])
    c.inv_credit = np.concatenate([np.zeros(n_inv, bool), np.ones(m, bool)])
    c.l_inv = np.concatenate([c.l_inv, n_inv + cr_inv_of_line])
    c.l_prod = np.concatenate([c.l_prod, c.l_prod[src_line]])
    c.l_qty = np.concatenate([c.l_qty, cr_qty])
    c.l_disc = np.concatenate([c.l_disc, c.l_disc[src_line]])
    line_amounts(c)


def number_invoices(c: Company) -> None:
    """Invoice numbers in date order; lines sorted by invoice then line."""
    order = np.lexsort((np.arange(len(c.inv_day)), c.inv_credit, c.inv_cust, c.inv_day))
    new_no = np.empty_like(order)
    new_no[order] = np.arange(len(order))
    c.inv_cust, c.inv_day, c.inv_credit = c.inv_cust[order], c.inv_day[order], c.inv_credit[order]
    c.l_inv = new_no[c.l_inv]
    lorder = np.lexsort((np.arange(len(c.l_inv)), c.l_inv))
    for name in ("l_inv", "l_prod", "l_qty", "l_disc", "l_net", "l_list", "l_cost", "l_unit"):
        setattr(c, name, getattr(c, name)[lorder])
    n_all = len(c.inv_day)
    c.l_no = group_rank(np.bincount(c.l_inv, minlength=n_all)) + 1
    c.inv_amount = round2(bincount(c.l_inv, c.l_net, n_all))


def payments(c: Company, rng: np.random.Generator) -> None:
    """Payments of regular invoices: due = date + terms; paid = due + the customer's delay."""
    planted, ndays = c.planted, c.ndays
    reg = np.flatnonzero(~c.inv_credit)
    pc = c.inv_cust[reg]
    due = c.inv_day[reg] + c.terms[pc]
    delay = np.round(rng.normal(c.delay_mu[pc], c.delay_sd[pc]))
    delay = np.maximum(delay, -c.terms[pc])
    paid = due + delay
    disputed = rng.random(len(reg)) < 0.002
    disputed[np.isin(pc, planted)] = False
    unpaid = (paid >= ndays) | disputed
    c.pay_inv, c.pay_due, c.pay_paid, c.pay_unpaid = reg, due, paid, unpaid


def line_amounts(c: Company) -> None:
    lst = c.p_list[c.l_prod]
    c.l_unit = round2(lst * (1.0 - c.l_disc))
    c.l_list = round2(c.l_qty * lst)
    c.l_net = round2(c.l_qty * c.l_unit)
    c.l_cost = round2(c.l_qty * c.p_cost[c.l_prod])


def yearly_revenue(c: Company, cust: int) -> np.ndarray:
    mine = c.inv_cust[c.l_inv] == cust
    yr = np.searchsorted(c.ybounds, c.inv_day[c.l_inv[mine]], side="right") - 1
    return np.bincount(yr, weights=c.l_net[mine], minlength=c.years)


REBATE_NAMES: dict[str, tuple[str, str, str]] = {
    # (for the largest customers, for a few as support, for the fast payers)
    "distributor": ("volume_bonus", "marketing_support", "cash_discount"),
    "manufacturer": ("volume_bonus", "tooling_contribution", "cash_discount"),
    "bank": ("fee_waiver", "relationship_pricing", "interest_rebate"),
    "telecom": ("volume_discount", "device_subsidy", "early_payment_discount"),
    "professional_services": ("framework_discount", "training_credit", "early_payment_discount"),
}
"""What each industry calls its three kinds of rebate: no volume bonus at a bank."""


def add_rebates(c: Company, rng: np.random.Generator) -> None:
    n, years = c.n, c.years
    big_kind, support_kind, prompt_kind = REBATE_NAMES.get(
        c.prof.key, ("volume_bonus", "marketing_support", "cash_discount")
    )
    l_cust = c.inv_cust[c.l_inv]
    l_year = np.searchsorted(c.ybounds, c.inv_day[c.l_inv], side="right") - 1
    rev = np.bincount(l_cust * years + l_year, weights=c.l_net, minlength=n * years).reshape(
        n, years
    )
    rows_c, rows_y, rows_amt, rows_kind = [], [], [], []
    thresh = np.quantile(rev, 0.7, axis=0)
    vb_pct = rng.uniform(0.01, 0.03, n)
    vb_pct[c.loss] = 0.045
    for y in range(years):
        big = np.flatnonzero(rev[:, y] >= thresh[y])
        rows_c.append(big)
        rows_y.append(np.full(len(big), y))
        rows_amt.append(rev[big, y] * vb_pct[big])
        rows_kind.append(np.full(len(big), big_kind))
    ms = np.flatnonzero(rng.random(n) < 0.08)
    ms = np.union1d(ms, c.loss)
    for y in range(years):
        amt = rev[ms, y] * rng.uniform(0.004, 0.012, len(ms))
        ok = amt > 50
        rows_c.append(ms[ok])
        rows_y.append(np.full(int(ok.sum()), y))
        rows_amt.append(amt[ok])
        rows_kind.append(np.full(int(ok.sum()), support_kind))
    cd = np.flatnonzero((c.terms <= 14) & (c.delay_mu < 2))
    for y in range(years):
        amt = rev[cd, y] * 0.02
        ok = amt > 20
        rows_c.append(cd[ok])
        rows_y.append(np.full(int(ok.sum()), y))
        rows_amt.append(amt[ok])
        rows_kind.append(np.full(int(ok.sum()), prompt_kind))
    c.reb_cust = np.concatenate(rows_c).astype(np.int64)
    c.reb_year = np.concatenate(rows_y).astype(np.int64)
    c.reb_amount = round2(np.concatenate(rows_amt))
    c.reb_kind = np.concatenate(rows_kind)
