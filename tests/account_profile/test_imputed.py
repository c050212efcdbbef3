"""Issue 15: no conclusion from imputed values, real history, robust growth and KAM fit.

An invoice-only audit (no assessments, no contacts, no payments) on a seasonal base with
one-invoice and cancellation-only customers: each rule is shown on figures checkable by hand.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kamaudit.account_profile import ProfileSettings, run, score_customers, select_accounts
from kamaudit.account_profile.cutoffs import at_or_above
from kamaudit.account_profile.metrics import growth
from kamaudit.account_profile.portfolio import quadrant
from kamaudit.config import Period

from .common import metrics_frame, two_criteria

PERIOD = Period(start="2023-01-01", end="2024-12-31")
MONTHS = pd.date_range("2023-01-01", "2024-12-01", freq="MS") + pd.Timedelta(days=14)


def _seasonal_invoices(n: int = 40) -> pd.DataFrame:
    """``n`` steady customers buying monthly with a December peak (3x), a one-invoice giant,
    a customer new in 2024 and a customer whose only lines are cancellations."""
    rows = []
    for i in range(n):
        size = 1000.0 * (i + 1)
        for d in MONTHS:
            amount = size * (3 if d.month == 12 else 1)
            rows.append((f"I{i}-{d:%Y%m}", d, f"C{i:02d}", amount))
    rows.append(("BIG", pd.Timestamp("2024-06-01"), "ONEOFF", 5_000_000.0))
    for d in MONTHS[12:]:
        rows.append((f"N-{d:%Y%m}", d, "NEW", 20_000.0 * (3 if d.month == 12 else 1)))
    rows.append(("C1", pd.Timestamp("2024-03-01"), "CANCEL", -800.0))
    rows.append(("C2", pd.Timestamp("2024-04-01"), "CANCEL", -200.0))
    return pd.DataFrame(rows, columns=["invoice_id", "invoice_date", "customer_id", "net_amount"])


def _pnl(inv: pd.DataFrame, margin: float = 0.25) -> pd.DataFrame:
    rev = inv.groupby("customer_id")["net_amount"].sum()
    return pd.DataFrame(
        {
            "customer_id": rev.index.astype("str"),
            "name": rev.index.astype("str"),
            "net_revenue": rev.to_numpy(),
            "gross_margin": margin * rev.to_numpy(),
            "cts_total": 0.0,
            "net_profit": margin * rev.to_numpy(),
        }
    )


@pytest.fixture(scope="module")
def invoice_only():
    inv = _seasonal_invoices()
    inputs = {
        "invoices": inv,
        "customer_pnl": _pnl(inv),
        "customers": None,
        "payments": None,
        "contacts": None,
        "assessments": None,
    }
    settings = ProfileSettings(stability={"runs": 50})
    return run(inputs, settings, PERIOD)


def test_without_assessments_or_contacts_every_strength_is_unassessed(invoice_only):
    r = invoice_only
    p = r.profile.set_index("customer_id")
    # strength: every criterion is an assessment or a contact metric -> all missing
    assert r.scores["strength_missing_pct"].eq(100).all()
    assert p["strength_unassessed"].all()
    assert (p["quadrant"] == "unassessed").all()  # no Strategic/Status split on 5.5
    assert r.summary["quadrants"] == {"Strategic": 0, "Star": 0, "Status": 0, "Streamline": 0}
    # the list is built on attractiveness alone, and says so
    assert r.summary["key_n"] > 0
    assert r.summary["selection_basis"] == "attractiveness_only"
    why = r.selection.set_index("customer_id").loc[p.index[p["is_key_account"]], "why"]
    assert why.str.contains("attractiveness_only").all()


def test_the_stability_check_does_not_flip_on_rounding(invoice_only):
    r = invoice_only
    # weights perturbed and renormalised: neutral strengths land a hair either side of 5.5;
    # the key accounts that are clearly in stay in every run
    key = r.profile["is_key_account"]
    assert r.summary["core_n"] > 0
    assert (r.profile.loc[key, "selection_frequency"] > 0).all()


def test_rounding_noise_never_decides_a_quadrant():
    s = ProfileSettings()
    a = np.array([7.0, 7.0])
    strength = np.array([5.499999999999999, 5.500000000000001])
    q = quadrant(a, strength, s)
    assert q[0] == q[1] == "Strategic"
    assert at_or_above(np.array([24.999999999999993]), 25.000000000000007).all()


def test_a_score_within_the_margin_of_a_cut_off_is_on_the_line():
    s = two_criteria(strength_thresholds=[1, 2, 3, 4, 5, 6, 7, 8, 9], min_revenue_percentile=0)
    m = metrics_frame(
        net_profit=[100.0, 200.0, 300.0],
        relationship_strength_avg=[5.0, 5.0, 9.0],  # scores 6.0, 6.0, 10.0
    )
    s = s.model_copy(update={"split_strength": 5.95})
    wide, _, _ = score_customers(m, None, s)
    sel, _ = select_accounts(wide, m, s)
    why = sel.set_index("customer_id")["why"]
    assert "on_the_line" in why["C0"] and "on_the_line" in why["C1"]
    assert "on_the_line" not in why["C2"]


def test_a_missing_indicator_never_passes_a_stage_threshold(invoice_only):
    # no contacts, no wallet: cooperation needs contacts, so nobody is inferred above
    # transactional (the cancellation-only customer is not "synergy")
    rel = invoice_only.relationship.set_index("customer_id")
    assert (rel["stage_inferred"] == "transactional").all()
    assert rel.loc["CANCEL", "win_keep_probability"] <= 0.35


def test_real_history_keeps_one_off_and_new_customers_off_the_lists(invoice_only):
    p = invoice_only.profile.set_index("customer_id")
    sel = invoice_only.selection.set_index("customer_id")
    # the largest customer by far bought once: not a key account, and said why
    assert p["net_revenue"].idxmax() == "ONEOFF"
    assert not p.loc["ONEOFF", "is_key_account"]
    assert "short_history" in sel.loc["ONEOFF", "why"]
    # new in the second year: no sales in the first half
    assert not p.loc["NEW", "is_key_account"] and not p.loc["NEW", "is_potential"]
    assert "short_history" in sel.loc["NEW", "why"]
    # credits only: neither a candidate nor a loss-maker
    assert not sel.loc["CANCEL", "is_candidate"]
    assert "not_active" in sel.loc["CANCEL", "why"]
    assert "unprofitable" not in sel.loc["CANCEL", "why"]


def test_growth_compares_the_same_months_and_calls_new_customers_new(invoice_only):
    m = invoice_only.metrics.set_index("customer_id")
    assert (m["growth_basis"] == "same_months").all()
    # a December peak in both years: steady customers do not grow, whatever the halves say
    assert m.loc["C05", "growth_pct"] == pytest.approx(0.0)
    assert m.loc["NEW", "growth_status"] == "new"
    assert np.isnan(m.loc["NEW", "growth_pct"])  # not +300 %
    assert invoice_only.summary["growth_new_n"] >= 2  # NEW and the one-off


def test_a_short_period_uses_the_annualised_trend_and_says_so():
    inv = pd.DataFrame(
        {
            "customer_id": ["A"] * 6,
            "net_amount": [100.0, 110.0, 120.0, 130.0, 140.0, 150.0],
            "invoice_date": pd.to_datetime([f"2024-0{k}-10" for k in range(1, 7)]),
        }
    )
    g, status, basis = growth(
        inv, pd.Index(["A"]), pd.Timestamp("2024-01-01"), pd.Timestamp("2024-06-30")
    )
    assert basis == "trend"
    assert status[0] == "compared"
    # slope 10 a month on a mean of 125: 12 * 10 / 125 = 96 % a year
    assert g[0] == pytest.approx(96.0)


def test_kam_fit_is_weak_without_data_and_the_list_is_tentative(invoice_only):
    fit = invoice_only.summary["kam_fit"]
    tests = {t["test"]: t for t in fit["tests"]}
    assert not tests["data_present"]["passed"]  # nothing tells our strength
    assert not tests["order_size"]["passed"]  # everybody orders alike here
    assert fit["fit"] in ("weak", "moderate")
    keys = {m.key.rsplit(".", 1)[-1] for m in invoice_only.messages}
    if fit["fit"] == "weak":
        assert fit["tentative"] and "list_tentative" in keys
        assert "data_present" in fit["to_make_firm"]
