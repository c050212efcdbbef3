"""Assessments: our view of each customer (internal criteria) and its view of us (client
criteria), scored 1-10, of varying depth; fixed ranges for the planted customers."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

if TYPE_CHECKING:
    from .company import Company

CLIENT_CRITERIA = ("reliability", "quality", "flexibility", "personal_approach")
INTERNAL_CRITERIA = ("strategic_value", "reference_value", "financial_stability")


def assessments_table(
    c: Company, rng: np.random.Generator, cid: np.ndarray, pnl: dict[str, np.ndarray]
) -> pa.Table:
    n, r = c.n, c.role_idx
    size_rank = np.arange(n) / n
    has_int = rng.random(n) < 0.25 + 0.6 * (1.0 - size_rank) ** 2
    has_cli = rng.random(n) < 0.1 + 0.5 * (1.0 - size_rank) ** 2
    fixed: dict[
        int, tuple[tuple[int, int], tuple[int, int]]
    ] = {}  # customer -> (internal, client) score ranges
    fixed[r["must_key"]] = ((9, 10), (9, 10))
    for i in c.single:
        fixed[int(i)] = ((8, 9), (7, 9))
    for i in c.grow:
        fixed[int(i)] = ((8, 9), (8, 9))
    for i in c.loss:
        fixed[int(i)] = ((5, 7), (6, 8))
    fixed[r["vip_loss"]] = ((4, 6), (8, 10))
    rows_c, rows_k, rows_s, rows_src = [], [], [], []
    base_int = np.clip(rng.normal(6.0, 1.5, n), 1, 10)
    base_cli = np.clip(rng.normal(6.5, 1.5, n), 1, 10)
    for src, has, crits, base in (
        ("internal", has_int, INTERNAL_CRITERIA, base_int),
        ("client", has_cli, CLIENT_CRITERIA, base_cli),
    ):
        depth = rng.integers(1, len(crits) + 1, n)  # assessments of varying depth
        for j, crit in enumerate(crits):
            who = np.flatnonzero(has & (depth > j))
            sc = np.clip(np.round(base[who] + rng.normal(0, 1.0, len(who))), 1, 10)
            rows_c.append(who)
            rows_k.append(np.full(len(who), crit, dtype=object))
            rows_s.append(sc)
            rows_src.append(np.full(len(who), src, dtype=object))
    cust = np.concatenate(rows_c)
    keep = ~np.isin(cust, list(fixed))
    cust = cust[keep]
    crit = np.concatenate(rows_k)[keep]
    score = np.concatenate(rows_s)[keep]
    source = np.concatenate(rows_src)[keep]
    add_c, add_k, add_s, add_src = [], [], [], []
    for i, (ri, rc) in fixed.items():
        for src, crits, (lo, hi) in (
            ("internal", INTERNAL_CRITERIA, ri),
            ("client", CLIENT_CRITERIA, rc),
        ):
            for cr in crits:
                add_c.append(i)
                add_k.append(cr)
                add_s.append(float(rng.integers(lo, hi + 1)))
                add_src.append(src)
    cust = np.concatenate([cust, np.array(add_c, dtype=np.int64)])
    crit = np.concatenate([crit, np.array(add_k, dtype=object)])
    score = np.concatenate([score, np.array(add_s)])
    source = np.concatenate([source, np.array(add_src, dtype=object)])
    o = np.lexsort((crit.astype(str), source.astype(str), cid[cust].astype(str)))
    return pa.table(
        {
            "customer_id": pa.array(cid[cust][o], pa.string()),
            "criterion": pa.array(crit[o], pa.string()),
            "score": pa.array(score[o]),
            "source": pa.array(source[o], pa.string()),
        }
    )
