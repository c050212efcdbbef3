"""Scoring: anchored scales, percentiles, value share, neutral scores for missing values."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from pydantic import ValidationError

from kamaudit.account_profile import NEUTRAL, Criterion, ProfileSettings, score_customers

from .common import customer_sets, key_name, metrics_frame, prop_settings, two_criteria


def test_anchored_thresholds_by_hand():
    # nine thresholds anchor whole scores 1-10: a profit of 250 passes 0, 100, 200 -> 1 + 3 = 4
    s = two_criteria(attr_thresholds=[0, 100, 200, 300, 400, 500, 600, 700, 800])
    m = metrics_frame(
        net_profit=[-50.0, 250.0, 800.0, 10_000.0], relationship_strength_avg=[1.0, 2.0, 3.0, 4.0]
    )
    wide, detail, _ = score_customers(m, None, s)
    assert wide["score_net_profit"].tolist() == [1.0, 4.0, 10.0, 10.0]
    assert wide["attractiveness"].tolist() == [1.0, 4.0, 10.0, 10.0]


def test_percentiles_when_no_thresholds_and_direction_lower():
    # three customers: lowest 1, middle 5.5, highest 10; "lower" reverses
    s = ProfileSettings(
        criteria=[
            Criterion(name="net_profit", axis="attractiveness", source="net_profit", weight=60),
            Criterion(
                name="payment_discipline",
                axis="attractiveness",
                source="payment_discipline",
                weight=40,
            ),
            Criterion(
                name="competitor_ties",
                axis="strength",
                source="competitor_ties",
                weight=100,
                direction="lower",
            ),
        ]
    )
    m = metrics_frame(
        net_profit=[10.0, 20.0, 30.0],
        payment_discipline_pct=[100.0, 50.0, 0.0],
        competitor_ties_avg=[1.0, 3.0, 5.0],
    )
    wide, _, _ = score_customers(m, None, s)
    assert wide["score_net_profit"].tolist() == [1.0, 5.5, 10.0]
    assert wide["score_payment_discipline"].tolist() == [10.0, 5.5, 1.0]
    assert wide["score_competitor_ties"].tolist() == [10.0, 5.5, 1.0]
    # weighted: 0.6 * 1 + 0.4 * 10 = 4.6 ; 0.6 * 10 + 0.4 * 1 = 6.4
    assert wide["attractiveness"].round(6).tolist() == [4.6, 5.5, 6.4]


def test_value_share_scale_by_hand():
    # shares of the total (100) held by customers up to each one: 0, 0.1, 0.4, 1.0
    s = ProfileSettings(
        criteria=[
            Criterion(
                name="net_revenue",
                axis="attractiveness",
                source="net_revenue",
                weight=100,
                scale="value_share",
            ),
            Criterion(name="reliability", axis="strength", weight=100),
        ]
    )
    m = metrics_frame(net_revenue=[-5.0, 10.0, 30.0, 60.0])
    wide, _, _ = score_customers(m, None, s)
    assert wide["score_net_revenue"].round(6).tolist() == [1.0, 1.9, 4.6, 10.0]
    with pytest.raises(ValidationError, match="value_share"):
        Criterion(
            name="x",
            axis="strength",
            source="competitor_ties",
            weight=1,
            direction="lower",
            scale="value_share",
        )


def test_missing_assessment_scores_neutral_and_is_flagged():
    s = ProfileSettings(
        criteria=[
            Criterion(name="strategic_value", axis="attractiveness", weight=100),
            Criterion(name="reliability", axis="strength", weight=50),
            Criterion(name="quality", axis="strength", weight=50),
        ]
    )
    m = metrics_frame(net_profit=[1.0, 2.0])
    ass = pd.DataFrame(
        {
            "customer_id": ["C0", "C0", "C1"],
            "criterion": ["strategic_value", "reliability", "reliabilty"],
            "score": [8.0, 9.0, 3.0],
            "source": ["internal", "client", "client"],
        }
    )
    wide, detail, notes = score_customers(m, ass, s)
    assert wide.loc[0, "attractiveness"] == 8.0
    assert wide.loc[0, "strength"] == pytest.approx(0.5 * 9 + 0.5 * NEUTRAL)
    assert wide.loc[1, "attractiveness"] == NEUTRAL
    assert wide.loc[1, "missing"] == "strategic_value;reliability;quality"
    assert wide["criteria_missing_n"].tolist() == [1, 3]
    codes = {key_name(m): m.params for m in notes}
    assert codes["assessment_absent"]["criterion"] == "quality"
    assert "reliabilty" in codes["assessments_unused"]["criteria"]
    assert detail.loc[
        (detail["customer_id"] == "C1") & (detail["criterion"] == "quality"), "missing"
    ].item()


def test_no_assessments_at_all_is_said():
    m = metrics_frame(net_profit=[1.0, 2.0], relationship_strength_avg=[2.0, 3.0])
    _, _, notes = score_customers(m, None, ProfileSettings())
    assert any(m.key == "account_profile.notes.no_assessments" for m in notes)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(customer_sets())
def test_property_better_on_every_criterion_never_scores_lower(case):
    n, profit, margin, rel, ties, rev, weights, thresholds = case
    s = prop_settings(weights, thresholds)
    m = metrics_frame(
        net_profit=profit,
        net_profit_pct=margin,
        relationship_strength_avg=rel,
        competitor_ties_avg=ties,
        net_revenue=rev,
    )
    # add a customer that dominates customer 0 on every criterion
    better = m.iloc[[0]].copy()
    better["customer_id"] = "BETTER"
    better["net_profit"] += 1
    better["net_profit_pct"] += 1
    better["relationship_strength_avg"] = min(5.0, better["relationship_strength_avg"].item() + 0.5)
    better["competitor_ties_avg"] = max(1.0, better["competitor_ties_avg"].item() - 0.5)
    m2 = pd.concat([m, better], ignore_index=True)
    wide, _, _ = score_customers(m2, None, s)
    a = wide.set_index("customer_id")
    assert a.loc["BETTER", "attractiveness"] >= a.loc["C0", "attractiveness"] - 1e-9
    assert a.loc["BETTER", "strength"] >= a.loc["C0", "strength"] - 1e-9
    assert wide[["attractiveness", "strength"]].stack().between(1, 10).all()
