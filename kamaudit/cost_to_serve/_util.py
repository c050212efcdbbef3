"""Small array helpers shared by the cost-to-serve modules (not public)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd


def _col(df: pd.DataFrame | None, name: str, default=np.nan) -> pd.Series:
    """A column of ``df`` as a Series, or ``default`` everywhere when it is missing."""
    if df is None:
        return pd.Series(dtype=float)
    if name in df.columns:
        return df[name]
    return pd.Series(default, index=df.index)


def _num(s: pd.Series) -> np.ndarray:
    """A numeric column (float64 by the contract) as a float array, NaN where missing."""
    return s.to_numpy(dtype=float, na_value=np.nan)


def _key(s: pd.Series) -> pd.Series:
    """Normalised activity names for matching pools with activities."""
    return s.str.strip().str.lower()


def slug(name: str) -> str:
    """``"Rush order"`` -> ``"rush_order"`` (for ``cts_<activity>`` columns)."""
    s = re.sub(r"[^0-9a-z]+", "_", str(name).strip().lower()).strip("_")
    return s or "activity"


def _codes(ids: pd.Series, universe: pd.Index) -> np.ndarray:
    """Position of each id in ``universe`` (-1 when absent), fast on millions of rows."""
    codes, uniques = pd.factorize(ids, use_na_sentinel=True)
    pos = universe.get_indexer(pd.Index(uniques).astype(universe.dtype))
    out = np.where(codes >= 0, pos[np.clip(codes, 0, None)] if len(pos) else -1, -1)
    return out.astype(np.int64)


def _sum_by(codes: np.ndarray, values: np.ndarray | None, n: int) -> np.ndarray:
    """Sum ``values`` per code (ignoring code -1 and NaN): ``numpy.bincount``."""
    ok = codes >= 0
    if values is None:
        return np.bincount(codes[ok], minlength=n).astype(float)
    v = np.nan_to_num(values[ok], nan=0.0)
    return np.bincount(codes[ok], weights=v, minlength=n)


def _pct(num: np.ndarray | pd.Series, den: np.ndarray | pd.Series) -> np.ndarray:
    num = np.asarray(num, dtype=float)
    den = np.asarray(den, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / den * 100.0, np.nan)


def _cents(x: float) -> int:
    return int(round(float(x) * 100))


def _largest_remainder(raw: np.ndarray, total_cents: int) -> np.ndarray:
    """Whole cents per customer, summing exactly to ``total_cents``."""
    raw_c = np.nan_to_num(raw * 100.0)
    base = np.floor(raw_c)
    rest = total_cents - int(base.sum())
    if rest != 0 and len(raw_c):
        frac = raw_c - base
        order = np.argsort(-frac, kind="stable") if rest > 0 else np.argsort(frac, kind="stable")
        k = abs(rest)
        reps, extra = divmod(k, len(raw_c))
        base += np.sign(rest) * reps
        base[order[:extra]] += np.sign(rest)
    return base.astype(np.int64)
