"""The entry point: missing, empty, binary and old-Excel files named; inputs opened read-only;
paths relative to the engagement.

Each case asserts what was read (or what the message says) and that the input file's
bytes are unchanged afterwards.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import openpyxl
import pytest
from corpus import engagement, write_text
from readcheck import HEADER, fails_unchanged, read_unchanged, spec

from kamaudit.errors import InputError
from kamaudit.io import read_input


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
