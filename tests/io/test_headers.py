"""Header row and header mapping.

Each case asserts what was read (or what the message says) and that the input file's
bytes are unchanged afterwards.
"""

from __future__ import annotations

from corpus import write_text
from readcheck import fails_unchanged, read_unchanged


def test_header_row_given(tmp_path):
    text = (
        "junk line one\n\nx,y\ninvoice_id,invoice_date,customer_id,net_amount\nA1,2024-01-01,C1,5\n"
    )
    raw = read_unchanged(write_text(tmp_path / "inv.csv", text), header_row=4)
    assert raw.df["invoice_id"].tolist() == ["A1"] and raw.rows.tolist() == [5]


def test_header_mapping_is_case_and_space_insensitive(tmp_path):
    text = "Invoice ID;Invoice Date;  Customer_ID ;Net amount\nA1;2024-01-01;C1;5\n"
    raw = read_unchanged(write_text(tmp_path / "inv.csv", text))
    assert list(raw.df.columns) == ["invoice_id", "invoice_date", "customer_id", "net_amount"]
    assert raw.column_map["customer_id"] == "Customer_ID"


def test_header_row_past_the_end_names_the_file_or_sheet(tmp_path):
    import openpyxl

    path = write_text(tmp_path / "inv.csv", "invoice_id,customer_id\nA1,C1\n")
    fails_unchanged(
        path,
        r"inv\.csv: inputs\.invoices\.header_row is 9, but the file has only 2 lines\.",
        header_row=9,
    )
    wb = openpyxl.Workbook()
    wb.active.title = "Data"
    wb.active.append(["invoice_id", "customer_id"])
    wb.active.append(["A1", "C1"])
    wb.save(tmp_path / "inv.xlsx")
    fails_unchanged(
        tmp_path / "inv.xlsx",
        r'inv\.xlsx, sheet "Data": inputs\.invoices\.header_row is 9, but the sheet has only '
        r"2 rows\.",
        header_row=9,
    )
