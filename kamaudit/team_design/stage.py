"""Stage 4, team design: ``run(inputs, settings, period)`` and what it returns.

>>> inputs = load_inputs(ctx.workspace)                                   # doctest: +SKIP
>>> result = run(inputs, ctx.engagement.team, ctx.engagement.period)      # doctest: +SKIP
>>> ctx.workspace.save(result)                                            # doctest: +SKIP

``load_inputs`` and ``Workspace.save`` are the only steps that touch the workspace; ``run``
chains the pure functions of the other modules.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..messages import Message
from ..stage import StageResult
from . import findings
from .accounts import key_accounts
from .assignment import assign_team, empty_load, empty_plan
from .contact_plan import contact_plan, with_owners
from .headcount import headcount
from .kpis import CLV_METHODS, kpi_scorecard
from .roster import build_roster
from .settings import TeamSettings
from .teams import assignments, coverage, team_matrix
from .workload import workload

if TYPE_CHECKING:
    from ..config import Period
    from ..workspace import Workspace

__all__ = ["INPUTS", "TeamDesignResult", "load_inputs", "run"]

INPUTS: tuple[str, ...] = ("customers", "invoices", "contacts", "assessments", "team")
"""The canonical tables the stage reads (each optional), besides the earlier stages'
``account_profile`` (required) and ``customer_pnl`` (optional)."""


@dataclass(frozen=True)
class TeamDesignResult(StageResult):
    """Everything stage 4 produces; :meth:`tables` and :meth:`documents` name what
    ``Workspace.save`` writes."""

    key_accounts: pd.DataFrame
    workload: pd.DataFrame
    plan: pd.DataFrame
    assignments: pd.DataFrame
    load: pd.DataFrame
    capacity: pd.DataFrame
    matrix: pd.DataFrame
    coverage: pd.DataFrame
    contact_plan: pd.DataFrame
    kpis: pd.DataFrame
    messages: list[Message] = field(default_factory=list)
    feasible: bool = True
    head_of_kam: str | None = None
    plan_start: dt.date | None = None
    skipped: list[str] = field(default_factory=list)
    clv_method_key: str = ""

    @property
    def clv_method(self) -> str:
        """How the lifetime value was measured (the KPI table's ``method``), or ``""``."""
        return CLV_METHODS.get(self.clv_method_key, "")

    def tables(self) -> dict[str, pd.DataFrame]:
        """``team_plan`` (customer_id, person_id, role, hours, reason, ...),
        ``team_assignments``, ``team_workload``, ``team_load``, ``team_capacity``,
        ``team_matrix``, ``team_coverage``, ``team_contact_plan`` and ``team_kpis``."""
        return {
            "team_plan": self.plan,
            "team_assignments": self.assignments,
            "team_workload": self.workload,
            "team_load": self.load,
            "team_capacity": self.capacity,
            "team_matrix": self.matrix,
            "team_coverage": self.coverage,
            "team_contact_plan": self.contact_plan,
            "team_kpis": self.kpis,
        }

    def documents(self) -> dict[str, Any]:
        """``team_summary`` (feasible, head of KAM, plan start, what was skipped, the
        lifetime-value method) and ``team_messages`` (the findings, as messages)."""
        return {"team_summary": self.summary(), "team_messages": self.messages_list()}

    def messages_list(self) -> list[dict[str, Any]]:
        return [m.to_dict() for m in self.messages]

    def summary(self) -> dict[str, Any]:
        """JSON-native summary (``team_summary``)."""
        return {
            "feasible": bool(self.feasible),
            "head_of_kam": self.head_of_kam,
            "plan_start": self.plan_start.isoformat() if self.plan_start else None,
            "skipped": list(self.skipped),
            "key_accounts_n": int(len(self.key_accounts)),
            "clv_method": self.clv_method,
            "clv_method_key": self.clv_method_key,
        }


def load_inputs(workspace: Workspace) -> dict[str, pd.DataFrame | None]:
    """What the stage reads from the workspace: the canonical tables it uses (None when
    absent), ``account_profile`` (required: run the key-account profile first) and
    ``customer_pnl`` (None when cost-to-serve has not run)."""
    inputs = {n: workspace.read_table(n, required=False) for n in INPUTS}
    inputs["account_profile"] = workspace.read_table("account_profile")
    inputs["customer_pnl"] = workspace.read_table("customer_pnl", required=False)
    return inputs


def _present(df: pd.DataFrame | None) -> pd.DataFrame | None:
    return df if df is not None and len(df) else None


def _plan_start(settings: TeamSettings, period: Period) -> dt.date:
    """The contact plan's first month: ``plan_start``, else the month after the period."""
    start = settings.plan_start or (pd.Timestamp(period.end) + pd.offsets.MonthBegin(1)).date()
    return start.replace(day=1)


def _skipped(team, contacts) -> list[str]:
    skipped = []
    if team is None:
        skipped += ["assignment", "team_matrix", "load", "kpis_per_kam"]
    if contacts is None:
        skipped += ["contact_plan", "coverage"]
    return skipped


def run(
    inputs: dict[str, pd.DataFrame | None], settings: TeamSettings, period: Period
) -> TeamDesignResult:
    """Design the KAM team around the key accounts.

    Parameters
    ----------
    inputs
        :func:`load_inputs`'s dict: ``account_profile`` (stage 3: ``customer_id``,
        ``quadrant`` (the tier), ``is_key_account``, ...), ``customer_pnl`` (stage 2, for
        historical lifetime value, or None) and the canonical ``customers``, ``invoices``,
        ``contacts``, ``assessments`` and ``team`` (the roster), each None when absent.
    settings
        The engagement's ``team:`` settings.
    period
        The audited period (``engagement.period``): the KPI windows end at its end, and
        the contact plan starts the month after it unless ``plan_start`` is set.

    Returns
    -------
    TeamDesignResult
        Tables and findings; ``feasible`` is False when a key account has no KAM or an
        account of a sponsored tier no sponsor.
    """
    team, contacts = _present(inputs.get("team")), _present(inputs.get("contacts"))
    invoices, staffed = inputs.get("invoices"), team is not None
    key = key_accounts(inputs["account_profile"], inputs.get("customers"), settings)
    messages = findings.data_gaps(key, team, contacts, settings)
    messages += findings.kam_cap_over_roster(team, settings)
    roster = build_roster(team, settings)
    cplan = contact_plan(
        key,
        contacts,
        settings,
        set(roster["role"]) if staffed else None,
        _plan_start(settings, period),
    )
    work = workload(key, cplan, settings)
    if contacts is not None:
        messages += findings.without_contacts(work)
    res = assign_team(key, work, team, settings) if staffed and len(key) else None
    plan = res["plan"] if res else empty_plan()
    head = (res["head_needed"], res["head_hours"]) if res else (0.0, 0.0)
    cap = headcount(work, roster if staffed else None, settings, plan if staffed else None, head)
    feasible = staffed or not len(key)
    if res is not None:
        feasible, verdict, said = findings.staffing(key, work, res, cap, settings)
        messages = ([verdict] if verdict else []) + messages + said
    cplan = with_owners(cplan, plan, key.set_index("customer_id")["name"])
    cov = (
        coverage(key, cplan, roster if staffed else None)
        if contacts is not None
        else coverage(key, cplan.iloc[0:0], None)
    )
    messages += findings.single_holders(cov, key)
    kpis, clv_key = kpi_scorecard(
        key,
        plan if staffed else None,
        invoices,
        contacts,
        inputs.get("assessments"),
        inputs.get("customer_pnl"),
        period,
        settings,
    )
    if invoices is None or not len(invoices):
        messages.append(findings.say("no_invoices"))
    if clv_key:
        messages.append(findings.say("clv_method", clv_method_key=clv_key))
    return TeamDesignResult(
        key_accounts=key,
        workload=work,
        plan=plan,
        assignments=assignments(key, plan),
        load=res["load"] if res else empty_load(),
        capacity=cap,
        matrix=team_matrix(key, plan),
        coverage=cov,
        contact_plan=cplan if contacts is not None else cplan.iloc[0:0],
        kpis=kpis,
        messages=messages,
        feasible=bool(feasible),
        head_of_kam=res["head_of_kam"] if res else None,
        plan_start=_plan_start(settings, period),
        skipped=_skipped(team, contacts),
        clv_method_key=clv_key,
    )
