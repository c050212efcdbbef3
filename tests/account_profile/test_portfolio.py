"""Portfolio: McDonald's quadrants and the customer's view of us, by hand."""

from __future__ import annotations

import pandas as pd

from kamaudit.account_profile import portfolio, score_customers

from .common import metrics_frame, two_criteria


def test_quadrants_and_client_view_by_hand():
    s = two_criteria(attr_thresholds=[5], strength_thresholds=[3])
    # net_profit >= 5 -> 10 else 1 ; strength >= 3 -> 10 else 1
    m = metrics_frame(
        net_profit=[9.0, 9.0, 1.0, 1.0],
        relationship_strength_avg=[4.0, 1.0, 4.0, 1.0],
        net_revenue=[100.0, 200.0, 300.0, 400.0],
    )
    ass = pd.DataFrame(
        {
            "customer_id": ["C0", "C1"],
            "criterion": ["reliability", "quality"],
            "score": [9.0, 2.0],
            "source": ["client", "client"],  # intake normalised "Client's view"
        }
    )
    wide, _, _ = score_customers(m, ass, s)
    port = portfolio(wide, m, ass, s)
    assert port["quadrant"].tolist() == ["Strategic", "Star", "Status", "Streamline"]
    # C0: they rate us 9, we are small for them (revenue pct 1) -> Development; C1 rates us 2 -> Nuisance
    assert port["client_view"].tolist()[:2] == ["Development", "Nuisance"]
    assert port["client_view"].isna().tolist() == [False, False, True, True]
    assert port["views_disagree"].tolist() == [False, True, False, False]
