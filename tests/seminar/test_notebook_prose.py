"""The notebooks' prose: one source in the catalog, shown in the engagement's language."""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from kamaudit.deliverables.i18n import LOCALES_DIR, _flatten
from kamaudit.teaching import prose

ROOT = Path(__file__).resolve().parents[2]

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
PROSE_CALL = re.compile(r'teaching\.prose\(ctx,\s*"([^"]+)"\)')
# Words that carry an English sentence and are no word of Czech, Polish, Russian or Persian
# ("we" is Polish, "IT" an acronym in every language: neither is listed).
ENGLISH = {
    "the", "and", "of", "is", "are", "with", "which", "that", "this", "for", "from",
    "what", "when", "who", "each", "every", "our", "their", "not", "they", "would",
}  # fmt: skip
TRANSLATED = sorted(
    (p.parent.name, p.stem) for p in LOCALES_DIR.glob("*/notebook*.yaml") if p.parent.name != "en"
)


def _cells(path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _keys(path) -> list[str]:
    code = "\n".join("".join(c["source"]) for c in _cells(path) if c["cell_type"] == "code")
    return PROSE_CALL.findall(code)


def _ctx(language: str):
    return SimpleNamespace(engagement=SimpleNamespace(language=language))


def _english_words(text: str) -> list[str]:
    text = re.sub(r"`[^`]*`", " ", text)  # code: setting names, table names
    return [w for w in re.findall(r"\w+", text) if w.lower() in ENGLISH]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_markdown_cells_are_titles_only_and_the_prose_comes_from_the_catalog(path):
    markdown = ["".join(c["source"]) for c in _cells(path) if c["cell_type"] == "markdown"]
    assert all(len(m.strip().splitlines()) == 1 and m.startswith("#") for m in markdown), (
        f"{path.name}: explanatory text belongs in the catalog, not in markdown cells"
    )
    keys = _keys(path)
    catalog = LOCALES_DIR / "en" / f"notebook{path.name[:2]}.yaml"
    own = _flatten(yaml.safe_load(catalog.read_text(encoding="utf-8")))
    assert keys and len(keys) == len(set(keys)), f"{path.name}: each text shown once"
    assert sorted(keys) == sorted(own), f"{path.name} and {catalog.name} name the same texts"
    assert "".join(_cells(path)[0]["source"]).startswith("# "), "a title first"


@pytest.mark.parametrize("language", ["cs", "fa"])
def test_notebook_04_reads_without_an_english_sentence(language):
    path = ROOT / "notebooks" / "04_team_design.ipynb"
    for key in _keys(path):
        en, own = prose(_ctx("en"), key), prose(_ctx(language), key)
        assert own != en and not _english_words(own), (key, _english_words(own))
        assert _english_words(en), f"{key}: the check would find English"


@pytest.mark.parametrize(("language", "part"), TRANSLATED)
def test_each_translated_text_has_no_english_sentence(language, part):
    data = _flatten(yaml.safe_load((LOCALES_DIR / language / f"{part}.yaml").read_text("utf-8")))
    stray = {k: _english_words(v) for k, v in data.items() if _english_words(v)}
    assert not stray, f"{language}/{part}.yaml reads English: {stray}"


def test_persian_prose_is_right_to_left_and_english_is_plain():
    fa = prose(_ctx("fa"), "nb04.intro")
    assert fa.startswith('<div dir="rtl"') and fa._repr_markdown_() == str(fa) == repr(fa)
    assert prose(_ctx("en"), "nb04.intro").startswith("## ")


def test_a_missing_key_says_which():
    with pytest.raises(KeyError, match="nb04.nothing"):
        prose(_ctx("cs"), "nb04.nothing")
