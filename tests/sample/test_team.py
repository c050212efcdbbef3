"""The roster is sized from the key-account list: enough KAMs, or on purpose too few."""

from __future__ import annotations

import numpy as np
import pytest

from kamaudit.sample.profiles import INDUSTRIES
from kamaudit.sample.team import KAM_CAP, expected_key_accounts, kams_needed, shortfall_margin


@pytest.mark.parametrize("industry", INDUSTRIES)
@pytest.mark.parametrize("n_customers", [60, 84, 120, 199, 300, 420, 5000])
def test_slots_fit_the_list_or_fall_short_by_the_margin(industry, n_customers):
    cap = KAM_CAP[industry]
    key_n = expected_key_accounts(n_customers)
    assert kams_needed(key_n, cap) * cap >= key_n  # every KAM at its least cap still fits
    short = kams_needed(key_n, cap, understaffed=True)
    assert 1 <= short < kams_needed(key_n, cap)
    assert short * cap <= key_n - shortfall_margin(key_n)


def test_the_roster_grows_with_the_list():
    sizes = [kams_needed(expected_key_accounts(n), 6) for n in (60, 120, 300)]
    assert sizes == sorted(sizes) and sizes[0] < sizes[-1]
    assert np.all(np.diff([expected_key_accounts(n) for n in (60, 120, 300, 900)]) >= 0)
