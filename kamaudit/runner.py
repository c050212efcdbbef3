"""Run an engagement: the stage notebooks through papermill, then the deliverables.

A run owns its output folder (:mod:`kamaudit.ownership`): it holds the folder's lock,
refuses a folder holding another engagement's audit unless ``replace``, builds the new
audit in a staging folder and replaces the audit in the folder only when it succeeded.
A failed or interrupted run leaves the previous audit as it was and keeps its own files
in ``failed-run/``.

The stages run in the stage process (:mod:`kamaudit.stage_process`), one at a time on
the runner's word, each under a wall-clock limit; the runner knows the pids of the stage
process and of the kernel (each in a session of its own) and kills both at any limit,
on Ctrl-C and on SIGTERM. Before each stage it compares what the stage would read with
what earlier stages recorded (:mod:`kamaudit.freshness`): a stage whose input is stale
refuses to run, and a later stage whose input changed runs again (unless ``cascade`` is
off; it is then marked stale).

``manifest.json`` is rewritten after every stage: inputs with their SHA-256, the resolved
configuration, package versions, per-stage status, timings, what each stage read and
wrote, and the state of each stage's results (ran now, current, stale, not run).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import hashlib
import json
import os
import platform
import selectors
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from . import __version__, freshness, ownership
from .config import Engagement, load_engagement
from .errors import ConfigError, InputError, KamAuditError, StageError, StaleInput
from .freshness import CURRENT, NOT_RUN, RAN_NOW, STALE
from .ownership import os_error_sentence
from .resources import notebooks_dir
from .stage_process import EngagementKernel, kernel_name  # noqa: F401 - re-exported
from .workspace import Workspace

STAGES: tuple[str, ...] = freshness.STAGES
NOTEBOOKS: dict[str, str] = {
    "intake": "01_intake.ipynb",
    "cost_to_serve": "02_cost_to_serve.ipynb",
    "account_profile": "03_key_account_profile.ipynb",
    "team_design": "04_team_design.ipynb",
}
_ALIASES = {
    "1": "intake",
    "2": "cost_to_serve",
    "cts": "cost_to_serve",
    "cost-to-serve": "cost_to_serve",
    "3": "account_profile",
    "profile": "account_profile",
    "key_account_profile": "account_profile",
    "key-account-profile": "account_profile",
    "4": "team_design",
    "team": "team_design",
    "team-design": "team_design",
}
PARAMETERS = ("engagement_path", "workspace", "overrides_json")
_PACKAGES = (
    "kamaudit",
    "pandas",
    "numpy",
    "pyarrow",
    "papermill",
    "nbconvert",
    "openpyxl",
    "matplotlib",
    "jinja2",
    "pydantic",
)


def parse_stages(stages: str | Sequence[str] | None) -> list[str]:
    """Stage names in run order from ``"intake,cost_to_serve"``, numbers or aliases."""
    if not stages:
        return list(STAGES)
    if isinstance(stages, str):
        stages = [stages]
    wanted: list[str] = []
    for item in stages:
        for raw in str(item).replace(" ", ",").split(","):
            name = raw.strip().lower()
            if not name:
                continue
            if name == "all":
                wanted.extend(STAGES)
                continue
            name = _ALIASES.get(name, name.replace("-", "_"))
            if name not in STAGES:
                from .errors import did_you_mean

                raise ConfigError(
                    f'Unknown stage "{raw.strip()}"; the stages are {", ".join(STAGES)}.'
                    + did_you_mean(name, STAGES)
                )
            wanted.append(name)
    return [s for s in STAGES if s in wanted]


def sha256_file(path: Path) -> str:
    """SHA-256 of a regular file (check it is one first: a FIFO would block)."""
    return freshness.file_sha256(path)


def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in _PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    out["kamaudit"] = __version__
    return out


def check_inputs(engagement: Engagement) -> list[dict]:
    """Each input's path, size and SHA-256; any input that is not a readable regular file
    (missing, a folder, a pipe, a device, a link loop) fails with its setting named."""
    name = engagement.source_path.name if engagement.source_path else "the engagement file"
    rows = []
    for table, spec in engagement.inputs.items():
        path = Path(spec.path)
        setting = f"inputs.{table}.path in {name}"
        try:
            st = os.stat(path)
        except FileNotFoundError:
            raise InputError(f'Input "{table}" not found: {path} ({setting}).') from None
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise InputError(
                    f'Input "{table}" is a symbolic link loop: {path} ({setting}); point the '
                    "setting at the file itself."
                ) from None
            raise InputError(
                f'Input "{table}" cannot be read: {path} ({exc.strerror}; {setting}).'
            ) from None
        if stat.S_ISDIR(st.st_mode):
            raise InputError(f'Input "{table}" is a folder, not a file: {path} ({setting}).')
        if not stat.S_ISREG(st.st_mode):
            raise InputError(
                f'Input "{table}" is not a regular file: {path} is a pipe or a device '
                f"({setting}); export the table to a file and point the setting at it."
            )
        try:
            digest = sha256_file(path)
        except OSError as exc:
            raise InputError(
                f'Input "{table}" cannot be read: {path} ({exc.strerror}; {setting}).'
            ) from None
        rows.append({"table": table, "path": str(path), "bytes": st.st_size, "sha256": digest})
    return rows


def fingerprint(engagement: Engagement, inputs: list[dict], stages: Sequence[str]) -> str:
    """What a run depends on: inputs, resolved configuration, notebooks, version."""
    h = hashlib.sha256()
    h.update(json.dumps([i["sha256"] for i in inputs]).encode())
    h.update(json.dumps(engagement.resolved_json(), sort_keys=True, default=str).encode())
    h.update(json.dumps(list(stages)).encode())
    for stage in stages:
        h.update(sha256_file(notebooks_dir() / NOTEBOOKS[stage]).encode())
    h.update(__version__.encode())
    return h.hexdigest()


# ------------------------------------------------------------------ results


@dataclass
class StageStatus:
    stage: str
    status: str = "pending"  # pending | ok | failed | skipped
    seconds: float = 0.0
    notebook: str = ""
    html: str = ""
    error: str = ""

    def as_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class RunResult:
    """What a run produced. ``ok`` is False when a stage or the deliverables failed.

    ``sections`` gives each stage's state in the audit (ran now, current, stale, not
    run); ``notes`` says what a reader of the deliverables must know (stale or missing
    sections); ``up_to_date`` is True when ``if_changed`` found nothing to do.
    """

    workspace: Workspace
    stages: list[StageStatus] = field(default_factory=list)
    workbook: Path | None = None
    report: Path | None = None
    error: str = ""
    seconds: float = 0.0
    sections: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    up_to_date: bool = False

    @property
    def ok(self) -> bool:
        return not self.error and all(s.status in ("ok", "skipped") for s in self.stages)


_KAMAUDIT_ERRORS = {
    "KamAuditError",
    "ConfigError",
    "InputError",
    "ValidationFailed",
    "StageError",
    "OutputError",
    "FolderInUse",
    "StaleInput",
}


def stage_error_sentence(stage: str, notebook: Path, result: dict) -> str:
    """One sentence naming the stage, the cell and the error."""
    if result.get("error"):
        return f"Stage {stage}: {result['error']}"
    ename = result.get("ename", "Error")
    evalue = (result.get("evalue") or "").strip()
    if ename in _KAMAUDIT_ERRORS and evalue:
        return f"Stage {stage} stopped: {evalue}"
    if "[Errno 28]" in evalue or "No space left on device" in evalue:
        return (
            f"Stage {stage} failed: the disk is full (No space left on device): free some "
            "space, or choose a folder on another disk with --out, and run again."
        )
    if ename == "PermissionError":
        return f"Stage {stage} failed: permission denied ({evalue}); check the folder's rights."
    if ename == "DeadKernelError":
        return (
            f"Stage {stage} failed: its Python kernel died (most often the machine ran out of "
            f"memory; a crash in a compiled library is the other cause). The notebook up to "
            f"that point is {notebook}."
        )
    if "cell_index" in result:
        cell = f"cell {result['cell_index']}"
        return (
            f"Stage {stage} failed in {cell} of {notebook.name} ({ename}: {evalue}). "
            f"The executed notebook with the error is {notebook}."
        )
    return f"Stage {stage} failed ({ename}: {evalue}). See {notebook}."


# ------------------------------------------------------------------ the stage process


class StageProcess:
    """The runner's side of :mod:`kamaudit.stage_process`: one stage at a time, killable.

    :meth:`kill` ends the stage process (its process group) and the kernel (its own
    session, pid reported by the stage process): at a time limit, on Ctrl-C, SIGTERM or
    any error of the runner. Their pids are also kept in the folder's lock, so a run
    that takes over from a dead one can stop what it left.
    """

    STARTUP_S = 120  # Python, papermill and the first kernel, before a stage's clock runs

    def __init__(self, kernel: str, cwd: Path, lock: ownership.RunLock):
        self.lock = lock
        self.tmp = Path(tempfile.mkdtemp(prefix="kamaudit-run-"))
        args_path = self.tmp / "args.json"
        args = {"kernel": kernel, "cwd": str(cwd), "parent": os.getpid()}
        args_path.write_text(json.dumps(args), encoding="utf-8")
        self.err = open(self.tmp / "stderr.txt", "w+b")  # noqa: SIM115 - a file: a full pipe would block the child
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "kamaudit.stage_process", str(args_path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.err,
            start_new_session=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1", ownership.TOKEN_ENV: lock.token},
        )
        self.kernel_pid: int | None = None
        self.buffer = b""
        lock.update(child_pid=self.proc.pid)

    def run(self, stage_args: dict, timeout: float, on_start: Callable[[], None]) -> dict:
        """Run one stage; its ``done`` event, or ``{"status": "timeout" | "crashed"}``."""
        try:
            self.proc.stdin.write((json.dumps(stage_args) + "\n").encode())
            self.proc.stdin.flush()
        except OSError:
            return self._crashed()
        sent = time.perf_counter()
        deadline = sent + self.STARTUP_S + timeout
        with selectors.DefaultSelector() as sel:
            sel.register(self.proc.stdout, selectors.EVENT_READ)
            while True:
                wait = deadline - time.perf_counter()
                if wait <= 0:
                    self.kill()
                    return {"status": "timeout", "seconds": round(time.perf_counter() - sent, 2)}
                if not sel.select(timeout=min(wait, 5.0)):
                    continue
                chunk = os.read(self.proc.stdout.fileno(), 65536)
                if not chunk:
                    return self._crashed()
                self.buffer += chunk
                while b"\n" in self.buffer:
                    line, self.buffer = self.buffer.split(b"\n", 1)
                    try:
                        event = json.loads(line)
                    except json.JSONDecodeError:
                        continue  # noise a library printed
                    kind = event.get("event") if isinstance(event, dict) else None
                    if kind == "kernel":
                        self.kernel_pid = event.get("pid")
                        self.lock.update(kernel_pid=self.kernel_pid)
                    elif kind == "start":
                        sent = time.perf_counter()
                        deadline = sent + timeout
                        on_start()
                    elif kind == "done":
                        return event

    def _crashed(self) -> dict:
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=5)
        self.kill()
        self.err.seek(0)
        lines = self.err.read().decode("utf-8", "replace").strip().splitlines()
        return {
            "status": "crashed",
            "why": lines[-1] if lines else f"exit code {self.proc.returncode}",
        }

    def kill(self) -> None:
        """SIGKILL the kernel and the stage process, whatever they are doing."""
        if self.kernel_pid:
            ownership.kill_tree(self.kernel_pid)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError):
            self.proc.kill()
        self.proc.wait()

    def close(self) -> None:
        """Let the stage process shut its kernel down and end; kill it if it does not."""
        if self.proc.poll() is None:
            try:
                self.proc.stdin.write(b"null\n")
                self.proc.stdin.close()
                self.proc.wait(timeout=30)
            except (OSError, subprocess.TimeoutExpired):
                pass
        if self.proc.poll() is None or (self.kernel_pid and _alive(self.kernel_pid)):
            self.kill()
        for stream in (self.proc.stdin, self.proc.stdout, self.err):
            with contextlib.suppress(OSError):
                stream.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True


# ------------------------------------------------------------------ run


def run_engagement(
    engagement_path: str | Path,
    out_dir: str | Path | None = None,
    stages: str | Sequence[str] | None = None,
    overrides: dict | list[str] | None = None,
    deliverables: bool = True,
    progress: Callable[[str], None] | None = None,
    replace: bool = False,
    cascade: bool = True,
    if_changed: bool = False,
    from_audit: str | Path | None = None,
) -> RunResult:
    """Run the audit for one engagement file.

    Parameters
    ----------
    engagement_path
        The engagement YAML.
    out_dir
        Output folder (DESIGN.md's layout); default ``kamaudit-output`` beside the file.
    stages
        Which stages (default all, in order). A later stage reads what earlier ones left
        in the output folder; it refuses to run on stale or missing results.
    overrides
        Settings overrides, ``{"cost_to_serve.cost_of_capital": 0.1}`` or ``["k=v"]``.
    progress
        Called with one line per step (the CLI prints them).
    replace
        Replace an output folder that holds another engagement's audit.
    cascade
        Run again the later stages whose inputs this run changed (else mark them stale).
    if_changed
        Do nothing when the audit in the folder is current (``result.up_to_date``).
    from_audit
        An earlier audit of the same engagement to start the new ``out_dir`` from: its
        tables are copied, so later stages can re-run there alone (:mod:`kamaudit.carry`).

    Raises
    ------
    KamAuditError
        For a bad engagement file, a bad input, an output folder that cannot be used or
        is in use, before anything runs. Stage failures do not raise: they are in the
        result (``ok`` is False, ``error`` says why).
    KeyboardInterrupt
        On Ctrl-C (or SIGTERM in the CLI), after stopping the stage process and kernel;
        its message says what became of the audit.
    """
    t0 = time.perf_counter()
    try:
        engagement_path = Path(engagement_path).expanduser().resolve()
    except (OSError, RuntimeError):
        raise ConfigError(f"Engagement file {engagement_path} is a symbolic link loop.") from None
    if isinstance(overrides, list):
        from .config import parse_override

        overrides = dict(parse_override(o) for o in overrides)
    overrides = dict(overrides or {})
    engagement = load_engagement(engagement_path, overrides)
    stage_list = parse_stages(stages)
    inputs = check_inputs(engagement)
    from .carry import EarlierAudit

    target = out_dir or engagement.base_dir / "kamaudit-output"
    with EarlierAudit(from_audit, target, engagement_path, engagement.client) as earlier:
        out = ownership.output_folder(target)  # a refused --from never gets here
        with ownership.acquire(out, engagement=str(engagement_path)) as lock:
            earlier.copy_into(out, progress or (lambda line: None))
            run = _Run(
                engagement=engagement,
                path=engagement_path,
                overrides=overrides,
                inputs=inputs,
                stages=stage_list,
                out=out,
                lock=lock,
                say=progress or (lambda line: None),
                cascade=cascade,
            )
            result = run.execute(deliverables=deliverables, replace=replace, if_changed=if_changed)
    result.seconds = time.perf_counter() - t0
    return result


@dataclass
class _Run:
    """One run of an engagement into the output folder ``out``, which ``lock`` holds."""

    engagement: Engagement
    path: Path
    overrides: dict
    inputs: list[dict]
    stages: list[str]
    out: Path
    lock: ownership.RunLock
    say: Callable[[str], None]
    cascade: bool = True
    notes: list[str] = field(default_factory=list)  # said before the run: a take-over

    def execute(self, deliverables: bool, replace: bool, if_changed: bool) -> RunResult:
        self._take_over()
        previous = ownership.check_identity(self.out, self.path, self.engagement.client, replace)
        if if_changed and self._current(previous):
            result = RunResult(workspace=Workspace(self.out), up_to_date=True, notes=self.notes)
            result.sections = {s: CURRENT for s in STAGES}
            return result
        carry = bool(previous.get("stages")) and set(self.stages) != set(STAGES)
        staging = ownership.prepare_staging(self.out, carry)
        self.ws = Workspace(staging)
        manifest = self._manifest(previous if carry else {})
        result = RunResult(workspace=self.ws)
        try:
            self.ws.ensure()
            self.ws.write_manifest(manifest)
            self._stages(manifest, result)
            if deliverables and not result.error:
                self._deliverables(manifest, result)
        except StaleInput:
            shutil.rmtree(staging, ignore_errors=True)  # refused before anything ran
            raise
        except OSError as exc:
            result.error = os_error_sentence(exc, staging, "writing the audit")
        except Exception as exc:  # noqa: BLE001 - one sentence; the audit stays as it was
            result.error = f"The run failed ({type(exc).__name__}: {exc})."
            manifest["traceback"] = _traceback_text(exc)
        except BaseException:
            self._finish(manifest, result, status="interrupted")
            where = (
                f"the audit in {self.out} is unchanged"
                if previous.get("stages")
                else f"no audit was written to {self.out}"
            )
            raise KeyboardInterrupt(
                f"interrupted: {where}; this run's partial files are in "
                f"{self.out / ownership.FAILED}."
            ) from None
        self._finish(manifest, result, status="ok" if result.ok else "failed")
        return result

    # ---------------------------------------------------------------- before

    def _take_over(self) -> None:
        """Finish or clear what an interrupted run left, and say so."""
        done = ownership.recover(self.out)
        if done:
            self.notes.append(f"{done[0].upper()}{done[1:]} in {self.out}.")
        old = self.lock.taken_over
        manifest_path = self.out / "manifest.json"
        manifest = _read_json(manifest_path)
        if not old and manifest.get("status") != "running":
            return
        who = ownership.holder_text(old) if old else "an earlier kamaudit run"
        self.notes.append(
            f"The previous run in {self.out} ({who}) was interrupted (its process is gone): "
            "its partial results were discarded, the audit there is the one before it."
        )
        staging = self.out / ownership.STAGING
        if staging.exists():
            kept = ownership.keep_failed(self.out)
            partial = _read_json(kept / "manifest.json")
            if partial:
                partial.update(status="interrupted", error=f"{who} was interrupted.")
                with contextlib.suppress(OSError):
                    Workspace(kept).write_manifest(partial)
        if manifest:
            if manifest.get("status") == "running":
                manifest["status"] = "interrupted"
            manifest["last_run"] = {
                "status": "interrupted",
                "started": (old or {}).get("started", manifest.get("started")),
                "pid": (old or {}).get("pid"),
                "host": (old or {}).get("host"),
                "error": f"{who} was interrupted; its partial results were discarded.",
            }
            with contextlib.suppress(OSError):
                Workspace(self.out).write_manifest(manifest)

    def _current(self, previous: dict) -> bool:
        """True when the audit in the folder is what a full run would produce now."""
        if previous.get("status") != "ok" or set(previous.get("stages_requested", [])) != set(
            STAGES
        ):
            return False
        if previous.get("fingerprint") != fingerprint(self.engagement, self.inputs, STAGES):
            return False
        built = previous.get("deliverables") or {}
        if not all(built.get(k) and Path(built[k]).exists() for k in ("workbook", "report")):
            return False
        data = self.out / "data"
        records = previous.get("stages") or {}
        upstream = {s: freshness.tables_of(r, data, s) for s, r in records.items()}
        configuration = self.engagement.resolved_json()
        for stage in STAGES:
            record = records.get(stage) or {}
            now = freshness.read_fingerprint(
                configuration, stage, self.inputs, upstream, _notebook_sha(stage)
            )
            if record.get("status") != "ok" or freshness.why_stale(record.get("read"), now):
                return False
        return True

    def _manifest(self, carried: dict) -> dict:
        stages = {s: r for s, r in (carried.get("stages") or {}).items() if isinstance(r, dict)}
        return {
            "kamaudit_version": __version__,
            "engagement": str(self.path),
            "client": self.engagement.client,
            "started": ownership.now_iso(),
            "finished": None,
            "status": "running",
            "run": {k: self.lock.info.get(k) for k in ("pid", "host", "started")},
            "inputs": self.inputs,
            "overrides": self.overrides,
            "configuration": self.engagement.resolved_json(),
            "versions": versions(),
            "fingerprint": fingerprint(self.engagement, self.inputs, self.stages),
            "stages_requested": self.stages,
            "stages": ownership.relocate(stages, self.out, self.ws.root),
        }

    # ---------------------------------------------------------------- stages

    def _stages(self, manifest: dict, result: RunResult) -> None:
        """Run the requested stages, and later ones whose input changed (``cascade``)."""
        records = manifest["stages"]
        data = self.ws.data_dir
        upstream = {
            s: freshness.tables_of(r, data, s)
            for s, r in records.items()
            if r.get("status") == "ok"
        }
        configuration = manifest["configuration"]
        first = STAGES.index(self.stages[0])
        states: dict[str, dict] = {}
        proc: StageProcess | None = None
        planned = len(self.stages)
        try:
            for index, stage in enumerate(STAGES):
                record = records.get(stage) or {}
                now = freshness.read_fingerprint(
                    configuration, stage, self.inputs, upstream, _notebook_sha(stage)
                )
                ran_ok = record.get("status") == "ok"
                reason = freshness.why_stale(record.get("read"), now) if ran_ok else ""
                rerun = self.cascade and index > first and ran_ok and bool(reason)
                if stage not in self.stages and not rerun:
                    state = CURRENT if ran_ok and not reason else STALE if ran_ok else NOT_RUN
                    states[stage] = {"state": state, "reason": reason}
                    if record:
                        record.update(state=state, stale_reason=reason)
                    continue
                problem = freshness.upstream_problem(stage, states)
                if problem and not result.stages:
                    raise StaleInput(problem)
                if rerun:
                    planned += 1
                    self.say(f"{stage} runs again: {reason}.")
                if problem:
                    status = StageStatus(stage=stage, status="failed", error=problem)
                    tables = {}
                else:
                    proc = proc or StageProcess(kernel_name(), self.ws.root, self.lock)
                    before = freshness.snapshot(data)
                    status = self._run_stage(proc, stage, len(result.stages) + 1, planned)
                    tables = freshness.written(data, before)
                result.stages.append(status)
                records[stage] = {
                    **status.as_dict(),
                    "state": RAN_NOW,
                    "stale_reason": "",
                    "run": manifest["started"],
                    "read": now,
                    "tables": tables,
                }
                upstream[stage] = tables
                states[stage] = {"state": RAN_NOW, "reason": ""}
                self.ws.write_manifest(manifest)
                if status.status != "ok":
                    result.error = status.error
                    return
        except BaseException:
            if proc is not None:
                proc.kill()
            raise
        finally:
            if proc is not None:
                proc.close()
            result.sections = {s: states.get(s, {}).get("state", NOT_RUN) for s in STAGES}
            manifest["sections"] = result.sections
            result.notes = self.notes + _section_notes(states, self.stages)

    def _run_stage(self, proc: StageProcess, stage: str, i: int, n: int) -> StageStatus:
        timeout = self.engagement.run.stage_timeout_s
        source = notebooks_dir() / NOTEBOOKS[stage]
        target = self.ws.notebooks_dir / NOTEBOOKS[stage]
        if not source.exists():
            return StageStatus(
                stage=stage,
                status="failed",
                error=f"Stage {stage}: notebook {source} is missing from the installation.",
            )
        stage_args = {
            "stage": stage,
            "source": str(source),
            "target": str(target),
            "parameters": {
                "engagement_path": str(self.path),
                "workspace": str(self.out),  # open_stage writes to the staging folder
                "overrides_json": json.dumps(self.overrides, default=str),
            },
            "cell_timeout": self.engagement.run.cell_timeout_s,
        }
        target.unlink(missing_ok=True)  # never show an earlier run's notebook as this one's
        event = proc.run(stage_args, timeout, lambda: self.say(f"[{i}/{n}] {stage} ..."))
        status = StageStatus(
            stage=stage,
            notebook=str(target) if target.exists() else "",
            seconds=event.get("seconds", 0.0),
            html=event.get("html", ""),
        )
        if event.get("status") == "ok":
            status.status = "ok"
            self.say(f"[{i}/{n}] {stage} done in {status.seconds:.1f} s")
            return status
        status.status = "failed"
        if event["status"] == "timeout":
            status.error = (
                f"Stage {stage} did not finish within {timeout} s and was stopped, with its "
                "kernel (run.stage_timeout_s in the engagement file)."
            )
        elif event["status"] == "crashed":
            status.error = (
                f"Stage {stage} failed: the stage process ended unexpectedly ({event['why']})."
            )
        else:
            status.error = stage_error_sentence(stage, target, event)
        self.say(f"[{i}/{n}] {stage} failed after {status.seconds:.1f} s")
        return status

    # ---------------------------------------------------------------- after

    def _synthesis(self, result: RunResult) -> None:
        """What needs several stages (actions, pocket margins), before any deliverable.

        Computed afresh from the stages' tables each run; without a customer P&L there is
        nothing to synthesise, and an earlier run's synthesis is removed, never shown.
        """
        from . import synthesis

        if not self.ws.has_table("customer_pnl"):
            for name in synthesis.TABLES:
                self.ws.table_path(name).unlink(missing_ok=True)
            return
        try:
            inputs = synthesis.load_inputs(self.ws)
            self.ws.save(synthesis.run(inputs, self.engagement, self.engagement.period))
        except KamAuditError as exc:
            result.error = f"The synthesis (action list) failed: {exc}"

    def _deliverables(self, manifest: dict, result: RunResult) -> None:
        self.ws.write_manifest(manifest)  # with "sections", for contributors that show them
        self._synthesis(result)
        self.say("deliverables ...")
        t = time.perf_counter()
        try:
            from .deliverables import build_deliverables

            built = build_deliverables(self.engagement, self.ws, pdf=True)
        except KamAuditError as exc:
            result.error = f"Deliverables failed: {exc}"
            return
        except OSError as exc:
            where = self.ws.deliverables_dir
            result.error = os_error_sentence(exc, where, "writing the deliverables")
            return
        except Exception as exc:  # noqa: BLE001 - reported as one sentence, traceback in log
            result.error = f"Deliverables failed ({type(exc).__name__}: {exc})."
            manifest["deliverables_traceback"] = _traceback_text(exc)
            return
        result.workbook, result.report = built[0], built[1]
        problems = [
            {"stage": getattr(e, "stage", ""), "error": str(getattr(e, "error", e))}
            for e in getattr(built, "errors", [])
        ]
        manifest["deliverables"] = {
            "workbook": str(result.workbook),
            "report": str(result.report),
            "seconds": round(time.perf_counter() - t, 2),
            "errors": problems,
            "notes": list(getattr(built, "notes", [])),
            "sections": result.sections,
        }
        if problems:
            parts = "; ".join(f"{p['stage']}: {p['error']}" for p in problems)
            result.error = (
                f"The deliverables were written without the part of {len(problems)} stage(s) "
                f"that failed to build ({parts})."
            )
        self.say(f"deliverables done in {time.perf_counter() - t:.1f} s")

    def _finish(self, manifest: dict, result: RunResult, status: str) -> None:
        """Replace the audit (success) or keep this run apart and leave the audit alone."""
        manifest.update(
            finished=ownership.now_iso(),
            seconds=round(time.perf_counter() - _started(manifest), 2),
            status=status,
            error=result.error,
        )
        staging = self.ws.root
        if status == "ok":
            try:
                self._commit(manifest, result)
                return
            except OSError as exc:
                result.error = os_error_sentence(exc, self.out, "replacing the audit")
                manifest.update(status="failed", error=result.error)
        kept = ownership.keep_failed(self.out)
        had_audit = (self.out / "manifest.json").exists() and bool(
            _read_json(self.out / "manifest.json").get("stages")
        )
        if result.error:
            where = f"The audit in {self.out} is unchanged" if had_audit else "No audit was written"
            result.error = f"{result.error} {where}; this run is kept in {kept}."
        manifest = ownership.relocate(manifest, staging, kept)
        manifest["error"] = result.error
        result.error = ownership.relocate(result.error, staging, kept)
        result.workspace = Workspace(kept)
        for s in result.stages:
            s.notebook, s.html = (
                ownership.relocate(v, staging, kept) for v in (s.notebook, s.html)
            )
        with contextlib.suppress(OSError):
            result.workspace.write_manifest(manifest)
        last = {k: manifest.get(k) for k in ("status", "started", "finished", "error", "sections")}
        last.update(folder=str(kept), pid=os.getpid())
        current = _read_json(self.out / "manifest.json") or {
            "engagement": str(self.path),
            "client": self.engagement.client,
            "status": status,
            "error": result.error,
        }
        current["last_run"] = last
        with contextlib.suppress(OSError):
            Workspace(self.out).write_manifest(current)

    def _commit(self, manifest: dict, result: RunResult) -> None:
        staging = self.ws.root
        status_json = self.ws.data_dir / "deliverables_status.json"
        if status_json.exists():
            built = ownership.relocate(_read_json(status_json), staging, self.out)
            self.ws.write_json("deliverables_status", built)
        self.ws.write_manifest(ownership.relocate(manifest, staging, self.out))
        ownership.commit(self.out)
        result.workspace = Workspace(self.out)
        result.workbook = result.workbook and Path(
            ownership.relocate(str(result.workbook), staging, self.out)
        )
        result.report = result.report and Path(
            ownership.relocate(str(result.report), staging, self.out)
        )
        for s in result.stages:
            s.notebook, s.html = (
                ownership.relocate(v, staging, self.out) for v in (s.notebook, s.html)
            )


def _section_notes(states: dict[str, dict], requested: list[str]) -> list[str]:
    """What a reader of the deliverables must know: sections that are stale or missing."""
    notes = []
    for stage, state in states.items():
        if state["state"] == STALE:
            notes.append(
                f"The {stage} results are from an earlier run and stale ({state['reason']}): "
                f"the deliverables' {stage} part does not match; run --stages {stage}."
            )
        elif state["state"] == NOT_RUN and set(requested) != set(STAGES):
            notes.append(f"Stage {stage} has not run: the deliverables have no {stage} part.")
    return notes


def _notebook_sha(stage: str) -> str:
    path = notebooks_dir() / NOTEBOOKS[stage]
    return sha256_file(path) if path.is_file() else "missing"


def _read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _started(manifest: dict) -> float:
    try:
        started = dt.datetime.fromisoformat(manifest["started"])
    except (KeyError, TypeError, ValueError):
        return time.perf_counter()
    return time.perf_counter() - (dt.datetime.now(dt.UTC) - started).total_seconds()


def _traceback_text(exc: BaseException) -> str:
    import traceback

    return "".join(traceback.format_exception(exc))


def raise_for(result: RunResult) -> None:
    """Raise a StageError when a run failed (for callers who prefer exceptions)."""
    if not result.ok:
        failed = next((s for s in result.stages if s.status == "failed"), None)
        raise StageError(
            result.error,
            stage=failed.stage if failed else "",
            notebook=failed.notebook if failed else "",
        )
