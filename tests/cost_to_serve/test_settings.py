"""The ``cost_to_serve:`` settings."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from kamaudit.cost_to_serve import CostToServeSettings


def test_settings_validate_abc_order():
    with pytest.raises(ValidationError, match="abc_b_pct .* must be above abc_a_pct"):
        CostToServeSettings(abc_a_pct=90, abc_b_pct=80)


def test_settings_refuse_unknown_keys():
    with pytest.raises(ValidationError, match="cost_of_capita"):
        CostToServeSettings(cost_of_capita=0.1)
