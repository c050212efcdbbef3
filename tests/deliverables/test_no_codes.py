"""No internal code reaches the client: the contract's codes against the sample's HTML and
workbook, in English and Persian (where a Latin code word of any shape is a leak)."""

from __future__ import annotations

import pytest

from kamaudit import contract

from .scan import (
    client_strings,
    leaked_codes,
    sample_in_language,
    visible_text,
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
