"""Header mapping: which row holds the header, and which client header is which canonical
column (the engagement's ``columns`` first, then canonical names and common aliases)."""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from ..contract import legacy_schema
from ..errors import InputError, did_you_mean
from .numeric import NUMBERISH
from .raw import opt

SCHEMA: dict[str, dict[str, tuple[str, bool]]] = legacy_schema()
"""Canonical columns per table, ``name -> (kind, required)``: a view of ``kamaudit.contract``."""

NUMERIC_KINDS = {"money", "float"}

# common English header spellings that map without a ``columns`` entry
_ALIASES = {
    "customer": "customer_id",
    "customerid": "customer_id",
    "customer_no": "customer_id",
    "customer_number": "customer_id",
    "client_id": "customer_id",
    "invoice": "invoice_id",
    "invoiceno": "invoice_id",
    "invoice_no": "invoice_id",
    "invoice_number": "invoice_id",
    "date": "invoice_date",
    "invoicedate": "invoice_date",
    "amount": "net_amount",
    "net": "net_amount",
    "qty": "quantity",
    "unitprice": "unit_price",
    "price": "unit_price",
    "stockcode": "product_id",
    "sku": "product_id",
    "product": "product_id",
}


_DATEISH = re.compile(r"^\d{1,4}[./\-]\d{1,2}[./\-]\d{1,4}")


def _known_headers(table: str, columns: dict[str, str]) -> set[str]:
    columns = columns if isinstance(columns, dict) else {}
    known = {_norm(k) for k in columns}
    known |= {_norm(c) for c in SCHEMA.get(table, {})}
    known |= set(_ALIASES)
    return known


def _norm(text: Any) -> str:
    t = str(text).strip().casefold()
    t = re.sub(r"[\s\u00a0_\-./]+", "_", t)
    return t.strip("_")


def _is_value(cell: Any) -> bool:
    if cell is None:
        return False
    if isinstance(cell, (int, float)) or hasattr(cell, "year"):
        return True
    s = str(cell).strip()
    return bool(s) and bool(NUMBERISH.match(s) or _DATEISH.match(s))


def detect_header(rows: list[list[Any]], table: str, columns: dict[str, str]) -> tuple[int, str]:
    """0-based index of the header among the first ``rows``, and why.

    The row naming most of the known headers (the ``columns`` mapping and canonical
    names) wins; otherwise the first row of text as wide as the table below it.
    """
    known = _known_headers(table, columns)
    filled = [sum(1 for c in r if c is not None and str(c).strip() != "") for r in rows]
    if not rows or max(filled, default=0) == 0:
        return 0, "empty"
    hits = [sum(1 for c in r if c is not None and _norm(c) in known) for r in rows[:60]]
    best = int(np.argmax(hits)) if hits else 0
    if hits and hits[best] >= (2 if max(filled) > 1 else 1):
        return best, "the row with the known headers"
    width = int(np.percentile([f for f in filled if f], 75))
    for i, r in enumerate(rows[:60]):
        wide = filled[i] >= max(2, 0.6 * width) or (width == 1 and filled[i] == 1)
        if wide and not any(_is_value(c) for c in r):
            return i, "the first full row of text"
    return 0, "the first row"


def header_row(
    table: str, spec: Any, rows: list[list[Any]], n_rows: int, options: dict, where: str, unit: str
) -> int:
    """0-based index of the header row: ``spec.header_row`` checked against the ``n_rows``
    of the file or sheet (``unit``: "lines" or "rows"), or detected from its first ``rows``.

    Records the choice in ``options["header_row"]``; ``where`` names the file (and sheet).
    -1 when the engagement file says the export has no header row (``header_row: none``).
    """
    if spec.header_row == "none":
        options["header_row"] = opt("none", "engagement file")
        return -1
    if spec.header_row:
        header_idx = spec.header_row - 1
        options["header_row"] = opt(spec.header_row, "engagement file")
        if header_idx >= n_rows:
            what = "the file" if unit == "lines" else "the sheet"
            raise InputError(
                f"{where}: inputs.{table}.header_row is {spec.header_row}, but {what} has only "
                f"{n_rows} {unit}."
            )
    else:
        header_idx, why = detect_header(rows, table, spec.columns)
        options["header_row"] = opt(header_idx + 1, "detected", why=why)
    return header_idx


def map_headers(
    table: str, headers: list[str], columns: dict[str, str]
) -> tuple[dict[str, str], list[dict]]:
    """Client header -> canonical name, and notes on what could not be mapped.

    ``columns`` from the engagement file wins; headers equal to a canonical name
    (ignoring case, spaces and underscores) or a common English spelling map by themselves.
    """
    schema = SCHEMA.get(table, {})
    columns = columns if isinstance(columns, dict) else {}  # a list: headers are canonical already
    by_norm = {}
    for h in headers:
        by_norm.setdefault(_norm(h), h)
    mapping: dict[str, str] = {}
    problems: list[dict] = []
    for client_header, canon in (columns or {}).items():
        target = by_norm.get(_norm(client_header))
        if canon not in schema:
            problems.append(
                dict(
                    column=str(client_header),
                    value=str(canon),
                    problem=(
                        f'inputs.{table}.columns maps "{client_header}" to "{canon}", which is not a '
                        f"column of {table}.{did_you_mean(canon, schema)} Columns: {', '.join(schema)}"
                    ),
                    action="ignored",
                    severity="warning",
                )
            )
            continue
        if target is None:
            # reported by intake when the column is needed; optional ones are a warning here
            continue
        mapping[target] = canon
    mapped = set(mapping.values())
    for h in headers:
        if h in mapping:
            continue
        n = _norm(h)
        canon = n if n in schema else _ALIASES.get(n.replace("_", "")) or _ALIASES.get(n)
        if canon in schema and canon not in mapped:
            mapping[h] = canon
            mapped.add(canon)
    return mapping, problems


def listed_headers(table: str, spec: Any, width: int, where: str) -> tuple[list[str], list[int]]:
    """With ``header_row: none``: the canonical names of ``spec.columns`` (a list in file
    order) as the headers, and the positions of the columns to keep (``~`` skips one).

    The list must name every column the rows hold: ``width`` values per row.
    """
    names = list(spec.columns)
    if len(names) != width:
        raise InputError(
            f"{where}: inputs.{table}.columns lists {len(names)} columns in file order, but the "
            f"rows hold {width} values: list one name (or ~ to skip) for each value."
        )
    schema = SCHEMA.get(table, {})
    for name in names:
        if name is not None and name not in schema:
            raise InputError(
                f'{where}: inputs.{table}.columns names "{name}", which is not a column of '
                f"{table}.{did_you_mean(str(name), list(schema))} Columns: {', '.join(schema)}"
            )
    keep = [j for j, n in enumerate(names) if n is not None]
    return [names[j] for j in keep], keep
