"""Numbers written as text: separators detected, accounting, SAP and Persian forms parsed.

Each case asserts what was read (or what the message says) and that the input file's
bytes are unchanged afterwards.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from corpus import write_text
from readcheck import HEADER, read_unchanged

from kamaudit.io import detect_number_format, parse_numbers


@pytest.mark.parametrize(
    "values, decimal, thousands, expected",
    [
        (["1 200,50", "15,05", "-300,00"], ",", " ", [1200.5, 15.05, -300.0]),
        (
            ["1\u00a0200,50", "1\u00a0234\u00a0567,89", "0,01"],
            ",",
            "\u00a0",
            [1200.5, 1234567.89, 0.01],
        ),
        (["1.200,50", "1.234.567,89", "7,10"], ",", ".", [1200.5, 1234567.89, 7.1]),
        (["1,200.50", "1,234,567.89", "7.10"], ".", ",", [1200.5, 1234567.89, 7.1]),
        (["1'200.50", "1'234'567.89", "7.10"], ".", "'", [1200.5, 1234567.89, 7.1]),
        (["1200.50", "-15.05", "3"], ".", "", [1200.5, -15.05, 3.0]),
    ],
)
def test_number_formats_are_detected_and_parsed(tmp_path, values, decimal, thousands, expected):
    lines = [HEADER] + [f"A{i};2024-01-0{i + 1};C{i};{v}" for i, v in enumerate(values)]
    path = write_text(tmp_path / "inv.csv", "\n".join(lines) + "\n")
    raw = read_unchanged(path)
    assert raw.option("decimal") == decimal
    assert raw.option("thousands") == thousands
    got = parse_numbers(raw.df["net_amount"], raw.option("decimal"), raw.option("thousands"))
    np.testing.assert_allclose(got, expected)


def test_accounting_and_sap_negatives():
    s = pd.Series(["(1 200,00)", "300,50-", "+7,00", "x"], dtype="str")
    got = parse_numbers(s, ",", " ")
    assert got.iloc[:3].tolist() == [-1200.0, -300.5, 7.0]
    assert np.isnan(got.iloc[3])


def test_detect_number_format_assumes_from_delimiter_without_decimals():
    found = detect_number_format(pd.Series(["12", "40"], dtype="str"), ";")
    assert found["decimal"] == "," and "assumed" in found["why"]


def test_persian_digits_and_separators():
    got = parse_numbers(pd.Series(["۱٬۲۰۰٫۵۰", "٣٤", "7"], dtype="str"), ".", ",")
    assert got.tolist() == [1200.5, 34.0, 7.0]
