"""Findings and notes as messages: keys, parameters, severities, the catalog."""

from __future__ import annotations

from kamaudit.cost_to_serve.findings import (
    NOTE_SEVERITY,
    message_record,
    messages_from_records,
)
from kamaudit.deliverables.i18n import Catalog
from kamaudit.messages import Message

from .frames import run_on, sample_result


def _keys(messages: list[Message]) -> set[str]:
    return {m.key.removeprefix("cost_to_serve.notes.") for m in messages}


def test_notes_say_what_was_missing_or_assumed(small):
    r = run_on(small)
    assert {"activity_without_pool", "financing_estimated", "no_rebates"} == _keys(r.messages)
    by = {m.key.rsplit(".", 1)[-1]: m for m in r.messages}
    assert by["activity_without_pool"].params == {"activity": "complaint", "rows_n": 1}
    assert by["activity_without_pool"].severity == "warning"
    assert by["no_rebates"].severity == "info"


def test_notes_without_pools_activities_or_cost_of_goods(small):
    inv = small["invoices"].drop(columns=["cost_amount"])
    r = run_on({"invoices": inv}, assumed_margin_pct=40)
    assert {"no_cost_pools", "no_activities", "financing_estimated", "cogs_assumed"} <= _keys(
        r.messages
    )
    cogs = next(m for m in r.messages if m.key.endswith(".cogs_assumed"))
    assert cogs.params == {"margin_pct": 40.0, "customers_n": 3}


def test_records_round_trip(small):
    r = run_on(small)
    for group, messages in (("findings", r.findings), ("notes", r.messages)):
        records = [message_record(m) for m in messages]
        assert all(set(x) == {"key", "values"} and "." not in x["key"] for x in records)
        assert messages_from_records(records, group) == messages


def test_every_message_is_in_the_catalog():
    cat = Catalog("en")
    for name in NOTE_SEVERITY:
        assert cat.has(f"cost_to_serve.notes.{name}"), name
    for m in sample_result().findings:
        assert cat.has(m.key), m.key


def test_sample_findings_name_the_planted_customers():
    from .frames import answer_key

    facts = answer_key()["facts"]
    planted = facts["top10_loss_makers"]["customers"] + facts["unprofitable_vip"]["customers"]
    found = {m.key.rsplit(".", 1)[-1]: m.params for m in sample_result().findings}
    assert all(c["name"] in found["big_unprofitable"]["names"] for c in planted)
    assert found["whale_peak"]["peak_pct"] > 100
