"""Stage 4, team design: workload, headcount, assignment, contact plan, KPIs.

The method treats a key account manager (KAM) as an analyst and coordinator, not a lone
salesperson: each key account gets a cross-functional team (KAM, an executive sponsor for
the top tier, finance, logistics, marketing, specialists), every contact at the customer is
looked after in the channel they prefer, and success is measured beyond sales.

Modules, in the order :func:`run` uses them: ``settings`` (``team:`` of the engagement),
``accounts`` (the key accounts and their tiers), ``roster`` (our people), ``contact_plan``,
``workload``, ``assignment`` (KAMs, sponsors, head of KAM, supporting roles),
``headcount``, ``teams`` (matrix, assignments, coverage), ``kpis``, ``findings`` (the
plan in plain words, as messages) and ``stage`` (``load_inputs``, ``run``).

>>> inputs = load_inputs(ctx.workspace)                                   # doctest: +SKIP
>>> result = run(inputs, ctx.engagement.team, ctx.engagement.period)      # doctest: +SKIP
>>> result.feasible, result.messages[0].key                               # doctest: +SKIP
(True, 'team_design.statement.feasible')

Roster hours
------------
``team.hours_available`` is read as the hours a year a person has for key accounts (what the
client's data request asks for); rows without it get ``productive_hours_per_person`` × the
role's ``kam_share``. Set ``team.roster_hours: total`` when the roster gives all working
hours instead, and the role's share is applied to them.
"""

from __future__ import annotations

from .accounts import key_accounts
from .assignment import LOAD_COLUMNS, assign_team
from .contact_plan import contact_plan, month_labels
from .headcount import headcount
from .kpis import kpi_scorecard
from .settings import TIERS, TeamSettings
from .stage import TeamDesignResult, load_inputs, run
from .teams import coverage, team_matrix
from .workload import workload

__all__ = [
    "LOAD_COLUMNS",
    "TIERS",
    "TeamDesignResult",
    "TeamSettings",
    "assign_team",
    "contact_plan",
    "coverage",
    "headcount",
    "key_accounts",
    "kpi_scorecard",
    "load_inputs",
    "month_labels",
    "run",
    "team_matrix",
    "workload",
]
