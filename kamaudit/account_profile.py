"""Stage 3, key-account profile: who the key accounts are, and why.

Most companies name their key accounts by turnover alone. This stage scores every
customer on weighted criteria along two axes and keeps the list few, explained and stable:

1. **Criteria** (:class:`Criterion`, :data:`DEFAULT_CRITERIA`): each criterion scores a
   customer on an anchored 1-10 scale, either from a metric computed from the data
   (:data:`METRICS`) or from an assessment score (``assessments`` table). Weights sum to
   100 per axis: *customer attractiveness* (to us) and *our business strength* (as the
   customer sees us). A missing assessment scores neutral (5.5) and is flagged.
2. **Portfolio** (McDonald's matrix): Strategic (attractive, we are strong), Star
   (attractive, we are weak), Status (less attractive, we are strong), Streamline.
   Where the customer's own view of us is assessed, the supplier-preferencing view
   (Core, Development, Exploitable, Nuisance) and a flag where the two disagree.
3. **Relationship**: stage (transactional, cooperation, partnership, synergy) from
   observable indicators, contact coverage, single-point-of-contact risk, bow-tie or
   diamond, and the probability to win or keep the account.
4. **Selection**: Strategic (and Star if configured), profitable, capped at a share of
   active customers and an absolute maximum; a deep-plan short list; potential key
   accounts small today; VIP-but-not-key with reasons; a side-by-side with the
   turnover-only top 20 %.
5. **Stability**: Monte Carlo perturbation of weights and assessment scores gives each
   customer a selection frequency: the stable core and the borderline.
6. **Profile cards**: one per key account with risks and next steps from rules.

Everything here is a pure function of DataFrames; :func:`write_results` is the only I/O.

>>> result = run_profile(tables, customer_pnl, engagement)      # doctest: +SKIP
>>> result.profile.query("is_key_account")[["name", "quadrant"]]  # doctest: +SKIP
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .errors import did_you_mean

__all__ = [
    "ASSESSMENT_CRITERIA",
    "DEFAULT_CRITERIA",
    "METRICS",
    "QUADRANTS",
    "ROLES",
    "STAGES",
    "Criterion",
    "ProfileResult",
    "ProfileSettings",
    "compute_metrics",
    "contact_coverage",
    "portfolio",
    "relationship",
    "run_profile",
    "score_customers",
    "select_accounts",
    "stability",
    "write_results",
]

NEUTRAL = 5.5
"""Score given where a criterion has no value for a customer (the middle of 1-10)."""

QUADRANTS = ("Strategic", "Star", "Status", "Streamline")
CLIENT_VIEWS = ("Core", "Development", "Exploitable", "Nuisance")
STAGES = ("transactional", "cooperation", "partnership", "synergy")
ROLES = ("decision_maker", "influencer", "procurement", "finance", "user", "technical", "executive")

METRICS: dict[str, tuple[str, str]] = {
    # metric name: (column in profile_metrics, what it measures)
    "net_profit": ("net_profit", "net customer profit after cost-to-serve (stage 2)"),
    "net_profit_pct": ("net_profit_pct", "net profit as % of net revenue (stage 2)"),
    "gross_margin_pct": ("gross_margin_pct", "gross margin as % of net revenue (stage 2)"),
    "net_revenue": ("net_revenue", "net revenue in the period"),
    "growth": ("growth_pct", "net revenue, second half of the period vs the first, %"),
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
        description="fast growing: growth (second half vs first) at least this, % (100 = doubled)",
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
    seed: int = Field(20240601, description="random seed: the same seed gives the same frequencies")
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
    """Minimum indicators for a relationship stage (a missing indicator is not tested)."""

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
    turnover_top_pct: float = Field(
        20.0,
        gt=0,
        le=100,
        description="the turnover-only list to compare with: top % by net revenue",
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


# ============================================================================ metrics


def _period(engagement) -> tuple[pd.Timestamp, pd.Timestamp]:
    p = engagement.period
    return pd.Timestamp(p.start), pd.Timestamp(p.end)


def _num(s: pd.Series) -> pd.Series:
    return pd.to_numeric(s, errors="coerce").astype("float64")


def _has(tables: dict[str, pd.DataFrame], name: str, *cols: str) -> bool:
    df = tables.get(name)
    return df is not None and len(df) > 0 and all(c in df.columns for c in cols)


def compute_metrics(
    tables: dict[str, pd.DataFrame],
    customer_pnl: pd.DataFrame,
    start: pd.Timestamp,
    end: pd.Timestamp,
    settings: ProfileSettings | None = None,
) -> pd.DataFrame:
    """Per-customer metric values (``profile_metrics``), one row per ``customer_pnl`` row.

    Columns: customer_id, name, industry, region, client_flag, account_owner, net_revenue,
    gross_margin, cts_total, net_profit, net_profit_pct, gross_margin_pct, invoices_n,
    revenue_h1, revenue_h2, growth_pct, assortment_n, days_late_avg,
    payment_discipline_pct, tenure_years, order_regularity_pct, wallet_estimate,
    share_of_wallet_pct, plus the contact indicators of :func:`contact_coverage`.
    A metric the data cannot give (no payments, no wallet estimates) is NaN.
    """
    settings = settings or ProfileSettings()
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    pnl = customer_pnl.copy()
    pnl["customer_id"] = pnl["customer_id"].astype("str")
    out = pd.DataFrame({"customer_id": pnl["customer_id"]})
    cust = tables.get("customers")
    cust = cust.copy() if cust is not None else pd.DataFrame(columns=["customer_id"])
    cust["customer_id"] = cust["customer_id"].astype("str")
    cust = cust.drop_duplicates("customer_id")
    for col in ("name", "industry", "region", "client_flag", "account_owner"):
        if col in pnl.columns:
            out[col] = pnl[col].to_numpy()
        elif col in cust.columns:
            out[col] = out["customer_id"].map(cust.set_index("customer_id")[col])
        else:
            out[col] = pd.Series(pd.NA, index=out.index, dtype="str")
    out["name"] = out["name"].fillna(out["customer_id"])
    for col in ("net_revenue", "gross_margin", "cts_total", "net_profit"):
        out[col] = _num(pnl[col]) if col in pnl.columns else np.nan
    rev = out["net_revenue"]
    with np.errstate(divide="ignore", invalid="ignore"):
        if "net_profit_pct" in pnl.columns:
            out["net_profit_pct"] = _num(pnl["net_profit_pct"]).to_numpy()
        else:
            out["net_profit_pct"] = np.where(rev > 0, 100 * out["net_profit"] / rev, np.nan)
        if "gross_margin_pct" in pnl.columns:
            out["gross_margin_pct"] = _num(pnl["gross_margin_pct"]).to_numpy()
        else:
            out["gross_margin_pct"] = np.where(rev > 0, 100 * out["gross_margin"] / rev, np.nan)
    out = out.set_index("customer_id", drop=False)

    inv = tables.get("invoices")
    if inv is not None and len(inv):
        inv = inv[
            ["customer_id", "invoice_date", "net_amount", "invoice_id"]
            + [c for c in ("product_category", "product_id") if c in inv.columns]
        ].copy()
        inv["customer_id"] = inv["customer_id"].astype("str")
        inv["invoice_date"] = pd.to_datetime(inv["invoice_date"], errors="coerce")
        inv["net_amount"] = _num(inv["net_amount"])
        g = inv.groupby("customer_id", sort=False)
        out["invoices_n"] = g["invoice_id"].nunique().reindex(out.index).fillna(0).astype("int64")
        # growth: second half of the period against the first
        mid = start + (end - start) / 2
        h1 = inv.loc[inv["invoice_date"] <= mid].groupby("customer_id")["net_amount"].sum()
        h2 = inv.loc[inv["invoice_date"] > mid].groupby("customer_id")["net_amount"].sum()
        h1 = h1.reindex(out.index).fillna(0.0)
        h2 = h2.reindex(out.index).fillna(0.0)
        out["revenue_h1"], out["revenue_h2"] = h1, h2
        with np.errstate(divide="ignore", invalid="ignore"):
            growth = np.where(h1 > 0, 100 * (h2 - h1) / h1, np.where(h2 > 0, 300.0, np.nan))
        out["growth_pct"] = np.clip(growth, -100, 300)
        # assortment breadth
        prod = (
            "product_category"
            if "product_category" in inv.columns and inv["product_category"].notna().any()
            else (
                "product_id"
                if "product_id" in inv.columns and inv["product_id"].notna().any()
                else None
            )
        )
        if prod:
            pos = inv.loc[inv["net_amount"] > 0]
            out["assortment_n"] = (
                pos.groupby("customer_id")[prod]
                .nunique()
                .reindex(out.index)
                .fillna(0)
                .astype("float64")
            )
        else:
            out["assortment_n"] = np.nan
        # tenure and order regularity
        first = (
            inv.loc[inv["net_amount"] > 0]
            .groupby("customer_id")["invoice_date"]
            .min()
            .reindex(out.index)
        )
        since = None
        for col in ("customer_since", "first_order_date", "since"):
            if col in cust.columns:
                since = pd.to_datetime(
                    out["customer_id"].map(cust.set_index("customer_id")[col]), errors="coerce"
                )
                break
        since = (
            first
            if since is None
            else since.fillna(first).where(since.isna() | (since <= first) | first.isna(), first)
        )
        out["tenure_years"] = ((end - since).dt.days / 365.25).clip(lower=0)
        pos = inv.loc[(inv["net_amount"] > 0) & inv["invoice_date"].notna()]
        months = pos["invoice_date"].dt.year * 12 + pos["invoice_date"].dt.month
        active_months = months.groupby(pos["customer_id"]).nunique().reindex(out.index)
        first_m = np.maximum(first.dt.year * 12 + first.dt.month, start.year * 12 + start.month)
        span = (end.year * 12 + end.month) - first_m + 1
        out["order_regularity_pct"] = (100 * active_months / span.where(span > 0)).clip(upper=100)
    else:
        for col in (
            "revenue_h1",
            "revenue_h2",
            "growth_pct",
            "assortment_n",
            "tenure_years",
            "order_regularity_pct",
        ):
            out[col] = np.nan
        out["invoices_n"] = 0

    # payment discipline
    out["days_late_avg"] = np.nan
    out["payment_discipline_pct"] = np.nan
    pay = tables.get("payments")
    if pay is not None and len(pay) and inv is not None and "due_date" in pay.columns:
        p = pay.copy()
        p["invoice_id"] = p["invoice_id"].astype("str")
        owner = (
            inv.assign(invoice_id=inv["invoice_id"].astype("str"))
            .drop_duplicates("invoice_id")
            .set_index("invoice_id")["customer_id"]
        )
        p["customer_id"] = p["invoice_id"].map(owner)
        p = p.dropna(subset=["customer_id"])
        due = pd.to_datetime(p["due_date"], errors="coerce")
        paid = (
            pd.to_datetime(p["paid_date"], errors="coerce")
            if "paid_date" in p.columns
            else pd.Series(pd.NaT, index=p.index)
        )
        # unpaid and overdue at the end of the period count as late up to the period end
        effective = paid.fillna(pd.Series(end, index=p.index).where(due < end))
        late = (effective - due).dt.days.clip(lower=0).astype("float64")
        amt = _num(p["amount"]).abs() if "amount" in p.columns else pd.Series(1.0, index=p.index)
        amt = amt.fillna(1.0).where(amt > 0, 1.0)
        ok = late.notna()
        p = pd.DataFrame({"customer_id": p["customer_id"], "late": late, "amt": amt})[ok]
        p["w_late"] = p["late"] * p["amt"]
        p["on_time"] = (p["late"] <= settings.risks.on_time_grace_days) * p["amt"]
        g = p.groupby("customer_id")[["w_late", "on_time", "amt"]].sum().reindex(out.index)
        out["days_late_avg"] = g["w_late"] / g["amt"]
        out["payment_discipline_pct"] = 100 * g["on_time"] / g["amt"]

    # share of wallet (annual revenue against the annual wallet)
    years = max((end - start).days + 1, 1) / 365.25
    if "wallet_estimate" in cust.columns:
        wallet = _num(out["customer_id"].map(cust.set_index("customer_id")["wallet_estimate"]))
        wallet = wallet.where(wallet > 0)
        out["wallet_estimate"] = wallet
        out["share_of_wallet_pct"] = (100 * (out["net_revenue"] / years) / wallet).clip(
            lower=0, upper=100
        )
    else:
        out["wallet_estimate"] = np.nan
        out["share_of_wallet_pct"] = np.nan

    if "relationship_stage" in cust.columns:
        out["stage_given"] = out["customer_id"].map(
            cust.set_index("customer_id")["relationship_stage"]
        )
    cov = contact_coverage(tables.get("contacts"), out.index, end, settings)
    out = out.join(cov.set_index("customer_id"), how="left")
    return out.reset_index(drop=True)


def contact_coverage(
    contacts: pd.DataFrame | None,
    customer_ids,
    as_of: pd.Timestamp,
    settings: ProfileSettings | None = None,
) -> pd.DataFrame:
    """Contact coverage per customer (``profile_contacts``).

    Columns: customer_id, contacts_n, roles_covered_n, roles_covered (";"-joined),
    roles_missing, relationship_strength_avg, relationship_strength_max,
    competitor_ties_avg, owners_n, last_contact_date, freshness_days,
    single_contact_risk, relationship_shape (``none``, ``bow_tie``, ``diamond``).
    Without a contacts table every indicator is missing (NA), never zero.
    """
    settings = settings or ProfileSettings()
    rules = settings.contacts
    ids = pd.Index(pd.Series(list(customer_ids), dtype="str"), name="customer_id")
    out = pd.DataFrame(index=ids)
    if contacts is None or "customer_id" not in contacts.columns:
        for col in (
            "contacts_n",
            "roles_covered_n",
            "relationship_strength_avg",
            "relationship_strength_max",
            "competitor_ties_avg",
            "owners_n",
            "freshness_days",
        ):
            out[col] = np.nan
        out["roles_covered"] = pd.Series(pd.NA, index=ids, dtype="str")
        out["roles_missing"] = pd.Series(pd.NA, index=ids, dtype="str")
        out["last_contact_date"] = pd.NaT
        out["single_contact_risk"] = pd.array([pd.NA] * len(ids), dtype="boolean")
        out["relationship_shape"] = pd.Series(pd.NA, index=ids, dtype="str")
        return out.reset_index()
    c = contacts.copy()
    c["customer_id"] = c["customer_id"].astype("str")
    if "contact_id" not in c.columns:
        c["contact_id"] = np.arange(len(c)).astype(str)
    role = (
        c["role"].astype("str").str.strip().str.lower().str.replace(" ", "_")
        if "role" in c.columns
        else pd.Series(pd.NA, index=c.index, dtype="str")
    )
    c["role"] = role
    g = c.groupby("customer_id")
    out["contacts_n"] = g["contact_id"].nunique().reindex(ids).fillna(0).astype("float64")
    out["roles_covered_n"] = g["role"].nunique().reindex(ids).fillna(0).astype("float64")
    present = (
        c.dropna(subset=["role"]).groupby(["customer_id", "role"]).size().unstack(fill_value=0)
    )
    present = present.reindex(ids).fillna(0) > 0
    covered = np.full(len(ids), "", dtype=object)
    for r in sorted(present.columns):  # roles, not customers
        m = present[r].to_numpy()
        covered = np.where(m, np.where(covered == "", r, covered + ";" + r), covered)
    out["roles_covered"] = pd.Series(covered, index=ids, dtype="str")
    missing = np.full(len(ids), "", dtype=object)
    for r in ROLES:
        m = present[r].to_numpy() if r in present.columns else np.zeros(len(ids), bool)
        missing = np.where(~m, np.where(missing == "", r, missing + ";" + r), missing)
    out["roles_missing"] = pd.Series(missing, index=ids, dtype="str")
    for src in ("relationship_strength", "competitor_ties"):
        if src in c.columns:
            c[src] = _num(c[src])
    if "relationship_strength" in c.columns:
        out["relationship_strength_avg"] = g["relationship_strength"].mean().reindex(ids)
        out["relationship_strength_max"] = g["relationship_strength"].max().reindex(ids)
    else:
        out["relationship_strength_avg"] = np.nan
        out["relationship_strength_max"] = np.nan
    out["competitor_ties_avg"] = (
        g["competitor_ties"].mean().reindex(ids) if "competitor_ties" in c.columns else np.nan
    )
    if "owner" in c.columns and c["owner"].notna().any():
        out["owners_n"] = g["owner"].nunique().reindex(ids).fillna(0).astype("float64")
    else:
        out["owners_n"] = np.nan
    if "last_contact_date" in c.columns:
        c["last_contact_date"] = pd.to_datetime(c["last_contact_date"], errors="coerce")
        last = g["last_contact_date"].max().reindex(ids)
        out["last_contact_date"] = last
        out["freshness_days"] = (pd.Timestamp(as_of) - last).dt.days.astype("float64")
    else:
        out["last_contact_date"] = pd.NaT
        out["freshness_days"] = np.nan
    n = out["contacts_n"]
    out["single_contact_risk"] = (n <= rules.single_contact_max).astype("boolean")
    owners_ok = out["owners_n"].isna() | (out["owners_n"] >= rules.diamond_min_owners)
    diamond = (
        (n >= rules.diamond_min_contacts)
        & (out["roles_covered_n"] >= rules.diamond_min_roles)
        & owners_ok
    )
    out["relationship_shape"] = np.where(n == 0, "none", np.where(diamond, "diamond", "bow_tie"))
    out["relationship_shape"] = out["relationship_shape"].astype("str")
    return out.reset_index()


# ============================================================================ scoring


def _source_kind(value) -> str:
    v = str(value).strip().lower() if value is not None and value == value else ""
    return "client" if ("client" in v or "customer" in v) else "internal"


def _scale(values: np.ndarray, criterion: Criterion) -> np.ndarray:
    """Metric values -> 1-10 scores (NaN stays NaN)."""
    v = np.asarray(values, dtype="float64")
    out = np.full(v.shape, np.nan)
    ok = ~np.isnan(v)
    if not ok.any():
        return out
    if criterion.thresholds:
        t = np.asarray(criterion.thresholds, dtype="float64")
        if criterion.direction == "higher":
            passed = (v[ok, None] >= t[None, :]).sum(axis=1)
        else:
            passed = (v[ok, None] <= t[None, :]).sum(axis=1)
        out[ok] = 1 + 9 * passed / len(t)
        return out
    if criterion.scale == "value_share":
        x = np.clip(v[ok], 0, None)
        total = x.sum()
        if total <= 0:
            out[ok] = 1.0
            return out
        order = np.sort(x)
        cum = np.cumsum(order)
        # share of the total held by customers at or below this value (ties share the top)
        idx = np.searchsorted(order, x, side="right") - 1
        out[ok] = 1 + 9 * cum[idx] / total
        return out
    ranks = pd.Series(v[ok]).rank(method="average").to_numpy()
    m = ok.sum()
    pct = (ranks - 1) / (m - 1) if m > 1 else np.full(m, 0.5)
    if criterion.direction == "lower":
        pct = 1 - pct
    out[ok] = 1 + 9 * pct
    return out


def score_customers(
    metrics: pd.DataFrame,
    assessments: pd.DataFrame | None,
    settings: ProfileSettings,
) -> tuple[pd.DataFrame, pd.DataFrame, list[dict]]:
    """Score each customer on each criterion and combine per axis.

    Returns
    -------
    scores
        ``profile_scores``: customer_id, name, ``score_<criterion>`` (1-10),
        attractiveness, strength (weighted means, 1-10), criteria_missing_n, missing (";"-joined
        criteria that scored neutral for lack of a value).
    detail
        Long table (customer_id, criterion, axis, source, value, score, weight,
        contribution, missing) for the cards.
    notes
        Criterion-level notes (dicts with ``code`` and values), e.g. an assessment
        criterion nobody has, with a did-you-mean against the table's criteria.

    Examples
    --------
    Two customers, one metric criterion per axis with anchored thresholds::

        net_profit thresholds [0, 100, ..., 800] (nine): a profit of 250 passes 3 -> 4.0
    """
    notes: list[dict] = []
    ids = metrics["customer_id"].astype("str").to_numpy()
    n = len(ids)
    crit = settings.criteria
    values = np.full((n, len(crit)), np.nan)
    scores = np.full((n, len(crit)), np.nan)

    ass = None
    known_criteria: list[str] = []
    if (
        assessments is not None
        and len(assessments)
        and {"customer_id", "criterion", "score"} <= set(assessments.columns)
    ):
        ass = assessments.copy()
        ass["customer_id"] = ass["customer_id"].astype("str")
        ass["criterion"] = ass["criterion"].astype("str").str.strip()
        ass["score"] = _num(ass["score"]).clip(1, 10)
        ass["kind"] = (
            [_source_kind(s) for s in ass["source"]] if "source" in ass.columns else "internal"
        )
        known_criteria = sorted(ass["criterion"].dropna().unique())

    for j, c in enumerate(crit):
        if c.source == "assessment":
            if ass is None:
                v = np.full(n, np.nan)
            else:
                sub = ass.loc[ass["criterion"] == c.name]
                if c.assessed_by != "any":
                    sub = sub.loc[sub["kind"] == c.assessed_by]
                v = (
                    sub.groupby("customer_id")["score"]
                    .mean()
                    .reindex(ids)
                    .to_numpy(dtype="float64")
                )
                if np.isnan(v).all():
                    hint = did_you_mean(c.name, known_criteria)
                    notes.append(
                        {"code": "assessment_absent", "criterion": c.name, "hint": hint.strip()}
                    )
            values[:, j] = v
            scores[:, j] = v
        else:
            col = METRICS[c.source][0]
            v = _num(metrics[col]).to_numpy() if col in metrics.columns else np.full(n, np.nan)
            if np.isnan(v).all():
                notes.append({"code": "metric_absent", "criterion": c.name, "metric": c.source})
            values[:, j] = v
            scores[:, j] = _scale(v, c)
    if ass is None and any(c.source == "assessment" for c in crit):
        notes.append({"code": "no_assessments"})
    if ass is not None:
        unused = sorted(
            set(known_criteria)
            - {c.name for c in crit if c.source == "assessment"}
            - {settings.stages.assessment_criterion}
        )
        if unused:
            notes.append({"code": "assessments_unused", "criteria": ", ".join(unused)})

    missing = np.isnan(scores)
    filled = np.where(missing, NEUTRAL, scores)
    w = np.array([c.weight for c in crit])
    is_attr = np.array([c.axis == "attractiveness" for c in crit])
    attr = filled[:, is_attr] @ w[is_attr] / 100
    strength = filled[:, ~is_attr] @ w[~is_attr] / 100

    wide = pd.DataFrame({"customer_id": ids, "name": metrics["name"].to_numpy()})
    for j, c in enumerate(crit):
        wide[f"score_{c.name}"] = filled[:, j]
    wide["attractiveness"] = attr
    wide["strength"] = strength
    wide["criteria_missing_n"] = missing.sum(axis=1).astype("int64")
    names = np.array([c.name for c in crit])
    wide["missing"] = [";".join(names[row]) for row in missing]
    wide["missing"] = wide["missing"].astype("str")

    detail = pd.DataFrame(
        {
            "customer_id": np.repeat(ids, len(crit)),
            "criterion": np.tile(names, n),
            "axis": np.tile([c.axis for c in crit], n),
            "source": np.tile([c.source for c in crit], n),
            "value": values.ravel(),
            "score": filled.ravel(),
            "weight": np.tile(w, n).astype("float64"),
            "missing": missing.ravel(),
        }
    )
    detail["contribution"] = detail["score"] * detail["weight"] / 100
    for col in ("customer_id", "criterion", "axis", "source"):
        detail[col] = detail[col].astype("str")
    return wide, detail, notes


# ============================================================================ portfolio


def _quadrant(attr: np.ndarray, strength: np.ndarray, s: ProfileSettings) -> np.ndarray:
    hi_a = attr >= s.split_attractiveness
    hi_s = strength >= s.split_strength
    return np.select(
        [hi_a & hi_s, hi_a & ~hi_s, ~hi_a & hi_s], ["Strategic", "Star", "Status"], "Streamline"
    )


def portfolio(
    scores: pd.DataFrame,
    metrics: pd.DataFrame,
    assessments: pd.DataFrame | None,
    settings: ProfileSettings,
) -> pd.DataFrame:
    """McDonald's matrix and the customer's view of us (``profile_portfolio``).

    Columns: customer_id, name, attractiveness, strength, quadrant, net_revenue
    (bubble size), client_score (mean of the customer's own assessments of us, 1-10),
    client_spend_score (how big we are for them: share-of-wallet score, else revenue
    percentile score), client_view (Core: they find us attractive and buy much;
    Development: attractive, buy little; Exploitable: buy much, find us unattractive;
    Nuisance: neither), views_disagree (we rate them high, they rate us low:
    attractiveness high and client_view Exploitable or Nuisance).
    """
    out = scores[["customer_id", "name", "attractiveness", "strength"]].copy()
    out["quadrant"] = _quadrant(
        out["attractiveness"].to_numpy(), out["strength"].to_numpy(), settings
    )
    out["quadrant"] = out["quadrant"].astype("str")
    m = metrics.set_index("customer_id")
    out["net_revenue"] = m["net_revenue"].reindex(out["customer_id"]).to_numpy()
    out["client_score"] = np.nan
    if assessments is not None and len(assessments) and "source" in assessments.columns:
        a = assessments.copy()
        a["customer_id"] = a["customer_id"].astype("str")
        a = a.loc[[_source_kind(s) == "client" for s in a["source"]]]
        a = a.loc[a["criterion"].astype("str") != settings.stages.assessment_criterion]
        if len(a):
            out["client_score"] = (
                _num(a["score"])
                .clip(1, 10)
                .groupby(a["customer_id"])
                .mean()
                .reindex(out["customer_id"])
                .to_numpy()
            )
    sow = m["share_of_wallet_pct"].reindex(out["customer_id"]).to_numpy(dtype="float64")
    rev_score = _scale(
        out["net_revenue"].to_numpy(dtype="float64"),
        Criterion(name="net_revenue", axis="attractiveness", source="net_revenue", weight=1),
    )
    sow_score = _scale(
        sow,
        Criterion(
            name="share_of_wallet", axis="attractiveness", source="share_of_wallet", weight=1
        ),
    )
    spend = np.where(np.isnan(sow_score), rev_score, sow_score)
    out["client_spend_score"] = spend
    cs = out["client_score"].to_numpy(dtype="float64")
    hi_att = cs >= settings.split_strength
    hi_sp = spend >= NEUTRAL
    view = np.select(
        [hi_att & hi_sp, hi_att & ~hi_sp, ~hi_att & hi_sp],
        ["Core", "Development", "Exploitable"],
        "Nuisance",
    )
    out["client_view"] = pd.Series(np.where(np.isnan(cs), None, view), dtype="str")
    out["views_disagree"] = (
        (out["attractiveness"] >= settings.split_attractiveness)
        & out["client_view"].isin(["Exploitable", "Nuisance"])
    ).astype("bool")
    return out


# ============================================================================ relationship


def relationship(
    metrics: pd.DataFrame,
    scores: pd.DataFrame,
    assessments: pd.DataFrame | None,
    settings: ProfileSettings,
) -> pd.DataFrame:
    """Relationship stage, the indicators behind it, and the win/keep probability.

    Columns: customer_id, name, tenure_years, order_regularity_pct, contacts_n,
    roles_covered_n, share_of_wallet_pct, stage_inferred, stage_assessed,
    relationship_stage (assessed if given, else inferred), stage_source
    (``inferred``/``assessed``), win_keep_probability.

    The inferred stage is the highest of cooperation, partnership, synergy whose
    minimums (:class:`StageRules`) are all met; an indicator the data lacks is not tested.
    An assessed stage overrides it: a ``relationship_stage`` column of the customer master
    (stage names), else the assessment criterion ``stages.assessment_criterion`` (1-10).
    """
    ind_cols = [
        "tenure_years",
        "order_regularity_pct",
        "contacts_n",
        "roles_covered_n",
        "share_of_wallet_pct",
    ]
    out = metrics[["customer_id", "name", *ind_cols]].copy()
    rules = settings.stages
    stage_idx = np.zeros(len(out), dtype=int)
    for k, name in enumerate(("cooperation", "partnership", "synergy"), start=1):
        r: StageRule = getattr(rules, name)
        ok = np.ones(len(out), dtype=bool)
        for col, minimum in (
            ("tenure_years", r.min_tenure_years),
            ("order_regularity_pct", r.min_order_regularity_pct),
            ("contacts_n", r.min_contacts_n),
            ("roles_covered_n", r.min_roles_covered_n),
            ("share_of_wallet_pct", r.min_share_of_wallet_pct),
        ):
            v = out[col].to_numpy(dtype="float64")
            ok &= np.isnan(v) | (v >= minimum)
        stage_idx = np.where(ok & (stage_idx == k - 1), k, stage_idx)
    out["stage_inferred"] = pd.Series(np.array(STAGES)[stage_idx], dtype="str")
    assessed = pd.Series(pd.NA, index=out.index, dtype="str")
    if assessments is not None and len(assessments) and "criterion" in assessments.columns:
        a = assessments.loc[assessments["criterion"].astype("str") == rules.assessment_criterion]
        if len(a):
            sc = _num(a["score"]).groupby(a["customer_id"].astype("str")).mean()
            sc = sc.reindex(out["customer_id"]).to_numpy(dtype="float64")
            idx = np.clip(np.ceil(sc / 2.5) - 1, 0, 3)
            assessed = pd.Series(
                [STAGES[int(i)] if not math.isnan(i) else None for i in idx],
                index=out.index,
                dtype="str",
            )
    if "stage_given" in metrics.columns:  # a stage named in the customer master wins
        given = metrics["stage_given"].astype("str").str.strip().str.lower()
        given = given.where(given.isin(STAGES))
        assessed = given.fillna(assessed).astype("str")
    out["stage_assessed"] = assessed
    out["relationship_stage"] = out["stage_assessed"].fillna(out["stage_inferred"]).astype("str")
    out["stage_source"] = np.where(out["stage_assessed"].notna(), "assessed", "inferred")
    out["stage_source"] = out["stage_source"].astype("str")

    f = settings.win_keep
    base = (
        out["relationship_stage"]
        .map(
            {
                "transactional": f.base_transactional,
                "cooperation": f.base_cooperation,
                "partnership": f.base_partnership,
                "synergy": f.base_synergy,
            }
        )
        .astype("float64")
    )
    m = metrics.set_index("customer_id")
    rs = m["relationship_strength_avg"].reindex(out["customer_id"]).to_numpy(dtype="float64")
    ct = m["competitor_ties_avg"].reindex(out["customer_id"]).to_numpy(dtype="float64")
    roles = m["roles_covered_n"].reindex(out["customer_id"]).to_numpy(dtype="float64")
    fresh = m["freshness_days"].reindex(out["customer_id"]).to_numpy(dtype="float64")
    single = (
        m["single_contact_risk"]
        .reindex(out["customer_id"])
        .astype("boolean")
        .fillna(False)
        .to_numpy(dtype=bool)
    )
    strength = (
        scores.set_index("customer_id")["strength"]
        .reindex(out["customer_id"])
        .to_numpy(dtype="float64")
    )
    p = (
        base.to_numpy()
        + f.relationship_strength * np.nan_to_num((rs - 3) / 2)
        + f.coverage * np.nan_to_num(roles / len(ROLES) - 0.5)
        - f.competitor_ties * np.nan_to_num((ct - 3) / 2)
        + f.our_strength * np.nan_to_num((strength - NEUTRAL) / 4.5)
        - f.single_contact * single
        - f.stale_contact * (np.nan_to_num(fresh) > settings.contacts.stale_days)
    )
    out["win_keep_probability"] = np.clip(p, f.floor, f.ceiling)
    return out


# ============================================================================ selection


def selection_cap(active_n: int, settings: ProfileSettings) -> int:
    """How many key accounts at most: share of active customers (rounded down) and the maximum."""
    return int(
        min(math.floor(active_n * settings.max_share_pct / 100 + 1e-9), settings.max_accounts)
    )


def _select_matrix(
    attr: np.ndarray,
    strength: np.ndarray,
    eligible: np.ndarray,
    forced: np.ndarray,
    slots: int,
    settings: ProfileSettings,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Vectorised selection for one or many runs.

    ``attr``/``strength`` are (customers × runs); ``eligible``/``forced`` are
    (customers,). Returns (key, candidate, priority), each (customers × runs).
    """
    hi_a = attr >= settings.split_attractiveness
    hi_s = strength >= settings.split_strength
    quad_ok = hi_a if settings.include_star else (hi_a & hi_s)
    cand = quad_ok & eligible[:, None] & ~forced[:, None]
    w = settings.rank_attractiveness_weight
    priority = w * attr + (1 - w) * strength
    prio = np.where(cand, priority, -np.inf)
    n, r = prio.shape
    order = np.argsort(-prio, axis=0, kind="stable")
    ranks = np.empty_like(order)
    ranks[order, np.arange(r)[None, :]] = np.arange(n)[:, None]
    key = (cand & (ranks < slots)) | forced[:, None]
    return key, cand, priority


def _eligible(
    metrics: pd.DataFrame, settings: ProfileSettings
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    ids = metrics["customer_id"].astype("str")
    active = (metrics["net_revenue"].fillna(0) > 0).to_numpy()
    profit_ok = (
        ~(metrics["net_profit"].fillna(0) < 0).to_numpy()
        if settings.require_profit
        else np.ones(len(ids), bool)
    )
    forced_out = ids.isin([str(x) for x in settings.force_not_key]).to_numpy()
    forced_in = ids.isin([str(x) for x in settings.force_key]).to_numpy() & ~forced_out
    eligible = active & profit_ok & ~forced_out & ~_small_today(metrics, settings)
    return eligible, forced_in, active


def _revenue_percentile(metrics: pd.DataFrame) -> np.ndarray:
    """Percentile (0-100) of each active customer's net revenue among active customers; NaN if inactive."""
    rev = metrics["net_revenue"].where(metrics["net_revenue"] > 0)
    return (100 * rev.rank(pct=True, method="max")).to_numpy(dtype="float64")


def _small_today(metrics: pd.DataFrame, settings: ProfileSettings) -> np.ndarray:
    pct = _revenue_percentile(metrics)
    return ~np.isnan(pct) & (pct < settings.min_revenue_percentile)


def select_accounts(
    scores: pd.DataFrame,
    metrics: pd.DataFrame,
    settings: ProfileSettings,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Key accounts, deep-plan list and the turnover-only comparison (``profile_selection``).

    Key accounts are Strategic customers (and Star ones with ``include_star``) that are
    active and, with ``require_profit``, not losing money, ranked by priority and cut at
    the cap (:func:`selection_cap`); ``force_key`` ones take slots first.

    Columns: customer_id, name, net_revenue, net_profit, attractiveness, strength,
    priority, priority_rank, is_candidate, is_key_account, is_deep_plan,
    in_turnover_top, comparison (``both``, ``profile_only``, ``turnover_only``, ``neither``),
    why (";"-joined reason codes), drivers (the criteria that lift or sink it most).
    Reason codes: forced_key, forced_not_key, not_active, unprofitable, small_today,
    low_attractiveness, low_strength, over_cap, strategic, star, profit_and_relationship.
    """
    eligible, forced, active = _eligible(metrics, settings)
    active_n = int(active.sum())
    cap = selection_cap(active_n, settings)
    if forced.sum() > cap:
        from .errors import ConfigError

        raise ConfigError(
            f"profile.force_key names {int(forced.sum())} customers but the cap is {cap} "
            f"({settings.max_share_pct:g}% of {active_n} active customers, at most {settings.max_accounts}); "
            "raise profile.max_share_pct or profile.max_accounts, or shorten force_key."
        )
    attr = scores["attractiveness"].to_numpy(dtype="float64")[:, None]
    strength = scores["strength"].to_numpy(dtype="float64")[:, None]
    key, cand, priority = _select_matrix(
        attr, strength, eligible, forced, cap - int(forced.sum()), settings
    )
    out = pd.DataFrame(
        {
            "customer_id": scores["customer_id"].to_numpy(),
            "name": scores["name"].to_numpy(),
            "net_revenue": metrics["net_revenue"].to_numpy(dtype="float64"),
            "net_profit": metrics["net_profit"].to_numpy(dtype="float64"),
            "attractiveness": attr[:, 0],
            "strength": strength[:, 0],
            "priority": priority[:, 0],
        }
    )
    out["is_candidate"] = cand[:, 0] | forced
    out["is_key_account"] = key[:, 0]
    out["priority_rank"] = out["priority"].rank(ascending=False, method="first").astype("int64")
    # deep-plan short list: the highest-priority key accounts
    key_rank = out["priority"].where(out["is_key_account"]).rank(ascending=False, method="first")
    out["is_deep_plan"] = (key_rank <= settings.deep_plan_n).fillna(False).astype("bool")
    # turnover-only list: top % of active customers by net revenue
    top_n = int(math.ceil(active_n * settings.turnover_top_pct / 100 - 1e-9))
    rev_rank = out["net_revenue"].where(active).rank(ascending=False, method="first")
    out["in_turnover_top"] = (rev_rank <= top_n).fillna(False).astype("bool")
    out["comparison"] = np.select(
        [
            out["is_key_account"] & out["in_turnover_top"],
            out["is_key_account"],
            out["in_turnover_top"],
        ],
        ["both", "profile_only", "turnover_only"],
        "neither",
    )
    out["comparison"] = out["comparison"].astype("str")
    out["why"] = _reasons(out, eligible, forced, active, metrics, settings)
    out["why"] = out["why"].astype("str")
    meta = {
        "active_n": active_n,
        "cap": cap,
        "cap_share": int(math.floor(active_n * settings.max_share_pct / 100 + 1e-9)),
        "max_accounts": settings.max_accounts,
        "key_n": int(out["is_key_account"].sum()),
        "candidates_n": int(out["is_candidate"].sum()),
        "deep_plan_n": int(out["is_deep_plan"].sum()),
        "turnover_top_n": top_n,
        "forced_n": int(forced.sum()),
        "slots": cap - int(forced.sum()),
    }
    return out, meta


def _join_codes(parts: list[tuple[np.ndarray, str]], n: int) -> np.ndarray:
    """Vectorised ";"-join: for each row, the codes whose mask is true, in order."""
    out = np.full(n, "", dtype=object)
    for mask, code in parts:  # codes, not customers
        add = np.where(out == "", code, out + ";" + code)
        out = np.where(mask, add, out)
    return out


def _reasons(out, eligible, forced, active, metrics, s: ProfileSettings) -> np.ndarray:
    hi_a = out["attractiveness"].to_numpy() >= s.split_attractiveness
    hi_s = out["strength"].to_numpy() >= s.split_strength
    unprofitable = (metrics["net_profit"].fillna(0) < 0).to_numpy()
    forced_out = (
        metrics["customer_id"].astype("str").isin([str(x) for x in s.force_not_key]).to_numpy()
    )
    small = _small_today(metrics, s)
    key = out["is_key_account"].to_numpy(dtype=bool)
    top = out["in_turnover_top"].to_numpy(dtype=bool)
    codes = _join_codes(
        [
            (key & forced, "forced_key"),
            (key & ~forced & hi_s, "strategic"),
            (key & ~forced & ~hi_s, "star"),
            (key & ~top, "profit_and_relationship"),
            (~key & forced_out, "forced_not_key"),
            (~key & ~active, "not_active"),
            (~key & unprofitable & s.require_profit, "unprofitable"),
            (~key & small, "small_today"),
            (~key & ~hi_a, "low_attractiveness"),
            (~key & ~hi_s & (not s.include_star), "low_strength"),
        ],
        len(out),
    )
    return np.where(~key & (codes == ""), "over_cap", codes)


def _drivers(detail: pd.DataFrame, top: int = 2) -> pd.DataFrame:
    """Per customer: the criteria lifting it most (above neutral) and sinking it most.

    ``detail`` is customer-major (each customer's criteria together, in the same order),
    as :func:`score_customers` returns it.
    """
    if len(detail) == 0:
        return pd.DataFrame(
            {"strengths": pd.Series(dtype="str"), "weaknesses": pd.Series(dtype="str")}
        )
    ids = detail["customer_id"].to_numpy()
    names = detail["criterion"].to_numpy()
    c = int((ids == ids[0]).sum())
    n = len(detail) // c
    effect = ((detail["score"].to_numpy() - NEUTRAL) * detail["weight"].to_numpy()).reshape(n, c)
    crit = names[:c].astype(object)
    out = {}
    for label, sign in (("strengths", -1), ("weaknesses", 1)):
        order = np.argsort(sign * effect, axis=1, kind="stable")[:, :top]
        joined = np.full(n, "", dtype=object)
        for j in range(order.shape[1]):  # the top criteria, not customers
            eff = np.take_along_axis(effect, order[:, [j]], axis=1)[:, 0]
            ok = (eff > 0) if sign < 0 else (eff < 0)
            name = crit[order[:, j]]
            add = np.where(joined == "", name, joined + ", " + name)
            joined = np.where(ok, add, joined)
        out[label] = joined
    return pd.DataFrame(out, index=pd.Index(ids[::c], name="customer_id")).astype("str")


def potential_accounts(
    metrics: pd.DataFrame,
    selection: pd.DataFrame,
    settings: ProfileSettings,
) -> pd.DataFrame:
    """Potential key accounts: small today, growing fast or with a big wallet (``profile_potential``).

    Columns: customer_id, name, net_revenue, net_profit, net_profit_pct, growth_pct,
    share_of_wallet_pct, wallet_estimate, attractiveness, reason (``growth``,
    ``wallet_headroom`` or both, ";"-joined). Only customers at least as attractive as
    ``min_attractiveness``. Sorted: both reasons first, then most attractive.
    """
    r = settings.potential
    m = metrics.set_index("customer_id")
    sel = selection.set_index("customer_id")
    active = m["net_revenue"].fillna(0) > 0
    rev = m["net_revenue"].where(active)
    small = (
        rev < np.nanpercentile(rev.dropna(), r.max_revenue_percentile) if active.any() else active
    )
    enough = m["invoices_n"].fillna(0) >= r.min_invoices_n
    growth = m["growth_pct"] >= r.min_growth_pct
    if m["wallet_estimate"].notna().any() and active.any():
        # a wallet is big when it is as large as the revenue of our bigger customers
        big = m["wallet_estimate"] >= np.nanpercentile(rev.dropna(), r.min_wallet_percentile)
        headroom = big & (m["share_of_wallet_pct"] <= r.max_share_of_wallet_pct)
    else:
        headroom = pd.Series(False, index=m.index)
    attractive = sel["attractiveness"].reindex(m.index) >= (
        r.min_attractiveness if r.min_attractiveness is not None else -np.inf
    )
    ok = (
        active
        & small
        & enough
        & attractive
        & ~sel["is_key_account"].reindex(m.index).fillna(False)
        & (growth | headroom)
    )
    if r.min_net_profit_pct is not None:
        ok &= m["net_profit_pct"] >= r.min_net_profit_pct
    ok = ok.fillna(False).astype(bool)
    out = m.loc[
        ok,
        [
            "name",
            "net_revenue",
            "net_profit",
            "net_profit_pct",
            "growth_pct",
            "share_of_wallet_pct",
            "wallet_estimate",
        ],
    ].copy()
    out["attractiveness"] = sel["attractiveness"].reindex(out.index)
    g, h = growth.reindex(out.index).fillna(False), headroom.reindex(out.index).fillna(False)
    out["reason"] = [
        ";".join(x for x, f in (("growth", a), ("wallet_headroom", b)) if f)
        for a, b in zip(g, h, strict=True)
    ]
    out["reason"] = out["reason"].astype("str")
    out["reasons_n"] = (g.astype(int) + h.astype(int)).to_numpy()
    out = out.sort_values(
        ["reasons_n", "attractiveness", "growth_pct"], ascending=False, na_position="last"
    )
    out = out.drop(columns="reasons_n").head(r.max_n)
    return out.reset_index()


def vip_not_key(
    metrics: pd.DataFrame, selection: pd.DataFrame, settings: ProfileSettings
) -> pd.DataFrame:
    """Customers the client labels key (``client_flag`` in ``vip_labels``) that are not key accounts, with why."""
    labels = {x.strip().lower() for x in settings.vip_labels}
    flag = metrics["client_flag"].astype("str").str.strip().str.lower()
    is_vip = flag.isin(labels).fillna(False).to_numpy(dtype=bool)
    sel = selection.set_index("customer_id")
    ids = metrics["customer_id"].astype("str")
    mask = is_vip & ~sel["is_key_account"].reindex(ids).to_numpy(dtype=bool)
    out = metrics.loc[
        mask, ["customer_id", "name", "client_flag", "net_revenue", "net_profit", "net_profit_pct"]
    ].copy()
    out = out.merge(
        selection[["customer_id", "attractiveness", "strength", "in_turnover_top", "why"]],
        on="customer_id",
        how="left",
    )
    return out.sort_values("net_revenue", ascending=False).reset_index(drop=True)


# ============================================================================ stability


def stability(
    detail: pd.DataFrame,
    metrics: pd.DataFrame,
    selection: pd.DataFrame,
    settings: ProfileSettings,
) -> pd.DataFrame:
    """Monte Carlo selection frequency (``profile_stability``).

    Each run multiplies every weight by a uniform factor in 1 ± ``weight_perturbation_pct``
    (then renormalises each axis to 100) and adds normal noise (``assessment_noise``
    points, clipped to 1-10) to the assessment scores a customer actually has, then
    selects as :func:`select_accounts` does. Runs are processed as arrays in chunks
    (customers × runs), never customer by customer.

    Columns: customer_id, name, is_key_account (the base run), selection_frequency
    (0-1), stability (``core``: at least ``core_min``; ``out``: at most ``out_max``;
    else ``borderline``).
    """
    st = settings.stability
    crit = settings.criteria
    ids = metrics["customer_id"].astype("str").to_numpy()
    n, c = len(ids), len(crit)
    S = detail["score"].to_numpy(dtype="float64").reshape(n, c)
    miss = detail["missing"].to_numpy(dtype=bool).reshape(n, c)
    w = np.array([x.weight for x in crit], dtype="float64")
    is_attr = np.array([x.axis == "attractiveness" for x in crit])
    assess = np.array([x.source == "assessment" for x in crit]) & True
    eligible, forced, active = _eligible(metrics, settings)
    cap = selection_cap(int(active.sum()), settings)
    slots = cap - int(forced.sum())
    base = selection["is_key_account"].to_numpy(dtype=bool)
    runs = st.runs
    freq = base.astype("float64")
    if runs > 0 and n > 0:
        rng = np.random.default_rng(st.seed)
        p = st.weight_perturbation_pct / 100
        counts = np.zeros(n)
        a_idx = np.flatnonzero(assess)
        chunk = max(1, min(runs, int(4_000_000 // max(1, n * max(1, len(a_idx))))))
        done = 0
        while done < runs:
            r = min(chunk, runs - done)
            W = w[None, :] * rng.uniform(1 - p, 1 + p, size=(r, c))
            for mask in (is_attr, ~is_attr):
                W[:, mask] *= 100 / W[:, mask].sum(axis=1, keepdims=True)
            # contribution of metric criteria: (n × r)
            attr = S[:, is_attr & ~assess] @ W[:, is_attr & ~assess].T / 100
            strg = S[:, ~is_attr & ~assess] @ W[:, ~is_attr & ~assess].T / 100
            if len(a_idx):
                noise = rng.normal(0, st.assessment_noise, size=(n, r, len(a_idx)))
                Sa = S[:, None, a_idx] + np.where(miss[:, None, a_idx], 0.0, noise)
                Sa = np.clip(Sa, 1, 10)
                Wa = W[:, a_idx]  # (r × k)
                contrib = Sa * Wa[None, :, :] / 100  # (n × r × k)
                attr = attr + contrib[:, :, is_attr[a_idx]].sum(axis=2)
                strg = strg + contrib[:, :, ~is_attr[a_idx]].sum(axis=2)
            key, _, _ = _select_matrix(attr, strg, eligible, forced, slots, settings)
            counts += key.sum(axis=1)
            done += r
        freq = counts / runs
    label = np.where(freq >= st.core_min, "core", np.where(freq <= st.out_max, "out", "borderline"))
    out = pd.DataFrame(
        {
            "customer_id": ids,
            "name": metrics["name"].to_numpy(),
            "is_key_account": base,
            "selection_frequency": freq,
            "stability": pd.Series(label, dtype="str"),
        }
    )
    return out


# ============================================================================ cards


def _risks_and_steps(row: pd.Series, s: ProfileSettings) -> tuple[list[str], list[str]]:
    """Documented rules: risks, then next steps.

    Risks: single_contact (contacts ≤ single_contact_max), late_payment (average days
    late > late_payment_days), falling_revenue (growth < falling_revenue_pct),
    unprofitable (net profit < 0), stale_contact (last contact older than stale_days),
    competitor_ties (average ties ≥ 4), views_disagree.
    Next steps: broaden_contacts (single contact), reach_decision_maker (no decision
    maker known), refresh_contact (stale), review_payment_terms (late payment),
    investigate_decline (falling revenue), fix_cost_to_serve (unprofitable),
    close_perception_gap (views disagree), strengthen_position (strength below the
    midline), grow_share (share of wallet below low_share_of_wallet_pct),
    develop_relationship (transactional or cooperation stage), complete_assessment
    (criteria scored neutral for lack of an assessment), joint_planning (always,
    for deep-plan accounts), maintain (when nothing else applies).
    """
    r, st = s.risks, s.contacts
    risks: list[str] = []
    steps: list[str] = []

    def val(name):
        v = row.get(name)
        return None if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA else v

    if val("single_contact_risk"):
        risks.append("single_contact")
    if (v := val("days_late_avg")) is not None and v > r.late_payment_days:
        risks.append("late_payment")
    if (v := val("growth_pct")) is not None and v < r.falling_revenue_pct:
        risks.append("falling_revenue")
    if (v := val("net_profit")) is not None and v < 0:
        risks.append("unprofitable")
    if (v := val("freshness_days")) is not None and v > st.stale_days:
        risks.append("stale_contact")
    if (v := val("competitor_ties_avg")) is not None and v >= 4:
        risks.append("competitor_ties")
    if val("views_disagree"):
        risks.append("views_disagree")

    if "single_contact" in risks:
        steps.append("broaden_contacts")
    roles = val("roles_covered")
    if roles is not None and "decision_maker" not in str(roles).split(";"):
        steps.append("reach_decision_maker")
    if "stale_contact" in risks:
        steps.append("refresh_contact")
    if "late_payment" in risks:
        steps.append("review_payment_terms")
    if "falling_revenue" in risks:
        steps.append("investigate_decline")
    if "unprofitable" in risks:
        steps.append("fix_cost_to_serve")
    if "views_disagree" in risks:
        steps.append("close_perception_gap")
    if (v := val("strength")) is not None and v < s.split_strength:
        steps.append("strengthen_position")
    if (v := val("share_of_wallet_pct")) is not None and v < r.low_share_of_wallet_pct:
        steps.append("grow_share")
    if val("relationship_stage") in ("transactional", "cooperation"):
        steps.append("develop_relationship")
    if (v := val("missing_assessments_n")) is not None and v > 0:
        steps.append("complete_assessment")
    if val("is_deep_plan"):
        steps.append("joint_planning")
    if not steps:
        steps.append("maintain")
    return risks, steps


def profile_cards(
    profile: pd.DataFrame, metrics: pd.DataFrame, detail: pd.DataFrame, settings: ProfileSettings
) -> pd.DataFrame:
    """One row per key account (``profile_cards``): identity, P&L, position, stage,
    contacts, risks and next steps (";"-joined codes), strengths and weaknesses."""
    assess_names = {c.name for c in settings.criteria if c.source == "assessment"}
    miss_assess = (
        detail.loc[detail["missing"] & detail["criterion"].isin(assess_names)]
        .groupby("customer_id")
        .size()
    )
    m = metrics.set_index("customer_id")
    keys = profile.loc[profile["is_key_account"]].copy()
    extra = [
        "region",
        "client_flag",
        "account_owner",
        "gross_margin",
        "cts_total",
        "net_profit_pct",
        "growth_pct",
        "days_late_avg",
        "payment_discipline_pct",
        "share_of_wallet_pct",
        "tenure_years",
        "order_regularity_pct",
        "roles_covered",
        "roles_missing",
        "relationship_strength_avg",
        "competitor_ties_avg",
        "freshness_days",
        "relationship_shape",
    ]
    for col in extra:
        keys[col] = m[col].reindex(keys["customer_id"]).to_numpy()
    keys["missing_assessments_n"] = (
        miss_assess.reindex(keys["customer_id"]).fillna(0).astype("int64").to_numpy()
    )
    drivers = _drivers(detail.loc[detail["customer_id"].isin(keys["customer_id"])])
    keys["strengths"] = (
        drivers["strengths"].reindex(keys["customer_id"]).fillna("").astype("str").to_numpy()
    )
    keys["weaknesses"] = (
        drivers["weaknesses"].reindex(keys["customer_id"]).fillna("").astype("str").to_numpy()
    )
    risks, steps = [], []
    for _, row in keys.iterrows():  # key accounts only: a few dozen rows at most
        rk, sp = _risks_and_steps(row, settings)
        risks.append(";".join(rk))
        steps.append(";".join(sp))
    keys["risks"] = pd.Series(risks, index=keys.index, dtype="str")
    keys["next_steps"] = pd.Series(steps, index=keys.index, dtype="str")
    cols = [
        "customer_id",
        "name",
        "industry",
        "region",
        "client_flag",
        "account_owner",
        "net_revenue",
        "gross_margin",
        "cts_total",
        "net_profit",
        "net_profit_pct",
        "growth_pct",
        "attractiveness",
        "strength",
        "quadrant",
        "client_view",
        "views_disagree",
        "relationship_stage",
        "stage_source",
        "win_keep_probability",
        "contacts_n",
        "roles_covered_n",
        "roles_covered",
        "roles_missing",
        "relationship_shape",
        "freshness_days",
        "single_contact_risk",
        "days_late_avg",
        "share_of_wallet_pct",
        "is_deep_plan",
        "selection_frequency",
        "stability",
        "strengths",
        "weaknesses",
        "risks",
        "next_steps",
    ]
    keys = keys.sort_values(["is_deep_plan", "net_profit"], ascending=[False, False])
    return keys[cols].reset_index(drop=True)


def contact_map(contacts: pd.DataFrame | None, customer_ids) -> pd.DataFrame:
    """Contacts by role for the given customers (``profile_contact_map``); every role is
    listed, uncovered ones with contacts_n = 0, so gaps are visible.

    Columns: customer_id, role, contacts_n, names, strength_max, owners, last_contact_date.
    """
    ids = [str(x) for x in customer_ids]
    grid = pd.DataFrame(
        [(i, r) for i in ids for r in ROLES], columns=["customer_id", "role"]
    ).astype("str")
    if contacts is None or not len(contacts) or "role" not in contacts.columns:
        grid["contacts_n"] = 0
        grid["names"] = ""
        grid["strength_max"] = np.nan
        grid["owners"] = ""
        grid["last_contact_date"] = pd.NaT
        return grid
    c = contacts.copy()
    c["customer_id"] = c["customer_id"].astype("str")
    c = c.loc[c["customer_id"].isin(ids)]
    c["role"] = c["role"].astype("str").str.strip().str.lower().str.replace(" ", "_")
    for col in ("name", "owner"):
        if col not in c.columns:
            c[col] = ""
    c["relationship_strength"] = (
        _num(c["relationship_strength"]) if "relationship_strength" in c.columns else np.nan
    )
    c["last_contact_date"] = (
        pd.to_datetime(c["last_contact_date"], errors="coerce")
        if "last_contact_date" in c.columns
        else pd.NaT
    )
    g = c.groupby(["customer_id", "role"])
    agg = pd.DataFrame(
        {
            "contacts_n": g.size(),
            "names": g["name"].agg(lambda s: "; ".join(str(x) for x in s.dropna())),
            "strength_max": g["relationship_strength"].max(),
            "owners": g["owner"].agg(lambda s: "; ".join(sorted({str(x) for x in s.dropna()}))),
            "last_contact_date": g["last_contact_date"].max(),
        }
    ).reset_index()
    extra = agg.loc[~agg["role"].isin(ROLES), ["customer_id", "role"]]
    grid = pd.concat([grid, extra], ignore_index=True).merge(
        agg, on=["customer_id", "role"], how="left"
    )
    grid["contacts_n"] = grid["contacts_n"].fillna(0).astype("int64")
    grid["names"] = grid["names"].fillna("").astype("str")
    grid["owners"] = grid["owners"].fillna("").astype("str")
    return grid


# ============================================================================ orchestration


@dataclass(frozen=True)
class ProfileResult:
    """Everything stage 3 produces; :func:`write_results` stores it in the workspace.

    ``profile`` is the canonical ``account_profile`` table; the others are written as
    ``profile_<name>``. ``summary`` holds headline numbers and ``notes`` what the stage
    skipped or assumed (codes with values, translated in the deliverables).
    """

    profile: pd.DataFrame
    criteria: pd.DataFrame
    metrics: pd.DataFrame
    scores: pd.DataFrame
    criterion_scores: pd.DataFrame
    portfolio: pd.DataFrame
    relationship: pd.DataFrame
    contacts: pd.DataFrame
    selection: pd.DataFrame
    potential: pd.DataFrame
    vip_not_key: pd.DataFrame
    stability: pd.DataFrame
    cards: pd.DataFrame
    contact_map: pd.DataFrame
    summary: dict[str, Any] = field(default_factory=dict)
    notes: list[dict] = field(default_factory=list)

    def notes_table(self) -> pd.DataFrame:
        """What the stage assumed or skipped, one sentence a row."""
        return pd.DataFrame(
            {"note": [n.get("message") or note_message(n) for n in self.notes]}, dtype="str"
        )

    def card_scores(self, customer_id: str) -> pd.DataFrame:
        """One customer's score by criterion (for ``plots.account_profile.criterion_scores``)."""
        return self.criterion_scores.loc[self.criterion_scores["customer_id"] == str(customer_id)]

    def tables(self) -> dict[str, pd.DataFrame]:
        """Workspace table name -> frame."""
        return {
            "account_profile": self.profile,
            "profile_criteria": self.criteria,
            "profile_metrics": self.metrics,
            "profile_scores": self.scores,
            "profile_criterion_scores": self.criterion_scores,
            "profile_portfolio": self.portfolio,
            "profile_relationship": self.relationship,
            "profile_contacts": self.contacts,
            "profile_selection": self.selection,
            "profile_potential": self.potential,
            "profile_vip_not_key": self.vip_not_key,
            "profile_stability": self.stability,
            "profile_cards": self.cards,
            "profile_contact_map": self.contact_map,
        }


NOTE_MESSAGES = {
    "no_contacts": "No contacts table: relationship strength, coverage and single-contact risk are not assessed.",
    "no_payments": "No payments table: payment discipline is not measured and scores neutral.",
    "no_wallet": "No wallet estimates: share of wallet scores neutral and is not used for the stage.",
    "no_assessments": "No assessments table: every assessment criterion scores neutral (5.5) and is flagged.",
    "assessment_absent": "Nobody has an assessment for {criterion}: it scores neutral (5.5).{hint}",
    "metric_absent": "The data gives no {metric} for {criterion}: it scores neutral (5.5).",
    "assessments_unused": "Assessment criteria in the data but not in the criteria: {criteria}.",
    "tenure_from_invoices": "Tenure counts from the first invoice in the period (no customer_since column), so it is at most the period length.",
}


def note_message(note: dict) -> str:
    """The English text of a note (the deliverables translate by code)."""
    text = NOTE_MESSAGES.get(note.get("code", ""), note.get("code", ""))
    try:
        return text.format(**{k: v for k, v in note.items() if k != "code"}).rstrip()
    except (KeyError, IndexError):
        return text


def run_profile(
    tables: dict[str, pd.DataFrame],
    customer_pnl: pd.DataFrame,
    engagement,
    settings: ProfileSettings | None = None,
) -> ProfileResult:
    """Run the whole key-account profile on canonical tables and the customer P&L.

    Parameters
    ----------
    tables
        Canonical tables from intake by name (``customers``, ``invoices``, ``payments``,
        ``contacts``, ``assessments``; missing ones are skipped and said so in ``notes``).
    customer_pnl
        Stage 2's ``customer_pnl`` (customer_id, net_revenue, net_profit, ...).
    engagement
        The :class:`~kamaudit.config.Engagement` (period, and ``profile`` settings
        unless ``settings`` is given).
    """
    settings = settings or engagement.profile
    start, end = _period(engagement)
    notes: list[dict] = []
    if tables.get("contacts") is None or not len(tables.get("contacts")):
        notes.append({"code": "no_contacts"})
    if tables.get("payments") is None or not len(tables.get("payments")):
        notes.append({"code": "no_payments"})
    cust = tables.get("customers")
    if (
        cust is None
        or "wallet_estimate" not in cust.columns
        or _num(cust["wallet_estimate"]).notna().sum() == 0
    ):
        notes.append({"code": "no_wallet"})
    if cust is None or not any(
        c in cust.columns for c in ("customer_since", "first_order_date", "since")
    ):
        notes.append({"code": "tenure_from_invoices"})

    metrics = compute_metrics(tables, customer_pnl, start, end, settings)
    assessments = tables.get("assessments")
    scores, detail, score_notes = score_customers(metrics, assessments, settings)
    notes += score_notes
    port = portfolio(scores, metrics, assessments, settings)
    rel = relationship(metrics, scores, assessments, settings)
    selection, meta = select_accounts(scores, metrics, settings)
    drivers = _drivers(detail)
    selection["strengths"] = (
        drivers["strengths"].reindex(selection["customer_id"]).fillna("").astype("str").to_numpy()
    )
    selection["weaknesses"] = (
        drivers["weaknesses"].reindex(selection["customer_id"]).fillna("").astype("str").to_numpy()
    )
    stab = stability(detail, metrics, selection, settings)
    potential = potential_accounts(metrics, selection, settings)
    vip = vip_not_key(metrics, selection, settings)

    profile = pd.DataFrame(
        {
            "customer_id": metrics["customer_id"].astype("str"),
            "name": metrics["name"].astype("str"),
            "industry": metrics["industry"].astype("str"),
            "client_flag": metrics["client_flag"].astype("str"),
            "net_revenue": metrics["net_revenue"],
            "net_profit": metrics["net_profit"],
            "attractiveness": scores["attractiveness"],
            "strength": scores["strength"],
            "quadrant": port["quadrant"],
            "client_view": port["client_view"],
            "views_disagree": port["views_disagree"],
            "relationship_stage": rel["relationship_stage"],
            "stage_source": rel["stage_source"],
            "contacts_n": metrics["contacts_n"],
            "roles_covered_n": metrics["roles_covered_n"],
            "single_contact_risk": metrics["single_contact_risk"].astype("boolean"),
            "win_keep_probability": rel["win_keep_probability"],
            "priority": selection["priority"],
            "is_key_account": selection["is_key_account"].astype(bool),
            "is_deep_plan": selection["is_deep_plan"].astype(bool),
            "is_potential": metrics["customer_id"].isin(potential["customer_id"]).astype(bool),
            "in_turnover_top": selection["in_turnover_top"].astype(bool),
            "selection_frequency": stab["selection_frequency"],
            "stability": stab["stability"],
            "criteria_missing_n": scores["criteria_missing_n"],
            "why": selection["why"],
        }
    )
    cards = profile_cards(profile, metrics, detail, settings)
    cmap = contact_map(tables.get("contacts"), cards["customer_id"])

    sel_cols = [
        "customer_id",
        "name",
        "net_revenue",
        "net_profit",
        "attractiveness",
        "strength",
        "priority",
        "priority_rank",
        "is_candidate",
        "is_key_account",
        "is_deep_plan",
        "in_turnover_top",
        "comparison",
        "why",
        "strengths",
        "weaknesses",
    ]
    selection = selection[sel_cols].copy()
    selection["selection_frequency"] = stab["selection_frequency"].to_numpy()
    selection["stability"] = stab["stability"].to_numpy()
    key = profile["is_key_account"]
    top = profile["in_turnover_top"]
    rev_total = float(profile["net_revenue"].clip(lower=0).sum()) or float("nan")
    summary = {
        **meta,
        "customers_n": len(profile),
        "potential_n": len(potential),
        "vip_not_key_n": len(vip),
        "core_n": int(((stab["stability"] == "core") & key).sum()),
        "borderline_n": int((stab["stability"] == "borderline").sum()),
        "key_revenue_pct": 100 * float(profile.loc[key, "net_revenue"].sum()) / rev_total,
        "key_profit": float(profile.loc[key, "net_profit"].sum()),
        "turnover_top_profit": float(profile.loc[top, "net_profit"].sum()),
        "both_n": int((key & top).sum()),
        "profile_only_n": int((key & ~top).sum()),
        "turnover_only_n": int((~key & top).sum()),
        "turnover_only_unprofitable_n": int((~key & top & (profile["net_profit"] < 0)).sum()),
        "single_contact_key_n": int((key & profile["single_contact_risk"].fillna(False)).sum()),
        "views_disagree_n": int(profile["views_disagree"].sum()),
        "quadrants": {q: int((profile["quadrant"] == q).sum()) for q in QUADRANTS},
        "stability_runs": settings.stability.runs,
    }
    for n_ in notes:
        n_["message"] = note_message(n_)
    return ProfileResult(
        profile=profile,
        criteria=settings.criteria_table().assign(
            customers_missing_n=[
                int(detail.loc[detail["criterion"] == c.name, "missing"].sum())
                for c in settings.criteria
            ]
        ),
        metrics=metrics,
        scores=scores,
        criterion_scores=detail,
        portfolio=port,
        relationship=rel,
        contacts=metrics[
            [
                "customer_id",
                "name",
                "contacts_n",
                "roles_covered_n",
                "roles_covered",
                "roles_missing",
                "relationship_strength_avg",
                "relationship_strength_max",
                "competitor_ties_avg",
                "owners_n",
                "last_contact_date",
                "freshness_days",
                "single_contact_risk",
                "relationship_shape",
            ]
        ].copy(),
        selection=selection,
        potential=potential,
        vip_not_key=vip,
        stability=stab,
        cards=cards,
        contact_map=cmap,
        summary=summary,
        notes=notes,
    )


def write_results(result: ProfileResult, workspace) -> list[str]:
    """Write ``account_profile``, the ``profile_*`` tables and ``profile_summary`` JSON.

    Returns the names written.
    """
    names = []
    for name, df in result.tables().items():
        workspace.write_table(name, df)
        names.append(name)
    workspace.write_json("profile_summary", {"summary": result.summary, "notes": result.notes})
    names.append("profile_summary")
    return names


def load_inputs(workspace) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """Read what this stage needs from the workspace: canonical tables and ``customer_pnl``."""
    tables = {}
    for name in ("customers", "invoices", "payments", "contacts", "assessments"):
        df = workspace.read_table(name, required=(name == "invoices"))
        if df is not None:
            tables[name] = df
    return tables, workspace.read_table("customer_pnl")
