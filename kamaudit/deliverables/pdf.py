"""The report as a PDF, printed by headless Chromium beside the HTML, when Chromium is there.

The HTML carries its own print layout (A4, ``@page`` footers, landscape pages for wide
tables), so the PDF is exactly what a client gets from *Print* in a browser. Without a
Chromium on the machine no PDF is written and the build goes on; a print that fails or
hangs (a time limit) is reported as a note, never as a failed build.

>>> print_pdf("out/deliverables/acme_kam_audit.html")     # doctest: +SKIP
PosixPath('out/deliverables/acme_kam_audit.pdf')
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..workspace import atomic_path

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
"""Executables tried, in order, after ``$KAMAUDIT_CHROMIUM``."""
TIMEOUT_S = 180
ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-pdf-header-footer",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-extensions",
    "--no-first-run",
)


def find_chromium() -> str | None:
    """The Chromium to print with: ``$KAMAUDIT_CHROMIUM``, else the first on the PATH."""
    env = os.environ.get("KAMAUDIT_CHROMIUM")
    if env:
        return env if Path(env).exists() else None
    return next((p for name in BROWSERS if (p := shutil.which(name))), None)


class PrintError(RuntimeError):
    """Chromium did not print the report (its message in one sentence)."""


def print_pdf(html_path: str | Path, chromium: str | None = None) -> Path | None:
    """Print ``html_path`` to the ``.pdf`` beside it; None when there is no Chromium.

    Raises :class:`PrintError` when Chromium fails, hangs past :data:`TIMEOUT_S` or writes
    nothing. The PDF is written atomically (a failed print leaves any earlier PDF).
    """
    chromium = chromium or find_chromium()
    if chromium is None:
        return None
    html_path = Path(html_path).resolve()
    target = html_path.with_suffix(".pdf")
    with atomic_path(target, ".pdf") as tmp, tempfile.TemporaryDirectory() as profile:
        cmd = [
            chromium,
            *ARGS,
            f"--user-data-dir={profile}",
            f"--print-to-pdf={tmp}",
            html_path.as_uri(),
        ]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired as exc:
            raise PrintError(f"Chromium did not print the report within {TIMEOUT_S} s.") from exc
        except OSError as exc:
            raise PrintError(f"Chromium could not be started ({exc}).") from exc
        if proc.returncode != 0 or not Path(tmp).exists() or Path(tmp).stat().st_size == 0:
            last = (proc.stderr or "").strip().splitlines()[-1:] or ["no output"]
            raise PrintError(
                f"Chromium did not print the report (exit {proc.returncode}: {last[0]})."
            )
    return target


def pdf_pages(path: str | Path) -> int:
    """Pages in a PDF Chromium wrote (its page objects; no PDF library needed)."""
    import re

    return len(re.findall(rb"/Type\s*/Page(?![s\w])", Path(path).read_bytes()))
