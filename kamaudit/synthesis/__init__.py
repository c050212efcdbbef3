"""Synthesis: what needs several stages, computed once after the four stages.

Pure functions over the stages' workspace tables, writing their own tables before any
deliverable is built (deliverables present results, never compute them):
``pocket_margins`` (the waterfall from list price to pocket profit per key account) and
``actions`` (what to do, for whom, worth how much, by whom and when, and the table it
rests on).

>>> result = run(load_inputs(workspace), None, engagement.period)    # doctest: +SKIP
>>> workspace.save(result)                                           # doctest: +SKIP
"""

from .actions import ACTION_COLUMNS, action_list, top_actions
from .pocket import POCKET_STEPS, pocket_margins
from .stage import INPUTS, TABLES, SynthesisResult, load_inputs, run

__all__ = [
    "ACTION_COLUMNS",
    "INPUTS",
    "POCKET_STEPS",
    "TABLES",
    "SynthesisResult",
    "action_list",
    "load_inputs",
    "pocket_margins",
    "run",
    "top_actions",
]
