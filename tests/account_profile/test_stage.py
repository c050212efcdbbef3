"""The stage end to end: run(inputs, settings, period) on the sample and on bare invoices."""

from __future__ import annotations

import pandas as pd
import pytest

from kamaudit.account_profile import run

from .common import answer_key, engagement, key_name, sample_inputs, sample_result


def test_sample_planted_facts():
    facts = answer_key()
    r = sample_result()
    p = r.profile.set_index("customer_id")
    # the must-be-key customer is a key account, in the stable core
    for cid in facts["must_be_key"]["customer_ids"]:
        assert p.loc[cid, "is_key_account"], cid
        assert p.loc[cid, "stability"] == "core", cid
    # the unprofitable top customers and the VIP are not, and the reason says why
    for f in ("top10_loss_makers", "unprofitable_vip"):
        for cid in facts[f]["customer_ids"]:
            assert not p.loc[cid, "is_key_account"], cid
            assert "unprofitable" in p.loc[cid, "why"], cid
    vip = set(r.vip_not_key["customer_id"])
    assert set(facts["unprofitable_vip"]["customer_ids"]) <= vip
    # the fast-growing small ones are potential key accounts
    for cid in facts["fast_growing_potential"]["customer_ids"]:
        assert p.loc[cid, "is_potential"], cid
        assert not p.loc[cid, "is_key_account"], cid
    # single-contact key candidates are flagged on their cards
    cards = r.cards.set_index("customer_id")
    for cid in facts["single_contact_key_candidates"]["customer_ids"]:
        assert p.loc[cid, "single_contact_risk"], cid
        if p.loc[cid, "is_key_account"]:
            assert "single_contact" in cards.loc[cid, "risks"].split(";")
            assert "broaden_contacts" in cards.loc[cid, "next_steps"].split(";")
    # the list is within the cap, and the turnover comparison shows differences
    s = r.summary
    assert s["key_n"] <= s["cap"] <= s["active_n"] * 0.2
    assert s["turnover_only_n"] > 0 and s["turnover_only_unprofitable_n"] >= 2
    late = facts.get("very_late_payer", {}).get("customer_ids", [])
    for cid in late:
        assert r.metrics.set_index("customer_id").loc[cid, "days_late_avg"] > 60


def test_sample_small_weight_changes_move_only_borderline_customers():
    inputs, eng = sample_inputs()
    base = sample_result()
    stab = base.stability.set_index("customer_id")["stability"]
    crit = list(eng.profile.criteria)
    key_n = int(base.profile["is_key_account"].sum())
    # move a tenth of one criterion's weight to another of the same axis (well inside the
    # ±20 % the Monte Carlo varies each weight by), several ways
    weights = {c.name: c.weight for c in crit}
    for a, b in (
        ("net_profit", "growth"),
        ("growth", "net_profit"),
        ("net_revenue", "payment_discipline"),
        ("relationship_strength", "contact_coverage"),
        ("quality", "reliability"),
    ):
        shift = 0.1 * weights[a]
        new = []
        for c in crit:
            w = c.weight + (-shift if c.name == a else shift if c.name == b else 0)
            new.append(c.model_copy(update={"weight": w}))
        s = eng.profile.model_copy(
            update={
                "criteria": new,
                "stability": eng.profile.stability.model_copy(update={"runs": 0}),
            }
        )
        r = run(inputs, s, eng.period)
        moved = r.profile.loc[
            r.profile["is_key_account"] != base.profile["is_key_account"], "customer_id"
        ]
        assert len(moved) <= max(2, key_n // 5), (a, b, len(moved))
        assert (stab.loc[moved] == "borderline").all(), (a, b, stab.loc[moved].to_dict())


def test_run_profile_without_optional_tables_says_what_it_skips():
    invoices = pd.DataFrame(
        {
            "invoice_id": ["1", "2", "3", "4"],
            "invoice_date": pd.to_datetime(
                ["2024-02-01", "2025-03-01", "2024-05-01", "2025-08-01"]
            ),
            "customer_id": ["A", "A", "B", "B"],
            "net_amount": [100.0, 300.0, 50.0, 20.0],
        }
    )
    pnl = pd.DataFrame(
        {"customer_id": ["A", "B"], "net_revenue": [400.0, 70.0], "net_profit": [40.0, -5.0]}
    )
    eng = engagement(stability={"runs": 10})
    r = run({"invoices": invoices, "customer_pnl": pnl}, eng.profile, eng.period)
    codes = {key_name(m) for m in r.messages}
    assert {"no_contacts", "no_payments", "no_wallet", "no_assessments"} <= codes
    assert r.profile["contacts_n"].isna().all()
    g = r.metrics.set_index("customer_id")["growth_pct"]
    assert g["A"] == 200.0 and g["B"] == pytest.approx(-60.0)


def test_result_is_a_stage_result_the_workspace_saves(tmp_path):
    from kamaudit import Workspace
    from kamaudit.messages import Message
    from kamaudit.stage import StageResult

    r = sample_result()
    assert isinstance(r, StageResult)
    assert all(isinstance(m, Message) for m in r.messages)
    assert all(m.key.startswith("account_profile.notes.") for m in r.messages)
    ws = Workspace(tmp_path).ensure()
    names = ws.save(r)
    assert set(names) == set(r.tables()) | {"profile_summary"}
    doc = ws.read_json("profile_summary")
    assert [Message.from_dict(d) for d in doc["messages"]] == r.messages
    # the summary's comparison figures are the comparison table's
    c = r.comparison.set_index("list")
    assert doc["summary"]["turnover_only_n"] == c.loc["turnover_top", "only_n"]
    assert doc["summary"]["key_profit"] == c.loc["key_accounts", "net_profit"]


def test_load_inputs_reads_one_dict(tmp_path):
    from kamaudit import Workspace
    from kamaudit.account_profile import load_inputs
    from kamaudit.errors import KamAuditError

    ws = Workspace(tmp_path).ensure()
    with pytest.raises(KamAuditError, match="no table 'invoices'"):
        load_inputs(ws)
    inputs, _ = sample_inputs()
    for name in ("invoices", "customer_pnl", "customers"):
        ws.write_table(name, inputs[name])
    got = load_inputs(ws)
    assert set(got) == {
        "customers",
        "invoices",
        "payments",
        "contacts",
        "assessments",
        "customer_pnl",
    }
    assert got["contacts"] is None and len(got["customer_pnl"]) == len(inputs["customer_pnl"])
