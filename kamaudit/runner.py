"""Run an engagement: the stage notebooks through papermill, then the deliverables.

The stages run in a child process (``python -m kamaudit.runner``), each under a
wall-clock limit, so a kernel that hangs after its last cell (papermill#705) is killed,
not waited for. The child starts one kernel of the current environment (registered if
missing) for the engagement and resets it between notebooks (:class:`EngagementKernel`),
passes only JSON-native parameters and absolute paths, shuts the kernel down
immediately (NOTES.md: the graceful shutdown stalls 3 s in 10-25% of runs) and retries
once when the kernel fails to start (parallel runs race on ports, papermill#239).

``manifest.json`` is rewritten after every stage: inputs with their SHA-256, the resolved
configuration, package versions, per-stage status and timings.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import logging
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from . import __version__
from .config import Engagement, load_engagement
from .errors import ConfigError, InputError, KamAuditError, StageError
from .resources import notebooks_dir
from .workspace import Workspace

STAGES: tuple[str, ...] = ("intake", "cost_to_serve", "account_profile", "team_design")
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
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


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
    """Each input's path, size and SHA-256; a missing file fails with its setting named."""
    rows = []
    for table, spec in engagement.inputs.items():
        path = Path(spec.path)
        if not path.exists():
            raise InputError(
                f'Input "{table}" not found: {path} (inputs.{table}.path in '
                f"{engagement.source_path.name if engagement.source_path else 'the engagement file'})."
            )
        if path.is_dir():
            raise InputError(f'Input "{table}" is a folder, not a file: {path}.')
        rows.append(
            {
                "table": table,
                "path": str(path),
                "bytes": path.stat().st_size,
                "sha256": sha256_file(path),
            }
        )
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


# ------------------------------------------------------------------ kernel


def kernel_name() -> str:
    """The kernel of this Python environment, registered in it if missing."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    digest = hashlib.sha1(sys.executable.encode()).hexdigest()[:8]
    name = f"kamaudit-{digest}"
    ksm = KernelSpecManager()
    try:
        spec = ksm.get_kernel_spec(name)
        if spec.argv and Path(spec.argv[0]).resolve() == Path(sys.executable).resolve():
            return name
    except NoSuchKernel:
        pass
    from ipykernel.kernelspec import install

    try:
        install(kernel_name=name, display_name=f"kamaudit ({sys.prefix})", prefix=sys.prefix)
    except OSError:  # read-only prefix: fall back to the user's folder
        install(kernel_name=name, display_name=f"kamaudit ({sys.prefix})", user=True)
    return name


# ------------------------------------------------------------------ one stage (child)

# Run silently before each notebook: the notebook starts from an empty namespace and
# execution count 1, as in a kernel of its own, while imported modules stay loaded.
_RESET = (
    "import sys as _s\n"
    "if 'matplotlib.pyplot' in _s.modules: _s.modules['matplotlib.pyplot'].close('all')\n"
    "get_ipython().reset(new_session=True)\n"
)


class EngagementKernel:
    """One kernel for the stages of one engagement, reset between notebooks.

    A kernel of its own per notebook costs about 1.6 s each (start, then importing pandas,
    matplotlib and kamaudit again), a quarter of a small audit. Resetting the namespace
    keeps every notebook as independent as in a fresh kernel (nothing it did not define
    itself is visible; nbval still runs each notebook alone). Started on first use, with
    one retry when the start fails (parallel runs race on ports, papermill#239).
    """

    def __init__(self, kernel_name: str, cwd: str, startup_timeout: float = 60):
        self.kernel_name = kernel_name
        self.cwd = cwd
        self.startup_timeout = startup_timeout
        self.km = None

    def ready(self):
        """The kernel manager, its kernel started and reset for the next notebook."""
        if self.km is None or not _sync(self.km.is_alive)():
            self.shutdown()
            self._start()
        else:
            self._run(_RESET)
        return self.km

    def _start(self) -> None:
        # nbclient drives the kernel through asyncio: it needs the asynchronous manager
        # (a blocking client would block its loop and miss a kernel's death).
        from jupyter_client.manager import AsyncKernelManager

        for attempt in (1, 2):
            self.km = AsyncKernelManager(kernel_name=self.kernel_name)
            try:
                _sync(self.km.start_kernel)(cwd=self.cwd)
                self._run(None)
                return
            except (RuntimeError, TimeoutError):
                self.shutdown()
                if attempt == 2:
                    raise
                time.sleep(1.0)

    def _run(self, code: str | None) -> None:
        """Wait until the kernel answers, then run ``code`` silently.

        Each call uses a client of its own, closed after: the kernel's clients share one
        session identity, and the newest connection receives the replies, so a client
        kept open would miss its replies once papermill's client has connected.
        """
        kc = self.km.client()
        kc.start_channels()
        try:
            _sync(kc.wait_for_ready)(timeout=self.startup_timeout)
            if code is None:
                return
            reply = _sync(kc.execute_interactive)(
                code, silent=True, store_history=False, timeout=self.startup_timeout
            )
            if reply["content"].get("status") != "ok":
                raise RuntimeError(
                    f"the kernel could not be reset ({reply['content'].get('evalue')})"
                )
        finally:
            kc.stop_channels()

    def shutdown(self) -> None:
        if self.km is not None:
            try:
                if self.km.has_kernel:
                    _sync(self.km.shutdown_kernel)(now=True)
            except Exception:  # noqa: BLE001 - a kernel that is already gone
                pass
        self.km = None


def _sync(coroutine_function):
    """Call an async jupyter_client method from this synchronous code (nbclient's way)."""
    from jupyter_core.utils import run_sync

    return run_sync(coroutine_function)


@functools.cache
def _engine() -> str:
    """papermill's nbclient engine on a kernel it does not own (``km=``).

    nbclient leaves a kernel it does not own running, and its own client's channels
    open; this engine closes those channels after each notebook.
    """
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines

    class SharedKernelEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(
            cls,
            nb_man,
            kernel_name,
            log_output=False,
            start_timeout=60,
            execution_timeout=None,
            **kwargs,
        ):
            kwargs.pop("input_path", None)
            client = PapermillNotebookClient(
                nb_man,
                km=kwargs.pop("km"),
                timeout=execution_timeout,
                startup_timeout=start_timeout,
                kernel_name=kernel_name,
                log=logging.getLogger("papermill"),
                log_output=log_output,
                **kwargs,
            )
            try:
                return client.execute()
            finally:
                if client.kc is not None:
                    client.kc.stop_channels()

    papermill_engines.register("kamaudit-shared-kernel", SharedKernelEngine)
    return "kamaudit-shared-kernel"


def _execute_stage(args: dict, kernel: EngagementKernel) -> dict:
    """Run one notebook with papermill on the engagement's kernel. Runs in the child."""
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    source = Path(args["source"])
    target = Path(args["target"])
    params = args["parameters"]
    declared = {p for p in pm.inspect_notebook(str(source))}
    unknown = sorted(set(params) - declared)
    if unknown:
        return {
            "status": "failed",
            "error": f"{source.name} has no parameter {', '.join(unknown)}.",
        }
    try:
        km = kernel.ready()
    except (RuntimeError, TimeoutError) as exc:  # failed twice
        return {"status": "failed", "ename": type(exc).__name__, "evalue": str(exc)}
    try:
        pm.execute_notebook(
            str(source),
            str(target),
            parameters=params,
            engine_name=_engine(),
            km=km,
            kernel_name=kernel.kernel_name,
            cwd=kernel.cwd,
            progress_bar=False,
            log_output=False,
            execution_timeout=args["cell_timeout"],
            request_save_on_cell_execute=False,
        )
        return {"status": "ok"}
    except PapermillExecutionError as exc:
        return {
            "status": "failed",
            "cell_index": exc.cell_index,
            "exec_count": exc.exec_count,
            "ename": exc.ename,
            "evalue": exc.evalue,
        }
    except (RuntimeError, TimeoutError) as exc:  # the kernel died during the notebook
        return {"status": "failed", "ename": type(exc).__name__, "evalue": str(exc)}


def _child_main(argv: list[str]) -> int:
    """Run the stages listed in the args file, one JSON line per event on stdout.

    One child runs every stage of a run on one kernel, so Python, papermill and the
    kernel's imports start once; the parent enforces each stage's time limit by the
    events it reads.
    """
    args = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    out = sys.stdout
    kernel = EngagementKernel(args["kernel"], args["cwd"])
    try:
        for stage_args in args["stages"]:
            print(
                json.dumps({"event": "start", "stage": stage_args["stage"]}), file=out, flush=True
            )
            t0 = time.perf_counter()
            result = _execute_stage(stage_args, kernel)
            result["seconds"] = round(time.perf_counter() - t0, 2)
            target = Path(stage_args["target"])
            if target.exists():
                result["html"] = _export_html(target)
            print(
                json.dumps({"event": "done", "stage": stage_args["stage"], **result}),
                file=out,
                flush=True,
            )
            if result.get("status") != "ok":
                break
    finally:
        kernel.shutdown()
    return 0


# ------------------------------------------------------------------ run


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
    """What a run produced. ``ok`` is False when a stage or the deliverables failed."""

    workspace: Workspace
    stages: list[StageStatus] = field(default_factory=list)
    workbook: Path | None = None
    report: Path | None = None
    error: str = ""
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.error and all(s.status in ("ok", "skipped") for s in self.stages)


_KAMAUDIT_ERRORS = {
    "KamAuditError",
    "ConfigError",
    "InputError",
    "ValidationFailed",
    "StageError",
}


def stage_error_sentence(stage: str, notebook: Path, result: dict) -> str:
    """One sentence naming the stage, the cell and the error."""
    if result.get("error"):
        return f"Stage {stage}: {result['error']}"
    ename = result.get("ename", "Error")
    evalue = (result.get("evalue") or "").strip()
    if ename in _KAMAUDIT_ERRORS and evalue:
        return f"Stage {stage} stopped: {evalue}"
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


def run_engagement(
    engagement_path: str | Path,
    out_dir: str | Path | None = None,
    stages: str | Sequence[str] | None = None,
    overrides: dict | list[str] | None = None,
    deliverables: bool = True,
    progress: Callable[[str], None] | None = None,
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
        in the workspace.
    overrides
        Settings overrides, ``{"cost_to_serve.cost_of_capital": 0.1}`` or ``["k=v"]``.
    progress
        Called with one line per step (the CLI prints them).

    Raises
    ------
    KamAuditError
        For a bad engagement file or a missing input, before anything runs. Stage
        failures do not raise: they are in the result (``ok`` is False, ``error`` says why).
    """
    t0 = time.perf_counter()
    say = progress or (lambda line: None)
    engagement_path = Path(engagement_path).expanduser().resolve()
    if isinstance(overrides, list):
        from .config import parse_override

        overrides = dict(parse_override(o) for o in overrides)
    overrides = dict(overrides or {})
    engagement = load_engagement(engagement_path, overrides)
    stage_list = parse_stages(stages)
    inputs = check_inputs(engagement)
    out = (
        Path(out_dir).expanduser().resolve() if out_dir else engagement.base_dir / "kamaudit-output"
    )
    ws = Workspace(out).ensure()

    manifest = ws.read_manifest()
    previous_stages = manifest.get("stages", {}) if isinstance(manifest.get("stages"), dict) else {}
    manifest.update(
        {
            "kamaudit_version": __version__,
            "engagement": str(engagement_path),
            "client": engagement.client,
            "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "finished": None,
            "status": "running",
            "inputs": inputs,
            "overrides": overrides,
            "configuration": engagement.resolved_json(),
            "versions": versions(),
            "fingerprint": fingerprint(engagement, inputs, stage_list),
            "stages_requested": stage_list,
            "stages": previous_stages,
        }
    )
    ws.write_manifest(manifest)

    result = RunResult(workspace=ws)
    kernel = kernel_name()
    params = {
        "engagement_path": str(engagement_path),
        "workspace": str(ws.root),
        "overrides_json": json.dumps(overrides, default=str),
    }
    n = len(stage_list)
    for status in _run_stages(stage_list, params, kernel, engagement, ws, say):
        i = stage_list.index(status.stage) + 1
        result.stages.append(status)
        manifest["stages"][status.stage] = status.as_dict()
        ws.write_manifest(manifest)
        if status.status != "ok":
            say(f"[{i}/{n}] {status.stage} failed after {status.seconds:.1f} s")
            result.error = status.error
            break
        say(f"[{i}/{n}] {status.stage} done in {status.seconds:.1f} s")

    if deliverables and not result.error:
        say("deliverables ...")
        t = time.perf_counter()
        try:
            from .deliverables import build_deliverables

            built = build_deliverables(engagement, ws)
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
            }
            if problems:
                parts = "; ".join(f"{p['stage']}: {p['error']}" for p in problems)
                result.error = (
                    f"The deliverables were written without the part of {len(problems)} stage(s) "
                    f"that failed to build ({parts})."
                )
            say(f"deliverables done in {time.perf_counter() - t:.1f} s")
        except KamAuditError as exc:
            result.error = result.error or f"Deliverables failed: {exc}"
        except Exception as exc:  # noqa: BLE001 - reported as one sentence, traceback in log
            result.error = result.error or f"Deliverables failed ({type(exc).__name__}: {exc})."
            manifest["deliverables_traceback"] = _traceback_text(exc)

    result.seconds = time.perf_counter() - t0
    manifest["finished"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    manifest["seconds"] = round(result.seconds, 2)
    manifest["status"] = "ok" if result.ok else "failed"
    manifest["error"] = result.error
    ws.write_manifest(manifest)
    return result


def _traceback_text(exc: BaseException) -> str:
    import traceback

    return "".join(traceback.format_exception(exc))


def _run_stages(
    stage_list: list[str],
    params: dict,
    kernel: str,
    engagement: Engagement,
    ws: Workspace,
    say: Callable[[str], None],
) -> Iterator[StageStatus]:
    """Run the stages in one child process; yield each stage's status as it ends."""
    import selectors

    timeout = engagement.run.stage_timeout_s
    stage_args = []
    for stage in stage_list:
        source = notebooks_dir() / NOTEBOOKS[stage]
        if not source.exists():
            yield StageStatus(
                stage=stage,
                status="failed",
                error=f"Stage {stage}: notebook {source} is missing from the installation.",
            )
            return
        stage_args.append(
            {
                "stage": stage,
                "source": str(source),
                "target": str(ws.notebooks_dir / NOTEBOOKS[stage]),
                "parameters": params,
                "cell_timeout": engagement.run.cell_timeout_s,
            }
        )
    run_args = {"kernel": kernel, "cwd": str(ws.root), "stages": stage_args}
    with tempfile.TemporaryDirectory(prefix="kamaudit-run-") as tmp:
        args_path = Path(tmp) / "args.json"
        args_path.write_text(json.dumps(run_args), encoding="utf-8")
        err_file = open(Path(tmp) / "stderr.txt", "w+b")  # noqa: SIM115 - a file: a full pipe would block the child
        proc = subprocess.Popen(
            [sys.executable, "-m", "kamaudit.runner", str(args_path)],
            stdout=subprocess.PIPE,
            stderr=err_file,
            start_new_session=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        sel = selectors.DefaultSelector()
        sel.register(proc.stdout, selectors.EVENT_READ)
        pending = list(stage_list)
        current, started = None, time.perf_counter()
        buffer = b""
        try:
            while pending:
                limit = started + timeout if current else time.perf_counter() + 120 + timeout
                wait = limit - time.perf_counter()
                if wait <= 0 or not sel.select(timeout=wait):
                    _kill_group(proc)
                    stage = current or pending[0]
                    target = ws.notebooks_dir / NOTEBOOKS[stage]
                    yield StageStatus(
                        stage=stage,
                        status="failed",
                        seconds=round(time.perf_counter() - started, 2),
                        notebook=str(target),
                        error=(
                            f"Stage {stage} did not finish within {timeout} s and was stopped "
                            f"(run.stage_timeout_s in the engagement file). Partial notebook: {target}."
                        ),
                    )
                    return
                chunk = os.read(proc.stdout.fileno(), 65536)
                if not chunk:  # the child ended without reporting every stage
                    proc.wait()
                    err_file.seek(0)
                    stderr = err_file.read().decode("utf-8", "replace").strip().splitlines()
                    stage = current or pending[0]
                    yield StageStatus(
                        stage=stage,
                        status="failed",
                        seconds=round(time.perf_counter() - started, 2),
                        error=f"Stage {stage} failed: the stage process ended unexpectedly "
                        f"({stderr[-1] if stderr else 'exit code ' + str(proc.returncode)}).",
                    )
                    return
                buffer += chunk
                while b"\n" in buffer:
                    line, buffer = buffer.split(b"\n", 1)
                    try:
                        event = json.loads(line)
                    except json.JSONDecodeError:
                        continue  # noise a library printed
                    if event.get("event") == "start":
                        current, started = event["stage"], time.perf_counter()
                        i = stage_list.index(current) + 1
                        say(f"[{i}/{len(stage_list)}] {current} ...")
                    elif event.get("event") == "done":
                        stage = event["stage"]
                        pending.remove(stage)
                        current = None
                        target = ws.notebooks_dir / NOTEBOOKS[stage]
                        status = StageStatus(
                            stage=stage,
                            notebook=str(target),
                            seconds=event.get("seconds", 0.0),
                            html=event.get("html", ""),
                        )
                        if event.get("status") == "ok":
                            status.status = "ok"
                        else:
                            status.status = "failed"
                            status.error = stage_error_sentence(stage, target, event)
                        yield status
                        if status.status != "ok":
                            return
        finally:
            if proc.poll() is None:
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    _kill_group(proc)
            sel.close()
            proc.stdout.close()
            err_file.close()


def _export_html(notebook: Path) -> str:
    try:
        from .deliverables.working_papers import export_notebook_html
    except ImportError:
        return ""
    html = notebook.with_suffix(".html")
    try:
        export_notebook_html(notebook, html)
    except Exception:  # noqa: BLE001 - a working paper export never fails the audit
        return ""
    return str(html)


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()
    proc.wait()


def raise_for(result: RunResult) -> None:
    """Raise a StageError when a run failed (for callers who prefer exceptions)."""
    if not result.ok:
        failed = next((s for s in result.stages if s.status == "failed"), None)
        raise StageError(
            result.error,
            stage=failed.stage if failed else "",
            notebook=failed.notebook if failed else "",
        )


if __name__ == "__main__":
    sys.exit(_child_main(sys.argv[1:]))
