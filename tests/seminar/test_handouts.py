"""Handouts: a worksheet for every exercise of the guide, and a two-day plan naming them."""

from __future__ import annotations

from .guide import DOCS, boxes

HANDOUTS = DOCS / "handouts"


def test_every_exercise_has_a_worksheet_and_a_slot_in_the_plan():
    exercises = {name[0] for name in boxes("en") if name[:1] in "ABC" and len(name) <= 2}
    assert exercises == {"A", "B", "C"}
    plan = (HANDOUTS / "two_day_plan.md").read_text(encoding="utf-8")
    for ex in sorted(exercises):
        sheet = HANDOUTS / f"worksheet_{ex}.md"
        assert sheet.is_file(), sheet
        assert sheet.read_text(encoding="utf-8").startswith(f"# Worksheet {ex}:")
        assert f"**Exercise {ex}**" in plan
        assert f"worksheet {ex}" in plan
    assert "kamaudit reveal" in plan and "Debrief" in plan
