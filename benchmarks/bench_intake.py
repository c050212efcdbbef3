"""Intake speed on a 1M-line invoices CSV in the 1C style, against pandas' own read_csv.

The file (generated once into ``benchmarks/_data/``, gitignored): cp1251, ``;`` delimiter,
decimal comma, space thousands, day-first dates, two title rows above the header.

    /work/venv/bin/python benchmarks/bench_intake.py [--lines 1000000] [--runs 3]
    /work/venv/bin/python benchmarks/bench_intake.py --xlsx [--lines 100000] [--runs 3]

Prints the median of ``--runs`` runs for:

- pandas ``read_csv`` given every option (encoding, sep, skiprows, decimal, thousands,
  dtype for ids, date_format + parse_dates): the reference;
- ``read_input`` (detection of encoding, delimiter, header, formats; reads all as text);
- ``run_intake`` (types, validation, quality report, customer-base profile);
- the two together, and the ratio to the reference (goal: within 3×).

Runs are interleaved (reference, ours, reference, ...) so both see the same load; wall
and CPU times are printed.

With ``--xlsx``: a workbook shaped like the UCI "Online Retail" export (one sheet; text
cancellation numbers among numeric invoice numbers, Excel date-times, customer ids stored
as floats, a quarter empty; default 100,000 lines), read by ``read_input`` with openpyxl
and with python-calamine (median of ``--runs``), then intake on the calamine read.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
DATA = HERE / "_data"


def generate(path: Path, lines: int, seed: int = 7) -> Path:
    """Write the 1C-style invoices file (vectorised; a few seconds for 1M lines)."""
    rng = np.random.default_rng(seed)
    n_cust = 5000
    inv_no = np.arange(lines) // 4 + 1
    days = rng.integers(0, 731, size=lines)
    dates = (np.datetime64("2024-01-01") + days).astype("datetime64[D]")
    dd = pd.DatetimeIndex(dates).strftime("%d.%m.%Y")
    cust = rng.integers(1, n_cust + 1, size=lines)
    qty = rng.integers(1, 50, size=lines)
    price = np.round(rng.lognormal(6, 1.2, size=lines), 2)
    amount = np.round(qty * price, 2)
    amount[rng.random(lines) < 0.02] *= -1

    def money(x: np.ndarray) -> pd.Series:
        s = pd.Series(np.abs(x)).map("{:,.2f}".format)
        s = s.str.replace(",", " ", regex=False).str.replace(".", ",", regex=False)
        return np.where(x < 0, "-", "") + s

    body = pd.DataFrame(
        {
            "Номер": pd.Series(inv_no).map("РН-{:07d}".format),
            "Дата": dd,
            "Код контрагента": pd.Series(cust).map("{:05d}".format),
            "Номенклатура": pd.Series(rng.integers(1, 3000, size=lines)).map("Т-{:04d}".format),
            "Количество": qty.astype(str),
            "Цена": money(price),
            "Сумма": money(amount),
        }
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="cp1251", newline="") as fh:
        fh.write("Реестр документов реализации\r\n")
        fh.write('ООО "Ромашка", период 01.01.2024 - 31.12.2025\r\n')
        body.to_csv(fh, sep=";", index=False, lineterminator="\r\n")
    return path


def engagement(path: Path):
    from kamaudit.config import Engagement

    return Engagement.model_validate(
        {
            "client": "Бенчмарк",
            "period": {"start": "2024-01-01", "end": "2025-12-31"},
            "inputs": {
                "invoices": {
                    "path": str(path),
                    "columns": {
                        "Номер": "invoice_id",
                        "Дата": "invoice_date",
                        "Код контрагента": "customer_id",
                        "Номенклатура": "product_id",
                        "Количество": "quantity",
                        "Цена": "unit_price",
                        "Сумма": "net_amount",
                    },
                }
            },
        }
    )


def reference(path: Path) -> pd.DataFrame:
    return pd.read_csv(
        path,
        encoding="cp1251",
        sep=";",
        skiprows=2,
        decimal=",",
        thousands=" ",
        dtype={"Номер": str, "Код контрагента": str, "Номенклатура": str},
        parse_dates=["Дата"],
        date_format="%d.%m.%Y",
    )


def bench_xlsx(lines: int, runs: int) -> int:
    """openpyxl against python-calamine on a retail-shaped workbook."""
    import kamaudit.io.xlsx as xlsx_reader
    from kamaudit.config import load_engagement
    from kamaudit.intake import run_intake
    from kamaudit.io import read_input

    sys.path.insert(0, str(HERE.parent / "tests"))
    from test_retail import write_engagement, write_retail_xlsx

    folder = DATA / f"retail_{lines}"
    path = folder / "Online Retail.xlsx"
    if not path.exists():
        t0 = time.perf_counter()
        write_retail_xlsx(path, lines=lines)
        print(
            f"generated {path} ({path.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - t0:.1f} s"
        )
    eng = load_engagement(write_engagement(folder, path))
    spec = eng.inputs["invoices"]
    walls: dict[str, list[float]] = {"openpyxl": [], "calamine": [], "intake": []}
    raws = {}
    for _ in range(runs):
        for engine in ("openpyxl", "calamine"):
            xlsx_reader.XLSX_ENGINE = engine
            w0 = time.perf_counter()
            raws[engine] = read_input("invoices", spec)
            walls[engine].append(time.perf_counter() - w0)
        w0 = time.perf_counter()
        res = run_intake({"invoices": raws["calamine"]}, eng)
        walls["intake"].append(time.perf_counter() - w0)
    xlsx_reader.XLSX_ENGINE = "auto"
    a, b = raws["openpyxl"], raws["calamine"]
    assert b.option("engine") == "calamine", b.options
    assert list(a.df.columns) == list(b.df.columns) and (a.rows == b.rows).all()
    ra = run_intake({"invoices": a}, eng).tables["invoices"]
    rb = res.tables["invoices"]
    pd.testing.assert_frame_equal(ra, rb)
    med = {k: statistics.median(v) for k, v in walls.items()}
    print(f"xlsx lines: {len(b.df):,}; median of {runs} runs (wall s)")
    print(f"  read_input, openpyxl         {med['openpyxl']:7.2f}")
    print(
        f"  read_input, python-calamine  {med['calamine']:7.2f}   ({med['openpyxl'] / med['calamine']:.1f}x faster)"
    )
    print(f"  run_intake                   {med['intake']:7.2f}")
    print(f"  canonical tables identical with both engines: {len(rb):,} lines kept")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=None)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--xlsx", action="store_true", help="openpyxl vs calamine on a retail workbook")
    args = ap.parse_args(argv)
    if args.xlsx:
        return bench_xlsx(args.lines or 100_000, args.runs)
    args.lines = args.lines or 1_000_000

    from kamaudit.intake import run_intake
    from kamaudit.io import read_input

    path = DATA / f"invoices_1c_{args.lines}.csv"
    if not path.exists():
        t0 = time.perf_counter()
        generate(path, args.lines)
        print(
            f"generated {path} ({path.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - t0:.1f} s"
        )
    eng = engagement(path)
    spec = eng.inputs["invoices"]

    def ours():
        return run_intake({"invoices": read_input("invoices", spec)}, eng)

    # interleaved, so both see the same load on a shared machine; wall and CPU time
    walls: dict[str, list[float]] = {"ref": [], "read": [], "intake": [], "both": []}
    cpus: dict[str, list[float]] = {k: [] for k in walls}
    ref = res = raw = None
    for _ in range(args.runs):
        for key, fn in (
            ("ref", lambda: reference(path)),
            ("both", ours),
            ("read", lambda: read_input("invoices", spec)),
        ):
            w0, c0 = time.perf_counter(), time.process_time()
            out = fn()
            walls[key].append(time.perf_counter() - w0)
            cpus[key].append(time.process_time() - c0)
            if key == "ref":
                ref = out
            elif key == "both":
                res = out
            else:
                raw = out
        w0, c0 = time.perf_counter(), time.process_time()
        run_intake({"invoices": raw}, eng)
        walls["intake"].append(time.perf_counter() - w0)
        cpus["intake"].append(time.process_time() - c0)
    med = {k: statistics.median(v) for k, v in walls.items()}
    cmed = {k: statistics.median(v) for k, v in cpus.items()}
    ratios = [b / r for b, r in zip(walls["both"], walls["ref"], strict=True)]

    inv = res.tables["invoices"]
    assert len(inv) == len(ref), (len(inv), len(ref))
    assert abs(inv["net_amount"].sum() - ref["Сумма"].sum()) < 0.01
    print(f"lines: {len(ref):,}; median of {args.runs} interleaved runs (wall s / CPU s)")
    print(f"  pandas read_csv (all options given) {med['ref']:7.2f} / {cmed['ref']:6.2f}")
    print(f"  read_input                          {med['read']:7.2f} / {cmed['read']:6.2f}")
    print(f"  run_intake                          {med['intake']:7.2f} / {cmed['intake']:6.2f}")
    print(f"  read_input + run_intake             {med['both']:7.2f} / {cmed['both']:6.2f}")
    print(
        f"  ratio to pandas: {statistics.median(ratios):.2f}x wall (median of per-run ratios), "
        f"{cmed['both'] / cmed['ref']:.2f}x CPU; goal <= 3x"
    )
    print("  detected:", {k: v.get("value") for k, v in raw.options.items()})
    return 0


if __name__ == "__main__":
    sys.exit(main())
