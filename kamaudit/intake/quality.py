"""The quality report and the customer base: rows read, kept and dropped, missing values,
period coverage, new and lost customers, concentration."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..io import SCHEMA, RawTable
from .settings import IntakeSettings


def _quality(
    tables: dict[str, pd.DataFrame], raws: dict[str, RawTable], stats: dict
) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows = []
    for table, st in stats.items():
        kept = len(tables[table]) if table in tables else 0
        read = int(st.get("rows_read", 0))
        rows.append(
            {
                "table": table,
                "file": st.get("file", ""),
                "sheet": st.get("sheet", ""),
                "rows_read": read,
                "rows_kept": kept,
                "rows_dropped": max(read - kept, 0) if read else 0,
                "total_rows_dropped_n": int(st.get("total_rows_dropped_n", 0)),
                "missing_required_n": int(st.get("missing_required_n", 0)),
                "type_errors_n": int(st.get("type_errors_n", 0)),
                "duplicates_n": int(st.get("duplicates_n", 0)),
                "orphans_n": int(st.get("orphans_n", 0)),
                "outliers_n": int(st.get("outliers_n", 0)),
                "outside_period_n": int(st.get("outside_period_n", 0)),
                "credit_lines_n": int(st.get("credit_lines_n", 0)),
                "status": "read"
                if table in raws
                else ("derived" if table in tables else "not read"),
            }
        )
    quality = pd.DataFrame(rows)
    if len(quality):
        quality["file"] = quality["file"].astype("str")
    miss_rows = []
    for table, df in tables.items():
        r = raws.get(table)
        n = len(df)
        for c in df.columns:
            kind, req = SCHEMA.get(table, {}).get(c, ("bool", False))
            m = int(df[c].isna().sum())
            miss_rows.append(
                {
                    "table": table,
                    "column": c,
                    "header": r.header_of(c) if r else "",
                    "kind": kind,
                    "required": bool(req),
                    "missing_n": m,
                    "missing_pct": round(100.0 * m / n, 2) if n else 0.0,
                }
            )
    missing = pd.DataFrame(
        miss_rows,
        columns=["table", "column", "header", "kind", "required", "missing_n", "missing_pct"],
    )
    return quality, missing


def _months(p_start: pd.Timestamp, p_end: pd.Timestamp) -> pd.PeriodIndex:
    return pd.period_range(p_start.to_period("M"), p_end.to_period("M"), freq="M")


def _coverage(inv: pd.DataFrame | None, p_start: pd.Timestamp, p_end: pd.Timestamp) -> pd.DataFrame:
    months = _months(p_start, p_end)
    cols = [
        "month",
        "invoice_lines_n",
        "invoices_n",
        "customers_n",
        "net_amount",
        "credit_amount",
        "has_data",
    ]
    if inv is None:
        return pd.DataFrame(columns=cols)
    m = inv["invoice_date"].dt.to_period("M")
    g = inv.groupby(m)
    out = pd.DataFrame(
        {
            "invoice_lines_n": g.size(),
            "invoices_n": g["invoice_id"].nunique(),
            "customers_n": g["customer_id"].nunique(),
            "net_amount": g["net_amount"].sum(),
            "credit_amount": inv["net_amount"].where(inv["is_credit"], 0.0).groupby(m).sum(),
        }
    ).reindex(months)
    out = out.fillna(0)
    for c in ("invoice_lines_n", "invoices_n", "customers_n"):
        out[c] = out[c].astype("int64")
    out["has_data"] = out["invoice_lines_n"] > 0
    out.index.name = "month"
    out = out.reset_index()
    out["month"] = out["month"].dt.to_timestamp().astype("datetime64[ns]")
    return out[cols]


def _base(
    tables: dict[str, pd.DataFrame],
    p_start: pd.Timestamp,
    p_end: pd.Timestamp,
    settings: IntakeSettings,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, dict]:
    inv = tables.get("invoices")
    empty = (
        pd.DataFrame(columns=["month", "active_n", "new_n", "net_amount"]),
        pd.DataFrame(columns=["customers_share", "revenue_share"]),
        pd.DataFrame(
            columns=["rank", "customer_id", "name", "net_revenue", "share_pct", "cum_share_pct"]
        ),
        {},
    )
    if inv is None or not len(inv):
        return empty
    months = _months(p_start, p_end)
    m = inv["invoice_date"].dt.to_period("M")
    first = inv.groupby("customer_id")["invoice_date"].min().dt.to_period("M")
    monthly = (
        pd.DataFrame(
            {
                "active_n": inv.groupby(m)["customer_id"].nunique(),
                "new_n": first.value_counts(),
                "net_amount": inv.groupby(m)["net_amount"].sum(),
            }
        )
        .reindex(months)
        .fillna(0)
    )
    monthly["active_n"] = monthly["active_n"].astype("int64")
    monthly["new_n"] = monthly["new_n"].astype("int64")
    monthly.index.name = "month"
    monthly = monthly.reset_index()
    monthly["month"] = monthly["month"].dt.to_timestamp().astype("datetime64[ns]")

    # new and lost: the first and last windows of the period
    n_months = len(months)
    w = max(1, min(settings.base_window_months, n_months // 2)) if n_months >= 2 else 1
    first_w = set(months[:w])
    last_w = set(months[-w:])
    in_first = pd.Index(inv.loc[m.isin(list(first_w)).to_numpy(), "customer_id"].unique())
    in_last = pd.Index(inv.loc[m.isin(list(last_w)).to_numpy(), "customer_id"].unique())
    active = inv["customer_id"].nunique()
    new = len(in_last.difference(in_first)) if n_months >= 2 else 0
    lost = len(in_first.difference(in_last)) if n_months >= 2 else 0
    retained = len(in_first.intersection(in_last))

    rev = (
        inv.groupby("customer_id")["net_amount"]
        .sum()
        .sort_values(ascending=False, kind="mergesort")
    )
    pos = rev.clip(lower=0)
    total = float(pos.sum())
    n = len(pos)
    top10 = float(pos.iloc[:10].sum()) / total * 100 if total > 0 else float("nan")
    k20 = max(1, math.ceil(0.2 * n))
    top20 = float(pos.iloc[:k20].sum()) / total * 100 if total > 0 else float("nan")
    asc = np.sort(pos.to_numpy())
    cum = np.concatenate([[0.0], np.cumsum(asc)])
    x = np.linspace(0, 1, n + 1)
    y = cum / cum[-1] if cum[-1] > 0 else x
    grid = np.linspace(0, 1, 101)
    lorenz = pd.DataFrame({"customers_share": grid, "revenue_share": np.interp(grid, x, y)})
    gini = float(1 - 2 * np.trapezoid(y, x)) if cum[-1] > 0 else float("nan")

    cust = tables.get("customers")
    names = (
        cust.set_index("customer_id")["name"]
        if cust is not None and "name" in cust.columns
        else None
    )
    top = rev.iloc[:20].rename("net_revenue").reset_index()
    top.insert(0, "rank", np.arange(1, len(top) + 1))
    top["name"] = (
        top["customer_id"].map(names)
        if names is not None
        else pd.Series(pd.NA, index=top.index, dtype="str")
    )
    top["name"] = top["name"].astype("str")
    top["share_pct"] = top["net_revenue"].clip(lower=0) / total * 100 if total > 0 else np.nan
    top["cum_share_pct"] = top["share_pct"].cumsum()
    top = top[["rank", "customer_id", "name", "net_revenue", "share_pct", "cum_share_pct"]]

    base = {
        "customers_active_n": int(active),
        "customers_new_n": int(new),
        "customers_lost_n": int(lost),
        "customers_retained_n": int(retained),
        "window_months": int(w),
        "negative_revenue_customers_n": int((rev < 0).sum()),
        "net_revenue": round(float(inv["net_amount"].sum()), 2),
        "credit_amount": round(float(inv.loc[inv["is_credit"], "net_amount"].sum()), 2),
        "top10_share_pct": _r(top10),
        "top20pct_share_pct": _r(top20),
        "top20pct_customers_n": int(k20),
        "gini": _r(gini, 4),
        "invoice_lines_n": int(len(inv)),
        "invoices_n": int(inv["invoice_id"].nunique()),
        "first_date": f"{inv['invoice_date'].min():%Y-%m-%d}",
        "last_date": f"{inv['invoice_date'].max():%Y-%m-%d}",
    }
    return monthly, lorenz, top, base


def _r(x: float, nd: int = 2) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else round(float(x), nd)
