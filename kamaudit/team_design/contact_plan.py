"""The twelve-month contact plan: every contact at every key account, in their channel.

``contacts.role`` and ``contacts.preferred_channel`` hold contract codes
(:data:`kamaudit.contract.CONTACT_ROLES`, :data:`kamaudit.contract.CHANNELS`): intake
normalised them. A contact without a role is planned as ``other``; without a preferred
channel, in the default channel of their role.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from .common import is_missing
from .settings import TeamSettings

__all__ = ["MONTHS", "contact_plan", "month_labels", "with_owners"]

MONTHS: tuple[str, ...] = tuple(f"m{m + 1:02d}" for m in range(12))
"""The month columns of the plan; ``m01`` is the plan's first month."""


def _contacts_of(key: pd.DataFrame, contacts: pd.DataFrame | None) -> pd.DataFrame:
    """Contacts at key accounts, normalised (a placeholder decision maker when none are given)."""
    cols = [
        "customer_id",
        "contact_id",
        "contact_name",
        "contact_role",
        "role_given",
        "preferred_channel",
        "current_owner",
        "last_contact_date",
        "relationship_strength",
        "seniority",
        "is_placeholder",
    ]
    if contacts is None:
        df = pd.DataFrame(
            {
                "customer_id": key["customer_id"],
                "contact_id": key["customer_id"] + "-DM",
                "contact_name": pd.NA,
                "contact_role": "decision_maker",
                "role_given": pd.NA,
                "preferred_channel": pd.NA,
                "current_owner": pd.NA,
                "last_contact_date": pd.NaT,
                "relationship_strength": np.nan,
                "seniority": pd.NA,
                "is_placeholder": True,
            }
        )
        return df[cols]
    c = contacts.copy()
    c["customer_id"] = c["customer_id"].astype("str")
    c = c[c["customer_id"].isin(set(key["customer_id"]))]
    if "contact_id" not in c.columns:
        c["contact_id"] = pd.NA
    c["contact_id"] = c["contact_id"].astype("str")
    missing_id = c["contact_id"].isna()
    if missing_id.any():
        c.loc[missing_id, "contact_id"] = (
            c.loc[missing_id, "customer_id"]
            + "-"
            + pd.Series(np.arange(missing_id.sum()) + 1, index=c.index[missing_id]).astype("str")
        )
    df = pd.DataFrame(
        {
            "customer_id": c["customer_id"],
            "contact_id": c["contact_id"],
            "contact_name": c["name"] if "name" in c.columns else pd.NA,
            "role_given": c["role"] if "role" in c.columns else pd.NA,
            "preferred_channel": c["preferred_channel"]
            if "preferred_channel" in c.columns
            else pd.NA,
            "current_owner": c["owner"] if "owner" in c.columns else pd.NA,
            "last_contact_date": pd.to_datetime(c["last_contact_date"], errors="coerce")
            if "last_contact_date" in c.columns
            else pd.NaT,
            "relationship_strength": pd.to_numeric(c["relationship_strength"], errors="coerce")
            if "relationship_strength" in c.columns
            else np.nan,
            "seniority": c["seniority"] if "seniority" in c.columns else pd.NA,
            "is_placeholder": False,
        }
    )
    df["contact_role"] = (
        df["role_given"].astype("object").map(lambda r: "other" if is_missing(r) else r)
    )
    return df.sort_values(["customer_id", "contact_id"], kind="mergesort")[cols].reset_index(
        drop=True
    )


def _calendar(n: int, offset: int) -> list[int]:
    """``n`` touchpoints spread evenly over 12 months, rotated by ``offset`` months."""
    base = [((m + 1) * n) // 12 - (m * n) // 12 for m in range(12)]
    k = offset % 12
    return base[-k:] + base[:-k] if k else base


def contact_plan(
    key: pd.DataFrame,
    contacts: pd.DataFrame | None,
    settings: TeamSettings | None = None,
    staffed_roles: set[str] | None = None,
    plan_start: dt.date | None = None,
) -> pd.DataFrame:
    """A twelve-month plan for every contact at every key account.

    Channel: the contact's preferred channel as given, else the default for their role.
    Touchpoints a year: by contact role and tier. Owner role on our side: by contact role
    (``contact_owner_role``), falling back to the KAM when that role is not staffed
    (``staffed_roles``) or, for executives, when the tier has no sponsor.

    Returns one row per contact: ``customer_id, contact_id, contact_name, contact_role,
    tier, channel, channel_source (preferred/default), touchpoints_n, hours_per_touchpoint,
    hours, owner_role, current_owner, is_placeholder, m01..m12`` (touchpoints per month;
    ``m01`` is ``plan_start``'s month).
    """
    settings = settings or TeamSettings()
    c = _contacts_of(key, contacts)
    tiers = key.set_index("customer_id")["tier"]
    c["tier"] = c["customer_id"].map(tiers).astype("str")
    channels, sources, hours_tp, owners, tps = [], [], [], [], []
    median_hours = float(np.median(list(settings.hours_per_touchpoint.values())))
    for row in c.itertuples(index=False):
        given = row.preferred_channel
        if not is_missing(given):
            channel, source = str(given), "preferred"
        else:
            channel, source = settings.default_channel.get(row.contact_role, "email"), "default"
        h = settings.hours_per_touchpoint.get(channel, median_hours)
        owner = settings.contact_owner_role.get(row.contact_role, "kam")
        if owner == "executive" and row.tier not in settings.sponsor_tiers:
            owner = "kam"
        if staffed_roles is not None and owner not in staffed_roles:
            owner = "kam"
        channels.append(channel)
        sources.append(source)
        hours_tp.append(float(h))
        owners.append(owner)
        tps.append(int(round(settings.touchpoints(row.contact_role, row.tier))))
    c["channel"] = pd.Series(channels, index=c.index, dtype="str")
    c["channel_source"] = pd.Series(sources, index=c.index, dtype="str")
    c["touchpoints_n"] = pd.Series(tps, index=c.index, dtype="int64")
    c["hours_per_touchpoint"] = pd.Series(hours_tp, index=c.index, dtype="float64")
    c["hours"] = c["touchpoints_n"] * c["hours_per_touchpoint"]
    c["owner_role"] = pd.Series(owners, index=c.index, dtype="str")
    pos = c.groupby("customer_id", sort=False).cumcount().to_numpy()
    months = np.array(
        [_calendar(n, int(p)) for n, p in zip(c["touchpoints_n"], pos, strict=True)], dtype="int64"
    ).reshape(len(c), 12)
    for m, col in enumerate(MONTHS):
        c[col] = months[:, m]
    cols = [
        "customer_id",
        "contact_id",
        "contact_name",
        "contact_role",
        "role_given",
        "tier",
        "channel",
        "channel_source",
        "touchpoints_n",
        "hours_per_touchpoint",
        "hours",
        "owner_role",
        "current_owner",
        "last_contact_date",
        "relationship_strength",
        "is_placeholder",
    ] + list(MONTHS)
    return c[cols].reset_index(drop=True)


def month_labels(plan_start: dt.date) -> dict[str, dt.date]:
    """``{"m01": first day of plan_start's month, ...}`` for the twelve month columns."""
    out = {}
    y, m = plan_start.year, plan_start.month
    for i in range(12):
        out[f"m{i + 1:02d}"] = dt.date(y + (m - 1 + i) // 12, (m - 1 + i) % 12 + 1, 1)
    return out


def with_owners(cplan: pd.DataFrame, plan: pd.DataFrame, names: pd.Series) -> pd.DataFrame:
    """The contact plan with its planned owners: the person staffing the owner role on the
    account (``owner_id``, ``owner_name``), else the account's KAM (``owner_role`` becomes
    ``kam``), and the customer's name after the id. Returns a new DataFrame."""
    cplan = cplan.copy()
    if len(plan):
        assigned = plan[plan["person_id"].notna()]
        who = {(r.customer_id, r.role): (r.person_id, r.person_name) for r in assigned.itertuples()}
        ids, nm, role_used = [], [], []
        for r in cplan.itertuples(index=False):
            role = r.owner_role
            got = who.get((r.customer_id, role))
            if got is None and role != "kam" and (r.customer_id, "kam") in who:
                got, role = who[(r.customer_id, "kam")], "kam"
            ids.append(got[0] if got else None)
            nm.append(got[1] if got else None)
            role_used.append(role)
        cplan["owner_id"] = pd.Series(ids, index=cplan.index, dtype="str")
        cplan["owner_name"] = pd.Series(nm, index=cplan.index, dtype="str")
        cplan["owner_role"] = pd.Series(role_used, index=cplan.index, dtype="str")
    else:
        cplan["owner_id"] = pd.Series(pd.NA, index=cplan.index, dtype="str")
        cplan["owner_name"] = pd.Series(pd.NA, index=cplan.index, dtype="str")
    cplan.insert(1, "customer_name", cplan["customer_id"].map(names).astype("str"))
    return cplan
