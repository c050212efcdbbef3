"""Who owns an output folder, and how a run replaces the audit in it.

One run at a time writes into an output folder. It holds ``OUT/.kamaudit.lock`` (an
exclusive ``flock``, released by the operating system when its process dies, even by
``kill -9``); the file says who holds it: pid, host, start time and the pids of the
stage process and the kernel. A second run is refused with those facts; a lock file left
by a process that is gone is taken over, its leftover processes are stopped, and the
caller is told that run was interrupted.

A run builds the new audit in ``OUT/.kamaudit-run/`` (the staging folder) and replaces
the audit in ``OUT`` only when it succeeded (:func:`commit`): each entry (``data``,
``notebooks``, ``deliverables``, ``figures``, ``manifest.json``) moves aside, the new
one moves in, and a journal (``OUT/.kamaudit-swap.json``) lets the next run finish a swap
that a crash cut short. A failed run's folder becomes ``OUT/failed-run/`` for inspection;
the previous audit stays as it was.

POSIX only (Linux, macOS): ``fcntl.flock`` and process groups.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import json
import os
import re
import secrets
import shutil
import signal
import socket
import stat
from dataclasses import dataclass
from pathlib import Path

from .errors import ConfigError, FolderInUse, OutputError

LOCK = ".kamaudit.lock"
STAGING = ".kamaudit-run"
PREVIOUS = ".kamaudit-previous"
SWAP = ".kamaudit-swap.json"
FAILED = "failed-run"
ENTRIES = ("data", "notebooks", "deliverables", "figures", "manifest.json")
TOKEN_ENV = "KAMAUDIT_RUN_TOKEN"
"""Set in the stage process and kernel of a run: ``open_stage`` then writes to staging."""


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


# ----------------------------------------------------------------- sentences


def os_error_sentence(exc: OSError, path: Path | str, doing: str) -> str:
    """One sentence for a file-system error: what failed, where, and what to do."""
    where = str(getattr(exc, "filename", None) or path)
    code = getattr(exc, "errno", None)
    if code in (errno.ENOSPC, errno.EDQUOT):
        return (
            f"The disk is full while {doing} ({where}): free some space (or choose a folder "
            "on another disk with --out) and run again."
        )
    if code in (errno.EACCES, errno.EPERM):
        return (
            f"Permission denied while {doing} ({where}): choose a folder you can write to "
            "with --out, or fix its permissions."
        )
    if code == errno.EROFS:
        return f"{where} is on a read-only file system: choose another folder with --out."
    if code == errno.ELOOP:
        return f"{where} is a symbolic link loop: point it at a real folder."
    if code == errno.ENOTDIR:
        return f"{where}: a part of this path is a file, not a folder: choose another --out."
    reason = exc.strerror or type(exc).__name__
    return f"Could not finish {doing} ({where}: {reason})."


def output_folder(path: str | Path) -> Path:
    """The output folder, created if missing; a file, a loop or no permission is a sentence."""
    raw = Path(path).expanduser()
    try:
        root = raw.resolve(strict=False)
    except (OSError, RuntimeError):
        raise OutputError(
            f"The output folder {raw} is a symbolic link loop: choose another --out."
        ) from None
    try:
        st = os.stat(root)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise OutputError(os_error_sentence(exc, root, "opening the output folder")) from None
    if st is not None and not stat.S_ISDIR(st.st_mode):
        raise OutputError(
            f"The output path {root} is a file, not a folder: choose a folder with --out."
        )
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(os_error_sentence(exc, root, "creating the output folder")) from None
    return root


# ----------------------------------------------------------------- the lock


@dataclass
class RunLock:
    """An output folder held by this process until :meth:`release`."""

    root: Path
    fd: int
    info: dict
    taken_over: dict | None = None
    token: str = ""

    def update(self, **facts) -> None:
        """Add facts (the stage process's and kernel's pids) to the lock file."""
        self.info.update(facts)
        _write_lock(self.fd, self.info)

    def release(self) -> None:
        if self.fd < 0:
            return
        with contextlib.suppress(OSError):
            os.ftruncate(self.fd, 0)
        with contextlib.suppress(OSError):
            import fcntl

            fcntl.flock(self.fd, fcntl.LOCK_UN)
        os.close(self.fd)
        self.fd = -1

    def __enter__(self) -> RunLock:
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def _write_lock(fd: int, info: dict) -> None:
    data = json.dumps(info, sort_keys=True).encode()
    os.ftruncate(fd, 0)
    os.pwrite(fd, data, 0)
    os.fsync(fd)


def read_lock(root: Path) -> dict:
    """The facts in a folder's lock file ({} when none or empty)."""
    try:
        text = (Path(root) / LOCK).read_text(encoding="utf-8")
        info = json.loads(text) if text.strip() else {}
    except (OSError, ValueError):
        return {}
    return info if isinstance(info, dict) else {}


def holder_text(info: dict) -> str:
    return (
        f"kamaudit {info.get('command', 'run')} (pid {info.get('pid', '?')} on "
        f"{info.get('host', '?')}) since {info.get('started', '?')}"
    )


def acquire(root: Path, command: str = "run", **facts) -> RunLock:
    """Hold ``root`` for this process, or raise :class:`FolderInUse` naming the holder."""
    import fcntl

    path = root / LOCK
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise OutputError(os_error_sentence(exc, root, "locking the output folder")) from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        holder = read_lock(root)
        raise FolderInUse(
            f"The output folder {root} is in use by {holder_text(holder)}: wait for it to "
            "finish, or choose another folder with --out."
        ) from None
    previous = read_lock(root)
    token = secrets.token_hex(8)
    info = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "started": now_iso(),
        "command": command,
        "token": token,
        **facts,
    }
    try:
        _write_lock(fd, info)
    except OSError as exc:
        os.close(fd)
        raise OutputError(os_error_sentence(exc, root, "locking the output folder")) from None
    lock = RunLock(
        root, fd, info, taken_over=previous if previous.get("pid") else None, token=token
    )
    if lock.taken_over:
        stop_leftovers(previous)
    return lock


def stop_leftovers(info: dict) -> list[int]:
    """Kill the stage process and kernel a dead run left behind (same host only)."""
    if info.get("host") != socket.gethostname():
        return []
    killed = []
    for key, marker in (("child_pid", "kamaudit"), ("kernel_pid", "kernel")):
        pid = info.get(key)
        if isinstance(pid, int) and pid > 1 and _is_process(pid, marker):
            kill_tree(pid)
            killed.append(pid)
    return killed


def _is_process(pid: int, marker: str) -> bool:
    """True when ``pid`` runs and its command line holds ``marker`` (not a reused pid)."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:  # no /proc (macOS): ask ps
        import subprocess

        try:
            command = subprocess.run(
                ["ps", "-o", "command=", "-p", str(pid)],
                capture_output=True,
                text=True,
                timeout=10,
            ).stdout
        except (OSError, subprocess.SubprocessError):
            return False
    except UnicodeDecodeError:
        return False
    return marker in command


def kill_tree(pid: int) -> None:
    """SIGKILL a process's group when it leads one, else the process itself."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        if os.getpgid(pid) == pid:
            os.killpg(pid, signal.SIGKILL)
            return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, signal.SIGKILL)


# ----------------------------------------------------------------- identity


def check_identity(root: Path, engagement_path: Path, client: str, replace: bool) -> dict:
    """The manifest of the audit in ``root``; refuse another engagement's audit.

    A folder is the audit of the engagement file (resolved path) and client its manifest
    names. Another engagement's audit, or a folder holding ``data/`` etc. that kamaudit
    did not write, is refused unless ``replace``.
    """
    manifest_path = root / "manifest.json"
    manifest: dict = {}
    if manifest_path.exists():
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            manifest = {}
    if replace:
        return manifest if _same(manifest, engagement_path, client) else {}
    if not manifest:
        foreign = [e for e in ENTRIES[:-1] if (root / e).exists()]
        if foreign:
            raise ConfigError(
                f"The output folder {root} holds {foreign[0]}/ but no kamaudit manifest.json: "
                "choose an empty or new folder with --out, or pass --replace to replace "
                "what is there."
            )
        return {}
    if not _same(manifest, engagement_path, client) and manifest.get("engagement"):
        raise ConfigError(
            f"The output folder {root} holds the audit of {manifest.get('client')!r} "
            f"({manifest.get('engagement')}), not of {client!r} ({engagement_path}): choose "
            "another folder with --out, or pass --replace to replace that audit."
        )
    return manifest


def _same(manifest: dict, engagement_path: Path, client: str) -> bool:
    return manifest.get("engagement") == str(engagement_path) and manifest.get("client") == client


# ----------------------------------------------------------------- staging and swap


def _link_or_copy(src: str, dst: str) -> None:
    """Hard-link tables (always replaced, never written in place), copy the rest."""
    if src.endswith(".parquet"):
        try:
            os.link(src, dst)
            return
        except OSError:
            pass
    shutil.copy2(src, dst)


def prepare_staging(root: Path, carry: bool) -> Path:
    """An empty staging folder; with ``carry`` seeded with the current audit's results."""
    staging = root / STAGING
    try:
        if staging.exists():
            shutil.rmtree(staging)
        staging.mkdir()
        if carry:
            for entry in ("data", "notebooks", "figures"):
                if (root / entry).is_dir():
                    shutil.copytree(root / entry, staging / entry, copy_function=_link_or_copy)
    except OSError as exc:
        raise OutputError(os_error_sentence(exc, staging, "preparing the run folder")) from None
    return staging


def commit(root: Path) -> None:
    """Replace the audit in ``root`` by the staging folder's (journaled, see module doc)."""
    staging = root / STAGING
    entries = [e for e in ENTRIES if (staging / e).exists()]
    (root / SWAP).write_text(json.dumps({"started": now_iso(), "entries": entries}), "utf-8")
    _finish_swap(root)


def _finish_swap(root: Path) -> None:
    """Move each entry of the new audit in, the old aside; safe to repeat after a crash."""
    staging, previous = root / STAGING, root / PREVIOUS
    journal = json.loads((root / SWAP).read_text(encoding="utf-8"))
    previous.mkdir(exist_ok=True)
    for entry in ENTRIES:
        new, old, aside = staging / entry, root / entry, previous / entry
        if entry in journal["entries"] and not new.exists():
            continue  # moved in before the crash
        if os.path.lexists(old):
            _remove(aside)
            os.replace(old, aside)
        if new.exists():
            os.replace(new, old)
    (root / SWAP).unlink(missing_ok=True)
    for leftover in (previous, staging, root / FAILED):
        _remove(leftover)


def recover(root: Path) -> str:
    """Finish a swap a crash cut short and clear leftovers; say what was done ("" if nothing)."""
    said = ""
    if (root / SWAP).exists() and (root / STAGING).exists():
        try:
            _finish_swap(root)
        except (OSError, ValueError, KeyError) as exc:
            raise OutputError(
                f"An interrupted run left the audit in {root} half replaced, and finishing it "
                f"failed ({exc}): move {root / STAGING} aside by hand and run again."
            ) from None
        said = "finished replacing the audit, which an interrupted run had left half done"
    (root / SWAP).unlink(missing_ok=True)
    for leftover in (root / PREVIOUS, root / STAGING):
        _remove(leftover)
    return said


def keep_failed(root: Path) -> Path:
    """Move the staging folder to ``failed-run/`` (for inspection); return its path."""
    target = root / FAILED
    _remove(target)
    with contextlib.suppress(OSError):
        os.replace(root / STAGING, target)
        return target
    return root / STAGING


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    elif os.path.lexists(path):
        with contextlib.suppress(OSError):
            path.unlink()


# ----------------------------------------------------------------- notebooks by hand


def workspace_for_stage(workspace: Path) -> tuple[Path, str]:
    """Where a stage notebook writes when given ``workspace``; and a note for the reader.

    In a run (the run's token in the environment) that is the run's staging folder. By
    hand, a folder a run holds is refused, and a kamaudit audit folder is never written
    into: its tables are copied into a scratch workspace, and the note says so.
    """
    import tempfile

    root = Path(workspace).expanduser().resolve()
    holder = read_lock(root)
    token = os.environ.get(TOKEN_ENV)
    if token and holder.get("token") == token:
        return root / STAGING, ""
    if holder.get("pid") and _lock_is_held(root):
        raise FolderInUse(
            f"The output folder {root} is being written by {holder_text(holder)}: wait for "
            "it to finish, or leave workspace empty to use a scratch workspace."
        )
    if not (root / "manifest.json").exists():
        return root, ""
    digest = __import__("hashlib").sha1(str(root).encode()).hexdigest()[:10]
    scratch = Path(tempfile.gettempdir()) / "kamaudit-scratch" / f"{root.name}-{digest}"
    if scratch.exists():
        shutil.rmtree(scratch)
    scratch.mkdir(parents=True)
    if (root / "data").is_dir():
        shutil.copytree(root / "data", scratch / "data", copy_function=_link_or_copy)
    note = (
        f"{root} is a kamaudit audit: this notebook writes to the scratch copy {scratch}, "
        f"never into the audit. To update the audit: kamaudit run ENGAGEMENT --out {root} "
        "--stages STAGE."
    )
    return scratch, note


def _lock_is_held(root: Path) -> bool:
    import fcntl

    try:
        fd = os.open(root / LOCK, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)
    return False


def relocate(obj, old: Path, new: Path):
    """``obj`` (JSON-native) with every path under ``old`` moved under ``new``, in whole
    strings and inside sentences.

    Only a whole path component matches: ``audit_03`` moves ``audit_03/x`` but never
    ``audit_03b/x``.

    >>> old = Path("/o/audit_03")
    >>> relocate({"a": ["/o/audit_03/x", "/o/audit_03b/x", "/o/audit_03"]}, old, Path("/n"))
    {'a': ['/n/x', '/o/audit_03b/x', '/n']}
    >>> relocate("kept in /o/audit_03. See /o/audit_03/x.", old, Path("/n"))
    'kept in /n. See /n/x.'
    """
    if isinstance(obj, dict):
        return {k: relocate(v, old, new) for k, v in obj.items()}
    if isinstance(obj, list):
        return [relocate(v, old, new) for v in obj]
    if isinstance(obj, str) and str(old) in obj:
        # the path ends where a path component ends: "/", a space, a quote or bracket,
        # punctuation closing a sentence, or the end of the text
        pattern = re.escape(str(old)) + r"""(?=[/\s"'),;:\]]|\.(?:\s|$)|$)"""
        return re.sub(pattern, lambda _: str(new), obj)
    return obj
