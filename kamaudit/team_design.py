"""Stage 4, team design: workload, headcount, assignment, contact plan, KPIs.

(Skeleton: the team design issue fills this module.)
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class TeamSettings(BaseModel):
    """Team design settings of the engagement file (``team:``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_accounts_per_kam: int = Field(5, ge=1, description="cap when the roster gives none")
