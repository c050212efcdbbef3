"""Settings of the key-account profile (``profile:`` in the engagement file).

The criteria and their scales (:class:`Criterion`, :data:`DEFAULT_CRITERIA`), the
selection limits, the Monte Carlo, the relationship-stage rules, the win/keep factors and
the contact and risk rules. Every threshold the stage uses is here, with its default.
"""

from __future__ import annotations

from typing import Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..errors import did_you_mean

__all__ = [
    "ASSESSMENT_CRITERIA",
    "DEFAULT_CRITERIA",
    "METRICS",
    "NEUTRAL",
    "ContactRules",
    "FitRules",
    "HistoryRules",
    "Criterion",
    "PotentialRules",
    "ProfileSettings",
    "RiskRules",
    "StabilitySettings",
    "StageRule",
    "StageRules",
    "WinKeepFactors",
]

NEUTRAL = 5.5
"""Score given where a criterion has no value for a customer (the middle of 1-10)."""


METRICS: dict[str, tuple[str, str]] = {
    # metric name: (column in profile_metrics, what it measures)
    "net_profit": ("net_profit", "net customer profit after cost-to-serve (stage 2)"),
    "net_profit_pct": ("net_profit_pct", "net profit as % of net revenue (stage 2)"),
    "gross_margin_pct": ("gross_margin_pct", "gross margin as % of net revenue (stage 2)"),
    "net_revenue": ("net_revenue", "net revenue in the period"),
    "growth": (
        "growth_pct",
        "net revenue, the same months a year earlier (else the annualised monthly trend), %; none for a customer new in the period",
    ),
    "assortment_breadth": ("assortment_n", "distinct product categories bought"),
    "payment_discipline": ("payment_discipline_pct", "% of the paid amount paid on time"),
    "tenure": ("tenure_years", "years since the first order"),
    "order_regularity": ("order_regularity_pct", "% of months since the first order with an order"),
    "share_of_wallet": ("share_of_wallet_pct", "annual net revenue as % of wallet_estimate"),
    "relationship_strength": (
        "relationship_strength_avg",
        "mean contact relationship strength (1-5)",
    ),
    "competitor_ties": ("competitor_ties_avg", "mean contact ties to competitors (1-5)"),
    "contact_coverage": ("roles_covered_n", "buying-centre roles with at least one contact"),
}
"""Metrics computed from the data that a criterion can use as its ``source``."""

ASSESSMENT_CRITERIA: tuple[str, ...] = (
    # attractiveness (our team's view of them)
    "financial_stability",
    "reference_value",
    "strategic_value",
    "strategic_fit",
    "innovation",
    "growth_potential",
    "ease_of_doing_business",
    # strength (the customer's view of us)
    "reliability",
    "quality",
    "flexibility",
    "personal_approach",
    "price_competitiveness",
    "service",
    "delivery",
    "technical_support",
    "relationship",
    "relationship_strength",
    "competitor_ties",
)
"""Assessment criteria the method knows; others need ``custom: true`` (typo guard)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Criterion(_Strict):
    """One scoring criterion on one axis.

    ``source`` is a metric name (:data:`METRICS`) or ``assessment`` (the score of the
    ``assessments`` row whose ``criterion`` equals ``name``). The scale is anchored:
    with ``thresholds`` (ascending values), a customer scores
    ``1 + 9 * (thresholds passed) / len(thresholds)``, so nine thresholds give the
    whole numbers 1-10; without them, by percentile among customers
    (``1 + 9 * percentile``). ``direction: lower`` means less is better (days late,
    competitor ties). Assessment scores are already 1-10 and are used as given.
    """

    name: str = Field(
        min_length=1, description="criterion name (for assessments: the criterion in the table)"
    )
    axis: Literal["attractiveness", "strength"] = Field(
        description="attractiveness = the customer to us; strength = us as the customer sees us"
    )
    source: str = Field("assessment", description='a metric name, or "assessment"')
    direction: Literal["higher", "lower"] = Field("higher", description="which way is better")
    weight: float = Field(gt=0, le=100, description="weight within its axis (axis sums to 100)")
    thresholds: list[float] | None = Field(
        None, description="ascending anchor values for a 1-10 scale; none = the scale below"
    )
    scale: Literal["percentile", "value_share"] = Field(
        "percentile",
        description="without thresholds: percentile among customers, or value_share = 1 + 9 × the share of the total held by customers up to this one (keeps the size of money values)",
    )
    assessed_by: Literal["any", "internal", "client"] = Field(
        "any",
        description="which assessments to use: ours (internal), the customer's (client) or any",
    )
    custom: bool = Field(
        False, description="allow an assessment criterion the method does not know"
    )
    description: str = Field("", description="what it means, for the assumptions sheet")

    @field_validator("source")
    @classmethod
    def _known_source(cls, v: str) -> str:
        if v != "assessment" and v not in METRICS:
            raise ValueError(
                f'unknown source "{v}"; expected "assessment" or a metric: '
                + ", ".join(METRICS)
                + "."
                + did_you_mean(v, [*METRICS, "assessment"])
            )
        return v

    @field_validator("thresholds")
    @classmethod
    def _ascending(cls, v: list[float] | None) -> list[float] | None:
        if v is None:
            return v
        if not 1 <= len(v) <= 9:
            raise ValueError(f"give 1 to 9 thresholds (nine anchor a 1-10 scale), got {len(v)}")
        if any(b <= a for a, b in zip(v, v[1:], strict=False)):
            raise ValueError(f"thresholds must be strictly ascending, got {v}")
        return v

    @model_validator(mode="after")
    def _known_criterion(self) -> Criterion:
        if self.scale == "value_share" and self.direction == "lower":
            raise ValueError('scale "value_share" needs direction "higher" (a share of a total)')
        if self.source == "assessment" and not self.custom and self.name not in ASSESSMENT_CRITERIA:
            hint = did_you_mean(self.name, [*ASSESSMENT_CRITERIA, *METRICS])
            raise ValueError(
                f'unknown assessment criterion "{self.name}".{hint} '
                "If it is a criterion of your own, add  custom: true  to it."
            )
        return self


def _c(name, axis, source, weight, direction="higher", description="", **kw) -> Criterion:
    return Criterion(
        name=name,
        axis=axis,
        source=source,
        weight=weight,
        direction=direction,
        description=description,
        **kw,
    )


DEFAULT_CRITERIA: tuple[Criterion, ...] = (
    # customer attractiveness: what the customer is worth to us (sums to 100)
    _c(
        "net_profit",
        "attractiveness",
        "net_profit",
        25,
        description="what the customer really earns us after cost-to-serve",
    ),
    _c(
        "net_profit_pct",
        "attractiveness",
        "net_profit_pct",
        10,
        description="how much of each sale we keep",
    ),
    _c("net_revenue", "attractiveness", "net_revenue", 15, description="size today"),
    _c("growth", "attractiveness", "growth", 15, description="where the customer is heading"),
    _c(
        "assortment_breadth",
        "attractiveness",
        "assortment_breadth",
        5,
        description="how much of our range it buys",
    ),
    _c(
        "payment_discipline",
        "attractiveness",
        "payment_discipline",
        10,
        description="financial stability as seen in payments",
    ),
    _c(
        "share_of_wallet",
        "attractiveness",
        "share_of_wallet",
        5,
        description="our share of what it spends in our categories",
    ),
    _c(
        "strategic_value",
        "attractiveness",
        "assessment",
        15,
        assessed_by="any",
        description="reference and strategic value, our team's assessment",
    ),
    # our strength as the customer sees us (sums to 100)
    _c(
        "reliability",
        "strength",
        "assessment",
        15,
        description="the customer's rating of our reliability",
    ),
    _c("quality", "strength", "assessment", 15, description="the customer's rating of our quality"),
    _c(
        "flexibility",
        "strength",
        "assessment",
        10,
        description="the customer's rating of our flexibility",
    ),
    _c(
        "personal_approach",
        "strength",
        "assessment",
        10,
        description="the customer's rating of our personal approach",
    ),
    _c(
        "relationship_strength",
        "strength",
        "relationship_strength",
        25,
        description="mean strength of our relationships with its people (contacts)",
    ),
    _c(
        "competitor_ties",
        "strength",
        "competitor_ties",
        10,
        direction="lower",
        description="how tied its people are to competitors (contacts; fewer is better)",
    ),
    _c(
        "contact_coverage",
        "strength",
        "contact_coverage",
        15,
        description="how many buying-centre roles we know (contacts)",
    ),
)
"""The default preset, following the method: profit, size, growth, breadth, payment
discipline, share of wallet and strategic value for attractiveness; the customer's
rating of us, relationship strength, competitor ties and coverage for strength."""


class PotentialRules(_Strict):
    """Who is a potential key account: small today, growing or with room to grow."""

    max_revenue_percentile: float = Field(
        80.0,
        gt=0,
        le=100,
        description="small today: net revenue below this percentile of active customers",
    )
    min_growth_pct: float = Field(
        100.0,
        description="fast growing: growth (same months a year earlier, else annualised trend) at least this, % (100 = doubled)",
    )
    max_share_of_wallet_pct: float = Field(
        20.0, ge=0, le=100, description="or: our share of wallet at most this, with a big wallet"
    )
    min_wallet_percentile: float = Field(
        80.0,
        ge=0,
        le=100,
        description="big wallet: wallet_estimate at least this percentile of annual net revenue",
    )
    min_invoices_n: int = Field(
        3, ge=1, description="at least this many invoices (no one-off buyers)"
    )
    min_net_profit_pct: float | None = Field(
        None, description="optionally require net profit % at least this (none = no profit test)"
    )
    min_attractiveness: float | None = Field(
        4.5,
        ge=1,
        le=10,
        description="attractiveness at least this (a little below the midline: small customers score low on size; none = no test)",
    )
    max_n: int = Field(
        10, ge=0, description="name at most this many: both reasons first, then most attractive"
    )


class HistoryRules(_Strict):
    """The real history a key or potential account needs: enough invoices, both halves."""

    min_invoices_n: int = Field(
        4, ge=1, description="at least this many invoices in the period (no one-off buyers)"
    )
    both_halves: bool = Field(
        True, description="require sales in both halves of the period (not just arrived or gone)"
    )


class FitRules(_Strict):
    """How well KAM fits the base (:func:`~kamaudit.account_profile.fit.kam_fit`)."""

    min_top_share_pct: float = Field(
        40.0,
        ge=0,
        le=100,
        description="the largest customers a list may hold carry at least this % of net revenue",
    )
    min_largest_share_pct: float = Field(
        5.0, ge=0, le=100, description="the largest customer carries at least this % of net revenue"
    )
    min_repeat_pct: float = Field(
        80.0,
        ge=0,
        le=100,
        description="at least this % of those largest customers have a real history",
    )
    min_order_size_ratio: float = Field(
        2.0,
        ge=0,
        description="their median revenue per invoice is at least this many times the base's",
    )
    min_assessed_pct: float = Field(
        50.0, ge=0, le=100, description="our strength is assessed for at least this % of them"
    )


class StabilitySettings(_Strict):
    """Monte Carlo perturbation of weights and assessment scores."""

    runs: int = Field(500, ge=0, le=100_000, description="number of perturbed runs (0 = skip)")
    weight_perturbation_pct: float = Field(
        20.0,
        ge=0,
        le=100,
        description="each weight times a uniform factor in 1 ± this %, then axis renormalised to 100",
    )
    assessment_noise: float = Field(
        1.0,
        ge=0,
        le=5,
        description="standard deviation of noise added to assessment scores (points)",
    )
    seed: int = Field(
        20240601,
        ge=0,
        le=2**32 - 1,
        description="random seed: the same seed gives the same frequencies",
    )
    core_min: float = Field(
        0.9, gt=0, le=1, description="selected in at least this share of runs: stable core"
    )
    out_max: float = Field(
        0.1, ge=0, lt=1, description="selected in at most this share of runs: stably out"
    )

    @model_validator(mode="after")
    def _order(self) -> StabilitySettings:
        if self.out_max >= self.core_min:
            raise ValueError(f"out_max ({self.out_max}) must be below core_min ({self.core_min})")
        return self


class StageRule(_Strict):
    """Minimum indicators for a relationship stage (a missing indicator never meets its minimum;
    a minimum of 0 is not required)."""

    min_tenure_years: float = Field(0, ge=0, description="years since the first order")
    min_order_regularity_pct: float = Field(
        0, ge=0, le=100, description="% of months with an order"
    )
    min_contacts_n: int = Field(0, ge=0, description="people we know there")
    min_roles_covered_n: int = Field(0, ge=0, description="buying-centre roles covered")
    min_share_of_wallet_pct: float = Field(0, ge=0, le=100, description="our share of its spend")


class StageRules(_Strict):
    """Relationship stages from observable indicators: the highest stage whose minimums are all met."""

    cooperation: StageRule = Field(
        default_factory=lambda: StageRule(
            min_tenure_years=0.5,
            min_order_regularity_pct=25,
            min_contacts_n=2,
            min_roles_covered_n=2,
        )
    )
    partnership: StageRule = Field(
        default_factory=lambda: StageRule(
            min_tenure_years=1.5,
            min_order_regularity_pct=50,
            min_contacts_n=3,
            min_roles_covered_n=3,
            min_share_of_wallet_pct=30,
        )
    )
    synergy: StageRule = Field(
        default_factory=lambda: StageRule(
            min_tenure_years=3,
            min_order_regularity_pct=75,
            min_contacts_n=5,
            min_roles_covered_n=5,
            min_share_of_wallet_pct=60,
        )
    )
    assessment_criterion: str = Field(
        "relationship_stage",
        description="assessment criterion holding an assessed stage (1-10: ≤2.5 transactional, ≤5 cooperation, ≤7.5 partnership, else synergy); it overrides the inferred stage",
    )


class WinKeepFactors(_Strict):
    """Probability to win or keep the account: a documented additive score, clipped.

    ``p = base[stage] + relationship_strength * (avg strength - 3) / 2
    + coverage * (roles covered / 7 - 0.5) - competitor_ties * (avg ties - 3) / 2
    + our_strength * (strength - 5.5) / 4.5 - single_contact (if one contact or none)
    - stale_contact (if the last contact is older than the stale limit)``,
    clipped to [floor, ceiling]. Missing indicators contribute 0.
    """

    base_transactional: float = Field(
        0.35, ge=0, le=1, description="base probability for a transactional relationship"
    )
    base_cooperation: float = Field(
        0.55, ge=0, le=1, description="base probability for cooperation"
    )
    base_partnership: float = Field(
        0.70, ge=0, le=1, description="base probability for partnership"
    )
    base_synergy: float = Field(0.85, ge=0, le=1, description="base probability for synergy")
    relationship_strength: float = Field(
        0.10, ge=0, le=1, description="effect of strong relationships"
    )
    coverage: float = Field(0.10, ge=0, le=1, description="effect of covering the buying centre")
    competitor_ties: float = Field(0.10, ge=0, le=1, description="effect of ties to competitors")
    our_strength: float = Field(0.10, ge=0, le=1, description="effect of the strength-axis score")
    single_contact: float = Field(0.10, ge=0, le=1, description="penalty for one contact or none")
    stale_contact: float = Field(0.05, ge=0, le=1, description="penalty for no recent contact")
    floor: float = Field(0.05, ge=0, le=1, description="lowest probability shown")
    ceiling: float = Field(0.95, ge=0, le=1, description="highest probability shown")


class ContactRules(_Strict):
    """Contact coverage and single-point-of-contact risk."""

    single_contact_max: int = Field(
        1, ge=0, description="this many contacts or fewer is a single-point risk"
    )
    stale_days: int = Field(180, ge=1, description="no contact for longer than this is stale")
    diamond_min_contacts: int = Field(
        3, ge=2, description="a diamond needs at least this many contacts"
    )
    diamond_min_roles: int = Field(3, ge=2, description="... covering at least this many roles")
    diamond_min_owners: int = Field(
        2, ge=1, description="... held by at least this many of our people (when owners are known)"
    )


class RiskRules(_Strict):
    """Risk flags on the profile cards."""

    late_payment_days: float = Field(
        15.0, ge=0, description="average days late (amount-weighted) above this"
    )
    falling_revenue_pct: float = Field(-10.0, le=0, description="growth below this %")
    on_time_grace_days: int = Field(0, ge=0, description="days after due still counted on time")
    low_share_of_wallet_pct: float = Field(
        30.0, ge=0, le=100, description="next step: grow share below this"
    )


class ProfileSettings(BaseModel):
    """Key-account profile settings of the engagement file (``profile:``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    criteria: list[Criterion] = Field(
        default_factory=lambda: list(DEFAULT_CRITERIA),
        description="scoring criteria; weights sum to 100 per axis (default preset: DEFAULT_CRITERIA)",
    )
    split_attractiveness: float = Field(
        5.5, ge=1, le=10, description="attractiveness at or above this is high (matrix midline)"
    )
    split_strength: float = Field(5.5, ge=1, le=10, description="strength at or above this is high")
    on_the_line: float = Field(
        0.1,
        ge=0,
        le=2,
        description="a score within this of a cut-off is on the line: shown as such, never decided by rounding",
    )
    max_missing_weight_pct: float = Field(
        50.0,
        ge=0,
        lt=100,
        description="an axis resting on missing data for more than this % of its weight is unassessed for the customer: no quadrant from imputed values",
    )
    history: HistoryRules = Field(
        default_factory=lambda: HistoryRules(),
        description="real history a key or potential account needs (invoices, both halves)",
    )
    include_star: bool = Field(
        False, description="Star customers (attractive, we are weak) can be key accounts"
    )
    require_profit: bool = Field(
        True,
        description="a customer losing money after cost-to-serve is not a key account until fixed",
    )
    min_revenue_percentile: float = Field(
        60.0,
        ge=0,
        le=100,
        description="key accounts are significant today: net revenue at or above this percentile of active customers; smaller attractive ones are potential key accounts",
    )
    max_share_pct: float = Field(
        20.0, gt=0, le=100, description="key accounts as % of active customers"
    )
    max_accounts: int = Field(30, ge=0, description="absolute maximum of key accounts")
    deep_plan_n: int = Field(6, ge=0, description="accounts with a deep plan per year")
    rank_attractiveness_weight: float = Field(
        0.6,
        ge=0,
        le=1,
        description="priority = w × attractiveness + (1 − w) × strength, to fill the cap",
    )
    vip_labels: list[str] = Field(
        default_factory=lambda: [
            "vip",
            "key",
            "key account",
            "key_account",
            "strategic",
            "a",
            "top",
        ],
        description="client_flag values (case-insensitive) that mean the client treats it as key",
    )
    force_key: list[str] = Field(
        default_factory=list, description="customer ids that are key accounts by decision"
    )
    force_not_key: list[str] = Field(
        default_factory=list, description="customer ids that are never key accounts"
    )
    potential: PotentialRules = Field(default_factory=PotentialRules)
    fit: FitRules = Field(default_factory=FitRules)
    stability: StabilitySettings = Field(default_factory=StabilitySettings)
    stages: StageRules = Field(default_factory=StageRules)
    win_keep: WinKeepFactors = Field(default_factory=WinKeepFactors)
    contacts: ContactRules = Field(default_factory=ContactRules)
    risks: RiskRules = Field(default_factory=RiskRules)

    @model_validator(mode="after")
    def _weights(self) -> ProfileSettings:
        names = [c.name for c in self.criteria]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"criterion names must be unique; repeated: {', '.join(dup)}")
        for axis in ("attractiveness", "strength"):
            crit = [c for c in self.criteria if c.axis == axis]
            if not crit:
                raise ValueError(f"the {axis} axis has no criteria; give at least one")
            total = sum(c.weight for c in crit)
            if abs(total - 100) > 1e-6:
                parts = ", ".join(f"{c.name} {c.weight:g}" for c in crit)
                raise ValueError(f"{axis} weights sum to {total:g}, expected 100 ({parts})")
        return self

    def criteria_table(self) -> pd.DataFrame:
        """The criteria in force as a table (for the notebook and the assumptions)."""
        rows = [
            {
                "criterion": c.name,
                "axis": c.axis,
                "source": c.source,
                "direction": c.direction,
                "weight": float(c.weight),
                "scale": ("thresholds " + ", ".join(f"{t:g}" for t in c.thresholds))
                if c.thresholds
                else ("assessment 1-10" if c.source == "assessment" else c.scale),
                "description": c.description,
            }
            for c in self.criteria
        ]
        return pd.DataFrame(rows)
