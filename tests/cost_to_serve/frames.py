"""Tiny frames for the cost-to-serve tests, and the sample read through intake."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kamaudit.config import Engagement
from kamaudit.cost_to_serve import CostToServeResult, run

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "data" / "sample"


def engagement(**cts) -> Engagement:
    """A one-year engagement with ``cost_to_serve`` settings ``cts``."""
    return Engagement.model_validate(
        {
            "client": "Test s.r.o.",
            "period": {"start": "2024-01-01", "end": "2024-12-31"},
            "inputs": {"invoices": "invoices.csv"},
            "cost_to_serve": cts,
        }
    )


def run_on(tables: dict, **cts) -> CostToServeResult:
    """``run`` on ``tables`` with the settings ``cts`` over 2024."""
    eng = engagement(**cts)
    return run(tables, eng.cost_to_serve, eng.period)


def small_tables() -> dict[str, pd.DataFrame]:
    """Three customers a reader can follow by hand.

    A: two invoices (150 list 160, cost 90), 3 deliveries; VIP.
    B: one invoice 200 (list 250), 1 delivery.
    C: one invoice 300, one visit of 2 hours, a 20 credit note.
    """
    invoices = pd.DataFrame(
        {
            "invoice_id": ["1", "1", "2", "3", "4", "5"],
            "invoice_date": pd.to_datetime(
                ["2024-01-10", "2024-01-10", "2024-02-01", "2024-03-01", "2024-03-05", "2024-06-01"]
            ),
            "customer_id": ["A", "A", "B", "C", "C", "A"],
            "net_amount": [100.0, 50.0, 200.0, 300.0, -20.0, 10.0],
            "list_amount": [110.0, 50.0, 250.0, 300.0, -20.0, 10.0],
            "cost_amount": [60.0, 30.0, 150.0, 100.0, -12.0, 6.0],
        }
    )
    customers = pd.DataFrame(
        {
            "customer_id": ["A", "B", "C"],
            "name": ["Alpha", "Beta", "Gamma"],
            "client_flag": pd.Series(["VIP", None, None], dtype="str"),
            "payment_terms_days": [30.0, 60.0, np.nan],
        }
    )
    activities = pd.DataFrame(
        {
            "customer_id": ["A", "A", "B", "C", "C"],
            "activity_date": pd.to_datetime(["2024-01-10"] * 5),
            "activity": ["delivery", "delivery", "delivery", "visit", "complaint"],
            "quantity": [1.0, 2.0, 1.0, 1.0, 1.0],
            "hours": [0.0, 0.0, 0.0, 2.0, 1.0],
        }
    )
    pools = pd.DataFrame(
        {
            "activity": ["delivery", "visit", "order"],
            "annual_cost": [100.0, 50.0, np.nan],
            "driver": ["activity", "hours", "invoices"],
            "rate": [np.nan, np.nan, 5.0],
            "practical_capacity": [np.nan, 4.0, np.nan],
            "avoidable_pct": [50.0, np.nan, 100.0],
        }
    )
    return {
        "invoices": invoices,
        "customers": customers,
        "activities": activities,
        "cost_pools": pools,
    }


def answer_key() -> dict:
    path = SAMPLE / "answer_key.json"
    if not path.exists():
        pytest.skip("data/sample/answer_key.json is not there yet (the sample generator writes it)")
    return json.loads(path.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def sample_inputs() -> tuple[dict[str, pd.DataFrame], Engagement]:
    """The sample's canonical tables as intake makes them, and its engagement."""
    from kamaudit.config import load_engagement
    from kamaudit.intake import read_and_check

    eng = load_engagement(SAMPLE / "engagement.yaml")
    return read_and_check(eng).canonical, eng


@lru_cache(maxsize=1)
def sample_result() -> CostToServeResult:
    tables, eng = sample_inputs()
    return run(tables, eng.cost_to_serve, eng.period)
