"""Assignment: key accounts to named people on the roster.

Greedy and deterministic: accounts in order of importance (tier, attractiveness, revenue),
each to the current account owner when they have room, else to a colleague nearly as free
as the least loaded one (``balance_tolerance_pct``) who knows the industry, then the
language. Nobody is planned beyond their hours or their cap on accounts. When that leaves
an account out, the accounts are packed again largest first; when that fails too, the
least important accounts are left without a KAM. Sponsors are balanced by the number of
accounts; the head of KAM is the executive with the most capacity (or the one named).
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..contract import TEAM_ROLES
from .common import is_missing
from .roster import build_roster, match_person
from .settings import SUPPORT_ROLES, TeamSettings

__all__ = ["LOAD_COLUMNS", "PLAN_COLUMNS", "assign_team", "empty_plan"]

LOAD_COLUMNS = [
    "person_id",
    "name",
    "role",
    "accounts_n",
    "hours_planned",
    "head_of_kam_hours",
    "capacity_hours",
    "load_pct",
    "max_accounts",
    "spare_hours",
    "is_head_of_kam",
]
"""Columns of ``team_load``: one row per person, planned hours against capacity."""

PLAN_COLUMNS = [
    "customer_id",
    "person_id",
    "person_name",
    "role",
    "hours",
    "reason",
    "reason_codes",
]
"""Columns of ``team_plan``: one row per key account, role and person (or none)."""

_LOAD_DTYPES = {
    "person_id": "str",
    "name": "str",
    "role": "str",
    "accounts_n": "int64",
    "hours_planned": "float64",
    "head_of_kam_hours": "float64",
    "capacity_hours": "float64",
    "load_pct": "float64",
    "max_accounts": "float64",
    "spare_hours": "float64",
    "is_head_of_kam": "bool",
}


@dataclass
class _Person:
    person_id: str
    name: str
    role: str
    capacity: float
    max_accounts: float
    industries: frozenset
    languages: frozenset
    hours: float = 0.0
    accounts: int = 0

    def fits(self, h: float) -> bool:
        return self.hours + h <= self.capacity + 1e-9 and self.accounts + 1 <= self.max_accounts


def _people(roster: pd.DataFrame, role: str) -> list[_Person]:
    r = roster[roster["role"] == role]
    return [
        _Person(
            str(p.person_id),
            str(p.name),
            role,
            float(p.capacity_hours),
            float(p.max_accounts) if not pd.isna(p.max_accounts) else math.inf,
            p.industries,
            p.languages,
        )
        for p in r.itertuples(index=False)
    ]


def _greedy(
    items: list[dict],
    people: list[_Person],
    prefs: bool,
    balance: str = "hours",
    tolerance: float = 0.15,
) -> tuple[dict[str, tuple[str, list[str]]], list[str]]:
    """Assign items in the given order; each to the best person it fits.

    The current owner is taken whenever they have room. Otherwise the candidates are those
    nearly as free as the freest one (``balance="hours"``: load share after assignment
    within ``tolerance``; ``"accounts"``: the fewest accounts), and among them one who knows
    the industry, then one who speaks the language, then the least loaded, then the lower
    person_id. Returns {item id: (person_id, reason codes)} and the ids that fit no one.
    ``people`` are updated in place.
    """
    done: dict[str, tuple[str, list[str]]] = {}
    left: list[str] = []
    for it in items:
        h = it["hours"]
        fit = [p for p in people if p.fits(h)]
        if not fit:
            left.append(it["id"])
            continue

        def load(p: _Person, h=h) -> float:
            return round((p.hours + h) / p.capacity, 9) if p.capacity > 0 else math.inf

        owner = [p for p in fit if prefs and it.get("owner") == p.person_id]
        if balance == "accounts":
            least = min(p.accounts for p in fit)
            near = [p for p in fit if p.accounts <= least]
        else:
            least = min(load(p) for p in fit)
            near = [p for p in fit if load(p) <= least + tolerance + 1e-12]

        def score(p: _Person, it=it):
            ind = prefs and it.get("industry") is not None and it["industry"] in p.industries
            lang = prefs and it.get("language") is not None and it["language"] in p.languages
            return (not ind, not lang, load(p), p.accounts, p.person_id)

        best = owner[0] if owner else min(near, key=score)
        codes = []
        if owner:
            codes.append("owner")
        if prefs and it.get("industry") is not None and it["industry"] in best.industries:
            codes.append("industry")
        if prefs and it.get("language") is not None and it["language"] in best.languages:
            codes.append("language")
        if not owner:  # "least loaded" only where load chose (an owner kept is not balance)
            codes.append("only_fit" if len(fit) == 1 else "balance")
        best.hours += h
        best.accounts += 1
        done[it["id"]] = (best.person_id, codes)
    return done, left


def _assign_role(
    items: list[dict], people: list[_Person], balance: str = "hours", tolerance: float = 0.15
) -> tuple[dict, list[str], bool]:
    """Preference-first greedy in priority order; if it leaves any item, pack by size.

    Returns assignments, the items left (from the priority-order pass when packing does
    not help either, so the least important accounts are the ones left) and whether packing
    replaced the preferences.
    """

    trial = copy.deepcopy(people)
    done, left = _greedy(items, trial, True, balance, tolerance)
    if not left:
        _copy_load(trial, people)
        return done, left, False
    packed_people = copy.deepcopy(people)
    by_size = sorted(items, key=lambda it: (-it["hours"], it["priority"], it["id"]))
    done2, left2 = _greedy(by_size, packed_people, True, balance, tolerance)
    if not left2:
        _copy_load(packed_people, people)
        return done2, left2, True
    _copy_load(trial, people)
    return done, left, False


def _copy_load(src: list[_Person], dst: list[_Person]) -> None:
    for s, d in zip(src, dst, strict=True):
        d.hours, d.accounts = s.hours, s.accounts


_REASON_EN = {
    "owner": "current account owner",
    "industry": "knows the industry",
    "language": "speaks the customer's language",
    "balance": "least loaded of those with room",
    "only_fit": "the only one with room",
    "head": "head of KAM",
    "no_room": "no one with this role has room",
    "no_role": "no one with this role on the roster",
    "no_kam": "no KAM assigned",
}


def _reason(codes: list[str], person: _Person | None = None) -> str:
    text = "; ".join(_REASON_EN[c] for c in codes)
    if person is not None and person.capacity > 0:
        text += f" (load {person.hours:,.0f} of {person.capacity:,.0f} h)"
    return text[:1].upper() + text[1:]


@dataclass
class _Book:
    """What the assignment writes down while it goes: plan rows, accounts left, packing."""

    rows: list[dict] = field(default_factory=list)
    left: dict[str, list[str]] = field(default_factory=dict)
    packed: list[str] = field(default_factory=list)


def _items(rows: pd.DataFrame, role: str, roster: pd.DataFrame, every: bool = False) -> list[dict]:
    """The accounts ``role`` has hours on (every row with ``every``, and always for KAMs)."""
    col = f"hours_{role}"
    return [
        {
            "id": r.customer_id,
            "hours": float(getattr(r, col)),
            "priority": int(r.priority),
            "owner": match_person(r.account_owner, roster) if role == "kam" else None,
            "industry": None if is_missing(r.industry) else str(r.industry).strip().lower(),
            "language": None if is_missing(r.language) else str(r.language).strip().lower(),
        }
        for r in rows.itertuples(index=False)
        if every or float(getattr(r, col)) > 0 or role == "kam"
    ]


def _staff(
    book: _Book, role: str, items: list[dict], people: list[_Person], balance: str, tol: float
) -> None:
    """Assign ``items`` among ``people`` and write one plan row per item into ``book``."""
    done, miss, was_packed = _assign_role(items, people, balance, tol)
    if was_packed:
        book.packed.append(role)
    by_id = {p.person_id: p for p in people}
    for it in items:
        if it["id"] in done:
            pid, codes = done[it["id"]]
            p = by_id[pid]
            row = {"person_id": pid, "person_name": p.name, "_codes": codes, "_p": p}
        else:
            code = "no_room" if people else "no_role"
            row = {"person_id": None, "person_name": None, "_codes": [code], "_p": None}
        book.rows.append(
            {
                "customer_id": it["id"],
                "person_id": row["person_id"],
                "person_name": row["person_name"],
                "role": role,
                "hours": it["hours"],
                "reason_codes": ";".join(row["_codes"]),
                "_codes": row["_codes"],
                "_p": row["_p"],
            }
        )
    if miss:
        book.left[role] = miss


def _head_of_kam(
    execs: list[_Person], kams: list[_Person], roster: pd.DataFrame, settings: TeamSettings
) -> tuple[str | None, float, float]:
    """The head of KAM (person_id or None), the hours they give to it and the hours needed.

    The named ``head_of_kam`` when on the roster, else the executive with the most capacity;
    the hours needed grow with the KAMs who have accounts, the hours given are what is free.
    """
    head_needed = settings.head_of_kam_hours_per_kam * sum(1 for p in kams if p.accounts > 0)
    if not execs:
        return None, 0.0, head_needed
    chosen = match_person(settings.head_of_kam, roster) if settings.head_of_kam else None
    cand = [p for p in execs if p.person_id == chosen] or sorted(
        execs, key=lambda p: (-p.capacity, p.person_id)
    )
    head_p = cand[0]
    head_hours = min(head_needed, max(head_p.capacity - head_p.hours, 0.0))
    head_p.hours += head_hours
    return head_p.person_id, head_hours, head_needed


def _plan_table(rows: list[dict]) -> pd.DataFrame:
    for row in rows:
        row["reason"] = _reason(row.pop("_codes"), row.pop("_p"))
    plan = pd.DataFrame(rows, columns=PLAN_COLUMNS)
    for c in ("customer_id", "person_id", "person_name", "role", "reason", "reason_codes"):
        plan[c] = plan[c].astype("str")
    plan["hours"] = plan["hours"].astype("float64")
    return plan


def empty_plan() -> pd.DataFrame:
    """A ``team_plan`` without rows (no roster, or no key accounts)."""
    plan = pd.DataFrame({c: pd.Series(dtype="str") for c in PLAN_COLUMNS if c != "hours"})
    plan["hours"] = pd.Series(dtype="float64")
    return plan[PLAN_COLUMNS]


def empty_load() -> pd.DataFrame:
    """``team_load`` with no people (no roster): the columns with their contract dtypes."""
    return pd.DataFrame(columns=LOAD_COLUMNS).astype(_LOAD_DTYPES)


def _load_table(
    people_by_role: dict[str, list[_Person]],
    roster: pd.DataFrame,
    head: str | None,
    head_hours: float,
) -> pd.DataFrame:
    """``team_load``: planned hours and accounts per person against capacity and cap."""
    rows = []
    for role in TEAM_ROLES:
        for p in people_by_role[role]:
            is_head = p.person_id == head
            rows.append(
                {
                    "person_id": p.person_id,
                    "name": p.name,
                    "role": role,
                    "accounts_n": p.accounts,
                    "hours_planned": p.hours,
                    "head_of_kam_hours": head_hours if is_head else 0.0,
                    "capacity_hours": p.capacity,
                    "load_pct": 100.0 * p.hours / p.capacity if p.capacity > 0 else np.nan,
                    "max_accounts": p.max_accounts if math.isfinite(p.max_accounts) else np.nan,
                    "spare_hours": p.capacity - p.hours,
                    "is_head_of_kam": is_head,
                }
            )
    other = roster[~roster["role"].isin(TEAM_ROLES.codes)]
    for p in other.itertuples(index=False):
        rows.append(
            {
                "person_id": p.person_id,
                "name": p.name,
                "role": "other",
                "accounts_n": 0,
                "hours_planned": 0.0,
                "head_of_kam_hours": 0.0,
                "capacity_hours": 0.0,
                "load_pct": np.nan,
                "max_accounts": np.nan,
                "spare_hours": 0.0,
                "is_head_of_kam": False,
            }
        )
    return pd.DataFrame(rows, columns=LOAD_COLUMNS).astype(_LOAD_DTYPES)


def assign_team(
    key: pd.DataFrame,
    work: pd.DataFrame,
    team: pd.DataFrame | None,
    settings: TeamSettings | None = None,
) -> dict[str, Any]:
    """Assign key accounts to named people on the roster.

    One KAM per key account (within hours and the cap on accounts), an executive sponsor for
    each account of a sponsored tier, the head of KAM from the executives, and one person per
    supporting role with hours on the account. Deterministic: ties go to the lower person_id.
    Never exceeds anyone's capacity or cap: what does not fit is left unassigned and said.

    Returns a dict with ``plan`` (customer_id, person_id, person_name, role, hours, reason,
    reason_codes), ``load`` (per person), ``left`` ({role: [customer_id, ...]}), ``packed``
    (roles whose preferences gave way), ``head_of_kam`` (person_id or None),
    ``head_hours``, ``head_needed`` and ``roster``.
    """
    settings = settings or TeamSettings()
    roster = build_roster(team, settings)
    w = work.merge(
        key[["customer_id", "industry", "language", "account_owner", "priority"]],
        on="customer_id",
        how="left",
    ).sort_values("priority", kind="mergesort")
    people = {r: _people(roster, r) for r in TEAM_ROLES}
    book = _Book()
    tol = settings.balance_tolerance_pct / 100
    _staff(book, "kam", _items(w, "kam", roster), people["kam"], "hours", tol)
    head, head_hours, head_needed = _head_of_kam(
        people["executive"], people["kam"], roster, settings
    )
    # a sponsor is named for every account of a sponsored tier, even at zero hours
    sponsored = w[w["tier"].isin(settings.sponsor_tiers)]
    sp_items = _items(sponsored, "executive", roster, every=True)
    _staff(book, "executive", sp_items, people["executive"], "accounts", tol)
    for role in SUPPORT_ROLES:
        items = _items(w, role, roster)
        if items:
            _staff(book, role, items, people[role], "hours", tol)
    return {
        "plan": _plan_table(book.rows),
        "load": _load_table(people, roster, head, head_hours),
        "left": book.left,
        "packed": book.packed,
        "head_of_kam": head,
        "head_hours": head_hours,
        "head_needed": head_needed,
        "roster": roster,
    }
