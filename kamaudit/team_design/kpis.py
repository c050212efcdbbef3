"""The KPI scorecard: baselines per key account and per KAM, beyond sales, beside the
targets of the settings (``team.kpi_targets``; documented defaults, the client may change)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .common import is_missing
from .settings import TeamSettings

__all__ = ["CLV_METHODS", "KPIS", "kpi_scorecard"]

CLV_METHODS = {
    "pnl": "net customer profit over the audited period (customer P&L, after cost-to-serve), "
    "and per year; not a forecast.",
    "margin": "gross margin from invoices over the audited period (no customer P&L yet), "
    "and per year; not a forecast.",
    "revenue": "net revenue over the audited period (no profit data), and per year; "
    "not a forecast.",
}
"""How the historical customer lifetime value was measured, by the data at hand."""

KPIS: tuple[str, ...] = (
    "active_contacts_n",
    "roles_covered_n",
    "repeat_order_pct",
    "satisfaction_score",
    "documented_contacts_pct",
    "retained",
    "revenue_trend_pct",
    "profit_trend_pct",
    "clv_period",
    "clv_per_year",
)
"""The KPIs per key account, in the scorecard's order (per KAM, ``accounts_n`` first)."""

_SUMMED_PER_KAM = ("active_contacts_n", "clv_period", "clv_per_year")
"""KPIs a KAM's baseline adds up over their accounts; the others are averaged."""


def _period_windows(start: pd.Timestamp, end: pd.Timestamp) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Start of the previous and of the last window (12 months, or half the period if shorter)."""
    days = (end - start).days + 1
    win = pd.Timedelta(days=min(365, max(days // 2, 1)))
    last_start = end - win + pd.Timedelta(days=1)
    prev_start = last_start - win
    return prev_start, last_start


def _contact_kpis(
    acc: pd.DataFrame, contacts: pd.DataFrame | None, end: pd.Timestamp, settings: TeamSettings
) -> None:
    """Active contacts, contact roles covered and documented contacts, into ``acc``."""
    ids = acc["customer_id"]
    if contacts is None or not len(contacts):
        for col in ("active_contacts_n", "roles_covered_n", "documented_contacts_pct"):
            acc[col] = np.nan
        return
    c = contacts.copy()
    c["customer_id"] = c["customer_id"].astype("str")
    c = c[c["customer_id"].isin(set(ids))]
    last = (
        pd.to_datetime(c["last_contact_date"], errors="coerce")
        if "last_contact_date" in c
        else pd.Series(pd.NaT, index=c.index)
    )
    active = last >= end - pd.Timedelta(days=settings.active_contact_days)
    acc["active_contacts_n"] = (
        ids.map(active.groupby(c["customer_id"]).sum()).fillna(0).astype("float64")
    )
    roles = (
        c["role"].astype("object").map(lambda r: None if is_missing(r) else r)
        if "role" in c
        else pd.Series(None, index=c.index)
    )
    acc["roles_covered_n"] = (
        ids.map(roles.groupby(c["customer_id"]).nunique()).fillna(0).astype("float64")
    )
    documented = pd.Series(True, index=c.index)
    for col in ("role", "owner", "preferred_channel", "last_contact_date"):
        if col not in c:
            documented &= False
        else:
            documented &= ~c[col].astype("object").map(is_missing).astype(bool)
    grp = documented.groupby(c["customer_id"])
    acc["documented_contacts_pct"] = ids.map(100.0 * grp.sum() / grp.size()).astype("float64")


def _trend(ids: pd.Series, values: pd.Series, cust: pd.Series, last, prev) -> pd.Series:
    """``(last window - previous window) / |previous|`` in %, per customer (NaN without a base)."""
    vl = ids.map(values[last].groupby(cust[last]).sum()).astype("float64").fillna(0.0)
    vp = ids.map(values[prev].groupby(cust[prev]).sum()).astype("float64").fillna(0.0)
    return np.where(vp.abs() > 0, 100.0 * (vl - vp) / vp.abs().where(vp.abs() > 0, 1), np.nan)


def _order_kpis(
    acc: pd.DataFrame,
    invoices: pd.DataFrame | None,
    start: pd.Timestamp,
    end: pd.Timestamp,
    settings: TeamSettings,
) -> tuple[pd.Series | None, pd.Series | None]:
    """Repeat orders, retention and trends into ``acc``; returns the period's margin and
    revenue per account (None where the invoices do not give them)."""
    ids = acc["customer_id"]
    if invoices is None or not len(invoices):
        for col in ("repeat_order_pct", "retained", "revenue_trend_pct", "profit_trend_pct"):
            acc[col] = np.nan
        return None, None
    inv = invoices.copy()
    inv["customer_id"] = inv["customer_id"].astype("str")
    inv = inv[inv["customer_id"].isin(set(ids))]
    inv["invoice_date"] = pd.to_datetime(inv["invoice_date"], errors="coerce")
    net = pd.to_numeric(inv["net_amount"], errors="coerce").fillna(0.0)
    orders = inv[net > 0].groupby(["customer_id", "invoice_id"], sort=False)["invoice_date"].min()
    orders = orders.reset_index().sort_values(["customer_id", "invoice_date"], kind="mergesort")
    gap = orders.groupby("customer_id")["invoice_date"].diff().dt.days
    rep = (gap <= settings.repeat_order_days).groupby(orders["customer_id"]).sum()
    n = orders.groupby("customer_id").size()
    rate = 100.0 * rep / (n - 1).where(n > 1)
    acc["repeat_order_pct"] = ids.map(rate.where(n > 1, 0.0)).astype("float64")
    prev_start, last_start = _period_windows(start, end)
    in_last = (inv["invoice_date"] >= last_start) & (inv["invoice_date"] <= end)
    in_prev = (inv["invoice_date"] >= prev_start) & (inv["invoice_date"] < last_start)
    cust = inv["customer_id"]
    rl = ids.map(net[in_last].groupby(cust[in_last]).sum()).astype("float64").fillna(0.0)
    rp = ids.map(net[in_prev].groupby(cust[in_prev]).sum()).astype("float64").fillna(0.0)
    acc["retained"] = np.where((rl > 0) & (rp > 0), 100.0, 0.0)
    acc["revenue_trend_pct"] = _trend(ids, net, cust, in_last, in_prev)
    margin_total = None
    if "cost_amount" in inv and inv["cost_amount"].notna().any():
        gm = net - pd.to_numeric(inv["cost_amount"], errors="coerce").fillna(0.0)
        acc["profit_trend_pct"] = _trend(ids, gm, cust, in_last, in_prev)
        margin_total = ids.map(gm.groupby(cust).sum())
    else:
        acc["profit_trend_pct"] = np.nan
    return margin_total, ids.map(net.groupby(cust).sum())


def _satisfaction(ids: pd.Series, assessments: pd.DataFrame | None) -> pd.Series | float:
    """Mean score the customer gave us in its own assessments (``source`` client)."""
    if assessments is None or not len(assessments) or "score" not in assessments:
        return np.nan
    a = assessments.copy()
    a["customer_id"] = a["customer_id"].astype("str")
    if "source" in a:
        a = a[a["source"].astype("str").str.strip().str.lower() == "client"]
    sat = pd.to_numeric(a["score"], errors="coerce").groupby(a["customer_id"]).mean()
    return ids.map(sat).astype("float64")


def _clv(
    ids: pd.Series,
    customer_pnl: pd.DataFrame | None,
    margin_total: pd.Series | None,
    revenue_total: pd.Series | None,
) -> tuple[pd.Series, str]:
    """Historical lifetime value over the period and its method key (``""`` without data)."""
    if customer_pnl is not None and "net_profit" in customer_pnl:
        p = customer_pnl.assign(customer_id=customer_pnl["customer_id"].astype("str"))
        return ids.map(p.set_index("customer_id")["net_profit"]).astype("float64"), "pnl"
    if margin_total is not None:
        return margin_total.astype("float64"), "margin"
    if revenue_total is not None:
        return revenue_total.astype("float64"), "revenue"
    return pd.Series(np.nan, index=ids.index), ""


def _methods(settings: TeamSettings, clv_method: str) -> dict[str, str]:
    """How each KPI is measured, in the scorecard's ``method`` column."""
    return {
        "active_contacts_n": f"contacts last contacted within {settings.active_contact_days} days "
        "of the period end",
        "roles_covered_n": "distinct contact roles on file",
        "repeat_order_pct": f"share of orders placed within {settings.repeat_order_days} days of "
        "the previous order",
        "satisfaction_score": "mean score (1-10) the customer gave us in assessments",
        "documented_contacts_pct": "share of contacts with role, owner, preferred channel and "
        "last contact date",
        "retained": "100 when the customer bought in both the previous and the last 12 months",
        "revenue_trend_pct": "net revenue of the last 12 months against the 12 before",
        "profit_trend_pct": "gross margin of the last 12 months against the 12 before",
        "clv_period": clv_method,
        "clv_per_year": clv_method,
        "accounts_n": "key accounts assigned",
    }


def _per_kam(acc: pd.DataFrame, kam_name: pd.Series) -> pd.DataFrame:
    """The KAM rows of the scorecard: each KAM's accounts, sums and means of their KPIs."""
    g = acc[acc["kam_id"].notna()].groupby("kam_id", sort=True)
    agg = g[list(KPIS)].mean()
    for col in _SUMMED_PER_KAM:
        agg[col] = g[col].sum(min_count=1)
    agg["accounts_n"] = g.size().astype("float64")
    kam_long = agg.reset_index().melt(
        id_vars=["kam_id"], value_vars=["accounts_n", *KPIS], var_name="kpi", value_name="baseline"
    )
    return kam_long.assign(
        level="kam",
        subject_id=kam_long["kam_id"],
        subject_name=kam_long["kam_id"].map(kam_name),
        kam=kam_long["kam_id"].map(kam_name),
    )


def _targets(out: pd.DataFrame, settings: TeamSettings) -> pd.Series:
    """Each row's target: the KPI's target per account; a KAM's summed KPIs times their
    accounts, and their ``accounts_n`` the cap on accounts per KAM when one is set."""
    per_account = {k: (np.nan if v is None else float(v)) for k, v in settings.kpi_targets.items()}
    per_account["accounts_n"] = (
        float(settings.max_accounts_per_kam) if settings.max_accounts_per_kam else np.nan
    )
    target = out["kpi"].map(per_account).astype("float64")
    kam = out["level"] == "kam"
    accounts = out["baseline"].where(kam & (out["kpi"] == "accounts_n"))
    accounts = out["subject_id"].map(accounts.groupby(out["subject_id"]).max())
    summed = kam & out["kpi"].isin(_SUMMED_PER_KAM)
    return target.where(~summed, target * accounts)


def _long(
    acc: pd.DataFrame,
    key: pd.DataFrame,
    plan: pd.DataFrame | None,
    methods: dict[str, str],
    settings: TeamSettings,
) -> pd.DataFrame:
    """The scorecard as a long table: accounts first, then KAMs, KPIs in order."""
    names = key.set_index("customer_id")["name"]
    kam_of = kam_name = pd.Series(dtype="str")
    if plan is not None and len(plan):
        k = plan[(plan["role"] == "kam") & plan["person_id"].notna()].drop_duplicates("customer_id")
        kam_of = k.set_index("customer_id")["person_id"]
        kam_name = k.drop_duplicates("person_id").set_index("person_id")["person_name"]
    acc["kam_id"] = acc["customer_id"].map(kam_of).astype("str")
    acc["kam"] = acc["kam_id"].map(kam_name).astype("str")
    long = acc.melt(
        id_vars=["customer_id", "kam"], value_vars=list(KPIS), var_name="kpi", value_name="baseline"
    )
    long.insert(0, "level", "account")
    long = long.rename(columns={"customer_id": "subject_id"})
    long.insert(2, "subject_name", long["subject_id"].map(names))
    parts = [long]
    if acc["kam_id"].notna().any():
        parts.append(_per_kam(acc, kam_name))
    out = pd.concat(parts, ignore_index=True)
    order = {k: i for i, k in enumerate(["accounts_n", *KPIS])}
    out["_o"] = out["kpi"].map(order)
    out["_l"] = (out["level"] == "kam").astype(int)
    out = out.sort_values(["_l", "subject_id", "_o"], kind="mergesort")
    out["method"] = out["kpi"].map(methods)
    out["target"] = _targets(out, settings)
    out = out[["level", "subject_id", "subject_name", "kam", "kpi", "baseline", "target", "method"]]
    for col in ("level", "subject_id", "subject_name", "kam", "kpi", "method"):
        out[col] = out[col].astype("str")
    out["baseline"] = out["baseline"].astype("float64")
    out["target"] = out["target"].astype("float64")
    return out.reset_index(drop=True)


def kpi_scorecard(
    key: pd.DataFrame,
    plan: pd.DataFrame | None,
    invoices: pd.DataFrame | None,
    contacts: pd.DataFrame | None,
    assessments: pd.DataFrame | None,
    customer_pnl: pd.DataFrame | None,
    period: Any,
    settings: TeamSettings | None = None,
) -> tuple[pd.DataFrame, str]:
    """Baselines of the KPI scorecard per key account and per KAM, beside their targets.

    KPIs: ``active_contacts_n`` (contacted within ``active_contact_days`` of the period
    end), ``roles_covered_n`` (distinct contact roles), ``repeat_order_pct`` (orders placed
    within ``repeat_order_days`` of the previous one), ``satisfaction_score`` (mean of the
    customer's own assessments of us), ``documented_contacts_pct`` (role, owner, preferred
    channel and last contact all filled), ``retained`` (100 when the customer bought in both
    the previous and the last window), ``revenue_trend_pct`` and ``profit_trend_pct`` (last
    window against the previous; profit = gross margin from invoices), ``clv_period`` and
    ``clv_per_year`` (historical lifetime value).

    ``period`` is the audited period (``start``, ``end``: a :class:`kamaudit.config.Period`).
    ``target`` comes from ``settings.kpi_targets`` (per account; a KAM's summed KPIs, contacts
    and lifetime value, times their accounts; their ``accounts_n`` the cap per KAM).
    Returns a long table ``level (account/kam), subject_id, subject_name, kam, kpi,
    baseline, target, method`` and the key of the lifetime-value method
    (:data:`CLV_METHODS`; ``""`` when there is no data to measure it).
    """
    settings = settings or TeamSettings()
    start, end = pd.Timestamp(period.start), pd.Timestamp(period.end)
    years = max(((end - start).days + 1) / 365.25, 1e-9)
    ids = key["customer_id"]
    acc = pd.DataFrame({"customer_id": ids})
    _contact_kpis(acc, contacts, end, settings)
    margin_total, revenue_total = _order_kpis(acc, invoices, start, end, settings)
    acc["satisfaction_score"] = _satisfaction(ids, assessments)
    clv, clv_key = _clv(ids, customer_pnl, margin_total, revenue_total)
    acc["clv_period"] = clv.to_numpy()
    acc["clv_per_year"] = acc["clv_period"] / years
    methods = _methods(settings, CLV_METHODS.get(clv_key, ""))
    return _long(acc, key, plan, methods, settings), clv_key
