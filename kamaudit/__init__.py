"""kamaudit: Key Account Management audits from a client's exports.

The public surface, in the order an audit uses it::

    load_engagement   read and validate an engagement file
    generate_sample   write a fictional company for training and tests
    generate_pack     write a seminar pack of companies, answer keys apart
    run_engagement    run the stage notebooks and build the deliverables
    open_stage        what a stage notebook calls first
    Workspace         the folder stages read from and write to
    KamAuditError     the base of every error kamaudit raises on purpose
"""

from __future__ import annotations

__version__ = "0.1.0"

from .config import Engagement, load_engagement
from .errors import KamAuditError
from .stage import open_stage
from .workspace import Workspace


def __getattr__(name: str):  # lazy: keeps `import kamaudit` light in notebooks
    if name == "run_engagement":
        from .runner import run_engagement

        return run_engagement
    if name in ("generate_sample", "generate_pack"):
        from . import sample

        return getattr(sample, name)
    raise AttributeError(name)


__all__ = [
    "Engagement",
    "KamAuditError",
    "Workspace",
    "__version__",
    "generate_pack",
    "generate_sample",
    "load_engagement",
    "open_stage",
    "run_engagement",
]
