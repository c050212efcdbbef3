"""Team design settings of the engagement file (``team:``), with their defaults.

Every number the design assumes (touchpoints a year by contact role and tier, hours per
channel, planning, analysis and coordination hours by tier, support hours, shares of
people's time for key accounts, caps on accounts) lives here with a documented default.
Mappings given in the engagement file are merged onto the defaults.

>>> TeamSettings(touchpoints_per_year={"decision_maker": {"Strategic": 24}}).touchpoints(
...     "decision_maker", "Star")
10.0
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..contract import TEAM_ROLES
from ..errors import did_you_mean

__all__ = ["SUPPORT_ROLES", "TIERS", "TeamSettings"]

TIERS: tuple[str, ...] = ("Strategic", "Star", "Status", "Streamline")
"""Tiers of key accounts: the quadrants of the portfolio matrix, most served first."""
SUPPORT_ROLES: tuple[str, ...] = ("finance", "logistics", "marketing", "specialist")
"""Roles on our side that support a KAM on an account (besides the executive sponsor)."""


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


_DEFAULT_KPI_TARGETS: dict[str, float | None] = {
    "active_contacts_n": 3,  # three people in touch: no account hangs on one relationship
    "roles_covered_n": 3,  # decision maker, user and procurement at least
    "repeat_order_pct": 80,
    "satisfaction_score": 8,  # on the customer's 1-10 scale
    "documented_contacts_pct": 100,
    "retained": 100,
    "revenue_trend_pct": 5,
    "profit_trend_pct": 5,
    "clv_period": None,  # money: agreed with the client account by account
    "clv_per_year": None,
}
"""Default target of each KPI per key account (None: no default; the client sets it)."""


DEFAULT_KAM_CAP = 5
"""Most key accounts a KAM handles when neither the settings nor the roster say."""


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
    max_accounts_per_kam: int | None = Field(
        None,
        ge=1,
        description="most key accounts any KAM handles; given, it caps every KAM and wins over "
        "the roster's max_accounts (the plan names the KAMs it caps); empty: each KAM's roster "
        f"max_accounts, else {DEFAULT_KAM_CAP}",
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
    kpi_targets: dict[str, float | None] = Field(
        default_factory=lambda: dict(_DEFAULT_KPI_TARGETS),
        description="target of each KPI per key account (active_contacts_n 3, roles_covered_n "
        "3, repeat_order_pct 80, satisfaction_score 8, documented_contacts_pct 100, retained "
        "100, revenue_trend_pct 5, profit_trend_pct 5; lifetime value: none, set with the "
        "client); a KAM's target is the same, times their accounts for summed KPIs",
    )
    loaded_cost_per_fte: float | None = Field(
        None,
        ge=0,
        description="annual loaded cost of one full-time person (salary, social charges, car, "
        "travel), to set the team's cost against the profit of the accounts it serves; "
        "none = the cost is not assessed, only the profit per FTE is shown",
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
        "kpi_targets",
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
            check([role], [r for r in TEAM_ROLES if r != "kam"], "support_hours")
            check(tiers, TIERS, f"support_hours.{role}")
        check(self.sponsor_tiers, TIERS, "sponsor_tiers")
        check(self.kpi_targets, tuple(_DEFAULT_KPI_TARGETS), "kpi_targets")
        check([self.default_tier], TIERS, "default_tier")
        check(self.kam_share, TEAM_ROLES.codes, "kam_share")
        check(self.contact_owner_role.values(), TEAM_ROLES.codes, "contact_owner_role")
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
