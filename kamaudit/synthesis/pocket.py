"""The pocket-margin waterfall: from list price to what a customer leaves in our pocket."""

from __future__ import annotations

import pandas as pd

POCKET_STEPS: tuple[tuple[str, str, int], ...] = (
    ("list_sales", "list_sales", +1),
    ("discounts", "discounts", -1),
    ("rebates", "rebates", -1),
    ("net_revenue", "net_revenue", 0),
    ("cogs", "cogs", -1),
    ("gross_margin", "gross_margin", 0),
    ("payment_days", "financing_cost", -1),
    ("cost_to_serve", "cts_total", -1),
    ("pocket_profit", "net_profit", 0),
)
"""``(step, customer_pnl column, sign)``: sign 0 marks a subtotal."""


def pocket_margins(customer_pnl: pd.DataFrame, account_profile: pd.DataFrame) -> pd.DataFrame:
    """One row per key account and waterfall step, from the P&L.

    Columns: customer_id, name, step_no, step, amount (signed: deductions negative,
    subtotals as they stand), pct_of_list (share of list sales). The steps of each
    customer sum to its net profit (``pocket_profit``). Does not modify its inputs.

    >>> pnl = pd.DataFrame({"customer_id": ["A"], "name": ["Alfa"], "list_sales": [100.0],
    ...     "discounts": [10.0], "rebates": [5.0], "net_revenue": [85.0], "cogs": [50.0],
    ...     "gross_margin": [35.0], "financing_cost": [1.0], "cts_total": [4.0],
    ...     "net_profit": [30.0]})
    >>> prof = pd.DataFrame({"customer_id": ["A"], "is_key_account": [True]})
    >>> pocket_margins(pnl, prof)["amount"].tolist()
    [100.0, -10.0, -5.0, 85.0, -50.0, 35.0, -1.0, -4.0, 30.0]
    """
    keys = account_profile.loc[account_profile["is_key_account"], "customer_id"]
    pnl = customer_pnl[customer_pnl["customer_id"].isin(keys)]
    parts = []
    for no, (step, column, sign) in enumerate(POCKET_STEPS, start=1):
        amount = pnl[column] * (sign if sign else 1)
        parts.append(
            pd.DataFrame(
                {
                    "customer_id": pnl["customer_id"],
                    "name": pnl["name"] if "name" in pnl.columns else pnl["customer_id"],
                    "step_no": float(no),
                    "step": step,
                    "amount": amount.astype("float64"),
                    "pct_of_list": (
                        100 * amount / pnl["list_sales"].where(pnl["list_sales"] != 0)
                    ).astype("float64"),
                }
            )
        )
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    order = pnl["customer_id"].tolist()
    out["_o"] = out["customer_id"].map({c: i for i, c in enumerate(order)})
    out = out.sort_values(["_o", "step_no"], kind="mergesort").drop(columns="_o")
    out["step"] = out["step"].astype("str")
    out["name"] = out["name"].astype("str")
    return out.reset_index(drop=True)
