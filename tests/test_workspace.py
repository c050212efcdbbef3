"""The workspace: atomic, deterministic writes; dates come back as datetimes."""

from __future__ import annotations

import stat

import pandas as pd
import pytest

from kamaudit.workspace import Workspace, atomic_path, write_text_atomic


def test_tables_round_trip_with_dates_and_text_ids(tmp_path):
    ws = Workspace(tmp_path).ensure()
    df = pd.DataFrame(
        {
            "invoice_id": ["A1", "A2"],
            "customer_id": ["0042", "17850"],
            "invoice_date": pd.to_datetime(["2024-01-02", "2024-02-03"]),
            "net_amount": [10.5, -2.25],
        }
    )
    ws.write_table("invoices", df)
    back = ws.read_table("invoices")
    assert back["customer_id"].tolist() == ["0042", "17850"]
    assert pd.api.types.is_datetime64_any_dtype(back["invoice_date"])
    assert back["net_amount"].tolist() == [10.5, -2.25]
    assert ws.tables() == ["invoices"]


def test_same_frame_same_bytes(tmp_path):
    ws = Workspace(tmp_path)
    df = pd.DataFrame({"a": [1, 2, 3], "b": ["x", "y", "z"]})
    first = ws.write_table("t", df).read_bytes()
    second = ws.write_table("t", df).read_bytes()
    assert first == second


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "report.html"
    write_text_atomic(target, "old")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half", encoding="utf-8")
        raise RuntimeError("crash mid-write")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_written_files_are_readable_by_others(tmp_path):
    path = write_text_atomic(tmp_path / "x.txt", "hello")
    assert path.stat().st_mode & stat.S_IROTH


def test_json_results(tmp_path):
    ws = Workspace(tmp_path)
    ws.write_json("summary", {"b": 1, "a": "é"})
    assert ws.read_json("summary") == {"a": "é", "b": 1}
    assert ws.read_json("missing", default={}) == {}
