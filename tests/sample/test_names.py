"""Customer names: tricky ones survive the CSV, every name is unique."""

from __future__ import annotations


def test_tricky_names_survive_the_csv(small_tables):
    names = set(small_tables["customers"]["name"])
    for expected in (
        "@Home Interiors Kft.",
        "Łódzka Hurtownia Śrub Sp. z o.o.",
        "O'Neill & Söhne GmbH",
        "=SUM Trading GmbH",
        'Kowalski, Nowak i "Wspólnicy" Sp. z o.o.',
    ):
        assert expected in names
    assert small_tables["customers"]["name"].is_unique
