"""The nine tables follow the data contract: columns, ids, sums, vocabularies and ranges."""

from __future__ import annotations

import numpy as np

from kamaudit.config import TABLES

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
