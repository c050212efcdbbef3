"""The two defects the one-home contract fixed, end to end through the CLI.

1. Optional contract columns the client sends reach the stage that reads them: a
   ``customer_since`` in the customer master gives the tenure (it used to be dropped by
   intake, so tenure always came from the invoices).
2. Coded values are normalised once, in intake: contact roles written "Decision-maker" and
   "Buyer" are the decision maker and procurement for the profile *and* for team design
   (the profile used to report such customers as missing a decision maker).
"""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

pytestmark = pytest.mark.e2e

SPELLINGS = {"decision_maker": "Decision-maker", "procurement": "Buyer", "technical": "Engineer"}


@pytest.fixture(scope="module")
def client_spelled_audit(tmp_path_factory):
    root = tmp_path_factory.mktemp("defects")
    company = root / "company"
    cli = [sys.executable, "-m", "kamaudit"]
    subprocess.run(
        [*cli, "sample", str(company), "--customers", "60", "--lines", "4000", "--seed", "11"],
        check=True,
        capture_output=True,
    )
    customers = pd.read_csv(company / "customers.csv", dtype=str, keep_default_na=False)
    customers["Customer since"] = "2005-03-01"
    customers.to_csv(company / "customers.csv", index=False)
    engagement = (company / "engagement.yaml").read_text(encoding="utf-8")
    engagement = engagement.replace(
        "  customers: customers.csv",
        '  customers: {path: customers.csv, columns: {"Customer since": customer_since}}',
    )
    (company / "engagement.yaml").write_text(engagement, encoding="utf-8")
    contacts = pd.read_csv(company / "contacts.csv", dtype=str, keep_default_na=False)
    contacts["role"] = contacts["role"].replace(SPELLINGS)
    contacts.to_csv(company / "contacts.csv", index=False)
    out = root / "audit"
    run = subprocess.run(
        [*cli, "run", str(company / "engagement.yaml"), "--out", str(out)],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    return company, out


def _table(out, name):
    return pd.read_parquet(out / "data" / f"{name}.parquet")


def test_customer_since_reaches_the_profile(client_spelled_audit):
    _, out = client_spelled_audit
    customers = _table(out, "customers")
    assert (customers["customer_since"] == pd.Timestamp("2005-03-01")).all()
    tenure = _table(out, "profile_metrics")["tenure_years"]
    assert tenure.min() > 19  # since 2005, to the end of 2025; the invoices give at most 2


def test_roles_in_the_clients_words_count_the_same_in_every_stage(client_spelled_audit):
    company, out = client_spelled_audit
    given = pd.read_csv(company / "contacts.csv", dtype=str)
    assert set(SPELLINGS.values()) <= set(given["role"])
    contacts = _table(out, "contacts")
    assert set(contacts["role"]) <= {*SPELLINGS, "influencer", "user", "finance", "executive"}
    with_dm = set(contacts.loc[contacts["role"] == "decision_maker", "customer_id"])
    assert with_dm
    metrics = _table(out, "profile_metrics").set_index("customer_id")
    missing = metrics.loc[sorted(with_dm), "roles_missing"].fillna("")
    assert not missing.str.contains("decision_maker").any()
    issues = _table(out, "intake_issues")
    said = issues.loc[issues["problem_key"] == "code_spelling", "value"]
    assert {'"Decision-maker"', '"Buyer"'} <= {f'"{v.strip(chr(34))}"' for v in said}
