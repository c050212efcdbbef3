"""The synthesis step: inputs from the workspace, results as a ``StageResult``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..messages import Message
from ..stage import StageResult
from .actions import action_list
from .evidence import evidence
from .pocket import pocket_margins

INPUTS = (
    "customer_pnl",
    "account_profile",
    "team_plan",
    "cts_big_unprofitable",
    "invoices",
    "team_capacity",
    "cts_scenarios",
    "team",
    "customers",
)
"""Workspace tables the synthesis reads (``customer_pnl`` required, the rest optional)."""
TABLES = ("actions", "pocket_margins")
"""Workspace tables the synthesis writes."""


@dataclass
class SynthesisResult(StageResult):
    """``actions``, ``pocket_margins`` and the ``evidence`` document."""

    actions: pd.DataFrame
    pocket_margins: pd.DataFrame
    messages: list[Message]
    evidence: dict[str, Any] | None = None

    def documents(self) -> dict[str, Any]:
        """``evidence``: what every headline figure rests on (:mod:`.evidence`)."""
        return {"evidence": self.evidence} if self.evidence is not None else {}

    def tables(self) -> dict[str, pd.DataFrame]:
        out = {"actions": self.actions}
        if len(self.pocket_margins):
            out["pocket_margins"] = self.pocket_margins
        return out


def load_inputs(workspace) -> dict[str, Any]:
    """The stage tables the synthesis needs, and the inputs intake received."""
    tables: dict[str, Any] = {
        name: workspace.read_table(name, required=(name == "customer_pnl")) for name in INPUTS
    }
    summary = workspace.read_json("intake_summary", {}) or {}
    tables["tables_received"] = sorted((summary.get("inputs") or {}).keys())
    tables["intake_summary"] = summary
    tables["profile_summary"] = workspace.read_json("profile_summary", {}) or {}
    return tables


def run(inputs: dict[str, Any], settings: Any, period: Any) -> SynthesisResult:
    """Compute the cross-stage results (pure). ``settings`` is the engagement (or None:
    then the evidence gives the data-based bases only)."""
    pnl, prof = inputs["customer_pnl"], inputs.get("account_profile")
    actions = action_list(
        pnl,
        prof,
        inputs.get("team_plan"),
        inputs.get("cts_big_unprofitable"),
        list(inputs.get("tables_received") or []),
        period.end,
        scenarios=inputs.get("cts_scenarios"),
        team=inputs.get("team"),
        customers=inputs.get("customers"),
    )
    pockets = pocket_margins(pnl, prof) if prof is not None else pd.DataFrame()
    messages = [Message("synthesis.actions_n", {"actions_n": len(actions)}, "info")]
    return SynthesisResult(
        actions=actions,
        pocket_margins=pockets,
        messages=messages,
        evidence=evidence(inputs, settings, period),
    )
