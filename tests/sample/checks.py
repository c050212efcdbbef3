"""Helpers for the sample tests: read a generated company, and check its planted facts with
an independent, deliberately plain activity-based costing written here with pandas (not the
generator's own arithmetic): rate = annual_cost x years / total driver volume, allocated by
each customer's driver volume; financing = invoice amount x days outstanding x 8% / 365."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest

from kamaudit.sample import SampleInfo

SMALL = {"n_customers": 60, "n_lines": 4000}


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


def digest(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


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
