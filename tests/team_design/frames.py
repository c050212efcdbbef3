"""Tiny inline frames for the team design tests, and a few helpers to run and read them."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from kamaudit.config import Period
from kamaudit.deliverables.i18n import Catalog
from kamaudit.deliverables.team_design import render_messages
from kamaudit.team_design import TeamSettings, run

PERIOD = Period(start=dt.date(2024, 1, 1), end=dt.date(2025, 12, 31))
"""The audited period of every test company (the invoices fall inside it)."""


def profile(rows: list[tuple[str, str, bool]]) -> pd.DataFrame:
    """(customer_id, quadrant, is_key_account) rows -> a minimal account_profile."""
    return pd.DataFrame(
        {
            "customer_id": pd.Series([r[0] for r in rows], dtype="str"),
            "name": pd.Series([f"Customer {r[0]}" for r in rows], dtype="str"),
            "quadrant": pd.Series([r[1] for r in rows], dtype="str"),
            "is_key_account": [r[2] for r in rows],
            "attractiveness": np.linspace(9, 1, len(rows)) if rows else [],
            "strength": np.full(len(rows), 5.5),
            "relationship_stage": pd.Series(["cooperation"] * len(rows), dtype="str"),
            "selection_frequency": np.ones(len(rows)),
            "net_revenue": np.linspace(1000, 100, len(rows)) if rows else [],
        }
    )


def contacts(rows: list[tuple]) -> pd.DataFrame:
    """(customer_id, contact_id, role, preferred_channel, owner) rows."""
    return pd.DataFrame(
        {
            "customer_id": pd.Series([r[0] for r in rows], dtype="str"),
            "contact_id": pd.Series([r[1] for r in rows], dtype="str"),
            "name": pd.Series([f"Person {r[1]}" for r in rows], dtype="str"),
            "role": pd.Series([r[2] for r in rows], dtype="str"),
            "preferred_channel": pd.Series([r[3] for r in rows], dtype="str"),
            "owner": pd.Series([r[4] for r in rows], dtype="str"),
            "last_contact_date": pd.to_datetime(["2025-11-01"] * len(rows)),
        }
    )


def team(rows: list[tuple]) -> pd.DataFrame:
    """(person_id, role, hours_available, max_accounts) rows."""
    return pd.DataFrame(
        {
            "person_id": pd.Series([r[0] for r in rows], dtype="str"),
            "name": pd.Series([f"Name {r[0]}" for r in rows], dtype="str"),
            "role": pd.Series([r[1] for r in rows], dtype="str"),
            "hours_available": [float(r[2]) for r in rows],
            "industries": pd.Series([""] * len(rows), dtype="str"),
            "languages": pd.Series(["en"] * len(rows), dtype="str"),
            "max_accounts": [np.nan if r[3] is None else float(r[3]) for r in rows],
        }
    )


def invoices(ids: list[str]) -> pd.DataFrame:
    rows = []
    for i, c in enumerate(ids):
        for k, d in enumerate(["2024-02-01", "2024-03-15", "2025-01-10", "2025-09-01"]):
            rows.append((f"I{i}-{k}", pd.Timestamp(d), c, 100.0 * (k + 1), 60.0 * (k + 1)))
    return pd.DataFrame(
        rows, columns=["invoice_id", "invoice_date", "customer_id", "net_amount", "cost_amount"]
    ).astype({"invoice_id": "str", "customer_id": "str"})


def company(n_key: int = 9, n_kams: int = 2, kam_cap=None, hours=1600.0, strategic=3):
    """A company with ``n_key`` key accounts (2 more customers that are not), ``n_kams`` KAMs
    and one of each other role; every customer is owned by K1 today. Returns the stage's
    ``inputs`` (without account_profile) and the profile."""
    ids = [f"C{i:02d}" for i in range(n_key + 2)]
    quad = ["Strategic"] * strategic + ["Star", "Status", "Streamline"] * n_key
    ap = profile([(c, quad[i] if i < n_key else "Status", i < n_key) for i, c in enumerate(ids)])
    people = contacts(
        [(c, f"{c}-1", "decision_maker", "meeting", "K1") for c in ids]
        + [(c, f"{c}-2", "procurement", "email", "K2") for c in ids[::2]]
        + [(c, f"{c}-3", "executive", None, "E1") for c in ids[:strategic]]
    )
    roster = team(
        [(f"K{i + 1}", "kam", hours, kam_cap) for i in range(n_kams)]
        + [
            ("E1", "executive", 400, None),
            ("E2", "executive", 400, None),
            ("F1", "finance", 600, None),
            ("L1", "logistics", 800, None),
            ("M1", "marketing", 600, None),
            ("S1", "specialist", 800, None),
        ]
    )
    customers = pd.DataFrame(
        {
            "customer_id": pd.Series(ids, dtype="str"),
            "account_owner": pd.Series(["K1"] * len(ids), dtype="str"),
            "language": pd.Series(["en"] * len(ids), dtype="str"),
        }
    )
    tables = {
        "customers": customers,
        "invoices": invoices(ids),
        "contacts": people,
        "team": roster,
    }
    return tables, ap


def run_team(tables: dict, ap: pd.DataFrame, pnl=None, settings: TeamSettings | None = None):
    """The stage on hand-made tables (absent tables None), over :data:`PERIOD`."""
    inputs = {
        n: tables.get(n) for n in ("customers", "invoices", "contacts", "assessments", "team")
    }
    inputs.update(account_profile=ap, customer_pnl=pnl)
    return run(inputs, settings or TeamSettings(), PERIOD)


def said(result) -> dict[str, str]:
    """The result's findings as English sentences, by name (``feasible``, ``too_big``, ...)."""
    sentences = render_messages(result.messages, Catalog("en"))
    return {
        m.key.rsplit(".", 1)[-1]: text
        for m, (_, text) in zip(result.messages, sentences, strict=True)
    }


def names(result) -> list[str]:
    """The names of the result's findings, in order."""
    return [m.key.rsplit(".", 1)[-1] for m in result.messages]


def check_invariants(result) -> None:
    """No one over capacity or cap; at most one KAM and one sponsor per account."""
    load = result.load
    over = load[load["hours_planned"] > load["capacity_hours"] + 1e-6]
    assert over.empty, over
    capped = load[load["max_accounts"].notna()]
    assert (capped["accounts_n"] <= capped["max_accounts"]).all()
    plan = result.plan
    staffed = plan[plan["person_id"].notna()]
    assert not staffed.duplicated(["customer_id", "role"]).any()
    # the plan's hours add up to each person's load (the head of KAM adds their own hours)
    by_person = staffed.groupby("person_id")["hours"].sum()
    merged = load.set_index("person_id")
    for pid, hours in by_person.items():
        expected = merged.loc[pid, "hours_planned"] - merged.loc[pid, "head_of_kam_hours"]
        assert hours == pytest.approx(expected)
    if result.feasible:
        key = result.key_accounts
        kams = staffed[staffed["role"] == "kam"]
        assert sorted(kams["customer_id"]) == sorted(key["customer_id"])
        strategic = key.loc[key["tier"] == "Strategic", "customer_id"]
        sponsors = staffed[staffed["role"] == "executive"]
        assert sorted(sponsors["customer_id"]) == sorted(strategic)
