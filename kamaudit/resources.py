"""Where kamaudit finds its notebooks, templates and sample engagement.

In a wheel they are bundled under ``kamaudit/_bundled``; in a source checkout
(editable install) they are the repository's own ``notebooks/``, ``templates/`` and
``data/sample/`` folders.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

_PKG = Path(__file__).resolve().parent
_BUNDLED = _PKG / "_bundled"
_REPO = _PKG.parent


def _find(bundled: str, repo: str) -> Path:
    for candidate in (_BUNDLED / bundled, _REPO / repo):
        if candidate.exists():
            return candidate
    return _REPO / repo


def notebooks_dir() -> Path:
    """The stage notebooks; ``KAMAUDIT_NOTEBOOKS`` points elsewhere (tests, custom stages)."""
    override = os.environ.get("KAMAUDIT_NOTEBOOKS")
    if override:
        return Path(override).expanduser().resolve()
    return _find("notebooks", "notebooks")


def templates_dir() -> Path:
    return _find("templates", "templates")


def sample_dir() -> Path:
    return _find("sample", "data/sample")


def sample_engagement() -> Path:
    """The ready-made sample engagement file."""
    return sample_dir() / "engagement.yaml"


def default_workspace() -> Path:
    """Where a notebook opened by hand writes when no workspace is given."""
    return Path(tempfile.gettempdir()) / "kamaudit-workspace" / "sample"
