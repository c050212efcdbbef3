"""Cost-to-serve settings of the engagement file (``cost_to_serve:``)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .time_equations import ExpressionError, parse_minutes

__all__ = ["CostToServeSettings", "ScenarioSettings", "TimeEquation"]


class ScenarioSettings(BaseModel):
    """Defaults of the action scenarios (``cost_to_serve.scenarios:``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    target_margin_pct: float | None = Field(
        None,
        ge=-100,
        lt=100,
        description="reprice: net margin to reach; empty = median of the profitable customers",
    )
    min_order_quantile_pct: float = Field(
        25.0, ge=0, le=100, description="reserve: minimum order value = this percentile of orders"
    )
    deliveries_per_week: int = Field(
        1, ge=1, le=50, description="reserve: deliveries a customer gets at most each week"
    )
    channel_groups: tuple[tuple[str, ...], ...] = Field(
        (("visit", "call", "email"), ("rush_order", "order")),
        description="reserve: activities (names or catalog concepts) one can replace by another",
    )
    channel_shift_pct: float = Field(
        50.0, ge=0, le=100, description="reserve: share of events moved to the cheapest channel"
    )
    capacity_removed: bool = Field(
        False,
        description="exit/reserve: freed capacity is removed (all its cost saved), "
        "else only each pool's avoidable share",
    )


class TimeEquation(BaseModel):
    """One pool costed by time (``cost_to_serve.time_equations:`` entries; TDABC).

    Without time equations every pool keeps its rate from its driver.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    pool: str = Field(description="the cost pool's activity, as in the cost pools file")
    event: str = Field(
        "invoices", description="what one event is: invoices, credit notes or an activity"
    )
    minutes: str = Field(
        description="minutes per event, e.g. 5 + 0.5 * lines + (10 if rush_order > 0 else 0)"
    )
    practical_capacity_minutes: float = Field(
        gt=0, description="minutes a year the pool's resources can really work"
    )

    @field_validator("minutes")
    @classmethod
    def _parses(cls, v: str) -> str:
        try:
            parse_minutes(v)
        except ExpressionError as exc:
            raise ValueError(str(exc)) from None
        return v


class CostToServeSettings(BaseModel):
    """Cost-to-serve settings of the engagement file (``cost_to_serve:``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    cost_of_capital: float = Field(0.08, ge=0, le=1, description="annual rate for financing cost")
    assumed_margin_pct: float = Field(
        25.0,
        ge=-100,
        le=100,
        description="gross margin assumed when invoices carry no cost of goods",
    )
    default_payment_terms_days: int = Field(
        30, ge=0, le=365, description="payment terms for customers whose terms are unknown"
    )
    default_avoidable_pct: float = Field(
        100.0, ge=0, le=100, description="avoidable share of a pool whose avoidable_pct is empty"
    )
    sensitivity_pct: float = Field(
        20.0, gt=0, lt=100, description="each rate moved up and down by this % to test verdicts"
    )
    monte_carlo_runs: int = Field(
        500, ge=0, le=100_000, description="simulations with all rates varied together (0 = none)"
    )
    seed: int = Field(
        42,
        ge=0,
        le=2**32 - 1,
        description="random seed of the Monte Carlo (same seed, same result)",
    )
    price_cut_pct: float | None = Field(
        None, description="Shapiro matrix: pocket margin % cut point; empty = median of customers"
    )
    cts_cut_pct: float | None = Field(
        None, description="Shapiro matrix: cost-to-serve % cut point; empty = median of customers"
    )
    abc_a_pct: float = Field(80.0, gt=0, lt=100, description="ABC: class A up to this cumulative %")
    abc_b_pct: float = Field(95.0, gt=0, le=100, description="ABC: class B up to this cumulative %")
    big_revenue_top_pct: float = Field(
        20.0, gt=0, le=100, description="big customers: the top % of customers by net revenue"
    )
    big_flags: tuple[str, ...] = Field(
        ("VIP",), description="client_flag values that make a customer big (case-insensitive)"
    )
    low_profit_quantile_pct: float = Field(
        25.0, ge=0, le=100, description="big-but-unprofitable: profit at or below this quantile"
    )
    sinking_lines_n: int = Field(
        3, ge=1, le=6, description="cost lines named for each big-but-unprofitable customer"
    )
    unallocated: Literal["refuse", "allow"] = Field(
        "refuse",
        description="refuse: a driver naming nothing or a pool without volume stops validate "
        "and run; allow: that cost stays unallocated, shown in red",
    )
    scenarios: ScenarioSettings = Field(
        default_factory=ScenarioSettings,
        description="action scenarios (reprice, reserve, exit) and their levers",
    )
    time_equations: tuple[TimeEquation, ...] = Field(
        (),
        description="pools costed by minutes per event (time-driven ABC), e.g. [{pool: order, "
        "event: invoices, minutes: '5 + 0.5 * lines', practical_capacity_minutes: 250000}]",
    )
    top_customers_n: int = Field(
        5, ge=0, le=50, description="customers given their own waterfall in the report"
    )

    @model_validator(mode="after")
    def _abc_ordered(self) -> CostToServeSettings:
        if self.abc_b_pct <= self.abc_a_pct:
            raise ValueError(
                f"abc_b_pct ({self.abc_b_pct}) must be above abc_a_pct ({self.abc_a_pct})"
            )
        return self
