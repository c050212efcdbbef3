"""What the stage has to say, as :class:`~kamaudit.messages.Message` values.

``findings`` are the verdicts (``cost_to_serve.findings.<name>``), strongest first;
``input_notes`` and ``pool_notes`` what was skipped, estimated or assumed
(``cost_to_serve.notes.<name>``). Parameters ending in ``_pct`` are percentages,
``_amount`` money, ``_n`` counts; names are text. The deliverables and the notebook turn
them into sentences of the engagement's language.

In the workspace (``cts_findings.json``) each message is stored as
``{"key": <name>, "values": {...}}`` under ``findings`` or ``notes``:
:func:`message_record` and :func:`messages_from_records` convert both ways.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from ..messages import Message, Severity
from .reconcile import unreached
from .settings import CostToServeSettings
from .whale import WhaleCurve, loss_makers

__all__ = [
    "findings",
    "input_notes",
    "message_record",
    "messages_from_records",
    "pool_notes",
]

PREFIX = "cost_to_serve"

NOTE_SEVERITY: dict[str, Severity] = {
    "no_cost_pools": "warning",
    "no_activities": "warning",
    "financing_estimated": "warning",
    "no_rebates": "info",
    "cogs_assumed": "warning",
    "pool_no_driver_volume": "warning",
    "pool_unknown_driver": "warning",
    "pool_no_cost": "warning",
    "activity_without_pool": "warning",
}
"""How serious each note is (a cost left unallocated or assumed is a warning)."""


FINDING_SEVERITY: dict[str, Severity] = {"cts_unreached": "error"}
"""Findings that are more than information: cost that reached no customer is an error
(the executive summary shows it in red)."""


def _finding(name: str, **params: Any) -> Message:
    return Message(f"{PREFIX}.findings.{name}", params, FINDING_SEVERITY.get(name, "info"))


def _note(name: str, **params: Any) -> Message:
    return Message(f"{PREFIX}.notes.{name}", params, NOTE_SEVERITY.get(name, "warning"))


def message_record(m: Message) -> dict[str, Any]:
    """``{"key": <name>, "values": params}``: a message as ``cts_findings.json`` keeps it."""
    return {"key": m.key.rsplit(".", 1)[-1], "values": dict(m.params)}


def messages_from_records(records: Iterable[Mapping[str, Any]], group: str) -> list[Message]:
    """Messages back from ``cts_findings.json`` records (``group``: findings or notes)."""
    make = _finding if group == "findings" else _note
    return [make(str(r["key"]), **(r.get("values") or {})) for r in records]


# ------------------------------------------------------------------ notes


def input_notes(inputs: Mapping[str, pd.DataFrame | None], s: CostToServeSettings) -> list[Message]:
    """Tables the stage runs without, and what that means for the P&L."""

    def empty(name: str) -> bool:
        t = inputs.get(name)
        return t is None or not len(t)

    out = []
    if empty("cost_pools"):
        out.append(_note("no_cost_pools"))
    if empty("activities"):
        out.append(_note("no_activities"))
    if empty("payments"):
        out.append(_note("financing_estimated", terms_n=s.default_payment_terms_days))
    if inputs.get("rebates") is None:
        out.append(_note("no_rebates"))
    return out


def pool_notes(
    pnl: pd.DataFrame, rates: pd.DataFrame, unpooled: pd.DataFrame, s: CostToServeSettings
) -> list[Message]:
    """Assumed cost of goods, pools that allocate nothing, activities without a pool."""
    out = []
    if pnl["cogs_assumed"].any():
        out.append(
            _note(
                "cogs_assumed",
                margin_pct=s.assumed_margin_pct,
                customers_n=int(pnl["cogs_assumed"].sum()),
            )
        )
    bad = rates[~rates["status"].isin(["ok", "default_driver", "over_capacity"])]
    for _, r in bad.iterrows():
        out.append(
            _note(
                f"pool_{r['status']}",
                activity=r["activity"],
                driver=r["driver"],
                pool_amount=float(r["pool_cost"]),
            )
        )
    for _, r in unpooled.iterrows():
        out.append(_note("activity_without_pool", activity=r["activity"], rows_n=int(r["rows_n"])))
    return out


# ------------------------------------------------------------------ findings


def findings(
    pnl: pd.DataFrame,
    whale: WhaleCurve,
    matrix: pd.DataFrame,
    big: pd.DataFrame,
    sens: pd.DataFrame,
    rates: pd.DataFrame,
    *,
    sensitivity_pct: float,
    robust: pd.DataFrame | None = None,
) -> list[Message]:
    """The verdicts as messages (``cost_to_serve.findings.<name>``), strongest first."""
    if not len(pnl):
        return []
    return [
        *_unreached_finding(rates),
        *_whale_findings(pnl, whale),
        *_robust_finding(robust, sensitivity_pct),
        *_big_finding(big),
        *_abc_finding(matrix),
        *_cost_findings(pnl, rates),
        *_sensitivity_finding(pnl, sens, sensitivity_pct),
        *_avoidability_finding(pnl),
    ]


def _unreached_finding(rates: pd.DataFrame) -> list[Message]:
    """Cost to serve that reached no customer (only when the engagement allows it)."""
    missing, total = unreached(rates)
    if missing <= 0.005:
        return []
    return [
        _finding(
            "cts_unreached",
            missing_amount=missing,
            pool_amount=total,
            missing_pct=missing / total * 100.0 if total else math.nan,
            pools_n=int((rates["unallocated_cost"] > 0.005).sum()),
        )
    ]


def _whale_findings(pnl: pd.DataFrame, whale: WhaleCurve) -> list[Message]:
    prof = pnl["net_profit"].to_numpy(dtype=float)
    gains = float(prof[prof > 0].sum())
    losses = float(-prof[loss_makers(pnl)].sum())
    out = []
    if whale.unprofitable_n:
        out.append(
            _finding(
                "destroyers" if gains > 0 else "destroyers_all",
                customers_pct=whale.unprofitable_pct,
                customers_n=whale.unprofitable_n,
                destroyed_pct=losses / gains * 100.0 if gains > 0 else math.nan,
                loss_amount=losses,
            )
        )
    if whale.total_profit > 0:
        out.append(
            _finding(
                "whale_peak",
                customers_pct=whale.peak_customers_pct,
                peak_pct=whale.peak_pct,
                erosion_amount=whale.erosion,
                total_amount=whale.total_profit,
            )
        )
    else:
        out.append(_finding("base_loses", total_amount=whale.total_profit))
    return out


def _robust_finding(robust: pd.DataFrame | None, change_pct: float) -> list[Message]:
    """How many loss-makers lose money robustly; the sensitive ones by name."""
    if robust is None or not len(robust):
        return []
    losers = robust[robust["net_profit"] < 0]
    if not len(losers):
        return []
    sensitive = losers[losers["label"] == "sensitive"]
    return [
        _finding(
            "robust_losses",
            customers_n=len(losers),
            robust_n=int((losers["label"] == "robust_loss").sum()),
            sensitive_n=len(sensitive),
            change_pct=change_pct,
            names=", ".join(_display_name(r) for _, r in sensitive.head(5).iterrows()) or "-",
        )
    ]


def _display_name(r: pd.Series) -> str:
    name = r["name"]
    if isinstance(name, str) and name not in ("", "nan", "<NA>"):
        return name
    return r["customer_id"]


def _big_finding(big: pd.DataFrame) -> list[Message]:
    if not len(big):
        return []
    losers = big[big["net_profit"] < 0]
    return [
        _finding(
            "big_unprofitable",
            customers_n=len(big),
            losing_n=len(losers),
            names=", ".join(_display_name(r) for _, r in big.head(5).iterrows()),
            loss_amount=float(-losers["net_profit"].sum()),
        )
    ]


def _abc_finding(matrix: pd.DataFrame) -> list[Message]:
    if "revenue_abc" not in matrix.columns:
        return []
    a_row = matrix[matrix["revenue_abc"] == "A"]
    if not len(a_row) or not int(a_row["profit_C"].iloc[0]):
        return []
    return [
        _finding(
            "abc_mismatch",
            customers_n=int(a_row["profit_C"].iloc[0]),
            revenue_a_n=int(a_row["customers_n"].iloc[0]),
        )
    ]


def _cost_findings(pnl: pd.DataFrame, rates: pd.DataFrame) -> list[Message]:
    """The share of revenue spent on serving customers, and the unused capacity."""
    out = []
    rev = float(pnl["net_revenue"].sum())
    cts = float(pnl["cts_total"].sum())
    if len(rates) and rev > 0:
        top = rates.sort_values("allocated_cost", ascending=False).iloc[0]
        out.append(
            _finding(
                "cts_share",
                cts_pct=cts / rev * 100.0,
                cts_amount=cts,
                activity=str(top["activity"]),
                activity_pct=float(top["allocated_cost"]) / cts * 100.0 if cts else math.nan,
            )
        )
    unused = float(rates["unused_capacity_cost"].sum()) if len(rates) else 0.0
    if unused > 0.005:
        out.append(_finding("unused_capacity", unused_amount=unused))
    return out


def _sensitivity_finding(
    pnl: pd.DataFrame, sens: pd.DataFrame, sensitivity_pct: float
) -> list[Message]:
    if not len(sens):
        return []
    worst = sens.sort_values("changing_sign_n", ascending=False).iloc[0]
    uncertain = 0
    if "prob_unprofitable" in pnl.columns:
        p = pnl["prob_unprofitable"]
        uncertain = int(((p > 0.1) & (p < 0.9)).sum())
    return [
        _finding(
            "sensitivity",
            change_pct=sensitivity_pct,
            max_flips_n=int(worst["changing_sign_n"]),
            parameter=str(worst["parameter"]),
            uncertain_n=uncertain,
        )
    ]


def _avoidability_finding(pnl: pd.DataFrame) -> list[Message]:
    if "profit_change_if_dropped" not in pnl.columns:
        return []
    unprof = pnl[loss_makers(pnl)]
    if not len(unprof):
        return []
    keep = unprof[unprof["profit_change_if_dropped"] < 0]
    return [
        _finding(
            "avoidability",
            unprofitable_n=len(unprof),
            customers_n=len(keep),
            saving_amount=float(unprof["profit_change_if_dropped"].clip(lower=0).sum()),
        )
    ]
