"""The nine tables of the data contract, as Arrow tables, from one generated company."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa

from .arrays import bincount, date_strings, make_ids, round2, take_strings
from .assessments import assessments_table
from .contacts import contacts_table
from .costing import customer_pnl, driver_volumes
from .names import COUNTRIES, customer_names
from .profiles import DRIVERS, ROLES
from .team import make_team, roster_facts, team_table

if TYPE_CHECKING:
    from .company import Company


def build_tables(
    c: Company,
    rng: np.random.Generator,
    pnl: dict[str, np.ndarray],
    hostile_names: bool = True,
    understaffed: bool = False,
) -> tuple[dict[str, pa.Table], dict]:
    """The nine tables, in the order they are written, and what the answer key reads
    (``cid``, ``names``, ``flag``, ``wallet``, ``rev_last``, and ``team``: the roster's
    facts, :func:`~.team.roster_facts`)."""
    n = c.n
    # customer ids do not reveal the size order
    perm = rng.permutation(n)
    cid = make_ids("C", n, 5)[perm]
    names = customer_names(c, rng, hostile=hostile_names)
    team = make_team(c, rng, understaffed)
    owner = _owners(c, rng, team)
    flag = _vip_flags(c, pnl)
    wallet, rev_last = _wallets(c, rng)
    inv_ids = make_ids("INV-", len(c.inv_day), 6)
    customers = _customers_table(c, cid, names, owner, flag, wallet)
    invoices = _invoices_table(c, cid, inv_ids)
    payments = _payments_table(c, inv_ids)
    rebates = _rebates_table(c, cid)
    activities = _activities_table(c, cid)
    cost_pools = _cost_pools_table(c)
    contacts = contacts_table(c, rng, cid, owner, team)
    assessments = assessments_table(c, rng, cid, pnl)
    tables = {
        "customers": customers,
        "invoices": invoices,
        "rebates": rebates,
        "activities": activities,
        "cost_pools": cost_pools,
        "payments": payments,
        "contacts": contacts,
        "assessments": assessments,
        "team": team_table(team),
    }
    extra = {"cid": cid, "names": names, "flag": flag, "wallet": wallet, "rev_last": rev_last}
    extra["team"] = roster_facts(team, n, understaffed)
    return tables, extra


def _owners(c: Company, rng: np.random.Generator, team: list[dict]) -> np.ndarray:
    """Account owner: a KAM for the KAM-owned and a few others, none for the growers."""
    n = c.n
    kam_ids = [p["person_id"] for p in team if p["role"] == "kam"]
    owner = np.full(n, "", dtype=object)
    owned = np.flatnonzero(c.kam_owned)
    owner[owned] = np.array(kam_ids, dtype=object)[rng.integers(0, len(kam_ids), len(owned))]
    extra_owned = np.flatnonzero((~c.kam_owned) & (rng.random(n) < 0.12))
    owner[extra_owned] = np.array(kam_ids, dtype=object)[
        rng.integers(0, len(kam_ids), len(extra_owned))
    ]
    owner[np.asarray(c.grow)] = ""
    return owner


def _vip_flags(c: Company, pnl: dict[str, np.ndarray]) -> np.ndarray:
    """VIPs are big, profitable customers, plus one unprofitable one (planted)."""
    n, r = c.n, c.role_idx
    robust_profit = customer_pnl(c, 1.25)["net_profit"]
    n_vip = max(4, int(round(0.05 * n)))
    order_rev = np.argsort(-pnl["net_revenue"], kind="stable")
    top_share = order_rev[: max(n_vip * 3, 20)]
    cand = [
        i
        for i in top_share
        if robust_profit[i] > 0.05 * max(pnl["net_revenue"][i], 1.0)
        and i not in set(c.loss.tolist())
        and i != r["late"]
        and c.continuous[i]
    ]
    vip = [r["must_key"], int(c.single[0]), r["vip_loss"]]
    for i in cand:
        if len(vip) >= n_vip:
            break
        if i not in vip:
            vip.append(int(i))
    flag = np.full(n, "", dtype=object)
    flag[np.array(vip)] = "VIP"
    return flag


def _wallets(c: Company, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Wallet estimates (annual spend in our categories) and last year's revenue per customer."""
    n, r = c.n, c.role_idx
    l_cust = c.inv_cust[c.l_inv]
    l_year = np.searchsorted(c.ybounds, c.inv_day[c.l_inv], side="right") - 1
    last = l_year == c.years - 1
    rev_last = bincount(l_cust[last], c.l_net[last], n)
    share = rng.uniform(0.15, 0.9, n)
    share[c.new] = rng.uniform(0.45, 0.95, len(c.new))  # new customers: little headroom yet
    wallet = rev_last / share
    has_wallet = rng.random(n) < 0.65
    kth = np.sort(rev_last)[::-1][min(14, n - 1)]
    wallet[c.grow] = np.maximum(15.0 * rev_last[c.grow], kth)
    wallet[r["must_key"]] = rev_last[r["must_key"]] / 0.55
    wallet[c.single] = rev_last[c.single] / 0.5
    has_wallet[c.planted] = True
    wallet = np.where(has_wallet & (wallet > 0), np.round(wallet, -3), np.nan)
    return wallet, rev_last


def _customers_table(
    c: Company,
    cid: np.ndarray,
    names: np.ndarray,
    owner: np.ndarray,
    flag: np.ndarray,
    wallet: np.ndarray,
) -> pa.Table:
    prof = c.prof
    langs = np.array([x[2] for x in COUNTRIES], dtype=object)[c.country]
    regions = np.array(
        [
            x[4][k % len(x[4])]
            for x, k in zip(np.array(COUNTRIES, dtype=object)[c.country], c.region, strict=True)
        ],
        dtype=object,
    )
    countries = np.array([x[0] for x in COUNTRIES], dtype=object)[c.country]
    inds = np.array(prof.customer_industries, dtype=object)[c.industry]
    o = np.argsort(cid)
    return pa.table(
        {
            "customer_id": pa.array(cid[o], pa.string()),
            "name": pa.array(names[o], pa.string()),
            "industry": pa.array(inds[o], pa.string()),
            "region": pa.array(regions[o], pa.string()),
            "country": pa.array(countries[o], pa.string()),
            "payment_terms_days": pa.array(c.terms[o].astype(np.int64)),
            "account_owner": pa.array(owner[o], pa.string()),
            "client_flag": pa.array(flag[o], pa.string()),
            "wallet_estimate": pa.array(wallet[o], from_pandas=True),
            "language": pa.array(langs[o], pa.string()),
        }
    )


def _invoices_table(c: Company, cid: np.ndarray, inv_ids: np.ndarray) -> pa.Table:
    l_cust = c.inv_cust[c.l_inv]
    return pa.table(
        {
            "invoice_id": take_strings(inv_ids, c.l_inv),
            "line_no": pa.array(c.l_no.astype(np.int64)),
            "invoice_date": date_strings(c, c.inv_day[c.l_inv]),
            "customer_id": take_strings(cid, l_cust),
            "product_id": take_strings(c.product_ids, c.l_prod),
            "product_category": take_strings(c.cat_names, c.p_cat[c.l_prod]),
            "quantity": pa.array(c.l_qty),
            "unit_price": pa.array(c.l_unit),
            "list_amount": pa.array(c.l_list),
            "discount_amount": pa.array(round2(c.l_list - c.l_net)),
            "net_amount": pa.array(c.l_net),
            "cost_amount": pa.array(c.l_cost),
        }
    )


def _payments_table(c: Company, inv_ids: np.ndarray) -> pa.Table:
    paid = np.where(c.pay_unpaid, 0, c.pay_paid)
    return pa.table(
        {
            "invoice_id": take_strings(inv_ids, c.pay_inv),
            "due_date": date_strings(c, c.pay_due),
            "paid_date": pa.array(
                np.datetime64(c.start.date(), "D") + paid.astype("timedelta64[D]"),
                mask=c.pay_unpaid,
            ),
            "amount": pa.array(c.inv_amount[c.pay_inv]),
        }
    )


def _rebates_table(c: Company, cid: np.ndarray) -> pa.Table:
    year_label = np.array(
        [str((c.start + pd.DateOffset(years=int(k))).year) for k in range(c.years)], dtype=object
    )
    ro = np.lexsort((c.reb_kind, cid[c.reb_cust], c.reb_year))
    return pa.table(
        {
            "customer_id": pa.array(cid[c.reb_cust][ro], pa.string()),
            "amount": pa.array(c.reb_amount[ro]),
            "kind": pa.array(c.reb_kind[ro].astype(object), pa.string()),
            "year": pa.array(year_label[c.reb_year][ro], pa.string()),
        }
    )


def _activities_table(c: Company, cid: np.ndarray) -> pa.Table:
    prof = c.prof
    act_names = np.array([prof.acts[role].name for role in ROLES], dtype=object)
    return pa.table(
        {
            "customer_id": take_strings(cid, c.a_cust),
            "activity_date": date_strings(c, c.a_day),
            "activity": take_strings(act_names, c.a_role),
            "quantity": pa.array(c.a_qty),
            "hours": pa.array(c.a_hours),
        }
    )


def _cost_pools_table(c: Company) -> pa.Table:
    """Cost pools: annual cost = target rate x volume per year."""
    prof = c.prof
    vol = driver_volumes(c).sum(axis=0)
    pool_rows = []
    for j, role in enumerate(ROLES):
        a = prof.acts[role]
        annual = a.rate * vol[j] / c.years
        annual = float(np.round(annual, -2 if annual >= 10_000 else -1))
        cap = float(np.ceil(vol[j] / c.years * 1.25 / 10) * 10) if role == "delivery" else np.nan
        pool_rows.append((a.name, annual, DRIVERS[role], np.nan, cap, float(a.avoidable_pct)))
    cols = list(zip(*pool_rows, strict=True))
    return pa.table(
        {
            "activity": pa.array(cols[0], pa.string()),
            "annual_cost": pa.array(np.array(cols[1], dtype=np.float64)),
            "driver": pa.array(cols[2], pa.string()),
            "rate": pa.array(np.array(cols[3], dtype=np.float64), from_pandas=True),
            "practical_capacity": pa.array(np.array(cols[4], dtype=np.float64), from_pandas=True),
            "avoidable_pct": pa.array(np.array(cols[5], dtype=np.float64)),
        }
    )
