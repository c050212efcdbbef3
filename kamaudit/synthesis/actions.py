"""The action list: what to do, for whom, worth how much, by whom, by when, resting on what.

Every action comes from a stage table that its ``basis`` names (``table.column``); no
action is filler. Kinds, most valuable first within each:

- ``reprice_or_reserve``: a big customer that loses money after cost-to-serve
  (``cts_big_unprofitable``); worth its loss, the profit a price or service change must
  recover to break even;
- ``exit_review``: a customer whose avoidable cost exceeds the margin it brings
  (``customer_pnl.profit_change_if_dropped`` > 0); worth that profit change;
- ``add_contacts``: a key account that hangs on one contact person
  (``account_profile.single_contact_risk``); worth the net profit resting on that person;
- ``appoint_sponsor``: a strategic key account and the executive the team plan names for it
  (``team_plan``); worth the account's net profit;
- ``collect_data``: an input table the audit did not receive (``intake_summary``); what it
  would make firm, no amount.

Owners are people from the team plan (the account's KAM or sponsor) where there is one,
else a role. Due dates count from the end of the audited period, so a re-run gives the
same list: data and contacts in 30 days, sponsors in 60, prices and exits in 90.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from .. import contract

ACTION_COLUMNS = [
    "action",
    "customer_id",
    "name",
    "segment",
    "impact_amount",
    "owner_id",
    "owner",
    "due_date",
    "basis",
]

DUE_DAYS = {
    "collect_data": 30,
    "add_contacts": 30,
    "appoint_sponsor": 60,
    "reprice_or_reserve": 90,
    "exit_review": 90,
}


def _owners(team_plan: pd.DataFrame | None, role: str) -> pd.DataFrame:
    if team_plan is None or not len(team_plan):
        return pd.DataFrame(columns=["customer_id", "owner_id", "owner"])
    p = team_plan.loc[team_plan["role"] == role]
    p = p.drop_duplicates("customer_id")
    return pd.DataFrame(
        {
            "customer_id": p["customer_id"],
            "owner_id": p["person_id"],
            "owner": p["person_name"] if "person_name" in p.columns else p["person_id"],
        }
    )


def _frame(action: str, rows: pd.DataFrame, impact: pd.Series, basis: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "action": action,
            "customer_id": rows["customer_id"],
            "name": rows["name"] if "name" in rows.columns else rows["customer_id"],
            "segment": pd.NA,
            "impact_amount": impact.astype("float64"),
            "basis": basis,
        }
    )


def action_list(
    customer_pnl: pd.DataFrame,
    account_profile: pd.DataFrame | None,
    team_plan: pd.DataFrame | None,
    big_unprofitable: pd.DataFrame | None,
    tables_received: list[str],
    period_end: dt.date,
) -> pd.DataFrame:
    """The actions the stages' results call for (columns :data:`ACTION_COLUMNS`).

    Does not modify its inputs; an empty list when nothing calls for action.
    """
    parts = []
    if big_unprofitable is not None and len(big_unprofitable):
        b = big_unprofitable
        parts.append(
            _frame("reprice_or_reserve", b, -b["net_profit"], "cts_big_unprofitable.net_profit")
        )
    if "profit_change_if_dropped" in customer_pnl.columns:
        gain = customer_pnl["profit_change_if_dropped"]
        d = customer_pnl.loc[gain > 0]
        parts.append(
            _frame(
                "exit_review",
                d,
                d["profit_change_if_dropped"],
                "customer_pnl.profit_change_if_dropped",
            )
        )
    if account_profile is not None and len(account_profile):
        key = account_profile.loc[account_profile["is_key_account"]]
        single = key.loc[key["single_contact_risk"].fillna(False).astype(bool)]
        parts.append(
            _frame(
                "add_contacts", single, single["net_profit"], "account_profile.single_contact_risk"
            )
        )
        strategic = key.loc[key["quadrant"] == "Strategic"]
        sponsors = _owners(team_plan, "executive")
        strategic = strategic.loc[strategic["customer_id"].isin(sponsors["customer_id"])]
        parts.append(
            _frame(
                "appoint_sponsor", strategic, strategic["net_profit"], "team_plan.role=executive"
            )
        )
    missing = [t for t in contract.TABLES if t not in tables_received]
    if missing:
        parts.append(
            pd.DataFrame(
                {
                    "action": "collect_data",
                    "customer_id": pd.NA,
                    "name": pd.NA,
                    "segment": missing,
                    "impact_amount": np.nan,
                    "basis": "intake_summary.inputs",
                }
            )
        )
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="str") for c in ACTION_COLUMNS}).assign(
            impact_amount=pd.Series(dtype="float64"), due_date=pd.Series(dtype="datetime64[ns]")
        )[ACTION_COLUMNS]
    out = pd.concat(parts, ignore_index=True)
    kam, sponsor = _owners(team_plan, "kam"), _owners(team_plan, "executive")
    out = out.merge(kam, on="customer_id", how="left")
    is_sponsor = out["action"] == "appoint_sponsor"
    if is_sponsor.any():
        s = out.loc[is_sponsor, ["customer_id"]].merge(sponsor, on="customer_id", how="left")
        out.loc[is_sponsor, "owner_id"] = s["owner_id"].to_numpy()
        out.loc[is_sponsor, "owner"] = s["owner"].to_numpy()
    out["owner_id"] = out["owner_id"].astype("str")
    out["owner"] = out["owner"].astype("str")
    end = pd.Timestamp(period_end)
    out["due_date"] = end + pd.to_timedelta(out["action"].map(DUE_DAYS), unit="D")
    rank = {a: i for i, a in enumerate(DUE_DAYS)}
    out["_r"] = out["action"].map(rank)
    out = out.sort_values(["_r", "impact_amount"], ascending=[True, False], kind="mergesort")
    for c in ("action", "customer_id", "name", "segment", "basis"):
        out[c] = out[c].astype("str")
    return out[ACTION_COLUMNS].reset_index(drop=True)
