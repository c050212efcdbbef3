"""The stage process: runs stage notebooks on one kernel, one at a time, on the runner's word.

``kamaudit run`` starts ``python -m kamaudit.stage_process ARGS.json`` in a session of its
own and writes one JSON line per stage to its stdin (``null`` or end of input: stop). The
process answers with one JSON line per event on stdout: ``kernel`` (the kernel's pid, so
the runner can kill it: the kernel runs in a session of its own), ``start`` and ``done``
(status, seconds, the error's cell and text). It shares one kernel between the stages of
the engagement (:class:`EngagementKernel`), passes only JSON-native parameters and absolute
paths, shuts the kernel down immediately (NOTES.md: the graceful shutdown stalls 3 s in
10-25% of runs) and retries once when the kernel fails to start (papermill#239).

When its parent (the runner) dies, even by ``kill -9``, a watcher thread kills the kernel
and ends the process within half a second: nothing keeps writing into the workspace.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import os
import sys
import threading
import time
from pathlib import Path

from .ownership import kill_tree


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

    def __init__(self, kernel_name: str, cwd: str, startup_timeout: float = 60, on_start=None):
        self.kernel_name = kernel_name
        self.cwd = cwd
        self.startup_timeout = startup_timeout
        self.on_start = on_start or (lambda event: None)
        self.km = None
        self.pid: int | None = None

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
                self.pid = getattr(self.km.provisioner, "pid", None)
                self.on_start({"event": "kernel", "pid": self.pid})
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
        self.pid = None


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


def _watch_parent(parent: int, kernel: EngagementKernel) -> None:
    """End this process, and its kernel, as soon as the runner is gone."""
    while os.getppid() == parent:
        time.sleep(0.5)
    with contextlib.suppress(Exception):
        if kernel.pid:
            kill_tree(kernel.pid)
    os._exit(3)


def main(argv: list[str]) -> int:
    """Run the stages the runner sends on stdin; one JSON line per event on stdout."""
    args = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    out = sys.stdout

    def emit(event: dict) -> None:
        print(json.dumps(event), file=out, flush=True)

    kernel = EngagementKernel(args["kernel"], args["cwd"], on_start=emit)
    threading.Thread(target=_watch_parent, args=(args["parent"], kernel), daemon=True).start()
    try:
        for line in sys.stdin:
            stage_args = json.loads(line)
            if not stage_args:
                break
            emit({"event": "start", "stage": stage_args["stage"]})
            t0 = time.perf_counter()
            result = _execute_stage(stage_args, kernel)
            result["seconds"] = round(time.perf_counter() - t0, 2)
            target = Path(stage_args["target"])
            if target.exists():
                result["html"] = _export_html(target)
            emit({"event": "done", "stage": stage_args["stage"], **result})
    finally:
        kernel.shutdown()
    return 0


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


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
