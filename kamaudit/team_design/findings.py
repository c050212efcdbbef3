"""What the plan says in plain words: :class:`~kamaudit.messages.Message` values.

A finding is a catalog key under ``team_design.statement.`` with its parameters (raw
numbers, names, lists); the deliverables and the notebook turn it into a sentence in the
engagement's language. Nothing here writes English.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from ..messages import Message
from .common import name_list
from .settings import SUPPORT_ROLES, TeamSettings

__all__ = ["KINDS", "say"]

KINDS: dict[str, str] = {
    "feasible": "finding",
    "head_of_kam": "finding",
    "single_holder": "finding",
    "tier_assumed": "warning",
    "no_roster": "warning",
    "no_contacts": "warning",
    "no_key_accounts": "warning",
    "accounts_without_contacts": "warning",
    "kam_shortfall": "warning",
    "too_big": "warning",
    "sponsor_shortfall": "warning",
    "no_executive": "warning",
    "head_short": "warning",
    "role_missing": "warning",
    "role_short": "warning",
    "spare": "note",
    "packed": "note",
    "no_invoices": "note",
    "clv_method": "note",
    "kam_cap_over_roster": "note",
}
"""Every finding the stage can make and how the report shows it: ``finding`` (a result),
``warning`` (something to fix or doubt) or ``note`` (how a number was made)."""

PREFIX = "team_design.statement."


def say(finding: str, /, **params: Any) -> Message:
    """The message ``team_design.statement.<name>``; warnings are ``warning``, the rest ``info``.

    >>> say("no_invoices")
    Message(key='team_design.statement.no_invoices', params={}, severity='info')
    """
    severity = "warning" if KINDS[finding] == "warning" else "info"
    return Message(PREFIX + finding, params, severity)


def data_gaps(key: pd.DataFrame, team, contacts, settings: TeamSettings) -> list[Message]:
    """Assumed tiers and missing inputs, in the order the plan meets them."""
    out = []
    if key["tier_assumed"].any():
        out.append(
            say(
                "tier_assumed",
                n=int(key["tier_assumed"].sum()),
                names=name_list(key.loc[key["tier_assumed"], "name"].tolist()),
                tier=settings.default_tier,
            )
        )
    if team is None:
        out.append(say("no_roster"))
    if contacts is None:
        out.append(say("no_contacts"))
    if not len(key):
        out.append(say("no_key_accounts"))
    return out


def kam_cap_over_roster(team: pd.DataFrame | None, settings: TeamSettings) -> list[Message]:
    """The KAMs whose roster ``max_accounts`` the setting ``team.max_accounts_per_kam`` lowers.

    The setting, when given, caps every KAM; the roster's column applies otherwise. When
    they disagree the plan says so, naming the setting, the KAMs and their roster caps.
    """
    cap = settings.max_accounts_per_kam
    if cap is None or team is None or "max_accounts" not in team.columns or "role" not in team:
        return []
    roster_caps = pd.to_numeric(team["max_accounts"], errors="coerce")
    over = team[team["role"].eq("kam") & (roster_caps > cap)]
    if not len(over):
        return []
    names = over["name"] if "name" in over.columns else over.get("person_id", over.index)
    return [
        say(
            "kam_cap_over_roster",
            cap=int(cap),
            n=len(over),
            names=name_list([str(x) for x in names]),
            roster_max=int(roster_caps[over.index].max()),
        )
    ]


def without_contacts(work: pd.DataFrame) -> list[Message]:
    """Key accounts with no contact on file."""
    no_c = work.loc[work["contacts_n"] == 0, "name"].tolist()
    if not no_c:
        return []
    return [say("accounts_without_contacts", n=len(no_c), names=name_list(no_c))]


def _kam_shortfall(key, work, res, kam_row, names) -> list[Message]:
    """Accounts left without a KAM: how many KAMs to hire, and accounts too big for anyone."""
    n_kams = int(kam_row["people_n"])
    fte = float(kam_row["fte_needed"])
    hire = max(math.ceil(fte - 1e-9) - n_kams, 1)
    left = res["left"]["kam"]
    out = [
        say(
            "kam_shortfall",
            n=len(key),
            fte=round(fte, 1),
            k=n_kams,
            hire=hire,
            hire_word=int(hire),
            names=name_list([str(names[c]) for c in left]),
        )
    ]
    load = res["load"]
    biggest = float(load.loc[load["role"] == "kam", "capacity_hours"].max() if n_kams else 0.0)
    hours = work.set_index("customer_id")["hours_kam"]
    too_big = [c for c in left if n_kams and hours[c] > biggest + 1e-9]
    if too_big:
        out.append(
            say(
                "too_big",
                names=name_list([str(names[c]) for c in too_big]),
                hours=round(float(hours[too_big].max())),
                capacity=round(biggest),
            )
        )
    return out


def _sponsors(key, res, settings: TeamSettings, names) -> list[Message]:
    """Accounts of a sponsored tier without an executive sponsor."""
    n_sp = int(key["tier"].isin(settings.sponsor_tiers).sum())
    if n_sp and not (res["roster"]["role"] == "executive").any():
        return [say("no_executive", n=n_sp)]
    if "executive" in res["left"]:
        miss = [str(names[c]) for c in res["left"]["executive"]]
        return [
            say(
                "sponsor_shortfall",
                n=n_sp,
                tiers=list(settings.sponsor_tiers),
                m=n_sp - len(miss),
                names=name_list(miss),
            )
        ]
    return []


def _head(res) -> list[Message]:
    """Who leads the KAM group, and whether they have the hours for it."""
    head = res["head_of_kam"]
    if head is None:
        return []
    hname = str(res["roster"].set_index("person_id").loc[head, "name"])
    if res["head_hours"] + 1e-9 < res["head_needed"]:
        return [
            say(
                "head_short",
                name=hname,
                free=round(res["head_hours"]),
                hours=round(res["head_needed"]),
            )
        ]
    return [say("head_of_kam", name=hname, hours=round(res["head_needed"]))]


def _support(res, cap: pd.DataFrame, settings: TeamSettings, names) -> list[Message]:
    """Supporting roles missing from the roster or short of hours."""
    out = []
    plan, by_role = res["plan"], cap.set_index("role")
    for role in SUPPORT_ROLES:
        row = by_role.loc[role]
        if row["hours_needed"] <= 0:
            continue
        if row["people_n"] == 0:
            out.append(
                say(
                    "role_missing",
                    role=role,
                    hours=round(float(row["hours_needed"])),
                    fte=round(float(row["fte_needed"]), 1),
                )
            )
        elif role in res["left"]:
            unst = float(plan.loc[(plan["role"] == role) & plan["person_id"].isna(), "hours"].sum())
            out.append(
                say(
                    "role_short",
                    role=role,
                    hours=round(unst),
                    names=name_list([str(names[c]) for c in res["left"][role]]),
                    fte=round(unst / settings.hours_per_fte(role), 1),
                )
            )
    return out


def staffing(
    key: pd.DataFrame,
    work: pd.DataFrame,
    res: dict[str, Any],
    cap: pd.DataFrame,
    settings: TeamSettings,
) -> tuple[bool, Message | None, list[Message]]:
    """The verdict on an assignment (``assign_team``'s result) against the headcount.

    Returns whether the plan is feasible (every key account has a KAM and every account of
    a sponsored tier a sponsor), the ``feasible`` message that leads the plan's findings
    (None when it is not), and the other findings in order.
    """
    names = key.set_index("customer_id")["name"]
    kam_row = cap.set_index("role").loc["kam"]
    out: list[Message] = []
    if "kam" in res["left"]:
        out += _kam_shortfall(key, work, res, kam_row, names)
    sponsors = _sponsors(key, res, settings, names)
    out += sponsors
    feasible = "kam" not in res["left"] and not sponsors
    out += _head(res)
    out += _support(res, cap, settings, names)
    if res["packed"]:
        out.append(say("packed"))
    verdict = None
    if feasible:
        kl = res["load"][res["load"]["role"] == "kam"]
        verdict = say(
            "feasible",
            n=len(key),
            kams=int((kl["accounts_n"] > 0).sum()),
            max_load=round(float(kl["load_pct"].max())) if len(kl) else 0,
        )
    kam_spare = float(kam_row["spare_hours"])
    if feasible and kam_spare >= settings.hours_per_fte("kam"):
        out.append(
            say(
                "spare",
                role="kam",
                hours=round(kam_spare),
                fte=round(kam_spare / settings.hours_per_fte("kam"), 1),
            )
        )
    return feasible, verdict, out


def single_holders(cov: pd.DataFrame, key: pd.DataFrame) -> list[Message]:
    """Key accounts whose relationships hang on one person on our side today (a bow tie)."""
    if not len(cov):
        return []
    singles = cov.drop_duplicates("customer_id")
    singles = singles[singles["single_holder_current"]]
    if not len(singles):
        return []
    return [
        say(
            "single_holder",
            n=len(singles),
            total=len(key),
            names=name_list(singles["customer_name"].tolist()),
        )
    ]
