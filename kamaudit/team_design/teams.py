"""The cross-functional team around each key account: the matrix of roles, the KAM and
executive sponsor of each account, and the coverage of the customer's contacts (who holds
each relationship on our side, and which accounts hang on one person: a bow tie)."""

from __future__ import annotations

import pandas as pd

from ..contract import TEAM_ROLES
from .roster import match_person

__all__ = ["assignments", "coverage", "team_matrix"]


def team_matrix(key: pd.DataFrame, plan: pd.DataFrame) -> pd.DataFrame:
    """Accounts × roles: who (``<role>``) and how many hours (``<role>_hours``) per account."""
    out = key[["customer_id", "name", "tier"]].copy()
    for role in TEAM_ROLES:
        p = plan[plan["role"] == role].drop_duplicates("customer_id").set_index("customer_id")
        out[role] = out["customer_id"].map(p["person_name"]).astype("str")
        out[f"{role}_hours"] = out["customer_id"].map(p["hours"]).fillna(0.0).astype("float64")
    out["total_hours"] = out[[f"{r}_hours" for r in TEAM_ROLES]].sum(axis=1)
    return out.reset_index(drop=True)


def coverage(key: pd.DataFrame, cplan: pd.DataFrame, roster: pd.DataFrame | None) -> pd.DataFrame:
    """Our people × their contacts: who holds which relationship, now and in the plan.

    One row per contact: ``customer_id, customer_name, contact_id, contact_name,
    contact_role, current_owner, current_owner_id, owner_id, owner_name, owner_role``
    (planned), and per account ``current_holders_n`` / ``planned_holders_n`` (distinct
    people on our side) with ``single_holder_current`` / ``single_holder_planned`` flags:
    a relationship held by one person on our side (a bow tie).
    """
    names = key.set_index("customer_id")["name"]
    c = cplan[~cplan["is_placeholder"].astype(bool)].copy()
    r = roster if roster is not None else pd.DataFrame(columns=["person_id", "name"])
    c["current_owner_id"] = c["current_owner"].astype("object").map(lambda v: match_person(v, r))
    c["current_owner_id"] = c["current_owner_id"].astype("str")
    given = c["current_owner"].astype("str").str.strip().str.lower()
    cur_key = c["current_owner_id"].where(c["current_owner_id"].notna(), given.where(given != ""))
    c["_cur"] = cur_key
    cols = [
        "customer_id",
        "customer_name",
        "contact_id",
        "contact_name",
        "contact_role",
        "current_owner",
        "current_owner_id",
        "owner_id",
        "owner_name",
        "owner_role",
        "current_holders_n",
        "planned_holders_n",
        "single_holder_current",
        "single_holder_planned",
    ]
    c["customer_name"] = c["customer_id"].map(names)
    if "owner_id" not in c.columns:
        c["owner_id"] = pd.NA
        c["owner_name"] = pd.NA
    c["current_holders_n"] = c.groupby("customer_id")["_cur"].transform("nunique").astype("int64")
    c["planned_holders_n"] = (
        c.groupby("customer_id")["owner_id"].transform("nunique").astype("int64")
    )
    c["single_holder_current"] = c["current_holders_n"] <= 1
    c["single_holder_planned"] = c["planned_holders_n"] <= 1
    for col in ("customer_name", "owner_id", "owner_name"):
        c[col] = c[col].astype("str")
    return c[cols].reset_index(drop=True)


def assignments(key: pd.DataFrame, plan: pd.DataFrame) -> pd.DataFrame:
    """One row per key account: its KAM and sponsor, with the reasons."""
    out = key[
        ["customer_id", "name", "industry", "language", "tier", "priority", "account_owner"]
    ].copy()
    for role, prefix in (("kam", "kam"), ("executive", "sponsor")):
        p = plan[plan["role"] == role].drop_duplicates("customer_id").set_index("customer_id")
        out[f"{prefix}_id"] = out["customer_id"].map(p["person_id"]).astype("str")
        out[f"{prefix}_name"] = out["customer_id"].map(p["person_name"]).astype("str")
        out[f"{prefix}_hours"] = out["customer_id"].map(p["hours"]).astype("float64")
        out[f"{prefix}_reason"] = out["customer_id"].map(p["reason"]).astype("str")
        out[f"{prefix}_reason_codes"] = out["customer_id"].map(p["reason_codes"]).astype("str")
    return out.reset_index(drop=True)
