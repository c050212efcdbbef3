"""The action list: each action from the table its basis names, owners from the team plan."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from kamaudit import contract
from kamaudit.synthesis import ACTION_COLUMNS, action_list


def _s(values):
    return pd.Series(values, dtype="str")


PNL = pd.DataFrame(
    {
        "customer_id": _s(["A", "B", "C"]),
        "name": _s(["Alfa", "Beta", "Gama"]),
        "net_profit": [500.0, -300.0, 40.0],
        "profit_change_if_dropped": [-500.0, 120.0, -10.0],
    }
)
PROFILE = pd.DataFrame(
    {
        "customer_id": _s(["A", "B", "C"]),
        "name": _s(["Alfa", "Beta", "Gama"]),
        "net_profit": [500.0, -300.0, 40.0],
        "is_key_account": [True, False, True],
        "quadrant": _s(["Strategic", "Status", "Star"]),
        "single_contact_risk": pd.array([False, True, True], dtype="boolean"),
    }
)
PLAN = pd.DataFrame(
    {
        "customer_id": _s(["A", "A", "C"]),
        "person_id": _s(["P1", "P9", "P2"]),
        "person_name": _s(["Jana", "Boss", "Petr"]),
        "role": _s(["kam", "executive", "kam"]),
    }
)
BIG = PNL.loc[PNL["customer_id"] == "B"]


def test_each_action_comes_from_its_basis_with_owner_and_date():
    out = action_list(PNL, PROFILE, PLAN, BIG, ["invoices", "customers"], dt.date(2025, 12, 31))
    assert list(out.columns) == ACTION_COLUMNS
    got = {
        (a, c): (imp, owner)
        for a, c, imp, owner in out[["action", "customer_id", "impact_amount", "owner"]].itertuples(
            index=False
        )
    }
    assert got[("reprice_or_reserve", "B")][0] == 300.0  # the loss to recover
    assert got[("exit_review", "B")][0] == 120.0
    assert got[("add_contacts", "C")] == (40.0, "Petr")  # key account on one contact, its KAM
    assert ("add_contacts", "B") not in got  # not a key account
    assert got[("appoint_sponsor", "A")] == (500.0, "Boss")
    missing = set(out.loc[out["action"] == "collect_data", "segment"])
    assert missing == set(contract.TABLES) - {"invoices", "customers"}
    due = out.groupby("action")["due_date"].agg(["min", "max"])
    assert due.loc["add_contacts"].tolist() == [pd.Timestamp("2026-01-30")] * 2
    assert due.loc["reprice_or_reserve", "max"] == pd.Timestamp("2026-03-31")
    assert (out["basis"].str.contains(".")).all()


def test_nothing_to_do_gives_an_empty_list_with_the_columns():
    calm = PNL.assign(profit_change_if_dropped=-1.0)
    out = action_list(calm, None, None, None, list(contract.TABLES), dt.date(2025, 12, 31))
    assert out.empty and list(out.columns) == ACTION_COLUMNS
