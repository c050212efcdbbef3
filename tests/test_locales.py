"""The message catalogs of every language against English, and locale formatting.

English (``locales/en``) is complete. Every other language folder may hold any subset of
the English part files; each file present must load, hold only keys English has and keep
exactly English's ``{placeholders}``. Languages listed in ``COMPLETE`` must translate every
key of every part; any other language must be complete for each part file it has.
"""

from __future__ import annotations

import datetime as dt
import re
import string

import pytest
import yaml

from kamaudit.deliverables.i18n import LOCALES_DIR, Catalog, _flatten

EN = LOCALES_DIR / "en"
PARTS = sorted(p.stem for p in EN.glob("*.yaml"))
LANGUAGES = sorted(p.name for p in LOCALES_DIR.iterdir() if p.is_dir() and p.name != "en")
# Languages whose translation must cover every English part file.
COMPLETE = {"cs", "pl"}
# Excel forbids these characters in sheet names and allows 31 characters at most.
BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")

CASES = [
    (lang, part)
    for lang in LANGUAGES
    for part in PARTS
    if (LOCALES_DIR / lang / f"{part}.yaml").exists()
]


def _read(path) -> dict[str, str]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{path} is not a mapping"
    return _flatten(data)


def _placeholders(text: str) -> set[tuple[str, str]]:
    """``(field, format spec)`` of every ``{placeholder}`` (``{{`` escapes excluded)."""
    return {
        (field, spec or "")
        for _, field, spec, _ in string.Formatter().parse(text)
        if field is not None
    }


def _english(part: str) -> dict[str, str]:
    return _read(EN / f"{part}.yaml")


def test_english_parts_found():
    assert {"common", "intake", "cost_to_serve", "account_profile", "team_design"} <= set(PARTS)


@pytest.mark.parametrize("language", sorted(COMPLETE))
def test_complete_languages_have_every_part(language):
    missing = [p for p in PARTS if not (LOCALES_DIR / language / f"{p}.yaml").exists()]
    assert missing == [], f"{language} lacks {missing}"


@pytest.mark.parametrize(("language", "part"), CASES)
def test_part_loads_and_has_no_stray_keys(language, part):
    own = _read(LOCALES_DIR / language / f"{part}.yaml")
    stray = set(own) - set(_english(part))
    assert not stray, f"{language}/{part}.yaml has keys English lacks: {sorted(stray)}"


@pytest.mark.parametrize(("language", "part"), CASES)
def test_placeholders_match_english(language, part):
    own, en = _read(LOCALES_DIR / language / f"{part}.yaml"), _english(part)
    wrong = {
        key: (sorted(_placeholders(text)), sorted(_placeholders(en[key])))
        for key, text in own.items()
        if key in en and _placeholders(text) != _placeholders(en[key])
    }
    assert not wrong, f"{language}/{part}.yaml placeholders differ (own, en): {wrong}"


@pytest.mark.parametrize(("language", "part"), CASES)
def test_part_is_complete(language, part):
    own, en = _read(LOCALES_DIR / language / f"{part}.yaml"), _english(part)
    missing = sorted(set(en) - set(own))
    assert not missing, f"{language}/{part}.yaml lacks {missing}"


@pytest.mark.parametrize(("language", "part"), CASES)
def test_translations_are_not_empty_and_format(language, part):
    own, en = _read(LOCALES_DIR / language / f"{part}.yaml"), _english(part)
    for key, text in own.items():
        assert text.strip(), f"{language}/{part}.yaml: {key} is empty"
        fields = {f for f, _ in _placeholders(en.get(key, ""))}
        # every message must format with its placeholders filled (as the deliverables do)
        text.format(**{f: "1" if f not in {"peak", "share"} else 1.0 for f in fields})


@pytest.mark.parametrize("language", ["en", *LANGUAGES])
def test_sheet_names_fit_excel(language):
    cat = Catalog(language)
    for part in PARTS:
        for key in _english(part):
            bits = key.split(".")
            if len(bits) == 3 and bits[1] == "sheets" and not bits[2].endswith(("_title", "_note")):
                name = cat.t(key)
                assert len(name) <= 31 and not BAD_SHEET_CHARS.search(name), (language, key, name)


def test_czech_formats_money_numbers_and_dates():
    cat = Catalog("cs", "CZK")
    money = cat.money(1234567.5, 2)
    # thousands grouped by a no-break (or narrow no-break) space, decimal comma, symbol after
    assert re.fullmatch(r"1[\u00a0\u202f]234[\u00a0\u202f]567,50[\u00a0\u202f ]Kč", money), money
    assert "." not in money and "," in money
    assert re.fullmatch(r"1[\u00a0\u202f]234,5", cat.number(1234.5, 1))
    assert cat.pct(12.5) == "12,5\u00a0%"
    assert cat.date(dt.date(2025, 3, 1)) == "1. 3. 2025"
    assert cat.date("2025-12-31") == "31. 12. 2025"
    eur = Catalog("cs", "EUR").money(-1000)
    assert eur.endswith("€") and re.search(r"1[\u00a0\u202f]000", eur), eur


def test_czech_report_uses_czech_catalog_and_formats(make_engagement, tiny_workspace):
    from kamaudit.deliverables.context import ReportContext
    from kamaudit.deliverables.html import render_report

    ctx = ReportContext(make_engagement(language="cs"), tiny_workspace)
    assert ctx.catalog.language == "cs"
    html = render_report(ctx, [])
    assert 'lang="cs"' in html
    assert "Obsah" in html
    assert ctx.t("intake.title") == "Data, která jsme obdrželi"
    assert re.fullmatch(r"2[\u00a0\u202f]500,50[\u00a0\u202f ]Kč", ctx.fmt.money(2500.5, 2))
    assert ctx.fmt.date(dt.date(2024, 1, 15)) == "15. 1. 2024"
    # placeholders are filled with locale-formatted numbers
    text = ctx.t(
        "cost_to_serve.summary_lead",
        profit=ctx.fmt.money(-1200),
        revenue=ctx.fmt.money(5800.5),
        pct=ctx.fmt.pct(-20.7),
    )
    assert re.search(
        r"[-−]1[\u00a0\u202f]200[\u00a0\u202f ]Kč při čistých tržbách 5[\u00a0\u202f]800", text
    ), text
    assert re.search(r"\([-−]20,7\u00a0%\)", text), text


def test_polish_catalog_formats():
    cat = Catalog("pl", "PLN")
    money = cat.money(1234567.5, 2)
    assert re.fullmatch(r"1[\u00a0\u202f]234[\u00a0\u202f]567,50[\u00a0\u202f ]zł", money), money
    assert cat.t("team_design.title") != Catalog("en").t("team_design.title")
