"""Stage 3's entry point: ``run(inputs, settings, period) -> ProfileResult``.

:func:`load_inputs` reads what the stage needs from the workspace, :func:`run` computes
everything from those DataFrames (no I/O), and ``Workspace.save(result)`` writes the
result's tables and its ``profile_summary`` document.

>>> inputs = load_inputs(ctx.workspace)                                   # doctest: +SKIP
>>> result = run(inputs, ctx.engagement.profile, ctx.engagement.period)   # doctest: +SKIP
>>> ctx.workspace.save(result)                                            # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..messages import Message, plural_count
from ..stage import StageResult
from .cards import profile_cards
from .fit import kam_fit
from .metrics import compute_metrics
from .portfolio import QUADRANTS, UNASSESSED, portfolio
from .relationship import contact_map, relationship
from .scoring import NOTES, drivers, score_customers
from .selection import potential_accounts, select_accounts, turnover_comparison, vip_not_key
from .settings import ProfileSettings
from .stability import stability

if TYPE_CHECKING:
    from ..config import Period

__all__ = ["INPUTS", "ProfileResult", "load_inputs", "run"]

INPUTS: dict[str, bool] = {
    "customers": False,
    "invoices": True,
    "payments": False,
    "contacts": False,
    "assessments": False,
    "customer_pnl": True,
}
"""The workspace tables the stage reads, and whether each is required."""

_SELECTION_COLUMNS = [
    "customer_id",
    "name",
    "net_revenue",
    "net_profit",
    "attractiveness",
    "strength",
    "priority",
    "priority_rank",
    "is_candidate",
    "attractiveness_unassessed",
    "strength_unassessed",
    "is_key_account",
    "is_deep_plan",
    "in_turnover_top",
    "comparison",
    "why",
    "strengths",
    "weaknesses",
]
_CONTACT_COLUMNS = [
    "customer_id",
    "name",
    "contacts_n",
    "roles_covered_n",
    "roles_covered",
    "roles_missing",
    "relationship_strength_avg",
    "relationship_strength_max",
    "competitor_ties_avg",
    "owners_n",
    "last_contact_date",
    "freshness_days",
    "single_contact_risk",
    "relationship_shape",
]


@dataclass(frozen=True)
class ProfileResult(StageResult):
    """Everything stage 3 produces; ``Workspace.save(result)`` stores it.

    ``profile`` is the canonical ``account_profile`` table; the others are written as
    ``profile_<name>``. ``summary`` holds headline numbers and ``messages`` what the stage
    skipped or assumed (catalog keys with parameters, worded by the deliverables).
    """

    profile: pd.DataFrame
    criteria: pd.DataFrame
    metrics: pd.DataFrame
    scores: pd.DataFrame
    criterion_scores: pd.DataFrame
    portfolio: pd.DataFrame
    relationship: pd.DataFrame
    contacts: pd.DataFrame
    selection: pd.DataFrame
    comparison: pd.DataFrame
    potential: pd.DataFrame
    vip_not_key: pd.DataFrame
    stability: pd.DataFrame
    cards: pd.DataFrame
    contact_map: pd.DataFrame
    summary: dict[str, Any] = field(default_factory=dict)
    messages: list[Message] = field(default_factory=list)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Workspace table name -> frame."""
        return {
            "account_profile": self.profile,
            "profile_criteria": self.criteria,
            "profile_metrics": self.metrics,
            "profile_scores": self.scores,
            "profile_criterion_scores": self.criterion_scores,
            "profile_portfolio": self.portfolio,
            "profile_relationship": self.relationship,
            "profile_contacts": self.contacts,
            "profile_selection": self.selection,
            "profile_turnover_comparison": self.comparison,
            "profile_potential": self.potential,
            "profile_vip_not_key": self.vip_not_key,
            "profile_stability": self.stability,
            "profile_cards": self.cards,
            "profile_contact_map": self.contact_map,
        }

    def documents(self) -> dict[str, Any]:
        """``profile_summary``: the headline numbers and the messages."""
        return {
            "profile_summary": {
                "summary": self.summary,
                "messages": [m.to_dict() for m in self.messages],
            }
        }

    def notes_table(self, translate: Callable[..., str] | None = None) -> pd.DataFrame:
        """What the stage assumed or skipped, one row a message.

        ``translate(key, **params)`` words a message (``Catalog(language).t``); without
        it the ``note`` column shows the catalog key.
        """
        notes = [
            translate(m.key, count=plural_count(m.params), **m.params) if translate else m.key
            for m in self.messages
        ]
        return pd.DataFrame(
            {"severity": [m.severity for m in self.messages], "note": notes}, dtype="str"
        )

    def card_scores(self, customer_id: str) -> pd.DataFrame:
        """One customer's score by criterion (for ``plots.account_profile.criterion_scores``)."""
        return self.criterion_scores.loc[self.criterion_scores["customer_id"] == str(customer_id)]


def load_inputs(workspace) -> dict[str, pd.DataFrame | None]:
    """Read what this stage needs from the workspace (:data:`INPUTS`): the canonical
    tables and stage 2's ``customer_pnl``; an absent optional table is None."""
    return {name: workspace.read_table(name, required=req) for name, req in INPUTS.items()}


def _input_messages(inputs: dict[str, pd.DataFrame | None]) -> list[Message]:
    """What the stage skips or assumes for lack of an optional table or column."""
    out = []
    for name in ("contacts", "payments"):
        df = inputs.get(name)
        if df is None or not len(df):
            out.append(Message(f"{NOTES}.no_{name}", {}, "warning"))
    cust = inputs.get("customers")
    if cust is None or cust["wallet_estimate"].notna().sum() == 0:
        out.append(Message(f"{NOTES}.no_wallet", {}, "warning"))
    if cust is None or cust["customer_since"].notna().sum() == 0:
        out.append(Message(f"{NOTES}.tenure_from_invoices", {}, "warning"))
    return out


def _with_drivers(selection: pd.DataFrame, detail: pd.DataFrame) -> pd.DataFrame:
    lift = drivers(detail)
    out = selection.copy()
    for col in ("strengths", "weaknesses"):
        out[col] = lift[col].reindex(out["customer_id"]).fillna("").astype("str").to_numpy()
    return out


def _profile_table(metrics, scores, port, rel, selection, stab, potential) -> pd.DataFrame:
    """The canonical ``account_profile`` table: one row per customer."""
    return pd.DataFrame(
        {
            "customer_id": metrics["customer_id"].astype("str"),
            "name": metrics["name"].astype("str"),
            "industry": metrics["industry"].astype("str"),
            "client_flag": metrics["client_flag"].astype("str"),
            "net_revenue": metrics["net_revenue"],
            "net_profit": metrics["net_profit"],
            "attractiveness": scores["attractiveness"],
            "strength": scores["strength"],
            "quadrant": port["quadrant"],
            "on_the_line": port["on_the_line"],
            "attractiveness_unassessed": scores["attractiveness_unassessed"].astype(bool),
            "strength_unassessed": scores["strength_unassessed"].astype(bool),
            "growth_status": metrics["growth_status"].astype("str"),
            "client_view": port["client_view"],
            "views_disagree": port["views_disagree"],
            "relationship_stage": rel["relationship_stage"],
            "stage_source": rel["stage_source"],
            "contacts_n": metrics["contacts_n"],
            "roles_covered_n": metrics["roles_covered_n"],
            "single_contact_risk": metrics["single_contact_risk"].astype("boolean"),
            "win_keep_probability": rel["win_keep_probability"],
            "priority": selection["priority"],
            "is_key_account": selection["is_key_account"].astype(bool),
            "is_deep_plan": selection["is_deep_plan"].astype(bool),
            "is_potential": metrics["customer_id"].isin(potential["customer_id"]).astype(bool),
            "in_turnover_top": selection["in_turnover_top"].astype(bool),
            "selection_frequency": stab["selection_frequency"],
            "stability": stab["stability"],
            "criteria_missing_n": scores["criteria_missing_n"],
            "why": selection["why"],
        }
    )


def _summary(
    meta: dict[str, Any],
    profile: pd.DataFrame,
    comparison: pd.DataFrame,
    counts: dict[str, int],
    settings: ProfileSettings,
) -> dict[str, Any]:
    """Headline numbers; the turnover comparison's come from its table."""
    key = profile["is_key_account"]
    stab = profile["stability"]
    missing = profile["criteria_missing_n"] > 0
    rev_total = float(profile["net_revenue"].clip(lower=0).sum()) or float("nan")
    cmp = comparison.set_index("list")
    return {
        **meta,
        "customers_n": len(profile),
        **counts,
        "core_n": int(((stab == "core") & key).sum()),
        "borderline_n": int((stab == "borderline").sum()),
        "key_revenue_pct": 100 * float(profile.loc[key, "net_revenue"].sum()) / rev_total,
        "key_profit": float(cmp.loc["key_accounts", "net_profit"]),
        "turnover_top_profit": float(cmp.loc["turnover_top", "net_profit"]),
        "both_n": int(cmp.loc["key_accounts", "both_n"]),
        "profile_only_n": int(cmp.loc["key_accounts", "only_n"]),
        "turnover_only_n": int(cmp.loc["turnover_top", "only_n"]),
        "turnover_only_unprofitable_n": int(cmp.loc["turnover_top", "only_unprofitable_n"]),
        "single_contact_key_n": int((key & profile["single_contact_risk"].fillna(False)).sum()),
        "views_disagree_n": int(profile["views_disagree"].sum()),
        "criteria_missing_customers_n": int(missing.sum()),
        "criteria_missing_key_n": int((missing & key).sum()),
        "quadrants": {q: int((profile["quadrant"] == q).sum()) for q in QUADRANTS},
        "unassessed_n": int((profile["quadrant"] == UNASSESSED).sum()),
        "strength_unassessed_n": int(profile["strength_unassessed"].sum()),
        "attractiveness_unassessed_n": int(profile["attractiveness_unassessed"].sum()),
        "on_the_line_n": int((profile["on_the_line"] != "").sum()),
        "on_the_line_key_n": int(((profile["on_the_line"] != "") & key).sum()),
        "selection_basis": _selection_basis(profile),
        "growth_new_n": int((profile["growth_status"] == "new").sum()),
        "stability_runs": settings.stability.runs,
    }


def _selection_basis(profile: pd.DataFrame) -> str:
    """``both_axes``; ``attractiveness_only`` when every key account's strength is
    unassessed; ``partly_attractiveness_only`` when some are; ``none`` without key accounts."""
    key = profile["is_key_account"]
    if not key.any():
        return "none"
    blind = profile.loc[key, "strength_unassessed"]
    if blind.all():
        return "attractiveness_only"
    return "partly_attractiveness_only" if blind.any() else "both_axes"


def _history_and_growth(metrics: pd.DataFrame, settings: ProfileSettings) -> dict[str, Any]:
    h = settings.history
    basis = str(metrics["growth_basis"].iloc[0]) if len(metrics) else "none"
    return {
        "history_min_invoices": h.min_invoices_n,
        "history_both_halves": h.both_halves,
        "growth_basis": basis,
    }


def run(
    inputs: dict[str, pd.DataFrame | None], settings: ProfileSettings, period: Period
) -> ProfileResult:
    """Run the whole key-account profile on canonical tables and the customer P&L.

    Parameters
    ----------
    inputs
        :func:`load_inputs`' tables by name: ``customer_pnl`` (stage 2) and ``invoices``
        are required; ``customers``, ``payments``, ``contacts``, ``assessments`` may be
        None (skipped, and said so in ``messages``).
    settings
        The engagement's ``profile`` settings.
    period
        The engagement's period (``start``, ``end``): growth halves, tenure, freshness.
    """
    start, end = pd.Timestamp(period.start), pd.Timestamp(period.end)
    messages = _input_messages(inputs)
    metrics = compute_metrics(inputs, inputs["customer_pnl"], start, end, settings)
    assessments = inputs.get("assessments")
    scores, detail, score_messages = score_customers(metrics, assessments, settings)
    messages += score_messages
    port = portfolio(scores, metrics, assessments, settings)
    rel = relationship(metrics, scores, assessments, settings)
    selection, meta = select_accounts(scores, metrics, settings)
    selection = _with_drivers(selection, detail)
    stab = stability(detail, metrics, selection, settings)
    potential = potential_accounts(metrics, selection, settings)
    vip = vip_not_key(metrics, selection, settings)
    profile = _profile_table(metrics, scores, port, rel, selection, stab, potential)
    cards = profile_cards(profile, metrics, detail, settings)
    selection = selection[_SELECTION_COLUMNS].copy()
    selection["selection_frequency"] = stab["selection_frequency"].to_numpy()
    selection["stability"] = stab["stability"].to_numpy()
    comparison = turnover_comparison(selection)
    counts = {"potential_n": len(potential), "vip_not_key_n": len(vip)}
    fit = kam_fit(metrics, scores, settings)
    if fit["tentative"]:
        messages.append(
            Message(
                f"{NOTES}.list_tentative", {"failed": ", ".join(fit["to_make_firm"])}, "warning"
            )
        )
    if metrics["growth_basis"].eq("trend").any():
        messages.append(Message(f"{NOTES}.growth_trend", {}, "info"))
    criteria = settings.criteria_table().assign(
        customers_missing_n=[
            int(detail.loc[detail["criterion"] == c.name, "missing"].sum())
            for c in settings.criteria
        ]
    )
    return ProfileResult(
        profile=profile,
        criteria=criteria,
        metrics=metrics,
        scores=scores,
        criterion_scores=detail,
        portfolio=port,
        relationship=rel,
        contacts=metrics[_CONTACT_COLUMNS].copy(),
        selection=selection,
        comparison=comparison,
        potential=potential,
        vip_not_key=vip,
        stability=stab,
        cards=cards,
        contact_map=contact_map(inputs.get("contacts"), cards["customer_id"]),
        summary={
            **_summary(meta, profile, comparison, counts, settings),
            **_history_and_growth(metrics, settings),
            "kam_fit": fit,
        },
        messages=messages,
    )
