"""Per-customer metrics the criteria score (``profile_metrics``).

Size and profit come from stage 2's customer P&L; growth, assortment breadth, tenure and
order regularity from the invoices; payment discipline from the payments; share of
wallet from the customer master's ``wallet_estimate``; the contact indicators from
:func:`~kamaudit.account_profile.relationship.contact_coverage`. Inputs follow the data
contract (ids text, dates datetimes, amounts floats), so nothing here re-coerces them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import contract
from .relationship import contact_coverage
from .settings import ProfileSettings

__all__ = ["compute_metrics", "growth"]

_IDENTITY = ("name", "industry", "region", "client_flag", "account_owner")
_PNL = ("net_revenue", "gross_margin", "cts_total", "net_profit")
_INVOICE_METRICS = (
    "revenue_h1",
    "revenue_h2",
    "growth_pct",
    "growth_status",
    "growth_basis",
    "assortment_n",
    "tenure_years",
    "order_regularity_pct",
)


def customer_master(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The ``customers`` table, or an empty one with the contract's columns when absent."""
    cust = tables.get("customers")
    if cust is None:
        return pd.DataFrame(
            {c.name: pd.Series(dtype=c.dtype) for c in contract.INPUTS["customers"].columns}
        )
    return cust


def _master(cust: pd.DataFrame, ids: pd.Series, col: str) -> pd.Series:
    """A customer-master column for ``ids`` (aligned with them), keeping its dtype."""
    return cust[col].reindex(ids.to_numpy()).set_axis(ids.index)


def compute_metrics(
    tables: dict[str, pd.DataFrame],
    customer_pnl: pd.DataFrame,
    start: pd.Timestamp,
    end: pd.Timestamp,
    settings: ProfileSettings | None = None,
) -> pd.DataFrame:
    """Per-customer metric values (``profile_metrics``), one row per ``customer_pnl`` row.

    Columns: customer_id, name, industry, region, client_flag, account_owner, net_revenue,
    gross_margin, cts_total, net_profit, net_profit_pct, gross_margin_pct, invoices_n,
    revenue_h1, revenue_h2, growth_pct (:func:`growth`), growth_status, growth_basis,
    assortment_n, days_late_avg,
    payment_discipline_pct, tenure_years, order_regularity_pct, wallet_estimate,
    share_of_wallet_pct, stage_given, plus the contact indicators of
    :func:`contact_coverage`. A metric the data cannot give (no payments, no wallet
    estimates) is NaN. This function does not mutate its inputs.
    """
    settings = settings or ProfileSettings()
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    cust = customer_master(tables).set_index("customer_id")
    out = _identity_and_pnl(customer_pnl, cust)
    out = out.set_index("customer_id", drop=False)
    inv = tables.get("invoices")
    if inv is not None and len(inv):
        _invoice_metrics(out, inv, cust, start, end)
    else:
        for col in _INVOICE_METRICS:
            out[col] = np.nan
        out["growth_status"], out["growth_basis"] = "none", "none"
        out["invoices_n"] = 0
    out["days_late_avg"], out["payment_discipline_pct"] = _payment_discipline(
        tables.get("payments"), inv, out.index, end, settings
    )
    # share of wallet (annual revenue against the annual wallet)
    years = max((end - start).days + 1, 1) / 365.25
    wallet = _master(cust, out["customer_id"], "wallet_estimate")
    wallet = wallet.where(wallet > 0)
    out["wallet_estimate"] = wallet
    out["share_of_wallet_pct"] = (100 * (out["net_revenue"] / years) / wallet).clip(
        lower=0, upper=100
    )
    out["stage_given"] = _master(cust, out["customer_id"], "relationship_stage")
    cov = contact_coverage(tables.get("contacts"), out.index, end, settings)
    out = out.join(cov.set_index("customer_id"), how="left")
    return out.reset_index(drop=True)


def _identity_and_pnl(pnl: pd.DataFrame, cust: pd.DataFrame) -> pd.DataFrame:
    """Identity columns (from the P&L, else the customer master) and the P&L figures."""
    out = pd.DataFrame({"customer_id": pnl["customer_id"]})
    for col in _IDENTITY:
        if col in pnl.columns:
            out[col] = pnl[col].to_numpy()
        else:
            out[col] = _master(cust, out["customer_id"], col)
    out["name"] = out["name"].fillna(out["customer_id"])
    for col in _PNL:
        out[col] = pnl[col].astype("float64") if col in pnl.columns else np.nan
    rev = out["net_revenue"]
    with np.errstate(divide="ignore", invalid="ignore"):
        for pct, amount in (("net_profit_pct", "net_profit"), ("gross_margin_pct", "gross_margin")):
            if pct in pnl.columns:
                out[pct] = pnl[pct].astype("float64").to_numpy()
            else:
                out[pct] = np.where(rev > 0, 100 * out[amount] / rev, np.nan)
    return out


def _product_column(inv: pd.DataFrame) -> str | None:
    for col in ("product_category", "product_id"):
        if col in inv.columns and inv[col].notna().any():
            return col
    return None


def _invoice_metrics(
    out: pd.DataFrame,
    inv: pd.DataFrame,
    cust: pd.DataFrame,
    start: pd.Timestamp,
    end: pd.Timestamp,
) -> None:
    """Invoices, growth, assortment, tenure and order regularity into ``out`` (indexed by id)."""
    g = inv.groupby("customer_id", sort=False)
    out["invoices_n"] = g["invoice_id"].nunique().reindex(out.index).fillna(0).astype("int64")
    # halves of the period: the history rule needs sales in both
    mid = start + (end - start) / 2
    h1 = inv.loc[inv["invoice_date"] <= mid].groupby("customer_id")["net_amount"].sum()
    h2 = inv.loc[inv["invoice_date"] > mid].groupby("customer_id")["net_amount"].sum()
    h1 = h1.reindex(out.index).fillna(0.0)
    h2 = h2.reindex(out.index).fillna(0.0)
    out["revenue_h1"], out["revenue_h2"] = h1, h2
    out["growth_pct"], out["growth_status"], basis = growth(inv, out.index, start, end)
    out["growth_basis"] = basis
    out["growth_status"] = out["growth_status"].astype("str")
    out["growth_basis"] = out["growth_basis"].astype("str")
    # assortment breadth
    prod = _product_column(inv)
    sold = inv.loc[inv["net_amount"] > 0]
    if prod:
        out["assortment_n"] = (
            sold.groupby("customer_id")[prod]
            .nunique()
            .reindex(out.index)
            .fillna(0)
            .astype("float64")
        )
    else:
        out["assortment_n"] = np.nan
    # tenure (from customer_since where the master gives it) and order regularity
    first = sold.groupby("customer_id")["invoice_date"].min().reindex(out.index)
    since = _master(cust, out["customer_id"], "customer_since")
    since = since.fillna(first).where(since.isna() | (since <= first) | first.isna(), first)
    out["tenure_years"] = ((end - since).dt.days / 365.25).clip(lower=0)
    pos = sold.loc[sold["invoice_date"].notna()]
    months = pos["invoice_date"].dt.year * 12 + pos["invoice_date"].dt.month
    active_months = months.groupby(pos["customer_id"]).nunique().reindex(out.index)
    first_m = np.maximum(first.dt.year * 12 + first.dt.month, start.year * 12 + start.month)
    span = (end.year * 12 + end.month) - first_m + 1
    out["order_regularity_pct"] = (100 * active_months / span.where(span > 0)).clip(upper=100)


def _month_index(d: pd.Series) -> pd.Series:
    return d.dt.year * 12 + d.dt.month - 1


def growth(
    inv: pd.DataFrame, ids: pd.Index, start: pd.Timestamp, end: pd.Timestamp
) -> tuple[np.ndarray, np.ndarray, str]:
    """Growth per customer: (growth_pct, status, basis).

    ``same_months`` when the period holds at least 13 whole or part months: revenue in
    the months that have the same month a year earlier inside the period (at most the
    last 12), against those months a year earlier, so a Christmas peak is set against
    a Christmas peak. Otherwise ``trend``: the least-squares slope of monthly revenue,
    times 12, as % of the mean month (annualised; seasonality is not removed and the
    summary says so). Status: ``new`` (nothing in the earlier months: no growth rate),
    ``lost`` (nothing in the later ones: -100 %), ``compared``, or ``none`` (no sales).

    >>> inv = pd.DataFrame({"customer_id": ["A", "A", "B"], "net_amount": [100.0, 150.0, 80.0],
    ...     "invoice_date": pd.to_datetime(["2023-12-05", "2024-12-05", "2024-06-01"])})
    >>> g, st, basis = growth(inv, pd.Index(["A", "B"]), pd.Timestamp("2023-01-01"),
    ...                       pd.Timestamp("2024-12-31"))
    >>> basis, g.tolist()[0], st.tolist()
    ('same_months', 50.0, ['compared', 'new'])
    """
    m0, m1 = start.year * 12 + start.month - 1, end.year * 12 + end.month - 1
    months = m1 - m0 + 1
    d = inv.loc[inv["invoice_date"].notna() & inv["customer_id"].isin(ids)]
    mi = _month_index(d["invoice_date"]) - m0
    monthly = (
        d["net_amount"]
        .groupby([d["customer_id"], mi])
        .sum()
        .unstack(fill_value=0.0)
        .reindex(index=ids, columns=range(months), fill_value=0.0)
        .to_numpy(dtype="float64")
    )
    if months >= 13:
        recent = list(range(max(12, months - 12), months))
        now = monthly[:, recent].sum(axis=1)
        before = monthly[:, [m - 12 for m in recent]].sum(axis=1)
        basis = "same_months"
        with np.errstate(divide="ignore", invalid="ignore"):
            g = np.where(before > 0, 100 * (now - before) / before, np.nan)
    else:
        half = months // 2 or 1
        before = monthly[:, :half].sum(axis=1)
        now = monthly[:, half:].sum(axis=1)
        basis = "trend"
        x = np.arange(months, dtype="float64")
        xc = x - x.mean()
        denom = float((xc**2).sum()) or np.nan
        slope = (monthly - monthly.mean(axis=1, keepdims=True)) @ xc / denom
        mean = monthly.mean(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            g = np.where(mean > 0, 100 * 12 * slope / mean, np.nan)
    status = np.select(
        [(before <= 0) & (now > 0), (before > 0) & (now <= 0), before > 0],
        ["new", "lost", "compared"],
        "none",
    )
    g = np.where(status == "lost", -100.0, np.where(status == "compared", g, np.nan))
    return np.clip(g, -100, 300), status, basis


def _payment_discipline(
    pay: pd.DataFrame | None,
    inv: pd.DataFrame | None,
    ids: pd.Index,
    end: pd.Timestamp,
    settings: ProfileSettings,
) -> tuple[pd.Series | float, pd.Series | float]:
    """Amount-weighted average days late and % of the amount paid on time, per customer.

    Unpaid overdue invoices count as late up to the payments' snapshot (the latest payment
    in the file, else the period end): at least that late.
    """
    if pay is None or not len(pay) or inv is None or not len(inv):
        return np.nan, np.nan
    owner = inv.drop_duplicates("invoice_id").set_index("invoice_id")["customer_id"]
    p = pay.assign(customer_id=pay["invoice_id"].map(owner))
    p = p.dropna(subset=["customer_id"])
    due, paid = p["due_date"], p["paid_date"]
    latest = pay["paid_date"].max()
    snap = pd.Timestamp(latest) if pd.notna(latest) else end
    effective = paid.fillna(pd.Series(snap, index=p.index).where(due < snap))
    late = (effective - due).dt.days.clip(lower=0).astype("float64")
    amt = p["amount"].abs()
    amt = amt.fillna(1.0).where(amt > 0, 1.0)
    ok = late.notna()
    p = pd.DataFrame({"customer_id": p["customer_id"], "late": late, "amt": amt})[ok]
    p["w_late"] = p["late"] * p["amt"]
    p["on_time"] = (p["late"] <= settings.risks.on_time_grace_days) * p["amt"]
    g = p.groupby("customer_id")[["w_late", "on_time", "amt"]].sum().reindex(ids)
    return g["w_late"] / g["amt"], 100 * g["on_time"] / g["amt"]
