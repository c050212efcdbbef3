"""Stage 3, key-account profile: weighted criteria, portfolio, relationship, selection.

(Skeleton: the key-account profile issue fills this module.)
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ProfileSettings(BaseModel):
    """Key-account profile settings of the engagement file (``profile:``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_share_pct: float = Field(20.0, gt=0, le=100, description="key accounts as % of active customers")
    deep_plan_n: int = Field(6, ge=0, description="accounts with a deep plan per year")
