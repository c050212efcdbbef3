"""kamaudit.deliverables.team_design: sheets and section from what the stage saved."""

from __future__ import annotations

import re

from kamaudit import Workspace
from kamaudit.deliverables.context import ReportContext
from kamaudit.deliverables.team_design import SHEETS, build, messages_table
from kamaudit.team_design import TeamSettings, run

from .frames import PERIOD, company


def test_save_and_build(tmp_path, make_engagement):
    eng = make_engagement()
    tables, ap = company()
    inputs = {**tables, "assessments": None, "account_profile": ap, "customer_pnl": None}
    result = run(inputs, eng.team, eng.period)
    ws = Workspace(tmp_path / "ws").ensure()
    ctx = ReportContext(eng, ws)
    assert build(ctx) is None  # not run yet
    ws.save(result)
    report = build(ctx)
    keys = [s.key for s in report.sheets]
    assert keys == [s.table for s in SHEETS]
    plan = next(s for s in report.sheets if s.key == "team_plan")
    assert plan.df.columns[:3].tolist() == ["customer_id", "customer_name", "role"]
    roles = {"KAM", "Executive sponsor", "Finance", "Logistics", "Marketing", "Specialist"}
    assert set(plan.df["role"]) <= roles
    cp = next(s for s in report.sheets if s.key == "team_contact_plan")
    assert cp.column_labels["m01"] == "Jan 2026" and cp.column_labels["m12"] == "Dec 2026"
    kpis = next(s for s in report.sheets if s.key == "team_kpis").df.set_index("kpi")
    assert kpis.loc["Lifetime value, period", "method"].iloc[0].startswith("gross margin")
    assert report.summary and report.summary[0].startswith("The KAM plan is feasible")
    # every client-facing text comes from the catalog: no raw keys left
    texts = list(report.summary)
    for block in report.section.blocks:
        texts += [getattr(block, "text", "")] + list(getattr(block, "items", []) or [])
    texts += [s.name for s in report.sheets] + [s.note for s in report.sheets]
    for sheet in report.sheets:
        texts += [
            ctx.catalog.column(c) if c not in sheet.column_labels else sheet.column_labels[c]
            for c in sheet.df.columns
        ]
    leftovers = [t for t in texts if isinstance(t, str) and re.search(r"\bteam_design\.\w", t)]
    assert not leftovers
    structure = next(b for b in report.section.blocks if type(b).__name__ == "Bullets")
    assert structure.items[0].startswith("Head of KAM: ")
    findings = [b.text for b in report.section.blocks if getattr(b, "kind", "p") == "finding"]
    assert findings[0].startswith("The plan is feasible: 9 key accounts")
    # the KPI table per KAM ends with the targets per key account; counts are whole
    table = next(b for b in report.section.blocks if "active_contacts_n" in getattr(b, "df", {}))
    last = table.df.iloc[-1]
    assert last["kam"] == "Target per key account" and last["active_contacts_n"] == 3
    assert table.format_of("active_contacts_n") == "int" and table.format_of("retained") == "pct"
    assert table.format_of("clv_period") == "money"


def test_messages_table_in_the_engagement_language():
    tables, ap = company()
    inputs = {**tables, "assessments": None, "account_profile": ap, "customer_pnl": None}
    result = run(inputs, TeamSettings(), PERIOD)
    en = messages_table(result.messages)
    cs = messages_table(result.messages, "cs")
    assert en.columns.tolist() == ["kind", "text"] and len(en) == len(result.messages)
    assert en["kind"].iloc[0] == "finding" and en["text"].iloc[0].startswith("The plan is")
    assert cs["text"].iloc[0] != en["text"].iloc[0]
