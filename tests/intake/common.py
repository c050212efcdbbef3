"""Helpers for intake tests: a few invoice lines, and a run that checks the inputs stay unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest
from corpus import digest, engagement, write_text

from kamaudit.errors import ValidationFailed
from kamaudit.intake import read_and_check

INV = "invoice_id;invoice_date;customer_id;net_amount\n"


def lines(n: int = 30, start: int = 0, customers=("C1", "C2", "C3")) -> str:
    return "".join(
        f"A{i};2024-{1 + i % 12:02d}-{1 + i % 28:02d};{customers[i % len(customers)]};{10 + i},50\n"
        for i in range(start, start + n)
    )


def run(tmp_path: Path, files: dict[str, str | bytes], inputs: dict, **extra):
    """Write files, run read_and_check, assert the files are unchanged; return the result."""
    paths = []
    for name, content in files.items():
        p = tmp_path / name
        if isinstance(content, bytes):
            p.write_bytes(content)
        else:
            write_text(p, content)
        paths.append(p)
    before = digest(paths)
    try:
        return read_and_check(engagement(tmp_path, inputs, **extra))
    finally:
        assert digest(paths) == before


def fails(tmp_path, files, inputs, match: str, **extra) -> ValidationFailed:
    with pytest.raises(ValidationFailed, match=match) as err:
        run(tmp_path, files, inputs, **extra)
    assert err.value.problems is not None
    assert "Traceback" not in str(err.value)
    return err.value
