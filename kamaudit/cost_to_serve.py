"""Stage 2, cost-to-serve: what each customer really earns after the cost of serving it.

Activity-based costing over the canonical tables of intake, as pure functions of
DataFrames (no I/O, except the two small workspace helpers at the end):

=========================  ==============================================================
``compute_rates``          pool cost ÷ driver volume, ÷ practical capacity, or a fixed rate
``allocate``               cost per customer and pool, conserving every pool to the cent
``financing_cost``         per invoice: amount × days outstanding × cost of capital ÷ 365
``customer_pnl``           list sales → … → net profit, one row per customer
``whale_curve``            Kaplan's cumulative profit curve, peak, erosion, deciles
``abc``                    revenue ABC against profit ABC
``shapiro_matrix``         pocket margin % × cost-to-serve %: four quadrants
``big_unprofitable``       big or VIP customers that lose money, with the lines that sink them
``sensitivity``            rates ±x % one at a time, and a seeded Monte Carlo
``findings``               the verdicts as message keys and numbers (translated by the report)
``run_cost_to_serve``      all of the above from the tables and the engagement
=========================  ==============================================================

Money is in the engagement currency. Cost-to-serve is allocated in whole cents (largest
remainder), so allocated + unallocated equals every pool exactly.

>>> result = run_cost_to_serve(tables, engagement)          # doctest: +SKIP
>>> result.pnl[["customer_id", "net_revenue", "net_profit"]]  # doctest: +SKIP
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "CostToServeResult",
    "CostToServeSettings",
    "DRIVERS",
    "QUADRANTS",
    "WhaleCurve",
    "abc",
    "abc_matrix",
    "allocate",
    "avoidability",
    "big_unprofitable",
    "compute_rates",
    "customer_base",
    "customer_pnl",
    "driver_volumes",
    "financing_cost",
    "findings",
    "period_years",
    "quadrant_summary",
    "read_inputs",
    "reconcile",
    "run_cost_to_serve",
    "sensitivity",
    "shapiro_matrix",
    "sinking_lines",
    "unpooled_activities",
    "whale_curve",
    "write_results",
]


class CostToServeSettings(BaseModel):
    """Cost-to-serve settings of the engagement file (``cost_to_serve:``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    cost_of_capital: float = Field(0.08, ge=0, le=1, description="annual rate for financing cost")
    assumed_margin_pct: float = Field(
        25.0,
        ge=-100,
        le=100,
        description="gross margin assumed when invoices carry no cost of goods",
    )
    default_payment_terms_days: int = Field(
        30, ge=0, le=365, description="payment terms for customers whose terms are unknown"
    )
    default_avoidable_pct: float = Field(
        100.0, ge=0, le=100, description="avoidable share of a pool whose avoidable_pct is empty"
    )
    sensitivity_pct: float = Field(
        20.0, gt=0, lt=100, description="each rate moved up and down by this % to test verdicts"
    )
    monte_carlo_runs: int = Field(
        500, ge=0, le=100_000, description="simulations with all rates varied together (0 = none)"
    )
    seed: int = Field(42, description="random seed of the Monte Carlo (same seed, same result)")
    price_cut_pct: float | None = Field(
        None, description="Shapiro matrix: pocket margin % cut point; empty = median of customers"
    )
    cts_cut_pct: float | None = Field(
        None, description="Shapiro matrix: cost-to-serve % cut point; empty = median of customers"
    )
    abc_a_pct: float = Field(80.0, gt=0, lt=100, description="ABC: class A up to this cumulative %")
    abc_b_pct: float = Field(95.0, gt=0, le=100, description="ABC: class B up to this cumulative %")
    big_revenue_top_pct: float = Field(
        20.0, gt=0, le=100, description="big customers: the top % of customers by net revenue"
    )
    big_flags: tuple[str, ...] = Field(
        ("VIP",), description="client_flag values that make a customer big (case-insensitive)"
    )
    low_profit_quantile_pct: float = Field(
        25.0, ge=0, le=100, description="big-but-unprofitable: profit at or below this quantile"
    )
    sinking_lines_n: int = Field(
        3, ge=1, le=6, description="cost lines named for each big-but-unprofitable customer"
    )
    top_customers_n: int = Field(
        5, ge=0, le=50, description="customers given their own waterfall in the report"
    )

    @model_validator(mode="after")
    def _abc_ordered(self) -> CostToServeSettings:
        if self.abc_b_pct <= self.abc_a_pct:
            raise ValueError(
                f"abc_b_pct ({self.abc_b_pct}) must be above abc_a_pct ({self.abc_a_pct})"
            )
        return self


DRIVERS: dict[str, str] = {
    "activity": "rows of activities with the pool's activity name (sum of quantity)",
    "hours": "hours of activities with the pool's activity name",
    "invoices": "distinct invoices (not credit notes)",
    "invoice_lines": "invoice lines (not credit lines)",
    "credit_notes": "distinct credit notes",
    "customers": "each active customer counts 1",
    "revenue": "net invoiced revenue",
}
"""Drivers a cost pool can be counted in, and what each counts."""

_DRIVER_ALIASES = {
    "activities": "activity",
    "count": "activity",
    "events": "activity",
    "quantity": "activity",
    "hour": "hours",
    "invoice": "invoices",
    "orders": "invoices",
    "lines": "invoice_lines",
    "invoice_line": "invoice_lines",
    "credit_note": "credit_notes",
    "credits": "credit_notes",
    "returns": "credit_notes",
    "customer": "customers",
    "sales": "revenue",
    "net_revenue": "revenue",
}

#: P&L lines a customer can be sunk by (for ``big_unprofitable``).
COST_LINES = ("discounts", "rebates", "cogs", "financing_cost")


# ------------------------------------------------------------------ helpers


def _col(df: pd.DataFrame | None, name: str, default=np.nan) -> pd.Series:
    """A column of ``df`` as a Series, or ``default`` everywhere when it is missing."""
    if df is None:
        return pd.Series(dtype=float)
    if name in df.columns:
        return df[name]
    return pd.Series(default, index=df.index)


def _num(s: pd.Series) -> np.ndarray:
    return pd.to_numeric(s, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _key(s: pd.Series) -> pd.Series:
    """Normalised activity names for matching pools with activities."""
    return s.astype("str").str.strip().str.lower()


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


# ------------------------------------------------------------------ customers


def customer_base(
    invoices: pd.DataFrame,
    customers: pd.DataFrame | None = None,
    activities: pd.DataFrame | None = None,
    rebates: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Every customer the audit knows: the master, then any id seen only in the ledger.

    Returns columns customer_id, name, industry, client_flag, payment_terms_days,
    in_master (bool).
    """
    cols = ["customer_id", "name", "industry", "client_flag", "payment_terms_days"]
    if customers is not None and len(customers):
        base = pd.DataFrame({c: _col(customers, c) for c in cols})
        base["customer_id"] = base["customer_id"].astype("str")
        base = base.drop_duplicates("customer_id")
    else:
        base = pd.DataFrame(
            {c: pd.Series(dtype="str" if c != "payment_terms_days" else float) for c in cols}
        )
    base["in_master"] = True
    seen = [invoices["customer_id"]]
    for t in (activities, rebates):
        if t is not None and "customer_id" in t.columns:
            seen.append(t["customer_id"])
    extra = pd.Index(pd.unique(pd.concat(seen, ignore_index=True).dropna().astype("str")))
    extra = extra.difference(pd.Index(base["customer_id"]), sort=False)
    if len(extra):
        add = pd.DataFrame({"customer_id": extra.astype("str"), "in_master": False})
        base = pd.concat([base, add], ignore_index=True)
    base["payment_terms_days"] = pd.to_numeric(base["payment_terms_days"], errors="coerce")
    for c in ("customer_id", "name", "industry", "client_flag"):
        base[c] = base[c].astype("str")
    return base.reset_index(drop=True)


# ------------------------------------------------------------------ drivers and rates


@dataclass(frozen=True)
class _Ledger:
    """Per-customer ledger figures computed once with category codes and bincount."""

    n_customers: int
    list_sales: np.ndarray
    discounts: np.ndarray
    invoice_net: np.ndarray
    cogs: np.ndarray
    cogs_assumed: np.ndarray
    invoices_n: np.ndarray
    lines_n: np.ndarray
    credit_notes_n: np.ndarray
    invoice_table: pd.DataFrame  # invoice_id, customer code, invoice_date, amount


def _ledger(invoices: pd.DataFrame, universe: pd.Index, assumed_margin_pct: float) -> _Ledger:
    n = len(universe)
    cust = _codes(invoices["customer_id"], universe)
    net = _num(invoices["net_amount"])
    net = np.nan_to_num(net)
    disc = _num(_col(invoices, "discount_amount"))
    lst = _num(_col(invoices, "list_amount"))
    # list = list_amount, else net + discount; discount = list − net (so list − discount = net)
    lst = np.where(np.isnan(lst), net + np.nan_to_num(disc), lst)
    disc_line = lst - net
    cost = _num(_col(invoices, "cost_amount"))
    assumed = np.isnan(cost)
    cost = np.where(assumed, net * (1 - assumed_margin_pct / 100.0), cost)
    credit_line = net < 0
    inv_codes, inv_ids = pd.factorize(invoices["invoice_id"].astype("str"))
    n_inv = len(inv_ids)
    inv_amount = np.bincount(inv_codes, weights=net, minlength=n_inv)
    # the first line of each invoice gives its customer and date
    first = np.full(n_inv, len(inv_codes), dtype=np.int64)
    np.minimum.at(first, inv_codes, np.arange(len(inv_codes)))
    inv_cust = cust[first]
    inv_date = invoices["invoice_date"].to_numpy()[first]
    is_credit = inv_amount < 0
    table = pd.DataFrame(
        {
            "invoice_id": inv_ids,
            "code": inv_cust,
            "invoice_date": pd.to_datetime(inv_date),
            "amount": inv_amount,
            "is_credit": is_credit,
        }
    )
    return _Ledger(
        n_customers=n,
        list_sales=_sum_by(cust, lst, n),
        discounts=_sum_by(cust, disc_line, n),
        invoice_net=_sum_by(cust, net, n),
        cogs=_sum_by(cust, cost, n),
        cogs_assumed=_sum_by(cust, assumed.astype(float), n) > 0,
        invoices_n=_sum_by(inv_cust, (~is_credit).astype(float), n),
        lines_n=_sum_by(cust, (~credit_line).astype(float), n),
        credit_notes_n=_sum_by(inv_cust, is_credit.astype(float), n),
        invoice_table=table,
    )


def _norm_driver(d: Any, activity_known: bool) -> tuple[str, str]:
    """(driver, status): a known driver name or the raw text with status unknown_driver."""
    if d is None or (isinstance(d, float) and math.isnan(d)) or str(d).strip() == "":
        return "activity", "default_driver"
    k = str(d).strip().lower().replace(" ", "_").replace("-", "_")
    k = _DRIVER_ALIASES.get(k, k)
    if k in DRIVERS:
        return k, "ok"
    return str(d), "unknown_driver"


def driver_volumes(
    cost_pools: pd.DataFrame,
    invoices: pd.DataFrame,
    activities: pd.DataFrame | None,
    universe: pd.Index,
    *,
    _ledger_cache: _Ledger | None = None,
) -> tuple[np.ndarray, pd.DataFrame]:
    """Driver volume of every pool for every customer.

    Returns
    -------
    volumes
        ``len(universe) × len(cost_pools)`` array (driver units per customer and pool).
    pools
        ``cost_pools`` with ``driver`` normalised and ``status``
        (``ok``, ``default_driver``, ``unknown_driver``, ``no_driver_volume``), plus
        ``driver_note`` saying how the volume was counted.
    """
    led = _ledger_cache or _ledger(invoices, universe, 0.0)
    n = len(universe)
    pools = cost_pools.reset_index(drop=True).copy()
    pools["activity"] = pools["activity"].astype("str")
    akey = None
    if activities is not None and len(activities):
        act_codes = _codes(activities["customer_id"], universe)
        akey, anames = pd.factorize(_key(activities["activity"]))
        anames = list(anames)
        aqty = np.nan_to_num(_num(_col(activities, "quantity", 1.0)), nan=1.0)
        ahours = np.nan_to_num(_num(_col(activities, "hours", 0.0)))
    volumes = np.zeros((n, len(pools)))
    drivers, statuses, notes = [], [], []
    active = (led.lines_n + led.credit_notes_n > 0) | (led.invoice_net != 0)
    for j, row in pools.iterrows():
        driver, status = _norm_driver(row.get("driver"), akey is not None)
        note = DRIVERS.get(driver, "")
        name = str(row["activity"]).strip().lower()
        if driver in ("activity", "hours"):
            if akey is None:
                v = np.zeros(n)
                note = "no activities table"
            else:
                m = akey == (anames.index(name) if name in anames else -2)
                w = aqty if driver == "activity" else ahours
                v = _sum_by(act_codes[m], w[m], n)
        elif driver == "invoices":
            v = led.invoices_n
        elif driver == "invoice_lines":
            v = led.lines_n
        elif driver == "credit_notes":
            v = led.credit_notes_n
        elif driver == "customers":
            v = active.astype(float)
        elif driver == "revenue":
            v = np.clip(led.invoice_net, 0, None)
        else:
            v = np.zeros(n)
        if status in ("ok", "default_driver") and v.sum() <= 0:
            status = "no_driver_volume"
        volumes[:, j] = v
        drivers.append(driver)
        statuses.append(status)
        notes.append(note)
    pools["driver"] = pd.Series(drivers, dtype="str")
    pools["status"] = pd.Series(statuses, dtype="str")
    pools["driver_note"] = pd.Series(notes, dtype="str")
    return volumes, pools


def compute_rates(pools: pd.DataFrame, volumes: np.ndarray, years: float) -> pd.DataFrame:
    """One rate per pool, and what it leaves unallocated.

    Method per pool, in this order:

    - ``fixed_rate``: the pool gives ``rate`` per driver unit; any ``annual_cost`` is the
      pool to reconcile against (the rest is unallocated, negative when over-absorbed);
    - ``capacity``: ``annual_cost × years ÷ (practical_capacity × years)``; the cost of
      unused capacity stays unallocated (reported, not loaded onto customers). When the
      volume exceeds capacity the rate falls back to pool ÷ volume (status ``over_capacity``);
    - ``volume``: ``annual_cost × years ÷ driver volume`` (the pool is fully absorbed).

    Parameters
    ----------
    pools
        Output of :func:`driver_volumes` (activity, driver, status, annual_cost, rate,
        practical_capacity, avoidable_pct).
    volumes
        Customers × pools driver volumes.
    years
        Length of the engagement period in years (``annual_cost`` is per year).

    Returns
    -------
    DataFrame
        activity, cost_column, driver, method, status, pool_cost, driver_volume,
        capacity, rate, allocated_cost, unallocated_cost, unused_capacity_cost,
        avoidable_pct.

    Examples
    --------
    A 1,000-a-year delivery pool over 2 years and 40 deliveries costs 50 a delivery.
    """
    rows = []
    used_cols: set[str] = set()
    for j, p in pools.iterrows():
        annual = _float(p.get("annual_cost"))
        fixed = _float(p.get("rate"))
        cap = _float(p.get("practical_capacity"))
        avoid = _float(p.get("avoidable_pct"))
        status = str(p.get("status", "ok"))
        vol = float(volumes[:, j].sum()) if volumes.size else 0.0
        pool_cost = round(annual * years, 2) if not math.isnan(annual) else math.nan
        capacity = cap * years if not math.isnan(cap) and cap > 0 else math.nan
        method = "volume"
        rate = math.nan
        if status == "unknown_driver":
            method = "none"
        elif not math.isnan(fixed):
            method, rate = "fixed_rate", fixed
        elif math.isnan(pool_cost):
            method, status = "none", "no_cost"
        elif not math.isnan(capacity):
            method = "capacity"
            if vol > capacity:
                rate, status = pool_cost / vol, "over_capacity"
            else:
                rate = pool_cost / capacity
        elif vol > 0:
            rate = pool_cost / vol
        allocated = 0.0 if math.isnan(rate) else rate * vol
        if method == "volume" and not math.isnan(rate):
            allocated = pool_cost  # exactly absorbed
        allocated = round(allocated, 2)
        if math.isnan(pool_cost):
            pool_cost = allocated  # a fixed rate without a pool: nothing to reconcile
        unallocated = round(pool_cost - allocated, 2)
        col = "cts_" + slug(p["activity"])
        if col in used_cols or col in ("cts_total", "cts_total_pct"):
            col = f"{col}_{j + 1}"
        used_cols.add(col)
        rows.append(
            {
                "activity": str(p["activity"]),
                "cost_column": col,
                "driver": str(p["driver"]),
                "method": method,
                "status": status,
                "pool_cost": pool_cost,
                "driver_volume": vol,
                "capacity": capacity,
                "rate": rate,
                "allocated_cost": allocated,
                "unallocated_cost": unallocated,
                "unused_capacity_cost": unallocated if method == "capacity" else 0.0,
                "avoidable_pct": avoid,
                "driver_note": str(p.get("driver_note", "")),
            }
        )
    out = pd.DataFrame(
        rows,
        columns=[
            "activity",
            "cost_column",
            "driver",
            "method",
            "status",
            "pool_cost",
            "driver_volume",
            "capacity",
            "rate",
            "allocated_cost",
            "unallocated_cost",
            "unused_capacity_cost",
            "avoidable_pct",
            "driver_note",
        ],
    )
    for c in ("activity", "cost_column", "driver", "method", "status", "driver_note"):
        out[c] = out[c].astype("str")
    return out


def period_years(start, end) -> float:
    """Length of a period in years, exact for whole years.

    Whole anniversaries count as full years (2024-01-01 … 2025-12-31 is 2.0, leap day
    or not); the rest adds days ÷ 365.25. ``annual_cost`` × this is the pool's cost.

    >>> period_years("2024-01-01", "2025-12-31"), period_years("2024-01-01", "2024-06-30")
    (2.0, 0.49828884325804246)
    """
    start = pd.Timestamp(start).normalize()
    after = pd.Timestamp(end).normalize() + pd.Timedelta(days=1)
    k = max(0, after.year - start.year)
    while k > 0 and start + pd.DateOffset(years=k) > after:
        k -= 1
    rest = (after - (start + pd.DateOffset(years=k))).days
    return k + rest / 365.25


def _float(x: Any) -> float:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return math.nan
    return v


def allocate(rates: pd.DataFrame, volumes: np.ndarray) -> np.ndarray:
    """Cost of each pool for each customer, in whole cents summing to ``allocated_cost``.

    Returns a customers × pools array of money (cents / 100). Each column sums to the
    pool's ``allocated_cost`` exactly; ``allocated_cost + unallocated_cost = pool_cost``.
    """
    out = np.zeros(volumes.shape)
    for j, r in rates.iterrows():
        rate = r["rate"]
        if math.isnan(rate):
            continue
        raw = volumes[:, j] * rate
        cents = _largest_remainder(raw, _cents(r["allocated_cost"]))
        out[:, j] = cents / 100.0
    return out


def unpooled_activities(
    activities: pd.DataFrame | None, pools: pd.DataFrame | None
) -> pd.DataFrame:
    """Activities in the data that no cost pool covers (reported, never dropped silently)."""
    cols = ["activity", "rows_n", "quantity", "hours", "customers_n"]
    if activities is None or not len(activities):
        return pd.DataFrame({c: pd.Series(dtype="str" if c == "activity" else float) for c in cols})
    names = set(_key(pools["activity"])) if pools is not None and len(pools) else set()
    a = pd.DataFrame(
        {
            "activity": activities["activity"].astype("str"),
            "key": _key(activities["activity"]),
            "quantity": np.nan_to_num(_num(_col(activities, "quantity", 1.0)), nan=1.0),
            "hours": np.nan_to_num(_num(_col(activities, "hours", 0.0))),
            "customer_id": activities["customer_id"],
        }
    )
    a = a[~a["key"].isin(names)]
    g = a.groupby("key", sort=True).agg(
        activity=("activity", "first"),
        rows_n=("activity", "size"),
        quantity=("quantity", "sum"),
        hours=("hours", "sum"),
        customers_n=("customer_id", "nunique"),
    )
    return g.reset_index(drop=True)[cols]


# ------------------------------------------------------------------ financing


def financing_cost(
    invoices: pd.DataFrame,
    customers: pd.DataFrame | None,
    payments: pd.DataFrame | None,
    period_end,
    cost_of_capital: float,
    default_terms_days: int = 30,
) -> pd.DataFrame:
    """Financing cost per invoice: amount × days outstanding × cost of capital ÷ 365.

    Days outstanding run from the invoice date to the paid date, or to the period end
    when the invoice is unpaid. Days beyond terms (after the due date, or invoice date +
    the customer's payment terms) and their cost are given separately. Without a
    payments table each invoice is assumed paid on its terms (``estimated`` = True).
    Credit notes carry no financing cost.

    Returns
    -------
    DataFrame
        invoice_id, customer_id, invoice_date, amount, due_date, paid_date,
        days_outstanding, days_beyond_terms, financing_cost, late_cost, estimated.

    Examples
    --------
    1,000 outstanding 73 days at 10 %: 1000 × 73 × 0.10 / 365 = 20.00.
    """
    universe = pd.Index(pd.unique(invoices["customer_id"].astype("str")))
    led = _ledger(invoices, universe, 0.0)
    return _financing(
        led, universe, customers, payments, period_end, cost_of_capital, default_terms_days
    )[0]


def _financing(
    led: _Ledger,
    universe: pd.Index,
    customers: pd.DataFrame | None,
    payments: pd.DataFrame | None,
    period_end,
    cost_of_capital: float,
    default_terms_days: int,
) -> tuple[pd.DataFrame, np.ndarray]:
    inv = led.invoice_table
    inv = inv[~inv["is_credit"] & (inv["amount"] > 0)].reset_index(drop=True)
    terms = np.full(len(universe), float(default_terms_days))
    if customers is not None and "payment_terms_days" in customers.columns:
        ct = pd.Series(
            _num(customers["payment_terms_days"]), index=customers["customer_id"].astype("str")
        )
        ct = ct[~ct.index.duplicated()]
        t = ct.reindex(universe).to_numpy(dtype=float)
        terms = np.where(np.isnan(t), terms, t)
    codes = inv["code"].to_numpy()
    inv_terms = np.where(codes >= 0, terms[np.clip(codes, 0, None)], float(default_terms_days))
    inv_date = inv["invoice_date"].to_numpy(dtype="datetime64[ns]")
    end = np.datetime64(pd.Timestamp(period_end), "ns")
    day = np.timedelta64(1, "D")
    terms_due = inv_date + (inv_terms * 86400e9).astype("timedelta64[ns]")
    if payments is not None and len(payments):
        # one factorize over both id columns: faster than an index lookup on text ids
        both = pd.concat(
            [inv["invoice_id"].astype("str"), payments["invoice_id"].astype("str")],
            ignore_index=True,
        )
        jc, uniq = pd.factorize(both)
        left, right = jc[: len(inv)], jc[len(inv) :]
        ok = right >= 0
        nat = np.iinfo(np.int64).min
        due_p = (
            pd.to_datetime(_col(payments, "due_date", pd.NaT))
            .to_numpy(dtype="datetime64[ns]")
            .view(np.int64)
        )
        paid_p = (
            pd.to_datetime(_col(payments, "paid_date", pd.NaT))
            .to_numpy(dtype="datetime64[ns]")
            .view(np.int64)
        )
        due_min = np.full(len(uniq), np.iinfo(np.int64).max)
        np.minimum.at(due_min, right[ok], np.where(due_p == nat, np.iinfo(np.int64).max, due_p)[ok])
        paid_max = np.full(len(uniq), nat)
        np.maximum.at(paid_max, right[ok], paid_p[ok])
        seen = np.zeros(len(uniq), dtype=bool)
        seen[right[ok]] = True
        due_min[due_min == np.iinfo(np.int64).max] = nat
        has = (left >= 0) & seen[np.clip(left, 0, None)]
        due = np.where(has, due_min[np.clip(left, 0, None)], nat).view("datetime64[ns]")
        paid = np.where(has, paid_max[np.clip(left, 0, None)], nat).view("datetime64[ns]")
        due = np.where(np.isnat(due), terms_due, due)
        settled = np.where(np.isnat(paid), end, paid)
        estimated = np.zeros(len(inv), dtype=bool)
    else:
        due = terms_due
        paid = np.full(len(inv), np.datetime64("NaT"), dtype="datetime64[ns]")
        settled = terms_due
        estimated = np.ones(len(inv), dtype=bool)
    days = np.clip((settled - inv_date) / day, 0, None)
    late = np.clip((settled - due) / day, 0, None)
    amount = inv["amount"].to_numpy()
    k = cost_of_capital / 365.0
    out = pd.DataFrame(
        {
            "invoice_id": inv["invoice_id"].astype("str"),
            "customer_id": pd.Series(universe.to_numpy()[np.clip(codes, 0, None)], dtype="str"),
            "invoice_date": inv["invoice_date"],
            "amount": amount,
            "due_date": pd.to_datetime(due),
            "paid_date": pd.to_datetime(paid),
            "days_outstanding": days,
            "days_beyond_terms": late,
            "financing_cost": amount * days * k,
            "late_cost": amount * late * k,
            "estimated": estimated,
        }
    )
    return out, codes


# ------------------------------------------------------------------ P&L


def customer_pnl(
    invoices: pd.DataFrame,
    *,
    customers: pd.DataFrame | None = None,
    rebates: pd.DataFrame | None = None,
    activities: pd.DataFrame | None = None,
    cost_pools: pd.DataFrame | None = None,
    payments: pd.DataFrame | None = None,
    period_end=None,
    years: float = 1.0,
    cost_of_capital: float = 0.08,
    assumed_margin_pct: float = 25.0,
    default_terms_days: int = 30,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, np.ndarray]:
    """The customer P&L, one row per customer, and what it was built from.

    list_sales − discounts − rebates = net_revenue; − cogs = gross_margin;
    − cts_<activity> (one per pool) = − cts_total; − financing_cost = net_profit.
    Percentages are of net revenue. ``cogs_assumed`` marks customers whose cost of
    goods (some or all of it) comes from ``assumed_margin_pct``.

    Returns
    -------
    pnl, rates, financing, volumes
        The P&L; the pool rates (:func:`compute_rates`); financing per invoice
        (:func:`financing_cost`); the customers × pools driver volumes.
    """
    base = customer_base(invoices, customers, activities, rebates)
    universe = pd.Index(base["customer_id"])
    n = len(universe)
    led = _ledger(invoices, universe, assumed_margin_pct)
    reb = np.zeros(n)
    if rebates is not None and len(rebates) and "amount" in rebates.columns:
        reb = _sum_by(_codes(rebates["customer_id"], universe), _num(rebates["amount"]), n)
    if period_end is None:
        period_end = pd.Timestamp(invoices["invoice_date"].max())
    fin, fin_codes = _financing(
        led, universe, customers, payments, period_end, cost_of_capital, default_terms_days
    )
    financing = _sum_by(fin_codes, fin["financing_cost"].to_numpy(), n)
    late = _sum_by(fin_codes, fin["late_cost"].to_numpy(), n)
    if cost_pools is not None and len(cost_pools):
        volumes, pools = driver_volumes(
            cost_pools, invoices, activities, universe, _ledger_cache=led
        )
        rates = compute_rates(pools, volumes, years)
        cts = allocate(rates, volumes)
    else:
        volumes = np.zeros((n, 0))
        rates = compute_rates(
            pd.DataFrame(columns=["activity", "driver", "status"]), volumes, years
        )
        cts = np.zeros((n, 0))
    pnl = base[["customer_id", "name", "industry", "client_flag"]].copy()
    net_revenue = led.list_sales - led.discounts - reb
    gross = net_revenue - led.cogs
    cts_total = cts.sum(axis=1) if cts.size else np.zeros(n)
    pnl["list_sales"] = led.list_sales
    pnl["discounts"] = led.discounts
    pnl["rebates"] = reb
    pnl["net_revenue"] = net_revenue
    pnl["cogs"] = led.cogs
    pnl["gross_margin"] = gross
    pnl["gross_margin_pct"] = _pct(gross, net_revenue)
    for j, col in enumerate(rates["cost_column"]):
        pnl[col] = cts[:, j]
    pnl["cts_total"] = np.round(cts_total, 2)
    pnl["cts_total_pct"] = _pct(cts_total, net_revenue)
    pnl["financing_cost"] = financing
    pnl["financing_late_cost"] = late
    pnl["net_profit"] = gross - pnl["cts_total"].to_numpy() - financing
    pnl["net_profit_pct"] = _pct(pnl["net_profit"], net_revenue)
    pnl["invoices_n"] = led.invoices_n.astype("int64")
    pnl["cogs_assumed"] = led.cogs_assumed
    pnl["in_master"] = base["in_master"].to_numpy()
    return pnl, rates, fin, volumes


# ------------------------------------------------------------------ whale curve, ABC, Shapiro


@dataclass(frozen=True)
class WhaleCurve:
    """Kaplan's whale curve: customers from most to least profitable.

    ``curve``: rank, customer_id, name, net_revenue, net_profit, cum_net_profit,
    cum_customers_pct, cum_profit_pct (of total net profit). ``deciles``: ten groups of
    customers in the same order. ``peak_pct``: the curve's peak as % of total profit;
    ``peak_customers_pct``: share of customers up to the peak; ``erosion``: peak − end.
    """

    curve: pd.DataFrame
    deciles: pd.DataFrame
    total_profit: float
    peak_profit: float
    peak_pct: float
    peak_customers_n: int
    peak_customers_pct: float
    erosion: float
    erosion_pct: float
    unprofitable_n: int
    unprofitable_pct: float

    def stats(self) -> dict[str, float]:
        return {
            k: getattr(self, k)
            for k in (
                "total_profit",
                "peak_profit",
                "peak_pct",
                "peak_customers_n",
                "peak_customers_pct",
                "erosion",
                "erosion_pct",
                "unprofitable_n",
                "unprofitable_pct",
            )
        }


def whale_curve(pnl: pd.DataFrame) -> WhaleCurve:
    """Rank customers by net profit and accumulate it.

    The curve starts at zero (rank 0) and ends at total net profit.

    >>> pnl = pd.DataFrame({"customer_id": list("abc"), "net_revenue": [9., 5., 3.],
    ...                     "net_profit": [6., -2., 1.]})
    >>> w = whale_curve(pnl)
    >>> w.peak_pct, w.erosion
    (140.0, 2.0)
    """
    d = pnl.sort_values(["net_profit", "customer_id"], ascending=[False, True], kind="stable")
    profit = d["net_profit"].to_numpy(dtype=float)
    n = len(d)
    cum = np.concatenate([[0.0], np.cumsum(profit)])
    total = float(cum[-1])
    peak_i = int(np.argmax(cum))
    peak = float(cum[peak_i])
    denom = total if total > 0 else math.nan
    curve = pd.DataFrame(
        {
            "rank": np.arange(0, n + 1),
            "customer_id": pd.Series([""] + list(d["customer_id"].astype("str")), dtype="str"),
            "name": pd.Series([""] + list(_col(d, "name", "").astype("str")), dtype="str"),
            "net_revenue": np.concatenate([[0.0], d["net_revenue"].to_numpy(dtype=float)]),
            "net_profit": np.concatenate([[0.0], profit]),
            "cum_net_profit": cum,
            "cum_customers_pct": np.arange(0, n + 1) / max(n, 1) * 100.0,
            "cum_profit_pct": cum / denom * 100.0,
        }
    )
    if n:
        dec = np.minimum((np.arange(n) * 10) // n, 9) + 1
        g = pd.DataFrame({"decile": dec, "rev": d["net_revenue"].to_numpy(float), "p": profit})
        deciles = (
            g.groupby("decile")
            .agg(customers_n=("p", "size"), net_revenue=("rev", "sum"), net_profit=("p", "sum"))
            .reset_index()
        )
        deciles["cum_net_profit"] = deciles["net_profit"].cumsum()
        deciles["cum_profit_pct"] = deciles["cum_net_profit"] / denom * 100.0
        deciles["net_profit_pct"] = _pct(deciles["net_profit"], deciles["net_revenue"])
    else:
        deciles = pd.DataFrame(
            columns=[
                "decile",
                "customers_n",
                "net_revenue",
                "net_profit",
                "cum_net_profit",
                "cum_profit_pct",
                "net_profit_pct",
            ]
        )
    unprof = int((profit < 0).sum())
    return WhaleCurve(
        curve=curve,
        deciles=deciles,
        total_profit=total,
        peak_profit=peak,
        peak_pct=peak / denom * 100.0,
        peak_customers_n=peak_i,
        peak_customers_pct=peak_i / max(n, 1) * 100.0,
        erosion=peak - total,
        erosion_pct=(peak - total) / peak * 100.0 if peak > 0 else math.nan,
        unprofitable_n=unprof,
        unprofitable_pct=unprof / max(n, 1) * 100.0,
    )


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
            "customer_id": pnl["customer_id"].astype("str").to_numpy(),
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
    hi_p = pm > pcut
    hi_c = cp > ccut
    q = np.where(
        hi_p,
        np.where(hi_c, "carriage_trade", "passive"),
        np.where(hi_c, "aggressive", "bargain_basement"),
    )
    quadrant = pd.Series(q, dtype="str").where(ok, pd.NA)
    table = pd.DataFrame(
        {
            "customer_id": pnl["customer_id"].astype("str").to_numpy(),
            "pocket_margin_pct": pm,
            "cts_pct": cp,
            "cost_quadrant": quadrant.to_numpy(),
        }
    )
    table["cost_quadrant"] = table["cost_quadrant"].astype("str")
    return table, pcut, ccut


# ------------------------------------------------------------------ verdicts


def avoidability(
    pnl: pd.DataFrame, rates: pd.DataFrame, default_avoidable_pct: float = 100.0
) -> pd.DataFrame:
    """What dropping each customer would really save, and what it would change.

    ``avoidable_cost`` = Σ cts_<pool> × avoidable_pct/100 + financing cost (capital is
    freed). ``profit_change_if_dropped`` = avoidable_cost − gross_margin: positive means
    the company would earn more without the customer; negative means the fixed costs it
    absorbs would stay and the company would lose by dropping it.
    """
    avoid = np.zeros(len(pnl))
    for _, r in rates.iterrows():
        pct = r["avoidable_pct"]
        pct = default_avoidable_pct if pct is None or math.isnan(pct) else pct
        avoid += pnl[r["cost_column"]].to_numpy(dtype=float) * pct / 100.0
    avoid += pnl["financing_cost"].to_numpy(dtype=float)
    return pd.DataFrame(
        {
            "customer_id": pnl["customer_id"].astype("str").to_numpy(),
            "avoidable_cost": avoid,
            "profit_change_if_dropped": avoid - pnl["gross_margin"].to_numpy(dtype=float),
        }
    )


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
    thin margin) show separately as ``margin_gap_pct`` in :func:`big_unprofitable`.

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
    out: dict[str, Any] = {"customer_id": pnl["customer_id"].astype("str").to_numpy()}
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
    net_profit_pct, pocket_margin_pct, margin_gap_pct (points below (−) or above the
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
    flag = (
        _col(pnl, "client_flag", "").astype("str").str.strip().str.lower().isin(wanted).to_numpy()
    )
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
    d["margin_gap_pct"] = pm[sel] - (np.nanmedian(pm[rev > 0]) if (rev > 0).any() else np.nan)
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


def sensitivity(
    pnl: pd.DataFrame,
    rates: pd.DataFrame,
    *,
    pct: float = 20.0,
    runs: int = 500,
    seed: int = 42,
    vary_financing: bool = True,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """How sure is each verdict: the rates moved one at a time, then all together.

    One at a time: each pool's rate (and the cost of capital) × (1 ± pct/100); for each
    move, how many customers turn unprofitable or profitable. Monte Carlo: ``runs``
    draws with every rate × uniform(1 − pct/100, 1 + pct/100), independently, seeded;
    ``prob_unprofitable`` is the share of draws in which the customer's net profit is
    below zero.

    Returns
    -------
    table
        parameter, cost_column, change_pct, total_net_profit, turn_unprofitable_n,
        turn_profitable_n, changing_sign_n.
    per_customer
        customer_id, prob_unprofitable, flips_n (one-at-a-time moves that change the
        customer's sign).
    """
    cols = list(rates["cost_column"])
    names = list(rates["activity"])
    if vary_financing:
        cols.append("financing_cost")
        names.append("cost_of_capital")
    gross = pnl["gross_margin"].to_numpy(dtype=float)
    C = (
        np.column_stack([pnl[c].to_numpy(dtype=float) for c in cols])
        if cols
        else np.zeros((len(pnl), 0))
    )
    base = gross - C.sum(axis=1)
    neg = base < 0
    rows = []
    flips = np.zeros(len(pnl), dtype=np.int64)
    s = pct / 100.0
    for j, (name, col) in enumerate(zip(names, cols, strict=True)):
        for sign in (-1, 1):
            p = base - C[:, j] * s * sign
            to_neg = (~neg) & (p < 0)
            to_pos = neg & (p >= 0)
            flips += to_neg | to_pos
            rows.append(
                {
                    "parameter": name,
                    "cost_column": col,
                    "change_pct": sign * pct,
                    "total_net_profit": float(p.sum()),
                    "turn_unprofitable_n": int(to_neg.sum()),
                    "turn_profitable_n": int(to_pos.sum()),
                    "changing_sign_n": int((to_neg | to_pos).sum()),
                }
            )
    table = pd.DataFrame(
        rows,
        columns=[
            "parameter",
            "cost_column",
            "change_pct",
            "total_net_profit",
            "turn_unprofitable_n",
            "turn_profitable_n",
            "changing_sign_n",
        ],
    )
    table["parameter"] = table["parameter"].astype("str")
    table["cost_column"] = table["cost_column"].astype("str")
    if runs > 0 and len(pnl):
        rng = np.random.default_rng(seed)
        F = rng.uniform(1 - s, 1 + s, size=(len(cols), runs))
        neg_count = np.zeros(len(pnl))
        chunk = max(1, 2_000_000 // max(len(pnl), 1))
        for a in range(0, runs, chunk):
            sim = gross[:, None] - C @ F[:, a : a + chunk]
            neg_count += (sim < 0).sum(axis=1)
        prob = neg_count / runs
    else:
        prob = neg.astype(float)
    per = pd.DataFrame(
        {
            "customer_id": pnl["customer_id"].astype("str").to_numpy(),
            "prob_unprofitable": prob,
            "flips_n": flips,
        }
    )
    return table, per


def findings(
    pnl: pd.DataFrame,
    whale: WhaleCurve,
    matrix: pd.DataFrame,
    big: pd.DataFrame,
    sens: pd.DataFrame,
    rates: pd.DataFrame,
    *,
    sensitivity_pct: float,
) -> list[dict[str, Any]]:
    """The verdicts as ``{"key": message key, "values": {...}}``, strongest first.

    Values ending in ``_pct`` are percentages, ``_amount`` money, ``_n`` counts; names
    are text. The deliverables translate them (``cost_to_serve.findings.<key>``).
    """
    out: list[dict[str, Any]] = []
    n = len(pnl)
    if not n:
        return out
    prof = pnl["net_profit"].to_numpy(dtype=float)
    gains = float(prof[prof > 0].sum())
    losses = float(-prof[prof < 0].sum())
    if whale.unprofitable_n:
        out.append(
            {
                "key": "destroyers" if gains > 0 else "destroyers_all",
                "values": {
                    "customers_pct": whale.unprofitable_pct,
                    "customers_n": whale.unprofitable_n,
                    "destroyed_pct": losses / gains * 100.0 if gains > 0 else math.nan,
                    "loss_amount": losses,
                },
            }
        )
    if whale.total_profit > 0:
        out.append(
            {
                "key": "whale_peak",
                "values": {
                    "customers_pct": whale.peak_customers_pct,
                    "peak_pct": whale.peak_pct,
                    "erosion_amount": whale.erosion,
                    "total_amount": whale.total_profit,
                },
            }
        )
    else:
        out.append({"key": "base_loses", "values": {"total_amount": whale.total_profit}})
    if len(big):
        losers = big[big["net_profit"] < 0]
        names = ", ".join(
            (
                r["name"]
                if isinstance(r["name"], str) and r["name"] not in ("", "nan", "<NA>")
                else r["customer_id"]
            )
            for _, r in big.head(5).iterrows()
        )
        out.append(
            {
                "key": "big_unprofitable",
                "values": {
                    "customers_n": len(big),
                    "losing_n": len(losers),
                    "names": names,
                    "loss_amount": float(-losers["net_profit"].sum()),
                },
            }
        )
    if "revenue_abc" in matrix.columns:
        a_row = matrix[matrix["revenue_abc"] == "A"]
        if len(a_row) and int(a_row["profit_C"].iloc[0]):
            out.append(
                {
                    "key": "abc_mismatch",
                    "values": {
                        "customers_n": int(a_row["profit_C"].iloc[0]),
                        "revenue_a_n": int(a_row["customers_n"].iloc[0]),
                    },
                }
            )
    rev = float(pnl["net_revenue"].sum())
    cts = float(pnl["cts_total"].sum())
    if len(rates) and rev > 0:
        top = rates.sort_values("allocated_cost", ascending=False).iloc[0]
        out.append(
            {
                "key": "cts_share",
                "values": {
                    "cts_pct": cts / rev * 100.0,
                    "cts_amount": cts,
                    "activity": str(top["activity"]),
                    "activity_pct": float(top["allocated_cost"]) / cts * 100.0 if cts else math.nan,
                },
            }
        )
    unused = float(rates["unused_capacity_cost"].sum()) if len(rates) else 0.0
    if unused > 0.005:
        out.append({"key": "unused_capacity", "values": {"unused_amount": unused}})
    if len(sens):
        worst = sens.sort_values("changing_sign_n", ascending=False).iloc[0]
        out.append(
            {
                "key": "sensitivity",
                "values": {
                    "change_pct": sensitivity_pct,
                    "max_flips_n": int(worst["changing_sign_n"]),
                    "parameter": str(worst["parameter"]),
                    "uncertain_n": int(
                        ((pnl["prob_unprofitable"] > 0.1) & (pnl["prob_unprofitable"] < 0.9)).sum()
                    )
                    if "prob_unprofitable" in pnl.columns
                    else 0,
                },
            }
        )
    if "profit_change_if_dropped" in pnl.columns:
        unprof = pnl[pnl["net_profit"] < 0]
        keep = unprof[unprof["profit_change_if_dropped"] < 0]
        if len(unprof):
            out.append(
                {
                    "key": "avoidability",
                    "values": {
                        "unprofitable_n": len(unprof),
                        "customers_n": len(keep),
                        "saving_amount": float(
                            unprof["profit_change_if_dropped"].clip(lower=0).sum()
                        ),
                    },
                }
            )
    return out


# ------------------------------------------------------------------ orchestration


@dataclass(frozen=True)
class CostToServeResult:
    """Everything stage 2 computes (``write_results`` puts it in the workspace).

    ``notes`` lists what was skipped, estimated or assumed, as message keys with values,
    like ``findings``; ``reconciliation`` proves the P&L against the ledger and pools.
    """

    pnl: pd.DataFrame
    rates: pd.DataFrame
    unpooled: pd.DataFrame
    financing: pd.DataFrame
    whale: WhaleCurve
    segments: pd.DataFrame
    abc_matrix: pd.DataFrame
    quadrants: pd.DataFrame
    cut_points: dict[str, float]
    big_unprofitable: pd.DataFrame
    sensitivity: pd.DataFrame
    reconciliation: pd.DataFrame
    findings: list[dict[str, Any]]
    notes: list[dict[str, Any]]
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def totals(self) -> dict[str, float]:
        p = self.pnl
        keys = [
            "list_sales",
            "discounts",
            "rebates",
            "net_revenue",
            "cogs",
            "gross_margin",
            "cts_total",
            "financing_cost",
            "net_profit",
        ]
        return {k: float(p[k].sum()) for k in keys}

    @property
    def cost_columns(self) -> list[str]:
        """The ``cts_<activity>`` columns of the P&L, one per pool."""
        return list(self.rates["cost_column"])

    @property
    def worst_big_customer(self) -> str | None:
        """The big-but-unprofitable customer with the lowest profit (None if there is none)."""
        b = self.big_unprofitable
        return None if b.empty else str(b["customer_id"].iloc[0])

    @property
    def reconciles(self) -> bool:
        return bool((self.reconciliation["difference"].abs() < 0.005).all())


def reconcile(
    pnl: pd.DataFrame,
    rates: pd.DataFrame,
    invoices: pd.DataFrame,
    rebates: pd.DataFrame | None,
    financing: pd.DataFrame,
) -> pd.DataFrame:
    """The P&L summed over customers against the ledger and the pools.

    Columns item, ledger, pnl, difference (expected 0.00 for every row). Pool rows
    compare ``pool_cost`` with allocated (summed over customers) + unallocated.
    """
    rows = []

    def add(item, ledger, total):
        rows.append(
            {
                "item": item,
                "ledger": round(ledger, 2),
                "pnl": round(total, 2),
                "difference": round(total - ledger, 2),
            }
        )

    net = np.nan_to_num(_num(invoices["net_amount"]))
    add("net_invoiced", float(net.sum()), float((pnl["list_sales"] - pnl["discounts"]).sum()))
    if rebates is not None and "amount" in rebates.columns:
        add("rebates", float(np.nansum(_num(rebates["amount"]))), float(pnl["rebates"].sum()))
    if "cost_amount" in invoices.columns:
        cost = _num(invoices["cost_amount"])
        known = ~np.isnan(cost)
        if known.all():
            add("cogs", float(cost.sum()), float(pnl["cogs"].sum()))
    add(
        "financing_cost",
        float(financing["financing_cost"].sum()),
        float(pnl["financing_cost"].sum()),
    )
    for _, r in rates.iterrows():
        allocated = float(pnl[r["cost_column"]].sum())
        add(
            f"pool:{r['activity']}", float(r["pool_cost"]), allocated + float(r["unallocated_cost"])
        )
    out = pd.DataFrame(rows, columns=["item", "ledger", "pnl", "difference"])
    out["item"] = out["item"].astype("str")
    return out


def run_cost_to_serve(tables: dict[str, pd.DataFrame | None], engagement) -> CostToServeResult:
    """Run stage 2 on canonical tables.

    Parameters
    ----------
    tables
        Canonical tables by name (``invoices`` required; ``customers``, ``rebates``,
        ``activities``, ``cost_pools``, ``payments`` optional, missing or None).
    engagement
        The :class:`~kamaudit.config.Engagement` (period, ``cost_to_serve`` settings).
        Anything with ``period.years``, ``period.end`` and ``cost_to_serve`` works.
    """
    s: CostToServeSettings = engagement.cost_to_serve
    period = engagement.period
    inv = tables.get("invoices")
    if inv is None:
        from .errors import InputError

        raise InputError("Cost-to-serve needs the invoices table: run intake first.")
    get = tables.get
    notes: list[dict[str, Any]] = []
    pools = get("cost_pools")
    acts = get("activities")
    if pools is None or not len(pools):
        notes.append({"key": "no_cost_pools", "values": {}})
    if acts is None or not len(acts):
        notes.append({"key": "no_activities", "values": {}})
    if get("payments") is None or not len(get("payments")):
        notes.append(
            {"key": "financing_estimated", "values": {"terms_n": s.default_payment_terms_days}}
        )
    if get("rebates") is None:
        notes.append({"key": "no_rebates", "values": {}})
    pnl, rates, fin, _ = customer_pnl(
        inv,
        customers=get("customers"),
        rebates=get("rebates"),
        activities=acts,
        cost_pools=pools,
        payments=get("payments"),
        period_end=pd.Timestamp(period.end),
        years=period_years(period.start, period.end),
        cost_of_capital=s.cost_of_capital,
        assumed_margin_pct=s.assumed_margin_pct,
        default_terms_days=s.default_payment_terms_days,
    )
    if pnl["cogs_assumed"].any():
        notes.append(
            {
                "key": "cogs_assumed",
                "values": {
                    "margin_pct": s.assumed_margin_pct,
                    "customers_n": int(pnl["cogs_assumed"].sum()),
                },
            }
        )
    bad = rates[~rates["status"].isin(["ok", "default_driver", "over_capacity"])]
    for _, r in bad.iterrows():
        notes.append(
            {
                "key": f"pool_{r['status']}",
                "values": {
                    "activity": r["activity"],
                    "driver": r["driver"],
                    "pool_amount": float(r["pool_cost"]),
                },
            }
        )
    unpooled = unpooled_activities(acts, pools)
    for _, r in unpooled.iterrows():
        notes.append(
            {
                "key": "activity_without_pool",
                "values": {"activity": r["activity"], "rows_n": int(r["rows_n"])},
            }
        )

    seg = abc(pnl, s.abc_a_pct, s.abc_b_pct)
    quad, pcut, ccut = shapiro_matrix(pnl, s.price_cut_pct, s.cts_cut_pct)
    av = avoidability(pnl, rates, s.default_avoidable_pct)
    sens, per = sensitivity(pnl, rates, pct=s.sensitivity_pct, runs=s.monte_carlo_runs, seed=s.seed)
    pnl = pnl.assign(
        revenue_rank=seg["revenue_rank"].to_numpy(),
        profit_rank=seg["profit_rank"].to_numpy(),
        revenue_abc=seg["revenue_abc"].to_numpy(),
        profit_abc=seg["profit_abc"].to_numpy(),
        pocket_margin_pct=quad["pocket_margin_pct"].to_numpy(),
        cost_to_serve_pct=quad["cts_pct"].to_numpy(),
        cost_quadrant=quad["cost_quadrant"].to_numpy(),
        prob_unprofitable=per["prob_unprofitable"].to_numpy(),
        verdict_flips_n=per["flips_n"].to_numpy(),
        avoidable_cost=av["avoidable_cost"].to_numpy(),
        profit_change_if_dropped=av["profit_change_if_dropped"].to_numpy(),
    )
    big = big_unprofitable(
        pnl,
        rates,
        top_pct=s.big_revenue_top_pct,
        flags=s.big_flags,
        low_quantile_pct=s.low_profit_quantile_pct,
        lines_n=s.sinking_lines_n,
    )
    pnl["is_big_unprofitable"] = pnl["customer_id"].isin(big["customer_id"]).to_numpy()
    sink = sinking_lines(pnl, rates, s.sinking_lines_n)
    pnl["sinking_lines"] = sink["sinking_lines"].to_numpy()
    pnl["unusual_lines"] = sink["unusual_lines"].to_numpy()
    pnl["cogs_assumed"] = pnl.pop("cogs_assumed")
    pnl = pnl.sort_values(["revenue_rank"], kind="stable").reset_index(drop=True)
    for c in ("revenue_abc", "profit_abc", "cost_quadrant", "sinking_lines", "unusual_lines"):
        pnl[c] = pnl[c].astype("str")
    whale = whale_curve(pnl)
    matrix = abc_matrix(seg)
    quadrants = quadrant_summary(pnl)
    recon = reconcile(pnl, rates, inv, get("rebates"), fin)
    found = findings(pnl, whale, matrix, big, sens, rates, sensitivity_pct=s.sensitivity_pct)
    return CostToServeResult(
        pnl=pnl,
        rates=rates,
        unpooled=unpooled,
        financing=fin,
        whale=whale,
        segments=seg,
        abc_matrix=matrix,
        quadrants=quadrants,
        cut_points={"price_cut_pct": pcut, "cts_cut_pct": ccut},
        big_unprofitable=big,
        sensitivity=sens,
        reconciliation=recon,
        findings=found,
        notes=notes,
        settings=s.model_dump(mode="json"),
    )


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


# ------------------------------------------------------------------ workspace I/O (thin)

INPUT_TABLES = ("customers", "invoices", "rebates", "activities", "cost_pools", "payments")

#: Canonical ``customer_pnl`` columns first (docs/architecture.md), extras after.
PNL_FIRST = [
    "customer_id",
    "name",
    "industry",
    "client_flag",
    "list_sales",
    "discounts",
    "rebates",
    "net_revenue",
    "cogs",
    "gross_margin",
    "gross_margin_pct",
]
PNL_LAST = [
    "cts_total",
    "cts_total_pct",
    "financing_cost",
    "financing_late_cost",
    "net_profit",
    "net_profit_pct",
    "revenue_rank",
    "profit_rank",
    "revenue_abc",
    "profit_abc",
    "pocket_margin_pct",
    "cost_to_serve_pct",
    "cost_quadrant",
    "prob_unprofitable",
    "verdict_flips_n",
    "avoidable_cost",
    "profit_change_if_dropped",
    "is_big_unprofitable",
    "sinking_lines",
    "unusual_lines",
    "invoices_n",
    "in_master",
    "cogs_assumed",
]


def read_inputs(workspace) -> dict[str, pd.DataFrame | None]:
    """The canonical tables stage 2 uses, from the workspace intake wrote (None if absent)."""
    return {
        name: workspace.read_table(name, required=(name == "invoices")) for name in INPUT_TABLES
    }


def write_results(result: CostToServeResult, workspace) -> list[str]:
    """Write stage 2's results to the workspace; returns the names written.

    Tables: ``customer_pnl``, ``cts_rates``, ``cts_unpooled``, ``cts_financing``,
    ``cts_whale``, ``cts_deciles``, ``cts_segments``, ``cts_abc``, ``cts_quadrants``,
    ``cts_big_unprofitable``, ``cts_sensitivity``, ``cts_reconciliation``;
    JSON ``cts_findings`` (findings, notes, whale figures, cut points, totals, settings).
    """
    pnl = result.pnl
    cts_cols = [c for c in result.rates["cost_column"] if c in pnl.columns]
    order = PNL_FIRST + cts_cols + PNL_LAST
    order += [c for c in pnl.columns if c not in order]
    tables = {
        "customer_pnl": pnl[[c for c in order if c in pnl.columns]],
        "cts_rates": result.rates,
        "cts_unpooled": result.unpooled,
        "cts_financing": result.financing,
        "cts_whale": result.whale.curve,
        "cts_deciles": result.whale.deciles,
        "cts_segments": result.segments,
        "cts_abc": result.abc_matrix,
        "cts_quadrants": result.quadrants,
        "cts_big_unprofitable": result.big_unprofitable,
        "cts_sensitivity": result.sensitivity,
        "cts_reconciliation": result.reconciliation,
    }
    for name, df in tables.items():
        workspace.write_table(name, df)
    workspace.write_json(
        "cts_findings",
        _json_safe(
            {
                "findings": result.findings,
                "notes": result.notes,
                "whale": result.whale.stats(),
                "cut_points": result.cut_points,
                "totals": result.totals,
                "reconciles": result.reconciles,
                "settings": result.settings,
            }
        ),
    )
    return [*tables, "cts_findings"]


def _json_safe(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _json_safe(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_json_safe(v) for v in obj]
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        return None if math.isnan(float(obj)) else float(obj)
    if isinstance(obj, (np.bool_,)):
        return bool(obj)
    return obj
