"""Stage 1, intake: raw client tables in, canonical tables and a quality report out.

(Skeleton: the intake issue fills this module.)
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class IntakeSettings(BaseModel):
    """Intake settings of the engagement file (``intake:``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
