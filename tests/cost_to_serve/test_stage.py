"""The stage end to end: run(inputs, settings, period), its result, the workspace."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kamaudit import Workspace
from kamaudit.cost_to_serve import CostToServeResult, load_inputs, run
from kamaudit.cost_to_serve.stage import PNL_FIRST
from kamaudit.errors import InputError
from kamaudit.stage import StageResult

from .frames import answer_key, engagement, run_on, sample_result

TABLES = {
    "customer_pnl",
    "cts_rates",
    "cts_unpooled",
    "cts_financing",
    "cts_whale",
    "cts_deciles",
    "cts_segments",
    "cts_abc",
    "cts_quadrants",
    "cts_big_unprofitable",
    "cts_sensitivity",
    "cts_reconciliation",
    "cts_scenarios",
    "cts_robustness",
}


def test_run_needs_invoices():
    eng = engagement()
    with pytest.raises(InputError, match="needs the invoices table: run intake first"):
        run({"invoices": None}, eng.cost_to_serve, eng.period)


def test_the_result_names_its_tables_and_documents(small):
    r = run_on(small)
    assert isinstance(r, StageResult) and isinstance(r, CostToServeResult)
    assert set(r.tables()) == TABLES
    pnl = r.tables()["customer_pnl"]
    cts = ["cts_delivery", "cts_visit", "cts_order"]
    assert list(pnl.columns[:11]) == PNL_FIRST  # canonical first, then one column a pool
    assert list(pnl.columns[11:14]) == cts and pnl.columns[-1] == "cogs_assumed"
    doc = r.documents()["cts_findings"]
    assert set(doc) == {
        "findings",
        "notes",
        "whale",
        "cut_points",
        "totals",
        "reconciles",
        "scenarios",
        "robustness",
        "settings",
    }
    assert doc["reconciles"] is True
    assert doc["totals"]["net_revenue"] == pytest.approx(640.0)


def test_save_and_load_inputs(small, tmp_path):
    ws = Workspace(tmp_path).ensure()
    for name, df in small.items():
        ws.write_table(name, df)
    inputs = load_inputs(ws)
    assert inputs["payments"] is None and len(inputs["invoices"]) == 6
    eng = engagement()
    names = ws.save(run(inputs, eng.cost_to_serve, eng.period))
    assert set(names) == TABLES | {"cts_findings"}
    assert ws.read_table("customer_pnl")["customer_id"].dtype == "str"
    assert ws.read_json("cts_findings")["notes"][0] == {
        "key": "financing_estimated",
        "values": {"terms_n": 30},
    }


def test_sample_planted_facts_are_found():
    """Two top-10 customers and a VIP lose money, are named, and sink by the planted lines."""
    facts = answer_key()["facts"]
    r = sample_result()
    assert r.reconciles, r.reconciliation
    p = r.pnl.set_index("customer_id")
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
    assert r.worst_big_customer == big.index[0]


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
        },
        columns=["customer_id", "activity", "quantity", "hours"],
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
    return {"invoices": invoices, "activities": acts if n_act else None, "cost_pools": pools}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ledgers())
def test_properties_conservation_whale_and_identity(tables):
    r = run_on(tables, monte_carlo_runs=20, unallocated="allow")
    p = r.pnl
    # every pool to the cent: allocated over customers + unused + unallocated = pool cost
    for _, rate in r.rates.iterrows():
        parts = rate[["unused_capacity_cost", "unallocated_cost"]].sum()
        cents = round(p[rate["cost_column"]].sum() * 100) + round(parts * 100)
        assert cents == round(rate["pool_cost"] * 100), rate["activity"]
        assert (p[rate["cost_column"]] * 100).round(6).mod(1).eq(0).all()  # whole cents
    # the customers' cost-to-serve is the allocated line, to the cent
    rec = r.reconciliation.set_index("item")
    if len(r.rates):
        assert round(p["cts_total"].sum() * 100) == round(rec.loc["cts_allocated", "ledger"] * 100)
    # nothing reconciles while cost is missing; then the red finding says how much
    missing = r.rates["unallocated_cost"].abs().sum() > 0.005 if len(r.rates) else False
    assert r.reconciles is not missing, r.reconciliation
    unreached = [m for m in r.findings if m.key.endswith("cts_unreached")]
    has_positive = len(r.rates) and (r.rates["unallocated_cost"] > 0.005).any()
    assert bool(unreached) == bool(has_positive and len(p))
    assert all(m.severity == "error" for m in unreached)
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
