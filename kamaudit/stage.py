"""What a stage notebook needs to start: the engagement and the workspace.

Each notebook's first code cell after ``parameters`` is::

    ctx = kamaudit.open_stage(engagement_path, workspace, overrides_json)

Empty parameters fall back to the sample engagement and a scratch workspace, so a
trainer can open any notebook in Jupyter and run it top to bottom.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from .errors import ConfigError
from .messages import Message
from .ownership import workspace_for_stage
from .workspace import Workspace

if TYPE_CHECKING:  # config imports the stages' settings, and the stages import this module
    from .config import Engagement


class StageResult:
    """What every stage's ``run(inputs, settings, period)`` returns.

    A stage result is a value: ``tables()`` names the DataFrames it puts in the workspace,
    ``documents()`` its small JSON results, ``messages`` what it has to say (catalog keys,
    never sentences). ``Workspace.save(result)`` writes all of it; nothing else does.
    """

    messages: list[Message]

    def tables(self) -> dict[str, pd.DataFrame]:
        raise NotImplementedError

    def documents(self) -> dict[str, Any]:
        return {}


@dataclass(frozen=True)
class StageContext:
    engagement: Engagement
    workspace: Workspace


def open_stage(
    engagement_path: str = "", workspace: str = "", overrides_json: str = "{}"
) -> StageContext:
    """Load the engagement (with overrides) and open the workspace.

    In a ``kamaudit run`` the workspace is the run's staging folder. By hand, an output
    folder a run holds is refused, and an audit folder is never written into: the
    notebook works on a scratch copy of its tables and says so (see
    :func:`kamaudit.ownership.workspace_for_stage`).
    """
    from .config import load_engagement
    from .resources import default_workspace, sample_engagement

    path = Path(engagement_path) if engagement_path else sample_engagement()
    try:
        overrides = json.loads(overrides_json or "{}")
    except json.JSONDecodeError as exc:
        raise ConfigError(f"overrides_json is not valid JSON: {exc}") from None
    eng = load_engagement(path, overrides)
    if not engagement_path:  # say loudly which company this is: not the group's
        from .teaching import sample_banner

        print(sample_banner(eng, path))
    root, note = workspace_for_stage(Path(workspace)) if workspace else (default_workspace(), "")
    if note:
        print(note)
    ws = Workspace(root).ensure()
    return StageContext(engagement=eng, workspace=ws)
