"""Contact persons at each customer: roles, seniority, relationship strength, owner,
channel and last contact (the planted customers get the contacts their fact needs)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from ..contract import CHANNELS, CONTACT_ROLES
from .arrays import date_strings, group_rank, make_ids
from .names import COUNTRIES, FIRST_NAMES, LAST_NAMES

if TYPE_CHECKING:
    from .company import Company

_CONTACT_ROLES = CONTACT_ROLES.codes
_CHANNELS = CHANNELS.codes


def contacts_table(
    c: Company,
    rng: np.random.Generator,
    cid: np.ndarray,
    owner: np.ndarray,
    team: list[dict[str, Any]],
) -> pa.Table:
    n, r = c.n, c.role_idx
    size_rank = np.arange(n) / n  # 0 = largest
    k = np.minimum(rng.poisson(0.6 + 3.5 * (1.0 - size_rank) ** 3), 8)
    k[r["must_key"]] = 8
    k[c.single] = 1
    k[c.loss] = rng.integers(3, 6, 2)
    k[r["vip_loss"]] = 4
    k[c.grow] = rng.integers(2, 4, len(c.grow))
    # the other large customers have a few contacts, so the single-contact ones stand out
    big = np.setdiff1d(np.arange(min(12, n)), c.planted)
    k[big] = np.maximum(k[big], 2)
    cust = np.repeat(np.arange(n), k)
    pos = group_rank(k)
    total = len(cust)
    role_p = np.array([0.18, 0.17, 0.2, 0.15, 0.1, 0.12, 0.08])
    role = rng.choice(len(_CONTACT_ROLES), total, p=role_p)
    role[pos == 0] = 0  # everyone's first contact is a decision maker
    mk = cust == r["must_key"]
    role[mk] = np.arange(int(mk.sum())) % len(_CONTACT_ROLES)
    seniority_by_role = np.array(
        ["senior", "middle", "junior", "middle", "senior", "middle", "top"], dtype=object
    )
    seniority = seniority_by_role[role]
    strength = rng.integers(1, 6, total)
    ties = rng.integers(1, 6, total)
    strength[mk] = rng.integers(4, 6, int(mk.sum()))
    ties[mk] = rng.integers(1, 3, int(mk.sum()))
    sc = np.isin(cust, c.single)
    strength[sc] = 4
    ties[sc] = 3
    channel = rng.choice(len(_CHANNELS), total, p=[0.35, 0.3, 0.25, 0.1])
    last_back = np.floor(rng.exponential(90.0, total)).astype(np.int64)
    last_back[np.isin(cust, np.concatenate([[r["must_key"]], c.single]))] = rng.integers(
        3, 45, int(np.isin(cust, np.concatenate([[r["must_key"]], c.single])).sum())
    )
    last_day = np.maximum(c.ndays - 1 - last_back, 0)
    last_day = np.clip(last_day, c.win_lo[cust], c.win_hi[cust] + 30)
    last_day = np.minimum(last_day, c.ndays - 1)
    fin_ids = [p["person_id"] for p in team if p["role"] == "finance"]
    spec_ids = [p["person_id"] for p in team if p["role"] == "specialist"]
    exec_ids = [p["person_id"] for p in team if p["role"] == "executive"]
    own = owner[cust].copy()
    own[role == 4] = fin_ids[0]
    own[role == 5] = spec_ids[0]
    own[(role == 6) & (owner[cust] != "")] = exec_ids[0]
    own[rng.random(total) < 0.1] = ""
    lang = np.array([x[2] for x in COUNTRIES])[c.country[cust]]
    gender = rng.integers(0, 2, total)
    first_i = rng.integers(0, 20, total)
    last_i = rng.integers(0, 20, total)
    names = np.array(
        [
            f"{FIRST_NAMES[lg][g][a % len(FIRST_NAMES[lg][g])]} {LAST_NAMES[lg][g][b % len(LAST_NAMES[lg][g])]}"
            for lg, g, a, b in zip(lang, gender, first_i, last_i, strict=True)
        ],
        dtype=object,
    )
    o = np.lexsort((pos, cid[cust]))
    return pa.table(
        {
            "customer_id": pa.array(cid[cust][o], pa.string()),
            "contact_id": pa.array(make_ids("CT-", total, 5), pa.string()),
            "name": pa.array(names[o], pa.string()),
            "role": pa.array(np.array(_CONTACT_ROLES, dtype=object)[role][o], pa.string()),
            "seniority": pa.array(seniority[o], pa.string()),
            "relationship_strength": pa.array(strength[o].astype(np.int64)),
            "owner": pa.array(own[o], pa.string()),
            "competitor_ties": pa.array(ties[o].astype(np.int64)),
            "preferred_channel": pa.array(
                np.array(_CHANNELS, dtype=object)[channel][o], pa.string()
            ),
            "last_contact_date": date_strings(c, last_day[o]),
        }
    )
