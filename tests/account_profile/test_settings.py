"""Settings: weights per axis, known criteria and metrics, errors that name the key."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from kamaudit.account_profile import Criterion, ProfileSettings
from kamaudit.errors import ConfigError


def test_weights_must_sum_to_100_per_axis():
    with pytest.raises(
        ValidationError, match=r"attractiveness weights sum to 90, expected 100 \(net_profit 90\)"
    ):
        ProfileSettings(
            criteria=[
                Criterion(name="net_profit", axis="attractiveness", source="net_profit", weight=90),
                Criterion(name="reliability", axis="strength", weight=100),
            ]
        )


def test_unknown_metric_suggests_the_closest():
    with pytest.raises(
        ValidationError, match=r'unknown source "net_proft".*Did you mean "net_profit"'
    ):
        Criterion(name="x", axis="attractiveness", source="net_proft", weight=10)


def test_unknown_assessment_criterion_suggests_and_custom_allows():
    with pytest.raises(
        ValidationError,
        match=r'unknown assessment criterion "reliabilty".*Did you mean "reliability"',
    ):
        Criterion(name="reliabilty", axis="strength", weight=10)
    assert Criterion(name="eco_rating", axis="strength", weight=10, custom=True).custom


def test_engagement_file_error_names_the_key(tmp_path):
    from kamaudit.config import load_engagement

    path = tmp_path / "engagement.yaml"
    path.write_text(
        "client: X\nperiod: {start: 2024-01-01, end: 2024-12-31}\ninputs: {invoices: i.csv}\n"
        "profile:\n  criteria:\n    - {name: net_profit, axis: attractiveness, source: net_profit, weight: 100}\n"
        "    - {name: reliability, axis: strength, weight: 80}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=r'"profile" .*strength weights sum to 80, expected 100'):
        load_engagement(path)
    path.write_text(
        "client: X\nperiod: {start: 2024-01-01, end: 2024-12-31}\ninputs: {invoices: i.csv}\n"
        "profile: {max_sahre_pct: 10}\n",
        encoding="utf-8",
    )
    with pytest.raises(
        ConfigError, match=r'unknown key "profile.max_sahre_pct".*Did you mean "max_share_pct"'
    ):
        load_engagement(path)


def test_engagement_file_unknown_metric_names_the_key(tmp_path):
    from kamaudit.config import load_engagement

    path = tmp_path / "engagement.yaml"
    path.write_text(
        "client: X\nperiod: {start: 2024-01-01, end: 2024-12-31}\ninputs: {invoices: i.csv}\n"
        "profile:\n  criteria:\n    - {name: profit, axis: attractiveness, source: net_proft, weight: 100}\n"
        "    - {name: reliability, axis: strength, weight: 100}\n",
        encoding="utf-8",
    )
    with pytest.raises(
        ConfigError,
        match=r'"profile.criteria.0.source" = "net_proft" is not valid: unknown source.*Did you mean "net_profit"',
    ):
        load_engagement(path)


def test_default_preset_is_valid_and_documented():
    s = ProfileSettings()
    t = s.criteria_table()
    assert t.groupby("axis")["weight"].sum().to_dict() == {
        "attractiveness": 100.0,
        "strength": 100.0,
    }
    assert t["description"].str.len().gt(0).all()
    for name, f in ProfileSettings.model_fields.items():
        assert f.description or name in {
            "potential",
            "stability",
            "stages",
            "win_keep",
            "contacts",
            "risks",
            "fit",
        }, name
