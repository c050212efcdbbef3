"""Benchmark: stage 2 (cost-to-serve) on a 1M-line ledger with 5,000 customers.

Compares ``kamaudit.cost_to_serve`` against a plain, hand-written pandas script that
computes the same customer P&L (list sales → discounts → rebates → net revenue → COGS →
activity costs → financing → net profit), and checks both agree to the cent.

Run by hand (prints medians, never asserts a time)::

    /work/venv/bin/python benchmarks/bench_cost_to_serve.py [--lines 1000000] [--customers 5000] [--repeat 3]

Goal: the stage's P&L within 2× of the plain script. The full stage also computes the
whale curve, ABC, Shapiro, big-but-unprofitable, one-at-a-time sensitivity and a
500-run Monte Carlo, the action scenarios and the robustness labels; its time is shown
separately, and so are the scenarios and robustness alone. The P&L is timed twice: with
the drivers as keywords, and written in the client's words ("deliveries", "calls",
"support hours", ...), which the stage resolves against the activities table.
"""

from __future__ import annotations

import argparse
import statistics
import time
from types import SimpleNamespace

import numpy as np
import pandas as pd

from kamaudit.cost_to_serve import CostToServeSettings, customer_pnl, run
from kamaudit.cost_to_serve.robustness import robustness
from kamaudit.cost_to_serve.scenarios import scenarios

START, END = pd.Timestamp("2024-01-01"), pd.Timestamp("2025-12-31")
YEARS = 2.0
COC = 0.08
POOLS = [
    # activity, annual_cost, driver
    ("order", 900_000.0, "invoices"),
    ("delivery", 2_400_000.0, "activity"),
    ("rush_order", 600_000.0, "activity"),
    ("sales_visit", 1_800_000.0, "activity"),
    ("call", 400_000.0, "activity"),
    ("complaint", 200_000.0, "activity"),
    ("return", 700_000.0, "credit_notes"),
    ("tech_support", 650_000.0, "hours"),
]


def make_ledger(n_lines: int, n_customers: int, seed: int = 1) -> dict[str, pd.DataFrame]:
    """A synthetic company: invoices, customers, rebates, activities, pools, payments."""
    rng = np.random.default_rng(seed)
    ids = np.array([f"C{i:05d}" for i in range(n_customers)])
    weight = rng.pareto(1.2, n_customers) + 0.05
    weight /= weight.sum()
    n_inv = n_lines // 4
    inv_cust = rng.choice(n_customers, size=n_inv, p=weight)
    inv_day = rng.integers(0, (END - START).days + 1, size=n_inv)
    inv_credit = rng.random(n_inv) < 0.03
    line_inv = np.sort(rng.integers(0, n_inv, size=n_lines))
    qty = rng.integers(1, 50, size=n_lines).astype(float)
    price = np.round(rng.lognormal(3, 1, size=n_lines), 2)
    lst = np.round(qty * price, 2)
    disc = np.round(lst * rng.uniform(0, 0.3, size=n_lines), 2)
    net = np.round(lst - disc, 2)
    cost = np.round(net * rng.uniform(0.55, 0.9, size=n_lines), 2)
    sign = np.where(inv_credit[line_inv], -1.0, 1.0)
    inv_ids = np.array([f"INV-{i:07d}" for i in range(n_inv)])
    invoices = pd.DataFrame(
        {
            "invoice_id": pd.array(inv_ids[line_inv], dtype="str"),
            "invoice_date": START + pd.to_timedelta(inv_day[line_inv], unit="D"),
            "customer_id": pd.array(ids[inv_cust[line_inv]], dtype="str"),
            "net_amount": net * sign,
            "list_amount": lst * sign,
            "discount_amount": disc * sign,
            "cost_amount": cost * sign,
        }
    )
    invoices["is_credit"] = invoices["net_amount"] < 0
    customers = pd.DataFrame(
        {
            "customer_id": pd.array(ids, dtype="str"),
            "name": pd.array([f"Customer {i}" for i in range(n_customers)], dtype="str"),
            "industry": pd.array(
                rng.choice(["retail", "automotive", "construction"], n_customers), dtype="str"
            ),
            "client_flag": pd.array(
                np.where(rng.random(n_customers) < 0.02, "VIP", ""), dtype="str"
            ),
            "payment_terms_days": rng.choice([14.0, 30.0, 45.0, 60.0], n_customers),
        }
    )
    n_act = n_lines // 5
    act_names = np.array([p[0] for p in POOLS if p[2] in ("activity", "hours")])
    act = pd.DataFrame(
        {
            "customer_id": pd.array(
                ids[rng.choice(n_customers, size=n_act, p=weight)], dtype="str"
            ),
            "activity_date": START + pd.to_timedelta(rng.integers(0, 730, n_act), unit="D"),
            "activity": pd.array(rng.choice(act_names, n_act), dtype="str"),
            "quantity": rng.integers(1, 3, n_act).astype(float),
            "hours": np.round(rng.uniform(0.1, 3, n_act), 2),
        }
    )
    pools = pd.DataFrame(POOLS, columns=["activity", "annual_cost", "driver"])
    pools["activity"] = pools["activity"].astype("str")
    pools["driver"] = pools["driver"].astype("str")
    regular = np.flatnonzero(~inv_credit)
    paid = rng.random(len(regular)) < 0.97
    due_day = inv_day[regular] + 30
    pay_day = due_day + rng.integers(-10, 60, len(regular))
    payments = pd.DataFrame(
        {
            "invoice_id": pd.array(inv_ids[regular], dtype="str"),
            "due_date": START + pd.to_timedelta(due_day, unit="D"),
            "paid_date": (START + pd.to_timedelta(pay_day, unit="D")).where(paid),
        }
    )
    rebates = pd.DataFrame(
        {
            "customer_id": pd.array(ids[: n_customers // 3], dtype="str"),
            "amount": np.round(rng.uniform(100, 5000, n_customers // 3), 2),
            "kind": pd.array(["volume_bonus"] * (n_customers // 3), dtype="str"),
        }
    )
    return {
        "invoices": invoices,
        "customers": customers,
        "activities": act,
        "cost_pools": pools,
        "payments": payments,
        "rebates": rebates,
    }


CLIENT_WORDS = {
    "order": "orders",
    "delivery": "Deliveries",
    "rush_order": "rush orders",
    "sales_visit": "sales visits",
    "call": "calls",
    "complaint": "complaints",
    "return": "returns",
    "tech_support": "support hours",
}
"""The same drivers as a client writes them (resolved to the same volumes)."""


def plain_pandas(t: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The same P&L as a consultant would write it in a notebook: groupby, merge, divide."""
    inv, cust, act, pools, pay, reb = (
        t[k] for k in ("invoices", "customers", "activities", "cost_pools", "payments", "rebates")
    )
    p = inv.groupby("customer_id").agg(
        list_sales=("list_amount", "sum"),
        discounts=("discount_amount", "sum"),
        net_invoiced=("net_amount", "sum"),
        cogs=("cost_amount", "sum"),
    )
    p = (
        cust.set_index("customer_id")[["name"]]
        .join(p, how="outer")
        .fillna({"list_sales": 0.0, "discounts": 0.0, "net_invoiced": 0.0, "cogs": 0.0})
    )
    p["rebates"] = reb.groupby("customer_id")["amount"].sum().reindex(p.index, fill_value=0.0)
    p["net_revenue"] = p["list_sales"] - p["discounts"] - p["rebates"]
    p["gross_margin"] = p["net_revenue"] - p["cogs"]
    per_inv = inv.groupby("invoice_id").agg(
        customer_id=("customer_id", "first"),
        invoice_date=("invoice_date", "first"),
        amount=("net_amount", "sum"),
    )
    regular = per_inv[per_inv["amount"] >= 0]
    credit = per_inv[per_inv["amount"] < 0]
    drivers = {
        "invoices": regular.groupby("customer_id").size(),
        "credit_notes": credit.groupby("customer_id").size(),
    }
    by_act = act.groupby(["customer_id", "activity"]).agg(q=("quantity", "sum"), h=("hours", "sum"))
    cts_total = pd.Series(0.0, index=p.index)
    for _, pool in pools.iterrows():
        if pool["driver"] in drivers:
            vol = drivers[pool["driver"]]
        else:
            sub = by_act.xs(pool["activity"], level="activity")
            vol = sub["q"] if pool["driver"] == "activity" else sub["h"]
        vol = vol.reindex(p.index, fill_value=0.0)
        cost = vol * (pool["annual_cost"] * YEARS / vol.sum())
        p["cts_" + pool["activity"]] = cost
        cts_total += cost
    p["cts_total"] = cts_total
    f = regular[regular["amount"] > 0].join(pay.set_index("invoice_id"), how="left")
    settled = f["paid_date"].fillna(END)
    days = (settled - f["invoice_date"]).dt.days.clip(lower=0)
    f["financing_cost"] = f["amount"] * days * COC / 365
    p["financing_cost"] = (
        f.groupby("customer_id")["financing_cost"].sum().reindex(p.index, fill_value=0.0)
    )
    p["net_profit"] = p["gross_margin"] - p["cts_total"] - p["financing_cost"]
    return p.reset_index()


def _median_time(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--customers", type=int, default=5_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    t0 = time.perf_counter()
    tables = make_ledger(args.lines, args.customers)
    print(
        f"ledger: {len(tables['invoices']):,} lines, {tables['invoices']['invoice_id'].nunique():,} invoices, "
        f"{args.customers:,} customers, {len(tables['activities']):,} activities "
        f"(generated in {time.perf_counter() - t0:.1f} s)"
    )
    period = SimpleNamespace(start=START.date(), end=END.date())
    settings = CostToServeSettings(cost_of_capital=COC)

    worded = tables["cost_pools"].assign(
        driver=tables["cost_pools"]["activity"].map(CLIENT_WORDS).astype("str")
    )

    def stage_pnl(pools=tables["cost_pools"], full=False):
        out = customer_pnl(
            tables["invoices"],
            customers=tables["customers"],
            rebates=tables["rebates"],
            activities=tables["activities"],
            cost_pools=pools,
            payments=tables["payments"],
            period_end=END,
            years=YEARS,
            cost_of_capital=COC,
        )
        return out if full else out[0]

    plain_t, plain = _median_time(lambda: plain_pandas(tables), args.repeat)
    pnl_t, pnl = _median_time(stage_pnl, args.repeat)
    words_t, worded_pnl = _median_time(lambda: stage_pnl(worded), args.repeat)
    full_t, result = _median_time(lambda: run(tables, settings, period), args.repeat)
    p0, rates, _, volumes = stage_pnl(full=True)
    p0 = p0.assign(net_profit_pct=p0["net_profit"] / p0["net_revenue"] * 100)
    sc_t, _ = _median_time(
        lambda: scenarios(p0, rates, volumes, tables["invoices"], tables["activities"]),
        args.repeat,
    )
    prob = (p0["net_profit"] < 0).to_numpy(dtype=float)
    rob_t, _ = _median_time(lambda: robustness(p0, rates, prob, tables["activities"]), args.repeat)

    a = plain.set_index("customer_id").sort_index()
    b = pnl.set_index("customer_id").sort_index()
    worst = float((a["net_profit"] - b["net_profit"]).abs().max())
    print(f"plain pandas P&L            {plain_t:7.3f} s  (median of {args.repeat})")
    print(f"kamaudit customer_pnl       {pnl_t:7.3f} s  ({pnl_t / plain_t:.2f}× plain)")
    same = np.allclose(worded_pnl["net_profit"], pnl["net_profit"], atol=1e-9)
    print(
        f"  drivers in client words   {words_t:7.3f} s  ({words_t / plain_t:.2f}× plain; "
        f"same P&L: {same})"
    )
    print(f"  scenarios                 {sc_t:7.3f} s")
    print(f"  robustness (no MC)        {rob_t:7.3f} s")
    print(
        f"kamaudit cost_to_serve.run  {full_t:7.3f} s  ({full_t / plain_t:.2f}× plain; whole stage incl. "
        f"sensitivity + {settings.monte_carlo_runs}-run Monte Carlo)"
    )
    print(f"largest net-profit difference vs plain: {worst:.4f} (cents rounding of the allocation)")
    print(f"reconciles to the ledger and pools: {result.reconciles}")


if __name__ == "__main__":
    main()
