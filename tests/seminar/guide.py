"""The trainer's guide as data: its command boxes, tagged ```` ```bash exercise=NAME ````.

The tests run these boxes as written (``kamaudit`` becomes ``python -m kamaudit``, ``cd``
changes the folder of the boxes that follow) and check what the text promises. The
translated guides carry the same boxes; each also runs its own on a pack in its language.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parents[2] / "docs"
LANGUAGES = ("en", "cs", "pl", "ru", "fa")
_BOX = re.compile(r"^( *)```bash exercise=(\S+)\n(.*?)^\1```", re.M | re.S)


def guide_path(language: str) -> Path:
    return DOCS / ("trainer_guide.md" if language == "en" else f"trainer_guide.{language}.md")


def boxes(language: str = "en") -> dict[str, list[str]]:
    """``{exercise: [command, ...]}`` in the order of the guide."""
    text = guide_path(language).read_text(encoding="utf-8")
    out: dict[str, list[str]] = {}
    for m in _BOX.finditer(text):
        lines = [ln.strip() for ln in m.group(3).splitlines()]
        out[m.group(2)] = [ln for ln in lines if ln and not ln.startswith("#")]
    return out


class Classroom:
    """Runs guide commands in a folder, following ``cd``."""

    def __init__(self, root: Path):
        self.root = root
        self.cwd = root

    def run(self, command: str, *extra: str) -> subprocess.CompletedProcess:
        args = shlex.split(command, comments=True)
        if args[0] == "cd":
            self.cwd = (self.cwd / args[1]).resolve()
            return subprocess.CompletedProcess(args, 0, "", "")
        assert args[0] == "kamaudit", command
        out = subprocess.run(
            [sys.executable, "-m", "kamaudit", *args[1:], *extra],
            cwd=self.cwd,
            capture_output=True,
            text=True,
            timeout=1800,
        )
        assert out.returncode == 0, f"{command}\n{out.stdout}\n{out.stderr}"
        return out
