"""The sample company: determinism, the data contract, and the planted facts.

The planted facts are checked with an independent, deliberately plain activity-based
costing written here with pandas (not the generator's own arithmetic):
rate = annual_cost x years / total driver volume, allocated by each customer's driver
volume; financing = invoice amount x days outstanding x 8% / 365.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import kamaudit
from kamaudit.config import TABLES
from kamaudit.sample import INDUSTRIES, SampleInfo, generate_pack, generate_sample

SMALL = {"n_customers": 60, "n_lines": 4000}

CONTRACT = {
    "customers": [
        "customer_id",
        "name",
        "industry",
        "region",
        "country",
        "payment_terms_days",
        "account_owner",
        "client_flag",
        "wallet_estimate",
    ],
    "invoices": [
        "invoice_id",
        "invoice_date",
        "customer_id",
        "net_amount",
        "product_id",
        "product_category",
        "quantity",
        "unit_price",
        "list_amount",
        "discount_amount",
        "cost_amount",
    ],
    "rebates": ["customer_id", "amount", "kind"],
    "activities": ["customer_id", "activity_date", "activity", "quantity", "hours"],
    "cost_pools": [
        "activity",
        "annual_cost",
        "driver",
        "rate",
        "practical_capacity",
        "avoidable_pct",
    ],
    "payments": ["invoice_id", "due_date", "paid_date", "amount"],
    "contacts": [
        "customer_id",
        "contact_id",
        "name",
        "role",
        "seniority",
        "relationship_strength",
        "owner",
        "competitor_ties",
        "preferred_channel",
        "last_contact_date",
    ],
    "assessments": ["customer_id", "criterion", "score", "source"],
    "team": [
        "person_id",
        "name",
        "role",
        "hours_available",
        "industries",
        "languages",
        "max_accounts",
    ],
}
DRIVERS = {"activity", "hours", "invoices", "invoice_lines", "credit_notes", "customers", "revenue"}


def read(info: SampleInfo) -> dict[str, pd.DataFrame]:
    dates = {
        "invoices": ["invoice_date"],
        "activities": ["activity_date"],
        "payments": ["due_date", "paid_date"],
        "contacts": ["last_contact_date"],
    }
    ids = {
        c: str
        for c in (
            "customer_id",
            "invoice_id",
            "contact_id",
            "person_id",
            "account_owner",
            "owner",
            "client_flag",
            "year",
        )
    }
    return {
        t: pd.read_csv(p, dtype=ids, parse_dates=dates.get(t, []), keep_default_na=True)
        for t, p in info.tables.items()
    }


def abc_pnl(
    t: dict[str, pd.DataFrame],
    years: float,
    period_end: str,
    rate_factor: float = 1.0,
    cost_of_capital: float = 0.08,
) -> pd.DataFrame:
    """A plain ABC customer P&L, independent of the generator."""
    inv, act, pools = t["invoices"], t["activities"], t["cost_pools"]
    cust = t["customers"].set_index("customer_id")
    out = pd.DataFrame(index=cust.index)
    out["net_invoiced"] = inv.groupby("customer_id")["net_amount"].sum()
    out["rebates"] = t["rebates"].groupby("customer_id")["amount"].sum()
    out = out.fillna(0.0)
    out["net_revenue"] = out["net_invoiced"] - out["rebates"]
    out["cogs"] = inv.groupby("customer_id")["cost_amount"].sum()
    out["gross_margin"] = out["net_revenue"] - out["cogs"].fillna(0.0)
    heads = inv.groupby("invoice_id").agg(
        customer_id=("customer_id", "first"), amount=("net_amount", "sum")
    )
    out["cts_total"] = 0.0
    for pool in pools.itertuples():
        drv = pool.driver
        if drv == "invoices":
            vol = heads.groupby("customer_id").size()
        elif drv == "credit_notes":
            vol = heads[heads["amount"] < 0].groupby("customer_id").size()
        elif drv == "hours":
            vol = act[act["activity"] == pool.activity].groupby("customer_id")["hours"].sum()
        elif drv == "activity":
            vol = act[act["activity"] == pool.activity].groupby("customer_id")["quantity"].sum()
        else:  # pragma: no cover - the sample uses only the drivers above
            raise AssertionError(drv)
        rate = pool.annual_cost * years / vol.sum() * rate_factor
        out[f"cts_{pool.activity}"] = (vol * rate).reindex(out.index).fillna(0.0)
        out["cts_total"] += out[f"cts_{pool.activity}"]
    pay = t["payments"].merge(heads, on="invoice_id", suffixes=("", "_inv"))
    inv_date = inv.groupby("invoice_id")["invoice_date"].first()
    paid = pay["paid_date"].fillna(pd.Timestamp(period_end))
    days = (paid - pay["invoice_id"].map(inv_date)).dt.days.clip(lower=0)
    pay["financing"] = pay["amount"] * days * cost_of_capital / 365
    out["financing_cost"] = (
        pay.groupby("customer_id")["financing"].sum().reindex(out.index).fillna(0.0)
    )
    out["net_profit"] = out["gross_margin"] - out["cts_total"] - out["financing_cost"]
    return out


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> SampleInfo:
    return generate_sample(tmp_path_factory.mktemp("small"), seed=11, **SMALL)


@pytest.fixture(scope="module")
def small_tables(small) -> dict[str, pd.DataFrame]:
    return read(small)


def digest(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


# ------------------------------------------------------------------ determinism


def test_same_seed_same_bytes_and_different_seed_differs(tmp_path, small):
    again = generate_sample(tmp_path / "a", seed=11, **SMALL)
    assert digest(again.out_dir) == digest(small.out_dir)
    other = generate_sample(tmp_path / "b", seed=12, **SMALL)
    assert digest(other.out_dir)["invoices.csv"] != digest(small.out_dir)["invoices.csv"]


def test_rewrite_in_place_leaves_no_temporary_files(small):
    generate_sample(small.out_dir, seed=11, **SMALL)
    names = sorted(p.name for p in small.out_dir.iterdir())
    assert names == sorted(
        [f"{t}.csv" for t in TABLES] + ["engagement.yaml", "README.md", "answer_key.json"]
    )


# ------------------------------------------------------------------ the contract


def test_every_table_has_the_contract_columns(small_tables):
    assert set(small_tables) == set(TABLES)
    for table, cols in CONTRACT.items():
        missing = set(cols) - set(small_tables[table].columns)
        assert not missing, f"{table} lacks {missing}"


def test_values_follow_the_contract(small_tables):
    t = small_tables
    inv = t["invoices"]
    assert inv["invoice_id"].str.fullmatch(r"INV-\d{6}").all()
    assert inv.groupby("invoice_id").size().mean() > 1.5
    assert (inv["cost_amount"].abs() > 0).all()
    np.testing.assert_allclose(
        inv["list_amount"] - inv["discount_amount"], inv["net_amount"], atol=0.011
    )
    credit = (inv["net_amount"] < 0).mean()
    assert 0.02 <= credit <= 0.04
    assert set(t["customers"]["customer_id"]) >= set(inv["customer_id"])
    assert inv["customer_id"].nunique() == len(t["customers"])
    pools = t["cost_pools"]
    counted = pools.loc[pools["driver"].isin(["activity", "hours"]), "activity"]
    assert set(counted) <= set(t["activities"]["activity"]) <= set(pools["activity"])
    assert set(pools["driver"]) <= DRIVERS
    assert t["cost_pools"]["avoidable_pct"].between(0, 100).all()
    assert t["cost_pools"]["practical_capacity"].notna().sum() == 1
    pay = t["payments"]
    assert pay["invoice_id"].is_unique and set(pay["invoice_id"]) <= set(inv["invoice_id"])
    assert pay["paid_date"].isna().any() and pay["paid_date"].notna().mean() > 0.9
    c = t["contacts"]
    assert set(c["role"]) <= {
        "decision_maker",
        "influencer",
        "user",
        "procurement",
        "finance",
        "technical",
        "executive",
    }
    assert (
        c["relationship_strength"].between(1, 5).all() and c["competitor_ties"].between(1, 5).all()
    )
    assert set(c["preferred_channel"]) <= {"meeting", "phone", "email", "video"}
    assert c.groupby("customer_id").size().max() <= 8
    a = t["assessments"]
    assert a["score"].between(1, 10).all() and set(a["source"]) == {"internal", "client"}
    assert a["customer_id"].nunique() < len(t["customers"])  # many customers are unassessed
    team = t["team"]
    assert {"kam", "executive", "finance", "logistics", "marketing", "specialist"} <= set(
        team["role"]
    )
    kam_hours = team.loc[team["role"] == "kam", "hours_available"]
    assert kam_hours.between(1500, 1700).all()  # hours a year for key accounts
    assert team["hours_available"].between(150, 1700).all()
    assert team.loc[team["role"] == "kam", "max_accounts"].notna().all()
    cu = t["customers"]
    assert 0.03 <= (cu["client_flag"] == "VIP").mean() <= 0.08
    assert cu["account_owner"].dropna().isin(team["person_id"]).all()


def test_engagement_loads(small):
    eng = kamaudit.load_engagement(small.engagement)
    assert eng.client == "Nordwind Distribution Ltd."
    assert set(eng.inputs) == set(TABLES)
    for spec in eng.inputs.values():
        assert spec.path.exists()
    assert str(eng.period.start) == "2024-01-01" and str(eng.period.end) == "2025-12-31"


def test_tricky_names_survive_the_csv(small_tables):
    names = set(small_tables["customers"]["name"])
    for expected in (
        "@Home Interiors Kft.",
        "Łódzka Hurtownia Śrub Sp. z o.o.",
        "O'Neill & Söhne GmbH",
        "=SUM Trading GmbH",
        'Kowalski, Nowak i "Wspólnicy" Sp. z o.o.',
    ):
        assert expected in names
    assert small_tables["customers"]["name"].is_unique


# ------------------------------------------------------------------ realistic shape


def test_default_sample_shape(tmp_path):
    info = generate_sample(tmp_path / "d")
    t = read(info)
    inv = t["invoices"]
    assert len(inv) == 40_000 and len(t["customers"]) == 300
    size = sum(p.stat().st_size for p in info.out_dir.iterdir())
    assert size < 10 * 1024 * 1024
    rev = inv.groupby("customer_id")["net_amount"].sum().sort_values(ascending=False)
    top20 = rev.iloc[: len(rev) // 5].sum() / rev.sum()
    assert 0.68 <= top20 <= 0.82
    months = inv.groupby(inv["invoice_date"].dt.month)["net_amount"].sum()
    assert months.max() / months.min() > 1.3  # seasonality
    assert inv["invoice_date"].dt.day_of_week.lt(5).mean() > 0.95
    # service and payment behaviour do not simply follow revenue
    visits = t["activities"].groupby("customer_id")["quantity"].sum().reindex(rev.index).fillna(0)
    per_rev = visits / rev.clip(lower=1)
    assert per_rev.iloc[:30].std() > 0
    assert (
        abs(np.corrcoef(np.log(rev.clip(lower=1)), np.log(per_rev.clip(lower=1e-9)))[0, 1]) < 0.95
    )


def test_size_is_what_was_asked(small_tables):
    assert len(small_tables["invoices"]) == SMALL["n_lines"]
    assert len(small_tables["customers"]) == SMALL["n_customers"]


def test_bad_arguments_say_what_is_expected(tmp_path):
    with pytest.raises(ValueError, match='industry "brewery" is not known'):
        generate_sample(tmp_path, industry="brewery")
    with pytest.raises(ValueError, match="at least 60"):
        generate_sample(tmp_path, n_customers=10, n_lines=1000)
    with pytest.raises(ValueError, match="25 per customer"):
        generate_sample(tmp_path, n_customers=100, n_lines=1000)


# ------------------------------------------------------------------ planted facts


def check_planted_facts(info: SampleInfo) -> None:
    t = read(info)
    key = json.loads(info.answer_key_path.read_text(encoding="utf-8"))
    assert key == info.answer_key
    facts = key["facts"]
    years = key["period"]["years"]
    end = key["period"]["end"]
    base = abc_pnl(t, years, end)
    rank = base["net_revenue"].rank(ascending=False, method="first")
    cust = t["customers"].set_index("customer_id")
    contacts_n = t["contacts"].groupby("customer_id").size().reindex(cust.index).fillna(0)
    a = t["assessments"]
    internal = a[a["source"] == "internal"].pivot(
        index="customer_id", columns="criterion", values="score"
    )
    client = a[a["source"] == "client"].groupby("customer_id")["score"].mean()
    inv = t["invoices"]
    year = inv["invoice_date"].dt.year
    by_year = inv.groupby(["customer_id", year])["net_amount"].sum().unstack(fill_value=0.0)

    for factor in (0.75, 1.0, 1.25):  # verdicts hold when every rate moves 25%
        pnl = abc_pnl(t, years, end, rate_factor=factor)
        # (a) two top-10 customers lose money, with their sinking cost lines named
        loss = facts["top10_loss_makers"]["customer_ids"]
        assert len(loss) == 2
        assert (rank[loss] <= 10).all()
        assert (pnl.loc[loss, "net_profit"] < 0).all(), pnl.loc[loss]
        # (b) one unprofitable VIP outside the top 10
        [vip] = facts["unprofitable_vip"]["customer_ids"]
        assert cust.loc[vip, "client_flag"] == "VIP" and rank[vip] > 10
        assert pnl.loc[vip, "net_profit"] < 0
        # (d) and (f) profitable at any of these rates
        for cid in (
            facts["single_contact_key_candidates"]["customer_ids"]
            + facts["must_be_key"]["customer_ids"]
        ):
            assert pnl.loc[cid, "net_profit"] > 0.05 * pnl.loc[cid, "net_revenue"]
    vips = cust.index[cust["client_flag"] == "VIP"]
    assert (base.loc[vips, "net_profit"] < 0).sum() == 1  # only the planted one

    for entry in facts["top10_loss_makers"]["customers"]:
        lines = entry["sinking_cost_lines"]
        assert len(lines) == 3 and set(lines) <= set(t["cost_pools"]["activity"])
        costs = base.loc[entry["customer_id"], [f"cts_{x}" for x in lines]]
        assert costs.sum() > 0.5 * base.loc[entry["customer_id"], "cts_total"]

    # (c) small, fast-growing, large wallet, good assessments
    grow = facts["fast_growing_potential"]["customer_ids"]
    assert 3 <= len(grow) <= 4
    for cid in grow:
        y = by_year.loc[cid]
        assert y.iloc[-1] >= 2.5 * y.iloc[-2] > 0
        assert rank[cid] > 0.2 * len(cust)
        assert cust.loc[cid, "wallet_estimate"] >= 5 * y.iloc[-1]
        assert internal.loc[cid].mean() >= 7.5 and client[cid] >= 7.5

    # (d) top profit, strategic, one contact
    profit_rank = base["net_profit"].rank(ascending=False, method="first")
    single = facts["single_contact_key_candidates"]["customer_ids"]
    assert len(single) >= 3
    for cid in single:
        assert contacts_n[cid] == 1
        assert profit_rank[cid] <= max(10, 0.05 * len(cust))
        assert internal.loc[cid, "strategic_value"] >= 8

    # (e) one very late payer: 90+ days after due on average, the only one past 60
    pay = t["payments"].merge(inv.groupby("invoice_id")["customer_id"].first().reset_index())
    late = (pay["paid_date"] - pay["due_date"]).dt.days.groupby(pay["customer_id"]).mean()
    [lp] = facts["very_late_payer"]["customer_ids"]
    assert late[lp] >= 90
    # (customers whose invoices are all still open at the period end have no average yet)
    assert (late.drop(lp).dropna() < 60).all()

    # (f) must be key: largest, most profitable, many contacts, excellent both ways
    [mk] = facts["must_be_key"]["customer_ids"]
    assert rank[mk] <= 3 and profit_rank[mk] <= 3
    assert (
        contacts_n[mk] >= 6
        and t["contacts"].loc[t["contacts"]["customer_id"] == mk, "role"].nunique() >= 5
    )
    assert internal.loc[mk].min() >= 9 and client[mk] >= 9

    # the key agrees with the independent costing
    for fact in facts.values():
        for entry in fact["customers"]:
            assert entry["net_profit"] == pytest.approx(
                base.loc[entry["customer_id"], "net_profit"], rel=0.02, abs=50
            )


def test_planted_facts_hold_in_the_default_sample():
    root = Path(__file__).parents[1] / "data" / "sample"
    info = SampleInfo(
        out_dir=root,
        engagement=root / "engagement.yaml",
        tables={t: root / f"{t}.csv" for t in TABLES},
        readme=root / "README.md",
        answer_key_path=root / "answer_key.json",
        answer_key=json.loads((root / "answer_key.json").read_text(encoding="utf-8")),
    )
    check_planted_facts(info)
    readme = info.readme.read_text(encoding="utf-8")
    for fact in info.answer_key["facts"].values():
        for cid in fact["customer_ids"]:
            assert cid in readme


def test_planted_facts_hold_in_a_small_sample(small):
    check_planted_facts(small)


@pytest.mark.parametrize("industry", INDUSTRIES)
def test_every_industry_generates_with_its_facts(tmp_path, industry):
    info = generate_sample(tmp_path, seed=3, industry=industry, **SMALL)
    t = read(info)
    assert set(t["activities"]["activity"]) <= set(t["cost_pools"]["activity"])
    check_planted_facts(info)
    kamaudit.load_engagement(info.engagement)


def test_industries_differ(tmp_path):
    bank = read(generate_sample(tmp_path / "bank", industry="bank", **SMALL))
    dist = read(generate_sample(tmp_path / "dist", industry="distributor", **SMALL))
    assert "loans" in set(bank["invoices"]["product_category"])
    assert "branch_visit" in set(bank["activities"]["activity"])
    assert not set(bank["invoices"]["product_category"]) & set(dist["invoices"]["product_category"])


# ------------------------------------------------------------------ seminar packs


def test_pack_writes_distinct_companies_with_keys_apart(tmp_path):
    infos = generate_pack(tmp_path, 3, seed=5, **SMALL)
    assert [i.out_dir.name for i in infos] == ["company_01", "company_02", "company_03"]
    assert len({i.client for i in infos}) == 3
    assert [i.industry for i in infos] == list(INDUSTRIES[:3])
    assert len({digest(i.out_dir)["invoices.csv"] for i in infos}) == 3
    for info in infos:
        assert info.answer_key_path == tmp_path / "answer_keys" / f"{info.out_dir.name}.json"
        assert (tmp_path / "answer_keys" / f"{info.out_dir.name}.md").exists()
        inside = {p.name for p in info.out_dir.iterdir()}
        assert "answer_key.json" not in inside
        readme = info.readme.read_text(encoding="utf-8")
        for fact in info.answer_key["facts"].values():
            for cid in fact["customer_ids"]:
                assert cid not in readme
        assert kamaudit.load_engagement(info.engagement).client == info.client
    assert (tmp_path / "README.md").exists()


def test_pack_of_one_industry(tmp_path):
    infos = generate_pack(tmp_path, 2, seed=9, industry="telecom", **SMALL)
    assert {i.industry for i in infos} == {"telecom"}
    assert infos[0].client != infos[1].client
    check_planted_facts(infos[1])
