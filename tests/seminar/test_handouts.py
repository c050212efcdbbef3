"""Handouts: a worksheet for every exercise of the guide, and a two-day plan naming them."""

from __future__ import annotations

import re

import pytest

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


LANGUAGES = ("cs", "pl", "ru", "fa")
ENGLISH_HANDOUTS = sorted(p for p in HANDOUTS.glob("*.md") if p.suffixes == [".md"])
CODE = re.compile(r"`([^`]+)`")


def _commands(text: str, language: str) -> list[str]:
    """Every code span, with the language's own file names read as the English ones."""
    return sorted(
        re.sub(rf"\.{language}\.(md|html)\b", r".\1", span) for span in CODE.findall(text)
    )


def _shape(text: str) -> tuple[list[str], int, int]:
    lines = text.splitlines()
    headings = [line.split(" ", 1)[0] for line in lines if line.startswith("#")]
    return headings, sum(line.startswith("|") for line in lines), len(CODE.findall(text))


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("english", ENGLISH_HANDOUTS, ids=lambda p: p.stem)
def test_every_handout_exists_in_the_language_with_the_same_commands(english, language):
    own = english.with_name(f"{english.stem}.{language}.md")
    assert own.is_file(), f"{own.name} is missing"
    en_text, text = english.read_text(encoding="utf-8"), own.read_text(encoding="utf-8")
    assert _commands(text, language) == _commands(en_text, "en"), f"{own.name}: commands differ"
    assert _shape(text) == _shape(en_text), f"{own.name}: headings or table rows differ"
    assert text.split("\n", 1)[0] != en_text.split("\n", 1)[0], f"{own.name} is not translated"
