"""Workload: hours a year per key account and role on our side."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..contract import TEAM_ROLES
from .settings import SUPPORT_ROLES, TeamSettings

__all__ = ["workload"]


def workload(
    key: pd.DataFrame, plan: pd.DataFrame, settings: TeamSettings | None = None
) -> pd.DataFrame:
    """Hours a year per key account and role.

    KAM: touchpoints the KAM owns, plus planning, analysis and coordination by tier.
    Executive (sponsored tiers only), finance, logistics, marketing, specialist:
    ``support_hours`` by tier plus the touchpoints that role owns.

    Returns ``customer_id, name, tier, contacts_n, touchpoints_n, touchpoint_hours,
    planning_hours, analysis_hours, coordination_hours, hours_kam, hours_executive,
    hours_finance, hours_logistics, hours_marketing, hours_specialist, hours_total``.

    Example: a Strategic account with one decision maker who prefers meetings, under the
    defaults: 12 meetings × 4 h = 48 h, plus 40 + 24 + 40 h = 152 KAM hours.
    """
    settings = settings or TeamSettings()
    real = plan[~plan["is_placeholder"].astype(bool)]
    by_owner = plan.pivot_table(
        index="customer_id", columns="owner_role", values="hours", aggfunc="sum", fill_value=0.0
    )
    out = key[["customer_id", "name", "tier"]].copy()
    out["contacts_n"] = (
        out["customer_id"].map(real.groupby("customer_id").size()).fillna(0).astype("int64")
    )
    out["touchpoints_n"] = (
        out["customer_id"]
        .map(plan.groupby("customer_id")["touchpoints_n"].sum())
        .fillna(0)
        .astype("int64")
    )
    out["touchpoint_hours"] = (
        out["customer_id"]
        .map(plan.groupby("customer_id")["hours"].sum())
        .fillna(0.0)
        .astype("float64")
    )
    ph, ah, ch = (
        zip(*[settings.tier_hours(t) for t in out["tier"]], strict=True)
        if len(out)
        else ((), (), ())
    )
    out["planning_hours"] = np.asarray(ph, dtype="float64")
    out["analysis_hours"] = np.asarray(ah, dtype="float64")
    out["coordination_hours"] = np.asarray(ch, dtype="float64")

    def owned(role: str) -> pd.Series:
        if role in by_owner.columns:
            return out["customer_id"].map(by_owner[role]).fillna(0.0).astype("float64")
        return pd.Series(0.0, index=out.index)

    out["hours_kam"] = (
        owned("kam") + out["planning_hours"] + out["analysis_hours"] + out["coordination_hours"]
    )
    sponsored = out["tier"].isin(settings.sponsor_tiers)
    out["hours_executive"] = owned("executive") + out["tier"].map(
        lambda t: settings.support("executive", t)
    ).astype("float64").where(sponsored, 0.0)
    for role in SUPPORT_ROLES:
        out[f"hours_{role}"] = owned(role) + out["tier"].map(
            lambda t, r=role: settings.support(r, t)
        ).astype("float64")
    out["hours_total"] = out[[f"hours_{r}" for r in TEAM_ROLES]].sum(axis=1)
    return out.reset_index(drop=True)
