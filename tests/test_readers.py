"""Reading exports as clients send them: encodings, delimiters, number and date formats,
title and total rows, workbooks, and every way a file can be unreadable.

Each case asserts what was read (or what the message says) and that the input file's
bytes are unchanged afterwards.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from corpus import digest, engagement, write_text

from kamaudit.config import InputSpec
from kamaudit.errors import InputError
from kamaudit.readers import (
    detect_date_format,
    detect_encoding,
    detect_number_format,
    parse_dates,
    parse_numbers,
    read_input,
)

HEADER = "invoice_id;invoice_date;customer_id;net_amount"


def spec(path: Path, **kw) -> InputSpec:
    return InputSpec(path=path, **kw)


def read_unchanged(path: Path, table: str = "invoices", **kw):
    """read_input, asserting the file is byte-for-byte unchanged afterwards."""
    before = digest([path])
    try:
        return read_input(table, spec(path, **kw))
    finally:
        assert digest([path]) == before


def fails_unchanged(path: Path, match: str, table: str = "invoices", **kw) -> str:
    before = digest([path])
    with pytest.raises(InputError, match=match) as err:
        read_input(table, spec(path, **kw))
    assert digest([path]) == before
    return str(err.value)


# ---------------------------------------------------------------- encodings


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


# ---------------------------------------------------------------- delimiters


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


def test_quoted_commas_and_newlines_keep_row_numbers(tmp_path):
    text = 'invoice_id,customer_id,name\n1,0042,"Acme, Ltd"\n2,0043,"two\nlines"\n3,0044,plain\n'
    path = write_text(tmp_path / "c.csv", text)
    raw = read_unchanged(path, "customers")
    assert raw.df["name"].tolist() == ["Acme, Ltd", "two\nlines", "plain"]
    assert raw.rows.tolist() == [2, 3, 5]  # the editor's line numbers


# ---------------------------------------------------------------- numbers


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


# ---------------------------------------------------------------- dates


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


# ---------------------------------------------------------------- title, total, empty rows


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


def test_header_row_given(tmp_path):
    text = (
        "junk line one\n\nx,y\ninvoice_id,invoice_date,customer_id,net_amount\nA1,2024-01-01,C1,5\n"
    )
    raw = read_unchanged(write_text(tmp_path / "inv.csv", text), header_row=4)
    assert raw.df["invoice_id"].tolist() == ["A1"] and raw.rows.tolist() == [5]


# ---------------------------------------------------------------- unreadable files


def test_missing_file_names_path_key_and_neighbour(tmp_path):
    write_text(tmp_path / "invoices_2024.csv", HEADER + "\n")
    with pytest.raises(
        InputError,
        match=r"invoices_2025\.csv does not exist\. Check inputs\.invoices\.path.*"
        r'Did you mean "invoices_2024\.csv"\?',
    ):
        read_input("invoices", spec(tmp_path / "invoices_2025.csv"))


def test_zero_byte_file(tmp_path):
    path = tmp_path / "inv.csv"
    path.write_bytes(b"")
    fails_unchanged(path, r"inv\.csv is empty \(0 bytes\)")


def test_blank_lines_only(tmp_path):
    fails_unchanged(write_text(tmp_path / "inv.csv", "\n\n   \n"), r"holds no data")


def test_binary_garbage_named_csv(tmp_path):
    path = tmp_path / "inv.csv"
    path.write_bytes(bytes(np.random.default_rng(1).integers(0, 256, 4096, dtype=np.uint8)))
    fails_unchanged(path, r"inv\.csv is not a text table \(it holds binary data\)")


def test_old_xls_asks_to_resave(tmp_path):
    path = tmp_path / "faktury.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    fails_unchanged(path, r"faktury\.xls is an old Excel 97-2003 workbook.*save it as \.xlsx")


def test_xlsx_named_csv_is_read_as_workbook(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(["invoice_id", "invoice_date", "customer_id", "net_amount"])
    wb.active.append(["A1", dt.datetime(2024, 1, 2), "0042", 10.5])
    path = tmp_path / "inv.csv"
    wb.save(path)
    raw = read_unchanged(path)
    assert raw.df["customer_id"].tolist() == ["0042"]
    assert any("Excel workbook" in n["problem"] for n in raw.notes)


def test_ragged_rows_name_the_line_and_delimiter(tmp_path):
    text = "invoice_id;customer_id\nA1;C1\nA2;C2;extra;more\n"
    fails_unchanged(
        write_text(tmp_path / "inv.csv", text), r"inv\.csv, row 3: 4 values where the header"
    )


# ---------------------------------------------------------------- workbooks


def _workbook(path: Path, sheets: dict[str, list[list]]) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
    wb.save(path)
    return path


def test_missing_sheet_lists_the_sheets(tmp_path):
    path = _workbook(tmp_path / "f.xlsx", {"Data": [["a"]], "Souhrn": [["b"]]})
    fails_unchanged(
        path,
        r'f\.xlsx has no sheet "Date"; its sheets are: "Data", "Souhrn"\. Did you mean "Data"\?',
        sheet="Date",
    )
    fails_unchanged(path, r'no sheet number 5 \(0-based\); it has 2: 0 "Data", 1 "Souhrn"', sheet=5)


def test_sheet_by_index_and_title_block(tmp_path):
    path = _workbook(
        tmp_path / "f.xlsx",
        {
            "Cover": [["nothing here"]],
            "Data": [
                ["Kniha faktur"],
                [],
                ["Doklad", "Datum", "IČO", "Částka"],
                ["F1", dt.datetime(2024, 3, 1), 42, 1200.5],
                ["F2", dt.datetime(2024, 3, 2), "0043", -5],
            ],
        },
    )
    raw = read_unchanged(
        path,
        sheet=1,
        columns={
            "Doklad": "invoice_id",
            "Datum": "invoice_date",
            "IČO": "customer_id",
            "Částka": "net_amount",
        },
    )
    assert raw.sheet == "Data" and raw.option("header_row") == 3
    assert raw.rows.tolist() == [4, 5]
    assert raw.column_map["customer_id"] == "IČO"


def test_empty_xlsx(tmp_path):
    path = _workbook(tmp_path / "empty.xlsx", {"Sheet1": []})
    fails_unchanged(path, r'empty\.xlsx, sheet "Sheet1" is empty')


def test_corrupt_xlsx(tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not really a zip")
    fails_unchanged(path, r"broken\.xlsx is not a readable Excel workbook")


def test_header_mapping_is_case_and_space_insensitive(tmp_path):
    text = "Invoice ID;Invoice Date;  Customer_ID ;Net amount\nA1;2024-01-01;C1;5\n"
    raw = read_unchanged(write_text(tmp_path / "inv.csv", text))
    assert list(raw.df.columns) == ["invoice_id", "invoice_date", "customer_id", "net_amount"]
    assert raw.column_map["customer_id"] == "Customer_ID"


def test_inputs_are_opened_read_only(tmp_path, monkeypatch):
    import builtins

    path = write_text(tmp_path / "inv.csv", HEADER + "\nA1;2024-01-01;C1;5\n")
    real_open = builtins.open
    modes = []

    def spy(file, mode="r", *a, **k):
        if str(file) == str(path):
            modes.append(mode)
        return real_open(file, mode, *a, **k)

    monkeypatch.setattr(builtins, "open", spy)
    read_input("invoices", spec(path))
    assert modes and all("w" not in m and "a" not in m and "+" not in m for m in modes)


def test_engagement_paths_are_relative_to_the_engagement(tmp_path):
    write_text(tmp_path / "exports" / "inv.csv", HEADER + "\nA1;2024-01-01;C1;5\n")
    eng = engagement(tmp_path, {"invoices": "exports/inv.csv"})
    assert read_input("invoices", eng.inputs["invoices"]).df["invoice_id"].tolist() == ["A1"]


def test_blank_lines_inside_the_table_keep_row_numbers(tmp_path):
    text = HEADER + "\nA1;2024-01-01;C1;5\n\nA2;2024-01-02;C2;6\n\n\n"
    raw = read_unchanged(write_text(tmp_path / "inv.csv", text))
    assert raw.df["invoice_id"].tolist() == ["A1", "A2"]
    assert raw.rows.tolist() == [2, 4]


def test_fast_reader_is_used_for_regular_files(tmp_path):
    raw = read_unchanged(write_text(tmp_path / "inv.csv", HEADER + "\nA1;2024-01-01;C1;5\n"))
    assert raw.option("parser") == "pyarrow"


def test_trailing_delimiters_on_data_rows_are_ignored(tmp_path):
    text = "invoice_id;customer_id\nA1;C1;\nA2;C2;;\n"
    raw = read_unchanged(write_text(tmp_path / "inv.csv", text))
    assert list(raw.df.columns) == ["invoice_id", "customer_id"] and raw.rows.tolist() == [2, 3]


def test_workbook_with_numbers_and_dates_written_as_text(tmp_path):
    path = _workbook(
        tmp_path / "cz.xlsx",
        {
            "Data": [
                ["Doklad", "Datum", "IČO", "Částka"],
                ["F1", "31.01.2024", "00042", "1 200,50"],
                ["F2", dt.datetime(2024, 2, 1), "00043", 99.5],
            ]
        },
    )
    raw = read_unchanged(
        path,
        columns={
            "Doklad": "invoice_id",
            "Datum": "invoice_date",
            "IČO": "customer_id",
            "Částka": "net_amount",
        },
    )
    assert raw.option("decimal") == "," and raw.option("thousands") == " "
    assert parse_numbers(raw.df["net_amount"], ",", " ").tolist() == [1200.5, 99.5]
    got = parse_dates(raw.df["invoice_date"], raw.option("date_format"))
    assert got.dt.strftime("%Y-%m-%d").tolist() == ["2024-01-31", "2024-02-01"]


def test_persian_digits_and_separators():
    got = parse_numbers(pd.Series(["۱٬۲۰۰٫۵۰", "٣٤", "7"], dtype="str"), ".", ",")
    assert got.tolist() == [1200.5, 34.0, 7.0]


def test_unclosed_quote_names_the_row(tmp_path):
    text = HEADER + '\nA1;2024-01-01;C1;5\n"A2;2024-01-02;C2;6\nA3;2024-01-03;C3;7\n'
    fails_unchanged(
        write_text(tmp_path / "inv.csv", text),
        r"inv\.csv, row 3: a quote \(\"\) opens a text value that never closes",
    )


def test_corrupt_workbook_inside_a_valid_zip(tmp_path):
    import zipfile

    path = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<bad")
        z.writestr("xl/workbook.xml", "<<<")
    fails_unchanged(
        path, r"broken\.xlsx (could not be read as a table|is not a readable Excel workbook)"
    )


# ---------------------------------------------------------------- xlsx engines


def _retail_like(path: Path) -> Path:
    """A sheet with a blank first row and column, a title row, a total row, mixed cells."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    ws["B2"] = "Online retail export"
    rows = [
        ["InvoiceNo", "InvoiceDate", "CustomerID", "Quantity", "UnitPrice", "Description"],
        [536365, dt.datetime(2024, 12, 1, 8, 26), 17850.0, 6, 2.55, "WHITE HANGING HEART"],
        ["C536379", dt.datetime(2024, 12, 1, 9, 41), 14527.0, -1, 27.5, "Discount"],
        [536380, dt.date(2024, 12, 1), None, 24, 0.55, "  "],
        [536381, "2024-12-02", "0042", "12", "1,25", "=SUM(A1)"],
        [536382, 45628, 42, 3, 1.5, None],
        ["Total", None, None, 44, None, None],
    ]
    for i, r in enumerate(rows):
        for j, v in enumerate(r):
            if v is not None:
                ws.cell(row=4 + i, column=2 + j, value=v)
    wb.save(path)
    return path


def _intake_with(engine: str, path: Path, monkeypatch):
    import kamaudit.readers as readers
    from kamaudit.config import Engagement
    from kamaudit.intake import read_and_check

    monkeypatch.setattr(readers, "XLSX_ENGINE", engine)
    eng = Engagement.model_validate(
        {
            "client": "T",
            "period": {"start": "2024-01-01", "end": "2024-12-31"},
            "inputs": {
                "invoices": {
                    "path": str(path),
                    "columns": {
                        "InvoiceNo": "invoice_id",
                        "InvoiceDate": "invoice_date",
                        "CustomerID": "customer_id",
                        "Quantity": "quantity",
                        "UnitPrice": "unit_price",
                        "Description": "product_category",
                    },
                }
            },
        }
    )
    raw = readers.read_input("invoices", eng.inputs["invoices"])
    return raw, read_and_check(eng)


def test_calamine_and_openpyxl_read_the_same(tmp_path, monkeypatch):
    pytest.importorskip("python_calamine")
    path = _retail_like(tmp_path / "retail.xlsx")
    before = digest([path])
    raw_c, res_c = _intake_with("calamine", path, monkeypatch)
    raw_o, res_o = _intake_with("openpyxl", path, monkeypatch)
    assert digest([path]) == before
    assert raw_c.option("engine") == "calamine" and raw_o.option("engine") == "openpyxl"
    # row numbers as Excel shows them: header on row 4, the total row (10) dropped
    assert raw_c.option("header_row") == raw_o.option("header_row") == 4
    assert raw_c.rows.tolist() == raw_o.rows.tolist() == [5, 6, 7, 8, 9]
    for table in ("invoices", "customers"):
        pd.testing.assert_frame_equal(res_c.tables[table], res_o.tables[table])
    inv = res_c.tables["invoices"]
    assert inv["customer_id"].tolist() == ["17850", "14527", "0042", "42"]
    assert inv["invoice_id"].tolist() == ["536365", "C536379", "536381", "536382"]
    assert inv["invoice_date"].dt.strftime("%Y-%m-%d").tolist() == [
        "2024-12-01",
        "2024-12-01",
        "2024-12-02",
        "2024-12-02",
    ]
    cols = ["row", "column", "problem", "action", "severity"]
    pd.testing.assert_frame_equal(
        res_c.issues[cols].reset_index(drop=True), res_o.issues[cols].reset_index(drop=True)
    )


def test_without_calamine_openpyxl_reads(tmp_path, monkeypatch):
    import sys

    path = _retail_like(tmp_path / "retail.xlsx")
    monkeypatch.setitem(sys.modules, "python_calamine", None)  # import fails
    raw = read_unchanged(path)
    assert raw.option("engine") == "openpyxl"
    assert raw.rows.tolist() == [5, 6, 7, 8, 9]


def test_calamine_errors_fall_back_to_openpyxl_messages(tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    fails_unchanged(
        path, r"broken\.xlsx (could not be read as a table|is not a readable Excel workbook)"
    )
