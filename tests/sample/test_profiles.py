"""Industry profiles: every industry generates with its facts, and industries differ."""

from __future__ import annotations

import pytest

import kamaudit
from kamaudit.sample import INDUSTRIES, generate_sample

from .checks import SMALL, check_planted_facts, read


@pytest.mark.parametrize("industry", INDUSTRIES)
def test_every_industry_generates_with_its_facts(tmp_path, industry):
    info = generate_sample(tmp_path, seed=3, industry=industry, **SMALL)
    t = read(info)
    assert set(t["activities"]["activity"]) <= set(t["cost_pools"]["activity"])
    check_planted_facts(info)
    engagement = kamaudit.load_engagement(info.engagement)
    # the audit asks hours only of roles the company has (a bank has no logistics person)
    asked = {r for r, tiers in engagement.team.support_hours.items() if any(tiers.values())}
    assert asked <= set(t["team"]["role"]), asked - set(t["team"]["role"])


def test_industries_differ(tmp_path):
    bank = read(generate_sample(tmp_path / "bank", industry="bank", **SMALL))
    dist = read(generate_sample(tmp_path / "dist", industry="distributor", **SMALL))
    assert "loans" in set(bank["invoices"]["product_category"])
    assert "branch_visit" in set(bank["activities"]["activity"])
    assert not set(bank["invoices"]["product_category"]) & set(dist["invoices"]["product_category"])
