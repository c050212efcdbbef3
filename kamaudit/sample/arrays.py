"""Small vectorised helpers the generator shares: ranks within groups, weighted draws,
rounding to cents, period years, ids, and Arrow string and date columns."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa

if TYPE_CHECKING:
    from .company import Company

# --------------------------------------------------------------------- helpers


def group_rank(counts: np.ndarray) -> np.ndarray:
    """0..n-1 within consecutive groups of the given sizes."""
    counts = np.asarray(counts, dtype=np.int64)
    total = int(counts.sum())
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    return np.arange(total, dtype=np.int64) - starts


def sample_rows(rng: np.random.Generator, cum: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Draw one index per element from row-specific cumulative probabilities ``cum[rows]``."""
    n, k = cum.shape
    shifted = (cum / cum[:, -1:] + np.arange(n)[:, None]).ravel()  # row i lives in (i, i + 1]
    u = rng.random(len(rows))
    pos = np.searchsorted(shifted, rows + u, side="left")
    return np.minimum(pos - rows * k, k - 1)


def top_k(rng: np.random.Generator, weights: np.ndarray, k: int) -> np.ndarray:
    """k distinct indices drawn with probability proportional to ``weights`` (Gumbel top-k)."""
    keys = np.log(np.maximum(weights, 1e-300)) + rng.gumbel(size=len(weights))
    if k >= len(weights):
        return np.argsort(-keys, kind="stable")
    part = np.argpartition(-keys, k)[:k]
    return np.sort(part)


def round2(x: np.ndarray) -> np.ndarray:
    return np.round(np.asarray(x, dtype=np.float64), 2) + 0.0  # + 0.0 drops -0.0


def year_starts(start: pd.Timestamp, years: int) -> np.ndarray:
    """Day offsets (from ``start``) where each period year begins, plus the period end + 1."""
    bounds = [(start + pd.DateOffset(years=k) - start).days for k in range(years + 1)]
    return np.asarray(bounds, dtype=np.int64)


def bincount(idx: np.ndarray, weights: np.ndarray | None, n: int) -> np.ndarray:
    return np.bincount(idx, weights=weights, minlength=n).astype(np.float64)


def make_ids(prefix: str, n: int, width: int) -> np.ndarray:
    w = max(width, len(str(n)))
    return np.array([f"{prefix}{i:0{w}d}" for i in range(1, n + 1)], dtype=object)


def take_strings(values: np.ndarray, idx: np.ndarray) -> pa.Array:
    """``values[idx]`` as an Arrow string array, gathered in C++ (fast for millions of rows)."""
    return pa.array(values, pa.string()).take(pa.array(np.asarray(idx, dtype=np.int64)))


def date_strings(c: Company, days: np.ndarray) -> pa.Array:
    return pa.array(np.datetime64(c.start.date(), "D") + days.astype("timedelta64[D]"))
