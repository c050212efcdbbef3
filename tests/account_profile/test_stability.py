"""Stability: the Monte Carlo is seeded and, without perturbation, equals the base run."""

from __future__ import annotations

from kamaudit.account_profile import select_accounts

from .common import selection_case


def test_stability_is_seeded_and_without_perturbation_equals_the_base():
    s, m, wide = selection_case(n=30, max_accounts=5, min_revenue_percentile=0)
    from kamaudit.account_profile import score_customers as sc
    from kamaudit.account_profile import stability

    wide, detail, _ = sc(m, None, s)
    sel, _ = select_accounts(wide, m, s)
    still = s.model_copy(
        update={
            "stability": s.stability.model_copy(update={"weight_perturbation_pct": 0.0, "runs": 50})
        }
    )
    f = stability(detail, m, sel, still)
    assert (f["selection_frequency"] == sel["is_key_account"].astype(float)).all()
    a = stability(detail, m, sel, s)
    b = stability(detail, m, sel, s)
    assert a["selection_frequency"].equals(b["selection_frequency"])
