"""After reading: title rows skipped, total rows dropped in many languages, empty rows and columns
gone.

Each case asserts what was read (or what the message says) and that the input file's
bytes are unchanged afterwards.
"""

from __future__ import annotations

import pytest
from corpus import write_text
from readcheck import HEADER, read_unchanged


def test_title_rows_total_row_and_trailing_empties(tmp_path):
    text = (
        "Реестр документов;;;;;\nза 2024 год;;;;;\n"
        "Номер;Дата;Контрагент;Сумма;;\n"
        "1;01.02.2024;0042;1 200,50;;\n"
        ";;;;;\n"
        "2;15.03.2024;0043;-300,00;;\n"
        "Итого;;;900,50;;\n;;;;;\n\n"
    )
    path = write_text(tmp_path / "r.csv", text, "cp1251")
    raw = read_unchanged(
        path,
        columns={
            "Номер": "invoice_id",
            "Дата": "invoice_date",
            "Контрагент": "customer_id",
            "Сумма": "net_amount",
        },
    )
    assert raw.option("header_row") == 3
    assert list(raw.df.columns) == ["invoice_id", "invoice_date", "customer_id", "net_amount"]
    assert raw.rows.tolist() == [4, 6]
    assert raw.option("total_rows") == 1
    assert any(n["row"] == 7 and "total row" in n["problem"] for n in raw.notes)


@pytest.mark.parametrize(
    "word",
    ["Total", "Grand total:", "Итого", "Всего", "Celkem", "Razem", "Suma", "Summe", "جمع کل"],
)
def test_total_rows_in_many_languages(tmp_path, word):
    text = f"{HEADER}\nA1;2024-01-01;C1;10\nA2;2024-01-02;C2;20\n{word};;;30\n"
    path = write_text(tmp_path / "inv.csv", text)
    raw = read_unchanged(path)
    assert raw.df["invoice_id"].tolist() == ["A1", "A2"]


def test_a_customer_named_total_is_not_a_total_row(tmp_path):
    text = "customer_id,name\nC1,Acme\nTotal Energies,Total Energies SE\n"
    raw = read_unchanged(write_text(tmp_path / "c.csv", text), "customers")
    assert len(raw.df) == 2
