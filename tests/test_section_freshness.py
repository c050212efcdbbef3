"""The deliverables say which sections are from this run, from an earlier current run,
stale, or missing because their stage has not run (issue 12, point 1 and 2)."""

from __future__ import annotations

import json
import shutil

import pytest

from kamaudit import load_engagement
from kamaudit.deliverables.builder import build_deliverables
from kamaudit.workspace import Workspace

pytestmark = pytest.mark.e2e


def _report_with(sample_run, tmp_path, sections: dict[str, str], language: str = "en"):
    out = tmp_path / "audit"
    shutil.copytree(sample_run, out)
    ws = Workspace(out)
    manifest = ws.read_manifest()
    manifest["sections"] = sections
    ws.write_manifest(manifest)
    if sections.get("team_design") == "not run":
        for name in ws.tables():
            if name.startswith("team_"):
                ws.table_path(name).unlink()
    eng = load_engagement(manifest["engagement"], {"language": language})
    built = build_deliverables(eng, ws)
    return built.html.read_text(encoding="utf-8"), json.loads(
        (ws.data_dir / "deliverables_status.json").read_text(encoding="utf-8")
    )


def test_stale_current_and_not_run_sections_are_named(sample_run, tmp_path):
    html, status = _report_with(
        sample_run,
        tmp_path,
        {
            "intake": "ran now",
            "cost_to_serve": "current",
            "account_profile": "stale",
            "team_design": "not run",
        },
    )
    assert "This section is from this run." in html
    assert "This section is from an earlier run whose data and settings still hold." in html
    assert html.count("no longer matches the data or settings") >= 2  # section and summary
    assert "Team design: this stage has not run" in html
    assert "team_design" in status["stages"]


def test_a_complete_run_adds_no_notes(sample_run, tmp_path):
    html, _ = _report_with(
        sample_run,
        tmp_path,
        dict.fromkeys(("intake", "cost_to_serve", "account_profile", "team_design"), "ran now"),
    )
    assert "This section is from this run." not in html


def test_in_persian_too(sample_run, tmp_path):
    html, _ = _report_with(
        sample_run, tmp_path, {"intake": "ran now", "cost_to_serve": "stale"}, language="fa"
    )
    assert "این بخش از اجرای پیشین است و دیگر با داده‌ها" in html
