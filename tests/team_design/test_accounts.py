"""team_design.accounts: the key accounts, their tiers and their order."""

from __future__ import annotations

from kamaudit.team_design import key_accounts

from .frames import profile, run_team, said, team


def test_key_accounts_in_order_of_tier_then_attractiveness():
    ap = profile([("A", "Star", True), ("B", "Strategic", True), ("C", "Status", False)])
    key = key_accounts(ap)
    assert key["customer_id"].tolist() == ["B", "A"]
    assert key["priority"].tolist() == [1, 2]
    assert key["name"].tolist() == ["Customer B", "Customer A"]


def test_unknown_quadrant_is_planned_at_the_default_tier_and_said():
    ap = profile([("A", "Key", True), ("B", "strategic", True)])
    result = run_team({"team": team([("K1", "kam", 1600, None)])}, ap)
    key = result.key_accounts.set_index("customer_id")
    assert key.loc["A", "tier"] == "Status" and bool(key.loc["A", "tier_assumed"])
    assert key.loc["B", "tier"] == "Strategic" and not bool(key.loc["B", "tier_assumed"])
    assert said(result)["tier_assumed"] == (
        "1 key accounts have no quadrant the plan knows (Customer A): they are planned as Status."
    )
