"""team_design.settings: defaults merged with the engagement file, names checked."""

from __future__ import annotations

import pytest

from kamaudit.config import ConfigError, load_engagement
from kamaudit.team_design import TeamSettings


def test_settings_merge_and_validate():
    s = TeamSettings(touchpoints_per_year={"decision_maker": {"Strategic": 24}})
    assert s.touchpoints("decision_maker", "Strategic") == 24
    assert s.touchpoints("decision_maker", "Star") == 10  # default kept
    assert s.touchpoints("somebody", "Star") == s.touchpoints("other", "Star")
    with pytest.raises(ValueError, match='planning_hours has "Strategc".*Did you mean "Strategic"'):
        TeamSettings(planning_hours={"Strategc": 10})


def test_roles_are_the_contract_team_roles():
    with pytest.raises(ValueError, match='kam_share has "sales"; expected one of kam, executive'):
        TeamSettings(kam_share={"sales": 0.5})


def test_engagement_team_settings(tmp_path):
    path = tmp_path / "engagement.yaml"
    path.write_text(
        "client: X\nperiod: {start: 2024-01-01, end: 2025-12-31}\ninputs: {invoices: i.csv}\n"
        "team: {max_accounts_per_kam: 3, kam_share: {kam: 0.5}}\n",
        encoding="utf-8",
    )
    eng = load_engagement(path)
    assert eng.team.max_accounts_per_kam == 3
    assert eng.team.kam_share["kam"] == 0.5 and eng.team.kam_share["executive"] == 0.15
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "client: X\nperiod: {start: 2024-01-01, end: 2025-12-31}\ninputs: {invoices: i.csv}\n"
        "team: {max_acounts_per_kam: 3}\n",
        encoding="utf-8",
    )
    with pytest.raises(
        ConfigError, match='unknown key "team.max_acounts_per_kam".*max_accounts_per_kam'
    ):
        load_engagement(bad)
