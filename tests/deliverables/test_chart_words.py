"""The charts say the same words in the report and in the notebooks, in the language."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from kamaudit.deliverables import chart_words
from kamaudit.deliverables.i18n import Catalog

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
_T_ONLY = [
    "lorenz_curve",
    "coverage_by_month",
    "whale_curve",
    "quadrant_scatter",
    "scenario_whales",
    "portfolio_matrix",
    "turnover_comparison",
    "load_per_person",
    "contact_calendar",
]


def _texts(value) -> list[str]:
    if isinstance(value, dict):
        return [x for v in value.values() for x in _texts(v)]
    return [value] if isinstance(value, str) else []


@pytest.mark.parametrize("language", ["cs", "pl", "ru", "fa"])
def test_every_chart_has_its_words_in_the_language(language):
    en, other = Catalog("en"), Catalog(language)
    for name in _T_ONLY:
        mine, english = getattr(chart_words, name)(other.t), getattr(chart_words, name)(en.t)
        texts = _texts(mine)
        assert texts and all(texts), name
        same = [a for a, b in zip(texts, _texts(english), strict=True) if a == b and a.isascii()]
        assert not same, f"{name} in {language} keeps English: {same}"


def test_every_chart_a_notebook_draws_takes_its_words_from_the_catalog():
    calls = []
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            source = "".join(cell["source"])
            if cell["cell_type"] != "code":
                continue
            for m in re.finditer(r"\b(\w*plots)\.(\w+)\((.*)\);?$", source, flags=re.M):
                if m.group(2) in (*_T_ONLY, "pnl_waterfall"):
                    calls.append((path.name, m.group(2), "**words." in m.group(3)))
    assert len(calls) >= 11
    assert all(ok for *_, ok in calls), [c for c in calls if not c[2]]
