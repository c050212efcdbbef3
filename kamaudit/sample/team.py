"""The client's key-account team: people, roles, hours, industries and languages.

The roster is sized from the work the company's own key-account list will ask for, by the
same rules the audit applies (the default ``profile:`` and ``team:`` settings): about
``max_share_pct`` of the customers, at most ``max_accounts``, become key accounts; each
costs a KAM the hours of a Strategic account and takes one of a KAM's account slots
(:data:`KAM_CAP`, realistic for the industry); the executives sponsor them and lead the
KAMs. A roster that fits has enough KAMs for both the slots and the hours, with the
executives and supporting roles sized from the same estimate.

An **under-staffed** roster (a pack draws a minority of its companies, see
:func:`~kamaudit.sample.pack.generate_pack`) has fewer KAMs than the list needs, every one
at the industry's cap: the plan cannot fit, by at least :func:`shortfall_margin` accounts.
The answer key records it (:func:`roster_facts`).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from ..account_profile.settings import ProfileSettings
from ..team_design.settings import SUPPORT_ROLES, TeamSettings

if TYPE_CHECKING:
    from .company import Company

_KA_HOURS = {
    "kam": 1600,
    "executive": 240,
    "finance": 320,
    "logistics": 320,
    "marketing": 320,
    "specialist": 480,
}
"""The least hours a year for key-account work a person of the role has (KAMs: nearly full
time); a larger list gets more, see :func:`_hours`."""

ROLE_OF: dict[str, dict[str, str]] = {
    # the industries where a role of the default roster does not exist, and what that person is
    "bank": {"logistics": "specialist"},  # a product specialist (cash management, trade finance)
    "telecom": {"logistics": "specialist"},  # a solution architect
    "professional_services": {"logistics": "specialist", "marketing": "finance"},
}
"""The roster fits the industry: no logistics person at a bank or a consultancy."""


def support_hours(industry: str) -> dict[str, dict[str, float]] | None:
    """The support hours a company of ``industry`` plans (``team.support_hours`` of
    its engagement): a role it does not have hands its hours to the person who does that
    work there (:data:`ROLE_OF`), so the audit asks no hours of a role nobody can fill.
    ``None``: the defaults fit.

    >>> support_hours("bank")["logistics"]["Strategic"], support_hours("bank")["specialist"]["Strategic"]
    (0.0, 26.0)
    """
    role_of = ROLE_OF.get(industry)
    if not role_of:
        return None
    hours = {role: dict(tiers) for role, tiers in TeamSettings().support_hours.items()}
    for absent, instead in role_of.items():
        for tier, h in hours[absent].items():
            hours[instead][tier] = float(hours[instead].get(tier, 0.0) + h)
        hours[absent] = {tier: 0.0 for tier in hours[absent]}
    return hours


def industry_settings(industry: str) -> TeamSettings:
    """The audit's team settings for a company of ``industry`` (its support hours)."""
    hours = support_hours(industry)
    return TeamSettings(support_hours=hours) if hours else TeamSettings()


KAM_CAP: dict[str, int] = {
    # most key accounts a KAM takes, as such teams report it: fewer where accounts are deep
    "distributor": 8,
    "manufacturer": 6,
    "bank": 6,
    "telecom": 7,
    "professional_services": 5,
}
"""Realistic per-person caps; a roster that fits has enough KAMs for them, an under-staffed
one does not."""

KAMS = [
    ("Jana Nováková", "cs;en;de"),
    ("Piotr Zieliński", "pl;en"),
    ("Katharina Weber", "de;en;cs"),
    ("Tomáš Horák", "cs;sk;en"),
    ("Anna Kowalska", "pl;en;de"),
    ("Stefan Müller", "de;en"),
    ("Lenka Pokorná", "cs;en"),
    ("Tomasz Nowak", "pl;en;cs"),
    ("Ivana Horváthová", "sk;cs;en"),
    ("Michael Schneider", "de;en;pl"),
]
EXECUTIVES = [
    ("Martin Svoboda", "cs;en;de"),
    ("Agnieszka Wójcik", "pl;en"),
    ("Klaus Hoffmann", "de;en"),
]
SUPPORT = [
    ("Eva Černá", "finance", "cs;en"),
    ("Lukas Becker", "logistics", "de;en"),
    ("Zsófia Kiss", "marketing", "hu;en;de"),
    ("Ondřej Kučera", "specialist", "cs;en"),
    ("Marek Lukáč", "specialist", "sk;cs;en"),
]

_TIER = "Strategic"  # the default key-account list holds Strategic accounts only
_HEADROOM = 1.15  # a roster that fits carries the estimate with this much to spare
_KAM_LOAD = 0.9  # ... and no KAM planned above this share of their hours
_EXEC_CONTACT_SHARE = 0.5  # key accounts with an executive contact (the sample's contacts)


def expected_key_accounts(n_customers: int) -> int:
    """The most key accounts the audit's default selection names for ``n_customers``.

    >>> expected_key_accounts(300), expected_key_accounts(120), expected_key_accounts(60)
    (30, 24, 12)
    """
    p = ProfileSettings()
    return min(math.floor(n_customers * p.max_share_pct / 100 + 1e-9), p.max_accounts)


def account_hours(role: str, settings: TeamSettings | None = None) -> float:
    """Hours a year one Strategic key account asks of ``role`` under the audit's defaults.

    Tier hours (KAMs) or support hours, plus the touchpoints of one contact of every role
    that ``role`` looks after, each on its default channel: a generous account, so a
    roster sized on it fits the real list. Executives meet a customer's executive at
    about half the accounts (:data:`_EXEC_CONTACT_SHARE`).

    >>> account_hours("kam"), account_hours("executive")
    (169.5, 16.0)
    """
    s = settings or TeamSettings()
    share = _EXEC_CONTACT_SHARE if role == "executive" else 1.0
    own = share * sum(
        s.touchpoints(cr, _TIER) * s.hours_per_touchpoint[s.default_channel.get(cr, "email")]
        for cr, owner in s.contact_owner_role.items()
        if owner == role
    )
    base = sum(s.tier_hours(_TIER)) if role == "kam" else s.support(role, _TIER)
    return float(base + own)


def shortfall_margin(key_n: int) -> int:
    """Accounts an under-staffed roster lacks slots for at least (so the plan surely fails)."""
    return max(2, math.ceil(0.1 * key_n))


def kams_needed(key_n: int, cap: int, understaffed: bool = False) -> int:
    """KAMs for ``key_n`` accounts at ``cap`` each: enough for the slots and the hours, or
    (``understaffed``) so few that at least :func:`shortfall_margin` accounts have no slot.

    >>> kams_needed(30, 8), kams_needed(30, 8, understaffed=True)
    (5, 3)
    """
    if understaffed:
        return max(1, (key_n - shortfall_margin(key_n)) // cap)
    by_slots = math.ceil(_HEADROOM * key_n / cap)
    low_hours = _KA_HOURS["kam"] - 80  # the least a KAM of the roster has
    by_hours = math.ceil(key_n * account_hours("kam") / (_KAM_LOAD * low_hours))
    return max(2, by_slots, by_hours)


def _hours(role: str, need: float, people: int) -> float:
    """Hours a year each of ``people`` of ``role`` has: the role's usual share, more when
    the list needs it (with headroom), in steps of 40."""
    each = _HEADROOM * need / max(people, 1)
    return float(max(_KA_HOURS[role], 40 * math.ceil(each / 40)))


def make_team(
    c: Company, rng: np.random.Generator, understaffed: bool = False
) -> list[dict[str, Any]]:
    """The roster (one dict per person), sized for the company's key-account list.

    ``understaffed``: fewer KAMs than the list needs, each at the industry's cap.
    """
    inds = list(c.prof.customer_industries)
    role_of = ROLE_OF.get(c.prof.key, {})
    cap = KAM_CAP.get(c.prof.key, 8)
    key_n = expected_key_accounts(c.n)
    n_kam = min(kams_needed(key_n, cap, understaffed), len(KAMS))
    head = TeamSettings().head_of_kam_hours_per_kam * kams_needed(key_n, cap)
    exec_need = key_n * account_hours("executive") + head
    n_exec = min(len(EXECUTIVES), max(1, math.ceil(_HEADROOM * exec_need / 400)))
    people = [(name, "kam", langs) for name, langs in KAMS[:n_kam]]
    people += [(name, "executive", langs) for name, langs in EXECUTIVES[:n_exec]]
    people += [(name, role_of.get(role, role), langs) for name, role, langs in SUPPORT]
    count = {r: sum(1 for p in people if p[1] == r) for r in _KA_HOURS}
    settings = industry_settings(c.prof.key)
    need = {r: key_n * account_hours(r, settings) for r in SUPPORT_ROLES}
    need["executive"] = exec_need
    out = []
    for k, (name, role, langs) in enumerate(people, start=1):
        chosen = sorted(rng.choice(len(inds), size=min(3, len(inds)), replace=False).tolist())
        if role == "kam":
            hours = _KA_HOURS["kam"] + 40 * int(rng.integers(-2, 3))
            # a roster that fits: the industry's cap or two more; an under-staffed one: the cap
            more = 0 if understaffed else 2 * int(rng.integers(0, 2))
            max_accounts = float(cap + more)
        else:
            hours = _hours(role, need[role], count[role]) + 40 * int(rng.integers(0, 3))
            max_accounts = np.nan
        out.append(
            {
                "person_id": f"P{k:02d}",
                "name": name,
                "role": role,
                "hours_available": float(hours),
                "industries": ";".join(inds[i] for i in chosen)
                if role in ("kam", "specialist", "executive")
                else "",
                "languages": langs,
                "max_accounts": max_accounts,
            }
        )
    return out


def roster_facts(team: list[dict[str, Any]], n_customers: int, understaffed: bool) -> dict:
    """The answer key's ``team`` section: the roster against the list it was sized for."""
    kams = [p for p in team if p["role"] == "kam"]
    key_n = expected_key_accounts(n_customers)
    slots = int(sum(p["max_accounts"] for p in kams))
    return {
        "understaffed": bool(understaffed),
        "plan_feasible": not understaffed,
        "key_accounts_expected": key_n,
        "kams_n": len(kams),
        "kam_slots": slots,
        "kam_hours": float(sum(p["hours_available"] for p in kams)),
        "kam_hours_needed_est": round(key_n * account_hours("kam"), 1),
        "kams_short": max(0, math.ceil((key_n - slots) / max(kams[0]["max_accounts"], 1)))
        if kams
        else 0,
        "description": (
            f"Under-staffed on purpose: {len(kams)} KAMs with room for {slots} accounts against "
            f"about {key_n} key accounts; the team plan cannot fit the roster."
            if understaffed
            else f"Staffed for the list: {len(kams)} KAMs with room for {slots} accounts "
            f"against at most {key_n} key accounts; the team plan fits the roster."
        ),
    }


def team_table(team: list[dict[str, Any]]) -> pa.Table:
    return pa.table(
        {
            "person_id": pa.array([p["person_id"] for p in team], pa.string()),
            "name": pa.array([p["name"] for p in team], pa.string()),
            "role": pa.array([p["role"] for p in team], pa.string()),
            "hours_available": pa.array(
                np.array([p["hours_available"] for p in team], dtype=np.float64)
            ),
            "industries": pa.array([p["industries"] for p in team], pa.string()),
            "languages": pa.array([p["languages"] for p in team], pa.string()),
            "max_accounts": pa.array(
                np.array([p["max_accounts"] for p in team], dtype=np.float64), from_pandas=True
            ),
        }
    )
