"""Cards: risks and next steps follow the documented rules."""

from __future__ import annotations

import pandas as pd

from kamaudit.account_profile import ProfileSettings
from kamaudit.account_profile.cards import _risks_and_steps


def test_risks_and_steps_by_hand():
    row = pd.Series(
        {
            "single_contact_risk": True,
            "days_late_avg": 40.0,
            "growth_pct": -20.0,
            "net_profit": 10.0,
            "freshness_days": 400.0,
            "competitor_ties_avg": 2.0,
            "views_disagree": False,
            "roles_covered": "procurement",
            "strength": 7.0,
            "share_of_wallet_pct": float("nan"),
            "relationship_stage": "partnership",
            "missing_assessments_n": 0,
            "is_deep_plan": True,
        }
    )
    risks, steps = _risks_and_steps(row, ProfileSettings())
    assert risks == ["single_contact", "late_payment", "falling_revenue", "stale_contact"]
    assert steps == [
        "broaden_contacts",
        "reach_decision_maker",
        "refresh_contact",
        "review_payment_terms",
        "investigate_decline",
        "joint_planning",
    ]
    calm = row.copy()
    calm.update(
        {
            "single_contact_risk": False,
            "days_late_avg": 0.0,
            "growth_pct": 5.0,
            "freshness_days": 10.0,
            "roles_covered": "decision_maker",
            "is_deep_plan": False,
        }
    )
    assert _risks_and_steps(calm, ProfileSettings()) == ([], ["maintain"])
