"""Workbook engine: openpyxl against XlsxWriter on the workbook kamaudit needs next.

One sheet of N customers x 25 columns (an id, a name, 22 money/ratio columns with number
formats, and a live score column: a formula over two columns whose computed value the
engine stores, if it can), a real Excel table over it, print setup, and a native chart
(a bubble chart where the engine has one, else a scatter). Each variant runs in its own
process; the figures are wall time and the process's peak resident memory.

    python benchmarks/bench_workbook_engine.py [N=50000]

XlsxWriter is not a kamaudit dependency: point ``XLSXWRITER_PATH`` at an unpacked wheel
(``pip download xlsxwriter`` and unzip) to measure it. Decision and figures:
docs/architecture.md, "Workbook engine".
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time

N_COLS = 22


def _rows(n: int):
    for i in range(n):
        yield [f"C{i:06d}", f"Customer {i}"] + [
            float((i * 7919 + j * 104729) % 100000) / 7 for j in range(N_COLS)
        ]


def run_openpyxl(n: int, path: str, write_only: bool) -> dict:
    from openpyxl import Workbook
    from openpyxl.chart import BubbleChart, Reference, Series
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.table import Table

    wb = Workbook(write_only=write_only)
    ws = wb.create_sheet("P&L") if write_only else wb.active
    header = ["customer_id", "name"] + [f"m{j}" for j in range(N_COLS)] + ["score"]
    ws.append(header)
    notes = []
    if write_only:
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import NamedStyle

        money = NamedStyle(name="money", number_format="#,##0.00")
        wb.add_named_style(money)
        for r, row in enumerate(_rows(n), start=2):
            cells = row[:2]
            for v in row[2:]:
                c = WriteOnlyCell(ws, value=v)
                c.style = "money"
                cells.append(c)
            cells.append(f"=0.5*C{r}+0.5*D{r}")
            ws.append(cells)
    else:
        for r, row in enumerate(_rows(n), start=2):
            ws.append(row + [f"=0.5*C{r}+0.5*D{r}"])
        for j in range(3, 3 + N_COLS):
            for (cell,) in ws.iter_rows(min_row=2, min_col=j, max_col=j):
                cell.number_format = "#,##0.00"
    ref = f"A1:{get_column_letter(len(header))}{n + 1}"
    try:
        ws.add_table(Table(displayName="T_pnl", ref=ref))
    except Exception as exc:  # noqa: BLE001 - a limitation is a result here
        notes.append(f"table refused: {type(exc).__name__}")
    try:
        chart = BubbleChart()
        x = Reference(ws, min_col=3, min_row=2, max_row=min(n, 300) + 1)
        y = Reference(ws, min_col=4, min_row=2, max_row=min(n, 300) + 1)
        z = Reference(ws, min_col=5, min_row=2, max_row=min(n, 300) + 1)
        chart.series.append(Series(values=y, xvalues=x, zvalues=z))
        ws.add_chart(chart, "AB2")
    except Exception as exc:  # noqa: BLE001
        notes.append(f"chart refused: {type(exc).__name__}")
    if not write_only:
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.print_title_rows = "1:1"
        ws.freeze_panes = "C2"
    wb.save(path)
    notes.append("formula values: not stored (viewers that do not recalculate show 0)")
    return {"notes": notes}


def run_xlsxwriter(n: int, path: str, constant_memory: bool) -> dict:
    import xlsxwriter

    wb = xlsxwriter.Workbook(path, {"constant_memory": constant_memory})
    ws = wb.add_worksheet("P&L")
    money = wb.add_format({"num_format": "#,##0.00"})
    header = ["customer_id", "name"] + [f"m{j}" for j in range(N_COLS)] + ["score"]
    ws.write_row(0, 0, header)
    for r, row in enumerate(_rows(n), start=1):
        ws.write_string(r, 0, row[0])
        ws.write_string(r, 1, row[1])
        for j, v in enumerate(row[2:], start=2):
            ws.write_number(r, j, v, money)
        ws.write_formula(
            r, 2 + N_COLS, f"=0.5*C{r + 1}+0.5*D{r + 1}", money, 0.5 * row[2] + 0.5 * row[3]
        )
    import warnings

    notes = ["formula values: stored"]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = ws.add_table(
            0, 0, n, len(header) - 1, {"columns": [{"header": h} for h in header]}
        )
    if result == -1 or caught:
        notes.append("table refused: " + "; ".join(str(w.message) for w in caught))
    chart = wb.add_chart({"type": "scatter"})  # XlsxWriter has no bubble chart
    chart.add_series(
        {"categories": ["P&L", 1, 2, min(n, 300), 2], "values": ["P&L", 1, 3, min(n, 300), 3]}
    )
    ws.insert_chart("AB2", chart)
    notes.append("chart: scatter (no bubble chart type)")
    ws.set_paper(9)
    ws.repeat_rows(0)
    ws.freeze_panes(1, 2)
    wb.close()
    return {"notes": notes}


VARIANTS = {
    "openpyxl": lambda n, p: run_openpyxl(n, p, False),
    "openpyxl write_only": lambda n, p: run_openpyxl(n, p, True),
    "xlsxwriter": lambda n, p: run_xlsxwriter(n, p, False),
    "xlsxwriter constant_memory": lambda n, p: run_xlsxwriter(n, p, True),
}


def _child(variant: str, n: int) -> None:
    if os.environ.get("XLSXWRITER_PATH"):
        sys.path.insert(0, os.environ["XLSXWRITER_PATH"])
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "b.xlsx")
        t = time.perf_counter()
        try:
            out = VARIANTS[variant](n, path)
        except ImportError as exc:
            print(json.dumps({"skipped": str(exc)}))
            return
        seconds = time.perf_counter() - t
        out.update(
            seconds=round(seconds, 2),
            peak_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            file_mb=round(os.path.getsize(path) / 1e6, 1),
        )
        print(json.dumps(out))


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        _child(sys.argv[2], int(sys.argv[3]))
        return
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
    print(f"{n:,} customers x {N_COLS + 3} columns, one table, one chart, print setup")
    for variant in VARIANTS:
        proc = subprocess.run(
            [sys.executable, __file__, "--child", variant, str(n)], capture_output=True, text=True
        )
        line = (proc.stdout.strip().splitlines() or [proc.stderr.strip()[-200:]])[-1]
        print(f"  {variant:28} {line}")


if __name__ == "__main__":
    main()
