"""Action scenarios: reprice, reserve, exit, reconciled to the customer P&L."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kamaudit.cost_to_serve.scenarios import SCENARIO_COLUMNS, scenario_profits, scenario_summary

from .frames import run_on, sample_result


def test_rows_reconcile_to_the_customer_pnl():
    r = sample_result()
    s, pnl = r.scenarios, r.pnl.set_index("customer_id")
    assert list(s.columns) == SCENARIO_COLUMNS
    assert set(s["scenario"]) == {"reprice", "reserve", "exit"}
    np.testing.assert_allclose(
        s["net_profit_before"], pnl.loc[s["customer_id"], "net_profit"], atol=1e-9
    )
    np.testing.assert_allclose(
        s["net_revenue_before"], pnl.loc[s["customer_id"], "net_revenue"], atol=1e-9
    )
    np.testing.assert_allclose(
        s["profit_change"], s["net_profit_after"] - s["net_profit_before"], atol=1e-9
    )
    assert not s.duplicated(["scenario", "customer_id"]).any()
    # the portfolio after a scenario is the P&L's total plus its rows' changes
    summary = scenario_summary(r.pnl, s)
    total = r.pnl["net_profit"].sum()
    profits = scenario_profits(r.pnl, s)
    for sc in ("reprice", "reserve", "exit"):
        change = s.loc[s["scenario"] == sc, "profit_change"].sum()
        assert summary[sc]["net_profit"] == pytest.approx(total + change)
        assert profits[sc].sum() == pytest.approx(total + change)
    assert summary["now"]["profit_at_stake"] == pytest.approx(
        -r.pnl.loc[r.pnl["net_profit"] < 0, "net_profit"].sum()
    )


def test_reprice_reaches_the_target_margin_of_the_profitable_median():
    r = sample_result()
    rp = r.scenarios[r.scenarios["scenario"] == "reprice"]
    profitable = r.pnl.loc[r.pnl["net_profit"] > 0, "net_profit_pct"]
    target = profitable.median()
    margin = rp["net_profit_after"] / rp["net_revenue_after"] * 100
    np.testing.assert_allclose(margin, target, atol=1e-6)
    assert (rp["price_change_pct"] > 0).all()
    assert rp["breakeven_volume_loss_pct"].between(0, 100).all()
    assert rp["assumption"].str.contains("median of profitable customers").all()


def test_exit_only_where_avoidable_cost_exceeds_the_margin_lost():
    r = sample_result()
    ex = r.scenarios[r.scenarios["scenario"] == "exit"].set_index("customer_id")
    pnl = r.pnl.set_index("customer_id")
    assert (pnl.loc[ex.index, "profit_change_if_dropped"] > 0).all()
    np.testing.assert_allclose(
        ex["profit_change"], pnl.loc[ex.index, "profit_change_if_dropped"], atol=1e-6
    )
    assert (ex["net_profit_after"] <= 0).all()  # the cost that stays behind
    dropped_ok = pnl[(pnl["net_profit"] < 0) & (pnl["profit_change_if_dropped"] > 0.005)]
    assert set(ex.index) == set(dropped_ok.index)


def test_small_case_by_hand(small):
    r = run_on(small, monte_carlo_runs=0)
    s = r.scenarios.set_index("scenario")
    # A is the only loss-maker; its 2 delivery rows in one week become one delivery:
    # 2 deliveries × 25 a delivery × 50 % avoidable = 25 saved
    assert s.loc["reserve", "customer_id"] == "A"
    assert s.loc["reserve", "profit_change"] == pytest.approx(25.0)
    assert "2 fewer deliveries (weekly)" in s.loc["reserve", "lever"]
    assert "exit" not in s.index  # what it avoids (37.5 + 10 + financing) < its margin 64
    r2 = run_on(small, monte_carlo_runs=0, scenarios={"capacity_removed": True})
    ex = r2.scenarios.set_index("scenario").loc["exit"]
    assert ex["net_profit_after"] == pytest.approx(0.0)


def test_defaults_are_settings():
    r = run_on_sample_with(target_margin_pct=5.0)
    rp = r.scenarios[r.scenarios["scenario"] == "reprice"]
    margin = rp["net_profit_after"] / rp["net_revenue_after"] * 100
    np.testing.assert_allclose(margin, 5.0, atol=1e-6)
    assert rp["assumption"].str.contains("engagement setting").all()


def run_on_sample_with(**scenario_settings):
    from kamaudit.cost_to_serve import run

    from .frames import sample_inputs

    tables, eng = sample_inputs()
    s = eng.cost_to_serve.model_copy(
        update={"scenarios": eng.cost_to_serve.scenarios.model_copy(update=scenario_settings)}
    )
    return run(tables, s.model_copy(update={"monte_carlo_runs": 0}), eng.period)


def test_table_keeps_the_contract():
    from kamaudit.contract import check_table

    r = sample_result()
    assert check_table("cts_scenarios", r.scenarios) == []
    assert check_table("cts_robustness", r.robustness) == []
    assert isinstance(r.scenarios, pd.DataFrame)


def test_channel_shift_by_hand():
    """Half the visits (80 each, 50 % avoidable) move to calls (10 each): 30 saved a visit
    moved; rush orders (100, all avoidable) move to orders counted in invoices: 100 saved."""
    from kamaudit.cost_to_serve.scenarios import _channel_savings
    from kamaudit.cost_to_serve.settings import ScenarioSettings

    rates = pd.DataFrame(
        {
            "activity": ["sales_visit", "call", "rush_order", "order"],
            "driver": ["activity", "activity", "activity", "invoices"],
            "rate": [80.0, 10.0, 100.0, 5.0],
        }
    )
    volumes = np.array([[4.0, 10.0, 2.0, 7.0]])
    acts = ["sales_visit", "call", "rush_order", None]
    share = np.array([0.5, 1.0, 1.0, 1.0])
    st = ScenarioSettings()
    notes = [[]]
    visits = _channel_savings(st.channel_groups[0], rates, volumes, acts, share, st, notes)
    rush = _channel_savings(st.channel_groups[1], rates, volumes, acts, share, st, notes)
    assert visits.tolist() == [2 * (40.0 - 10.0)]
    assert rush.tolist() == [1 * 100.0]
    assert [[text for text, _ in n] for n in notes] == [
        ["2.0 sales_visit moved to call", "1.0 rush_order moved to order"]
    ]
    assert notes[0][0][1] == (
        "reserve_moved",
        {"events": 2.0, "source": "sales_visit", "target": "call"},
    )


def test_levers_and_assumptions_read_in_the_report_language():
    """The stage's English sentences stay in the working papers; the terms beside them
    put the same lever into each language, activity names by their label."""
    import json

    from kamaudit.deliverables.i18n import Catalog
    from kamaudit.deliverables.scenario_words import scenario_words

    terms = json.dumps(
        [
            ["reserve_fewer_orders", {"orders_n": 3.0}],
            ["reserve_moved", {"events": 2.0, "source": "sales_visit", "target": "call"}],
            ["reserve_channels", {"shift_pct": 50.0, "groups": [["sales_visit", "call"]]}],
        ]
    )
    en, cs, ru = (scenario_words(terms, Catalog(x)) for x in ("en", "cs", "ru"))
    assert en.startswith("3 fewer orders (minimum order value); 2 × sales visit moved to call")
    assert "sales_visit" not in en and "sales visit → call" in en
    assert cs.startswith("o 3 objednávky méně") and "obchodní návštěva" in cs
    assert ru.startswith("на 3 заказа меньше")
    assert "fewer" not in cs and "moved" not in ru
    fa = scenario_words(terms, Catalog("fa"))
    assert fa.count("\u061b ") == 2 and "; " not in fa  # the Arabic semicolon
