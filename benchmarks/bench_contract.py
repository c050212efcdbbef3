"""What checking the data contract costs, against pandera (the field's tool for it).

    .venv/bin/python benchmarks/bench_contract.py [--lines 1000000] [--runs 5]

Builds an ``invoices`` table of ``--lines`` rows with contract dtypes (text ids, datetime
dates, float money) and a ``contacts`` table with coded roles, then prints the median of
``--runs`` for:

- ``contract.check_table(full=True)``: what ``Workspace.write_table`` runs;
- ``contract.check_table(full=False)``: what ``Workspace.read_table`` runs (columns, dtypes);
- a pandera ``DataFrameSchema`` with the same checks, ``validate(lazy=True)`` (skipped when
  pandera is not installed: it is not a kamaudit dependency);
- ``Workspace.write_table`` and ``read_table`` of the same frame, for scale.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kamaudit import contract  # noqa: E402
from kamaudit.workspace import Workspace  # noqa: E402


def frames(n: int) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(1)
    ids = np.char.add("C", rng.integers(0, 5000, n).astype(str))
    inv = pd.DataFrame(
        {
            "invoice_id": pd.Series(np.char.add("F", (np.arange(n) // 4).astype(str)), dtype="str"),
            "invoice_date": pd.Timestamp("2024-01-01")
            + pd.to_timedelta(rng.integers(0, 730, n), unit="D"),
            "customer_id": pd.Series(ids, dtype="str"),
            "net_amount": rng.normal(500, 300, n).round(2),
            "quantity": rng.integers(1, 20, n).astype("float64"),
            "cost_amount": rng.normal(350, 200, n).round(2),
            "is_credit": rng.random(n) < 0.02,
        }
    )
    roles = np.array(contract.CONTACT_ROLES.codes)[rng.integers(0, 7, n // 10)]
    con = pd.DataFrame(
        {
            "customer_id": pd.Series(ids[: n // 10], dtype="str"),
            "role": pd.Series(roles, dtype="str"),
            "relationship_strength": rng.integers(1, 6, n // 10).astype("float64"),
        }
    )
    return {"invoices": inv, "contacts": con}


def pandera_schemas():
    try:
        import pandera.pandas as pa
    except ImportError:
        return None
    text = pa.Column("str", nullable=True)
    return {
        "invoices": pa.DataFrameSchema(
            {
                "invoice_id": pa.Column("str", nullable=False),
                "invoice_date": pa.Column("datetime64[ns]"),
                "customer_id": pa.Column("str", nullable=False),
                "net_amount": pa.Column("float64"),
                "quantity": pa.Column("float64", nullable=True),
                "cost_amount": pa.Column("float64", nullable=True),
                "is_credit": pa.Column("bool"),
            },
            strict=True,
        ),
        "contacts": pa.DataFrameSchema(
            {
                "customer_id": pa.Column("str", nullable=False),
                "role": pa.Column(
                    "str", pa.Check.isin(contract.CONTACT_ROLES.allowed), nullable=True
                ),
                "relationship_strength": pa.Column(
                    "float64", pa.Check.in_range(1, 5), nullable=True
                ),
            },
            strict=False,
        ),
        "_text": text,
    }


def median_time(fn, runs: int) -> float:
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return statistics.median(out)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()
    dfs = frames(a.lines)
    schemas = pandera_schemas()
    print(f"invoices {a.lines:,} rows, contacts {a.lines // 10:,} rows; median of {a.runs}")
    for name, df in dfs.items():
        assert not contract.check_table(name, df), contract.check_table(name, df)
        full = median_time(lambda n=name, d=df: contract.check_table(n, d, full=True), a.runs)
        light = median_time(lambda n=name, d=df: contract.check_table(n, d, full=False), a.runs)
        print(f"  {name:9} contract full {full:7.3f} s   read check {light:7.3f} s", end="")
        if schemas:
            pand = median_time(lambda n=name, d=df: schemas[n].validate(d, lazy=True), a.runs)
            print(f"   pandera lazy {pand:7.3f} s", end="")
        print()
    with tempfile.TemporaryDirectory() as tmp:
        ws = Workspace(tmp).ensure()
        inv = dfs["invoices"]
        w = median_time(lambda: ws.write_table("invoices", inv), a.runs)
        r = median_time(lambda: ws.read_table("invoices"), a.runs)
        print(f"  write_table invoices {w:.3f} s (check included), read_table {r:.3f} s")


if __name__ == "__main__":
    main()
