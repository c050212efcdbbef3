"""Many engagements at once: local processes, or a Dask cluster.

Every engagement runs as its own ``kamaudit run`` process (its own kernels) under a
wall-clock limit, through one job function, :func:`run_one`, whether a local thread or a
Dask worker calls it. A failing engagement becomes a record with its one-sentence reason;
it never stops the others. Engagements whose inputs, configuration, notebooks and
kamaudit version are unchanged since their last successful run are skipped (``force``
re-runs them); that check runs inside the engagement's own process and time limit.

Output: ``OUT/<name>/`` per engagement (DESIGN.md's layout), ``OUT/batch.jsonl`` (one
record per engagement), ``OUT/index.html`` linking each report and workbook.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .config import load_engagement, parse_override, slugify
from .errors import InputError, KamAuditError
from .resources import templates_dir
from .workspace import Workspace, write_text_atomic

ENGAGEMENT_GLOBS = ("engagement*.yaml", "engagement*.yml")


@dataclass
class BatchItem:
    """One engagement of a batch."""

    name: str
    engagement: str
    out: str
    overrides: dict = field(default_factory=dict)
    force: bool = False
    timeout: int = 3600


# ------------------------------------------------------------------ collecting


def collect_items(
    items: Sequence[str | Path],
    out_dir: str | Path,
    overrides: dict | None = None,
    timeout: int = 3600,
    force: bool = False,
) -> list[BatchItem]:
    """Engagement files from paths, folders (recursive) and CSV lists, in a stable order."""
    out_dir = Path(out_dir).expanduser().resolve()
    found: list[tuple[Path, dict, str | None]] = []
    for raw in items:
        path = Path(raw).expanduser().resolve()
        if not path.exists():
            raise InputError(f"Batch item {raw} does not exist.")
        if path.is_dir():
            files = sorted({p for g in ENGAGEMENT_GLOBS for p in path.rglob(g)})
            if not files:
                raise InputError(f"Folder {raw} holds no engagement*.yaml file.")
            found.extend((f, {}, None) for f in files)
        elif path.suffix.lower() == ".csv":
            found.extend(_read_csv_list(path))
        else:
            found.append((path, {}, None))
    used: set[str] = set()
    result = []
    for path, extra, name in found:
        base = slugify(
            name or (path.parent.name if path.stem.startswith("engagement") else path.stem)
        )
        unique, n = base, 2
        while unique in used:
            unique, n = f"{base}-{n}", n + 1
        used.add(unique)
        result.append(
            BatchItem(
                name=unique,
                engagement=str(path),
                out=str(out_dir / unique),
                overrides={**(overrides or {}), **extra},
                force=force,
                timeout=timeout,
            )
        )
    return result


def _read_csv_list(path: Path) -> list[tuple[Path, dict, str | None]]:
    with open(path, newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    out = []
    for i, row in enumerate(rows, start=2):
        eng = (row.pop("engagement", "") or "").strip()
        if not eng:
            raise InputError(f'{path.name}, row {i}, column "engagement": empty; expected a path.')
        name = (row.pop("name", "") or "").strip() or None
        overrides = {}
        for key, value in row.items():
            if key and value not in (None, ""):
                overrides[key.strip()] = parse_override(f"{key.strip()}={value}")[1]
        target = Path(eng)
        if not target.is_absolute():
            target = path.parent / target
        out.append((target.resolve(), overrides, name))
    return out


# ------------------------------------------------------------------ one engagement


def run_one(item: BatchItem | dict) -> dict:
    """Run one engagement in its own process; return its record. Never raises.

    This is the job function for local threads and Dask workers alike. Everything the
    engagement costs, its up-to-date check (``kamaudit run --if-changed``: hashing its
    inputs) included, runs in that process under ``item.timeout``; at the limit the run
    gets SIGTERM (it stops its stage process and kernel and keeps the previous audit),
    then SIGKILL for its whole process group.
    """
    if isinstance(item, dict):
        item = BatchItem(**item)
    started = time.perf_counter()
    record = {
        "name": item.name,
        "engagement": item.engagement,
        "out": item.out,
        "status": "failed",
        "seconds": 0.0,
        "error": "",
        "report": "",
        "workbook": "",
        "finished": "",
    }
    cmd = [sys.executable, "-m", "kamaudit", "run", item.engagement, "--out", item.out, "--quiet"]
    if not item.force:
        cmd.append("--if-changed")
    for key, value in item.overrides.items():
        cmd += ["-p", f"{key}={json.dumps(value) if not isinstance(value, str) else value}"]
    try:
        returncode, stdout, stderr = _run_limited(cmd, item.timeout)
    except Exception as exc:  # noqa: BLE001 - a batch item never raises
        record["error"] = f"kamaudit run could not start ({type(exc).__name__}: {exc})."
        return _finish(record, started)
    if returncode is None:
        record["error"] = (
            f"did not finish within {item.timeout} s and was stopped with its stage process "
            "and kernel (--timeout); its previous audit is unchanged."
        )
    elif returncode == 0:
        from .cli import UP_TO_DATE

        manifest = Workspace(item.out).read_manifest()
        record["status"] = "skipped" if UP_TO_DATE in stdout else "ok"
        record["report"] = manifest.get("deliverables", {}).get("report", "")
        record["workbook"] = manifest.get("deliverables", {}).get("workbook", "")
    else:
        record["error"] = _reason(stderr) or f"kamaudit run exited with {returncode}."
    return _finish(record, started)


_RUNNING: set[subprocess.Popen] = set()  # the runs of this process's batch, for Ctrl-C


def _stop_running() -> None:
    """SIGTERM every running engagement (each stops its stage process and kernel)."""
    for proc in list(_RUNNING):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)


def _run_limited(cmd: list[str], timeout: float) -> tuple[int | None, str, str]:
    """Run ``cmd`` in a session of its own; (exit code or None at the limit, out, err)."""
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    _RUNNING.add(proc)
    try:
        out, err = proc.communicate(timeout=timeout)
        return proc.returncode, out, err
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            out, err = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            out, err = proc.communicate()
        return None, out, err
    except BaseException:  # Ctrl-C of the batch: stop the run the same way
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=20)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        raise
    finally:
        _RUNNING.discard(proc)


def _finish(record: dict, started: float) -> dict:
    record["seconds"] = round(time.perf_counter() - started, 2)
    record["finished"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    return record


def _reason(stderr: str) -> str:
    """The CLI's error message (it may span lines: every fatal input problem), as one line."""
    lines = stderr.splitlines()
    start = next((i for i, ln in enumerate(lines) if ln.startswith("kamaudit: ")), None)
    if start is None:
        tail = [ln.strip() for ln in lines if ln.strip()]
        return tail[-1] if tail else ""
    message = [lines[start].removeprefix("kamaudit: ").strip()]
    for ln in lines[start + 1 :]:
        if ln.startswith("Details: ") or ln.startswith("kamaudit: "):
            break
        if ln.strip():
            message.append(ln.strip())
    return " ".join(message)


# ------------------------------------------------------------------ the batch


@dataclass
class BatchSummary:
    records: list[dict]
    out_dir: Path
    seconds: float

    @property
    def ok(self) -> bool:
        return all(r["status"] in ("ok", "skipped") for r in self.records)

    def counts(self) -> dict[str, int]:
        out = {"ok": 0, "failed": 0, "skipped": 0}
        for r in self.records:
            out[r["status"]] = out.get(r["status"], 0) + 1
        return out

    def text(self) -> str:
        c = self.counts()
        lines = [
            f"{len(self.records)} engagements in {self.seconds:.0f} s: {c['ok']} done, "
            f"{c['failed']} failed, {c['skipped']} up to date (skipped)."
        ]
        for r in self.records:
            if r["status"] == "failed":
                lines.append(f"  FAILED {r['name']}: {r['error']}")
        lines.append(f"Index: {self.out_dir / 'index.html'}")
        return "\n".join(lines)


def run_batch(
    items: Sequence[str | Path],
    out_dir: str | Path = "kamaudit-batch",
    jobs: int | None = None,
    scheduler: str | None = None,
    force: bool = False,
    only_failed: bool = False,
    timeout: int = 3600,
    overrides: dict | list[str] | None = None,
    progress: bool = True,
    cluster=None,
) -> BatchSummary:
    """Run every engagement in ``items``; see the module docstring.

    ``scheduler`` (an address) or ``cluster`` (a ``distributed`` cluster object, for tests)
    sends the jobs to Dask; otherwise ``jobs`` local processes run them.
    """
    t0 = time.perf_counter()
    out = Path(out_dir).expanduser().resolve()
    out.mkdir(parents=True, exist_ok=True)
    if isinstance(overrides, list):
        overrides = dict(parse_override(o) for o in overrides)
    batch_items = collect_items(items, out, overrides, timeout=timeout, force=force)
    previous = {r["name"]: r for r in read_records(out)}
    todo, kept = [], []
    for item in batch_items:
        last = previous.get(item.name)
        if only_failed and last and last.get("status") != "failed":
            kept.append({**last, "status": "skipped"})
        else:
            todo.append(item)

    todo = largest_first(todo)
    records: list[dict] = list(kept)
    bar = _progress_bar(len(todo), progress)
    try:
        if scheduler or cluster is not None:
            records.extend(_run_dask(todo, scheduler, cluster, bar))
        else:
            workers = max(1, jobs or os.cpu_count() or 1)
            with ThreadPoolExecutor(max_workers=workers) as pool:
                futures = [pool.submit(run_one, item) for item in todo]
                try:
                    for fut in as_completed(futures):
                        records.append(fut.result())
                        bar.update(1)
                except BaseException:  # Ctrl-C: no new runs, and stop the running ones
                    for fut in futures:
                        fut.cancel()
                    _stop_running()
                    raise
    finally:
        bar.close()

    order = {item.name: i for i, item in enumerate(batch_items)}
    records.sort(key=lambda r: order.get(r["name"], 1 << 30))
    write_records(out, records)
    write_index(out, records)
    return BatchSummary(records=records, out_dir=out, seconds=time.perf_counter() - t0)


def largest_first(todo: list[BatchItem]) -> list[BatchItem]:
    """The engagements by the size of their inputs, largest first.

    Workers take jobs in this order, so the longest runs start early and the batch does
    not end with one large engagement running alone while the other workers wait. The
    size of the inputs stands for run time; an engagement file that cannot be read
    counts as 0 (it fails in a moment anyway). Ties keep the given order.
    """

    def size(item: BatchItem) -> int:
        try:
            eng = load_engagement(item.engagement, item.overrides)
            return sum(
                Path(spec.path).stat().st_size
                for spec in eng.inputs.values()
                if Path(spec.path).is_file()
            )
        except Exception:  # noqa: BLE001 - a bad engagement fails in its own job
            return 0

    sizes = {item.name: size(item) for item in todo}
    return sorted(todo, key=lambda item: -sizes[item.name])


def _run_dask(todo: list[BatchItem], scheduler, cluster, bar) -> Iterable[dict]:
    try:
        from distributed import Client
        from distributed import as_completed as dask_completed
    except ImportError:
        raise KamAuditError(
            "Dask is not installed: pip install 'kamaudit[dask]' to use --scheduler."
        ) from None
    client = Client(cluster if cluster is not None else scheduler)
    try:
        futures = [
            client.submit(run_one, asdict(item), pure=False, retries=1, priority=-i)
            for i, item in enumerate(todo)
        ]
        results = []
        for fut in dask_completed(futures):
            try:
                results.append(fut.result())
            except Exception as exc:  # noqa: BLE001 - a worker died twice
                results.append({"name": "?", "status": "failed", "error": f"worker failed: {exc}"})
            bar.update(1)
        return results
    finally:
        client.close()


class _NoBar:
    def update(self, n: int) -> None:
        pass

    def close(self) -> None:
        pass


def _progress_bar(total: int, show: bool):
    if not show or not total:
        return _NoBar()
    from tqdm import tqdm

    return tqdm(total=total, unit="engagement", desc="kamaudit batch", file=sys.stderr)


def read_records(out: Path) -> list[dict]:
    path = Path(out) / "batch.jsonl"
    if not path.exists():
        return []
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line:
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    return records


def write_records(out: Path, records: list[dict]) -> None:
    text = "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in records)
    write_text_atomic(Path(out) / "batch.jsonl", text)


def write_index(out: Path, records: list[dict]) -> Path:
    """The batch's index page: one row per engagement, links relative to the page."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    rows = []
    for r in records:
        row = dict(r)
        for key in ("report", "workbook"):
            p = r.get(key) or ""
            row[key + "_href"] = _relative_href(Path(p), Path(out)) if p else ""
        row["name"] = r.get("name", "")
        rows.append(row)
    env = Environment(
        loader=FileSystemLoader(str(templates_dir())), autoescape=select_autoescape(["html", "j2"])
    )
    template = env.get_template("batch_index.html.j2")
    counts = {"ok": 0, "failed": 0, "skipped": 0}
    for r in records:
        counts[r.get("status", "failed")] = counts.get(r.get("status", "failed"), 0) + 1
    html = template.render(
        rows=rows,
        counts=counts,
        generated=dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
    )
    return write_text_atomic(Path(out) / "index.html", html)


def _relative_href(target: Path, base: Path) -> str:
    try:
        rel = os.path.relpath(target, base)
    except ValueError:
        return target.as_uri()
    return "/".join(
        re.sub(r"[^\w.\-~]", lambda m: f"%{ord(m.group()):02X}", part) for part in Path(rel).parts
    )
