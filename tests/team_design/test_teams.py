"""team_design.teams: the team matrix, each account's KAM and sponsor, the coverage."""

from __future__ import annotations

from kamaudit.contract import TEAM_ROLES

from .frames import company, names, run_team


def test_coverage_flags_single_holder():
    tables, ap = company()
    result = run_team(tables, ap)
    cov = result.coverage.drop_duplicates("customer_id").set_index("customer_id")
    # C03 has one contact owned by K1 only; C00 has K1, K2 and E1
    assert bool(cov.loc["C03", "single_holder_current"])
    assert not bool(cov.loc["C00", "single_holder_current"])
    assert "single_holder" in names(result)


def test_matrix_has_a_column_per_team_role_and_the_hours_add_up():
    tables, ap = company()
    m = run_team(tables, ap).matrix
    assert [c for c in m.columns if c in TEAM_ROLES] == list(TEAM_ROLES)
    hours = m[[f"{r}_hours" for r in TEAM_ROLES]].sum(axis=1)
    assert (hours - m["total_hours"]).abs().max() < 1e-9


def test_assignments_name_kam_and_sponsor_of_every_strategic_account():
    tables, ap = company()
    result = run_team(tables, ap)
    a = result.assignments.set_index("customer_id")
    strategic = result.key_accounts.loc[result.key_accounts["tier"] == "Strategic", "customer_id"]
    assert a.loc[strategic, "sponsor_id"].notna().all()
    assert a["kam_id"].notna().all()
