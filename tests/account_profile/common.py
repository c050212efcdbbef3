"""Shared helpers of the key-account profile tests: tiny frames and the sample's result."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import strategies as st

from kamaudit.account_profile import (
    Criterion,
    ProfileResult,
    ProfileSettings,
    run,
    score_customers,
)
from kamaudit.account_profile.settings import NEUTRAL
from kamaudit.config import Engagement

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "data" / "sample"


def key_name(message) -> str:
    """A message's name within its catalog group (``no_contacts``)."""
    return message.key.rsplit(".", 1)[-1]


def engagement(**profile) -> Engagement:
    return Engagement.model_validate(
        {
            "client": "Tiny Trading s.r.o.",
            "period": {"start": "2024-01-01", "end": "2025-12-31"},
            "inputs": {"invoices": {"path": "invoices.csv"}},
            "profile": profile,
        }
    )


def two_criteria(attr_thresholds=None, strength_thresholds=None, **kw) -> ProfileSettings:
    """One metric criterion per axis: net_profit (attractiveness) and relationship strength."""
    return ProfileSettings(
        criteria=[
            Criterion(
                name="net_profit",
                axis="attractiveness",
                source="net_profit",
                weight=100,
                thresholds=attr_thresholds,
            ),
            Criterion(
                name="relationship_strength",
                axis="strength",
                source="relationship_strength",
                weight=100,
                thresholds=strength_thresholds,
            ),
        ],
        **kw,
    )


def metrics_frame(**cols) -> pd.DataFrame:
    n = len(next(iter(cols.values())))
    base = {
        "customer_id": [f"C{i}" for i in range(n)],
        "name": [f"Customer {i}" for i in range(n)],
        "net_revenue": [1000.0] * n,
        "net_profit": [100.0] * n,
        "invoices_n": [10] * n,
        "revenue_h1": [500.0] * n,
        "revenue_h2": [500.0] * n,
        "growth_pct": [0.0] * n,
        "share_of_wallet_pct": [np.nan] * n,
        "wallet_estimate": [np.nan] * n,
        "net_profit_pct": [10.0] * n,
        "client_flag": pd.Series([None] * n, dtype="str"),
    }
    base.update(cols)
    df = pd.DataFrame(base)
    df["customer_id"] = df["customer_id"].astype("str")
    return df


def contacts_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": ["A", "B", "B", "B", "B"],
            "contact_id": ["1", "2", "3", "4", "5"],
            "name": ["Ann", "Bob", "Cid", "Dan", "Eve"],
            "role": ["procurement", "decision_maker", "finance", "user", "user"],
            "relationship_strength": [5.0, 4.0, 3.0, 2.0, 3.0],
            "competitor_ties": [1.0, 2.0, 2.0, 2.0, 2.0],
            "owner": ["P1", "P1", "P2", "P2", "P3"],
            "last_contact_date": pd.to_datetime(
                ["2025-01-01", "2025-12-01", "2025-11-01", "2025-06-01", "2024-01-01"]
            ),
        }
    )


def selection_case(n=20, **kw):
    s = two_criteria(**kw)
    rng = np.random.default_rng(0)
    m = metrics_frame(
        net_profit=rng.normal(100, 80, n),
        relationship_strength_avg=rng.uniform(1, 5, n),
        net_revenue=rng.uniform(100, 10_000, n),
    )
    wide, _, _ = score_customers(m, None, s)
    return s, m, wide


def answer_key() -> dict:
    path = SAMPLE / "answer_key.json"
    if not path.exists():
        pytest.skip("data/sample/answer_key.json is not there yet (the sample generator writes it)")
    return json.loads(path.read_text(encoding="utf-8"))["facts"]


@lru_cache(maxsize=4)
def sample_inputs():
    try:
        from kamaudit.cost_to_serve import run_cost_to_serve
    except ImportError:
        pytest.skip(
            "kamaudit.cost_to_serve.run_cost_to_serve does not exist yet: no customer P&L to profile"
        )
    from kamaudit.config import load_engagement
    from kamaudit.intake import read_and_check

    eng = load_engagement(SAMPLE / "engagement.yaml")
    tables = read_and_check(eng).canonical
    pnl = run_cost_to_serve(tables, eng).pnl
    return {**tables, "customer_pnl": pnl}, eng


@lru_cache(maxsize=4)
def sample_result() -> ProfileResult:
    inputs, eng = sample_inputs()
    return run(inputs, eng.profile, eng.period)


def one_customer_scores(criterion_3: str = "quality") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": "A",
            "criterion": ["net_profit", "growth", criterion_3, "reliability"],
            "axis": ["attractiveness", "attractiveness", "strength", "strength"],
            "score": [8.0, NEUTRAL, 3.0, 6.4],
            "weight": [30.0, 10.0, 20.0, 40.0],
            "missing": [False, True, False, False],
        }
    )


@st.composite
def customer_sets(draw):
    n = draw(st.integers(2, 25))
    vals = st.floats(-1000, 1000, allow_nan=False, allow_infinity=False)
    profit = draw(st.lists(vals, min_size=n, max_size=n))
    margin = draw(st.lists(vals, min_size=n, max_size=n))
    rel = draw(st.lists(st.floats(1, 5), min_size=n, max_size=n))
    ties = draw(st.lists(st.floats(1, 5), min_size=n, max_size=n))
    rev = draw(st.lists(st.floats(0, 1e6), min_size=n, max_size=n))
    weights = draw(st.integers(1, 99))
    thresholds = draw(
        st.one_of(
            st.none(),
            st.lists(st.floats(-500, 500), min_size=1, max_size=9, unique=True).map(sorted),
        )
    )
    return n, profit, margin, rel, ties, rev, weights, thresholds


def prop_settings(weights, thresholds, **kw):
    return ProfileSettings(
        criteria=[
            Criterion(
                name="net_profit",
                axis="attractiveness",
                source="net_profit",
                weight=weights,
                thresholds=thresholds,
            ),
            Criterion(
                name="net_profit_pct",
                axis="attractiveness",
                source="net_profit_pct",
                weight=100 - weights,
            ),
            Criterion(
                name="relationship_strength",
                axis="strength",
                source="relationship_strength",
                weight=70,
            ),
            Criterion(
                name="competitor_ties",
                axis="strength",
                source="competitor_ties",
                weight=30,
                direction="lower",
            ),
        ],
        **kw,
    )
