"""Revenue ABC against profit ABC, Shapiro's quadrants, big customers that lose money."""

from __future__ import annotations

import pandas as pd

from kamaudit.cost_to_serve import abc, abc_matrix, big_unprofitable, shapiro_matrix


def test_abc_by_hand():
    pnl = pd.DataFrame(
        {
            "customer_id": list("abcde"),
            "net_revenue": [70.0, 15.0, 10.0, 4.0, 1.0],
            "net_profit": [-5.0, 10.0, 3.0, 1.0, 0.5],
        }
    )
    seg = abc(pnl).set_index("customer_id")
    # revenue: a starts at 0 % (A), b at 70 % (A), c at 85 % (B), d at 95 % (C)
    assert seg["revenue_abc"].tolist() == ["A", "A", "B", "C", "C"]
    # profit: a loses money (C); b starts at 0 %, c at 69 % (A), d at 90 % (B), e at 96.6 % (C)
    assert seg["profit_abc"].tolist() == ["C", "A", "A", "B", "C"]
    m = abc_matrix(seg.reset_index()).set_index("revenue_abc")
    assert m.loc["A", "profit_C"] == 1 and m["customers_n"].sum() == 5


def test_shapiro_quadrants_by_hand():
    pnl = pd.DataFrame(
        {
            "customer_id": list("abcde"),
            "net_revenue": [100.0] * 4 + [0.0],
            "gross_margin": [40.0, 40.0, 10.0, 10.0, 0.0],
            "cts_total": [30.0, 5.0, 5.0, 30.0, 0.0],
            "financing_cost": [0.0] * 5,
        }
    )
    q, pcut, ccut = shapiro_matrix(pnl, price_cut_pct=25, cts_cut_pct=20)
    assert q["cost_quadrant"].tolist()[:4] == [
        "carriage_trade",
        "passive",
        "bargain_basement",
        "aggressive",
    ]
    assert pd.isna(q["cost_quadrant"].iloc[4])  # no revenue, no quadrant
    _, pm, cm = shapiro_matrix(pnl)
    assert (pm, cm) == (25.0, 17.5)  # medians of customers with revenue


def test_big_unprofitable_names_the_sinking_lines():
    n = 10
    pnl = pd.DataFrame(
        {
            "customer_id": [f"c{i}" for i in range(n)],
            "name": [f"C{i}" for i in range(n)],
            "client_flag": [""] * (n - 1) + ["VIP"],
            "list_sales": [1000.0] * n,
            "discounts": [0.0] * n,
            "rebates": [0.0] * n,
            "net_revenue": [1000.0] * n,
            "cogs": [600.0] * n,
            "gross_margin": [400.0] * n,
            "cts_delivery": [100.0] * n,
            "cts_rush": [0.0] * n,
            "cts_returns": [10.0] * n,
            "financing_cost": [5.0] * n,
        }
    )
    pnl.loc[0, "net_revenue"] = pnl.loc[0, "list_sales"] = 5000.0  # the biggest customer...
    pnl.loc[0, ["cogs", "gross_margin"]] = [3000.0, 2000.0]
    pnl.loc[0, ["cts_rush", "cts_returns"]] = [1500.0, 900.0]  # ...sunk by rush orders and returns
    pnl.loc[9, "cts_delivery"] = 500.0  # the VIP is sunk by deliveries
    pnl["cts_total"] = pnl[["cts_delivery", "cts_rush", "cts_returns"]].sum(axis=1)
    pnl["net_profit"] = pnl["gross_margin"] - pnl["cts_total"] - pnl["financing_cost"]
    rates = pd.DataFrame(
        {
            "activity": ["delivery", "rush", "returns"],
            "cost_column": ["cts_delivery", "cts_rush", "cts_returns"],
        }
    )
    big = big_unprofitable(pnl, rates, top_pct=10, flags=("vip",)).set_index("customer_id")
    assert set(big.index) == {"c0", "c9"}
    assert big.loc["c0", "sinking_lines"].split(";")[:2] == ["cts_rush", "cts_returns"]
    assert big.loc["c9", "line_1"] == "cts_delivery"
    assert big.loc["c9", "why_big"] == "flag"


def test_cancellation_only_customers_are_not_loss_makers_on_financing_alone():
    """Only a cancelled invoice and its financing: a fact to explain, not a loss to act on."""
    import pandas as pd

    from kamaudit.cost_to_serve.whale import loss_makers, whale_curve

    pnl = pd.DataFrame(
        {
            "customer_id": ["A", "B", "C", "D"],
            "net_revenue": [100.0, 0.0, -5.0, 0.0],
            "cts_total": [10.0, 0.0, 0.0, 40.0],
            "net_profit": [20.0, -1.2, -0.4, -40.0],
        }
    )
    assert loss_makers(pnl).tolist() == [False, False, False, True]  # D is served without sales
    assert whale_curve(pnl).unprofitable_n == 1


def test_one_assumed_margin_does_not_split_customers_on_float_noise():
    import pandas as pd

    from kamaudit.cost_to_serve.segments import shapiro_matrix

    rev = pd.Series([19.95, 59.83, 69.8, 79.77])
    gm = rev - rev * 0.75  # as the P&L computes it: 25.000000000000007 % and 24.999999999999993 %
    assert len(set(gm / rev * 100)) > 1
    pnl = pd.DataFrame(
        {
            "customer_id": list("abcd"),
            "net_revenue": rev,
            "gross_margin": gm,
            "cts_total": [1.0, 30.0, 70.0, 300.0],
            "financing_cost": 0.0,
        }
    )
    table, pcut, _ = shapiro_matrix(pnl)
    assert set(table["cost_quadrant"]) <= {"aggressive", "bargain_basement"}
