"""Headcount: FTE needed per role against the roster."""

from __future__ import annotations

import pandas as pd

from ..contract import TEAM_ROLES
from .settings import DEFAULT_KAM_CAP, TeamSettings

__all__ = ["headcount"]


def headcount(
    work: pd.DataFrame,
    roster: pd.DataFrame | None,
    settings: TeamSettings | None = None,
    plan: pd.DataFrame | None = None,
    head: tuple[float, float] = (0.0, 0.0),
) -> pd.DataFrame:
    """Headcount needed per role against the roster.

    FTE needed = hours needed ÷ (productive hours × the role's share for key accounts); for
    KAMs at least accounts ÷ the cap. Roster FTE = the roster's capacity in the same unit.
    ``head`` is the head of KAM's (hours needed, hours given): the executives' row counts
    them as the plan does, so their hours needed, assigned and spare agree with
    ``team_load`` (the head of KAM leads first, then sponsors).

    Returns ``role, accounts_n, hours_needed, hours_per_fte, fte_needed, people_n,
    roster_capacity_hours, roster_fte, hours_assigned, hours_unassigned, gap_fte,
    spare_hours``.
    """
    settings = settings or TeamSettings()
    default_cap = settings.max_accounts_per_kam or DEFAULT_KAM_CAP
    rows = []
    for role in TEAM_ROLES:
        col = f"hours_{role}"
        needed = float(work[col].sum()) if col in work.columns else 0.0
        if role == "executive":
            needed += float(head[0])
        n_acc = int((work[col] > 0).sum()) if col in work.columns else 0
        if role == "kam":
            n_acc = len(work)
        if role == "executive":
            n_acc = int(work["tier"].isin(settings.sponsor_tiers).sum())
        per_fte = settings.hours_per_fte(role)
        fte = needed / per_fte if per_fte else 0.0
        r = roster[roster["role"] == role] if roster is not None and len(roster) else None
        if role == "kam" and len(work):
            caps = r["max_accounts"].dropna() if r is not None else pd.Series(dtype="float64")
            per_kam = float(caps.median()) if len(caps) else float(default_cap)
            fte = max(fte, len(work) / per_kam)
        people_n = 0 if r is None else len(r)
        cap = 0.0 if r is None else float(r["capacity_hours"].sum())
        if plan is not None and len(plan):
            p = plan[plan["role"] == role]
            assigned = float(p.loc[p["person_id"].notna(), "hours"].sum())
        else:
            assigned = 0.0
        if role == "executive":
            assigned += float(head[1])
        rows.append(
            {
                "role": role,
                "accounts_n": n_acc,
                "hours_needed": needed,
                "hours_per_fte": per_fte,
                "fte_needed": fte,
                "people_n": people_n,
                "roster_capacity_hours": cap,
                "roster_fte": cap / per_fte if per_fte else 0.0,
                "hours_assigned": assigned,
                "hours_unassigned": max(needed - assigned, 0.0) if plan is not None else needed,
            }
        )
    df = pd.DataFrame(rows)
    df["gap_fte"] = (df["fte_needed"] - df["roster_fte"]).clip(lower=0.0)
    df["spare_hours"] = (df["roster_capacity_hours"] - df["hours_assigned"]).clip(lower=0.0)
    df["role"] = df["role"].astype("str")
    return df
