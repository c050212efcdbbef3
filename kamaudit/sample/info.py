"""What a generated sample is (:class:`SampleInfo`) and the error for bad arguments."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import KamAuditError

# ------------------------------------------------------------------------ result


class SampleError(KamAuditError, ValueError):
    """An argument of :func:`generate_sample` or :func:`generate_pack` is out of range."""


@dataclass(frozen=True)
class SampleInfo:
    """What :func:`generate_sample` wrote.

    Attributes
    ----------
    out_dir
        The company folder.
    engagement
        Its ``engagement.yaml``.
    tables
        Table name -> CSV path, for the nine tables of the data contract.
    readme
        The company's ``README.md``.
    answer_key_path
        Where the answer key was written (inside ``out_dir`` for a single sample,
        ``answer_keys/`` beside the companies for a pack).
    answer_key
        The planted facts, as written to ``answer_key_path``.
    """

    out_dir: Path
    engagement: Path
    tables: dict[str, Path]
    readme: Path
    answer_key_path: Path
    answer_key: dict[str, Any] = field(repr=False)
    client: str = ""
    industry: str = ""
    seed: int = 0

    def customer_ids(self, fact: str) -> list[str]:
        """Customer ids planted for one fact, e.g. ``info.customer_ids("unprofitable_vip")``."""
        return list(self.answer_key["facts"][fact]["customer_ids"])
