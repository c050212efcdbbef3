"""Stage 4, team design: workload, headcount, assignment, contact plan, KPIs.

The method treats a key account manager (KAM) as an analyst and coordinator, not a lone
salesperson: each key account gets a cross-functional team (KAM, an executive sponsor for
the top tier, finance, logistics, marketing, specialists), every contact at the customer is
looked after in the channel they prefer, and success is measured beyond sales.

Everything here is a pure function over DataFrames; :func:`run_team_design` chains them;
:func:`read_inputs` and :func:`write_results` are the only functions that touch the workspace.

>>> result = run_team_design(tables, account_profile, customer_pnl, engagement)  # doctest: +SKIP
>>> result.feasible, result.statements[0].text                                   # doctest: +SKIP
(True, 'The plan is feasible: ...')

Roster hours
------------
``team.hours_available`` is read as the hours a year a person has for key accounts (what the
client's data request asks for); rows without it get ``productive_hours_per_person`` × the
role's ``kam_share``. Set ``team.roster_hours: total`` when the roster gives all working
hours instead, and the role's share is applied to them.

Assignment
----------
Greedy and deterministic: accounts in order of importance (tier, attractiveness, revenue),
each to the current account owner when they have room, else to a colleague nearly as free as
the least loaded one (``balance_tolerance_pct``) who knows the industry, then the language.
Nobody is planned beyond their hours or their cap on accounts. When that leaves an account
out, the accounts are packed again largest first; when that fails too, the plan is
infeasible, the least important accounts are left without a KAM and a statement says what
would fix it. Sponsors are balanced by the number of accounts.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from . import contract
from .errors import did_you_mean

__all__ = [
    "CHANNELS",
    "CONTACT_ROLES",
    "OUR_ROLES",
    "TIERS",
    "Statement",
    "TeamDesignResult",
    "TeamSettings",
    "assign_team",
    "contact_plan",
    "coverage",
    "headcount",
    "key_accounts",
    "kpi_scorecard",
    "read_inputs",
    "run_team_design",
    "workload",
    "write_results",
]

TIERS: tuple[str, ...] = ("Strategic", "Star", "Status", "Streamline")
"""Tiers of key accounts: the quadrants of the portfolio matrix, most served first."""
CONTACT_ROLES: tuple[str, ...] = contract.CONTACT_ROLES.allowed
"""Roles of contacts at the customer (``other`` catches any role the data names otherwise)."""
CHANNELS: tuple[str, ...] = ("meeting", "video", "phone", "email")
OUR_ROLES: tuple[str, ...] = contract.TEAM_ROLES.codes
"""Roles on our side (the roster's ``role``)."""
SUPPORT_ROLES: tuple[str, ...] = ("finance", "logistics", "marketing", "specialist")

_CHANNEL_SYNONYMS = {
    "visit": "meeting",
    "in person": "meeting",
    "in_person": "meeting",
    "face to face": "meeting",
    "personal": "meeting",
    "video call": "video",
    "teams": "video",
    "zoom": "video",
    "call": "phone",
    "telephone": "phone",
    "tel": "phone",
    "e-mail": "email",
    "mail": "email",
}


def _tiered(strategic: float, star: float, status: float, streamline: float) -> dict[str, float]:
    return {"Strategic": strategic, "Star": star, "Status": status, "Streamline": streamline}


_DEFAULT_TOUCHPOINTS = {
    "decision_maker": _tiered(12, 10, 6, 4),
    "influencer": _tiered(8, 6, 4, 2),
    "user": _tiered(6, 4, 2, 1),
    "procurement": _tiered(6, 6, 4, 2),
    "finance": _tiered(4, 3, 2, 1),
    "technical": _tiered(6, 4, 2, 1),
    "executive": _tiered(4, 2, 1, 1),
    "other": _tiered(4, 2, 2, 1),
}
_DEFAULT_CHANNEL = {
    "decision_maker": "meeting",
    "influencer": "video",
    "user": "phone",
    "procurement": "phone",
    "finance": "email",
    "technical": "video",
    "executive": "meeting",
    "other": "email",
}
_DEFAULT_OWNER_ROLE = {
    "decision_maker": "kam",
    "influencer": "kam",
    "user": "specialist",
    "procurement": "kam",
    "finance": "finance",
    "technical": "specialist",
    "executive": "executive",
    "other": "kam",
}
_DEFAULT_SUPPORT = {
    "executive": _tiered(8, 0, 0, 0),
    "finance": _tiered(8, 6, 3, 2),
    "logistics": _tiered(10, 8, 4, 2),
    "marketing": _tiered(12, 8, 4, 2),
    "specialist": _tiered(16, 12, 6, 3),
}


def _merge(default: dict, given: Any) -> Any:
    """Deep-merge a partial mapping from the engagement file onto the defaults."""
    if not isinstance(given, dict):
        return given
    out = dict(default)
    for k, v in given.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _merge(out[k], v)
        else:
            out[k] = v
    return out


class TeamSettings(BaseModel):
    """Team design settings of the engagement file (``team:``).

    Mappings given in the engagement file are merged onto the defaults, so
    ``touchpoints_per_year: {decision_maker: {Strategic: 24}}`` changes one number.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    touchpoints_per_year: dict[str, dict[str, float]] = Field(
        default_factory=lambda: {k: dict(v) for k, v in _DEFAULT_TOUCHPOINTS.items()},
        description="planned touchpoints a year with one contact, by contact role and tier "
        "(roles not listed use 'other')",
    )
    hours_per_touchpoint: dict[str, float] = Field(
        default_factory=lambda: {"meeting": 4.0, "video": 1.5, "phone": 0.75, "email": 0.25},
        description="hours one touchpoint takes by channel, preparation and travel included",
    )
    default_channel: dict[str, str] = Field(
        default_factory=lambda: dict(_DEFAULT_CHANNEL),
        description="channel by contact role when the contact has no preferred channel",
    )
    contact_owner_role: dict[str, str] = Field(
        default_factory=lambda: dict(_DEFAULT_OWNER_ROLE),
        description="which role on our side looks after a contact of each role (falls back "
        "to the KAM when the role is not staffed or the account has no sponsor)",
    )
    planning_hours: dict[str, float] = Field(
        default_factory=lambda: _tiered(40, 32, 16, 8),
        description="KAM hours a year for the account plan, by tier",
    )
    analysis_hours: dict[str, float] = Field(
        default_factory=lambda: _tiered(24, 16, 8, 4),
        description="KAM hours a year for analysing the account (profitability, needs), by tier",
    )
    coordination_hours: dict[str, float] = Field(
        default_factory=lambda: _tiered(40, 32, 16, 8),
        description="KAM hours a year coordinating our internal team around the account, by tier",
    )
    support_hours: dict[str, dict[str, float]] = Field(
        default_factory=lambda: {k: dict(v) for k, v in _DEFAULT_SUPPORT.items()},
        description="hours a year per account by supporting role (executive sponsor, finance, "
        "logistics, marketing, specialist) and tier, besides their touchpoints; executive "
        "hours apply to the sponsored tiers",
    )
    sponsor_tiers: list[str] = Field(
        default_factory=lambda: ["Strategic"],
        description="tiers whose accounts get a named executive sponsor",
    )
    productive_hours_per_person: float = Field(
        1600.0,
        gt=0,
        description="productive hours a year of one full-time person "
        "(used for FTE, and for roster rows without hours_available)",
    )
    kam_share: dict[str, float] = Field(
        default_factory=lambda: {
            "kam": 0.85,
            "executive": 0.15,
            "finance": 0.2,
            "logistics": 0.2,
            "marketing": 0.2,
            "specialist": 0.3,
        },
        description="share (0-1) of a person's productive hours their role gives to key accounts",
    )
    roster_hours: Literal["total", "kam"] = Field(
        "kam",
        description="'kam': roster hours_available are the hours a person has for key "
        "accounts (as the data request asks); 'total': all their working hours (kam_share applies)",
    )
    max_accounts_per_kam: int = Field(
        5,
        ge=1,
        description="most key accounts one KAM handles when the roster gives no max_accounts",
    )
    max_accounts_per_sponsor: int | None = Field(
        None,
        ge=1,
        description="most accounts one executive sponsors when the roster gives no "
        "max_accounts; empty: limited by their hours only",
    )
    balance_tolerance_pct: float = Field(
        15.0,
        ge=0,
        le=100,
        description="how much busier (percentage points of capacity) a person "
        "who knows the customer's industry or language may be than the least loaded one and still "
        "be preferred (the current account owner is always preferred when they have room)",
    )
    head_of_kam: str | None = Field(
        None,
        description="person_id or name of the head of KAM; default: the executive with "
        "the most capacity",
    )
    head_of_kam_hours_per_kam: float = Field(
        24.0, ge=0, description="hours a year the head of KAM spends leading each KAM"
    )
    default_tier: str = Field("Status", description="tier of a key account without a quadrant")
    active_contact_days: int = Field(
        180,
        ge=1,
        description="a contact is active when last contacted this many days before "
        "the period end or later",
    )
    repeat_order_days: int = Field(
        90,
        ge=1,
        description="an order is a repeat order when it follows the previous one "
        "within this many days",
    )
    plan_start: dt.date | None = Field(
        None, description="first month of the contact plan; default: the month after the period"
    )

    @field_validator(
        "touchpoints_per_year",
        "default_channel",
        "contact_owner_role",
        "support_hours",
        "kam_share",
        "hours_per_touchpoint",
        "planning_hours",
        "analysis_hours",
        "coordination_hours",
        mode="before",
    )
    @classmethod
    def _merge_defaults(cls, v: Any, info) -> Any:
        default = cls.model_fields[info.field_name].default_factory()
        return _merge(default, v)

    @model_validator(mode="after")
    def _known_names(self) -> TeamSettings:
        def check(names, allowed, where):
            for n in names:
                if n not in allowed:
                    raise ValueError(
                        f'{where} has "{n}"; expected one of {", ".join(allowed)}.'
                        + did_you_mean(n, allowed)
                    )

        for name in ("planning_hours", "analysis_hours", "coordination_hours"):
            check(getattr(self, name), TIERS, name)
        for role, tiers in self.touchpoints_per_year.items():
            check(tiers, TIERS, f"touchpoints_per_year.{role}")
        for role, tiers in self.support_hours.items():
            check([role], [r for r in OUR_ROLES if r != "kam"], "support_hours")
            check(tiers, TIERS, f"support_hours.{role}")
        check(self.sponsor_tiers, TIERS, "sponsor_tiers")
        check([self.default_tier], TIERS, "default_tier")
        check(self.kam_share, OUR_ROLES, "kam_share")
        check(self.contact_owner_role.values(), OUR_ROLES, "contact_owner_role")
        check(self.default_channel.values(), tuple(self.hours_per_touchpoint), "default_channel")
        for role, share in self.kam_share.items():
            if not 0 < share <= 1:
                raise ValueError(f"kam_share.{role} = {share} is not a share between 0 and 1")
        return self

    # lookups ---------------------------------------------------------------
    def touchpoints(self, contact_role: str, tier: str) -> float:
        row = self.touchpoints_per_year.get(contact_role) or self.touchpoints_per_year["other"]
        return float(row.get(tier, 0.0))

    def tier_hours(self, tier: str) -> tuple[float, float, float]:
        return (
            float(self.planning_hours.get(tier, 0.0)),
            float(self.analysis_hours.get(tier, 0.0)),
            float(self.coordination_hours.get(tier, 0.0)),
        )

    def support(self, role: str, tier: str) -> float:
        return float(self.support_hours.get(role, {}).get(tier, 0.0))

    def hours_per_fte(self, role: str) -> float:
        return self.productive_hours_per_person * self.kam_share.get(role, 1.0)


# ---------------------------------------------------------------- results


@dataclass(frozen=True)
class Statement:
    """One plain sentence of the plan: a catalog key, its values and the English text.

    ``key`` is the message key under ``team_design.statement.`` so the deliverables can
    say it in the engagement's language; ``values`` are raw numbers, names and lists.
    """

    key: str
    values: dict[str, Any]
    text: str
    kind: Literal["finding", "warning", "note"] = "finding"

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "values": self.values, "text": self.text, "kind": self.kind}


_EN = {
    "no_roster": "No team roster (team table): headcount needed per role is shown; assignment "
    "to named people, the team matrix, load per person and the KPI scorecard per KAM are skipped.",
    "no_contacts": "No contacts table: the contact plan and the coverage matrix are skipped, and "
    "workload assumes one decision maker per key account.",
    "tier_assumed": "{n} key accounts have no quadrant the plan knows ({names}): they are "
    "planned as {tier}.",
    "no_key_accounts": "The key-account profile marks no key account: there is no team to design.",
    "accounts_without_contacts": "{n} key accounts have no contacts on file ({names}): their plan "
    "holds planning, analysis and coordination only; map their buying centre first.",
    "feasible": "The plan is feasible: {n} key accounts with {kams} KAMs, the busiest at "
    "{max_load}% of capacity; no one is over capacity or over the cap on accounts.",
    "kam_shortfall": "{n} accounts need {fte} KAMs; the roster has {k}: hire {hire_word}, or move "
    "{names} to a lower tier.",
    "too_big": "{names} need more KAM hours a year (up to {hours}) than any KAM has ({capacity}): "
    "plan the account with fewer touchpoints, share it between two KAMs, or lower its tier.",
    "sponsor_shortfall": "{n} {tiers} accounts need an executive sponsor; the executives have room "
    "for {m}: {names} have none. Name another executive sponsor, or raise max_accounts.",
    "no_executive": "The roster has no executive: no head of KAM and no sponsor for {n} accounts "
    "that need one.",
    "head_of_kam": "{name} leads the KAM group as head of KAM ({hours} hours a year).",
    "head_short": "{name} leads the KAM group but has only {free} of the {hours} hours a year it "
    "takes; free some of their time.",
    "role_missing": "The roster has no {role}: {hours} hours a year of key-account work are not "
    "staffed ({fte} FTE).",
    "role_short": "{role}: {hours} hours a year are not staffed for {names}; {fte} more FTE needed.",
    "spare": "Spare {role} capacity: {hours} hours a year ({fte} FTE) beyond this plan.",
    "single_holder": "{n} of {total} key accounts hang on one person on our side, or on no one "
    "(a bow-tie relationship): {names}.",
    "packed": "To fit every account within capacity, accounts were packed by size: some "
    "preferences (current owner, industry, language) gave way.",
    "no_invoices": "No invoices: repeat orders, retention and trends are not measured.",
    "clv_method": "Customer lifetime value is historical: {method}",
}

_CLV_METHODS = {
    "pnl": "net customer profit over the audited period (customer P&L, after cost-to-serve), "
    "and per year; not a forecast.",
    "margin": "gross margin from invoices over the audited period (no customer P&L yet), "
    "and per year; not a forecast.",
    "revenue": "net revenue over the audited period (no profit data), and per year; "
    "not a forecast.",
}


def _fmt_value(v: Any) -> str:
    if isinstance(v, (list, tuple)):
        return ", ".join(str(x) for x in v)
    if isinstance(v, int) and not isinstance(v, bool):
        return f"{v:,}"
    if isinstance(v, float):
        return f"{v:,.1f}" if not float(v).is_integer() else f"{v:,.0f}"
    return str(v)


_ROLE_EN = {
    "kam": "KAM",
    "executive": "executive",
    "finance": "finance person",
    "logistics": "logistics person",
    "marketing": "marketing person",
    "specialist": "specialist",
}


def _statement(key: str, kind: str = "finding", **values: Any) -> Statement:
    shown = {k: _fmt_value(v) for k, v in values.items()}
    if "role" in values:
        shown["role"] = _ROLE_EN.get(values["role"], values["role"])
    text = _EN[key].format(**shown)
    text = text[:1].upper() + text[1:]
    return Statement(key=key, values=values, text=text, kind=kind)


@dataclass(frozen=True)
class TeamDesignResult:
    """Everything stage 4 produces (see :func:`write_results` for table names)."""

    key_accounts: pd.DataFrame
    workload: pd.DataFrame
    plan: pd.DataFrame
    assignments: pd.DataFrame
    load: pd.DataFrame
    capacity: pd.DataFrame
    matrix: pd.DataFrame
    coverage: pd.DataFrame
    contact_plan: pd.DataFrame
    kpis: pd.DataFrame
    statements: list[Statement] = field(default_factory=list)
    feasible: bool = True
    head_of_kam: str | None = None
    plan_start: dt.date | None = None
    skipped: list[str] = field(default_factory=list)
    clv_method: str = ""

    def statements_table(self) -> pd.DataFrame:
        """The plan's statements as a table (``kind``, ``text``), for notebooks."""
        return pd.DataFrame(
            {"kind": [s.kind for s in self.statements], "text": [s.text for s in self.statements]},
            dtype="str",
        )

    def summary(self) -> dict[str, Any]:
        """JSON-native summary (``team_summary``)."""
        return {
            "feasible": bool(self.feasible),
            "statements": [s.as_dict() for s in self.statements],
            "head_of_kam": self.head_of_kam,
            "plan_start": self.plan_start.isoformat() if self.plan_start else None,
            "skipped": list(self.skipped),
            "key_accounts_n": int(len(self.key_accounts)),
            "clv_method": self.clv_method,
        }


# ---------------------------------------------------------------- helpers


_ROLE_SYNONYMS = {
    # our side
    "key_account_manager": "kam",
    "account_manager": "kam",
    "exec": "executive",
    "executive_sponsor": "executive",
    "sponsor": "executive",
    "director": "executive",
    "management": "executive",
    # their side
    "decisionmaker": "decision_maker",
    "buyer": "procurement",
    "purchasing": "procurement",
    "accounting": "finance",
    "engineer": "technical",
    "technician": "technical",
    "ceo": "executive",
    "owner": "executive",
}


def _norm_role(value: Any, allowed: tuple[str, ...], fallback: str) -> str:
    if _is_missing(value):
        return fallback
    r = str(value).strip().lower().replace("-", "_").replace(" ", "_")
    if r not in allowed:
        r = _ROLE_SYNONYMS.get(r, r)
    return r if r in allowed else fallback


def _norm_channel(value: Any) -> str | None:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    c = str(value).strip().lower()
    if not c:
        return None
    return _CHANNEL_SYNONYMS.get(c, c)


def _split(value: Any) -> frozenset[str]:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return frozenset()
    return frozenset(
        p.strip().lower() for p in str(value).replace(",", ";").split(";") if p.strip()
    )


def _is_missing(value: Any) -> bool:
    return (
        value is None
        or value is pd.NA
        or (isinstance(value, float) and math.isnan(value))
        or (isinstance(value, str) and not value.strip())
    )


LOAD_COLUMNS = [
    "person_id",
    "name",
    "role",
    "accounts_n",
    "hours_planned",
    "head_of_kam_hours",
    "capacity_hours",
    "load_pct",
    "max_accounts",
    "spare_hours",
    "is_head_of_kam",
]
"""Columns of ``team_load``: one row per person, planned hours against capacity."""


def _names(values: list[str], limit: int = 6) -> list[str]:
    values = [str(v) for v in values]
    if len(values) <= limit:
        return values
    return values[:limit] + [f"{len(values) - limit} more"]


# ---------------------------------------------------------------- key accounts


def key_accounts(
    account_profile: pd.DataFrame,
    customers: pd.DataFrame | None = None,
    settings: TeamSettings | None = None,
) -> pd.DataFrame:
    """The key accounts to staff, one row each, most important first.

    Returns ``customer_id, name, industry, language, account_owner, tier, tier_assumed,
    priority``;
    ``tier`` is the portfolio quadrant (``settings.default_tier`` when missing) and
    ``priority`` the order accounts are staffed in (tier, then attractiveness, then revenue).
    """
    settings = settings or TeamSettings()
    ap = account_profile
    if "is_key_account" in ap.columns:
        ap = ap[ap["is_key_account"].fillna(False).astype(bool)]
    cols = ["customer_id", "name", "industry", "attractiveness", "net_revenue", "quadrant"]
    df = pd.DataFrame({c: ap[c] if c in ap.columns else pd.NA for c in cols}, index=ap.index)
    df["customer_id"] = df["customer_id"].astype("str")
    df = df.drop_duplicates("customer_id")
    if customers is not None and len(customers):
        extra = customers[
            [
                c
                for c in ("customer_id", "name", "industry", "language", "account_owner")
                if c in customers.columns
            ]
        ].copy()
        extra["customer_id"] = extra["customer_id"].astype("str")
        extra = extra.drop_duplicates("customer_id").set_index("customer_id")
        for c in ("name", "industry", "language", "account_owner"):
            if c in extra.columns:
                mapped = df["customer_id"].map(extra[c])
                df[c] = df[c].where(df[c].notna(), mapped) if c in df.columns else mapped
    for c in ("name", "industry", "language", "account_owner"):
        if c not in df.columns:
            df[c] = pd.NA
    df["name"] = df["name"].where(df["name"].notna(), df["customer_id"])
    tier = (
        df["quadrant"]
        .astype("object")
        .map(
            lambda q: next(
                (t for t in TIERS if not _is_missing(q) and str(q).strip().lower() == t.lower()),
                settings.default_tier,
            )
        )
    )
    df["tier"] = tier.astype("str")
    df["tier_assumed"] = ~df["quadrant"].astype("object").map(
        lambda q: not _is_missing(q) and str(q).strip().lower() in {t.lower() for t in TIERS}
    ).astype(bool)
    df["tier_rank"] = df["tier"].map({t: i for i, t in enumerate(TIERS)}).astype("int64")
    df["_attr"] = pd.to_numeric(df["attractiveness"], errors="coerce").fillna(-np.inf)
    df["_rev"] = pd.to_numeric(df["net_revenue"], errors="coerce").fillna(-np.inf)
    df = df.sort_values(
        ["tier_rank", "_attr", "_rev", "customer_id"],
        ascending=[True, False, False, True],
        kind="mergesort",
    )
    df["priority"] = np.arange(1, len(df) + 1, dtype="int64")
    out = df[
        [
            "customer_id",
            "name",
            "industry",
            "language",
            "account_owner",
            "tier",
            "tier_assumed",
            "priority",
        ]
    ]
    out = out.reset_index(drop=True)
    for c in ("name", "industry", "language", "account_owner", "tier"):
        out[c] = out[c].astype("str").where(out[c].notna())
    return out


# ---------------------------------------------------------------- contact plan


def _contacts_of(key: pd.DataFrame, contacts: pd.DataFrame | None) -> pd.DataFrame:
    """Contacts at key accounts, normalised (a placeholder decision maker when none are given)."""
    cols = [
        "customer_id",
        "contact_id",
        "contact_name",
        "contact_role",
        "role_given",
        "preferred_channel",
        "current_owner",
        "last_contact_date",
        "relationship_strength",
        "seniority",
        "is_placeholder",
    ]
    if contacts is None:
        df = pd.DataFrame(
            {
                "customer_id": key["customer_id"],
                "contact_id": key["customer_id"] + "-DM",
                "contact_name": pd.NA,
                "contact_role": "decision_maker",
                "role_given": pd.NA,
                "preferred_channel": pd.NA,
                "current_owner": pd.NA,
                "last_contact_date": pd.NaT,
                "relationship_strength": np.nan,
                "seniority": pd.NA,
                "is_placeholder": True,
            }
        )
        return df[cols]
    c = contacts.copy()
    c["customer_id"] = c["customer_id"].astype("str")
    c = c[c["customer_id"].isin(set(key["customer_id"]))]
    if "contact_id" not in c.columns:
        c["contact_id"] = pd.NA
    c["contact_id"] = c["contact_id"].astype("str")
    missing_id = c["contact_id"].isna()
    if missing_id.any():
        c.loc[missing_id, "contact_id"] = (
            c.loc[missing_id, "customer_id"]
            + "-"
            + pd.Series(np.arange(missing_id.sum()) + 1, index=c.index[missing_id]).astype("str")
        )
    df = pd.DataFrame(
        {
            "customer_id": c["customer_id"],
            "contact_id": c["contact_id"],
            "contact_name": c["name"] if "name" in c.columns else pd.NA,
            "role_given": c["role"] if "role" in c.columns else pd.NA,
            "preferred_channel": c["preferred_channel"]
            if "preferred_channel" in c.columns
            else pd.NA,
            "current_owner": c["owner"] if "owner" in c.columns else pd.NA,
            "last_contact_date": pd.to_datetime(c["last_contact_date"], errors="coerce")
            if "last_contact_date" in c.columns
            else pd.NaT,
            "relationship_strength": pd.to_numeric(c["relationship_strength"], errors="coerce")
            if "relationship_strength" in c.columns
            else np.nan,
            "seniority": c["seniority"] if "seniority" in c.columns else pd.NA,
            "is_placeholder": False,
        }
    )
    df["contact_role"] = (
        df["role_given"].astype("object").map(lambda r: _norm_role(r, CONTACT_ROLES, "other"))
    )
    return df.sort_values(["customer_id", "contact_id"], kind="mergesort")[cols].reset_index(
        drop=True
    )


def _calendar(n: int, offset: int) -> list[int]:
    """``n`` touchpoints spread evenly over 12 months, rotated by ``offset`` months."""
    base = [((m + 1) * n) // 12 - (m * n) // 12 for m in range(12)]
    k = offset % 12
    return base[-k:] + base[:-k] if k else base


def contact_plan(
    key: pd.DataFrame,
    contacts: pd.DataFrame | None,
    settings: TeamSettings | None = None,
    staffed_roles: set[str] | None = None,
    plan_start: dt.date | None = None,
) -> pd.DataFrame:
    """A twelve-month plan for every contact at every key account.

    Channel: the contact's preferred channel as given, else the default for their role.
    Touchpoints a year: by contact role and tier. Owner role on our side: by contact role
    (``contact_owner_role``), falling back to the KAM when that role is not staffed
    (``staffed_roles``) or, for executives, when the tier has no sponsor.

    Returns one row per contact: ``customer_id, contact_id, contact_name, contact_role,
    tier, channel, channel_source (preferred/default), touchpoints_n, hours_per_touchpoint,
    hours, owner_role, current_owner, is_placeholder, m01..m12`` (touchpoints per month;
    ``m01`` is ``plan_start``'s month).
    """
    settings = settings or TeamSettings()
    c = _contacts_of(key, contacts)
    tiers = key.set_index("customer_id")["tier"]
    c["tier"] = c["customer_id"].map(tiers).astype("str")
    channels, sources, hours_tp, owners, tps = [], [], [], [], []
    median_hours = float(np.median(list(settings.hours_per_touchpoint.values())))
    for row in c.itertuples(index=False):
        given = row.preferred_channel
        if not _is_missing(given):
            channel, source = str(given).strip(), "preferred"
        else:
            channel, source = settings.default_channel.get(row.contact_role, "email"), "default"
        h = settings.hours_per_touchpoint.get(_norm_channel(channel) or "", median_hours)
        owner = settings.contact_owner_role.get(row.contact_role, "kam")
        if owner == "executive" and row.tier not in settings.sponsor_tiers:
            owner = "kam"
        if staffed_roles is not None and owner not in staffed_roles:
            owner = "kam"
        channels.append(channel)
        sources.append(source)
        hours_tp.append(float(h))
        owners.append(owner)
        tps.append(int(round(settings.touchpoints(row.contact_role, row.tier))))
    c["channel"] = pd.Series(channels, index=c.index, dtype="str")
    c["channel_source"] = pd.Series(sources, index=c.index, dtype="str")
    c["touchpoints_n"] = pd.Series(tps, index=c.index, dtype="int64")
    c["hours_per_touchpoint"] = pd.Series(hours_tp, index=c.index, dtype="float64")
    c["hours"] = c["touchpoints_n"] * c["hours_per_touchpoint"]
    c["owner_role"] = pd.Series(owners, index=c.index, dtype="str")
    pos = c.groupby("customer_id", sort=False).cumcount().to_numpy()
    months = np.array(
        [_calendar(n, int(p)) for n, p in zip(c["touchpoints_n"], pos, strict=True)], dtype="int64"
    ).reshape(len(c), 12)
    for m in range(12):
        c[f"m{m + 1:02d}"] = months[:, m]
    cols = [
        "customer_id",
        "contact_id",
        "contact_name",
        "contact_role",
        "role_given",
        "tier",
        "channel",
        "channel_source",
        "touchpoints_n",
        "hours_per_touchpoint",
        "hours",
        "owner_role",
        "current_owner",
        "last_contact_date",
        "relationship_strength",
        "is_placeholder",
    ] + [f"m{m + 1:02d}" for m in range(12)]
    return c[cols].reset_index(drop=True)


def month_labels(plan_start: dt.date) -> dict[str, dt.date]:
    """``{"m01": first day of plan_start's month, ...}`` for the twelve month columns."""
    out = {}
    y, m = plan_start.year, plan_start.month
    for i in range(12):
        out[f"m{i + 1:02d}"] = dt.date(y + (m - 1 + i) // 12, (m - 1 + i) % 12 + 1, 1)
    return out


# ---------------------------------------------------------------- workload


def workload(
    key: pd.DataFrame, plan: pd.DataFrame, settings: TeamSettings | None = None
) -> pd.DataFrame:
    """Hours a year per key account and role.

    KAM: touchpoints the KAM owns, plus planning, analysis and coordination by tier.
    Executive (sponsored tiers only), finance, logistics, marketing, specialist:
    ``support_hours`` by tier plus the touchpoints that role owns.

    Returns ``customer_id, name, tier, contacts_n, touchpoints_n, touchpoint_hours,
    planning_hours, analysis_hours, coordination_hours, hours_kam, hours_executive,
    hours_finance, hours_logistics, hours_marketing, hours_specialist, hours_total``.

    Example: a Strategic account with one decision maker who prefers meetings, under the
    defaults: 12 meetings × 4 h = 48 h, plus 40 + 24 + 40 h = 152 KAM hours.
    """
    settings = settings or TeamSettings()
    real = plan[~plan["is_placeholder"].astype(bool)]
    by_owner = plan.pivot_table(
        index="customer_id", columns="owner_role", values="hours", aggfunc="sum", fill_value=0.0
    )
    out = key[["customer_id", "name", "tier"]].copy()
    out["contacts_n"] = (
        out["customer_id"].map(real.groupby("customer_id").size()).fillna(0).astype("int64")
    )
    out["touchpoints_n"] = (
        out["customer_id"]
        .map(plan.groupby("customer_id")["touchpoints_n"].sum())
        .fillna(0)
        .astype("int64")
    )
    out["touchpoint_hours"] = (
        out["customer_id"]
        .map(plan.groupby("customer_id")["hours"].sum())
        .fillna(0.0)
        .astype("float64")
    )
    ph, ah, ch = (
        zip(*[settings.tier_hours(t) for t in out["tier"]], strict=True)
        if len(out)
        else ((), (), ())
    )
    out["planning_hours"] = np.asarray(ph, dtype="float64")
    out["analysis_hours"] = np.asarray(ah, dtype="float64")
    out["coordination_hours"] = np.asarray(ch, dtype="float64")

    def owned(role: str) -> pd.Series:
        if role in by_owner.columns:
            return out["customer_id"].map(by_owner[role]).fillna(0.0).astype("float64")
        return pd.Series(0.0, index=out.index)

    out["hours_kam"] = (
        owned("kam") + out["planning_hours"] + out["analysis_hours"] + out["coordination_hours"]
    )
    sponsored = out["tier"].isin(settings.sponsor_tiers)
    out["hours_executive"] = owned("executive") + out["tier"].map(
        lambda t: settings.support("executive", t)
    ).astype("float64").where(sponsored, 0.0)
    for role in SUPPORT_ROLES:
        out[f"hours_{role}"] = owned(role) + out["tier"].map(
            lambda t, r=role: settings.support(r, t)
        ).astype("float64")
    out["hours_total"] = out[[f"hours_{r}" for r in OUR_ROLES]].sum(axis=1)
    return out.reset_index(drop=True)


# ---------------------------------------------------------------- roster


def _roster(team: pd.DataFrame | None, settings: TeamSettings) -> pd.DataFrame:
    """Normalised roster: person_id, name, role, capacity_hours, max_accounts, industries, languages."""
    cols = [
        "person_id",
        "name",
        "role",
        "hours_available",
        "capacity_hours",
        "max_accounts",
        "industries",
        "languages",
    ]
    if team is None or not len(team):
        return pd.DataFrame({c: pd.Series(dtype="object") for c in cols})
    t = team.copy()
    t["person_id"] = (
        t["person_id"].astype("str")
        if "person_id" in t.columns
        else (pd.Series([f"P{i + 1}" for i in range(len(t))], index=t.index))
    )
    t["name"] = (
        t["name"].astype("str").where(t["name"].notna(), t["person_id"])
        if "name" in t.columns
        else t["person_id"]
    )
    t["role"] = (
        (t["role"] if "role" in t.columns else pd.Series(pd.NA, index=t.index))
        .astype("object")
        .map(lambda r: _norm_role(r, OUR_ROLES, "other"))
    )
    hours = (
        pd.to_numeric(t["hours_available"], errors="coerce")
        if "hours_available" in t.columns
        else pd.Series(np.nan, index=t.index)
    )
    share = t["role"].map(lambda r: settings.kam_share.get(r, 0.0)).astype("float64")
    if settings.roster_hours == "kam":
        t["hours_available"] = hours.astype("float64")
        t["capacity_hours"] = hours.fillna(settings.productive_hours_per_person * share)
    else:
        t["hours_available"] = hours.fillna(settings.productive_hours_per_person).astype("float64")
        t["capacity_hours"] = t["hours_available"] * share
    t["capacity_hours"] = t["capacity_hours"].astype("float64").clip(lower=0.0)
    cap = (
        pd.to_numeric(t["max_accounts"], errors="coerce")
        if "max_accounts" in t.columns
        else pd.Series(np.nan, index=t.index)
    )
    default_cap = (
        t["role"]
        .map({"kam": settings.max_accounts_per_kam, "executive": settings.max_accounts_per_sponsor})
        .astype("float64")
    )
    t["max_accounts"] = cap.where(cap.notna(), default_cap)
    t["industries"] = (
        t["industries"].map(_split) if "industries" in t.columns else [frozenset()] * len(t)
    )
    t["languages"] = (
        t["languages"].map(_split) if "languages" in t.columns else [frozenset()] * len(t)
    )
    t = t.drop_duplicates("person_id").sort_values("person_id", kind="mergesort")
    return t[cols].reset_index(drop=True)


def _match_person(value: Any, roster: pd.DataFrame) -> str | None:
    """The person_id a free-text owner refers to (by id, then by name), or None."""
    if _is_missing(value) or not len(roster):
        return None
    v = str(value).strip().lower()
    for pid in roster["person_id"]:
        if str(pid).strip().lower() == v:
            return str(pid)
    for pid, name in zip(roster["person_id"], roster["name"], strict=True):
        if str(name).strip().lower() == v:
            return str(pid)
    return None


# ---------------------------------------------------------------- assignment


@dataclass
class _Person:
    person_id: str
    name: str
    role: str
    capacity: float
    max_accounts: float
    industries: frozenset
    languages: frozenset
    hours: float = 0.0
    accounts: int = 0

    def fits(self, h: float) -> bool:
        return self.hours + h <= self.capacity + 1e-9 and self.accounts + 1 <= self.max_accounts


def _people(roster: pd.DataFrame, role: str) -> list[_Person]:
    r = roster[roster["role"] == role]
    return [
        _Person(
            str(p.person_id),
            str(p.name),
            role,
            float(p.capacity_hours),
            float(p.max_accounts) if not pd.isna(p.max_accounts) else math.inf,
            p.industries,
            p.languages,
        )
        for p in r.itertuples(index=False)
    ]


def _greedy(
    items: list[dict],
    people: list[_Person],
    prefs: bool,
    balance: str = "hours",
    tolerance: float = 0.15,
) -> tuple[dict[str, tuple[str, list[str]]], list[str]]:
    """Assign items in the given order; each to the best person it fits.

    The current owner is taken whenever they have room. Otherwise the candidates are those
    nearly as free as the freest one (``balance="hours"``: load share after assignment
    within ``tolerance``; ``"accounts"``: the fewest accounts), and among them one who knows
    the industry, then one who speaks the language, then the least loaded, then the lower
    person_id. Returns {item id: (person_id, reason codes)} and the ids that fit no one.
    ``people`` are updated in place.
    """
    done: dict[str, tuple[str, list[str]]] = {}
    left: list[str] = []
    for it in items:
        h = it["hours"]
        fit = [p for p in people if p.fits(h)]
        if not fit:
            left.append(it["id"])
            continue

        def load(p: _Person, h=h) -> float:
            return round((p.hours + h) / p.capacity, 9) if p.capacity > 0 else math.inf

        owner = [p for p in fit if prefs and it.get("owner") == p.person_id]
        if balance == "accounts":
            least = min(p.accounts for p in fit)
            near = [p for p in fit if p.accounts <= least]
        else:
            least = min(load(p) for p in fit)
            near = [p for p in fit if load(p) <= least + tolerance + 1e-12]

        def score(p: _Person, it=it):
            ind = prefs and it.get("industry") is not None and it["industry"] in p.industries
            lang = prefs and it.get("language") is not None and it["language"] in p.languages
            return (not ind, not lang, load(p), p.accounts, p.person_id)

        best = owner[0] if owner else min(near, key=score)
        codes = []
        if owner:
            codes.append("owner")
        if prefs and it.get("industry") is not None and it["industry"] in best.industries:
            codes.append("industry")
        if prefs and it.get("language") is not None and it["language"] in best.languages:
            codes.append("language")
        codes.append("only_fit" if len(fit) == 1 else "balance")
        best.hours += h
        best.accounts += 1
        done[it["id"]] = (best.person_id, codes)
    return done, left


def _assign_role(
    items: list[dict], people: list[_Person], balance: str = "hours", tolerance: float = 0.15
) -> tuple[dict, list[str], bool]:
    """Preference-first greedy in priority order; if it leaves any item, pack by size.

    Returns assignments, the items left (from the priority-order pass when packing does
    not help either, so the least important accounts are the ones left) and whether packing
    replaced the preferences.
    """
    import copy

    trial = copy.deepcopy(people)
    done, left = _greedy(items, trial, True, balance, tolerance)
    if not left:
        _copy_load(trial, people)
        return done, left, False
    packed_people = copy.deepcopy(people)
    by_size = sorted(items, key=lambda it: (-it["hours"], it["priority"], it["id"]))
    done2, left2 = _greedy(by_size, packed_people, True, balance, tolerance)
    if not left2:
        _copy_load(packed_people, people)
        return done2, left2, True
    _copy_load(trial, people)
    return done, left, False


def _copy_load(src: list[_Person], dst: list[_Person]) -> None:
    for s, d in zip(src, dst, strict=True):
        d.hours, d.accounts = s.hours, s.accounts


_REASON_EN = {
    "owner": "current account owner",
    "industry": "knows the industry",
    "language": "speaks the customer's language",
    "balance": "least loaded of those with room",
    "only_fit": "the only one with room",
    "head": "head of KAM",
    "no_room": "no one with this role has room",
    "no_role": "no one with this role on the roster",
    "no_kam": "no KAM assigned",
}


def _reason(codes: list[str], person: _Person | None = None) -> str:
    text = "; ".join(_REASON_EN[c] for c in codes)
    if person is not None and person.capacity > 0:
        text += f" (load {person.hours:,.0f} of {person.capacity:,.0f} h)"
    return text[:1].upper() + text[1:]


def assign_team(
    key: pd.DataFrame,
    work: pd.DataFrame,
    team: pd.DataFrame | None,
    settings: TeamSettings | None = None,
) -> dict[str, Any]:
    """Assign key accounts to named people on the roster.

    One KAM per key account (within hours and the cap on accounts), an executive sponsor for
    each account of a sponsored tier, the head of KAM from the executives, and one person per
    supporting role with hours on the account. Deterministic: ties go to the lower person_id.
    Never exceeds anyone's capacity or cap: what does not fit is left unassigned and said.

    Returns a dict with ``plan`` (customer_id, person_id, person_name, role, hours, reason,
    reason_codes), ``load`` (per person), ``left`` ({role: [customer_id, ...]}), ``packed``
    (roles whose preferences gave way), ``head_of_kam`` (person_id or None),
    ``head_hours`` and ``head_needed``.
    """
    settings = settings or TeamSettings()
    roster = _roster(team, settings)
    w = work.merge(
        key[["customer_id", "industry", "language", "account_owner", "priority"]],
        on="customer_id",
        how="left",
    ).sort_values("priority", kind="mergesort")
    people_by_role = {r: _people(roster, r) for r in OUR_ROLES}
    plan_rows: list[dict] = []
    left: dict[str, list[str]] = {}
    packed: list[str] = []

    def items_for(role: str, mask=None) -> list[dict]:
        sub = w if mask is None else w[mask]
        return [
            {
                "id": r.customer_id,
                "hours": float(getattr(r, f"hours_{role}")),
                "priority": int(r.priority),
                "owner": _match_person(r.account_owner, roster) if role == "kam" else None,
                "industry": None if _is_missing(r.industry) else str(r.industry).strip().lower(),
                "language": None if _is_missing(r.language) else str(r.language).strip().lower(),
            }
            for r in sub.itertuples(index=False)
            if float(getattr(r, f"hours_{role}")) > 0 or role == "kam"
        ]

    def record(role: str, items: list[dict], people: list[_Person], done: dict, miss: list[str]):
        by_id = {p.person_id: p for p in people}
        for it in items:
            if it["id"] in done:
                pid, codes = done[it["id"]]
                p = by_id[pid]
                plan_rows.append(
                    {
                        "customer_id": it["id"],
                        "person_id": pid,
                        "person_name": p.name,
                        "role": role,
                        "hours": it["hours"],
                        "reason_codes": ";".join(codes),
                        "_codes": codes,
                        "_p": p,
                    }
                )
            else:
                code = "no_room" if people else "no_role"
                plan_rows.append(
                    {
                        "customer_id": it["id"],
                        "person_id": None,
                        "person_name": None,
                        "role": role,
                        "hours": it["hours"],
                        "reason_codes": code,
                        "_codes": [code],
                        "_p": None,
                    }
                )
        if miss:
            left[role] = miss

    # KAMs
    kams = people_by_role["kam"]
    items = items_for("kam")
    tol = settings.balance_tolerance_pct / 100
    done, miss, was_packed = _assign_role(items, kams, "hours", tol)
    if was_packed:
        packed.append("kam")
    record("kam", items, kams, done, miss)

    # head of KAM
    execs = people_by_role["executive"]
    head = None
    head_needed = settings.head_of_kam_hours_per_kam * sum(1 for p in kams if p.accounts > 0)
    head_hours = 0.0
    if execs:
        chosen = _match_person(settings.head_of_kam, roster) if settings.head_of_kam else None
        cand = [p for p in execs if p.person_id == chosen] or sorted(
            execs, key=lambda p: (-p.capacity, p.person_id)
        )
        head_p = cand[0]
        head = head_p.person_id
        head_hours = min(head_needed, max(head_p.capacity - head_p.hours, 0.0))
        head_p.hours += head_hours

    # executive sponsors
    sponsored = w["tier"].isin(settings.sponsor_tiers)
    # a sponsor is named for every account of a sponsored tier, even at zero hours
    sp_items = [
        {
            "id": r.customer_id,
            "hours": float(r.hours_executive),
            "priority": int(r.priority),
            "owner": None,
            "industry": None if _is_missing(r.industry) else str(r.industry).strip().lower(),
            "language": None if _is_missing(r.language) else str(r.language).strip().lower(),
        }
        for r in w[sponsored].itertuples(index=False)
    ]
    done, miss, was_packed = _assign_role(sp_items, execs, "accounts", tol)
    if was_packed:
        packed.append("executive")
    record("executive", sp_items, execs, done, miss)

    # supporting roles
    for role in SUPPORT_ROLES:
        items = items_for(role)
        if not items:
            continue
        people = people_by_role[role]
        done, miss, was_packed = _assign_role(items, people, "hours", tol)
        if was_packed:
            packed.append(role)
        record(role, items, people, done, miss)

    for row in plan_rows:
        row["reason"] = _reason(row.pop("_codes"), row.pop("_p"))
    plan = pd.DataFrame(
        plan_rows,
        columns=[
            "customer_id",
            "person_id",
            "person_name",
            "role",
            "hours",
            "reason",
            "reason_codes",
        ],
    )
    for c in ("customer_id", "person_id", "person_name", "role", "reason", "reason_codes"):
        plan[c] = plan[c].astype("str")
    plan["hours"] = plan["hours"].astype("float64")

    load_rows = []
    for role in OUR_ROLES:
        for p in people_by_role[role]:
            is_head = p.person_id == head
            load_rows.append(
                {
                    "person_id": p.person_id,
                    "name": p.name,
                    "role": role,
                    "accounts_n": p.accounts,
                    "hours_planned": p.hours,
                    "head_of_kam_hours": head_hours if is_head else 0.0,
                    "capacity_hours": p.capacity,
                    "load_pct": 100.0 * p.hours / p.capacity if p.capacity > 0 else np.nan,
                    "max_accounts": p.max_accounts if math.isfinite(p.max_accounts) else np.nan,
                    "spare_hours": p.capacity - p.hours,
                    "is_head_of_kam": is_head,
                }
            )
    other = roster[~roster["role"].isin(OUR_ROLES)]
    for p in other.itertuples(index=False):
        load_rows.append(
            {
                "person_id": p.person_id,
                "name": p.name,
                "role": "other",
                "accounts_n": 0,
                "hours_planned": 0.0,
                "head_of_kam_hours": 0.0,
                "capacity_hours": 0.0,
                "load_pct": np.nan,
                "max_accounts": np.nan,
                "spare_hours": 0.0,
                "is_head_of_kam": False,
            }
        )
    load = pd.DataFrame(load_rows, columns=LOAD_COLUMNS)
    load = load.astype(
        {
            "person_id": "str",
            "name": "str",
            "role": "str",
            "accounts_n": "int64",
            "hours_planned": "float64",
            "head_of_kam_hours": "float64",
            "capacity_hours": "float64",
            "load_pct": "float64",
            "max_accounts": "float64",
            "spare_hours": "float64",
            "is_head_of_kam": "bool",
        }
    )
    return {
        "plan": plan,
        "load": load,
        "left": left,
        "packed": packed,
        "head_of_kam": head,
        "head_hours": head_hours,
        "head_needed": head_needed,
        "roster": roster,
    }


# ---------------------------------------------------------------- headcount


def headcount(
    work: pd.DataFrame,
    roster: pd.DataFrame | None,
    settings: TeamSettings | None = None,
    plan: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Headcount needed per role against the roster.

    FTE needed = hours needed ÷ (productive hours × the role's share for key accounts); for
    KAMs at least accounts ÷ the cap. Roster FTE = the roster's capacity in the same unit.

    Returns ``role, accounts_n, hours_needed, hours_per_fte, fte_needed, people_n,
    roster_capacity_hours, roster_fte, hours_assigned, hours_unassigned, gap_fte,
    spare_hours``.
    """
    settings = settings or TeamSettings()
    rows = []
    for role in OUR_ROLES:
        col = f"hours_{role}"
        needed = float(work[col].sum()) if col in work.columns else 0.0
        n_acc = int((work[col] > 0).sum()) if col in work.columns else 0
        if role == "kam":
            n_acc = len(work)
        if role == "executive":
            n_acc = int(work["tier"].isin(settings.sponsor_tiers).sum())
        per_fte = settings.hours_per_fte(role)
        fte = needed / per_fte if per_fte else 0.0
        r = roster[roster["role"] == role] if roster is not None and len(roster) else None
        if role == "kam" and len(work):
            caps = r["max_accounts"].dropna() if r is not None else pd.Series(dtype="float64")
            per_kam = float(caps.median()) if len(caps) else float(settings.max_accounts_per_kam)
            fte = max(fte, len(work) / per_kam)
        people_n = 0 if r is None else len(r)
        cap = 0.0 if r is None else float(r["capacity_hours"].sum())
        if plan is not None and len(plan):
            p = plan[plan["role"] == role]
            assigned = float(p.loc[p["person_id"].notna(), "hours"].sum())
        else:
            assigned = 0.0
        rows.append(
            {
                "role": role,
                "accounts_n": n_acc,
                "hours_needed": needed,
                "hours_per_fte": per_fte,
                "fte_needed": fte,
                "people_n": people_n,
                "roster_capacity_hours": cap,
                "roster_fte": cap / per_fte if per_fte else 0.0,
                "hours_assigned": assigned,
                "hours_unassigned": max(needed - assigned, 0.0) if plan is not None else needed,
            }
        )
    df = pd.DataFrame(rows)
    df["gap_fte"] = (df["fte_needed"] - df["roster_fte"]).clip(lower=0.0)
    df["spare_hours"] = (df["roster_capacity_hours"] - df["hours_assigned"]).clip(lower=0.0)
    df["role"] = df["role"].astype("str")
    return df


# ---------------------------------------------------------------- matrices


def team_matrix(key: pd.DataFrame, plan: pd.DataFrame) -> pd.DataFrame:
    """Accounts × roles: who (``<role>``) and how many hours (``<role>_hours``) per account."""
    out = key[["customer_id", "name", "tier"]].copy()
    for role in OUR_ROLES:
        p = plan[plan["role"] == role].drop_duplicates("customer_id").set_index("customer_id")
        out[role] = out["customer_id"].map(p["person_name"]).astype("str")
        out[f"{role}_hours"] = out["customer_id"].map(p["hours"]).fillna(0.0).astype("float64")
    out["total_hours"] = out[[f"{r}_hours" for r in OUR_ROLES]].sum(axis=1)
    return out.reset_index(drop=True)


def coverage(key: pd.DataFrame, cplan: pd.DataFrame, roster: pd.DataFrame | None) -> pd.DataFrame:
    """Our people × their contacts: who holds which relationship, now and in the plan.

    One row per contact: ``customer_id, customer_name, contact_id, contact_name,
    contact_role, current_owner, current_owner_id, owner_id, owner_name, owner_role``
    (planned), and per account ``current_holders_n`` / ``planned_holders_n`` (distinct
    people on our side) with ``single_holder_current`` / ``single_holder_planned`` flags:
    a relationship held by one person on our side (a bow tie).
    """
    names = key.set_index("customer_id")["name"]
    c = cplan[~cplan["is_placeholder"].astype(bool)].copy()
    r = roster if roster is not None else pd.DataFrame(columns=["person_id", "name"])
    c["current_owner_id"] = c["current_owner"].astype("object").map(lambda v: _match_person(v, r))
    c["current_owner_id"] = c["current_owner_id"].astype("str")
    given = c["current_owner"].astype("str").str.strip().str.lower()
    cur_key = c["current_owner_id"].where(c["current_owner_id"].notna(), given.where(given != ""))
    c["_cur"] = cur_key
    cols = [
        "customer_id",
        "customer_name",
        "contact_id",
        "contact_name",
        "contact_role",
        "current_owner",
        "current_owner_id",
        "owner_id",
        "owner_name",
        "owner_role",
        "current_holders_n",
        "planned_holders_n",
        "single_holder_current",
        "single_holder_planned",
    ]
    c["customer_name"] = c["customer_id"].map(names)
    if "owner_id" not in c.columns:
        c["owner_id"] = pd.NA
        c["owner_name"] = pd.NA
    c["current_holders_n"] = c.groupby("customer_id")["_cur"].transform("nunique").astype("int64")
    c["planned_holders_n"] = (
        c.groupby("customer_id")["owner_id"].transform("nunique").astype("int64")
    )
    c["single_holder_current"] = c["current_holders_n"] <= 1
    c["single_holder_planned"] = c["planned_holders_n"] <= 1
    for col in ("customer_name", "owner_id", "owner_name"):
        c[col] = c[col].astype("str")
    return c[cols].reset_index(drop=True)


# ---------------------------------------------------------------- KPIs


def _period_windows(start: pd.Timestamp, end: pd.Timestamp) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Start of the previous and of the last window (12 months, or half the period if shorter)."""
    days = (end - start).days + 1
    win = pd.Timedelta(days=min(365, max(days // 2, 1)))
    last_start = end - win + pd.Timedelta(days=1)
    prev_start = last_start - win
    return prev_start, last_start


def kpi_scorecard(
    key: pd.DataFrame,
    plan: pd.DataFrame | None,
    invoices: pd.DataFrame | None,
    contacts: pd.DataFrame | None,
    assessments: pd.DataFrame | None,
    customer_pnl: pd.DataFrame | None,
    period: tuple[dt.date, dt.date],
    settings: TeamSettings | None = None,
) -> tuple[pd.DataFrame, str]:
    """Baselines of the KPI scorecard per key account and per KAM, with an empty target.

    KPIs: ``active_contacts_n`` (contacted within ``active_contact_days`` of the period
    end), ``roles_covered_n`` (distinct contact roles), ``repeat_order_pct`` (orders placed
    within ``repeat_order_days`` of the previous one), ``satisfaction_score`` (mean of the
    customer's own assessments of us), ``documented_contacts_pct`` (role, owner, preferred
    channel and last contact all filled), ``retained`` (100 when the customer bought in both
    the previous and the last window), ``revenue_trend_pct`` and ``profit_trend_pct`` (last
    window against the previous; profit = gross margin from invoices), ``clv_period`` and
    ``clv_per_year`` (historical lifetime value, method returned).

    Returns a long table ``level (account/kam), subject_id, subject_name, kam, kpi,
    baseline, target, method`` and the CLV method sentence.
    """
    settings = settings or TeamSettings()
    start, end = pd.Timestamp(period[0]), pd.Timestamp(period[1])
    years = max(((end - start).days + 1) / 365.25, 1e-9)
    ids = key["customer_id"]
    acc = pd.DataFrame({"customer_id": ids})

    # contacts
    if contacts is not None and len(contacts):
        c = contacts.copy()
        c["customer_id"] = c["customer_id"].astype("str")
        c = c[c["customer_id"].isin(set(ids))]
        last = (
            pd.to_datetime(c["last_contact_date"], errors="coerce")
            if "last_contact_date" in c
            else pd.Series(pd.NaT, index=c.index)
        )
        active = last >= end - pd.Timedelta(days=settings.active_contact_days)
        acc["active_contacts_n"] = (
            ids.map(active.groupby(c["customer_id"]).sum()).fillna(0).astype("float64")
        )
        roles = (
            c["role"]
            .astype("object")
            .map(lambda r: None if _is_missing(r) else _norm_role(r, CONTACT_ROLES, "other"))
            if "role" in c
            else pd.Series(None, index=c.index)
        )
        acc["roles_covered_n"] = (
            ids.map(roles.groupby(c["customer_id"]).nunique()).fillna(0).astype("float64")
        )
        doc_cols = [x for x in ("role", "owner", "preferred_channel", "last_contact_date")]
        documented = pd.Series(True, index=c.index)
        for col in doc_cols:
            if col not in c:
                documented &= False
            else:
                documented &= ~c[col].astype("object").map(_is_missing).astype(bool)
        grp = documented.groupby(c["customer_id"])
        acc["documented_contacts_pct"] = ids.map(100.0 * grp.sum() / grp.size()).astype("float64")
    else:
        acc["active_contacts_n"] = np.nan
        acc["roles_covered_n"] = np.nan
        acc["documented_contacts_pct"] = np.nan

    # orders and trends
    if invoices is not None and len(invoices):
        inv = invoices.copy()
        inv["customer_id"] = inv["customer_id"].astype("str")
        inv = inv[inv["customer_id"].isin(set(ids))]
        inv["invoice_date"] = pd.to_datetime(inv["invoice_date"], errors="coerce")
        net = pd.to_numeric(inv["net_amount"], errors="coerce").fillna(0.0)
        orders = (
            inv[net > 0].groupby(["customer_id", "invoice_id"], sort=False)["invoice_date"].min()
        )
        orders = orders.reset_index().sort_values(["customer_id", "invoice_date"], kind="mergesort")
        gap = orders.groupby("customer_id")["invoice_date"].diff().dt.days
        rep = (gap <= settings.repeat_order_days).groupby(orders["customer_id"]).sum()
        n = orders.groupby("customer_id").size()
        rate = 100.0 * rep / (n - 1).where(n > 1)
        rate = rate.where(n > 1, 0.0)
        acc["repeat_order_pct"] = ids.map(rate).astype("float64")
        prev_start, last_start = _period_windows(start, end)
        in_last = (inv["invoice_date"] >= last_start) & (inv["invoice_date"] <= end)
        in_prev = (inv["invoice_date"] >= prev_start) & (inv["invoice_date"] < last_start)
        rev_last = net[in_last].groupby(inv.loc[in_last, "customer_id"]).sum()
        rev_prev = net[in_prev].groupby(inv.loc[in_prev, "customer_id"]).sum()
        rl = ids.map(rev_last).astype("float64").fillna(0.0)
        rp = ids.map(rev_prev).astype("float64").fillna(0.0)
        acc["retained"] = np.where((rl > 0) & (rp > 0), 100.0, 0.0)
        acc["revenue_trend_pct"] = np.where(
            rp.abs() > 0, 100.0 * (rl - rp) / rp.abs().where(rp.abs() > 0, 1), np.nan
        )
        if "cost_amount" in inv and inv["cost_amount"].notna().any():
            gm = net - pd.to_numeric(inv["cost_amount"], errors="coerce").fillna(0.0)
            gl = (
                ids.map(gm[in_last].groupby(inv.loc[in_last, "customer_id"]).sum())
                .astype("float64")
                .fillna(0.0)
            )
            gp = (
                ids.map(gm[in_prev].groupby(inv.loc[in_prev, "customer_id"]).sum())
                .astype("float64")
                .fillna(0.0)
            )
            acc["profit_trend_pct"] = np.where(
                gp.abs() > 0, 100.0 * (gl - gp) / gp.abs().where(gp.abs() > 0, 1), np.nan
            )
            margin_total = ids.map(gm.groupby(inv["customer_id"]).sum())
        else:
            acc["profit_trend_pct"] = np.nan
            margin_total = None
        revenue_total = ids.map(net.groupby(inv["customer_id"]).sum())
    else:
        for col in ("repeat_order_pct", "retained", "revenue_trend_pct", "profit_trend_pct"):
            acc[col] = np.nan
        margin_total = revenue_total = None

    # satisfaction
    if assessments is not None and len(assessments) and "score" in assessments:
        a = assessments.copy()
        a["customer_id"] = a["customer_id"].astype("str")
        if "source" in a:
            a = a[a["source"].astype("str").str.strip().str.lower() == "client"]
        sat = pd.to_numeric(a["score"], errors="coerce").groupby(a["customer_id"]).mean()
        acc["satisfaction_score"] = ids.map(sat).astype("float64")
    else:
        acc["satisfaction_score"] = np.nan

    # CLV (historical)
    if customer_pnl is not None and "net_profit" in customer_pnl:
        p = customer_pnl.assign(customer_id=customer_pnl["customer_id"].astype("str"))
        clv = ids.map(p.set_index("customer_id")["net_profit"]).astype("float64")
        method = _CLV_METHODS["pnl"]
    elif margin_total is not None:
        clv, method = margin_total.astype("float64"), _CLV_METHODS["margin"]
    elif revenue_total is not None:
        clv, method = revenue_total.astype("float64"), _CLV_METHODS["revenue"]
    else:
        clv, method = pd.Series(np.nan, index=ids.index), ""
    acc["clv_period"] = clv.to_numpy()
    acc["clv_per_year"] = acc["clv_period"] / years

    kpi_methods = {
        "active_contacts_n": f"contacts last contacted within {settings.active_contact_days} days "
        "of the period end",
        "roles_covered_n": "distinct contact roles on file",
        "repeat_order_pct": f"share of orders placed within {settings.repeat_order_days} days of "
        "the previous order",
        "satisfaction_score": "mean score (1-10) the customer gave us in assessments",
        "documented_contacts_pct": "share of contacts with role, owner, preferred channel and "
        "last contact date",
        "retained": "100 when the customer bought in both the previous and the last 12 months",
        "revenue_trend_pct": "net revenue of the last 12 months against the 12 before",
        "profit_trend_pct": "gross margin of the last 12 months against the 12 before",
        "clv_period": method,
        "clv_per_year": method,
    }
    kpis = list(kpi_methods)
    names = key.set_index("customer_id")["name"]
    kam_of = kam_name = pd.Series(dtype="str")
    if plan is not None and len(plan):
        k = plan[(plan["role"] == "kam") & plan["person_id"].notna()].drop_duplicates("customer_id")
        kam_of = k.set_index("customer_id")["person_id"]
        kam_name = k.drop_duplicates("person_id").set_index("person_id")["person_name"]
    acc["kam_id"] = ids.map(kam_of).astype("str")
    acc["kam"] = acc["kam_id"].map(kam_name).astype("str")
    long = acc.melt(
        id_vars=["customer_id", "kam"], value_vars=kpis, var_name="kpi", value_name="baseline"
    )
    long.insert(0, "level", "account")
    long = long.rename(columns={"customer_id": "subject_id"})
    long.insert(2, "subject_name", long["subject_id"].map(names))

    parts = [long]
    if acc["kam_id"].notna().any():
        g = acc[acc["kam_id"].notna()].groupby("kam_id", sort=True)
        agg = g[kpis].mean()
        for col in ("active_contacts_n", "clv_period", "clv_per_year"):
            agg[col] = g[col].sum(min_count=1)
        agg["accounts_n"] = g.size().astype("float64")
        kam_long = agg.reset_index().melt(
            id_vars=["kam_id"],
            value_vars=["accounts_n"] + kpis,
            var_name="kpi",
            value_name="baseline",
        )
        kam_long = kam_long.assign(
            level="kam",
            subject_id=kam_long["kam_id"],
            subject_name=kam_long["kam_id"].map(kam_name),
            kam=kam_long["kam_id"].map(kam_name),
        )
        parts.append(kam_long)
    kpi_methods["accounts_n"] = "key accounts assigned"
    out = pd.concat(parts, ignore_index=True)
    order = {k: i for i, k in enumerate(["accounts_n"] + kpis)}
    out["_o"] = out["kpi"].map(order)
    out["_l"] = (out["level"] == "kam").astype(int)
    out = out.sort_values(["_l", "subject_id", "_o"], kind="mergesort")
    out["method"] = out["kpi"].map(kpi_methods)
    out["target"] = np.nan
    out = out[["level", "subject_id", "subject_name", "kam", "kpi", "baseline", "target", "method"]]
    for col in ("level", "subject_id", "subject_name", "kam", "kpi", "method"):
        out[col] = out[col].astype("str")
    out["baseline"] = out["baseline"].astype("float64")
    out["target"] = out["target"].astype("float64")
    return out.reset_index(drop=True), method


# ---------------------------------------------------------------- orchestration


def _settings_and_period(engagement, invoices) -> tuple[TeamSettings, tuple[dt.date, dt.date]]:
    if engagement is None:
        settings = TeamSettings()
    elif isinstance(engagement, TeamSettings):
        settings, engagement = engagement, None
    else:
        settings = engagement.team
    if engagement is not None:
        return settings, (engagement.period.start, engagement.period.end)
    if invoices is not None and len(invoices):
        d = pd.to_datetime(invoices["invoice_date"], errors="coerce")
        return settings, (d.min().date(), d.max().date())
    today = dt.date.today()
    return settings, (today.replace(month=1, day=1), today)


def run_team_design(
    tables: dict[str, pd.DataFrame],
    account_profile: pd.DataFrame,
    customer_pnl: pd.DataFrame | None = None,
    engagement=None,
) -> TeamDesignResult:
    """Design the KAM team around the key accounts.

    Parameters
    ----------
    tables
        Canonical tables from intake; uses ``customers``, ``invoices``, ``contacts``,
        ``assessments`` and ``team`` (the roster) when present.
    account_profile
        Stage 3's result: ``customer_id``, ``quadrant`` (the tier), ``is_key_account`` ...
    customer_pnl
        Stage 2's result, for historical lifetime value (``net_profit``), or None.
    engagement
        The :class:`~kamaudit.config.Engagement` (team settings and period), a
        :class:`TeamSettings`, or None for the defaults.

    Returns
    -------
    TeamDesignResult
        Tables and plain statements; ``feasible`` is False when a key account has no KAM or
        an account of a sponsored tier no sponsor.
    """
    invoices = tables.get("invoices")
    settings, period = _settings_and_period(engagement, invoices)
    team = tables.get("team")
    team = team if team is not None and len(team) else None
    contacts = tables.get("contacts")
    contacts = contacts if contacts is not None and len(contacts) else None
    statements: list[Statement] = []
    skipped: list[str] = []
    plan_start = settings.plan_start or (pd.Timestamp(period[1]) + pd.offsets.MonthBegin(1)).date()
    plan_start = plan_start.replace(day=1)

    key = key_accounts(account_profile, tables.get("customers"), settings)
    if key["tier_assumed"].any():
        statements.append(
            _statement(
                "tier_assumed",
                "warning",
                n=int(key["tier_assumed"].sum()),
                names=_names(key.loc[key["tier_assumed"], "name"].tolist()),
                tier=settings.default_tier,
            )
        )
    if team is None:
        statements.append(_statement("no_roster", "warning"))
        skipped += ["assignment", "team_matrix", "load", "kpis_per_kam"]
    if contacts is None:
        statements.append(_statement("no_contacts", "warning"))
        skipped += ["contact_plan", "coverage"]
    if not len(key):
        statements.append(_statement("no_key_accounts", "warning"))

    roster = _roster(team, settings)
    staffed = set(roster["role"]) if team is not None else None
    cplan = contact_plan(key, contacts, settings, staffed, plan_start)
    work = workload(key, cplan, settings)

    if contacts is not None:
        no_c = work.loc[work["contacts_n"] == 0, "name"].tolist()
        if no_c:
            statements.append(
                _statement("accounts_without_contacts", "warning", n=len(no_c), names=_names(no_c))
            )

    feasible = True
    head = None
    if team is not None and len(key):
        res = assign_team(key, work, team, settings)
        plan, load, left = res["plan"], res["load"], res["left"]
        head = res["head_of_kam"]
    else:
        plan = pd.DataFrame(
            {
                c: pd.Series(dtype="str")
                for c in [
                    "customer_id",
                    "person_id",
                    "person_name",
                    "role",
                    "reason",
                    "reason_codes",
                ]
            }
        )
        plan["hours"] = pd.Series(dtype="float64")
        plan = plan[
            ["customer_id", "person_id", "person_name", "role", "hours", "reason", "reason_codes"]
        ]
        load = pd.DataFrame(columns=LOAD_COLUMNS)
        left, res = {}, None
    cap = headcount(
        work, roster if team is not None else None, settings, plan if team is not None else None
    )
    names = key.set_index("customer_id")["name"]

    if res is not None:
        kam_row = cap.set_index("role").loc["kam"]
        n_kams = int(kam_row["people_n"])
        if "kam" in left:
            feasible = False
            fte = float(kam_row["fte_needed"])
            hire = max(math.ceil(fte - 1e-9) - n_kams, 1)
            moved = [str(names[c]) for c in left["kam"]]
            statements.append(
                _statement(
                    "kam_shortfall",
                    "warning",
                    n=len(key),
                    fte=round(fte, 1),
                    k=n_kams,
                    hire=hire,
                    hire_word=int(hire),
                    names=_names(moved),
                )
            )
            biggest = float(
                res["load"].loc[res["load"]["role"] == "kam", "capacity_hours"].max()
                if n_kams
                else 0.0
            )
            hours = work.set_index("customer_id")["hours_kam"]
            too_big = [c for c in left["kam"] if n_kams and hours[c] > biggest + 1e-9]
            if too_big:
                statements.append(
                    _statement(
                        "too_big",
                        "warning",
                        names=_names([str(names[c]) for c in too_big]),
                        hours=round(float(hours[too_big].max())),
                        capacity=round(biggest),
                    )
                )
        n_sp = int(key["tier"].isin(settings.sponsor_tiers).sum())
        if n_sp and not (roster["role"] == "executive").any():
            feasible = False
            statements.append(_statement("no_executive", "warning", n=n_sp))
        elif "executive" in left:
            feasible = False
            miss = [str(names[c]) for c in left["executive"]]
            statements.append(
                _statement(
                    "sponsor_shortfall",
                    "warning",
                    n=n_sp,
                    tiers=list(settings.sponsor_tiers),
                    m=n_sp - len(miss),
                    names=_names(miss),
                )
            )
        if head is not None:
            hname = str(roster.set_index("person_id").loc[head, "name"])
            if res["head_hours"] + 1e-9 < res["head_needed"]:
                statements.append(
                    _statement(
                        "head_short",
                        "warning",
                        name=hname,
                        free=round(res["head_hours"]),
                        hours=round(res["head_needed"]),
                    )
                )
            else:
                statements.append(
                    _statement(
                        "head_of_kam", "finding", name=hname, hours=round(res["head_needed"])
                    )
                )
        for role in SUPPORT_ROLES:
            row = cap.set_index("role").loc[role]
            if row["hours_needed"] <= 0:
                continue
            if row["people_n"] == 0:
                statements.append(
                    _statement(
                        "role_missing",
                        "warning",
                        role=role,
                        hours=round(float(row["hours_needed"])),
                        fte=round(float(row["fte_needed"]), 1),
                    )
                )
            elif role in left:
                unst = float(
                    plan.loc[(plan["role"] == role) & plan["person_id"].isna(), "hours"].sum()
                )
                statements.append(
                    _statement(
                        "role_short",
                        "warning",
                        role=role,
                        hours=round(unst),
                        names=_names([str(names[c]) for c in left[role]]),
                        fte=round(unst / settings.hours_per_fte(role), 1),
                    )
                )
        if res["packed"]:
            statements.append(_statement("packed", "note"))
        if feasible:
            kl = load[load["role"] == "kam"]
            statements.insert(
                0,
                _statement(
                    "feasible",
                    "finding",
                    n=len(key),
                    kams=int((kl["accounts_n"] > 0).sum()),
                    max_load=round(float(kl["load_pct"].max())) if len(kl) else 0,
                ),
            )
        kam_spare = float(kam_row["spare_hours"])
        if feasible and kam_spare >= settings.hours_per_fte("kam"):
            statements.append(
                _statement(
                    "spare",
                    "note",
                    role="kam",
                    hours=round(kam_spare),
                    fte=round(kam_spare / settings.hours_per_fte("kam"), 1),
                )
            )
    elif team is None and len(key):
        feasible = False

    # owners of contacts in the plan
    if len(plan):
        assigned = plan[plan["person_id"].notna()]
        who = {(r.customer_id, r.role): (r.person_id, r.person_name) for r in assigned.itertuples()}
        ids, nm, role_used = [], [], []
        for r in cplan.itertuples(index=False):
            role = r.owner_role
            got = who.get((r.customer_id, role))
            if got is None and role != "kam" and (r.customer_id, "kam") in who:
                got, role = who[(r.customer_id, "kam")], "kam"
            ids.append(got[0] if got else None)
            nm.append(got[1] if got else None)
            role_used.append(role)
        cplan["owner_id"] = pd.Series(ids, index=cplan.index, dtype="str")
        cplan["owner_name"] = pd.Series(nm, index=cplan.index, dtype="str")
        cplan["owner_role"] = pd.Series(role_used, index=cplan.index, dtype="str")
    else:
        cplan["owner_id"] = pd.Series(pd.NA, index=cplan.index, dtype="str")
        cplan["owner_name"] = pd.Series(pd.NA, index=cplan.index, dtype="str")
    cplan.insert(1, "customer_name", cplan["customer_id"].map(names).astype("str"))

    matrix = team_matrix(key, plan)
    cov = (
        coverage(key, cplan, roster if team is not None else None)
        if contacts is not None
        else coverage(key, cplan.iloc[0:0], None)
    )
    if len(cov):
        singles = cov.drop_duplicates("customer_id")
        singles = singles[singles["single_holder_current"]]
        if len(singles):
            statements.append(
                _statement(
                    "single_holder",
                    "finding",
                    n=len(singles),
                    total=len(key),
                    names=_names(singles["customer_name"].tolist()),
                )
            )
    out_plan = cplan if contacts is not None else cplan.iloc[0:0]

    kpis, clv_method = kpi_scorecard(
        key,
        plan if team is not None else None,
        invoices,
        contacts,
        tables.get("assessments"),
        customer_pnl,
        period,
        settings,
    )
    if invoices is None or not len(invoices):
        statements.append(_statement("no_invoices", "note"))
    if clv_method:
        clv_key = next(k for k, v in _CLV_METHODS.items() if v == clv_method)
        statements.append(
            _statement("clv_method", "note", method=clv_method, clv_method_key=clv_key)
        )

    return TeamDesignResult(
        key_accounts=key,
        workload=work,
        plan=plan,
        assignments=_assignments(key, plan),
        load=load,
        capacity=cap,
        matrix=matrix,
        coverage=cov,
        contact_plan=out_plan,
        kpis=kpis,
        statements=statements,
        feasible=bool(feasible),
        head_of_kam=head,
        plan_start=plan_start,
        skipped=skipped,
        clv_method=clv_method,
    )


def _assignments(key: pd.DataFrame, plan: pd.DataFrame) -> pd.DataFrame:
    """One row per key account: its KAM and sponsor, with the reasons."""
    out = key[
        ["customer_id", "name", "industry", "language", "tier", "priority", "account_owner"]
    ].copy()
    for role, prefix in (("kam", "kam"), ("executive", "sponsor")):
        p = plan[plan["role"] == role].drop_duplicates("customer_id").set_index("customer_id")
        out[f"{prefix}_id"] = out["customer_id"].map(p["person_id"]).astype("str")
        out[f"{prefix}_name"] = out["customer_id"].map(p["person_name"]).astype("str")
        out[f"{prefix}_hours"] = out["customer_id"].map(p["hours"]).astype("float64")
        out[f"{prefix}_reason"] = out["customer_id"].map(p["reason"]).astype("str")
        out[f"{prefix}_reason_codes"] = out["customer_id"].map(p["reason_codes"]).astype("str")
    return out.reset_index(drop=True)


_INPUTS = ("customers", "invoices", "contacts", "assessments", "team")


def read_inputs(workspace) -> tuple[dict[str, pd.DataFrame], pd.DataFrame, pd.DataFrame | None]:
    """What the stage reads from the workspace: the canonical tables it uses (those present),
    ``account_profile`` (required: run the key-account profile first) and ``customer_pnl``
    (optional)."""
    tables = {n: df for n in _INPUTS if (df := workspace.read_table(n, required=False)) is not None}
    profile = workspace.read_table("account_profile")
    pnl = workspace.read_table("customer_pnl", required=False)
    return tables, profile, pnl


def write_results(result: TeamDesignResult, workspace) -> list[str]:
    """Write the stage's tables and summary to the workspace; returns the names written.

    ``team_plan`` (customer_id, person_id, role, hours, reason, ...), ``team_assignments``,
    ``team_workload``, ``team_load``, ``team_capacity``, ``team_matrix``, ``team_coverage``,
    ``team_contact_plan``, ``team_kpis`` and JSON ``team_summary``.
    """
    tables = {
        "team_plan": result.plan,
        "team_assignments": result.assignments,
        "team_workload": result.workload,
        "team_load": result.load,
        "team_capacity": result.capacity,
        "team_matrix": result.matrix,
        "team_coverage": result.coverage,
        "team_contact_plan": result.contact_plan,
        "team_kpis": result.kpis,
    }
    for name, df in tables.items():
        workspace.write_table(name, df)
    workspace.write_json("team_summary", result.summary())
    return [*tables, "team_summary"]
