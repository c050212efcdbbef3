"""Drivers in the client's words: keywords, plurals, synonyms, translations, ledger counts."""

from __future__ import annotations

import random
import shutil
import string

import numpy as np
import pandas as pd
import pytest

from kamaudit import cli
from kamaudit.cost_to_serve import driver_volumes
from kamaudit.cost_to_serve.driver_words import (
    check_drivers,
    forms,
    lexicon,
    resolve_driver,
    unresolved_drivers,
)
from kamaudit.errors import InputError

from .frames import SAMPLE, run_on

NAMES = ["delivery", "call", "rush_order", "sales_visit", "complaint", "tech_support"]


def _res(word, pool="x", names=NAMES):
    r = resolve_driver(word, pool, names)
    return None if r is None else (r.driver, r.activity, r.reason)


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("deliveries", ("activity", "delivery", "plural")),
        ("Calls", ("activity", "call", "plural")),
        ("complaints", ("activity", "complaint", "plural")),
        ("rush_orders", ("activity", "rush_order", "plural")),
        ("Rush Orders", ("activity", "rush_order", "plural")),
        ("number of deliveries", ("activity", "delivery", "plural")),
    ],
)
def test_english_plurals_name_the_activity_of_the_data(word, expected):
    assert _res(word) == expected


@pytest.mark.parametrize(
    ("word", "activity"),
    [
        ("shipments", "delivery"),  # synonym
        ("phone calls", "call"),
        ("visits", "sales_visit"),
        ("claims", "complaint"),
        ("helpdesk tickets", None),  # two words, no phrase of the catalogs: unresolved
    ],
)
def test_synonyms_from_the_catalogs(word, activity):
    r = resolve_driver(word, "x", NAMES)
    assert (r and r.activity) == activity


@pytest.mark.parametrize(
    ("word", "activity"),
    [
        ("dodávky", "delivery"),  # Czech plural
        ("Počet dodávek", "delivery"),  # Czech genitive plural after a filler word
        ("reklamace", "complaint"),
        ("telefonáty", "call"),
        ("dostawy", "delivery"),  # Polish
        ("reklamacje", "complaint"),
        ("wizyty", "sales_visit"),
        ("Доставки", "delivery"),  # Russian
        ("звонки", "call"),  # fleeting vowel: звонок / звонки
        ("жалобы", "complaint"),
        ("срочные заказы", "rush_order"),
    ],
)
def test_czech_polish_and_russian_words(word, activity):
    r = resolve_driver(word, "x", NAMES)
    assert r is not None and r.driver == "activity" and r.activity == activity, word


@pytest.mark.parametrize(
    ("word", "driver"),
    [
        ("Hours", "hours"),
        ("hodiny", "hours"),
        ("godziny", "hours"),
        ("часы", "hours"),
        ("faktury", "invoices"),
        ("invoice lines", "invoice_lines"),
        ("credit notes", "credit_notes"),
        ("net-revenue", "revenue"),
        ("turnover", "revenue"),
        ("customer", "customers"),
    ],
)
def test_keywords_in_five_languages(word, driver):
    assert resolve_driver(word, "delivery", NAMES).driver == driver


def test_hours_of_an_activity_named_in_the_word():
    assert _res("support hours") == ("hours", "tech_support", "catalog")
    assert _res("hodiny podpory") == ("hours", "tech_support", "catalog")
    assert _res("delivery time") == ("hours", "delivery", "name")


def test_ledger_count_only_when_no_activity_rows_exist():
    assert _res("orders") == ("invoices", None, "ledger")
    assert _res("returns") == ("credit_notes", None, "ledger")
    assert _res("objednávky") == ("invoices", None, "ledger")
    # the activities table has orders: then the word counts them
    assert _res("orders", names=[*NAMES, "order"]) == ("activity", "order", "plural")
    assert _res("returns", names=["return"]) == ("activity", "return", "plural")


def test_the_why_says_what_was_counted():
    r = resolve_driver("deliveries", "delivery", NAMES)
    assert r.why == "deliveries -> quantity of activity rows 'delivery' (plural or inflection)"
    assert "ledger count" in resolve_driver("orders", "order", []).why


def _made_up_word(rng: random.Random) -> str:
    consonants, vowels = "bcdfgklmnprtvz", "aeiou"
    return "".join(rng.choice(consonants) + rng.choice(vowels) for _ in range(rng.randint(2, 4)))


def _english_plural(word: str) -> str:
    if word.endswith("y") and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    return word + "s"


@pytest.mark.parametrize("seed", range(8))
def test_words_made_up_at_test_time(seed):
    """Activity names no list in the code holds, written as the client would."""
    rng = random.Random(seed)
    base = _made_up_word(rng)
    other = _made_up_word(rng) + "t"
    names = [base + "y", other, f"{base}_{other}", "delivery"]
    assert _res(_english_plural(base + "y"), names=names)[:2] == ("activity", base + "y")
    assert _res(other.upper() + "S", names=names)[:2] == ("activity", other)
    assert _res(f"{base}s {other}s", names=names)[:2] == ("activity", f"{base}_{other}")
    assert _res(f"{other} hours", names=names)[:2] == ("hours", other)
    assert _res("q" + other, names=names) is None  # no activity, keyword or catalog word
    # Czech/Polish/Russian-style endings on made-up stems
    assert _res(other + "y", names=[other + "a"])[:2] == ("activity", other + "a")
    cyr = "".join(rng.choice("бвгдзклмнпрст") + rng.choice("аоу") for _ in range(3)) + "к"
    assert _res(cyr + "и", names=[cyr + "а"])[:2] == ("activity", cyr + "а")


def test_every_catalog_language_contributes_words():
    lex = lexicon()
    delivery = {" ".join(p) for p in lex.concepts["delivery"]}
    assert {"dodavka", "dostawa", "доставка", "تحویل"} <= delivery
    assert "deliveri" in forms("deliveries") and "delivery" in forms("deliveries")


# ------------------------------------------------------------------ volumes and errors


def test_volumes_follow_the_resolved_driver(small):
    pools = pd.DataFrame(
        {
            "activity": ["Lieferung", "besuch", "order"],
            "driver": ["deliveries", "návštěvy hodiny", "orders"],
            "annual_cost": [100.0, 50.0, 30.0],
        }
    )
    acts = small["activities"].assign(activity=["delivery"] * 3 + ["návštěva", "complaint"])
    volumes, p = driver_volumes(pools, small["invoices"], acts, pd.Index(["A", "B", "C"]))
    assert p["driver"].tolist() == ["activity", "hours", "invoices"]
    assert volumes[:, 0].tolist() == [3.0, 1.0, 0.0]  # quantity of 'delivery' rows
    assert volumes[:, 1].tolist() == [0.0, 0.0, 2.0]  # hours of 'návštěva' rows
    assert volumes[:, 2].tolist() == [2.0, 1.0, 1.0]  # invoices: no order rows
    assert "quantity of activity rows 'delivery'" in p["driver_why"].iloc[0]


def test_unresolved_driver_is_one_sentence_with_did_you_mean(small):
    pools = small["cost_pools"].assign(driver=["activity", "hours", "invoices"])
    pools.loc[0, "driver"] = "deliverys-x"
    pools.loc[2, "driver"] = "zorblats"
    assert [b[:3] for b in unresolved_drivers(pools, small["activities"])] == [
        (0, "delivery", "deliverys-x"),
        (2, "order", "zorblats"),
    ]
    with pytest.raises(InputError, match=r'pools\.csv, row 3, pool "delivery"') as exc:
        check_drivers(pools, small["activities"], file="pools.csv", header_row=2)
    text = str(exc.value)
    assert 'the driver "deliverys-x"' in text and 'Did you mean "delivery"?' in text
    assert 'row 5, pool "order": the driver "zorblats"' in text
    assert "Accepted: activity, hours, invoices" in text and "unallocated: allow" in text


def test_run_refuses_unallocated_cost_unless_allowed(small):
    tables = dict(small)
    tables["cost_pools"] = small["cost_pools"].assign(driver=["parcelz", "hours", "invoices"])
    with pytest.raises(InputError, match='pool "delivery": the driver "parcelz"'):
        run_on(tables, monte_carlo_runs=0)
    r = run_on(tables, monte_carlo_runs=0, unallocated="allow")
    rec = r.reconciliation.set_index("item")
    assert rec.loc["cts_unallocated", "ledger"] == 100.0
    assert rec.loc["cts_unallocated", "difference"] == -100.0
    assert rec.loc["pool:delivery", "difference"] == -100.0
    assert not r.reconciles
    red = r.findings[0]
    assert red.key == "cost_to_serve.findings.cts_unreached" and red.severity == "error"
    assert red.params["missing_amount"] == 100.0


def test_pool_without_volume_is_refused_in_run(small):
    tables = dict(small)
    tables["activities"] = small["activities"][small["activities"]["activity"] != "visit"]
    with pytest.raises(InputError, match='pool "visit": the driver "hours" counts activity rows'):
        run_on(tables, monte_carlo_runs=0)


def test_validate_names_the_file_row_pool_and_word(tmp_path, capsys):
    folder = tmp_path / "eng"
    shutil.copytree(SAMPLE, folder)
    pools = pd.read_csv(folder / "cost_pools.csv")
    pools.loc[2, "driver"] = "rush ordrs"
    pools.loc[4, "driver"] = "calls"
    pools.to_csv(folder / "cost_pools.csv", index=False)
    assert cli.main(["validate", str(folder / "engagement.yaml")]) == 2
    err = capsys.readouterr().err
    assert 'cost_pools.csv, row 4, pool "rush_order": the driver "rush ordrs"' in err
    assert 'Did you mean "rush_order"?' in err
    assert "calls" not in err.split("Accepted")[0].replace("rush ordrs", "")
    text = (folder / "engagement.yaml").read_text() + "\ncost_to_serve: {unallocated: allow}\n"
    (folder / "engagement.yaml").write_text(text)
    assert cli.main(["validate", str(folder / "engagement.yaml")]) == 0


def test_random_activity_names_allocate_everything():
    """Pools driven by made-up plural words allocate every cent to customers."""
    rng = random.Random(3)
    words = sorted({"".join(rng.choices(string.ascii_lowercase[:6], k=5)) for _ in range(4)})
    n = 30
    acts = pd.DataFrame(
        {
            "customer_id": [f"k{i % 5}" for i in range(n)],
            "activity": [words[i % len(words)] for i in range(n)],
            "quantity": np.ones(n),
            "hours": np.full(n, 0.5),
        }
    )
    inv = pd.DataFrame(
        {
            "invoice_id": [f"i{i}" for i in range(5)],
            "invoice_date": pd.to_datetime(["2024-03-01"] * 5),
            "customer_id": [f"k{i}" for i in range(5)],
            "net_amount": [100.0] * 5,
            "cost_amount": [50.0] * 5,
        }
    )
    pools = pd.DataFrame(
        {"activity": [f"pool{i}" for i in range(len(words))], "driver": [w + "s" for w in words]}
    ).assign(annual_cost=1000.01)
    r = run_on({"invoices": inv, "activities": acts, "cost_pools": pools}, monte_carlo_runs=0)
    assert r.rates["allocated_cost"].sum() == pytest.approx(1000.01 * len(words))
    assert r.reconciles
