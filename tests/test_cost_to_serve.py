"""Tests for stage 2, cost-to-serve: hand-checkable examples, properties, the sample."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from kamaudit import Workspace, contract
from kamaudit.config import Engagement
from kamaudit.cost_to_serve import (
    CostToServeSettings,
    abc,
    allocate,
    big_unprofitable,
    compute_rates,
    driver_volumes,
    financing_cost,
    read_inputs,
    run_cost_to_serve,
    sensitivity,
    shapiro_matrix,
    whale_curve,
    write_results,
)

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "sample"


# ------------------------------------------------------------------ fixtures


def engagement(**cts) -> Engagement:
    return Engagement.model_validate(
        {
            "client": "Test s.r.o.",
            "period": {"start": "2024-01-01", "end": "2024-12-31"},
            "inputs": {"invoices": "invoices.csv"},
            "cost_to_serve": cts,
        }
    )


def _str(df: pd.DataFrame, *cols: str) -> pd.DataFrame:
    for c in cols:
        df[c] = df[c].astype("str")
    return df


@pytest.fixture
def small():
    """Three customers a reader can follow by hand.

    A: two invoices (150 list 160, cost 90), 3 deliveries; VIP.
    B: one invoice 200 (list 250), 1 delivery.
    C: one invoice 300, one visit of 2 hours, a 20 credit note.
    """
    invoices = _str(
        pd.DataFrame(
            {
                "invoice_id": ["1", "1", "2", "3", "4", "5"],
                "invoice_date": pd.to_datetime(
                    [
                        "2024-01-10",
                        "2024-01-10",
                        "2024-02-01",
                        "2024-03-01",
                        "2024-03-05",
                        "2024-06-01",
                    ]
                ),
                "customer_id": ["A", "A", "B", "C", "C", "A"],
                "net_amount": [100.0, 50.0, 200.0, 300.0, -20.0, 10.0],
                "list_amount": [110.0, 50.0, 250.0, 300.0, -20.0, 10.0],
                "cost_amount": [60.0, 30.0, 150.0, 100.0, -12.0, 6.0],
            }
        ),
        "invoice_id",
        "customer_id",
    )
    customers = _str(
        pd.DataFrame(
            {
                "customer_id": ["A", "B", "C"],
                "name": ["Alpha", "Beta", "Gamma"],
                "client_flag": ["VIP", None, None],
                "payment_terms_days": [30.0, 60.0, np.nan],
            }
        ),
        "customer_id",
        "name",
        "client_flag",
    )
    activities = _str(
        pd.DataFrame(
            {
                "customer_id": ["A", "A", "B", "C", "C"],
                "activity_date": pd.to_datetime(["2024-01-10"] * 5),
                "activity": ["delivery", "delivery", "delivery", "visit", "complaint"],
                "quantity": [1.0, 2.0, 1.0, 1.0, 1.0],
                "hours": [0.0, 0.0, 0.0, 2.0, 1.0],
            }
        ),
        "customer_id",
        "activity",
    )
    pools = _str(
        pd.DataFrame(
            {
                "activity": ["delivery", "visit", "order"],
                "annual_cost": [100.0, 50.0, np.nan],
                "driver": ["activity", "hours", "invoices"],
                "rate": [np.nan, np.nan, 5.0],
                "practical_capacity": [np.nan, 4.0, np.nan],
                "avoidable_pct": [50.0, np.nan, 100.0],
            }
        ),
        "activity",
        "driver",
    )
    return {
        "invoices": invoices,
        "customers": customers,
        "activities": activities,
        "cost_pools": pools,
    }


# ------------------------------------------------------------------ rates and allocation


def test_volume_rate_by_hand():
    pools = pd.DataFrame(
        {
            "activity": ["delivery"],
            "driver": ["activity"],
            "annual_cost": [1000.0],
            "status": ["ok"],
        }
    )
    volumes = np.array([[10.0], [30.0]])
    rates = compute_rates(pools, volumes, years=2.0)
    r = rates.iloc[0]
    assert r["method"] == "volume"
    assert r["pool_cost"] == 2000.0  # 1000 a year, two years
    assert r["rate"] == 50.0  # 2000 / 40 deliveries
    assert r["allocated_cost"] == 2000.0 and r["unallocated_cost"] == 0.0
    assert allocate(rates, volumes)[:, 0].tolist() == [500.0, 1500.0]


def test_capacity_rate_reports_unused_capacity():
    pools = pd.DataFrame(
        {
            "activity": ["visit"],
            "driver": ["hours"],
            "annual_cost": [1200.0],
            "practical_capacity": [100.0],
            "status": ["ok"],
        }
    )
    rates = compute_rates(pools, np.array([[30.0], [30.0]]), years=1.0)
    r = rates.iloc[0]
    assert r["method"] == "capacity" and r["rate"] == 12.0
    assert r["allocated_cost"] == 720.0
    assert r["unused_capacity_cost"] == 480.0 == r["unallocated_cost"]


def test_fixed_rate_and_pool_without_volume_are_reported(small):
    universe = pd.Index(["A", "B", "C"])
    pools = pd.concat(
        [
            small["cost_pools"],
            pd.DataFrame(
                {
                    "activity": ["training", "x"],
                    "annual_cost": [99.0, 10.0],
                    "driver": ["activity", "parcels"],
                }
            ),
        ],
        ignore_index=True,
    )
    volumes, p = driver_volumes(pools, small["invoices"], small["activities"], universe)
    rates = compute_rates(p, volumes, years=1.0)
    by = rates.set_index("activity")
    assert by.loc["order", "method"] == "fixed_rate"
    assert by.loc["order", "allocated_cost"] == 20.0  # 4 invoices (not the credit note) × 5
    assert by.loc["training", "status"] == "no_driver_volume"
    assert by.loc["training", "unallocated_cost"] == 99.0
    assert by.loc["x", "status"] == "unknown_driver"
    assert by.loc["x", "unallocated_cost"] == 10.0


def test_allocation_in_cents_conserves_the_pool():
    pools = pd.DataFrame(
        {"activity": ["a"], "driver": ["activity"], "annual_cost": [100.0], "status": ["ok"]}
    )
    volumes = np.array([[1.0], [1.0], [1.0]])
    rates = compute_rates(pools, volumes, years=1.0)
    alloc = allocate(rates, volumes)[:, 0]
    assert sorted(alloc.tolist()) == [33.33, 33.33, 33.34]
    assert round(alloc.sum(), 2) == 100.0


# ------------------------------------------------------------------ financing


def test_financing_by_hand():
    inv = _str(
        pd.DataFrame(
            {
                "invoice_id": ["1"],
                "invoice_date": pd.to_datetime(["2024-01-01"]),
                "customer_id": ["A"],
                "net_amount": [1000.0],
            }
        ),
        "invoice_id",
        "customer_id",
    )
    pay = _str(
        pd.DataFrame(
            {
                "invoice_id": ["1"],
                "due_date": pd.to_datetime(["2024-01-31"]),
                "paid_date": pd.to_datetime(["2024-03-14"]),
            }
        ),
        "invoice_id",
    )
    f = financing_cost(inv, None, pay, "2024-12-31", cost_of_capital=0.10)
    r = f.iloc[0]
    assert r["days_outstanding"] == 73  # 1 Jan → 14 Mar 2024
    assert r["financing_cost"] == pytest.approx(20.0)  # 1000 × 73 × 0.10 / 365
    assert r["days_beyond_terms"] == 43
    assert r["late_cost"] == pytest.approx(1000 * 43 * 0.10 / 365)
    assert not r["estimated"]


def test_unpaid_invoice_runs_to_period_end():
    inv = _str(
        pd.DataFrame(
            {
                "invoice_id": ["1", "2"],
                "invoice_date": pd.to_datetime(["2024-12-01"] * 2),
                "customer_id": ["A", "A"],
                "net_amount": [365.0, 100.0],
            }
        ),
        "invoice_id",
        "customer_id",
    )
    pay = _str(
        pd.DataFrame(
            {"invoice_id": ["2"], "due_date": pd.NaT, "paid_date": pd.to_datetime(["2024-12-11"])}
        ),
        "invoice_id",
    )
    f = financing_cost(inv, None, pay, "2024-12-31", cost_of_capital=1.0).set_index("invoice_id")
    assert f.loc["1", "days_outstanding"] == 30
    assert f.loc["1", "financing_cost"] == pytest.approx(30.0)
    assert f.loc["2", "days_outstanding"] == 10


def test_financing_without_payments_is_an_estimate(small):
    f = financing_cost(
        small["invoices"],
        small["customers"],
        None,
        "2024-12-31",
        cost_of_capital=0.0365,
        default_terms_days=14,
    )
    assert f["estimated"].all()
    by = f.set_index("invoice_id")
    assert by.loc["2", "days_outstanding"] == 60  # B's terms
    assert by.loc["3", "days_outstanding"] == 14  # C has no terms: the default
    assert "4" not in by.index  # a credit note is not financed
    assert by.loc["2", "financing_cost"] == pytest.approx(200 * 60 * 0.0001)


# ------------------------------------------------------------------ the P&L


def test_pnl_by_hand(small):
    r = run_cost_to_serve(small, engagement(cost_of_capital=0.0))
    p = r.pnl.set_index("customer_id")
    a = p.loc["A"]
    assert a["list_sales"] == 170.0 and a["discounts"] == 10.0 and a["rebates"] == 0.0
    assert a["net_revenue"] == 160.0 and a["cogs"] == 96.0 and a["gross_margin"] == 64.0
    # delivery: 100 for the year over 4 deliveries; A has 3 of them
    assert p["cts_delivery"].sum() == pytest.approx(100.0)
    assert a["cts_delivery"] == pytest.approx(75.0)
    assert a["cts_order"] == 10.0  # two invoices at the fixed rate 5
    assert a["net_profit"] == pytest.approx(64.0 - 75.0 - 10.0)
    assert bool(a["is_big_unprofitable"])  # a VIP losing money
    assert p.loc["C", "cts_visit"] == 25.0  # 2 h at 50 ÷ 4 h capacity; 25 unused
    assert r.reconciles
    keys = [n["key"] for n in r.notes]
    assert "activity_without_pool" in keys and "financing_estimated" in keys


def test_pnl_without_pools_or_activities_says_so(small):
    r = run_cost_to_serve({"invoices": small["invoices"]}, engagement())
    assert r.pnl["cts_total"].eq(0).all()
    assert {"no_cost_pools", "no_activities", "financing_estimated"} <= {n["key"] for n in r.notes}
    assert r.pnl["customer_id"].tolist() == ["C", "B", "A"]  # by revenue, derived from invoices


def test_missing_cogs_uses_the_assumed_margin(small):
    inv = small["invoices"].drop(columns=["cost_amount"])
    r = run_cost_to_serve({"invoices": inv}, engagement(assumed_margin_pct=40))
    b = r.pnl.set_index("customer_id").loc["B"]
    assert b["cogs"] == pytest.approx(120.0) and bool(b["cogs_assumed"])
    assert "cogs_assumed" in {n["key"] for n in r.notes}


def test_rebates_reduce_net_revenue(small):
    reb = _str(
        pd.DataFrame({"customer_id": ["B"], "amount": [30.0], "kind": ["volume bonus"]}),
        "customer_id",
    )
    r = run_cost_to_serve({**small, "rebates": reb}, engagement())
    b = r.pnl.set_index("customer_id").loc["B"]
    assert b["rebates"] == 30.0 and b["net_revenue"] == 170.0
    assert r.reconciles


# ------------------------------------------------------------------ pictures and verdicts


def test_whale_curve_by_hand():
    pnl = pd.DataFrame(
        {
            "customer_id": list("abcd"),
            "net_revenue": [9.0, 5.0, 3.0, 1.0],
            "net_profit": [6.0, -2.0, 1.0, -1.0],
        }
    )
    w = whale_curve(pnl)
    assert w.curve["cum_net_profit"].tolist() == [0.0, 6.0, 7.0, 6.0, 4.0]
    assert w.peak_profit == 7.0 and w.peak_pct == 175.0
    assert w.peak_customers_pct == 50.0 and w.erosion == 3.0
    assert w.unprofitable_n == 2


def test_abc_by_hand():
    pnl = pd.DataFrame(
        {
            "customer_id": list("abcde"),
            "net_revenue": [70.0, 15.0, 10.0, 4.0, 1.0],
            "net_profit": [-5.0, 10.0, 3.0, 1.0, 0.5],
        }
    )
    seg = abc(pnl).set_index("customer_id")
    # revenue: a starts at 0 % (A), b at 70 % (A), c at 85 % (B), d at 95 % (C)
    assert seg["revenue_abc"].tolist() == ["A", "A", "B", "C", "C"]
    # profit: a loses money (C); b starts at 0 %, c at 69 % (A), d at 90 % (B), e at 96.6 % (C)
    assert seg["profit_abc"].tolist() == ["C", "A", "A", "B", "C"]


def test_shapiro_quadrants_by_hand():
    pnl = pd.DataFrame(
        {
            "customer_id": list("abcde"),
            "net_revenue": [100.0] * 4 + [0.0],
            "gross_margin": [40.0, 40.0, 10.0, 10.0, 0.0],
            "cts_total": [30.0, 5.0, 5.0, 30.0, 0.0],
            "financing_cost": [0.0] * 5,
        }
    )
    q, pcut, ccut = shapiro_matrix(pnl, price_cut_pct=25, cts_cut_pct=20)
    assert q["cost_quadrant"].tolist()[:4] == [
        "carriage_trade",
        "passive",
        "bargain_basement",
        "aggressive",
    ]
    assert pd.isna(q["cost_quadrant"].iloc[4])  # no revenue, no quadrant
    _, pm, cm = shapiro_matrix(pnl)
    assert (pm, cm) == (25.0, 17.5)  # medians of customers with revenue


def test_big_unprofitable_names_the_sinking_lines():
    n = 10
    pnl = pd.DataFrame(
        {
            "customer_id": [f"c{i}" for i in range(n)],
            "name": [f"C{i}" for i in range(n)],
            "client_flag": [""] * (n - 1) + ["VIP"],
            "list_sales": [1000.0] * n,
            "discounts": [0.0] * n,
            "rebates": [0.0] * n,
            "net_revenue": [1000.0] * n,
            "cogs": [600.0] * n,
            "gross_margin": [400.0] * n,
            "cts_delivery": [100.0] * n,
            "cts_rush": [0.0] * n,
            "cts_returns": [10.0] * n,
            "financing_cost": [5.0] * n,
        }
    )
    pnl.loc[0, "net_revenue"] = pnl.loc[0, "list_sales"] = 5000.0  # the biggest customer...
    pnl.loc[0, ["cogs", "gross_margin"]] = [3000.0, 2000.0]
    pnl.loc[0, ["cts_rush", "cts_returns"]] = [1500.0, 900.0]  # ...sunk by rush orders and returns
    pnl.loc[9, "cts_delivery"] = 500.0  # the VIP is sunk by deliveries
    pnl["cts_total"] = pnl[["cts_delivery", "cts_rush", "cts_returns"]].sum(axis=1)
    pnl["net_profit"] = pnl["gross_margin"] - pnl["cts_total"] - pnl["financing_cost"]
    rates = pd.DataFrame(
        {
            "activity": ["delivery", "rush", "returns"],
            "cost_column": ["cts_delivery", "cts_rush", "cts_returns"],
        }
    )
    big = big_unprofitable(pnl, rates, top_pct=10, flags=("vip",)).set_index("customer_id")
    assert set(big.index) == {"c0", "c9"}
    assert big.loc["c0", "sinking_lines"].split(";")[:2] == ["cts_rush", "cts_returns"]
    assert big.loc["c9", "line_1"] == "cts_delivery"
    assert big.loc["c9", "why_big"] == "flag"


def test_sensitivity_counts_sign_changes_and_is_seeded():
    pnl = pd.DataFrame(
        {
            "customer_id": ["a", "b"],
            "gross_margin": [100.0, 100.0],
            "cts_x": [90.0, 10.0],
            "financing_cost": [0.0, 0.0],
        }
    )
    rates = pd.DataFrame({"activity": ["x"], "cost_column": ["cts_x"]})
    table, per = sensitivity(pnl, rates, pct=20, runs=200, seed=1)
    up = table[(table["parameter"] == "x") & (table["change_pct"] == 20)].iloc[0]
    assert up["turn_unprofitable_n"] == 1  # a: 100 − 108 < 0
    assert per.set_index("customer_id").loc["b", "prob_unprofitable"] == 0.0
    assert 0.2 < per.set_index("customer_id").loc["a", "prob_unprofitable"] < 0.6  # P(f > 1.111)
    _, again = sensitivity(pnl, rates, pct=20, runs=200, seed=1)
    assert again["prob_unprofitable"].tolist() == per["prob_unprofitable"].tolist()


def test_avoidability_beside_the_verdict(small):
    r = run_cost_to_serve(small, engagement(cost_of_capital=0.0))
    a = r.pnl.set_index("customer_id").loc["A"]
    # delivery is 50 % avoidable, the fixed-rate order pool 100 %
    assert a["avoidable_cost"] == pytest.approx(75.0 * 0.5 + 10.0)
    assert a["profit_change_if_dropped"] == pytest.approx(a["avoidable_cost"] - 64.0)


def test_settings_validate_abc_order():
    with pytest.raises(ValidationError, match="abc_b_pct .* must be above abc_a_pct"):
        CostToServeSettings(abc_a_pct=90, abc_b_pct=80)


# ------------------------------------------------------------------ properties


@st.composite
def ledgers(draw):
    n_cust = draw(st.integers(1, 8))
    n_lines = draw(st.integers(1, 30))
    cents = st.integers(-5_000, 500_000)
    cust = draw(st.lists(st.integers(0, n_cust - 1), min_size=n_lines, max_size=n_lines))
    net = [c / 100 for c in draw(st.lists(cents, min_size=n_lines, max_size=n_lines))]
    inv_no = draw(st.lists(st.integers(0, 10), min_size=n_lines, max_size=n_lines))
    invoices = pd.DataFrame(
        {
            "invoice_id": [f"{c}-{i}" for c, i in zip(cust, inv_no, strict=True)],
            "invoice_date": pd.to_datetime("2024-01-01") + pd.to_timedelta(inv_no, unit="D"),
            "customer_id": [f"k{c}" for c in cust],
            "net_amount": net,
            "cost_amount": [round(x * 0.6, 2) for x in net],
        }
    )
    n_act = draw(st.integers(0, 25))
    acts = pd.DataFrame(
        {
            "customer_id": [f"k{draw(st.integers(0, n_cust - 1))}" for _ in range(n_act)],
            "activity": [
                draw(st.sampled_from(["delivery", "visit", "call"])) for _ in range(n_act)
            ],
            "quantity": [float(draw(st.integers(1, 5))) for _ in range(n_act)],
            "hours": [draw(st.integers(0, 400)) / 100 for _ in range(n_act)],
        }
    )
    costs = [draw(st.integers(0, 10_000_000)) / 100 for _ in range(6)]
    pools = pd.DataFrame(
        {
            "activity": ["delivery", "visit", "order", "lines", "account", "returns"],
            "annual_cost": costs,
            "driver": ["activity", "hours", "invoices", "invoice_lines", "revenue", "credit_notes"],
            "practical_capacity": [
                np.nan,
                draw(st.sampled_from([np.nan, 5.0, 50.0])),
                np.nan,
                np.nan,
                np.nan,
                np.nan,
            ],
        }
    )
    return {
        "invoices": _str(invoices, "invoice_id", "customer_id"),
        "activities": _str(acts, "customer_id", "activity") if n_act else None,
        "cost_pools": _str(pools, "activity", "driver"),
    }


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ledgers())
def test_properties_conservation_whale_and_identity(tables):
    r = run_cost_to_serve(tables, engagement(monte_carlo_runs=20))
    p = r.pnl
    # every pool to the cent: allocated over customers + unallocated = pool cost
    for _, rate in r.rates.iterrows():
        cents = round(p[rate["cost_column"]].sum() * 100) + round(rate["unallocated_cost"] * 100)
        assert cents == round(rate["pool_cost"] * 100), rate["activity"]
        assert (p[rate["cost_column"]] * 100).round(6).mod(1).eq(0).all()  # whole cents
    # the P&L reconciles to the ledger
    assert r.reconciles, r.reconciliation
    assert p["net_revenue"].sum() == pytest.approx(
        tables["invoices"]["net_amount"].sum(), abs=0.005
    )
    # the whale curve ends at total net profit
    assert r.whale.curve["cum_net_profit"].iloc[-1] == pytest.approx(
        p["net_profit"].sum(), abs=1e-6
    )
    # each customer: net profit = net revenue − cogs − cts − financing
    cts = p[list(r.rates["cost_column"])].sum(axis=1) if len(r.rates) else 0.0
    expected = p["net_revenue"] - p["cogs"] - cts - p["financing_cost"]
    np.testing.assert_allclose(p["net_profit"], expected, atol=1e-6)
    np.testing.assert_allclose(p["cts_total"], cts, atol=1e-6)


# ------------------------------------------------------------------ workspace and deliverables


def test_write_results_and_build_the_deliverable(small, tmp_path):
    from kamaudit.deliverables.context import ReportContext
    from kamaudit.deliverables.cost_to_serve import build

    eng = engagement()
    ws = Workspace(tmp_path).ensure()
    assert build(ReportContext(eng, ws)) is None  # before the stage has run
    r = run_cost_to_serve(small, eng)
    names = write_results(r, ws)
    assert "customer_pnl" in names and ws.has_json("cts_findings")
    pnl = ws.read_table("customer_pnl")
    canonical = [
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
        "cts_total",
        "financing_cost",
        "net_profit",
        "net_profit_pct",
        "revenue_rank",
        "revenue_abc",
        "profit_abc",
        "cost_quadrant",
        "prob_unprofitable",
        "avoidable_cost",
        "is_big_unprofitable",
        "cogs_assumed",
    ]
    assert set(canonical) <= set(pnl.columns)
    assert pnl["customer_id"].dtype == "str"
    report = build(ReportContext(eng, ws))
    keys = [s.key for s in report.sheets]
    assert {"pnl", "rates", "whale", "abc", "quadrants", "unprofitable", "sensitivity"} <= set(keys)
    whale = next(s for s in report.sheets if s.key == "whale")
    assert whale.chart is not None and whale.chart.kind == "line"
    assert all(len(s.name) <= 31 for s in report.sheets)
    texts = [b.text for b in report.section.blocks if hasattr(b, "text")] + report.summary
    texts += [s.name for s in report.sheets] + [s.title for s in report.sheets]
    assert not [x for x in texts if "cost_to_serve." in x], (
        "a message key is missing from the catalog"
    )
    assert not [x for x in texts if "{" in x], "a placeholder was left unfilled"
    assert 2 <= len(report.summary) <= 4
    assert any("Alpha" in x for x in texts)  # the VIP is named


def test_read_inputs_from_workspace(small, tmp_path):
    ws = Workspace(tmp_path).ensure()
    for name, df in small.items():
        ws.write_table(name, contract.conform(name, df))
    tables = read_inputs(ws)
    assert tables["payments"] is None and len(tables["invoices"]) == 6


# ------------------------------------------------------------------ the sample's planted facts


def sample_tables(folder: Path) -> tuple[dict[str, pd.DataFrame], Engagement]:
    """The sample's CSVs read plainly with pandas (what intake will do properly)."""
    from kamaudit.config import load_engagement

    eng = load_engagement(folder / "engagement.yaml")
    tables: dict[str, pd.DataFrame] = {}
    for name, spec in eng.inputs.items():
        if name not in ("customers", "invoices", "rebates", "activities", "cost_pools", "payments"):
            continue
        df = pd.read_csv(
            spec.path,
            sep=spec.delimiter or ",",
            encoding=spec.encoding or "utf-8-sig",
            decimal=spec.decimal or ".",
            dtype=str,
            keep_default_na=True,
        )
        df = df.rename(columns=spec.columns)
        for c in df.columns:
            if c.endswith("_date"):
                df[c] = pd.to_datetime(df[c], format=spec.date_format or "ISO8601")
            elif not (
                c.endswith("_id")
                or c
                in {
                    "name",
                    "industry",
                    "region",
                    "country",
                    "account_owner",
                    "client_flag",
                    "kind",
                    "activity",
                    "driver",
                    "product_category",
                    "role",
                    "language",
                }
            ):
                num = pd.to_numeric(df[c], errors="coerce")
                if num.notna().sum() >= df[c].notna().sum() * 0.9:
                    df[c] = num
        tables[name] = df
    return tables, eng


def _answer_key() -> dict:
    path = SAMPLE / "answer_key.json"
    if not path.exists():
        pytest.skip("data/sample/answer_key.json is not there yet (the sample generator writes it)")
    return json.loads(path.read_text(encoding="utf-8"))


def test_sample_planted_facts_are_found():
    """Two top-10 customers and a VIP lose money, are named, and sink by the planted lines."""
    key = _answer_key()
    tables, eng = sample_tables(SAMPLE)
    r = run_cost_to_serve(tables, eng)
    assert r.reconciles, r.reconciliation
    p = r.pnl.set_index("customer_id")
    facts = key["facts"]
    planted = facts["top10_loss_makers"]["customers"] + facts["unprofitable_vip"]["customers"]
    big = r.big_unprofitable.set_index("customer_id")
    for c in planted:
        cid = c["customer_id"]
        assert p.loc[cid, "net_profit"] < 0, cid
        assert p.loc[cid, "prob_unprofitable"] > 0.9, cid
        assert cid in big.index, cid
        named = big.loc[cid, "sinking_lines"].split(";")
        assert sorted(named) == sorted(f"cts_{x}" for x in c["sinking_cost_lines"]), (cid, named)
        # the ledger side is exact: same revenue and gross margin as the generator's books
        assert p.loc[cid, "net_revenue"] == pytest.approx(c["net_revenue"], abs=0.01)
        assert p.loc[cid, "gross_margin"] == pytest.approx(c["gross_margin"], abs=0.01)
        assert p.loc[cid, "financing_cost"] == pytest.approx(c["financing_cost"], abs=0.01)
    for c in facts["top10_loss_makers"]["customers"]:
        assert p.loc[c["customer_id"], "revenue_rank"] <= 10
    vip = facts["unprofitable_vip"]["customers"][0]
    assert "flag" in big.loc[vip["customer_id"], "why_big"]
    named = {f["key"]: f["values"] for f in r.findings}["big_unprofitable"]["names"]
    assert all(c["name"] in named for c in planted)


def test_empty_pool_costs_are_handled():
    assert math.isnan(
        compute_rates(
            pd.DataFrame({"activity": ["a"], "driver": ["activity"], "status": ["ok"]}),
            np.zeros((1, 1)),
            1.0,
        )["rate"].iloc[0]
    )


# ------------------------------------------------------------------ the notebook

NOTEBOOK = REPO / "notebooks" / "02_cost_to_serve.ipynb"


def test_notebook_is_thin_and_clean():
    import nbformat
    import papermill as pm

    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert "parameters" in code[0].metadata.get("tags", [])
    assert set(pm.inspect_notebook(str(NOTEBOOK))) == {
        "engagement_path",
        "workspace",
        "overrides_json",
    }
    for c in code:
        assert not c.get("outputs") and c.get("execution_count") is None, "commit without outputs"
        lines = c.source.splitlines()
        assert not [x for x in lines if x.lstrip().startswith(("def ", "for ", "while ", "class "))]


@pytest.mark.slow
def test_notebook_runs_on_the_sample(tmp_path):
    import nbformat
    import papermill as pm

    if not (SAMPLE / "engagement.yaml").exists():
        pytest.skip("data/sample is not there yet")
    tables, _ = sample_tables(SAMPLE)
    ws = Workspace(tmp_path / "ws").ensure()
    for name, df in tables.items():
        ws.write_table(name, contract.conform(name, df))
    out = tmp_path / "02.ipynb"
    pm.execute_notebook(
        str(NOTEBOOK),
        str(out),
        parameters={"engagement_path": str(SAMPLE / "engagement.yaml"), "workspace": str(ws.root)},
        kernel_name="python3",
        progress_bar=False,
        shutdown_kernel="immediate",
        cwd=str(tmp_path),
    )
    nb = nbformat.read(out, as_version=4)
    assert not [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert ws.has_table("customer_pnl") and ws.has_json("cts_findings")
    assert ws.read_json("cts_findings")["reconciles"] is True
