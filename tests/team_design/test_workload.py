"""team_design.workload: hours per key account and role, checked by hand."""

from __future__ import annotations

import pytest

from kamaudit.team_design import TeamSettings, contact_plan, key_accounts, workload

from .frames import contacts, profile


def test_workload_by_hand():
    """Strategic: 12 meetings x 4 h + 40 + 24 + 40 h = 152 KAM hours; finance 4 emails x 0.25 h + 8 h."""
    ap = profile([("A", "Strategic", True), ("B", "Star", True), ("C", "Status", False)])
    people = contacts(
        [
            ("A", "A1", "decision_maker", "meeting", "K1"),
            ("A", "A2", "finance", None, "K1"),
            ("B", "B1", "influencer", "phone", "K1"),
            ("C", "C1", "decision_maker", "meeting", "K1"),  # not a key account
        ]
    )
    s = TeamSettings()
    key = key_accounts(ap, None, s)
    assert key["customer_id"].tolist() == ["A", "B"]
    plan = contact_plan(key, people, s)
    work = workload(key, plan, s).set_index("customer_id")
    assert work.loc["A", "touchpoints_n"] == 12 + 4
    assert work.loc["A", "hours_kam"] == pytest.approx(12 * 4.0 + 40 + 24 + 40)  # 152
    assert work.loc["A", "hours_finance"] == pytest.approx(4 * 0.25 + 8)  # 9
    assert work.loc["A", "hours_executive"] == pytest.approx(8)  # sponsor of a Strategic account
    assert work.loc["A", "hours_logistics"] == pytest.approx(10)
    # Star: 6 phone calls x 0.75 h + 32 + 16 + 32 h = 84.5; no sponsor
    assert work.loc["B", "hours_kam"] == pytest.approx(6 * 0.75 + 32 + 16 + 32)
    assert work.loc["B", "hours_executive"] == 0
    assert work.loc["A", "hours_total"] == pytest.approx(
        sum(
            work.loc["A", f"hours_{r}"]
            for r in ("kam", "executive", "finance", "logistics", "marketing", "specialist")
        )
    )
