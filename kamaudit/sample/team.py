"""The client's key-account team: people, roles, hours, industries and languages."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

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


ROLE_OF: dict[str, dict[str, str]] = {
    # the industries where a role of the default roster does not exist, and what that person is
    "bank": {"logistics": "specialist"},  # a product specialist (cash management, trade finance)
    "telecom": {"logistics": "specialist"},  # a solution architect
    "professional_services": {"logistics": "specialist", "marketing": "finance"},
}
"""The roster fits the industry: no logistics person at a bank or a consultancy."""

KAM_CAP: dict[str, int] = {
    # most key accounts a KAM takes, as such teams report it: fewer where accounts are deep
    "distributor": 8,
    "manufacturer": 6,
    "bank": 6,
    "telecom": 7,
    "professional_services": 5,
}
"""Realistic per-person caps; with three or four KAMs some plans do not fit the roster."""


def make_team(c: Company, rng: np.random.Generator) -> list[dict[str, Any]]:
    inds = list(c.prof.customer_industries)
    role_of = ROLE_OF.get(c.prof.key, {})
    cap = KAM_CAP.get(c.prof.key, 8)
    people = [
        ("Jana Nováková", "kam", "cs;en;de"),
        ("Piotr Zieliński", "kam", "pl;en"),
        ("Katharina Weber", "kam", "de;en;cs"),
        ("Tomáš Horák", "kam", "cs;sk;en"),
        ("Martin Svoboda", "executive", "cs;en;de"),
        ("Agnieszka Wójcik", "executive", "pl;en"),
        ("Eva Černá", "finance", "cs;en"),
        ("Lukas Becker", "logistics", "de;en"),
        ("Zsófia Kiss", "marketing", "hu;en;de"),
        ("Ondřej Kučera", "specialist", "cs;en"),
        ("Marek Lukáč", "specialist", "sk;cs;en"),
    ]
    if c.n < 150:
        people.pop(3)
    out = []
    for k, (name, role, langs) in enumerate(people, start=1):
        role = role_of.get(role, role)
        chosen = sorted(rng.choice(len(inds), size=min(3, len(inds)), replace=False).tolist())
        out.append(
            {
                "person_id": f"P{k:02d}",
                "name": name,
                "role": role,
                # hours a year for key-account work: KAMs nearly full time, the others a share
                "hours_available": float(_KA_HOURS[role] + 40 * int(rng.integers(-2, 3))),
                "industries": ";".join(inds[i] for i in chosen)
                if role in ("kam", "specialist", "executive")
                else "",
                "languages": langs,
                "max_accounts": float(cap + 2 * int(rng.integers(0, 2)))
                if role == "kam"
                else np.nan,
            }
        )
    return out


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
