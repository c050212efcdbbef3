"""Start a new output folder from an earlier audit (``kamaudit run --from AUDIT``).

A seminar group re-runs the later stages with other assumptions into a new folder, to
compare the two audits side by side. The new folder starts as a copy of the earlier
audit (its tables, working papers, figures and manifest, with the manifest's paths moved
to the new folder); the runner then runs the requested stages there, and the later stages
their change reaches, exactly as it would in the earlier folder. The earlier audit is
never written to: ``--out`` may not be the earlier audit, lie inside it or contain it, and
every refusal comes before the new folder is created or locked. A copy cut short, or a
run refused before any stage ran, leaves the new folder as it found it.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from pathlib import Path

from .errors import ConfigError, OutputError
from .ownership import ENTRIES, os_error_sentence, relocate

__all__ = ["check_earlier_audit", "copy_earlier_audit", "undo_copy"]


def _manifest(audit: Path) -> dict:
    path = audit / "manifest.json"
    if not audit.is_dir() or not path.is_file():
        raise ConfigError(
            f"--from {audit}: not an audit folder (no manifest.json there); give the --out "
            "folder of an earlier kamaudit run."
        )
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"--from {audit}: its manifest.json cannot be read ({exc}).") from None


def _nested(audit: Path, out: Path) -> str:
    """Why ``audit`` and ``out`` may not be used together ("" when they may)."""
    if audit == out:
        return f"--from {audit} is the output folder itself: give a new --out folder."
    if audit in out.parents:
        return (
            f"--out {out} is inside the earlier audit {audit}: a run there would write into "
            "that audit (and its next run would delete it); give a folder outside it."
        )
    if out in audit.parents:
        return (
            f"--from {audit} is inside the output folder {out}: a run there would move or "
            "delete it; give an --out folder that does not contain the earlier audit."
        )
    return ""


def check_earlier_audit(audit: Path, out: Path, engagement_path: Path, client: str) -> list[str]:
    """Refuse (one sentence) what :func:`copy_earlier_audit` would refuse, reading only.

    Called before the output folder is created or locked, so a refused ``--from`` leaves
    every folder as it was. Returns the stages that ran successfully in ``audit``.
    """
    audit = Path(audit).expanduser().resolve()
    out = Path(out).expanduser().resolve()
    why = _nested(audit, out)
    if why:
        raise ConfigError(why)
    manifest = _manifest(audit)
    if manifest.get("engagement") != str(engagement_path) or manifest.get("client") != client:
        raise ConfigError(
            f"--from {audit} is the audit of {manifest.get('client')!r} "
            f"({manifest.get('engagement')}), not of {client!r} ({engagement_path}): start "
            "from an audit of the same engagement file."
        )
    _taken(out)
    ok = [s for s, r in (manifest.get("stages") or {}).items() if (r or {}).get("status") == "ok"]
    if not ok:
        raise ConfigError(f"--from {audit}: no stage of that audit ran successfully.")
    return ok


def _taken(out: Path) -> None:
    if (out / "manifest.json").exists() or any(os.path.lexists(out / e) for e in ENTRIES):
        raise ConfigError(
            f"--from: the output folder {out} already holds an audit; give a new folder with "
            "--out (or leave out --from to re-run stages in that folder)."
        )


def copy_earlier_audit(audit: Path, out: Path, engagement_path: Path, client: str) -> list[str]:
    """Copy the earlier ``audit`` into the new, empty folder ``out``.

    Refuses (one sentence, see :func:`check_earlier_audit`) an ``audit`` that is not a
    kamaudit output folder, one of another engagement, one that is ``out``, inside it or
    holds it, or an ``out`` that already holds an audit. A copy cut short (a full disk,
    Ctrl-C) is removed again: ``out`` is left as it was. Returns the stages whose results
    were copied (those that ran successfully in ``audit``).
    """
    ok = check_earlier_audit(audit, out, engagement_path, client)
    audit, out = Path(audit).expanduser().resolve(), Path(out).expanduser().resolve()
    manifest = _manifest(audit)
    try:
        out.mkdir(parents=True, exist_ok=True)
        for entry in ENTRIES[:-1]:
            if (audit / entry).is_dir():
                shutil.copytree(audit / entry, out / entry)
        # the earlier folder's paths, by whole path components (never audit_03 in audit_03b)
        moved = relocate(manifest, audit, out)
        (out / "manifest.json").write_text(json.dumps(moved, ensure_ascii=False), encoding="utf-8")
    except BaseException as exc:
        undo_copy(out)
        if isinstance(exc, OSError):
            raise OutputError(os_error_sentence(exc, out, "copying the earlier audit")) from None
        raise
    return ok


def undo_copy(out: Path) -> None:
    """Remove what :func:`copy_earlier_audit` put into ``out`` (its entries, nothing else).

    Only for a folder that held no audit before the copy (the copy refuses any other), so
    every entry there is the copy's.
    """
    for entry in ENTRIES:
        path = Path(out) / entry
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        elif os.path.lexists(path):
            with contextlib.suppress(OSError):
                path.unlink()


class EarlierAudit:
    """``run --from AUDIT``: checked before the output folder exists, undone when refused.

    ``with EarlierAudit(audit, out, engagement_path, client) as earlier:`` refuses at once
    (reading only) what :func:`check_earlier_audit` refuses; :meth:`copy_into` copies
    the audit once the folder is locked. When the run is then refused before any stage
    ran (a :class:`~kamaudit.errors.KamAuditError`), the copy is removed again, and a
    folder this run created is removed when nothing else is in it. Without ``audit``
    it does nothing.
    """

    def __init__(self, audit, out, engagement_path: Path, client: str) -> None:
        self.audit = None if audit is None else Path(audit)
        self.out = Path(out).expanduser()
        self.engagement_path, self.client = engagement_path, client
        self.existed = os.path.lexists(self.out)
        self.copied: Path | None = None

    def __enter__(self) -> EarlierAudit:
        if self.audit is not None:
            check_earlier_audit(self.audit, self.out, self.engagement_path, self.client)
        return self

    def copy_into(self, out: Path, say) -> None:
        if self.audit is None:
            return
        done = copy_earlier_audit(self.audit, out, self.engagement_path, self.client)
        self.copied = Path(out)
        say(f"Started from {self.audit}: {', '.join(done)}.")

    def __exit__(self, kind, exc, tb) -> None:
        if self.audit is None or kind is None:
            return
        from .errors import KamAuditError

        if self.copied is not None and issubclass(kind, KamAuditError):
            undo_copy(self.copied)  # refused before any stage ran: the copy goes again
        if not self.existed and os.path.isdir(self.out):
            _drop_if_empty(Path(self.out).resolve())


def _drop_if_empty(folder: Path) -> None:
    """Remove a folder this run created when only its lock file is left in it."""
    from .ownership import LOCK

    with contextlib.suppress(OSError):
        if set(os.listdir(folder)) <= {LOCK}:
            (folder / LOCK).unlink(missing_ok=True)
            folder.rmdir()
