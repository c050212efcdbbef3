"""Relationship: contact coverage, stage from indicators or assessed, win/keep."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kamaudit.account_profile import (
    ProfileSettings,
    contact_coverage,
    relationship,
    score_customers,
)

from .common import contacts_frame, metrics_frame


def test_contact_coverage_by_hand():
    cov = contact_coverage(contacts_frame(), ["A", "B", "C"], pd.Timestamp("2025-12-31")).set_index(
        "customer_id"
    )
    assert cov["contacts_n"].tolist() == [1, 4, 0]
    assert cov["roles_covered_n"].tolist() == [1, 3, 0]
    assert cov.loc["B", "roles_covered"] == "decision_maker;finance;user"
    assert "decision_maker" in cov.loc["A", "roles_missing"]
    assert cov["single_contact_risk"].tolist() == [True, False, True]
    assert cov["relationship_shape"].tolist() == ["bow_tie", "diamond", "none"]
    assert cov.loc["A", "freshness_days"] == 364
    assert cov.loc["B", "relationship_strength_avg"] == 3.0


def test_no_contacts_table_is_missing_not_zero():
    cov = contact_coverage(None, ["A"], pd.Timestamp("2025-12-31"))
    assert cov["contacts_n"].isna().all()
    assert cov["single_contact_risk"].isna().all()


def test_relationship_stage_from_indicators_and_assessed_override():
    s = ProfileSettings()
    m = metrics_frame(
        net_profit=[1.0, 1.0, 1.0],
        tenure_years=[0.2, 2.0, 2.0],
        order_regularity_pct=[100.0, 80.0, 80.0],
        contacts_n=[5.0, 4.0, 4.0],
        roles_covered_n=[5.0, 3.0, 3.0],
        share_of_wallet_pct=[np.nan, 40.0, 40.0],
        relationship_strength_avg=[3.0, 3.0, 3.0],
        competitor_ties_avg=[3.0, 3.0, 3.0],
        freshness_days=[10.0, 10.0, 10.0],
        single_contact_risk=pd.array([False, False, False], dtype="boolean"),
    )
    wide, _, _ = score_customers(m, None, s)
    ass = pd.DataFrame(
        {
            "customer_id": ["C2"],
            "criterion": ["relationship_stage"],
            "score": [9.0],
            "source": ["internal"],
        }
    )
    rel = relationship(m, wide, ass, s)
    # C0 is too new for cooperation (tenure 0.2 < 0.5); C1 meets partnership; C2 assessed 9 -> synergy
    assert rel["stage_inferred"].tolist() == ["transactional", "partnership", "partnership"]
    assert rel["relationship_stage"].tolist() == ["transactional", "partnership", "synergy"]
    assert rel["stage_source"].tolist() == ["inferred", "inferred", "assessed"]
    # a stage named in the customer master wins over both
    m2 = m.assign(stage_given=["cooperation", None, None])
    rel2 = relationship(m2, wide, ass, s)
    assert rel2["relationship_stage"].tolist() == ["cooperation", "partnership", "synergy"]
    p = rel["win_keep_probability"]
    assert p.between(0.05, 0.95).all()
    assert p[2] > p[1] > p[0]


def test_roles_are_the_contracts_codes_in_its_order():
    """Issue 11, defect 2: intake normalises "Decision-maker" and "Buyer" to contract codes,
    and the profile reads those codes as they are (no spelling of its own)."""
    from kamaudit.account_profile import contact_map
    from kamaudit.contract import CONTACT_ROLES

    c = contacts_frame()
    c["role"] = CONTACT_ROLES.normalise_series(
        pd.Series(["Buyer", "Decision-maker", "finance", "User", "end user"])
    )
    cov = contact_coverage(c, ["A", "B"], pd.Timestamp("2025-12-31")).set_index("customer_id")
    assert cov.loc["A", "roles_covered"] == "procurement"
    assert "decision_maker" not in cov.loc["B", "roles_missing"].split(";")
    missing_a = cov.loc["A", "roles_missing"].split(";")
    assert missing_a == [r for r in CONTACT_ROLES.codes if r != "procurement"]
    grid = contact_map(c, ["B"])
    assert grid["role"].tolist() == list(CONTACT_ROLES.codes)
    assert grid.set_index("role").loc["user", "contacts_n"] == 2
