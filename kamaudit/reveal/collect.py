"""Find the answer keys of a pack and the audits of its companies, and pair them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError
from .facts import AuditData, read_audit

__all__ = ["Pairing", "find_audits", "pair", "read_keys"]

_SKIP = {"failed-run", "data", "notebooks", "deliverables", "figures"}


def read_keys(pack: Path) -> dict[str, dict]:
    """``{label: answer key}`` from ``pack/answer_keys/*.json`` (a pack) or ``pack/*.json``
    (the answers folder ``kamaudit sample`` writes beside a single company)."""
    pack = Path(pack)
    if not pack.is_dir():
        raise ConfigError(f"reveal: {pack} is not a folder; give the seminar pack's folder.")
    folder = pack / "answer_keys" if (pack / "answer_keys").is_dir() else pack
    keys = {}
    for path in sorted(folder.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ConfigError(f"reveal: {path} cannot be read as an answer key ({exc}).") from None
        if isinstance(data, dict) and "facts" in data:
            keys[path.stem] = data
    if not keys:
        raise ConfigError(
            f"reveal: no answer key in {folder} (answer_keys/company_01.json … as "
            "`kamaudit sample --pack` writes them)."
        )
    return keys


def find_audits(roots: list[Path]) -> list[tuple[str, Path]]:
    """``(group, folder)`` of every audit under ``roots``: folders holding a manifest.json.

    The group is the audit folder's name (in a batch folder, the engagement's name).
    """
    found: list[tuple[str, Path]] = []
    for root in roots:
        root = Path(root)
        if not root.is_dir():
            raise ConfigError(f"reveal: {root} is not a folder of audits.")
        if (root / "manifest.json").is_file():
            found.append((root.name, root))
            continue
        for manifest in sorted(root.rglob("manifest.json")):
            rel = manifest.parent.relative_to(root).parts
            if len(rel) > 3 or any(p.startswith(".") or p in _SKIP for p in rel):
                continue
            found.append(("/".join(rel), manifest.parent))
    if not found:
        raise ConfigError(
            "reveal: no audit found (a folder with manifest.json) under "
            + ", ".join(str(r) for r in roots)
            + "; run the pack first: kamaudit batch PACK --out AUDITS."
        )
    return found


@dataclass
class Pairing:
    group: str
    label: str
    key: dict
    audit: AuditData


def pair(keys: dict[str, dict], audits: list[tuple[str, Path]]) -> tuple[list[Pairing], list[str]]:
    """Each audit with its company's answer key: by the engagement's folder name
    (``company_03``), else by the client's name. Returns the pairs and a sentence for each
    audit that matches no company."""
    by_client = {k["client"]: label for label, k in keys.items()}
    pairs, unmatched = [], []
    for group, folder in audits:
        audit = read_audit(folder)
        label = Path(audit.engagement).parent.name if audit.engagement else ""
        if label not in keys or keys[label]["client"] != audit.client:
            label = by_client.get(audit.client, "")
        if not label:
            unmatched.append(
                f"{folder}: the audit of {audit.client!r} matches no company of the pack."
            )
            continue
        pairs.append(Pairing(group, label, keys[label], audit))
    pairs.sort(key=lambda p: (p.label, p.group))
    return pairs, unmatched
