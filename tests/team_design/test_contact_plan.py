"""team_design.contact_plan: every contact, in their channel, over twelve months."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from kamaudit.team_design import contact_plan, key_accounts, month_labels

from .frames import company, contacts, profile, run_team


def test_calendar_spreads_touchpoints_over_twelve_months():
    ap = profile([("A", "Strategic", True)])
    people = contacts(
        [
            ("A", f"A{i}", r, None, "K1")
            for i, r in enumerate(["decision_maker", "executive", "user", "other"])
        ]
    )
    plan = contact_plan(key_accounts(ap), people)
    months = [f"m{i:02d}" for i in range(1, 13)]
    assert (plan[months].sum(axis=1) == plan["touchpoints_n"]).all()
    dm = plan[plan["contact_role"] == "decision_maker"].iloc[0]
    assert dm[months].tolist() == [1] * 12
    ex = plan[plan["contact_role"] == "executive"].iloc[0]  # 4 a year: one a quarter
    assert ex[months].sum() == 4 and ex[months].max() == 1


def test_month_labels_run_over_the_year_end():
    labels = month_labels(dt.date(2025, 11, 15))
    assert labels["m01"] == dt.date(2025, 11, 1) and labels["m03"] == dt.date(2026, 1, 1)


def test_contact_plan_covers_every_contact_in_their_preferred_channel():
    tables, ap = company()
    tables["contacts"] = pd.concat(
        [tables["contacts"], contacts([("C01", "X", "user", "video", "K1")])]
    )
    result = run_team(tables, ap)
    key_ids = set(result.key_accounts["customer_id"])
    people = tables["contacts"][tables["contacts"]["customer_id"].isin(key_ids)]
    cp = result.contact_plan.set_index(["customer_id", "contact_id"])
    assert len(cp) == len(people)
    for row in people.itertuples():
        planned = cp.loc[(row.customer_id, row.contact_id)]
        if isinstance(row.preferred_channel, str):
            assert planned["channel"] == row.preferred_channel
            assert planned["channel_source"] == "preferred"
        else:
            assert planned["channel_source"] == "default"
        assert planned["touchpoints_n"] > 0
        assert isinstance(planned["owner_name"], str)


def test_contract_codes_from_intake_give_channels_or_the_roles_default():
    """Intake turned "Decision-maker"/"Teams", "Buyer"/"E-mail" and "Shop floor"/"Fax" into
    these codes (tests/intake/test_codes.py); an unknown channel is missing, so the role's
    default channel applies."""
    tables, ap = company(n_key=1, strategic=1)
    tables["contacts"] = contacts(
        [
            ("C00", "X1", "decision_maker", "video", "K1"),
            ("C00", "X2", "procurement", "email", "K1"),
            ("C00", "X3", "other", None, "K1"),
        ]
    )
    cp = run_team(tables, ap).contact_plan.set_index("contact_id")
    assert cp["contact_role"].tolist() == ["decision_maker", "procurement", "other"]
    assert cp["channel"].tolist() == ["video", "email", "email"]
    assert cp["channel_source"].tolist() == ["preferred", "preferred", "default"]
    assert cp.loc["X1", "hours_per_touchpoint"] == 1.5
