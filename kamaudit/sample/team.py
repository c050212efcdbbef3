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


def make_team(c: Company, rng: np.random.Generator) -> list[dict[str, Any]]:
    inds = list(c.prof.customer_industries)
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
                "max_accounts": float(10 + 2 * int(rng.integers(0, 2)))
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
