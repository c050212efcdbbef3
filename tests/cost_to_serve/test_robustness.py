"""Robust or sensitive verdicts: Monte Carlo plus one-at-a-time changes and tipping points."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kamaudit.cost_to_serve.robustness import robustness

from .frames import sample_result


def _frames():
    pnl = pd.DataFrame(
        {
            "customer_id": ["A", "B", "C"],
            "name": ["a", "b", "c"],
            "net_profit": [-50.0, 5.0, 300.0],
            "gross_margin": [50.0, 105.0, 400.0],
            "cts_x": [100.0, 100.0, 100.0],
            "financing_cost": [0.0, 0.0, 0.0],
        }
    )
    rates = pd.DataFrame(
        {"activity": ["x"], "cost_column": ["cts_x"], "driver": ["invoices"], "driver_word": [""]}
    )
    return pnl, rates


def test_labels_and_tipping_points_by_hand():
    pnl, rates = _frames()
    out = robustness(pnl, rates, np.array([1.0, 0.3, 0.0]), pct=20.0)
    assert out["label"].tolist() == ["robust_loss", "sensitive", "robust_profit"]
    # A needs the rate 50 % lower to break even; B turns a loss at +5 %; C never within 100 %
    assert out["tipping_point_pct"].tolist()[:2] == [50.0, 5.0]
    assert np.isnan(out["tipping_point_pct"].iloc[2])
    assert out["tipping_factor"].tolist() == ["rate:x", "rate:x", ""]


def test_monte_carlo_alone_can_make_a_verdict_sensitive():
    pnl, rates = _frames()
    out = robustness(pnl, rates, np.array([0.85, 0.0, 0.0]), pct=20.0)
    assert out["label"].iloc[0] == "sensitive"  # a loss in only 85 % of the runs


def test_sample_labels_agree_with_their_definition():
    r = sample_result()
    rob = r.robustness
    assert rob["customer_id"].tolist() == r.pnl["customer_id"].tolist()
    loss = rob["net_profit"] < 0
    tip = rob["tipping_point_pct"].fillna(np.inf)
    robust_loss = loss & (rob["prob_unprofitable"] >= 0.9) & (tip > 20)
    robust_profit = ~loss & (rob["prob_unprofitable"] <= 0.1) & (tip > 20)
    assert (rob["label"] == "robust_loss").eq(robust_loss).all()
    assert (rob["label"] == "robust_profit").eq(robust_profit).all()
    assert set(rob["label"]) <= {"robust_profit", "robust_loss", "sensitive"}
    # applying a rate's tipping change flips the customer's sign
    pnl = r.pnl.set_index("customer_id")
    col_of = dict(zip("rate:" + r.rates["activity"], r.rates["cost_column"], strict=True))
    for _, row in rob[rob["tipping_factor"].str.startswith("rate:")].head(30).iterrows():
        c = pnl.loc[row["customer_id"]]
        cost = c[col_of[row["tipping_factor"]]]
        moved = row["tipping_point_pct"] / 100 * cost
        after = c["net_profit"] + (moved if c["net_profit"] < 0 else -moved)
        assert after == pytest.approx(0.0, abs=1e-6)
    # the headline counts robust losses and names the sensitive ones
    msg = next(m for m in r.findings if m.key.endswith("robust_losses"))
    assert msg.params["robust_n"] == int((rob["label"] == "robust_loss").sum())
    assert msg.params["customers_n"] == int(loss.sum())


def test_allocation_basis_is_a_factor():
    """Visits costed by hours (1 h and 3 h) against by quantity (one visit each)."""
    pnl = pd.DataFrame(
        {
            "customer_id": ["P", "Q"],
            "net_profit": [10.0, 500.0],
            "gross_margin": [35.0, 575.0],
            "cts_visit": [25.0, 75.0],
            "financing_cost": [0.0, 0.0],
        }
    )
    rates = pd.DataFrame(
        {
            "activity": ["visit"],
            "cost_column": ["cts_visit"],
            "driver": ["hours"],
            "driver_word": ["hours"],
        }
    )
    acts = pd.DataFrame(
        {
            "customer_id": ["P", "Q"],
            "activity": ["visit", "visit"],
            "quantity": [1.0, 1.0],
            "hours": [1.0, 3.0],
        }
    )
    out = robustness(pnl, rates, np.array([0.0, 0.0]), acts, vary_financing=False)
    # by quantity P would carry 50 instead of 25: +25; profit 10 is gone at 40 % of the shift,
    # before the rate itself would tip it (+40 % of 25 = 10: a tie, the basis came second)
    assert out["tipping_point_pct"].iloc[0] == pytest.approx(40.0)
    assert out["label"].iloc[0] == "robust_profit"  # 40 % is beyond the ±20 % tested
    assert out["label"].iloc[0] == "robust_profit"  # 40 % is beyond the ±20 % tested
    no_acts = robustness(pnl, rates, np.array([0.0, 0.0]), None, vary_financing=False)
    assert no_acts["tipping_factor"].iloc[0] == "rate:visit"
    acts2 = acts.assign(hours=[1.0, 9.0])  # by quantity P would carry 50 of 100
    pnl2 = pnl.assign(cts_visit=[10.0, 90.0], net_profit=[3.0, 500.0])
    out3 = robustness(pnl2, rates, np.array([0.0, 0.0]), acts2, vary_financing=False)
    # the shift adds 40 to P: its profit 3 goes at 7.5 % of the shift (the rate needs 30 %)
    assert out3["tipping_factor"].iloc[0] == "basis:visit"
    assert out3["tipping_point_pct"].iloc[0] == pytest.approx(7.5)
