"""kamaudit reveal: facts found per group, escaped HTML, injection-safe workbook.

The audits here are tiny hand-made output folders (the tables reveal reads), so each
expected verdict can be checked by eye; tests/seminar/test_guide.py runs reveal on real
audits.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from kamaudit.errors import ConfigError
from kamaudit.reveal import FACT_COLUMNS, reveal

HOSTILE = '=SUM(A1)<script>alert("x")</script> & Co'
"""A customer name that is a formula, markup and an ampersand at once (test fixture only)."""

FACT_IDS = {
    "top10_loss_makers": ["C1"],
    "unprofitable_vip": ["C2"],
    "fast_growing_potential": ["C3"],
    "single_contact_key_candidates": ["C4"],
    "very_late_payer": ["C5"],
    "must_be_key": ["C6"],
}


def _key(client: str) -> dict:
    facts = {
        f: {"customer_ids": ids, "customers": [{"customer_id": ids[0], "name": "x"}]}
        for f, ids in FACT_IDS.items()
    }
    return {"client": client, "currency": "EUR", "whale_curve": {"peak_pct": 180.0}, "facts": facts}


def _audit(root: Path, engagement: Path, client: str, *, c6_key: bool, weights: dict) -> Path:
    data = root / "data"
    data.mkdir(parents=True)
    ids = [f"C{i}" for i in range(1, 8)]
    names = ["Alpha", HOSTILE, "Gamma", "Delta", "Eps", "Zeta", "Eta"]
    pd.DataFrame(
        {
            "customer_id": ids,
            "name": names,
            "revenue_rank": [2, 15, 40, 3, 12, 1, 50],
            "profit_rank": [7, 6, 3, 2, 4, 1, 5],
            "net_revenue": [900.0, 100.0, 50.0, 800.0, 120.0, 1000.0, 10.0],
            "net_profit": [-50.0, -10.0, 5.0, 90.0, 12.0, 200.0, 1.0],
            "cts_total": [80.0, 40.0, 2.0, 5.0, 4.0, 6.0, 1.0],
            "financing_cost": [3.0, 1.0, 0.1, 1.0, 9.0, 2.0, 0.0],
            "sinking_lines": ["cts_delivery;cts_rush_order", "cts_sales_visit"] + [""] * 5,
        }
    ).to_parquet(data / "customer_pnl.parquet")
    pd.DataFrame(
        {
            "customer_id": ids,
            "name": names,
            "is_key_account": [False, False, False, True, True, c6_key, False],
            "is_potential": [False, False, True, False, False, False, False],
            "single_contact_risk": [False, False, False, True, False, False, False],
            "contacts_n": [3, 2, 2, 1, 3, 8, 1],
            "stability": ["out", "out", "out", "core", "core", "core" if c6_key else "out", "out"],
        }
    ).to_parquet(data / "account_profile.parquet")
    pd.DataFrame(
        {"customer_id": ["C5", "C5", "C1"], "days_beyond_terms": [100.0, 95.0, 10.0]}
    ).to_parquet(data / "cts_financing.parquet")
    pd.DataFrame({"criterion": list(weights), "weight": list(weights.values())}).to_parquet(
        data / "profile_criteria.parquet"
    )
    (data / "cts_findings.json").write_text(json.dumps({"whale": {"peak_pct": 171.5}}))
    (data / "team_summary.json").write_text(json.dumps({"feasible": False}))
    manifest = {"engagement": str(engagement), "client": client, "configuration": {}}
    (root / "manifest.json").write_text(json.dumps(manifest))
    return root


@pytest.fixture
def classroom(tmp_path):
    client = "Zeta & <Sons> s.r.o."
    pack = tmp_path / "pack"
    (pack / "answer_keys").mkdir(parents=True)
    (pack / "answer_keys" / "company_01.json").write_text(json.dumps(_key(client)))
    eng = pack / "company_01" / "engagement.yaml"
    audits = tmp_path / "audits"
    _audit(audits / "company_01", eng, client, c6_key=True, weights={"net_profit": 25.0})
    _audit(audits / "group_b", eng, client, c6_key=False, weights={"net_profit": 5.0})
    return pack, audits


def test_reveal_finds_the_facts_each_audit_shows(classroom, tmp_path):
    pack, audits = classroom
    res = reveal(pack, [audits], tmp_path / "debrief")
    df = pd.read_parquet(res.data)
    assert list(df.columns) == FACT_COLUMNS
    assert set(df["group"]) == {"company_01", "group_b"}
    found = df.set_index(["group", "fact"])["found"]
    assert found.loc[("company_01", "must_be_key")]
    assert not found.loc[("group_b", "must_be_key")]  # group b's audit dropped it
    for fact in ("top10_loss_makers", "unprofitable_vip", "very_late_payer"):
        assert found.loc[("group_b", fact)], fact
    assert (res.found, res.planted, res.groups) == (11, 12, 2)
    late = df[(df["fact"] == "very_late_payer") & (df["group"] == "group_b")]
    assert late["days_beyond_terms"].iloc[0] == pytest.approx(97.5)


def test_weights_and_key_accounts_side_by_side(classroom, tmp_path):
    pack, audits = classroom
    res = reveal(pack, [audits], tmp_path / "debrief")
    wb = openpyxl.load_workbook(res.workbook)
    weights = [[c.value for c in row] for row in wb["Weights"].iter_rows()]
    assert weights[0] == ["Criterion", "company_01", "group_b"]
    assert weights[1] == ["net_profit", 25.0, 5.0]
    accounts = [[c.value for c in row] for row in wb["Key accounts"].iter_rows()]
    zeta = next(r for r in accounts if r[1] == "C6")
    assert zeta[3:] == ["key", ""] or zeta[3:] == ["key", None]


def test_html_escapes_every_name_and_the_workbook_keeps_formulas_as_text(classroom, tmp_path):
    pack, audits = classroom
    res = reveal(pack, [audits], tmp_path / "debrief")
    page = res.html.read_text(encoding="utf-8")
    assert "<script>" not in page
    assert "&lt;script&gt;" in page
    assert "Zeta &amp; &lt;Sons&gt;" not in page or "<Sons>" not in page
    wb = openpyxl.load_workbook(res.workbook)
    cells = [c for ws in wb for row in ws.iter_rows() for c in row if c.value == HOSTILE]
    assert cells, "the hostile name is in the facts sheet"
    assert all(c.data_type == "s" for c in cells)
    sheet = (res.html.parent / "answer_sheets" / "company_01.md").read_text(encoding="utf-8")
    assert "Answer sheet: Zeta & <Sons> s.r.o. (company_01)" in sheet
    assert "171.5" in sheet and "180.0" in sheet  # audit's whale peak beside the key's


def test_the_debrief_speaks_the_language_asked(classroom, tmp_path):
    pack, audits = classroom
    res = reveal(pack, [audits], tmp_path / "debrief", language="cs")
    page = res.html.read_text(encoding="utf-8")
    assert 'lang="cs"' in page and "Rozbor" in page


def test_cli_reveal_and_its_errors(classroom, tmp_path):
    pack, audits = classroom
    run = [sys.executable, "-m", "kamaudit", "reveal"]
    out = subprocess.run(
        [*run, str(pack), str(audits), "--out", str(tmp_path / "d")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    assert "11 of 12 planted customers found" in out.stdout
    bad = subprocess.run(
        [*run, str(tmp_path), str(audits), "--out", str(tmp_path / "e")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert bad.returncode == 2
    assert bad.stderr.startswith("kamaudit: reveal: no answer key in")
    with pytest.raises(ConfigError, match="no audit found"):
        reveal(pack, [tmp_path / "pack"], tmp_path / "f")
