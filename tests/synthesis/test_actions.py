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


TEAM = pd.DataFrame(
    {
        "person_id": _s(["P1", "P2", "P9", "F1", "F2"]),
        "name": _s(["Jana", "Petr", "Boss", "Eva", "Olga"]),
        "role": _s(["kam", "kam", "executive", "finance", "finance"]),
        "hours_available": [1500.0, 1500.0, 300.0, 200.0, 400.0],
    }
)
CUSTOMERS = pd.DataFrame(
    {"customer_id": _s(["A", "B", "C"]), "account_owner": _s(["P1", "P2", "P1"])}
)


def test_scenarios_replace_the_older_levers_one_per_customer():
    scen = pd.DataFrame(
        {
            "scenario": _s(["reprice", "reserve", "exit", "exit"]),
            "customer_id": _s(["B", "B", "B", "A"]),
            "lever": _s(["x", "y", "z", "z"]),
            "net_profit_before": [-300.0, -300.0, -300.0, 500.0],
            "net_profit_after": [-100.0, -250.0, 0.0, 0.0],
            "assumption": _s(["", "", "", ""]),
        }
    )
    out = action_list(
        PNL, PROFILE, PLAN, BIG, list(contract.TABLES), dt.date(2025, 12, 31), scenarios=scen
    )
    money = out.loc[out["basis"].str.startswith("cts_scenarios")]
    # B: exit gains 300, reprice 200, reserve 50 -> exit alone; A: exit loses 500 -> none
    assert money[["action", "customer_id", "impact_amount"]].values.tolist() == [
        ["exit", "B", 300.0]
    ]
    assert money["basis"].tolist() == ["cts_scenarios.exit"]
    assert not out["action"].isin(["reprice_or_reserve", "exit_review"]).any()


def test_owners_are_people_by_name_kam_then_account_owner_then_role():
    out = action_list(
        PNL, PROFILE, PLAN, BIG, ["invoices"], dt.date(2025, 12, 31), team=TEAM,
        customers=CUSTOMERS,
    )  # fmt: skip
    by = out.set_index(["action", "customer_or_segment"])["owner"]
    assert by[("reprice_or_reserve", "Beta")] == "Petr"  # not in the plan: its account owner
    assert by[("collect_data", "contacts")] == "Olga"  # finance, the most hours
    # C is planned for P2 but owned by P1: a hand-over, owned by its new KAM
    assert by[("assign_kam", "Gama")] == "Petr"
    assert ("assign_kam", "Alfa") not in by.index  # planned KAM is the current owner
    assert not out["owner"].isin(["nan", "<NA>", "None", ""]).any()


def test_top_actions_show_each_lever_once_then_the_largest():
    from kamaudit.synthesis import top_actions

    out = action_list(
        PNL, PROFILE, PLAN, BIG, ["invoices"], dt.date(2025, 12, 31), team=TEAM,
        customers=CUSTOMERS,
    )  # fmt: skip
    top = top_actions(out, 5)
    assert len(top) == 5
    assert top["customer_or_segment"].is_unique
    amounts = top["impact_amount"].dropna().tolist()
    assert amounts == sorted(amounts, reverse=True)
    # every lever left once each customer keeps its largest action is on the page
    best = out.sort_values("impact_amount", ascending=False, na_position="last")
    kinds = set(best.drop_duplicates("customer_or_segment")["action"])
    assert len(kinds) <= 5 and set(top["action"]) == kinds


def test_every_customer_action_names_the_customer_never_its_id():
    # the scenarios carry their own name column (as cts_scenarios does); a customer the P&L
    # does not name is named by the customer master
    scen = pd.DataFrame(
        {
            "scenario": _s(["reprice", "exit"]),
            "customer_id": _s(["B", "D"]),
            "name": _s(["Beta", "Delta"]),
            "lever": _s(["x", "z"]),
            "net_profit_before": [-300.0, -50.0],
            "net_profit_after": [-100.0, 0.0],
            "assumption": _s(["", ""]),
        }
    )
    customers = pd.DataFrame(
        {"customer_id": _s(["A", "B", "C", "D"]), "name": _s(["Alfa", "Beta", "Gama", "Delta"])}
    )
    out = action_list(
        PNL,
        PROFILE,
        PLAN,
        BIG,
        list(contract.TABLES),
        dt.date(2025, 12, 31),
        scenarios=scen,
        customers=customers,
    )
    named = out.loc[out["customer_id"].isin(["A", "B", "C", "D"])]
    expected = named["customer_id"].map(customers.set_index("customer_id")["name"])
    assert (named["name"] == expected).all() and (named["customer_or_segment"] == expected).all()
    assert set(out.loc[out["basis"].str.startswith("cts_scenarios"), "name"]) == {"Beta", "Delta"}
