"""Compare two audit folders table by table and cell by cell (run by hand).

Not a speed measurement: the check a restructuring must pass. Every ``data/*.parquet``
(columns, rows, values, dtypes), every ``data/*.json`` and every workbook cell of
``deliverables/*.xlsx`` are compared; each difference is printed with an example.

    .venv/bin/python benchmarks/compare_audit.py BEFORE_AUDIT AFTER_AUDIT
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import openpyxl
import pandas as pd


def _parquet(name: str, a: Path, b: Path) -> list[str]:
    x, y = pd.read_parquet(a), pd.read_parquet(b)
    out = []
    if list(x.columns) != list(y.columns):
        gone, new = sorted(set(x.columns) - set(y.columns)), sorted(set(y.columns) - set(x.columns))
        out.append(f"{name}: columns differ: -{gone} +{new}")
        common = [c for c in x.columns if c in y.columns]
        x, y = x[common], y[common]
    if len(x) != len(y):
        return [*out, f"{name}: rows {len(x)} -> {len(y)}"]
    for c in x.columns:
        if str(x[c].dtype) != str(y[c].dtype):
            out.append(f"{name}.{c}: dtype {x[c].dtype} -> {y[c].dtype}")
        same = (x[c].astype(str) == y[c].astype(str)) | (x[c].isna() & y[c].isna())
        if not same.all():
            i = int((~same).to_numpy().nonzero()[0][0])
            n = int((~same).sum())
            out.append(f"{name}.{c}: {n} rows differ, e.g. {x[c].iloc[i]!r} -> {y[c].iloc[i]!r}")
    return out


def _workbook(a: Path, b: Path) -> list[str]:
    wa, wb = openpyxl.load_workbook(a), openpyxl.load_workbook(b)
    out = []
    if wa.sheetnames != wb.sheetnames:
        out.append(f"sheets differ: {wa.sheetnames} -> {wb.sheetnames}")
    for s in wa.sheetnames:
        if s not in wb.sheetnames:
            continue
        ra = list(wa[s].iter_rows(values_only=True))
        rb = list(wb[s].iter_rows(values_only=True))
        rows = [
            i
            for i in range(max(len(ra), len(rb)))
            if (ra[i] if i < len(ra) else None) != (rb[i] if i < len(rb) else None)
        ]
        if rows:
            i = rows[0]
            was, now = ra[i] if i < len(ra) else None, rb[i] if i < len(rb) else None
            out.append(f"sheet {s}: {len(rows)} rows differ, first row {i + 1}: {was} -> {now}")
    return out


def compare(before: Path, after: Path) -> list[str]:
    """Every difference between two audit folders, one line each."""
    da, db = before / "data", after / "data"
    names_a, names_b = {p.name for p in da.glob("*")}, {p.name for p in db.glob("*")}
    out = [
        f"only in {'before' if n in names_a else 'after'}: {n}" for n in sorted(names_a ^ names_b)
    ]
    for n in sorted(names_a & names_b):
        if n.endswith(".parquet"):
            out += _parquet(n, da / n, db / n)
        elif n.endswith(".json") and json.loads((da / n).read_text()) != json.loads(
            (db / n).read_text()
        ):
            out.append(f"{n}: differs")
    books = [next((p / "deliverables").glob("*.xlsx"), None) for p in (before, after)]
    if None in books:
        out.append("a workbook is missing")
    else:
        out += _workbook(*books)
    return out


if __name__ == "__main__":
    found = compare(Path(sys.argv[1]), Path(sys.argv[2]))
    print("\n".join(found))
    print(f"{len(found)} differences")
