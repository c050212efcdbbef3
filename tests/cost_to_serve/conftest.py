from __future__ import annotations

import pytest

from .frames import small_tables


@pytest.fixture
def small():
    """Three customers a reader can follow by hand (see ``frames.small_tables``)."""
    return small_tables()
