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

from kamaudit.deliverables.i18n import LOCALES_DIR, Catalog, _flatten, is_plural

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


def _read(path) -> dict[str, str | dict[str, str]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{path} is not a mapping"
    return _flatten(data)


def _placeholders(text) -> set[tuple[str, str]]:
    """``(field, format spec)`` of every ``{placeholder}`` (``{{`` escapes excluded); of a
    plural message, its ``other`` form's (the one that names every value)."""
    if isinstance(text, dict):
        text = text["other"]
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
    # a plural message's other forms may leave a value out ("the action"), never add one
    extra = {
        (key, form): sorted(_placeholders(t) - _placeholders(en[key]))
        for key, text in own.items()
        if isinstance(text, dict) and key in en
        for form, t in text.items()
        if _placeholders(t) - _placeholders(en[key])
    }
    assert not extra, f"{language}/{part}.yaml plural forms with values English lacks: {extra}"


@pytest.mark.parametrize(("language", "part"), CASES)
def test_part_is_complete(language, part):
    own, en = _read(LOCALES_DIR / language / f"{part}.yaml"), _english(part)
    missing = sorted(set(en) - set(own))
    assert not missing, f"{language}/{part}.yaml lacks {missing}"


@pytest.mark.parametrize(("language", "part"), CASES)
def test_translations_are_not_empty_and_format(language, part):
    own, en = _read(LOCALES_DIR / language / f"{part}.yaml"), _english(part)
    for key, entry in own.items():
        fields = {f for f, _ in _placeholders(en.get(key, ""))}
        for text in entry.values() if isinstance(entry, dict) else [entry]:
            assert text.strip(), f"{language}/{part}.yaml: {key} is empty"
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


# ------------------------------------------------------------------ plural forms

ALL_LANGUAGES = ["en", *LANGUAGES]
PLURAL_CASES = [
    (lang, part)
    for lang in ALL_LANGUAGES
    for part in PARTS
    if (LOCALES_DIR / lang / f"{part}.yaml").exists()
]


@pytest.mark.parametrize(("language", "part"), PLURAL_CASES)
def test_plural_messages_carry_every_category_the_language_needs(language, part):
    """Categories from babel's CLDR rules for the language, not a hand list: Czech, Polish
    and Russian need one/few/many/other, English and Persian one/other."""
    needed = Catalog(language).plural_categories()
    own = _read(LOCALES_DIR / language / f"{part}.yaml")
    en = _english(part)
    wrong = {
        key: sorted(set(text) ^ needed)
        for key, text in own.items()
        if isinstance(text, dict) and set(text) != needed
    }
    assert not wrong, f"{language}/{part}.yaml plural forms missing or foreign: {wrong}"
    # a message plural in English is plural in every language (and the other way round)
    shape = {k for k in own if k in en and isinstance(own[k], dict) != isinstance(en[k], dict)}
    assert not shape, f"{language}/{part}.yaml: plural in one language only: {sorted(shape)}"


def test_languages_have_plural_messages():
    for language in ALL_LANGUAGES:
        cat = Catalog(language)
        assert any(isinstance(v, dict) for v in cat._messages.values()), language


def test_a_plural_mapping_is_one_leaf_and_other_groups_stay_nested():
    data = {"a": {"one": "{n} row", "other": "{n} rows"}, "b": {"one": "x", "two": "y"}}
    flat = _flatten(data)
    assert flat["a"] == {"one": "{n} row", "other": "{n} rows"}
    assert flat["b.one"] == "x" and "b" not in flat  # no "other": a group of keys
    assert is_plural(data["a"]) and not is_plural(data["b"])


_KEY = "account_profile.summary_single"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            {
                1: "1 key account hangs",
                2: "2 key accounts hang",
                5: "5 key accounts",
                21: "21 key accounts",
                22: "22 key accounts",
            },
        ),
        (
            "cs",
            {
                1: "1 klíčový zákazník",
                2: "2 klíčoví zákazníci",
                5: "5 klíčových zákazníků",
                21: "21 klíčových zákazníků",
                22: "22 klíčových zákazníků",
            },
        ),
        (
            "pl",
            {
                1: "1 kluczowy klient",
                2: "2 kluczowych klientów",
                5: "5 kluczowych klientów",
                21: "21 kluczowych klientów",
                22: "22 kluczowych klientów",
            },
        ),
        (
            "ru",
            {
                1: "с 1 ключевым клиентом",
                2: "с 2 ключевыми клиентами",
                5: "с 5 ключевыми",
                21: "с 21 ключевым клиентом",
                22: "с 22 ключевыми клиентами",
            },
        ),
        (
            "fa",
            {1: "۱ مشتری کلیدی", 2: "۲ مشتری کلیدی", 5: "۵ مشتری", 21: "۲۱ مشتری", 22: "۲۲ مشتری"},
        ),
    ],
)
def test_plural_form_follows_the_count(language, expected):
    cat = Catalog(language)
    for n, part in expected.items():
        text = cat.t(_KEY, count=n, n=cat.number(n))
        assert part in text, (language, n, text)


@pytest.mark.parametrize("language", ["ru", "pl"])
def test_twenty_one_and_twenty_two_follow_the_rules(language):
    """21 is ``one`` in Russian but ``many`` in Polish; 22 is ``few`` in both."""
    cat = Catalog(language)
    assert cat.plural_category(21) == ("one" if language == "ru" else "many")
    assert cat.plural_category(22) == "few"
    forms = cat._messages["intake.problems.title_rows"]
    for n, form in ((21, "one" if language == "ru" else "many"), (22, "few")):
        text = cat.t("intake.problems.title_rows", count=n, n=str(n), header_row="3")
        assert text == forms[form].format(n=str(n), header_row="3"), (language, n, text)


def test_plural_without_a_count_uses_other_and_a_string_ignores_count():
    cat = Catalog("cs")
    other = cat._messages["team_design.summary_feasible"]["other"]
    assert cat.t("team_design.summary_feasible", n="7", kams="2") == other.format(n="7", kams="2")
    assert cat.t("common.yes", count=3) == cat.t("common.yes")
    assert cat.plural_category(float("nan")) == "other"
    assert cat.plural_category(2.0) == "few"


# ------------------------------------------------------------------ codes from the data


def test_label_translates_known_codes_and_humanises_the_rest():
    cs = Catalog("cs")
    assert cs.label("activity", "branch_visit") == "návštěva pobočky"
    assert cs.label("industry", "manufacturing") == "výroba"
    assert cs.label("activity", "pallet_wrapping") == "pallet wrapping"  # unknown: no code
    assert cs.label("activity", None) == ""
    cs.client_labels("activity", {"branch_visit": "Návštěva na pobočce", "call": float("nan")})
    assert cs.label("activity", "branch_visit") == "Návštěva na pobočce"  # the client's wins
    assert cs.label("activity", "call") == "telefonát"
    assert Catalog("cs").label("activity", "branch_visit") == "návštěva pobočky"  # per catalog


def _sample_vocabulary() -> dict[str, set[str]]:
    """Every activity and industry the sample generator writes (its profiles)."""
    from kamaudit.contract import ACTIVITY_EXAMPLES
    from kamaudit.sample.profiles import PROFILES

    activities = set(ACTIVITY_EXAMPLES)
    industries: set[str] = set()
    for profile in PROFILES.values():
        industries.update(profile.customer_industries)
        activities.update(a.name for a in profile.acts.values())
    return {"activity": activities, "industry": industries}


@pytest.mark.parametrize("language", ALL_LANGUAGES)
def test_every_sample_activity_and_industry_has_a_label(language):
    from kamaudit.contract import LABELLED_COLUMNS

    vocab = _sample_vocabulary()
    assert set(vocab) <= set(LABELLED_COLUMNS.values())
    assert "branch_visit" in vocab["activity"] and "public_sector" in vocab["industry"]
    cat = Catalog(language)
    missing = {
        (name, code)
        for name, codes in vocab.items()
        for code in codes
        if not cat.has(f"labels.{name}.{code}")
    }
    assert not missing, f"{language} lacks labels for {sorted(missing)}"


def test_lists_use_the_languages_separator():
    assert Catalog("cs").join(["a", "b"]) == "a, b"
    assert Catalog("fa").join(["a", "b"]).startswith("a،")  # CLDR's Arabic comma


def test_tn_formats_the_count_and_picks_the_form():
    assert Catalog("cs").tn("account_profile.summary_single", 2) == (
        "2 klíčoví zákazníci závisí na jediném kontaktu."
    )
    assert (
        Catalog("ru")
        .tn("account_profile.summary_single", 1001)
        .startswith("Отношения с 1\u00a0001 ключевым клиентом")
    )


def test_a_cost_pools_own_label_wins_in_the_report(make_engagement, make_workspace):
    """``cost_pools.label`` names the pool everywhere the report shows its activity or its
    cost line; pools without a label keep the catalog's word."""
    import pandas as pd

    from kamaudit.deliverables.context import ReportContext
    from kamaudit.deliverables.cost_to_serve import line_label

    pools = pd.DataFrame(
        {
            "activity": ["branch_visit", "call"],
            "annual_cost": [1000.0, 500.0],
            "label": ["Návštěva na pobočce", None],
        }
    )
    ws = make_workspace({"cost_pools": pools})
    ctx = ReportContext(make_engagement(language="cs"), ws)
    assert ctx.catalog.label("activity", "branch_visit") == "Návštěva na pobočce"
    assert ctx.catalog.label("activity", "call") == "telefonát"
    assert "Návštěva na pobočce" in line_label("cts_branch_visit", ctx.catalog)
