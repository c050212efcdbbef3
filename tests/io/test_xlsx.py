"""Workbooks: sheets by name or number, title blocks, text cells, broken files, and calamine and
openpyxl reading the same.

Each case asserts what was read (or what the message says) and that the input file's
bytes are unchanged afterwards.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from corpus import digest
from readcheck import fails_unchanged, read_unchanged

from kamaudit.io import parse_dates, parse_numbers, read_input


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


def test_corrupt_workbook_inside_a_valid_zip(tmp_path):
    import zipfile

    path = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<bad")
        z.writestr("xl/workbook.xml", "<<<")
    fails_unchanged(
        path, r"broken\.xlsx (could not be read as a table|is not a readable Excel workbook)"
    )


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
    import kamaudit.io.xlsx
    from kamaudit.config import Engagement
    from kamaudit.intake import read_and_check

    monkeypatch.setattr(kamaudit.io.xlsx, "XLSX_ENGINE", engine)
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
    raw = read_input("invoices", eng.inputs["invoices"])
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
        pd.testing.assert_frame_equal(res_c.canonical[table], res_o.canonical[table])
    inv = res_c.canonical["invoices"]
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
