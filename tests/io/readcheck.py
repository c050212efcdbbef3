"""Helpers for the reading tests: read an export, or fail to, and prove its bytes are unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest
from corpus import digest

from kamaudit.config import InputSpec
from kamaudit.errors import InputError
from kamaudit.io import read_input

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
