"""Encodings and delimiters: detected from the bytes, or given and checked.

Each case asserts what was read (or what the message says) and that the input file's
bytes are unchanged afterwards.
"""

from __future__ import annotations

import pytest
from corpus import write_text
from readcheck import fails_unchanged, read_unchanged

from kamaudit.io.encodings import detect_encoding


@pytest.mark.parametrize(
    "encoding, name, expected_encoding",
    [
        ("utf-8", "Dvořák a syn s.r.o.", "utf-8"),
        ("utf-8-sig", "Ромашка ООО", "utf-8-sig"),
        ("cp1250", "Dvořák a syn, Žďár nad Sázavou", "cp1250"),
        ("cp1251", "Ромашка ООО, Москва", "cp1251"),
        ("latin-1", "Müller & Söhne, Café Français", "latin-1"),
        ("utf-16", "Kowalski Sp. z o.o. Łódź", "utf-16"),
    ],
)
def test_encodings_are_detected(tmp_path, encoding, name, expected_encoding):
    text = f"customer_id;name\n0042;{name}\n0043;{name} II\n"
    path = write_text(tmp_path / "customers.csv", text, encoding)
    raw = read_unchanged(path, "customers")
    assert raw.option("encoding") == expected_encoding
    assert raw.df["name"].tolist() == [name, f"{name} II"]
    assert raw.df["customer_id"].tolist() == ["0042", "0043"]


def test_detect_encoding_prefers_cp1250_for_czech_and_cp1251_for_russian():
    assert detect_encoding("Příliš žluťoučký kůň úpěl ďábelské ódy".encode("cp1250"))[0] == "cp1250"
    assert detect_encoding("Итого по документу: сумма".encode("cp1251"))[0] == "cp1251"
    assert detect_encoding("Straße, Ärger, Größe, crème brûlée".encode("latin-1"))[0] == "latin-1"


@pytest.mark.parametrize(
    "text, encoding",
    [
        ("Dvořák s.r.o.", "cp1250"),
        ("Łódź Sp. z o.o.", "cp1250"),
        ("Žilina, Ľubomír", "cp1250"),
        ("Crème brûlée à la carte", "latin-1"),
        ("Øresund Å", "latin-1"),
        ("Итого", "cp1251"),
    ],
)
def test_short_texts_decode_correctly(text, encoding):
    data = text.encode(encoding)
    assert data.decode(detect_encoding(data)[0]) == text


def test_given_encoding_wins_and_an_unknown_one_is_named(tmp_path):
    path = write_text(tmp_path / "c.csv", "customer_id;name\n1;Ромашка\n", "cp1251")
    assert read_unchanged(path, "customers", encoding="cp1251").df["name"].iloc[0] == "Ромашка"
    fails_unchanged(path, r'encoding "klingon" is unknown', "customers", encoding="klingon")


@pytest.mark.parametrize("delim", [";", ",", "\t", "|"])
def test_delimiters_are_sniffed(tmp_path, delim):
    rows = [
        ["invoice_id", "invoice_date", "customer_id", "net_amount"],
        ["A1", "2024-01-05", "0042", "10.5"],
        ["A2", "2024-01-06", "0043", "20"],
    ]
    path = write_text(tmp_path / "inv.csv", "\n".join(delim.join(r) for r in rows) + "\n")
    raw = read_unchanged(path)
    assert raw.option("delimiter") == delim
    assert list(raw.df.columns) == rows[0]
