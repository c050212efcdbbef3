"""CSV exports: quoted values, blank lines, ragged rows and unclosed quotes keep the client's line
numbers or name them.

Each case asserts what was read (or what the message says) and that the input file's
bytes are unchanged afterwards.
"""

from __future__ import annotations

from corpus import write_text
from readcheck import HEADER, fails_unchanged, read_unchanged


def test_quoted_commas_and_newlines_keep_row_numbers(tmp_path):
    text = 'invoice_id,customer_id,name\n1,0042,"Acme, Ltd"\n2,0043,"two\nlines"\n3,0044,plain\n'
    path = write_text(tmp_path / "c.csv", text)
    raw = read_unchanged(path, "customers")
    assert raw.df["name"].tolist() == ["Acme, Ltd", "two\nlines", "plain"]
    assert raw.rows.tolist() == [2, 3, 5]  # the editor's line numbers


def test_blank_lines_only(tmp_path):
    fails_unchanged(write_text(tmp_path / "inv.csv", "\n\n   \n"), r"holds no data")


def test_ragged_rows_name_the_line_and_delimiter(tmp_path):
    text = "invoice_id;customer_id\nA1;C1\nA2;C2;extra;more\n"
    fails_unchanged(
        write_text(tmp_path / "inv.csv", text), r"inv\.csv, row 3: 4 values where the header"
    )


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


def test_unclosed_quote_names_the_row(tmp_path):
    text = HEADER + '\nA1;2024-01-01;C1;5\n"A2;2024-01-02;C2;6\nA3;2024-01-03;C3;7\n'
    fails_unchanged(
        write_text(tmp_path / "inv.csv", text),
        r"inv\.csv, row 3: a quote \(\"\) opens a text value that never closes",
    )
