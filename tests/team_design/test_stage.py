"""team_design.stage: load_inputs, run(inputs, settings, period) and what is saved."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from kamaudit import Workspace, load_engagement
from kamaudit.config import Period
from kamaudit.stage import StageResult
from kamaudit.team_design import TeamSettings, load_inputs, run

from .frames import PERIOD, check_invariants, company, names, run_team, said


def test_missing_roster_and_contacts_are_said():
    tables, ap = company()
    del tables["team"]
    result = run_team(tables, ap)
    assert "no_roster" in names(result)
    assert "assignment" in result.skipped
    assert result.plan.empty and result.load.empty
    assert not result.feasible
    assert result.capacity.set_index("role").loc["kam", "fte_needed"] > 0
    del tables["contacts"]
    result = run_team(tables, ap)
    assert "no_contacts" in names(result)
    assert result.contact_plan.empty and result.coverage.empty
    assert "skipped" in said(result)["no_contacts"]


def test_the_plan_starts_after_the_period_not_today():
    tables, ap = company()
    later = Period(start=dt.date(2019, 1, 1), end=dt.date(2019, 6, 30))
    inputs = {**tables, "assessments": None, "account_profile": ap, "customer_pnl": None}
    assert run(inputs, TeamSettings(), later).plan_start == dt.date(2019, 7, 1)
    fixed = TeamSettings(plan_start=dt.date(2027, 3, 15))
    assert run(inputs, fixed, PERIOD).plan_start == dt.date(2027, 3, 1)


def test_load_inputs_and_save(tmp_path):
    tables, ap = company()
    ws = Workspace(tmp_path / "ws").ensure()
    for name, df in tables.items():
        ws.write_table(name, df)
    with pytest.raises(Exception, match="no table 'account_profile'"):
        load_inputs(ws)
    ws.write_table("account_profile", ap)
    inputs = load_inputs(ws)
    assert inputs["assessments"] is None and inputs["customer_pnl"] is None
    assert set(inputs) == {*tables, "assessments", "account_profile", "customer_pnl"}
    result = run(inputs, TeamSettings(), PERIOD)
    assert isinstance(result, StageResult)
    assert dataclasses.is_dataclass(result)
    names_saved = ws.save(result)
    assert names_saved == [*result.tables(), "team_summary", "team_messages"]
    assert ws.read_json("team_summary")["plan_start"] == "2026-01-01"
    messages = ws.read_json("team_messages")
    assert messages[0]["key"] == "team_design.statement.feasible"
    assert {"key", "params", "severity"} == set(messages[0])


def test_sample_plan_is_feasible():
    from kamaudit import account_profile, cost_to_serve
    from kamaudit.intake import read_and_check
    from kamaudit.resources import sample_engagement

    eng = load_engagement(sample_engagement())
    tables = read_and_check(eng).canonical
    pnl = cost_to_serve.run(tables, eng.cost_to_serve, eng.period).pnl
    profile = account_profile.run({**tables, "customer_pnl": pnl}, eng.profile, eng.period).profile
    inputs = {**tables, "account_profile": profile, "customer_pnl": pnl}
    result = run(inputs, eng.team, eng.period)
    assert result.feasible, said(result)
    check_invariants(result)
    key_ids = set(result.key_accounts["customer_id"])
    contacts = tables["contacts"][tables["contacts"]["customer_id"].isin(key_ids)]
    assert len(result.contact_plan) == len(contacts)
    given = contacts.set_index("contact_id")["preferred_channel"].dropna()
    planned = result.contact_plan.set_index("contact_id")["channel"]
    assert (planned.loc[given.index] == given).all()
    assert result.plan_start == dt.date(eng.period.end.year + 1, 1, 1)


def test_the_capacity_table_counts_the_head_of_kams_hours_as_the_plan_does():
    tables, ap = company()
    result = run_team(tables, ap)
    cap = result.capacity.set_index("role").loc["executive"]
    execs = result.load[result.load["role"] == "executive"]
    head = float(execs["head_of_kam_hours"].sum())
    assert head > 0
    # what the executives are planned for (sponsoring and leading the KAMs), in both tables
    assert cap["hours_assigned"] == pytest.approx(float(execs["hours_planned"].sum()))
    sponsoring = result.workload["hours_executive"].sum()
    assert cap["hours_needed"] >= sponsoring + head - 1e-9
    assert cap["spare_hours"] == pytest.approx(float(execs["spare_hours"].clip(lower=0).sum()))
