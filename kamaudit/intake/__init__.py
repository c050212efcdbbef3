"""Stage 1, intake: raw client tables in, canonical tables and a quality report out.

``load_inputs(engagement)`` reads the exports, ``run(inputs, settings, period)`` maps,
derives, types, validates and profiles them (pure), ``Workspace.save(result)`` writes
them. ``read_and_check(engagement)`` does the first two and is what ``kamaudit
validate`` runs. Modules: ``settings``, ``issues`` (the issue list), ``coerce`` (types,
ranges, coded values), ``steps`` (the checks in order), ``quality`` (the report), ``stage``.
"""

from .coerce import KEYS, RANGES
from .issues import ISSUE_COLUMNS, SEVERITIES, issue_sentence, issue_summary
from .settings import IntakeSettings
from .stage import (
    IntakeResult,
    load_inputs,
    read_and_check,
    reading_options,
    run,
    run_intake,
)

__all__ = [
    "ISSUE_COLUMNS",
    "KEYS",
    "RANGES",
    "SEVERITIES",
    "IntakeResult",
    "IntakeSettings",
    "issue_sentence",
    "issue_summary",
    "load_inputs",
    "read_and_check",
    "reading_options",
    "run",
    "run_intake",
]
