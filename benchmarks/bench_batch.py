"""Batch throughput: N sample engagements serial, with --jobs 2, and on Dask (2 workers).

    python benchmarks/bench_batch.py [--n 20] [--customers 120] [--lines 8000] [--repeat 1]

Each company is a distinct seeded sample (kamaudit.sample.generate_sample). Every mode
runs with force=True into its own folder, so nothing is skipped. Prints wall-clock
seconds per mode (the median over --repeat runs), engagements per minute, and the speed-up
over serial. Goal (issue 7): --jobs 2 at least 1.7x the serial throughput on two cores.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from kamaudit.batch import run_batch
from kamaudit.sample import generate_sample


def _children_cpu() -> float:
    """User + system CPU seconds of every finished child process (kernels included)."""
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--n", type=int, default=20)
    ap.add_argument("--customers", type=int, default=120)
    ap.add_argument("--lines", type=int, default=8000)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--modes", default="serial,jobs2,dask")
    ap.add_argument("--keep", action="store_true", help="keep the generated folder")
    a = ap.parse_args()

    root = Path(tempfile.mkdtemp(prefix="kamaudit-bench-batch-"))
    clients = root / "clients"
    for i in range(a.n):
        generate_sample(
            clients / f"company_{i + 1:02d}", seed=100 + i, n_customers=a.customers, n_lines=a.lines
        )
    print(f"{a.n} engagements of {a.customers} customers / {a.lines} lines in {clients}")
    print(f"cores: {os.cpu_count()}")

    results: dict[str, float] = {}
    for mode in a.modes.split(","):
        times = []
        for r in range(a.repeat):
            out = root / f"out-{mode}-{r}"
            cpu0 = _children_cpu()
            t0 = time.perf_counter()
            if mode == "serial":
                summary = run_batch([clients], out_dir=out, jobs=1, force=True, progress=False)
            elif mode == "jobs2":
                summary = run_batch([clients], out_dir=out, jobs=2, force=True, progress=False)
            elif mode == "dask":
                from distributed import LocalCluster

                with LocalCluster(
                    n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
                ) as cluster:
                    t0 = time.perf_counter()  # cluster start-up is not the batch's cost
                    summary = run_batch(
                        [clients], out_dir=out, cluster=cluster, force=True, progress=False
                    )
            else:
                raise SystemExit(f"unknown mode {mode}")
            times.append(time.perf_counter() - t0)
            if mode != "dask":  # Dask workers are not this process's waited-for children
                cpu = _children_cpu() - cpu0
                print(
                    f"  {mode} run {r + 1}: {times[-1]:.1f} s wall, {cpu:.1f} s CPU "
                    f"({cpu / a.n:.1f} s CPU per engagement)"
                )
            else:
                print(f"  {mode} run {r + 1}: {times[-1]:.1f} s wall")
            failed = [rec["name"] for rec in summary.records if rec["status"] != "ok"]
            if failed:
                print(f"  {mode}: FAILED {failed}")
        results[mode] = statistics.median(times)
        print(
            f"{mode:>7}: {results[mode]:7.1f} s  ({a.n / results[mode] * 60:5.1f} engagements/min)"
            + (
                f"  speed-up {results['serial'] / results[mode]:.2f}x"
                if "serial" in results and mode != "serial"
                else ""
            )
        )
    if not a.keep:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
