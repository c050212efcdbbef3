"""End to end through the CLI on data/sample/: the output layout, the workbook, the report.

`sample_run` (conftest.py) runs `kamaudit run data/sample/engagement.yaml` once per session.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample"
STAGES = ["intake", "cost_to_serve", "account_profile", "team_design"]

pytestmark = pytest.mark.e2e


def test_output_layout(sample_run):
    out = sample_run
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "ok", manifest.get("error")
    assert [manifest["stages"][s]["status"] for s in STAGES] == ["ok"] * 4
    assert {i["table"] for i in manifest["inputs"]} >= {"invoices", "customers", "cost_pools"}
    assert all(len(i["sha256"]) == 64 for i in manifest["inputs"])
    for table in ("customers", "invoices", "customer_pnl", "account_profile", "team_plan"):
        assert (out / "data" / f"{table}.parquet").exists(), table
    for nb in ("01_intake", "02_cost_to_serve", "03_key_account_profile", "04_team_design"):
        assert (out / "notebooks" / f"{nb}.ipynb").exists()
        html = (out / "notebooks" / f"{nb}.html").read_text(encoding="utf-8")
        assert not re.search(r'(src|href)\s*=\s*["\']?(https?:)?//', html), f"{nb}.html links out"
        assert "open_stage(" not in html, f"{nb}.html shows code"
    files = sorted(p.name for p in (out / "deliverables").iterdir())
    from kamaudit.deliverables.pdf import find_chromium

    expected = ["Nordwind_Distribution_Ltd_kam_audit.html"]
    if find_chromium():  # the report printed beside the HTML
        expected.append("Nordwind_Distribution_Ltd_kam_audit.pdf")
    assert files == [*expected, "Nordwind_Distribution_Ltd_kam_audit.xlsx"]


def test_inputs_are_never_modified(sample_run):
    manifest = json.loads((sample_run / "manifest.json").read_text(encoding="utf-8"))
    from kamaudit.runner import sha256_file

    for item in manifest["inputs"]:
        assert sha256_file(Path(item["path"])) == item["sha256"]


def test_workbook_has_the_sheets_tables_and_the_settings_paper(sample_run):
    path = next((sample_run / "deliverables").glob("*.xlsx"))
    wb = load_workbook(path)
    names = wb.sheetnames
    assert names[0] == "Cover"
    assert "Contents" in names and "Assumptions" not in names
    assert len(names) >= 15, names
    tables = {t for ws in wb.worksheets for t in ws.tables}
    assert len(tables) >= 12
    # every setting is in the consultant's working papers, not in the client's workbook
    paper = (sample_run / "notebooks" / "00_settings.html").read_text(encoding="utf-8")
    assert "<td>cost_to_serve.cost_of_capital</td>" in paper


def test_report_has_every_section_and_nothing_external(sample_run):
    path = next((sample_run / "deliverables").glob("*.html"))
    html = path.read_text(encoding="utf-8")
    for stage in STAGES:
        assert f'id="{stage}"' in html, stage
    assert not re.search(r'(src|href)\s*=\s*["\']?(https?:)?//', html)
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", html)
    assert "Nordwind" in html


def test_planted_facts_come_out(sample_run):
    facts = json.loads((SAMPLE / "answer_key.json").read_text(encoding="utf-8"))["facts"]
    ids = {name: fact["customer_ids"] for name, fact in facts.items()}
    pnl = pd.read_parquet(sample_run / "data" / "customer_pnl.parquet").set_index("customer_id")
    profile = pd.read_parquet(sample_run / "data" / "account_profile.parquet").set_index(
        "customer_id"
    )
    plan = pd.read_parquet(sample_run / "data" / "team_plan.parquet")

    for cid in ids["top10_loss_makers"] + ids["unprofitable_vip"]:
        assert pnl.loc[cid, "net_profit"] < 0, cid
        assert bool(pnl.loc[cid, "is_big_unprofitable"]), cid
        assert not bool(profile.loc[cid, "is_key_account"]), cid
    assert (pnl.loc[ids["top10_loss_makers"], "revenue_rank"] <= 10).all()
    for cid in ids["fast_growing_potential"]:
        assert bool(profile.loc[cid, "is_potential"]), cid
    for cid in ids["single_contact_key_candidates"]:
        assert bool(profile.loc[cid, "single_contact_risk"]), cid
    assert bool(profile.loc[ids["must_be_key"][0], "is_key_account"])

    keys = profile.index[profile["is_key_account"].astype(bool)]
    assert 0 < len(keys) <= 0.2 * len(profile)
    kams = plan[plan["role"] == "kam"].groupby("customer_id")["person_id"].nunique()
    assert set(kams.index) == set(keys) and (kams == 1).all()


def test_minimal_engagement_with_only_the_required_keys_runs(tmp_path):
    csvs = {p.stem: p for p in SAMPLE.glob("*.csv")}
    lines = ["client: Minimal Co", "period: {start: 2024-01-01, end: 2025-12-31}", "inputs:"]
    lines += [f"  {name}: {path}" for name, path in sorted(csvs.items())]
    eng = tmp_path / "engagement.yaml"
    eng.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = subprocess.run(
        [sys.executable, "-m", "kamaudit", "run", str(eng), "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "out" / "deliverables" / "Minimal_Co_kam_audit.xlsx").exists()
