"""Deliverables: the client's Excel workbook, the HTML report and the working papers.

Each stage contributes through ``kamaudit/deliverables/<stage>.py`` (``build(ctx)``);
``build_deliverables`` collects what the workspace holds and writes both files.
"""

from __future__ import annotations

from .model import (
    Bullets,
    Card,
    ChartSpec,
    Figure,
    Heading,
    KeyFigures,
    ScoreBar,
    ScoreBars,
    Section,
    Sheet,
    StageReport,
    Table,
    Text,
)

STAGE_CONTRIBUTORS = ("intake", "cost_to_serve", "account_profile", "team_design", "synthesis")


def build_deliverables(engagement, workspace, **kwargs):
    """Write the workbook and the HTML report for what the workspace holds (and, with
    ``pdf=True``, the report's PDF when Chromium is installed).

    Returns the two paths. (Implemented in ``builder.py``.)
    """
    from .builder import build_deliverables as _build

    return _build(engagement, workspace, **kwargs)


__all__ = [
    "Bullets",
    "Card",
    "ChartSpec",
    "Figure",
    "Heading",
    "KeyFigures",
    "ScoreBar",
    "ScoreBars",
    "Section",
    "Sheet",
    "StageReport",
    "Table",
    "Text",
    "build_deliverables",
]
