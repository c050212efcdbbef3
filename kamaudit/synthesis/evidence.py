"""What the findings rest on: the basis of every headline figure (``evidence``).

Each summary figure carries its basis: ``data`` (computed from the client's tables),
``assumed`` (resting on a named setting, with its value) or ``not_assessable`` (the data
needed is missing). The assumptions that drive the headline figures come with their
computed effect: the assumed margin is moved by :data:`MARGIN_STEP` points and the net
profit and loss-makers recomputed exactly from the invoice lines without a cost of goods;
the cost of capital is moved by :data:`CAPITAL_STEP` and the financing recomputed (it is
linear in the rate). Nothing here is guessed: every effect is a recomputation.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from .. import contract

__all__ = ["CAPITAL_STEP", "MARGIN_STEP", "evidence", "period_label"]

MARGIN_STEP = 5.0
"""Points the assumed margin is moved to show its effect (25 % -> 20 % and 30 %)."""
CAPITAL_STEP = 0.02
"""The cost of capital is moved by this (8 % -> 6 % and 10 %)."""


def period_label(start, end) -> dict[str, Any]:
    """The audited period as figures are labelled with it: ``"2024-2025, 24 months"``.

    >>> period_label("2024-01-01", "2025-12-31")["label"]
    '2024-2025, 24 months'
    >>> period_label("2024-03-01", "2024-08-31")["label"]
    '2024, 6 months'
    """
    s, e = pd.Timestamp(start), pd.Timestamp(end)
    months = (e.year - s.year) * 12 + e.month - s.month + (1 if e.day >= s.day - 1 else 0)
    years = f"{s.year}" if s.year == e.year else f"{s.year}-{e.year}"
    return {
        "start": str(s.date()),
        "end": str(e.date()),
        "months": int(months),
        "years": round(((e - s).days + 1) / 365.25, 4),
        "label": f"{years}, {months} months",
    }


def _sum(df: pd.DataFrame | None, col: str) -> float:
    if df is None or col not in df.columns:
        return float("nan")
    return float(df[col].sum())


def _loss_makers(pnl: pd.DataFrame, profit: pd.Series | np.ndarray) -> int:
    """Customers with net revenue above zero that lose money (credit-only ones never do)."""
    rev = pnl["net_revenue"].to_numpy(dtype="float64")
    return int(((rev > 0) & (np.asarray(profit, dtype="float64") < 0)).sum())


def _assumed_revenue(invoices: pd.DataFrame | None, pnl: pd.DataFrame) -> pd.Series:
    """Per customer, the net amount of the lines whose cost of goods is assumed."""
    ids = pnl["customer_id"]
    if invoices is None:
        flag = pnl.get("cogs_assumed", pd.Series(False, index=pnl.index)).astype(bool)
        return pd.Series(np.where(flag, pnl["net_revenue"], 0.0), index=ids.to_numpy())
    no_cost = (
        invoices["cost_amount"].isna()
        if "cost_amount" in invoices.columns
        else pd.Series(True, index=invoices.index)
    )
    amt = invoices.loc[no_cost, "net_amount"].groupby(invoices.loc[no_cost, "customer_id"]).sum()
    return amt.reindex(ids.to_numpy()).fillna(0.0)


def _margin_assumption(pnl, invoices, cts) -> dict[str, Any] | None:
    assumed = _assumed_revenue(invoices, pnl)
    base_rev = float(assumed.sum())
    if base_rev == 0 or cts.get("assumed_margin_pct") is None:
        return None
    m = float(cts["assumed_margin_pct"])
    profit = pnl["net_profit"].to_numpy(dtype="float64")
    total_rev = float(pnl["net_revenue"].sum())
    effects = []
    for alt in (m - MARGIN_STEP, m + MARGIN_STEP):
        delta = (alt - m) / 100 * assumed.to_numpy()
        effects.append(
            {
                "value": alt,
                "net_profit": round(float((profit + delta).sum()), 2),
                "loss_makers_n": _loss_makers(pnl, profit + delta),
            }
        )
    return {
        "key": "margin_assumed",
        "setting": "cost_to_serve.assumed_margin_pct",
        "value": m,
        "share_pct": round(100 * base_rev / total_rev, 1) if total_rev else None,
        "drives": ["gross_margin", "net_profit", "loss_makers_n"],
        "base": {
            "net_profit": round(float(profit.sum()), 2),
            "loss_makers_n": _loss_makers(pnl, profit),
        },
        "effects": effects,
    }


def _capital_assumption(pnl, cts, payments_given: bool) -> dict[str, Any] | None:
    c = cts.get("cost_of_capital")
    fin = pnl["financing_cost"].to_numpy(dtype="float64") if "financing_cost" in pnl else None
    if c is None or fin is None or c <= 0:
        return None
    profit = pnl["net_profit"].to_numpy(dtype="float64")
    effects = []
    for alt in (max(c - CAPITAL_STEP, 0.0), c + CAPITAL_STEP):
        p = profit + fin - fin * alt / c  # financing is linear in the rate
        effects.append(
            {
                "value": round(alt, 4),
                "net_profit": round(float(p.sum()), 2),
                "loss_makers_n": _loss_makers(pnl, p),
            }
        )
    on_financing = int(((pnl["net_revenue"] > 0) & (profit < 0) & (profit + fin >= 0)).sum())
    return {
        "key": "financing_on_terms" if not payments_given else "cost_of_capital",
        "setting": "cost_to_serve.cost_of_capital",
        "value": c,
        "terms_days": cts.get("default_payment_terms_days"),
        "drives": ["financing_cost", "net_profit"],
        "financing_total": round(float(fin.sum()), 2),
        "loss_makers_on_financing_alone_n": on_financing,
        "base": {
            "net_profit": round(float(profit.sum()), 2),
            "loss_makers_n": _loss_makers(pnl, profit),
        },
        "effects": effects,
    }


def _figure(name: str, value, basis: str, assumptions=()) -> dict[str, Any]:
    if isinstance(value, float) and math.isnan(value):
        value, basis = None, "not_assessable"
    return {"figure": name, "value": value, "basis": basis, "assumptions": list(assumptions)}


def _team(inputs: dict[str, Any], engagement, pnl: pd.DataFrame, years: float) -> dict | None:
    cap, prof = inputs.get("team_capacity"), inputs.get("account_profile")
    if cap is None or prof is None or "fte_needed" not in cap.columns:
        return None
    fte = float(cap["fte_needed"].sum())
    keys = prof.loc[prof["is_key_account"], "customer_id"]
    profit = float(pnl.loc[pnl["customer_id"].isin(keys), "net_profit"].sum())
    per_year = profit / years if years > 0 else float("nan")
    cost = getattr(getattr(engagement, "team", None), "loaded_cost_per_fte", None)
    out = {
        "fte": round(fte, 2),
        "accounts_n": int(len(keys)),
        "accounts_profit_per_year": round(per_year, 2),
        "profit_per_fte_per_year": round(per_year / fte, 2) if fte > 0 else None,
        "loaded_cost_per_fte": cost,
        "team_cost_per_year": round(fte * cost, 2) if cost is not None else None,
    }
    if cost is not None:
        out["cost_share_of_profit_pct"] = (
            round(100 * fte * cost / per_year, 1) if per_year > 0 else None
        )
    return out


def evidence(inputs: dict[str, Any], engagement, period) -> dict[str, Any]:
    """The ``evidence`` document: period label, currency, tables received and missing, the
    assumptions with their computed effects, and every headline figure with its basis.

    ``inputs`` are :func:`~kamaudit.synthesis.stage.load_inputs`' tables (``customer_pnl``
    required; ``invoices``, ``account_profile``, ``team_capacity``, ``profile_summary``,
    ``intake_summary`` optional); ``engagement`` may be None (then settings are unknown and
    only the data-based bases are given).
    """
    pnl = inputs["customer_pnl"]
    intake = inputs.get("intake_summary") or {}
    received = sorted(set(inputs.get("tables_received") or []))
    missing = [t for t in contract.TABLES if t not in received]
    per = period_label(period.start, period.end)
    cts = engagement.cost_to_serve.model_dump() if engagement is not None else {}
    code = engagement.currency_code if engagement is not None else None
    currency_given = code is not None
    assumptions: list[dict[str, Any]] = []
    margin = _margin_assumption(pnl, inputs.get("invoices"), cts) if cts else None
    if margin:
        assumptions.append(margin)
    capital = _capital_assumption(pnl, cts, "payments" in received) if cts else None
    if capital:
        assumptions.append(capital)
    if "cost_pools" not in received:
        assumptions.append({"key": "no_cost_pools", "drives": ["cts_total", "net_profit"]})
    prof_sum = (inputs.get("profile_summary") or {}).get("summary", {})
    if prof_sum.get("strength_unassessed_n"):
        assumptions.append(
            {
                "key": "strength_unassessed",
                "customers_n": int(prof_sum["strength_unassessed_n"]),
                "selection_basis": prof_sum.get("selection_basis"),
                "drives": ["quadrants", "key_n"],
            }
        )
    if not currency_given:
        assumptions.append({"key": "no_currency", "drives": ["amounts"]})
    if prof_sum.get("growth_basis") == "trend":
        assumptions.append({"key": "growth_trend", "drives": ["growth"]})

    keys = {a["key"] for a in assumptions}
    profit_basis = "assumed" if keys & {"margin_assumed", "financing_on_terms"} else "data"
    profit_keys = [
        k for k in ("margin_assumed", "financing_on_terms", "cost_of_capital") if k in keys
    ]
    profit = pnl["net_profit"].to_numpy(dtype="float64")
    figures = [
        _figure("net_revenue", _sum(pnl, "net_revenue"), "data"),
        _figure(
            "gross_margin",
            _sum(pnl, "gross_margin"),
            "assumed" if "margin_assumed" in keys else "data",
            ["margin_assumed"] if "margin_assumed" in keys else [],
        ),
        _figure(
            "cts_total",
            _sum(pnl, "cts_total") if "no_cost_pools" not in keys else float("nan"),
            "data",
        ),
        _figure(
            "financing_cost",
            _sum(pnl, "financing_cost"),
            "assumed",
            [k for k in ("financing_on_terms", "cost_of_capital") if k in keys],
        ),
        _figure("net_profit", _sum(pnl, "net_profit"), profit_basis, profit_keys),
        _figure("loss_makers_n", _loss_makers(pnl, profit), profit_basis, profit_keys),
    ]
    if prof_sum:
        basis = "data" if prof_sum.get("selection_basis") == "both_axes" else "assumed"
        figures.append(
            _figure(
                "key_n",
                prof_sum.get("key_n"),
                basis,
                ["strength_unassessed"] if basis == "assumed" else [],
            )
        )
        fit = prof_sum.get("kam_fit") or {}
        if fit:
            figures.append(_figure("kam_fit", fit.get("fit"), "data"))
    team = _team(inputs, engagement, pnl, per["years"])
    if team:
        figures.append(_figure("team_fte", team["fte"], "assumed", ["team_hours"]))
    return {
        "period": per,
        "currency": {
            "given": currency_given,
            "code": code,
            "found": (intake.get("money") or {}).get("currencies") or {},
            "rates": (intake.get("money") or {}).get("rates") or {},
            "vat_removed_pct": (intake.get("money") or {}).get("vat_removed_pct"),
        },
        "tables": {"received": received, "missing": missing},
        "assumptions": assumptions,
        "figures": figures,
        "team": team,
        "cancellations": intake.get("cancellations") or {},
        "excluded_customers": intake.get("excluded_customers") or {},
    }
