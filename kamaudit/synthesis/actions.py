"""The action list: what to do, for whom, worth how much, by whom, by when, resting on what.

Every action comes from a stage table that its ``basis`` names (``table.column`` or
``table.scenario``); no action is filler. Kinds:

- ``reprice``, ``reserve``, ``exit``: the cost-to-serve scenarios (``cts_scenarios``): for
  each customer the scenario that gains the most, worth ``net_profit_after -
  net_profit_before`` when that is positive. Without the scenarios table, the older
  levers stand in: ``reprice_or_reserve`` for a big customer that loses money
  (``cts_big_unprofitable``; worth its loss) and ``exit_review`` where the avoidable cost
  exceeds the margin (``customer_pnl.profit_change_if_dropped`` > 0; worth that change);
- ``assign_kam``: a key account whose planned KAM is not its current owner (``team_plan``);
  worth the account's net profit, the profit the hand-over puts at stake;
- ``appoint_sponsor``: a strategic key account and the executive the plan names for it;
  worth the account's net profit;
- ``add_contacts``: a key account that hangs on one contact person
  (``account_profile.single_contact_risk``); worth the net profit resting on that person;
- ``collect_data``: an input table the audit did not receive (``intake_summary``); what it
  would make firm, no amount.

Owners are people, by name: the account's KAM in the team plan, else the customer's
current account owner, else the team member whose role fits the action (finance for data,
an executive for prices and exits, a KAM for contacts; the one with the most hours); a role
word only when the roster has nobody in it. Due dates count from the end of the audited
period, so a re-run gives the same list: data and contacts in 30 days, people in 60, prices,
service and exits in 90.

:func:`top_actions` picks the few a summary shows: the largest action of each kind first
(so the page shows every lever the audit found), then the next largest.
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
    "customer_or_segment",
    "impact_amount",
    "owner_id",
    "owner",
    "due_date",
    "basis",
]

DUE_DAYS = {
    "collect_data": 30,
    "add_contacts": 30,
    "assign_kam": 60,
    "appoint_sponsor": 60,
    "reprice": 90,
    "reserve": 90,
    "exit": 90,
    "reprice_or_reserve": 90,
    "exit_review": 90,
}
"""Days after the period end by which each kind of action is due."""

SCENARIOS = ("reprice", "reserve", "exit")
"""``cts_scenarios.scenario`` values that become actions of the same name."""

OWNER_ROLE = {
    "collect_data": "finance",
    "add_contacts": "kam",
    "assign_kam": "executive",
    "appoint_sponsor": "executive",
    "reprice": "executive",
    "reserve": "executive",
    "exit": "executive",
    "reprice_or_reserve": "executive",
    "exit_review": "executive",
}
"""The team role that owns an action no account owner holds."""


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


def _frame(action: str, rows: pd.DataFrame, impact: pd.Series, basis) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "action": action,
            "customer_id": rows["customer_id"],
            "name": rows["name"] if "name" in rows.columns else pd.NA,
            "segment": pd.NA,
            "impact_amount": impact.astype("float64"),
            "basis": basis,
        }
    )


def scenario_actions(scenarios: pd.DataFrame, names: pd.DataFrame) -> pd.DataFrame:
    """One action per customer from ``cts_scenarios``: its best scenario, if it gains.

    ``names`` maps customer_id to name (the P&L). Does not modify its inputs.
    """
    s = scenarios.loc[scenarios["scenario"].isin(SCENARIOS)].copy()
    s["gain"] = s["net_profit_after"] - s["net_profit_before"]
    s = s.loc[s["gain"] > 0]
    s = s.sort_values(["customer_id", "gain"], ascending=[True, False], kind="mergesort")
    s = s.drop_duplicates("customer_id")
    if "name" in names.columns:  # the P&L's name; the scenarios may carry their own
        s = s.drop(columns=["name"], errors="ignore")
        s = s.merge(names[["customer_id", "name"]], on="customer_id", how="left")
    parts = [
        _frame(kind, g, g["gain"], f"cts_scenarios.{kind}") for kind, g in s.groupby("scenario")
    ]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def _money_actions(customer_pnl, big_unprofitable, scenarios) -> list[pd.DataFrame]:
    if scenarios is not None and len(scenarios):
        return [scenario_actions(scenarios, customer_pnl)]
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
    return parts


def _account_actions(account_profile, team_plan, customers) -> list[pd.DataFrame]:
    if account_profile is None or not len(account_profile):
        return []
    key = account_profile.loc[account_profile["is_key_account"].fillna(False).astype(bool)]
    parts = []
    if "single_contact_risk" in key.columns:
        single = key.loc[key["single_contact_risk"].fillna(False).astype(bool)]
        parts.append(
            _frame(
                "add_contacts", single, single["net_profit"], "account_profile.single_contact_risk"
            )
        )
    kams = _owners(team_plan, "kam")
    if len(kams) and customers is not None and "account_owner" in customers.columns:
        now = customers.set_index("customer_id")["account_owner"]
        planned = kams.set_index("customer_id")["owner_id"]
        k = key.loc[key["customer_id"].isin(planned.index)]
        change = k["customer_id"].map(planned).astype("str") != k["customer_id"].map(now).astype(
            "str"
        )
        k = k.loc[change.to_numpy()]
        parts.append(_frame("assign_kam", k, k["net_profit"], "team_plan.role=kam"))
    strategic = key.loc[key["quadrant"] == "Strategic"]
    sponsors = _owners(team_plan, "executive")
    strategic = strategic.loc[strategic["customer_id"].isin(sponsors["customer_id"])]
    parts.append(
        _frame("appoint_sponsor", strategic, strategic["net_profit"], "team_plan.role=executive")
    )
    return parts


def customer_names(out: pd.DataFrame, *sources: pd.DataFrame | None) -> pd.Series:
    """Each action's customer by name: its own, else the first source naming the customer
    (the customer master, the P&L); the id only where no table names the customer.

    >>> out = pd.DataFrame({"customer_id": ["C1", "C2", None], "name": [None, "Beta", None]})
    >>> master = pd.DataFrame({"customer_id": ["C1", "C2"], "name": ["Alpha", "B"]})
    >>> customer_names(out, master).tolist()
    ['Alpha', 'Beta', None]
    """
    name = out["name"].astype("object").where(out["name"].notna(), None)
    for src in sources:
        if src is None or "name" not in src.columns or "customer_id" not in src.columns:
            continue
        known = src.dropna(subset=["name"]).drop_duplicates("customer_id")
        known = known.set_index(known["customer_id"].astype("str"))["name"]
        gap = name.isna() & out["customer_id"].notna()
        name.loc[gap] = out.loc[gap, "customer_id"].astype("str").map(known)
    gap = name.isna() & out["customer_id"].notna()
    name.loc[gap] = out.loc[gap, "customer_id"]
    return name.where(name.notna(), None)


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="str") for c in ACTION_COLUMNS}).assign(
        impact_amount=pd.Series(dtype="float64"), due_date=pd.Series(dtype="datetime64[ns]")
    )[ACTION_COLUMNS]


def _fill_owners(out, team_plan, team, customers) -> pd.DataFrame:
    """Owner id and name: the plan's KAM (sponsor for sponsor actions), the current account
    owner, else the person in the role that fits the action."""
    kam, sponsor = _owners(team_plan, "kam"), _owners(team_plan, "executive")
    out = out.merge(kam, on="customer_id", how="left")
    is_sponsor = (out["action"] == "appoint_sponsor").to_numpy()
    if is_sponsor.any():
        s = out.loc[is_sponsor, ["customer_id"]].merge(sponsor, on="customer_id", how="left")
        out.loc[is_sponsor, "owner_id"] = s["owner_id"].to_numpy()
        out.loc[is_sponsor, "owner"] = s["owner"].to_numpy()
    names = {}
    if team is not None and len(team):
        names = dict(zip(team["person_id"].astype(str), team["name"].astype(str), strict=False))
    if customers is not None and "account_owner" in customers.columns:
        now = customers.set_index("customer_id")["account_owner"].dropna().astype(str)
        gap = out["owner_id"].isna() & out["customer_id"].map(now).notna()
        out.loc[gap, "owner_id"] = out.loc[gap, "customer_id"].map(now)
        out.loc[gap, "owner"] = out.loc[gap, "owner_id"].map(names)
    gap = out["owner_id"].isna()
    if gap.any() and team is not None and len(team):
        by_role = (
            team.sort_values("hours_available", ascending=False, kind="mergesort")
            .drop_duplicates("role")
            .set_index("role")
        )
        role = out.loc[gap, "action"].map(OWNER_ROLE)
        out.loc[gap, "owner_id"] = role.map(by_role["person_id"])
        out.loc[gap, "owner"] = role.map(by_role["name"])
    still = out["owner_id"].isna()
    out.loc[still, "owner"] = out.loc[still, "action"].map(OWNER_ROLE)  # a role, no person
    return out


def action_list(
    customer_pnl: pd.DataFrame,
    account_profile: pd.DataFrame | None,
    team_plan: pd.DataFrame | None,
    big_unprofitable: pd.DataFrame | None,
    tables_received: list[str],
    period_end: dt.date,
    scenarios: pd.DataFrame | None = None,
    team: pd.DataFrame | None = None,
    customers: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The actions the stages' results call for (columns :data:`ACTION_COLUMNS`).

    Sorted by due date, then impact. Does not modify its inputs; an empty list when
    nothing calls for action.
    """
    parts = _money_actions(customer_pnl, big_unprofitable, scenarios)
    parts += _account_actions(account_profile, team_plan, customers)
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
        return _empty()
    out = pd.concat(parts, ignore_index=True)
    out = _fill_owners(out, team_plan, team, customers)
    out["name"] = customer_names(out, customers, customer_pnl)
    out["customer_or_segment"] = out["name"].where(out["name"].notna(), out["segment"])
    end = pd.Timestamp(period_end)
    out["due_date"] = end + pd.to_timedelta(out["action"].map(DUE_DAYS), unit="D")
    rank = {a: i for i, a in enumerate(DUE_DAYS)}
    out["_r"] = out["action"].map(rank)
    out = out.sort_values(["_r", "impact_amount"], ascending=[True, False], kind="mergesort")
    for c in ("action", "customer_id", "name", "segment", "customer_or_segment", "basis"):
        out[c] = out[c].astype("str")
    out["owner_id"] = out["owner_id"].astype("str")
    out["owner"] = out["owner"].astype("str")
    return out[ACTION_COLUMNS].reset_index(drop=True)


def top_actions(actions: pd.DataFrame, n: int = 5) -> pd.DataFrame:
    """The ``n`` actions a summary shows: the largest of each kind first, by impact, then
    the largest of the rest; one per customer (its largest; alternatives stay in the full
    list). Actions without an amount come last. Does not modify its input.

    >>> a = pd.DataFrame({"action": ["x", "x", "y", "z"], "impact_amount": [9.0, 8.0, 1.0, None],
    ...     "customer_or_segment": ["A", "B", "C", "D"]})
    >>> top_actions(a, 3)["impact_amount"].tolist()
    [9.0, 1.0, nan]
    """
    if actions.empty:
        return actions.copy()
    ordered = actions.assign(_i=actions["impact_amount"].fillna(-np.inf)).sort_values(
        "_i", ascending=False, kind="mergesort"
    )
    ordered = ordered.drop_duplicates("customer_or_segment")
    first = ordered.drop_duplicates("action")
    rest = ordered.drop(index=first.index)
    picked = first.head(n) if len(first) >= n else pd.concat([first, rest.head(n - len(first))])
    return picked.sort_values("_i", ascending=False, kind="mergesort").drop(columns="_i")
