"""What each stage read, and whether its results are still current.

A stage's record in ``manifest.json`` keeps ``read``, the fingerprint of what it read:

- ``settings``: its own section of the engagement file (``inputs`` and ``intake`` for
  intake, ``cost_to_serve``, ``profile``, ``team``) with ``client``, ``period``,
  ``currency`` and ``language``;
- ``inputs.<table>``: each input file's SHA-256 (intake only);
- ``upstream.<stage>``: the tables every earlier stage wrote, as they are now;
- ``notebook`` and ``version``: the stage notebook and kamaudit;

and ``tables``, the SHA-256 of every file it wrote in ``data/``. A stage is *current*
when what it would read now has the same fingerprint, *stale* otherwise (the reason
names what changed), *not run* when it has no successful record.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from . import __version__

STAGES: tuple[str, ...] = ("intake", "cost_to_serve", "account_profile", "team_design")
STAGE_SETTINGS = {
    "intake": ("inputs", "intake"),
    "cost_to_serve": ("cost_to_serve",),
    "account_profile": ("profile",),
    "team_design": ("team",),
}
COMMON_SETTINGS = ("client", "period", "currency", "language")
NOT_TABLES = ("deliverables_status.json",)  # written by the deliverables, not a stage

RAN_NOW, CURRENT, STALE, NOT_RUN = "ran now", "current", "stale", "not run"


def digest(obj) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, default=str).encode()).hexdigest()


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# ----------------------------------------------------------------- what a stage wrote


def snapshot(data_dir: Path) -> dict[str, tuple[int, int, int]]:
    """Each file in ``data/`` with (inode, mtime, size): a table rewritten gets a new inode."""
    out = {}
    if data_dir.is_dir():
        for entry in os.scandir(data_dir):
            if entry.is_file() and not entry.name.startswith(".") and entry.name not in NOT_TABLES:
                st = entry.stat()
                out[entry.name] = (st.st_ino, st.st_mtime_ns, st.st_size)
    return out


def written(data_dir: Path, before: dict) -> dict[str, str]:
    """SHA-256 of each file a stage wrote (new or replaced since ``before``)."""
    after = snapshot(data_dir)
    return {
        name: file_sha256(data_dir / name)
        for name, key in sorted(after.items())
        if before.get(name) != key
    }


def tables_of(record: dict, data_dir: Path, stage: str) -> dict[str, str]:
    """The SHA-256 of each table a stage's record lists, as the files are now."""
    names = record.get("tables")
    if names is None:  # a record from before kamaudit kept them: go by the names
        from .workspace import stage_writing

        names = [n for n in snapshot(data_dir) if stage_writing(n.rsplit(".", 1)[0]) == stage]
    out = {}
    for name in sorted(names):
        path = data_dir / name
        out[name] = file_sha256(path) if path.is_file() else "missing"
    return out


# ----------------------------------------------------------------- fingerprints


def read_fingerprint(
    configuration: dict,
    stage: str,
    inputs: list[dict],
    upstream: dict[str, dict[str, str]],
    notebook_sha: str,
) -> dict[str, str]:
    """What ``stage`` reads now (see the module docstring)."""
    settings = {k: configuration.get(k) for k in COMMON_SETTINGS + STAGE_SETTINGS[stage]}
    fp = {"settings": digest(settings), "notebook": notebook_sha, "version": __version__}
    if stage == "intake":
        fp.update({f"inputs.{i['table']}": i["sha256"] for i in inputs})
    for up in STAGES[: STAGES.index(stage)]:
        fp[f"upstream.{up}"] = digest(upstream.get(up, {}))
    return fp


def why_stale(recorded: dict | None, now: dict) -> str:
    """What changed since a stage read ``recorded`` ("" when nothing did)."""
    if not recorded:
        return "it has no record of what it read"
    order = ["settings", *sorted(k for k in now if k.startswith("inputs."))]
    order += [f"upstream.{s}" for s in STAGES] + ["notebook", "version"]
    reasons = []
    for key in [k for k in order if k in recorded or k in now]:
        if recorded.get(key) == now.get(key):
            continue
        if key == "settings":
            reasons.append("its settings changed")
        elif key.startswith("inputs."):
            reasons.append(f"{key} changed")
        elif key.startswith("upstream."):
            reasons.append(f"the results of {key.removeprefix('upstream.')} changed")
        elif key == "notebook":
            reasons.append("its notebook changed")
        elif key == "version":
            reasons.append("kamaudit was updated")
    return ", ".join(dict.fromkeys(reasons))


def upstream_problem(stage: str, states: dict[str, dict]) -> str:
    """Why ``stage`` may not run on what earlier stages left ("" when it may)."""
    for up in STAGES[: STAGES.index(stage)]:
        state = states.get(up, {})
        if state.get("state") in (RAN_NOW, CURRENT):
            continue
        wanted = ",".join(STAGES[STAGES.index(up) : STAGES.index(stage) + 1])
        if state.get("state") == STALE:
            what = f"{up}'s results are stale ({state.get('reason')})"
        else:
            what = f"{up} has not run in this output folder"
        return (
            f"Stage {stage} reads what {up} writes, and {what}: run --stages {wanted} "
            "(or all stages)."
        )
    return ""
