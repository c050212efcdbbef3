"""One weight at a time: ``-p profile.criteria.<name>.weight=<w>`` rescales its axis."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import write_engagement

from kamaudit import load_engagement
from kamaudit.account_profile.settings import DEFAULT_CRITERIA
from kamaudit.errors import ConfigError


def _weights(eng) -> dict[str, float]:
    return {c.name: c.weight for c in eng.profile.criteria}


def _axis_sum(eng, axis: str) -> float:
    return sum(c.weight for c in eng.profile.criteria if c.axis == axis)


def test_cli_sets_one_weight_and_rescales_its_axis(tmp_path):
    eng = write_engagement(tmp_path)
    (tmp_path / "invoices.csv").write_text("invoice_id,invoice_date,customer_id,net_amount\n")
    (tmp_path / "customers.csv").write_text("customer_id,name\n")
    out = subprocess.run(
        [sys.executable, "-m", "kamaudit", "validate", str(eng)]
        + ["-p", "profile.criteria.net_revenue.weight=40"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "valid list" not in out.stderr
    assert "weight net_revenue (attractiveness): 15 -> 40, set" in out.stdout
    assert "weight net_profit (attractiveness): 25 -> 17.64, rescaled to keep 100" in out.stdout
    assert "reliability" not in out.stdout  # the other axis is untouched


def test_other_weights_keep_their_proportions(tmp_path):
    eng = load_engagement(write_engagement(tmp_path), {"profile.criteria.net_revenue.weight": 40})
    w = _weights(eng)
    assert w["net_revenue"] == 40
    assert _axis_sum(eng, "attractiveness") == pytest.approx(100, abs=1e-9)
    assert _axis_sum(eng, "strength") == pytest.approx(100, abs=1e-9)
    default = {c.name: c.weight for c in DEFAULT_CRITERIA}
    # growth and strategic value were equal (15 each) and stay equal; profit 25 : growth 15
    assert w["growth"] == w["strategic_value"]
    assert w["net_profit"] / w["growth"] == pytest.approx(25 / 15, rel=0.01)
    for name in ("reliability", "quality", "contact_coverage"):
        assert w[name] == default[name]


def test_two_weights_set_together_both_hold(tmp_path):
    eng = load_engagement(
        write_engagement(tmp_path),
        ["profile.criteria.net_revenue.weight=40", "profile.criteria.net_profit.weight=5"],
    )
    w = _weights(eng)
    assert (w["net_revenue"], w["net_profit"]) == (40, 5)
    assert _axis_sum(eng, "attractiveness") == pytest.approx(100, abs=1e-9)


def test_the_assumptions_say_which_weights_moved(tmp_path):
    eng = load_engagement(write_engagement(tmp_path), {"profile.criteria.quality.weight": 30})
    a = eng.assumptions().set_index("setting")
    assert a.loc["profile.criteria.quality.weight", "source"] == "override"
    assert a.loc["profile.criteria.quality.weight", "value"] == "15 \u2192 30"
    assert a.loc["profile.criteria.reliability.weight", "source"] == "rescaled"
    assert a.loc["profile.criteria", "source"] == "override"


def test_starts_from_the_engagement_files_own_criteria(tmp_path):
    crit = [
        {"name": "net_profit", "axis": "attractiveness", "source": "net_profit", "weight": 60},
        {"name": "net_revenue", "axis": "attractiveness", "source": "net_revenue", "weight": 40},
        {"name": "quality", "axis": "strength", "weight": 100},
    ]
    eng = load_engagement(
        write_engagement(tmp_path, profile={"criteria": crit}),
        {"profile.criteria.net_revenue.weight": 70},
    )
    assert _weights(eng) == {"net_profit": 30, "net_revenue": 70, "quality": 100}


@pytest.mark.parametrize(
    ("override", "says"),
    [
        ({"profile.criteria.net_revenu.weight": 40}, 'no criterion "net_revenu"'),
        ({"profile.criteria.net_revenue.weight": 100}, "keep them below 100"),
        ({"profile.criteria.weight": 40}, "names no criterion field"),
    ],
)
def test_a_bad_weight_override_is_one_sentence(tmp_path, override, says):
    with pytest.raises(ConfigError, match=says):
        load_engagement(write_engagement(tmp_path), override)
