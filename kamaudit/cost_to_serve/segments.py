"""Customer segments: revenue ABC against profit ABC, Shapiro's quadrants, and the big
customers that lose money with the cost lines that sink them."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from ._util import _col, _pct

__all__ = [
    "QUADRANTS",
    "abc",
    "abc_matrix",
    "big_unprofitable",
    "quadrant_summary",
    "shapiro_matrix",
    "sinking_lines",
]


_NOISE = 1e-9
"""Percentage points below which two shares are the same share (float noise, not a difference)."""


def _abc_classes(values: np.ndarray, a_pct: float, b_pct: float) -> np.ndarray:
    """A/B/C by cumulative share of the positive total; non-positive values are C."""
    v = np.asarray(values, dtype=float)
    pos = np.clip(np.nan_to_num(v), 0, None)
    total = pos.sum()
    order = np.argsort(-pos, kind="stable")
    before = (
        np.concatenate([[0.0], np.cumsum(pos[order])[:-1]]) / total * 100
        if total > 0
        else np.full(len(v), 100.0)
    )
    cls_sorted = np.where(before < a_pct, "A", np.where(before < b_pct, "B", "C"))
    out = np.empty(len(v), dtype=object)
    out[order] = cls_sorted
    out[pos <= 0] = "C"
    return out


def abc(pnl: pd.DataFrame, a_pct: float = 80.0, b_pct: float = 95.0) -> pd.DataFrame:
    """Revenue ABC and profit ABC of every customer.

    A customer is in A while the customers before it (largest first) hold less than
    ``a_pct`` % of the total, in B below ``b_pct`` %, else C. Profit ABC accumulates the
    positive profits; loss-making customers are always C.

    Returns customer_id, revenue_rank, profit_rank, revenue_abc, profit_abc.
    """
    rev = pnl["net_revenue"].to_numpy(dtype=float)
    prof = pnl["net_profit"].to_numpy(dtype=float)
    return pd.DataFrame(
        {
            "customer_id": pnl["customer_id"].to_numpy(),
            "revenue_rank": pd.Series(-rev).rank(method="first").astype("int64").to_numpy(),
            "profit_rank": pd.Series(-prof).rank(method="first").astype("int64").to_numpy(),
            "revenue_abc": pd.Series(_abc_classes(rev, a_pct, b_pct), dtype="str").to_numpy(),
            "profit_abc": pd.Series(_abc_classes(prof, a_pct, b_pct), dtype="str").to_numpy(),
        }
    )


def abc_matrix(segments: pd.DataFrame) -> pd.DataFrame:
    """Customers counted by revenue class (rows) against profit class (columns)."""
    m = pd.crosstab(segments["revenue_abc"], segments["profit_abc"])
    m = m.reindex(index=list("ABC"), columns=list("ABC"), fill_value=0).astype("int64")
    m.columns = [f"profit_{c}" for c in m.columns]
    m.index.name = "revenue_abc"
    out = m.reset_index()
    out["revenue_abc"] = out["revenue_abc"].astype("str")
    out["customers_n"] = out[["profit_A", "profit_B", "profit_C"]].sum(axis=1)
    return out


QUADRANTS = ("carriage_trade", "passive", "bargain_basement", "aggressive")


def shapiro_matrix(
    pnl: pd.DataFrame, price_cut_pct: float | None = None, cts_cut_pct: float | None = None
) -> tuple[pd.DataFrame, float, float]:
    """Shapiro's matrix: net price realised against the cost to serve.

    Net price is the pocket margin % (gross margin after discounts and rebates ÷ net
    revenue); cost-to-serve is (cts + financing) % of net revenue. Quadrants:
    ``carriage_trade`` high price & high cost, ``passive`` high price & low cost,
    ``bargain_basement`` low price & low cost, ``aggressive`` low price & high cost.
    Cut points default to the medians of customers with revenue; customers without
    positive net revenue get no quadrant.

    Returns (table, price_cut, cts_cut); table: customer_id, pocket_margin_pct,
    cts_pct, cost_quadrant.
    """
    rev = pnl["net_revenue"].to_numpy(dtype=float)
    pm = _pct(pnl["gross_margin"], rev)
    serve = pnl["cts_total"].to_numpy(dtype=float) + pnl["financing_cost"].to_numpy(dtype=float)
    cp = _pct(serve, rev)
    ok = rev > 0
    pcut = float(np.nanmedian(pm[ok])) if price_cut_pct is None and ok.any() else price_cut_pct
    ccut = float(np.nanmedian(cp[ok])) if cts_cut_pct is None and ok.any() else cts_cut_pct
    pcut = math.nan if pcut is None else float(pcut)
    ccut = math.nan if ccut is None else float(ccut)
    # above the cut by more than floating-point noise: with one assumed margin every
    # customer's pocket margin equals the median up to 1e-14, and noise must not split them
    hi_p = pm > pcut + _NOISE
    hi_c = cp > ccut + _NOISE
    q = np.where(
        hi_p,
        np.where(hi_c, "carriage_trade", "passive"),
        np.where(hi_c, "aggressive", "bargain_basement"),
    )
    quadrant = pd.Series(q, dtype="str").where(ok, pd.NA)
    table = pd.DataFrame(
        {
            "customer_id": pnl["customer_id"].to_numpy(),
            "pocket_margin_pct": pm,
            "cts_pct": cp,
            "cost_quadrant": quadrant.to_numpy(),
        }
    )
    table["cost_quadrant"] = table["cost_quadrant"].astype("str")
    return table, pcut, ccut


def quadrant_summary(pnl: pd.DataFrame) -> pd.DataFrame:
    """Customers, revenue and profit per Shapiro quadrant."""
    d = pnl[pnl["cost_quadrant"].isin(QUADRANTS)]
    g = d.groupby("cost_quadrant").agg(
        customers_n=("customer_id", "size"),
        net_revenue=("net_revenue", "sum"),
        gross_margin=("gross_margin", "sum"),
        cts_total=("cts_total", "sum"),
        net_profit=("net_profit", "sum"),
    )
    g = g.reindex(list(QUADRANTS)).fillna(0.0)
    g["customers_n"] = g["customers_n"].astype("int64")
    g["net_profit_pct"] = _pct(g["net_profit"], g["net_revenue"])
    g.index.name = "cost_quadrant"
    out = g.reset_index()
    out["cost_quadrant"] = out["cost_quadrant"].astype("str")
    return out


def _line_matrix(pnl: pd.DataFrame, lines: list[str]) -> np.ndarray:
    if not lines:
        return np.zeros((len(pnl), 0))
    return np.column_stack([pnl[c].to_numpy(dtype=float) for c in lines])


def _pick(values: np.ndarray, lines: list[str], n: int) -> tuple[list[np.ndarray], np.ndarray]:
    """Per row, the column names of the ``n`` largest positive values (stable order)."""
    rows = np.arange(values.shape[0])
    order = np.argsort(-values, axis=1, kind="stable")[:, :n]
    names = np.asarray(lines, dtype=object)
    picked = []
    for k in range(min(n, len(lines))):
        j = order[:, k]
        picked.append(np.where(values[rows, j] > 0, names[j], ""))
    return picked, order


def _join(picked: list[np.ndarray], n_rows: int) -> np.ndarray:
    if not picked:
        return pd.Series([""] * n_rows, dtype="str").to_numpy()
    joined = [";".join(x for x in row if x) for row in zip(*picked, strict=True)]
    return pd.Series(joined, dtype="str").to_numpy()


def sinking_lines(pnl: pd.DataFrame, rates: pd.DataFrame, n: int = 3) -> pd.DataFrame:
    """For each customer, the cost-to-serve lines that sink it, and the unusual ones.

    ``sinking_lines``: the ``n`` largest ``cts_<activity>`` lines of the customer (where
    its cost-to-serve goes). ``unusual_lines``: the ``n`` lines (financing included) most
    above what the whole base pays for the same net revenue — excess = line − the base's
    line ÷ net revenue × the customer's net revenue. Price problems (discounts, rebates, a
    thin margin) show separately as ``margin_gap_pp`` in :func:`big_unprofitable`.

    Returns customer_id, sinking_lines, unusual_lines (";"-joined column names) and for
    k = 1..n: line_k, line_k_amount, line_k_share_pct (of the customer's cost-to-serve),
    line_k_excess.
    """
    cts_lines = [c for c in rates["cost_column"] if c in pnl.columns]
    vals = _line_matrix(pnl, cts_lines)
    m = len(pnl)
    rows = np.arange(m)
    picked, order = _pick(vals, cts_lines, n)
    rev = np.clip(pnl["net_revenue"].to_numpy(dtype=float), 0, None)
    all_lines = [*cts_lines, "financing_cost"]
    all_vals = _line_matrix(pnl, all_lines)
    total_rev = rev.sum()
    bench = all_vals.sum(axis=0) / total_rev if total_rev > 0 else np.zeros(len(all_lines))
    excess = all_vals - bench[None, :] * rev[:, None]
    unusual, _ = _pick(excess, all_lines, n)
    cts_total = vals.sum(axis=1)
    out: dict[str, Any] = {"customer_id": pnl["customer_id"].to_numpy()}
    for k, name in enumerate(picked):
        j = order[:, k]
        keep = name != ""
        amount = vals[rows, j]
        out[f"line_{k + 1}"] = pd.Series(name, dtype="str").to_numpy()
        out[f"line_{k + 1}_amount"] = np.where(keep, amount, np.nan)
        out[f"line_{k + 1}_share_pct"] = np.where(keep, _pct(amount, cts_total), np.nan)
        out[f"line_{k + 1}_excess"] = np.where(keep, excess[rows, j], np.nan)
    out["sinking_lines"] = _join(picked, m)
    out["unusual_lines"] = _join(unusual, m)
    return pd.DataFrame(out)


def big_unprofitable(
    pnl: pd.DataFrame,
    rates: pd.DataFrame,
    *,
    top_pct: float = 20.0,
    flags: tuple[str, ...] = ("VIP",),
    low_quantile_pct: float = 25.0,
    lines_n: int = 3,
) -> pd.DataFrame:
    """Big customers (revenue top ``top_pct`` % or a flag in ``flags``) that lose money
    or sit in the bottom ``low_quantile_pct`` % of profit, with the lines that sink them.

    Returns one row per such customer, worst first: customer_id, name, client_flag,
    why_big (``top_revenue``, ``flag`` or both), net_revenue, net_profit,
    net_profit_pct, pocket_margin_pct, margin_gap_pp (points below (−) or above the
    median customer's pocket margin: the price side of the problem), sinking_lines,
    line_1.., and whatever verdict columns ``pnl`` has
    (prob_unprofitable, avoidable_cost, profit_change_if_dropped).
    """
    n = len(pnl)
    rev = pnl["net_revenue"].to_numpy(dtype=float)
    prof = pnl["net_profit"].to_numpy(dtype=float)
    k = int(math.ceil(n * top_pct / 100.0))
    rank = pd.Series(-rev).rank(method="first").to_numpy()
    top = (rank <= k) & (rev > 0)
    wanted = {f.strip().lower() for f in flags}
    flag = _col(pnl, "client_flag", "").str.strip().str.lower().isin(wanted).to_numpy()
    q = np.nanpercentile(prof, low_quantile_pct) if n else 0.0
    low = (prof < 0) | ((prof <= q) & (n >= 4))  # a quartile needs four customers
    sel = (top | flag) & low
    sink = sinking_lines(pnl, rates, lines_n)
    d = pnl.loc[
        sel, [c for c in ("customer_id", "name", "industry", "client_flag") if c in pnl.columns]
    ].copy()
    why = np.where(top & flag, "top_revenue;flag", np.where(top, "top_revenue", "flag"))
    d["why_big"] = pd.Series(why[sel], dtype="str").to_numpy()
    pm = _pct(pnl["gross_margin"], rev)
    d["pocket_margin_pct"] = pm[sel]
    d["margin_gap_pp"] = pm[sel] - (np.nanmedian(pm[rev > 0]) if (rev > 0).any() else np.nan)
    for c in (
        "net_revenue",
        "gross_margin",
        "cts_total",
        "financing_cost",
        "net_profit",
        "net_profit_pct",
        "prob_unprofitable",
        "avoidable_cost",
        "profit_change_if_dropped",
    ):
        if c in pnl.columns:
            d[c] = pnl.loc[sel, c].to_numpy()
    d = d.merge(sink, on="customer_id", how="left")
    return d.sort_values(["net_profit", "customer_id"], kind="stable").reset_index(drop=True)
