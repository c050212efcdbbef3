"""The roster: our people, their role, capacity for key accounts and cap on accounts.

``team.role`` holds contract codes (:data:`kamaudit.contract.TEAM_ROLES`, intake
normalised it); a person without a role is ``other``. ``hours_available`` is read as
hours for key accounts (``roster_hours: kam``, the default) or all working hours
(``roster_hours: total``, the role's ``kam_share`` applies).

A KAM's cap on accounts: ``team.max_accounts_per_kam`` when the engagement (or an
override) gives it, for every KAM, over the roster's ``max_accounts``; else the roster's
``max_accounts``; else :data:`~.settings.DEFAULT_KAM_CAP`. The plan names the KAMs whose
roster cap the setting lowered (:func:`~.findings.kam_cap_over_roster`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .common import is_missing, word_set
from .settings import DEFAULT_KAM_CAP, TeamSettings

__all__ = ["build_roster", "match_person"]


def build_roster(team: pd.DataFrame | None, settings: TeamSettings) -> pd.DataFrame:
    """Normalised roster: person_id, name, role, capacity_hours, max_accounts, industries, languages."""
    cols = [
        "person_id",
        "name",
        "role",
        "hours_available",
        "capacity_hours",
        "max_accounts",
        "industries",
        "languages",
    ]
    if team is None or not len(team):
        return pd.DataFrame({c: pd.Series(dtype="object") for c in cols})
    t = team.copy()
    t["person_id"] = (
        t["person_id"].astype("str")
        if "person_id" in t.columns
        else (pd.Series([f"P{i + 1}" for i in range(len(t))], index=t.index))
    )
    t["name"] = (
        t["name"].astype("str").where(t["name"].notna(), t["person_id"])
        if "name" in t.columns
        else t["person_id"]
    )
    t["role"] = (
        (t["role"] if "role" in t.columns else pd.Series(pd.NA, index=t.index))
        .astype("object")
        .map(lambda r: "other" if is_missing(r) else r)
    )
    hours = (
        pd.to_numeric(t["hours_available"], errors="coerce")
        if "hours_available" in t.columns
        else pd.Series(np.nan, index=t.index)
    )
    share = t["role"].map(lambda r: settings.kam_share.get(r, 0.0)).astype("float64")
    if settings.roster_hours == "kam":
        t["hours_available"] = hours.astype("float64")
        t["capacity_hours"] = hours.fillna(settings.productive_hours_per_person * share)
    else:
        t["hours_available"] = hours.fillna(settings.productive_hours_per_person).astype("float64")
        t["capacity_hours"] = t["hours_available"] * share
    t["capacity_hours"] = t["capacity_hours"].astype("float64").clip(lower=0.0)
    cap = (
        pd.to_numeric(t["max_accounts"], errors="coerce")
        if "max_accounts" in t.columns
        else pd.Series(np.nan, index=t.index)
    )
    kam_cap = settings.max_accounts_per_kam
    default_cap = (
        t["role"]
        .map({"kam": kam_cap or DEFAULT_KAM_CAP, "executive": settings.max_accounts_per_sponsor})
        .astype("float64")
    )
    t["max_accounts"] = cap.where(cap.notna(), default_cap)
    if kam_cap is not None:  # a cap given in the settings wins over the roster's column
        is_kam = t["role"].eq("kam")
        t.loc[is_kam, "max_accounts"] = t.loc[is_kam, "max_accounts"].clip(upper=kam_cap)
    t["industries"] = (
        t["industries"].map(word_set) if "industries" in t.columns else [frozenset()] * len(t)
    )
    t["languages"] = (
        t["languages"].map(word_set) if "languages" in t.columns else [frozenset()] * len(t)
    )
    t = t.drop_duplicates("person_id").sort_values("person_id", kind="mergesort")
    return t[cols].reset_index(drop=True)


def match_person(value: Any, roster: pd.DataFrame) -> str | None:
    """The person_id a free-text owner refers to (by id, then by name), or None."""
    if is_missing(value) or not len(roster):
        return None
    v = str(value).strip().lower()
    for pid in roster["person_id"]:
        if str(pid).strip().lower() == v:
            return str(pid)
    for pid, name in zip(roster["person_id"], roster["name"], strict=True):
        if str(name).strip().lower() == v:
            return str(pid)
    return None
