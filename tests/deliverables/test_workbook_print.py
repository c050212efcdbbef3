"""The workbook prints: every sheet set up for A4, numbers stored as numbers, and the
sample's workbook in at most 60 pages when LibreOffice prints it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest
from openpyxl import load_workbook

from kamaudit.deliverables.pdf import pdf_pages
from kamaudit.deliverables.printing import MAX_PRINTED_ROWS, ROWS_PER_PAGE, name_column

WORKBOOK_PAGES_MAX = 60
_PLAIN_NUMBER = re.compile(r"\s*[-+]?\d+(?:[.,]\d+)?\s*")


def check_print_setup(ws) -> None:
    """One sheet's print setup, with a message naming the sheet."""
    setup = ws.page_setup
    assert str(setup.paperSize) == str(ws.PAPERSIZE_A4), ws.title
    assert setup.orientation in ("portrait", "landscape"), ws.title
    assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
    assert int(setup.fitToWidth) == 1, ws.title
    assert ws.print_area, f"{ws.title}: no print area"
    printed = int(re.findall(r"\d+", ws.print_area)[-1])
    assert int(setup.fitToHeight) >= max(1, printed // ROWS_PER_PAGE), ws.title
    # the table's last row (a chart's own data may sit below it, outside the print area)
    last = (
        max(int(re.findall(r"\d+", t.ref)[-1]) for t in ws.tables.values())
        if ws.tables
        else ws.max_row
    )
    if printed < last:  # a long table prints two pages and its header says so
        assert printed <= MAX_PRINTED_ROWS + 10, ws.title
        assert str(MAX_PRINTED_ROWS) in ws.oddHeader.right.text, ws.title
    assert "&P" in ws.oddFooter.right.text, ws.title
    if ws.tables:  # a data sheet: its header repeats and the panes hold it (and the name)
        (table,) = ws.tables.values()
        header_row = int(re.search(r"\d+", table.ref).group())
        assert ws.print_title_rows.replace("$", "") == f"{header_row}:{header_row}", ws.title
        assert ws.freeze_panes and int(re.search(r"\d+", ws.freeze_panes).group()) == (
            header_row + 1
        ), ws.title
        headers = [c.value for c in ws[header_row]]
        if ws.freeze_panes[0] != "A":
            frozen = ord(ws.freeze_panes[0]) - ord("A")
            assert frozen <= 4 and headers[frozen - 1], (ws.title, ws.freeze_panes)


def numbers_as_text(ws) -> list[str]:
    """Cells holding a plain number as text (what Excel marks with a green triangle)."""
    return [
        f"{ws.title}!{c.coordinate}={c.value!r}"
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str) and _PLAIN_NUMBER.fullmatch(c.value)
    ]


def test_name_column_is_found_among_the_first_columns():
    assert name_column(["customer_id", "name", "net_revenue"]) == 2
    assert name_column(["kam_name", "hours"]) == 1
    assert name_column(["a", "b", "c", "d", "name"]) is None


@pytest.mark.slow
def test_each_sample_sheet_prints_on_a4_and_stores_numbers(sample_run):
    path = next((sample_run / "deliverables").glob("*.xlsx"))
    wb = load_workbook(path)
    found = []
    for ws in wb.worksheets:
        check_print_setup(ws)
        if ws.tables:
            found += numbers_as_text(ws)
    assert found == []
    # the KPI sheet mixes counts and rates in one column: whole numbers show no decimals
    whole = [
        ws.title
        for ws in wb.worksheets
        for rng in ws.conditional_formatting
        for rule in rng.rules
        if rule.dxf is not None and rule.dxf.numFmt is not None and "MOD(" in rule.formula[0]
    ]
    assert whole, "no sheet shows whole numbers without decimals"


@pytest.mark.slow
def test_libreoffice_prints_the_sample_workbook_in_60_pages(sample_run, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        if os.environ.get("CI"):
            pytest.fail("soffice is missing: apt-get install -y libreoffice-calc")
        pytest.skip("LibreOffice is not installed (apt-get install -y libreoffice-calc)")
    path = next((sample_run / "deliverables").glob("*.xlsx"))
    proc = subprocess.run(
        [soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to",
         "pdf", "--outdir", str(tmp_path), str(path)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    pdf = tmp_path / (path.stem + ".pdf")
    assert 10 <= pdf_pages(pdf) <= WORKBOOK_PAGES_MAX, pdf_pages(pdf)
