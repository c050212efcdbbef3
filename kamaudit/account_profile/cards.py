"""Profile cards: one per key account, with risks and next steps from documented rules."""

from __future__ import annotations

import math

import pandas as pd

from .scoring import drivers
from .settings import ProfileSettings

__all__ = ["profile_cards"]


def _risks_and_steps(row: pd.Series, s: ProfileSettings) -> tuple[list[str], list[str]]:
    """Documented rules: risks, then next steps.

    Risks: single_contact (contacts ≤ single_contact_max), late_payment (average days
    late > late_payment_days), falling_revenue (growth < falling_revenue_pct),
    unprofitable (net profit < 0), stale_contact (last contact older than stale_days),
    competitor_ties (average ties ≥ 4), views_disagree.
    Next steps: broaden_contacts (single contact), reach_decision_maker (no decision
    maker known), refresh_contact (stale), review_payment_terms (late payment),
    investigate_decline (falling revenue), fix_cost_to_serve (unprofitable),
    close_perception_gap (views disagree), strengthen_position (strength below the
    midline), grow_share (share of wallet below low_share_of_wallet_pct),
    develop_relationship (transactional or cooperation stage), complete_assessment
    (criteria scored neutral for lack of an assessment), joint_planning (always,
    for deep-plan accounts), maintain (when nothing else applies).
    """
    r, st = s.risks, s.contacts
    risks: list[str] = []
    steps: list[str] = []

    def val(name):
        v = row.get(name)
        return None if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA else v

    if val("single_contact_risk"):
        risks.append("single_contact")
    if (v := val("days_late_avg")) is not None and v > r.late_payment_days:
        risks.append("late_payment")
    if (v := val("growth_pct")) is not None and v < r.falling_revenue_pct:
        risks.append("falling_revenue")
    if (v := val("net_profit")) is not None and v < 0:
        risks.append("unprofitable")
    if (v := val("freshness_days")) is not None and v > st.stale_days:
        risks.append("stale_contact")
    if (v := val("competitor_ties_avg")) is not None and v >= 4:
        risks.append("competitor_ties")
    if val("views_disagree"):
        risks.append("views_disagree")

    if "single_contact" in risks:
        steps.append("broaden_contacts")
    roles = val("roles_covered")
    if roles is not None and "decision_maker" not in str(roles).split(";"):
        steps.append("reach_decision_maker")
    if "stale_contact" in risks:
        steps.append("refresh_contact")
    if "late_payment" in risks:
        steps.append("review_payment_terms")
    if "falling_revenue" in risks:
        steps.append("investigate_decline")
    if "unprofitable" in risks:
        steps.append("fix_cost_to_serve")
    if "views_disagree" in risks:
        steps.append("close_perception_gap")
    if (v := val("strength")) is not None and v < s.split_strength:
        steps.append("strengthen_position")
    if (v := val("share_of_wallet_pct")) is not None and v < r.low_share_of_wallet_pct:
        steps.append("grow_share")
    if val("relationship_stage") in ("transactional", "cooperation"):
        steps.append("develop_relationship")
    if (v := val("missing_assessments_n")) is not None and v > 0:
        steps.append("complete_assessment")
    if val("is_deep_plan"):
        steps.append("joint_planning")
    if not steps:
        steps.append("maintain")
    return risks, steps


def profile_cards(
    profile: pd.DataFrame, metrics: pd.DataFrame, detail: pd.DataFrame, settings: ProfileSettings
) -> pd.DataFrame:
    """One row per key account (``profile_cards``): identity, P&L, position, stage,
    contacts, risks and next steps (";"-joined codes), strengths and weaknesses."""
    assess_names = {c.name for c in settings.criteria if c.source == "assessment"}
    miss_assess = (
        detail.loc[detail["missing"] & detail["criterion"].isin(assess_names)]
        .groupby("customer_id")
        .size()
    )
    m = metrics.set_index("customer_id")
    keys = profile.loc[profile["is_key_account"]].copy()
    extra = [
        "region",
        "client_flag",
        "account_owner",
        "gross_margin",
        "cts_total",
        "net_profit_pct",
        "growth_pct",
        "days_late_avg",
        "payment_discipline_pct",
        "share_of_wallet_pct",
        "tenure_years",
        "order_regularity_pct",
        "roles_covered",
        "roles_missing",
        "relationship_strength_avg",
        "competitor_ties_avg",
        "freshness_days",
        "relationship_shape",
    ]
    for col in extra:
        keys[col] = m[col].reindex(keys["customer_id"]).to_numpy()
    keys["missing_assessments_n"] = (
        miss_assess.reindex(keys["customer_id"]).fillna(0).astype("int64").to_numpy()
    )
    lift = drivers(detail.loc[detail["customer_id"].isin(keys["customer_id"])])
    keys["strengths"] = (
        lift["strengths"].reindex(keys["customer_id"]).fillna("").astype("str").to_numpy()
    )
    keys["weaknesses"] = (
        lift["weaknesses"].reindex(keys["customer_id"]).fillna("").astype("str").to_numpy()
    )
    risks, steps = [], []
    for _, row in keys.iterrows():  # key accounts only: a few dozen rows at most
        rk, sp = _risks_and_steps(row, settings)
        risks.append(";".join(rk))
        steps.append(";".join(sp))
    keys["risks"] = pd.Series(risks, index=keys.index, dtype="str")
    keys["next_steps"] = pd.Series(steps, index=keys.index, dtype="str")
    cols = [
        "customer_id",
        "name",
        "industry",
        "region",
        "client_flag",
        "account_owner",
        "net_revenue",
        "gross_margin",
        "cts_total",
        "net_profit",
        "net_profit_pct",
        "growth_pct",
        "attractiveness",
        "strength",
        "quadrant",
        "client_view",
        "views_disagree",
        "relationship_stage",
        "stage_source",
        "win_keep_probability",
        "contacts_n",
        "roles_covered_n",
        "roles_covered",
        "roles_missing",
        "relationship_shape",
        "freshness_days",
        "single_contact_risk",
        "days_late_avg",
        "share_of_wallet_pct",
        "is_deep_plan",
        "selection_frequency",
        "stability",
        "strengths",
        "weaknesses",
        "risks",
        "next_steps",
    ]
    keys = keys.sort_values(["is_deep_plan", "net_profit"], ascending=[False, False])
    return keys[cols].reset_index(drop=True)
