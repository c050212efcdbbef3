"""Stage 2 in one call: ``run(inputs, settings, period) -> CostToServeResult``.

>>> inputs = load_inputs(workspace)                                   # doctest: +SKIP
>>> result = run(inputs, engagement.cost_to_serve, engagement.period)  # doctest: +SKIP
>>> workspace.save(result)                                            # doctest: +SKIP

``load_inputs`` is the only function here that reads the workspace; ``Workspace.save``
writes what ``result.tables()`` and ``result.documents()`` name.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError
from ..messages import Message
from ..stage import StageResult
from .avoidability import avoidability
from .drivers import unpooled_activities
from .findings import findings, input_notes, message_record, pool_notes
from .pnl import customer_pnl
from .rates import period_years
from .reconcile import check_unallocated, reconcile
from .robustness import robustness
from .scenarios import scenario_summary, scenarios
from .segments import (
    abc,
    abc_matrix,
    big_unprofitable,
    quadrant_summary,
    shapiro_matrix,
    sinking_lines,
)
from .sensitivity import sensitivity
from .settings import CostToServeSettings
from .whale import WhaleCurve, whale_curve

__all__ = ["INPUT_TABLES", "CostToServeResult", "load_inputs", "run", "run_cost_to_serve"]

INPUT_TABLES = ("customers", "invoices", "rebates", "activities", "cost_pools", "payments")
"""The canonical tables stage 2 reads (``invoices`` required, the others optional)."""

#: Canonical ``customer_pnl`` columns first (docs/architecture.md), extras after.
PNL_FIRST = [
    "customer_id",
    "name",
    "industry",
    "client_flag",
    "list_sales",
    "discounts",
    "rebates",
    "net_revenue",
    "cogs",
    "gross_margin",
    "gross_margin_pct",
]
PNL_LAST = [
    "cts_total",
    "cts_total_pct",
    "financing_cost",
    "financing_late_cost",
    "net_profit",
    "net_profit_pct",
    "revenue_rank",
    "profit_rank",
    "revenue_abc",
    "profit_abc",
    "pocket_margin_pct",
    "cost_to_serve_pct",
    "cost_quadrant",
    "prob_unprofitable",
    "verdict_flips_n",
    "avoidable_cost",
    "profit_change_if_dropped",
    "is_big_unprofitable",
    "sinking_lines",
    "unusual_lines",
    "invoices_n",
    "in_master",
    "cogs_assumed",
]

TOTALS = [
    "list_sales",
    "discounts",
    "rebates",
    "net_revenue",
    "cogs",
    "gross_margin",
    "cts_total",
    "financing_cost",
    "net_profit",
]
"""P&L columns summed over customers in ``cts_findings.json`` (``totals``)."""


@dataclass(frozen=True)
class CostToServeResult(StageResult):
    """Everything stage 2 computes; ``Workspace.save(result)`` puts it in the workspace.

    ``messages`` are the notes: what was skipped, estimated or assumed
    (``cost_to_serve.notes.<name>``); ``findings`` the verdicts
    (``cost_to_serve.findings.<name>``); ``reconciliation`` proves the P&L against the
    ledger and the pools.
    """

    pnl: pd.DataFrame
    rates: pd.DataFrame
    unpooled: pd.DataFrame
    financing: pd.DataFrame
    whale: WhaleCurve
    segments: pd.DataFrame
    abc_matrix: pd.DataFrame
    quadrants: pd.DataFrame
    cut_points: dict[str, float]
    big_unprofitable: pd.DataFrame
    sensitivity: pd.DataFrame
    reconciliation: pd.DataFrame
    scenarios: pd.DataFrame
    robustness: pd.DataFrame
    findings: list[Message]
    messages: list[Message]
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def totals(self) -> dict[str, float]:
        return {k: float(self.pnl[k].sum()) for k in TOTALS}

    @property
    def cost_columns(self) -> list[str]:
        """The ``cts_<activity>`` columns of the P&L, one per pool."""
        return list(self.rates["cost_column"])

    @property
    def worst_big_customer(self) -> str | None:
        """The big-but-unprofitable customer with the lowest profit (None if there is none)."""
        b = self.big_unprofitable
        return None if b.empty else str(b["customer_id"].iloc[0])

    @property
    def reconciles(self) -> bool:
        return bool((self.reconciliation["difference"].abs() < 0.005).all())

    def tables(self) -> dict[str, pd.DataFrame]:
        """``customer_pnl`` (canonical columns first) and the ``cts_*`` tables."""
        pnl = self.pnl
        cts_cols = [c for c in self.rates["cost_column"] if c in pnl.columns]
        order = PNL_FIRST + cts_cols + PNL_LAST
        order += [c for c in pnl.columns if c not in order]
        return {
            "customer_pnl": pnl[[c for c in order if c in pnl.columns]],
            "cts_rates": self.rates,
            "cts_unpooled": self.unpooled,
            "cts_financing": self.financing,
            "cts_whale": self.whale.curve,
            "cts_deciles": self.whale.deciles,
            "cts_segments": self.segments,
            "cts_abc": self.abc_matrix,
            "cts_quadrants": self.quadrants,
            "cts_big_unprofitable": self.big_unprofitable,
            "cts_sensitivity": self.sensitivity,
            "cts_reconciliation": self.reconciliation,
            "cts_scenarios": self.scenarios,
            "cts_robustness": self.robustness,
        }

    def documents(self) -> dict[str, Any]:
        """``cts_findings``: findings, notes, whale figures, cut points, totals, settings."""
        doc = {
            "findings": [message_record(m) for m in self.findings],
            "notes": [message_record(m) for m in self.messages],
            "whale": self.whale.stats(),
            "cut_points": self.cut_points,
            "totals": self.totals,
            "reconciles": self.reconciles,
            "scenarios": scenario_summary(self.pnl, self.scenarios),
            "robustness": self.robustness["label"].value_counts().to_dict(),
            "settings": self.settings,
        }
        return {"cts_findings": _json_safe(doc)}


def load_inputs(workspace) -> dict[str, pd.DataFrame | None]:
    """The canonical tables stage 2 uses, from the workspace intake wrote (None if absent).

    ``cost_pools.attrs["source"]`` names the client's file and header row (from intake's
    summary), so an unresolved driver is reported where the client wrote it.
    """
    tables = {
        name: workspace.read_table(name, required=(name == "invoices")) for name in INPUT_TABLES
    }
    pools = tables.get("cost_pools")
    if pools is not None:
        pools.attrs["source"] = pool_source(workspace.read_json("intake_summary", default={}))
    return tables


def pool_source(intake_summary: Mapping[str, Any] | None) -> dict[str, Any]:
    """``{"file", "header_row"}`` of the cost pools as intake read them (defaults if unknown)."""
    info = ((intake_summary or {}).get("inputs") or {}).get("cost_pools") or {}
    header = ((info.get("options") or {}).get("header_row") or {}).get("value")
    return {"file": info.get("file") or "cost_pools", "header_row": int(header or 1)}


def run(
    inputs: Mapping[str, pd.DataFrame | None], settings: CostToServeSettings, period
) -> CostToServeResult:
    """Run stage 2 on canonical tables.

    Parameters
    ----------
    inputs
        Canonical tables by name (``invoices`` required; ``customers``, ``rebates``,
        ``activities``, ``cost_pools``, ``payments`` optional, missing or None), as
        :func:`load_inputs` reads them.
    settings
        The engagement's ``cost_to_serve`` settings.
    period
        The engagement period (anything with ``start`` and ``end``); pool costs are
        annual and unpaid invoices run to its end.
    """
    s = settings
    inv = inputs.get("invoices")
    if inv is None:
        raise InputError("Cost-to-serve needs the invoices table: run intake first.")
    get = inputs.get
    pnl, rates, fin, volumes = customer_pnl(
        inv,
        customers=get("customers"),
        rebates=get("rebates"),
        activities=get("activities"),
        cost_pools=get("cost_pools"),
        payments=get("payments"),
        period_end=pd.Timestamp(period.end),
        years=period_years(period.start, period.end),
        cost_of_capital=s.cost_of_capital,
        assumed_margin_pct=s.assumed_margin_pct,
        default_terms_days=s.default_payment_terms_days,
        time_equations=s.time_equations,
    )
    check_unallocated(
        rates,
        get("cost_pools"),
        get("activities"),
        allow=s.unallocated == "allow",
        timed=tuple(e.pool for e in s.time_equations),
    )
    unpooled = unpooled_activities(get("activities"), get("cost_pools"))
    notes = [*input_notes(inputs, s), *pool_notes(pnl, rates, unpooled, s)]
    seg = abc(pnl, s.abc_a_pct, s.abc_b_pct)
    quad, pcut, ccut = shapiro_matrix(pnl, s.price_cut_pct, s.cts_cut_pct)
    sens, per = sensitivity(pnl, rates, pct=s.sensitivity_pct, runs=s.monte_carlo_runs, seed=s.seed)
    acts = get("activities")
    plan = scenarios(
        pnl, rates, volumes, inv, acts, s.scenarios, default_avoidable_pct=s.default_avoidable_pct
    )
    robust = robustness(
        pnl, rates, per["prob_unprofitable"].to_numpy(), acts, pct=s.sensitivity_pct
    )
    pnl, big = _with_verdicts(pnl, rates, seg, quad, per, s)
    robust = robust.set_index("customer_id").loc[pnl["customer_id"]].reset_index()
    whale = whale_curve(pnl)
    matrix = abc_matrix(seg)
    return CostToServeResult(
        pnl=pnl,
        rates=rates,
        unpooled=unpooled,
        financing=fin,
        whale=whale,
        segments=seg,
        abc_matrix=matrix,
        quadrants=quadrant_summary(pnl),
        cut_points={"price_cut_pct": pcut, "cts_cut_pct": ccut},
        big_unprofitable=big,
        sensitivity=sens,
        reconciliation=reconcile(pnl, rates, inv, get("rebates"), fin),
        scenarios=plan.sort_values(
            ["scenario", "net_profit_before"], key=_scenario_order, kind="stable"
        ).reset_index(drop=True),
        robustness=robust,
        findings=findings(
            pnl, whale, matrix, big, sens, rates, sensitivity_pct=s.sensitivity_pct, robust=robust
        ),
        messages=notes,
        settings=s.model_dump(mode="json"),
    )


def _with_verdicts(
    pnl: pd.DataFrame,
    rates: pd.DataFrame,
    seg: pd.DataFrame,
    quad: pd.DataFrame,
    per: pd.DataFrame,
    s: CostToServeSettings,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The P&L with segments, quadrants, verdicts and sinking lines, by revenue rank;
    and the big-but-unprofitable customers."""
    av = avoidability(pnl, rates, s.default_avoidable_pct)
    pnl = pnl.assign(
        revenue_rank=seg["revenue_rank"].to_numpy(),
        profit_rank=seg["profit_rank"].to_numpy(),
        revenue_abc=seg["revenue_abc"].to_numpy(),
        profit_abc=seg["profit_abc"].to_numpy(),
        pocket_margin_pct=quad["pocket_margin_pct"].to_numpy(),
        cost_to_serve_pct=quad["cts_pct"].to_numpy(),
        cost_quadrant=quad["cost_quadrant"].to_numpy(),
        prob_unprofitable=per["prob_unprofitable"].to_numpy(),
        verdict_flips_n=per["flips_n"].to_numpy(),
        avoidable_cost=av["avoidable_cost"].to_numpy(),
        profit_change_if_dropped=av["profit_change_if_dropped"].to_numpy(),
    )
    big = big_unprofitable(
        pnl,
        rates,
        top_pct=s.big_revenue_top_pct,
        flags=s.big_flags,
        low_quantile_pct=s.low_profit_quantile_pct,
        lines_n=s.sinking_lines_n,
    )
    pnl["is_big_unprofitable"] = pnl["customer_id"].isin(big["customer_id"]).to_numpy()
    sink = sinking_lines(pnl, rates, s.sinking_lines_n)
    pnl["sinking_lines"] = sink["sinking_lines"].to_numpy()
    pnl["unusual_lines"] = sink["unusual_lines"].to_numpy()
    pnl["cogs_assumed"] = pnl.pop("cogs_assumed")
    pnl = pnl.sort_values(["revenue_rank"], kind="stable").reset_index(drop=True)
    for c in ("revenue_abc", "profit_abc", "cost_quadrant", "sinking_lines", "unusual_lines"):
        pnl[c] = pnl[c].astype("str")
    return pnl, big


def _scenario_order(col: pd.Series) -> pd.Series:
    """Scenarios in the order reprice, reserve, exit; within one, the worst customer first."""
    if col.name == "scenario":
        return col.map({"reprice": 0, "reserve": 1, "exit": 2})
    return col


def run_cost_to_serve(tables: Mapping[str, pd.DataFrame | None], engagement) -> CostToServeResult:
    """``run(tables, engagement.cost_to_serve, engagement.period)``: the shortcut the
    later stages' tests use to get a customer P&L from an engagement."""
    return run(tables, engagement.cost_to_serve, engagement.period)


def _json_safe(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _json_safe(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_json_safe(v) for v in obj]
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        return None if math.isnan(float(obj)) else float(obj)
    if isinstance(obj, (np.bool_,)):
        return bool(obj)
    return obj
