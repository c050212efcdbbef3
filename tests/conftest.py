"""Shared fixtures: generic ones only (a tiny engagement, a tiny workspace).

Stage-specific fixtures belong in the stage's own test module.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from kamaudit import Workspace, contract, load_engagement


def write_engagement(folder: Path, **settings) -> Path:
    """Write a minimal engagement file into ``folder`` (settings override the defaults)."""
    folder.mkdir(parents=True, exist_ok=True)
    data = {
        "client": "Tiny Trading s.r.o.",
        "period": {"start": "2024-01-01", "end": "2025-12-31"},
        "currency": "CZK",
        "inputs": {"invoices": "invoices.csv", "customers": "customers.csv"},
    }
    data.update(settings)
    path = folder / "engagement.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def tiny_tables() -> dict[str, pd.DataFrame]:
    """Canonical customers and invoices small enough to check by hand."""
    customers = pd.DataFrame(
        {
            "customer_id": ["0001", "0002", "0003", "0004"],
            "name": ["Alfa a.s.", "Beta s.r.o.", "Gama GmbH", "Delta Sp. z o.o."],
            "industry": ["retail", "retail", "industry", "services"],
            "client_flag": ["VIP", None, None, None],
            "wallet_estimate": [120000.0, 50000.0, np.nan, 8000.0],
        }
    )
    invoices = pd.DataFrame(
        {
            "invoice_id": ["F1", "F2", "F3", "F4", "F5", "F6"],
            "invoice_date": pd.to_datetime(
                ["2024-01-15", "2024-03-02", "2024-07-30", "2025-02-11", "2025-06-01", "2025-11-20"]
            ),
            "customer_id": ["0001", "0001", "0002", "0003", "0004", "0001"],
            "net_amount": [1000.0, 2500.5, 800.0, 1200.0, 300.0, -200.0],
        }
    )
    return {"customers": customers, "invoices": invoices}


@pytest.fixture
def make_engagement(tmp_path):
    """Factory: ``make_engagement(**settings)`` -> a loaded Engagement in a temp folder."""

    def _make(folder: Path | None = None, overrides: dict | None = None, **settings):
        path = write_engagement(folder or tmp_path / "engagement", **settings)
        return load_engagement(path, overrides)

    return _make


@pytest.fixture
def make_workspace(tmp_path):
    """Factory: ``make_workspace(tables=None)`` -> a Workspace holding the tiny tables."""

    def _make(tables: dict[str, pd.DataFrame] | None = None, folder: Path | None = None):
        ws = Workspace(folder or tmp_path / "workspace").ensure()
        for name, df in (tiny_tables() if tables is None else tables).items():
            ws.write_table(name, contract.conform(name, df))
        return ws

    return _make


@pytest.fixture
def tiny_engagement(make_engagement):
    return make_engagement()


@pytest.fixture
def tiny_workspace(make_workspace):
    return make_workspace()


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory):
    """``kamaudit run data/sample/engagement.yaml`` through the CLI, once per session.

    Returns the output folder; the run must succeed.
    """
    import subprocess
    import sys

    engagement = Path(__file__).resolve().parent.parent / "data" / "sample" / "engagement.yaml"
    out = tmp_path_factory.mktemp("sample-audit") / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "kamaudit", "run", str(engagement), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert proc.returncode == 0, proc.stderr
    return out
