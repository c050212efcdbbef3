"""Hostile and unusual exports: each is read, or refused in one sentence, and left unchanged.

A stray cell at XFD1048576, hidden sheets, a password-protected workbook, lines in two
encodings, whitespace-aligned text, exports without a header row: what clients really send.
The same cases through ``kamaudit validate`` are at the end.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from corpus import digest, write_text
from readcheck import fails_unchanged, read_unchanged

from kamaudit.config import InputSpec
from kamaudit.errors import ConfigError
from kamaudit.io import parse_dates

DATA = Path(__file__).parent / "data"


def _book(path: Path, sheets: dict[str, list[list]], hidden=(), far: dict | None = None) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
        if name in hidden:
            ws.sheet_state = "hidden"
        for ref, value in (far or {}).get(name, {}).items():
            ws[ref] = value
    wb.save(path)
    return path


CUSTOMERS = [["customer_id", "name"], ["C1", "Acme"], ["C2", "Beta"]]


# --- 1. workbooks read sparsely or refused ----------------------------------------------


def test_a_stray_cell_at_the_last_cell_is_named_and_the_table_read(tmp_path):
    path = _book(tmp_path / "c.xlsx", {"Data": CUSTOMERS}, far={"Data": {"XFD1048576": "x"}})
    raw = read_unchanged(path, "customers")
    assert raw.df["customer_id"].tolist() == ["C1", "C2"]
    (far,) = [n for n in raw.notes if n.get("key") == "far_cells"]
    assert far["severity"] == "warning"
    assert "XFD1048576" in far["problem"] and "A1:B3" in far["problem"]


def test_a_stray_cell_far_right_of_the_header_is_not_read(tmp_path):
    rows = [["customer_id", "name"]] + [[f"C{i}", f"Name {i}"] for i in range(200)]
    path = _book(tmp_path / "c.xlsx", {"Data": rows}, far={"Data": {"XFA2": "junk"}})
    raw = read_unchanged(path, "customers")
    assert list(raw.df.columns) == ["customer_id", "name"] and len(raw.df) == 200
    assert any(n.get("key") == "far_cells" and "XFA2" in n["value"] for n in raw.notes)


def test_cells_spread_thin_over_the_sheet_are_refused_with_the_farthest_named(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    for i in range(60):
        ws.cell(row=1 + i * 9000, column=1 + (i * 211) % 16000, value="x")
    path = tmp_path / "thin.xlsx"
    wb.save(path)
    msg = fails_unchanged(
        path, r'thin\.xlsx, sheet "Data": its 60 cells are spread over A1:', "customers"
    )
    assert "export the table as CSV" in msg


def test_a_declared_dimension_that_lies_does_not_decide(tmp_path):
    """The dimension element says A1:B3; the cells reach XFD1048576 anyway."""
    import zipfile

    src = _book(tmp_path / "src.xlsx", {"Data": CUSTOMERS}, far={"Data": {"XFD1048576": "x"}})
    path = tmp_path / "lying.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                data = data.replace(
                    b'<dimension ref="A1:XFD1048576"/>', b'<dimension ref="A1:B3"/>'
                )
            zout.writestr(item, data)
    raw = read_unchanged(path, "customers")
    assert raw.df["name"].tolist() == ["Acme", "Beta"]
    assert any(n.get("key") == "far_cells" for n in raw.notes)


# --- 5. hidden sheets, protected workbooks, mixed encodings -----------------------------


def test_a_hidden_first_sheet_is_skipped_and_said(tmp_path):
    path = _book(
        tmp_path / "h.xlsx",
        {"Old": [["customer_id", "name"], ["X9", "Stale Ltd"]], "Data": CUSTOMERS},
        hidden=("Old",),
    )
    raw = read_unchanged(path, "customers")
    assert raw.sheet == "Data" and raw.df["customer_id"].tolist() == ["C1", "C2"]
    assert any(n.get("key") == "hidden_sheets" and '"Old"' in n["problem"] for n in raw.notes)
    named = read_unchanged(path, "customers", sheet="Old")  # named in the engagement file: read
    assert named.df["customer_id"].tolist() == ["X9"]


def test_a_workbook_with_every_sheet_hidden_asks_for_the_sheet(tmp_path):
    import zipfile

    src = _book(tmp_path / "src.xlsx", {"A": CUSTOMERS, "B": CUSTOMERS}, hidden=("A",))
    path = tmp_path / "h.xlsx"  # openpyxl refuses to write it; some exporters do not
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/workbook.xml":
                data = data.replace(b'state="visible"', b'state="hidden"')
            zout.writestr(item, data)
    fails_unchanged(
        path, r'every sheet of h\.xlsx is hidden \("A", "B"\): name the one', "customers"
    )


def test_a_password_protected_workbook_is_called_protected(tmp_path):
    path = tmp_path / "locked.xlsx"
    shutil.copy(DATA / "protected.xlsx", path)  # encrypted with msoffcrypto-tool, password "secret"
    msg = fails_unchanged(path, r"locked\.xlsx is protected with a password", "customers")
    assert ".xls" not in msg.replace(".xlsx", "")


def test_an_old_xls_is_still_called_an_old_xls(tmp_path):
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    fails_unchanged(path, r"old Excel 97-2003 workbook", "customers")


def test_mixed_encodings_are_decoded_line_by_line_and_the_lines_named(tmp_path):
    path = tmp_path / "mixed.csv"
    utf8 = "customer_id;name;city\nC1;Nářadí Brno;Brno\nC2;Železářství;Ostrava\n".encode()
    cp1250 = "C3;Nářadí Plzeň;Plzeň\n".encode("cp1250")
    path.write_bytes(utf8 + cp1250 + b"C4;Acme;Praha\n")
    raw = read_unchanged(path, "customers")
    assert raw.df["name"].tolist() == ["Nářadí Brno", "Železářství", "Nářadí Plzeň", "Acme"]
    (mixed,) = [n for n in raw.notes if n.get("key") == "mixed_encoding"]
    assert mixed["params"] == {"n": 1, "lines": "4", "encoding": "cp1250"}
    assert mixed["severity"] == "warning"


def test_a_code_page_file_with_utf8_lines_keeps_both_readable(tmp_path):
    path = tmp_path / "mixed.csv"
    head = "customer_id;name\n" + "".join(f"C{i};Železářství {i}\n" for i in range(30))
    path.write_bytes(head.encode("cp1250") + "C99;Nářadí Plzeň\n".encode())
    raw = read_unchanged(path, "customers")
    assert raw.df["name"].iloc[-1] == "Nářadí Plzeň"
    assert raw.df["name"].iloc[0] == "Železářství 0"
    (mixed,) = [n for n in raw.notes if n.get("key") == "mixed_encoding"]
    assert mixed["params"]["encoding"] == "cp1250" and mixed["params"]["n"] == 30


# --- 6. reading as clients export ------------------------------------------------------

ALIGNED = (
    "INVOICE      CUSTOMER   DATE        AMOUNT\r\n"
    "000123       00042      20240105    1250.50\r\n"
    "000124       00042      20240106      99.00\r\n"
    "000125       00107      20240212    4300.00\r\n"
)
ALIGNED_MAP = {
    "INVOICE": "invoice_id",
    "CUSTOMER": "customer_id",
    "DATE": "invoice_date",
    "AMOUNT": "net_amount",
}


@pytest.mark.parametrize("delimiter", [None, "whitespace"])
def test_a_whitespace_aligned_export_reads_with_leading_zeros_and_yyyymmdd(tmp_path, delimiter):
    path = write_text(tmp_path / "export.txt", ALIGNED)
    raw = read_unchanged(path, delimiter=delimiter, columns=ALIGNED_MAP)
    assert raw.df["invoice_id"].tolist() == ["000123", "000124", "000125"]
    assert raw.df["customer_id"].tolist() == ["00042", "00042", "00107"]
    assert raw.option("delimiter") == "whitespace"
    assert raw.option("date_format") == "%Y%m%d"
    assert list(raw.rows) == [2, 3, 4]
    dates = parse_dates(raw.df["invoice_date"], raw.option("date_format"))
    assert str(dates.iloc[2].date()) == "2024-02-12"


def test_aligned_names_with_single_spaces_stay_one_value(tmp_path):
    text = (
        "customer_id   name              city\n"
        "C1            Acme Ltd          Brno\n"
        "C2            Beta and Sons     Nové Město\n"
        "C3            Gamma             Praha\n"
    )
    raw = read_unchanged(write_text(tmp_path / "c.txt", text), "customers", delimiter="whitespace")
    assert raw.df["name"].tolist() == ["Acme Ltd", "Beta and Sons", "Gamma"]
    assert raw.df["city"].tolist() == ["Brno", "Nové Město", "Praha"]


def test_an_export_without_a_header_row_reads_by_the_listed_columns(tmp_path):
    path = write_text(
        tmp_path / "noheader.csv", "20240105;00042;x;1250,50\n20240106;00043;y;99,00\n"
    )
    raw = read_unchanged(
        path, header_row="none", columns=["invoice_date", "customer_id", None, "net_amount"]
    )
    assert list(raw.df.columns) == ["invoice_date", "customer_id", "net_amount"]
    assert raw.df["customer_id"].tolist() == ["00042", "00043"]
    assert list(raw.rows) == [1, 2]  # every line is data: line 1 is the first row


def test_a_workbook_without_a_header_row_reads_by_the_listed_columns(tmp_path):
    path = _book(tmp_path / "n.xlsx", {"Data": [["C1", "Acme", 3], ["C2", "Beta", 4]]})
    raw = read_unchanged(
        path, "customers", header_row="none", columns=["customer_id", "name", None]
    )
    assert raw.df["name"].tolist() == ["Acme", "Beta"] and list(raw.rows) == [1, 2]


def test_listed_columns_that_do_not_fit_the_rows_are_one_sentence(tmp_path):
    path = write_text(tmp_path / "n.csv", "20240105;00042;1250,50\n")
    fails_unchanged(
        path,
        r"n\.csv: inputs\.invoices\.columns lists 2 columns in file order, but the rows hold 3 values",
        header_row="none",
        columns=["invoice_date", "customer_id"],
    )
    fails_unchanged(
        path,
        r'names "amount", which is not a column of invoices\. Did you mean',
        header_row="none",
        columns=["invoice_date", "customer_id", "amount"],
    )


def test_listed_columns_need_header_row_none_and_the_other_way_round(tmp_path):
    with pytest.raises(ValueError, match="header_row: none needs columns as a list"):
        InputSpec(path=tmp_path / "x.csv", header_row="none")
    with pytest.raises(ValueError, match="columns is a list .* only with header_row: none"):
        InputSpec(path=tmp_path / "x.csv", columns=["invoice_id"])
    with pytest.raises(ValueError, match='a delimiter is one character or "whitespace"'):
        InputSpec(path=tmp_path / "x.csv", delimiter="::")


# --- the same through `kamaudit validate` -----------------------------------------------


def _validate(folder: Path, inputs: str) -> subprocess.CompletedProcess:
    eng = folder / "engagement.yaml"
    eng.write_text(
        f"client: Hostile Co\nperiod: {{start: 2024-01-01, end: 2024-12-31}}\ninputs:\n{inputs}",
        encoding="utf-8",
    )
    return subprocess.run(
        [sys.executable, "-m", "kamaudit", "validate", str(eng)],
        capture_output=True,
        text=True,
        timeout=300,
    )


INVOICES = (
    "invoice_id,invoice_date,customer_id,net_amount\nA1,2024-01-02,C1,10\nA2,2024-02-03,C2,20\n"
)


def test_validate_reads_a_far_cell_workbook_and_names_the_cell(tmp_path):
    write_text(tmp_path / "inv.csv", INVOICES)
    book = _book(tmp_path / "cust.xlsx", {"Data": CUSTOMERS}, far={"Data": {"XFD1048576": "x"}})
    before = digest([book])
    out = _validate(tmp_path, "  invoices: inv.csv\n  customers: cust.xlsx\n")
    assert out.returncode == 0, out.stderr
    assert "XFD1048576" in out.stdout and "Traceback" not in out.stderr
    assert digest([book]) == before


def test_validate_refuses_a_protected_workbook_in_one_sentence(tmp_path):
    write_text(tmp_path / "inv.csv", INVOICES)
    shutil.copy(DATA / "protected.xlsx", tmp_path / "cust.xlsx")
    out = _validate(tmp_path, "  invoices: inv.csv\n  customers: cust.xlsx\n")
    assert out.returncode != 0
    assert "cust.xlsx is protected with a password" in out.stderr + out.stdout
    assert "Traceback" not in out.stderr


def test_validate_reads_an_export_without_invoice_numbers(tmp_path):
    write_text(
        tmp_path / "inv.txt",
        "20240105   C1   100.00\n20240105   C1    50.00\n20240107   C2    75.00\n",
    )
    out = _validate(
        tmp_path,
        "  invoices:\n    path: inv.txt\n    header_row: none\n"
        "    columns: [invoice_date, customer_id, net_amount]\n",
    )
    assert out.returncode == 0, out.stderr
    assert "one invoice per customer and day assumed (2 invoices)" in out.stdout


def test_config_error_is_a_sentence_for_listed_columns_without_header_row_none(tmp_path):
    from kamaudit.config import load_engagement

    write_text(tmp_path / "inv.csv", INVOICES)
    eng = tmp_path / "e.yaml"
    eng.write_text(
        "client: X\nperiod: {start: 2024-01-01, end: 2024-12-31}\n"
        "inputs:\n  invoices: {path: inv.csv, columns: [invoice_id]}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match="only with header_row: none"):
        load_engagement(eng)
