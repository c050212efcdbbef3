"""Selection: the cap, the profit rule, forced accounts, reasons; the cap as a property."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kamaudit.account_profile import (
    score_customers,
    select_accounts,
    selection_cap,
    stability,
)
from kamaudit.errors import ConfigError

from .common import customer_sets, metrics_frame, prop_settings, selection_case


def test_selection_cap_profit_rule_and_reasons():
    s, m, wide = selection_case(n=20, max_share_pct=20, max_accounts=3, min_revenue_percentile=0)
    sel, meta = select_accounts(wide, m, s)
    assert meta["cap"] == 3 == selection_cap(20, s)
    assert sel["is_key_account"].sum() <= 3
    key = sel.loc[sel["is_key_account"]]
    assert (key["attractiveness"] >= 5.5).all() and (key["strength"] >= 5.5).all()
    assert (m.loc[sel["is_key_account"], "net_profit"] >= 0).all()
    losers = sel.loc[m["net_profit"] < 0]
    assert losers["why"].str.contains("unprofitable").all()
    over = sel.loc[sel["is_candidate"] & ~sel["is_key_account"]]
    assert (over["why"] == "over_cap").all()
    # every key account outranks every candidate left over the cap
    if len(over):
        assert key["priority"].min() >= over["priority"].max()
    assert sel["is_deep_plan"].sum() == min(s.deep_plan_n, len(key))


def test_force_key_and_force_not_key():
    s, m, wide = selection_case(n=20, max_accounts=3, min_revenue_percentile=0)
    sel, _ = select_accounts(wide, m, s)
    top = sel.loc[sel["is_key_account"], "customer_id"].iloc[0]
    low = sel.sort_values("priority")["customer_id"].iloc[0]
    s2 = s.model_copy(update={"force_key": [low], "force_not_key": [top]})
    sel2, meta = select_accounts(wide, m, s2)
    sel2 = sel2.set_index("customer_id")
    assert sel2.loc[low, "is_key_account"] and sel2.loc[low, "why"].startswith("forced_key")
    assert not sel2.loc[top, "is_key_account"] and "forced_not_key" in sel2.loc[top, "why"]
    assert meta["key_n"] <= meta["cap"]
    with pytest.raises(ConfigError, match="force_key names 4 customers but the cap is 3"):
        select_accounts(wide, m, s.model_copy(update={"force_key": list(m["customer_id"][:4])}))


def test_small_today_customers_are_not_key():
    s, m, wide = selection_case(n=20, max_accounts=10, min_revenue_percentile=50)
    sel, _ = select_accounts(wide, m, s)
    small = m["net_revenue"].rank(pct=True) < 0.5  # percentile = rank / n
    assert not sel.loc[small, "is_key_account"].any()
    assert sel.loc[small, "why"].str.contains("small_today").all()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(customer_sets(), st.floats(1, 100), st.integers(0, 50), st.booleans())
def test_property_the_cap_always_holds(case, share, max_accounts, include_star):
    n, profit, margin, rel, ties, rev, weights, thresholds = case
    s = prop_settings(
        weights,
        thresholds,
        max_share_pct=share,
        max_accounts=max_accounts,
        include_star=include_star,
        stability={"runs": 20, "seed": 1},
    )
    m = metrics_frame(
        net_profit=profit,
        net_profit_pct=margin,
        relationship_strength_avg=rel,
        competitor_ties_avg=ties,
        net_revenue=rev,
    )
    wide, detail, _ = score_customers(m, None, s)
    sel, meta = select_accounts(wide, m, s)
    active = int((m["net_revenue"] > 0).sum())
    assert sel["is_key_account"].sum() <= min(int(active * share / 100 + 1e-9), max_accounts)
    stab = stability(detail, m, sel, s)
    assert stab["selection_frequency"].between(0, 1).all()


def test_turnover_comparison_is_one_table_by_hand():
    import pandas as pd

    from kamaudit.account_profile import turnover_comparison

    sel = pd.DataFrame(
        {
            "is_key_account": [True, True, False, False],
            "in_turnover_top": [True, False, True, False],
            "net_revenue": [9.0, 2.0, 8.0, 1.0],
            "net_profit": [3.0, 1.0, -2.0, 0.5],
        }
    )
    c = turnover_comparison(sel).set_index("list")
    assert c.loc["key_accounts"].to_dict() == {
        "customers_n": 2,
        "both_n": 1,
        "only_n": 1,
        "only_unprofitable_n": 0,
        "net_revenue": 11.0,
        "net_profit": 4.0,
    }
    assert c.loc["turnover_top", "only_unprofitable_n"] == 1
    assert c.loc["turnover_top", "net_profit"] == 1.0


@pytest.mark.parametrize("max_accounts", [0, 2, 5])
def test_turnover_list_is_as_long_as_the_key_account_list(max_accounts):
    s, m, wide = selection_case(n=20, max_accounts=max_accounts, min_revenue_percentile=0)
    sel, meta = select_accounts(wide, m, s)
    key_n = int(sel["is_key_account"].sum())
    assert int(sel["in_turnover_top"].sum()) == key_n == meta["turnover_top_n"]
    # the turnover list holds the highest-revenue customers
    top = sel.loc[sel["in_turnover_top"], "net_revenue"]
    rest = sel.loc[~sel["in_turnover_top"], "net_revenue"]
    if key_n:
        assert top.min() >= rest.max()
