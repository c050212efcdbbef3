"""Errors kamaudit raises on purpose.

Every error carries a message a consultant can act on: which file, row, column or
setting, what was found, what was expected and, where we know it, what to do.
The CLI prints ``str(error)`` and exits non-zero; the traceback only under ``--debug``.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class KamAuditError(Exception):
    """Base class: anything the user can fix, said in one clear message."""


class ConfigError(KamAuditError):
    """The engagement file (or an override) is wrong."""


class InputError(KamAuditError):
    """An input file cannot be read or has the wrong shape."""


class ValidationFailed(KamAuditError):
    """Input data has fatal problems; ``problems`` lists every one of them.

    Parameters
    ----------
    problems
        A DataFrame of problems (file, sheet, row, column, value, problem, action),
        or ``None``.
    """

    def __init__(self, message: str, problems=None):
        super().__init__(message)
        self.problems = problems


class ContractError(KamAuditError):
    """A workspace table breaks the data contract (``kamaudit.contract``): a stage wrote
    what it must not, or the workspace was written by another version."""


class OutputError(KamAuditError):
    """The output folder cannot be used (a file, read-only, a loop, the disk full)."""


class FolderInUse(KamAuditError):
    """Another run holds the output folder."""


class StaleInput(KamAuditError):
    """A stage would read results that no longer match their inputs or settings."""


class StageError(KamAuditError):
    """A stage notebook failed; the executed notebook keeps the error."""

    def __init__(self, message: str, stage: str = "", notebook: str = ""):
        super().__init__(message)
        self.stage = stage
        self.notebook = notebook


def did_you_mean(value: str, choices: Iterable[str], n: int = 3, cutoff: float = 0.6) -> str:
    """Return ``' Did you mean "x"?'`` for the closest choices, or ``""``.

    >>> did_you_mean("cliet", ["client", "period"])
    ' Did you mean "client"?'
    """
    choices = [str(c) for c in choices]
    lowered = {c.lower(): c for c in choices}
    close = difflib.get_close_matches(str(value).lower(), list(lowered), n=n, cutoff=cutoff)
    if not close:
        return ""
    names = " or ".join(f'"{lowered[c]}"' for c in close)
    return f" Did you mean {names}?"
