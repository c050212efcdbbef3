"""The pocket-margin waterfall sums to net profit for every key account, and only them."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from kamaudit.synthesis import POCKET_STEPS, pocket_margins

money = st.floats(min_value=0, max_value=1e7, allow_nan=False)


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(money, money, money, money, money, money, st.booleans()), min_size=1, max_size=8
    )
)
def test_steps_sum_to_pocket_profit(rows):
    ids = [f"C{i}" for i in range(len(rows))]
    a = np.array([r[:6] for r in rows], dtype=float)
    pnl = pd.DataFrame(
        {"customer_id": pd.Series(ids, dtype="str"), "name": pd.Series(ids, dtype="str")}
    )
    pnl["list_sales"], pnl["discounts"], pnl["rebates"] = a[:, 0], a[:, 1], a[:, 2]
    pnl["net_revenue"] = pnl["list_sales"] - pnl["discounts"] - pnl["rebates"]
    pnl["cogs"], pnl["financing_cost"], pnl["cts_total"] = a[:, 3], a[:, 4], a[:, 5]
    pnl["gross_margin"] = pnl["net_revenue"] - pnl["cogs"]
    pnl["net_profit"] = pnl["gross_margin"] - pnl["financing_cost"] - pnl["cts_total"]
    prof = pd.DataFrame(
        {"customer_id": pd.Series(ids, dtype="str"), "is_key_account": [r[6] for r in rows]}
    )
    out = pocket_margins(pnl, prof)
    assert set(out["customer_id"]) == set(prof.loc[prof["is_key_account"], "customer_id"])
    moves = out[~out["step"].isin(["net_revenue", "gross_margin", "pocket_profit"])]
    total = moves.groupby("customer_id")["amount"].sum()
    pocket = out[out["step"] == "pocket_profit"].set_index("customer_id")["amount"]
    assert np.allclose(total.reindex(pocket.index), pocket, atol=1e-4)
    assert len(out) == len(pocket) * len(POCKET_STEPS)
