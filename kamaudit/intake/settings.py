"""Intake settings of the engagement file (``intake:``)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


class ExcludedCustomer(BaseModel):
    """A customer account that is not a customer relationship: left out with its reason."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    customer_id: str = Field(min_length=1, description="the id as in the invoices")
    reason: str = Field(
        min_length=1, description="why it is left out, e.g. intercompany, cash sale, staff"
    )

    @field_validator("customer_id", mode="before")
    @classmethod
    def _text(cls, v):
        return str(v).strip() if v is not None else v


class IntakeSettings(BaseModel):
    """Intake settings of the engagement file (``intake:``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    drop_outside_period: bool = Field(
        True, description="drop invoice lines and activities dated outside the engagement period"
    )
    max_invalid_share: float = Field(
        0.05,
        ge=0,
        le=1,
        description="share of filled values in a column that may fail to read before the run stops "
        "(a larger share means a reading option is wrong, e.g. the decimal separator)",
    )
    dayfirst: bool = Field(
        True, description="read ambiguous dates such as 03/04/2024 day-first (3 April)"
    )
    duplicate_customers: Literal["keep_first", "fail"] = Field(
        "keep_first",
        description="a customer id listed twice in the customer master: keep the first row, or stop",
    )
    drop_duplicate_lines: bool = Field(
        False, description="drop invoice lines identical in every column to an earlier line"
    )
    outlier_rule: Literal["log_iqr", "iqr", "none"] = Field(
        "log_iqr",
        description="flag amounts, quantities and prices far above the typical line: log_iqr = above "
        "Q3 + k × IQR of log10 of absolute values (suits skewed money data), iqr = the same on the "
        "values themselves; flagged lines are kept",
    )
    outlier_k: float = Field(3.0, gt=0, description="k of the outlier rule")
    max_issues_per_problem: int = Field(
        1000, ge=10, description="rows listed per kind of problem and column; the rest are counted"
    )
    base_window_months: int = Field(
        12,
        ge=1,
        description="months at each end of the period compared to count new and lost customers",
    )
    currency_rates: dict[str, float] = Field(
        default_factory=dict,
        description="with several currencies in invoices.currency: the rate of each to the "
        "engagement's currency (the engagement's own at 1), e.g. {USD: 0.92, EUR: 1}",
    )
    vat_included_pct: float | None = Field(
        None,
        ge=0,
        le=100,
        description="the export's sales amounts include VAT at this rate: it is taken out "
        "(none = amounts are net of VAT)",
    )
    exclude_customers: list[ExcludedCustomer] = Field(
        default_factory=list,
        description="customers left out of the analysis (intercompany, cash sale, staff), each "
        "with a reason; their lines are counted and reconciled apart",
    )
