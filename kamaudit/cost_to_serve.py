"""Stage 2, cost-to-serve: activity-based customer P&L.

(Skeleton: the cost-to-serve issue fills this module.)
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class CostToServeSettings(BaseModel):
    """Cost-to-serve settings of the engagement file (``cost_to_serve:``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    cost_of_capital: float = Field(0.08, ge=0, le=1, description="annual rate for financing cost")
    assumed_margin_pct: float = Field(
        25.0, ge=-100, le=100, description="gross margin assumed when invoices carry no cost of goods"
    )
