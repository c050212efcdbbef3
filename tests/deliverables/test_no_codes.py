"""No internal code reaches the client: the contract's codes against the sample's HTML and
workbook, in English and Persian (where a Latin code word of any shape is a leak)."""

from __future__ import annotations

import pytest

from kamaudit import contract

from .scan import (
    client_strings,
    data_codes,
    leaked_codes,
    sample_in_language,
    visible_text,
    words_found,
    workbook_texts,
)


def test_codes_come_from_the_contract():
    codes = contract.client_codes()
    assert {"sales_visit", "cost_pools", "decision_maker", "kam", "net_revenue"} <= codes
    for vocabulary in contract.all_vocabularies():
        assert set(vocabulary.codes) <= codes


def test_the_scanner_finds_a_code_and_spares_client_words():
    text = "Largest effect: sales_visit. Visit Sales_Visit GmbH."
    assert leaked_codes(text, "en", set()) == {"sales_visit"}
    assert leaked_codes(text, "en", {"Largest effect: sales_visit"}) == set()
    assert leaked_codes("نقش: kam", "fa", set()) == {"kam"}
    assert leaked_codes("role: kam", "en", set()) == set()  # plain words in English


@pytest.mark.slow
@pytest.mark.parametrize("language", ["en", "fa"])
def test_no_contract_code_in_the_sample_deliverables(sample_run, tmp_path_factory, language):
    out = sample_in_language(sample_run, language, tmp_path_factory.mktemp("codes"))
    client = client_strings(out / "data")
    html = next((out / "deliverables").glob("*.html")).read_text(encoding="utf-8")
    assert leaked_codes(visible_text(html), language, client) == set()
    found = {}
    for sheet, cell, text in workbook_texts(next((out / "deliverables").glob("*.xlsx"))):
        for code in leaked_codes(text, "en", client):  # snake_case codes, every language
            found.setdefault(code, f"{sheet}!{cell}: {text[:60]}")
    assert found == {}


STAGE_ENGLISH = {"cts_scenarios": ("lever", "assumption")}
"""Columns the cost-to-serve stage still writes as English sentences (a scenario's lever
and assumption); the test below leaves them out and ``test_scenario_levers_...`` keeps
them in sight."""


def _stage_english(data_dir) -> set[str]:
    import pandas as pd

    out: set[str] = set()
    for table, columns in STAGE_ENGLISH.items():
        path = data_dir / f"{table}.parquet"
        if path.exists():
            df = pd.read_parquet(path)
            for c in columns:
                out.update(df[c].dropna().astype(str))
    return out


def _forbidden_words(data_dir) -> set[str]:
    """The sample's activity and industry codes, those codes humanised, and their English
    labels: none may reach a reader of another language."""
    from kamaudit.deliverables.i18n import Catalog

    en = Catalog("en")
    words: set[str] = set()
    for vocabulary, codes in data_codes(data_dir).items():
        assert codes, vocabulary
        for code in codes:
            words |= {code, code.replace("_", " "), en.label(vocabulary, code)}
    return {w for w in words if len(w) > 2}


@pytest.mark.slow
@pytest.mark.parametrize("language", ["cs", "fa"])
def test_no_data_code_or_english_activity_word_in_other_languages(
    sample_run, tmp_path_factory, language
):
    """Activities, cost pools and industries from the data reach the reader in the
    report's language: no code, no humanised code, no English label, in the HTML's visible
    text or any workbook cell, once the client's own words (names) are set aside."""
    out = sample_in_language(sample_run, language, tmp_path_factory.mktemp("labels"))
    data = out / "data"
    words = _forbidden_words(data)
    assert {"sales_visit", "sales visit", "manufacturing"} <= words
    client = client_strings(data, labelled=False) | _stage_english(data)

    def strip(text: str) -> str:
        for word in sorted(client, key=len, reverse=True):
            if len(word) > 2:
                text = text.replace(word, " ")
        return text

    html = next((out / "deliverables").glob("*.html")).read_text(encoding="utf-8")
    page = strip(visible_text(html))
    assert words_found(page, words) == set(), [
        page[max(0, page.find(w) - 50) : page.find(w) + 30] for w in words_found(page, words)
    ]
    found = {}
    for sheet, cell, text in workbook_texts(next((out / "deliverables").glob("*.xlsx"))):
        for word in words_found(strip(text), words):
            found.setdefault(word, f"{sheet}!{cell}: {text[:70]}")
    assert found == {}


@pytest.mark.slow
def test_scenario_levers_are_in_the_report_language(sample_run, tmp_path_factory):
    out = sample_in_language(sample_run, "cs", tmp_path_factory.mktemp("labels"))
    texts = [t for _, _, t in workbook_texts(next((out / "deliverables").glob("*.xlsx")))]
    assert not any(t in _stage_english(out / "data") for t in texts)
