"""Selection: the key accounts, the deep-plan list, potential key accounts, VIP-but-not-key
and the comparison with a turnover-only list.

Key accounts are Strategic customers (and Star ones with ``include_star``) that are
significant today and, with ``require_profit``, not losing money, ranked by priority and
cut at the cap (:func:`selection_cap`); ``force_key`` ones take slots first.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ConfigError
from .cutoffs import at_or_above, on_the_line
from .settings import ProfileSettings

__all__ = [
    "COMPARISON_LISTS",
    "eligibility",
    "history_ok",
    "potential_accounts",
    "select_accounts",
    "select_matrix",
    "selection_cap",
    "turnover_comparison",
    "unassessed_masks",
    "vip_not_key",
]


def selection_cap(active_n: int, settings: ProfileSettings) -> int:
    """How many key accounts at most: share of active customers (rounded down) and the maximum."""
    return int(
        min(math.floor(active_n * settings.max_share_pct / 100 + 1e-9), settings.max_accounts)
    )


def select_matrix(
    attr: np.ndarray,
    strength: np.ndarray,
    eligible: np.ndarray,
    forced: np.ndarray,
    slots: int,
    settings: ProfileSettings,
    unassessed_a: np.ndarray | None = None,
    unassessed_s: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Vectorised selection for one or many runs.

    ``attr``/``strength`` are (customers × runs); ``eligible``/``forced`` and the
    ``unassessed_*`` masks are (customers,). A customer whose attractiveness is
    unassessed is never a candidate; one whose strength is unassessed is judged on
    attractiveness alone (and ranked with its strength at the midline). Cut-offs compare with
    :func:`~kamaudit.account_profile.cutoffs.at_or_above`, so rounding noise decides
    nothing. Returns (key, candidate, priority), each (customers × runs).
    """
    n_c = attr.shape[0]
    ua = np.zeros(n_c, bool) if unassessed_a is None else np.asarray(unassessed_a, bool)
    us = np.zeros(n_c, bool) if unassessed_s is None else np.asarray(unassessed_s, bool)
    hi_a = at_or_above(attr, settings.split_attractiveness) & ~ua[:, None]
    hi_s = at_or_above(strength, settings.split_strength) | us[:, None]
    quad_ok = hi_a if settings.include_star else (hi_a & hi_s)
    cand = quad_ok & eligible[:, None] & ~forced[:, None]
    w = settings.rank_attractiveness_weight
    # an unassessed strength counts as the midline: ranked neither up nor down by it
    priority = w * attr + (1 - w) * np.where(us[:, None], settings.split_strength, strength)
    prio = np.where(cand, priority, -np.inf)
    n, r = prio.shape
    order = np.argsort(-prio, axis=0, kind="stable")
    ranks = np.empty_like(order)
    ranks[order, np.arange(r)[None, :]] = np.arange(n)[:, None]
    key = (cand & (ranks < slots)) | forced[:, None]
    return key, cand, priority


def unassessed_masks(scores: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(attractiveness, strength) unassessed masks of ``profile_scores`` (False without them)."""
    out = []
    for axis in ("attractiveness", "strength"):
        col = f"{axis}_unassessed"
        out.append(
            scores[col].to_numpy(dtype=bool)
            if col in scores.columns
            else np.zeros(len(scores), bool)
        )
    return out[0], out[1]


def history_ok(metrics: pd.DataFrame, settings: ProfileSettings) -> np.ndarray:
    """A real history (:class:`~kamaudit.account_profile.settings.HistoryRules`): at least
    ``min_invoices_n`` invoices and, with ``both_halves``, sales in both halves of the period.
    A customer without the figures has no history to show."""
    h = settings.history
    ok = (metrics["invoices_n"].fillna(0) >= h.min_invoices_n).to_numpy().copy()
    if h.both_halves:
        for col in ("revenue_h1", "revenue_h2"):
            if col in metrics.columns:
                ok = ok & (metrics[col].fillna(0) > 0).to_numpy()
            else:
                ok = np.zeros_like(ok)
    return ok


def eligibility(
    metrics: pd.DataFrame, settings: ProfileSettings
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(eligible, forced_in, active) masks: who may be selected, who is key by decision.

    Eligible: net revenue above zero (a customer whose credits cancel its sales is neither
    a candidate nor a loss-maker), not losing money (with ``require_profit``), significant
    today, with a real history (:func:`history_ok`) and not excluded by decision."""
    ids = metrics["customer_id"]
    active = (metrics["net_revenue"].fillna(0) > 0).to_numpy()
    profit_ok = (
        ~(metrics["net_profit"].fillna(0) < 0).to_numpy()
        if settings.require_profit
        else np.ones(len(ids), bool)
    )
    forced_out = ids.isin([str(x) for x in settings.force_not_key]).to_numpy()
    forced_in = ids.isin([str(x) for x in settings.force_key]).to_numpy() & ~forced_out
    eligible = (
        active
        & profit_ok
        & ~forced_out
        & ~_small_today(metrics, settings)
        & history_ok(metrics, settings)
    )
    return eligible, forced_in, active


def _revenue_percentile(metrics: pd.DataFrame) -> np.ndarray:
    """Percentile (0-100) of each active customer's net revenue among active customers; NaN if inactive."""
    rev = metrics["net_revenue"].where(metrics["net_revenue"] > 0)
    return (100 * rev.rank(pct=True, method="max")).to_numpy(dtype="float64")


def _small_today(metrics: pd.DataFrame, settings: ProfileSettings) -> np.ndarray:
    pct = _revenue_percentile(metrics)
    return ~np.isnan(pct) & (pct < settings.min_revenue_percentile)


def select_accounts(
    scores: pd.DataFrame,
    metrics: pd.DataFrame,
    settings: ProfileSettings,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Key accounts, deep-plan list and the turnover-only comparison (``profile_selection``).

    Key accounts are Strategic customers (and Star ones with ``include_star``) that are
    active and, with ``require_profit``, not losing money, ranked by priority and cut at
    the cap (:func:`selection_cap`); ``force_key`` ones take slots first.

    Columns: customer_id, name, net_revenue, net_profit, attractiveness, strength,
    priority, priority_rank, is_candidate, is_key_account, is_deep_plan,
    in_turnover_top (among the active customers with the highest net revenue, as many as
    there are key accounts, so the two lists compare like for like), comparison (``both``,
    ``profile_only``, ``turnover_only``, ``neither``), why (";"-joined reason codes), drivers (the criteria that lift or sink it most).
    Reason codes: forced_key, forced_not_key, not_active, unprofitable, small_today,
    short_history, unassessed, low_attractiveness, low_strength, over_cap, strategic, star,
    attractiveness_only (strength unassessed: chosen on attractiveness alone),
    profit_and_relationship, on_the_line (a score within ``on_the_line`` of a midline).
    """
    eligible, forced, active = eligibility(metrics, settings)
    active_n = int(active.sum())
    cap = selection_cap(active_n, settings)
    if forced.sum() > cap:
        raise ConfigError(
            f"profile.force_key names {int(forced.sum())} customers but the cap is {cap} "
            f"({settings.max_share_pct:g}% of {active_n} active customers, at most {settings.max_accounts}); "
            "raise profile.max_share_pct or profile.max_accounts, or shorten force_key."
        )
    attr = scores["attractiveness"].to_numpy(dtype="float64")[:, None]
    strength = scores["strength"].to_numpy(dtype="float64")[:, None]
    ua, us = unassessed_masks(scores)
    key, cand, priority = select_matrix(
        attr, strength, eligible, forced, cap - int(forced.sum()), settings, ua, us
    )
    out = pd.DataFrame(
        {
            "customer_id": scores["customer_id"].to_numpy(),
            "name": scores["name"].to_numpy(),
            "net_revenue": metrics["net_revenue"].to_numpy(dtype="float64"),
            "net_profit": metrics["net_profit"].to_numpy(dtype="float64"),
            "attractiveness": attr[:, 0],
            "strength": strength[:, 0],
            "priority": priority[:, 0],
        }
    )
    out["attractiveness_unassessed"], out["strength_unassessed"] = ua, us
    out["is_candidate"] = cand[:, 0] | forced
    out["is_key_account"] = key[:, 0]
    out["priority_rank"] = out["priority"].rank(ascending=False, method="first").astype("int64")
    # deep-plan short list: the highest-priority key accounts
    key_rank = out["priority"].where(out["is_key_account"]).rank(ascending=False, method="first")
    out["is_deep_plan"] = (key_rank <= settings.deep_plan_n).fillna(False).astype("bool")
    # turnover-only list of the same size: the active customers with the highest net revenue
    top_n = int(out["is_key_account"].sum())
    rev_rank = out["net_revenue"].where(active).rank(ascending=False, method="first")
    out["in_turnover_top"] = (rev_rank <= top_n).fillna(False).astype("bool")
    out["comparison"] = np.select(
        [
            out["is_key_account"] & out["in_turnover_top"],
            out["is_key_account"],
            out["in_turnover_top"],
        ],
        ["both", "profile_only", "turnover_only"],
        "neither",
    )
    out["comparison"] = out["comparison"].astype("str")
    out["why"] = _reasons(out, scores, forced, active, metrics, settings)
    out["why"] = out["why"].astype("str")
    meta = {
        "active_n": active_n,
        "cap": cap,
        "cap_share": int(math.floor(active_n * settings.max_share_pct / 100 + 1e-9)),
        "max_accounts": settings.max_accounts,
        "key_n": int(out["is_key_account"].sum()),
        "candidates_n": int(out["is_candidate"].sum()),
        "deep_plan_n": int(out["is_deep_plan"].sum()),
        "turnover_top_n": top_n,
        "forced_n": int(forced.sum()),
        "slots": cap - int(forced.sum()),
    }
    return out, meta


def _join_codes(parts: list[tuple[np.ndarray, str]], n: int) -> np.ndarray:
    """Vectorised ";"-join: for each row, the codes whose mask is true, in order."""
    out = np.full(n, "", dtype=object)
    for mask, code in parts:  # codes, not customers
        add = np.where(out == "", code, out + ";" + code)
        out = np.where(mask, add, out)
    return out


def _reasons(out, scores, forced, active, metrics, s: ProfileSettings) -> np.ndarray:
    ua, us = unassessed_masks(scores)
    hi_a = at_or_above(out["attractiveness"].to_numpy(), s.split_attractiveness) & ~ua
    hi_s = at_or_above(out["strength"].to_numpy(), s.split_strength)
    unprofitable = active & (metrics["net_profit"].fillna(0) < 0).to_numpy()
    forced_out = metrics["customer_id"].isin([str(x) for x in s.force_not_key]).to_numpy()
    small = _small_today(metrics, s)
    short = active & ~history_ok(metrics, s)
    key = out["is_key_account"].to_numpy(dtype=bool)
    top = out["in_turnover_top"].to_numpy(dtype=bool)
    near = np.zeros(len(out), bool)
    for axis, cut in (("attractiveness", s.split_attractiveness), ("strength", s.split_strength)):
        near |= on_the_line(out[axis].to_numpy(), cut, s.on_the_line) & ~(
            ua if axis == "attractiveness" else us
        )
    codes = _join_codes(
        [
            (key & forced, "forced_key"),
            (key & ~forced & us, "attractiveness_only"),
            (key & ~forced & ~us & hi_s, "strategic"),
            (key & ~forced & ~us & ~hi_s, "star"),
            (key & ~top, "profit_and_relationship"),
            (~key & forced_out, "forced_not_key"),
            (~key & ~active, "not_active"),
            (~key & unprofitable & s.require_profit, "unprofitable"),
            (~key & small, "small_today"),
            (~key & short, "short_history"),
            (~key & ua, "unassessed"),
            (~key & ~ua & ~hi_a, "low_attractiveness"),
            (~key & ~us & ~hi_s & (not s.include_star), "low_strength"),
            (near, "on_the_line"),
        ],
        len(out),
    )
    over = np.where(codes == "", "over_cap", "over_cap;" + codes)
    return np.where(~key & ((codes == "") | (codes == "on_the_line")), over, codes)


def potential_accounts(
    metrics: pd.DataFrame,
    selection: pd.DataFrame,
    settings: ProfileSettings,
) -> pd.DataFrame:
    """Potential key accounts: small today, growing fast or with a big wallet (``profile_potential``).

    Columns: customer_id, name, net_revenue, net_profit, net_profit_pct, growth_pct,
    share_of_wallet_pct, wallet_estimate, attractiveness, reason (``growth``,
    ``wallet_headroom`` or both, ";"-joined). Only customers at least as attractive as
    ``min_attractiveness``. Sorted: both reasons first, then most attractive.
    """
    r = settings.potential
    m = metrics.set_index("customer_id")
    sel = selection.set_index("customer_id")
    active = m["net_revenue"].fillna(0) > 0
    rev = m["net_revenue"].where(active)
    small = (
        rev < np.nanpercentile(rev.dropna(), r.max_revenue_percentile) if active.any() else active
    )
    enough = (m["invoices_n"].fillna(0) >= r.min_invoices_n) & pd.Series(
        history_ok(metrics, settings), index=m.index
    )
    growth = m["growth_pct"] >= r.min_growth_pct
    if m["wallet_estimate"].notna().any() and active.any():
        # a wallet is big when it is as large as the revenue of our bigger customers
        big = m["wallet_estimate"] >= np.nanpercentile(rev.dropna(), r.min_wallet_percentile)
        headroom = big & (m["share_of_wallet_pct"] <= r.max_share_of_wallet_pct)
    else:
        headroom = pd.Series(False, index=m.index)
    attractive = sel["attractiveness"].reindex(m.index) >= (
        r.min_attractiveness if r.min_attractiveness is not None else -np.inf
    )
    if "attractiveness_unassessed" in sel.columns:
        attractive &= ~sel["attractiveness_unassessed"].reindex(m.index).fillna(True).astype(bool)
    ok = (
        active
        & small
        & enough
        & attractive
        & ~sel["is_key_account"].reindex(m.index).fillna(False)
        & (growth | headroom)
    )
    if r.min_net_profit_pct is not None:
        ok &= m["net_profit_pct"] >= r.min_net_profit_pct
    ok = ok.fillna(False).astype(bool)
    out = m.loc[
        ok,
        [
            "name",
            "net_revenue",
            "net_profit",
            "net_profit_pct",
            "growth_pct",
            "share_of_wallet_pct",
            "wallet_estimate",
        ],
    ].copy()
    out["attractiveness"] = sel["attractiveness"].reindex(out.index)
    g, h = growth.reindex(out.index).fillna(False), headroom.reindex(out.index).fillna(False)
    out["reason"] = [
        ";".join(x for x, f in (("growth", a), ("wallet_headroom", b)) if f)
        for a, b in zip(g, h, strict=True)
    ]
    out["reason"] = out["reason"].astype("str")
    out["reasons_n"] = (g.astype(int) + h.astype(int)).to_numpy()
    out = out.sort_values(
        ["reasons_n", "attractiveness", "growth_pct"], ascending=False, na_position="last"
    )
    out = out.drop(columns="reasons_n").head(r.max_n)
    return out.reset_index()


def vip_not_key(
    metrics: pd.DataFrame, selection: pd.DataFrame, settings: ProfileSettings
) -> pd.DataFrame:
    """Customers the client labels key (``client_flag`` in ``vip_labels``) that are not key accounts, with why."""
    labels = {x.strip().lower() for x in settings.vip_labels}
    flag = metrics["client_flag"].astype("str").str.strip().str.lower()
    is_vip = flag.isin(labels).fillna(False).to_numpy(dtype=bool)
    sel = selection.set_index("customer_id")
    ids = metrics["customer_id"]
    mask = is_vip & ~sel["is_key_account"].reindex(ids).to_numpy(dtype=bool)
    out = metrics.loc[
        mask, ["customer_id", "name", "client_flag", "net_revenue", "net_profit", "net_profit_pct"]
    ].copy()
    out = out.merge(
        selection[["customer_id", "attractiveness", "strength", "in_turnover_top", "why"]],
        on="customer_id",
        how="left",
    )
    return out.sort_values("net_revenue", ascending=False).reset_index(drop=True)


COMPARISON_LISTS = ("key_accounts", "turnover_top")
"""Rows of :func:`turnover_comparison`: the profile's list and the turnover-only list."""


def turnover_comparison(selection: pd.DataFrame) -> pd.DataFrame:
    """The key-account list against the turnover-only list (``profile_turnover_comparison``).

    One row per list (:data:`COMPARISON_LISTS`). Columns: list, customers_n, both_n (on
    both lists), only_n (on this list only), only_unprofitable_n (of those, losing money
    after cost-to-serve), net_revenue, net_profit (totals of the list). Computed once
    here; the summary and the deliverables present it.

    >>> sel = pd.DataFrame({"is_key_account": [True, True, False],
    ...                     "in_turnover_top": [True, False, True],
    ...                     "net_revenue": [9.0, 2.0, 8.0], "net_profit": [3.0, 1.0, -2.0]})
    >>> turnover_comparison(sel)[["list", "customers_n", "only_n", "only_unprofitable_n"]]
               list  customers_n  only_n  only_unprofitable_n
    0  key_accounts            2       1                    0
    1  turnover_top            2       1                    1
    """
    key = selection["is_key_account"].astype(bool)
    top = selection["in_turnover_top"].astype(bool)
    loss = selection["net_profit"] < 0
    rows = []
    for name, this, other in (("key_accounts", key, top), ("turnover_top", top, key)):
        rows.append(
            {
                "list": name,
                "customers_n": int(this.sum()),
                "both_n": int((this & other).sum()),
                "only_n": int((this & ~other).sum()),
                "only_unprofitable_n": int((this & ~other & loss).sum()),
                "net_revenue": float(selection.loc[this, "net_revenue"].sum()),
                "net_profit": float(selection.loc[this, "net_profit"].sum()),
            }
        )
    out = pd.DataFrame(rows)
    out["list"] = out["list"].astype("str")
    return out
