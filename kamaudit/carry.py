"""Start a new output folder from an earlier audit (``kamaudit run --from AUDIT``).

A seminar group re-runs the later stages with other assumptions into a new folder, to
compare the two audits side by side. The new folder starts as a copy of the earlier
audit (its tables, working papers, figures and manifest, with the manifest's paths moved
to the new folder); the runner then runs the requested stages there, and the later stages
their change reaches, exactly as it would in the earlier folder. The earlier audit is
never written to.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from .errors import ConfigError, OutputError
from .ownership import ENTRIES, os_error_sentence, relocate

__all__ = ["copy_earlier_audit"]


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


def copy_earlier_audit(audit: Path, out: Path, engagement_path: Path, client: str) -> list[str]:
    """Copy the earlier ``audit`` into the new, empty folder ``out``.

    Refuses (one sentence) an ``audit`` that is not a kamaudit output folder, one of another
    engagement, or an ``out`` that already holds an audit. Returns the stages whose results
    were copied (those that ran successfully in ``audit``).
    """
    audit, out = Path(audit).resolve(), Path(out).resolve()
    if audit == out:
        raise ConfigError(f"--from {audit} is the output folder itself: give a new --out folder.")
    manifest = _manifest(audit)
    if manifest.get("engagement") != str(engagement_path) or manifest.get("client") != client:
        raise ConfigError(
            f"--from {audit} is the audit of {manifest.get('client')!r} "
            f"({manifest.get('engagement')}), not of {client!r} ({engagement_path}): start "
            "from an audit of the same engagement file."
        )
    if (out / "manifest.json").exists() or any((out / e).exists() for e in ENTRIES):
        raise ConfigError(
            f"--from: the output folder {out} already holds an audit; give a new folder with "
            "--out (or leave out --from to re-run stages in that folder)."
        )
    ok = [s for s, r in (manifest.get("stages") or {}).items() if (r or {}).get("status") == "ok"]
    if not ok:
        raise ConfigError(f"--from {audit}: no stage of that audit ran successfully.")
    try:
        out.mkdir(parents=True, exist_ok=True)
        for entry in ENTRIES[:-1]:
            if (audit / entry).is_dir():
                shutil.copytree(audit / entry, out / entry)
        # the earlier folder's paths, by whole path components (never audit_03 in audit_03b)
        moved = relocate(manifest, audit, out)
        (out / "manifest.json").write_text(json.dumps(moved, ensure_ascii=False), encoding="utf-8")
    except OSError as exc:
        raise OutputError(os_error_sentence(exc, out, "copying the earlier audit")) from None
    return ok
