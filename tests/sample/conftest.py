"""One small sample company shared by the sample tests."""

from __future__ import annotations

import pandas as pd
import pytest

from kamaudit.sample import SampleInfo, generate_sample

from .checks import SMALL, read


@pytest.fixture(scope="session")
def small(tmp_path_factory) -> SampleInfo:
    return generate_sample(tmp_path_factory.mktemp("small"), seed=11, **SMALL)


@pytest.fixture(scope="session")
def small_tables(small) -> dict[str, pd.DataFrame]:
    return read(small)
