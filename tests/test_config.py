"""The engagement file: defaults, path resolution, and messages that name the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from kamaudit.config import load_engagement, parse_override
from kamaudit.errors import ConfigError, did_you_mean

MINIMAL = (
    "client: Acme\nperiod: {start: 2024-01-01, end: 2025-12-31}\ninputs: {invoices: inv.csv}\n"
)


def write(tmp_path: Path, text: str, name: str = "engagement.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_minimal_file_gets_every_default(tmp_path):
    eng = load_engagement(write(tmp_path, MINIMAL))
    assert eng.client == "Acme"
    assert eng.currency == "EUR" and eng.language == "en"
    assert eng.period.days == 731
    assert eng.cost_to_serve.cost_of_capital == pytest.approx(0.08)
    sources = eng.assumptions().set_index("setting")["source"]
    assert sources["client"] == "engagement file"
    assert sources["cost_to_serve.cost_of_capital"] == "default"


def test_paths_resolve_relative_to_the_engagement_file(tmp_path, monkeypatch):
    sub = tmp_path / "clients" / "acme"
    sub.mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    eng = load_engagement(write(sub, MINIMAL))
    assert eng.inputs["invoices"].path == (sub / "inv.csv").resolve()


def test_input_mapping_form(tmp_path):
    text = MINIMAL.replace(
        "inputs: {invoices: inv.csv}",
        'inputs:\n  invoices: {path: x.csv, delimiter: ";", decimal: ",", header_row: 3,'
        ' columns: {"Doklad": invoice_id}}',
    )
    spec = load_engagement(write(tmp_path, text)).inputs["invoices"]
    assert spec.delimiter == ";" and spec.decimal == "," and spec.header_row == 3
    assert spec.columns == {"Doklad": "invoice_id"}


def test_unknown_key_suggests_the_near_miss(tmp_path):
    path = write(tmp_path, MINIMAL + "langauge: cs\n")
    with pytest.raises(ConfigError, match=r'unknown key "langauge"\. Did you mean "language"\?'):
        load_engagement(path)


def test_an_unknown_key_far_from_any_lists_the_keys_of_the_file_only(tmp_path):
    path = write(tmp_path, MINIMAL + "team_design: {}\n")
    with pytest.raises(ConfigError, match=r"Allowed here: .*team\b") as info:
        load_engagement(path)
    assert "source_path" not in str(info.value)  # where the file was loaded from: not a key


def test_unknown_nested_key_names_its_path(tmp_path):
    text = MINIMAL.replace("{invoices: inv.csv}", '{invoices: {path: a.csv, delimter: ";"}}')
    with pytest.raises(
        ConfigError, match=r'"inputs\.invoices\.delimter"\. Did you mean "delimiter"'
    ):
        load_engagement(write(tmp_path, text))


def test_unknown_input_table_is_named(tmp_path):
    text = MINIMAL.replace("{invoices: inv.csv}", "{invoices: inv.csv, custmers: c.csv}")
    with pytest.raises(
        ConfigError, match=r'"custmers" is not an input table.*Did you mean "customers"'
    ):
        load_engagement(write(tmp_path, text))


def test_wrong_value_names_key_value_and_expectation(tmp_path):
    path = write(tmp_path, MINIMAL + "cost_to_serve: {cost_of_capital: lots}\n")
    with pytest.raises(
        ConfigError, match=r'"cost_to_serve\.cost_of_capital" = "lots" is not valid: .*number'
    ):
        load_engagement(path)


def test_every_problem_is_listed_at_once(tmp_path):
    path = write(tmp_path, MINIMAL + "currency: EURO\nlanguage: de\n")
    with pytest.raises(ConfigError) as info:
        load_engagement(path)
    text = str(info.value)
    assert "2 problems" in text and '"currency"' in text and '"language"' in text


def test_required_keys(tmp_path):
    with pytest.raises(ConfigError, match=r'"client" is required but missing'):
        load_engagement(
            write(
                tmp_path,
                "period: {start: 2024-01-01, end: 2024-12-31}\ninputs: {invoices: a.csv}\n",
            )
        )
    with pytest.raises(ConfigError, match="invoices is required"):
        load_engagement(write(tmp_path, MINIMAL.replace("invoices: inv.csv", "customers: c.csv")))


def test_period_must_be_ordered(tmp_path):
    path = write(tmp_path, MINIMAL.replace("end: 2025-12-31", "end: 2023-12-31"))
    with pytest.raises(ConfigError, match="end 2023-12-31 is before start 2024-01-01"):
        load_engagement(path)


def test_yaml_is_parsed_safely(tmp_path):
    path = write(tmp_path, MINIMAL + "report: !!python/object/apply:os.system ['echo hacked']\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_engagement(path)


def test_broken_yaml_names_line(tmp_path):
    with pytest.raises(ConfigError, match=r"engagement\.yaml, line \d+"):
        load_engagement(write(tmp_path, "client: [unclosed\n"))


def test_a_key_given_twice_is_named_with_both_lines(tmp_path):
    text = MINIMAL + "currency: EUR\ncurrency: CZK\n"
    line = text.count("\n")  # the second currency is the last line
    with pytest.raises(
        ConfigError,
        match=rf"line {line}: the key 'currency' is given twice \(first on line {line - 1}\)",
    ):
        load_engagement(write(tmp_path, text))
    nested = "client: Acme\nperiod: {start: 2024-01-01, end: 2025-12-31}\ninputs:\n  invoices: a.csv\n  invoices: b.csv\n"
    with pytest.raises(
        ConfigError, match=r"line 5: the key 'invoices' is given twice \(first on line 4\)"
    ):
        load_engagement(write(tmp_path, nested))


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_engagement(tmp_path / "nope.yaml")


def test_overrides_win_and_are_labelled(tmp_path):
    eng = load_engagement(
        write(tmp_path, MINIMAL), ["cost_to_serve.cost_of_capital=0.12", "language=cs"]
    )
    assert eng.cost_to_serve.cost_of_capital == pytest.approx(0.12)
    assert eng.language == "cs"
    sources = eng.assumptions().set_index("setting")["source"]
    assert sources["language"] == "override"


def test_bad_override_is_one_sentence(tmp_path):
    with pytest.raises(ConfigError, match="not key=value"):
        parse_override("language")
    with pytest.raises(
        ConfigError, match='"cost_to_serve.cost_of_capita" is not valid|unknown key'
    ):
        load_engagement(write(tmp_path, MINIMAL), ["cost_to_serve.cost_of_capita=0.1"])


def test_did_you_mean():
    assert did_you_mean("cliet", ["client", "period"]) == ' Did you mean "client"?'
    assert did_you_mean("zzz", ["client"]) == ""


def test_validate_refuses_what_run_would_fail_on_later(tmp_path):
    with pytest.raises(ConfigError, match=r"period.*start 0001-01-01 is outside the years"):
        load_engagement(
            write(
                tmp_path,
                "client: A\nperiod: {start: 0001-01-01, end: 9999-12-31}\ninputs: {invoices: i.csv}\n",
            )
        )
    with pytest.raises(ConfigError, match=r"profile\.stability\.seed|seed"):
        load_engagement(write(tmp_path, MINIMAL), {"cost_to_serve.seed": -1})


def test_a_very_long_client_name_gives_a_short_file_name(tmp_path):
    name = "Velkoobchod " * 30
    eng = load_engagement(
        write(tmp_path, MINIMAL.replace("client: Acme", f"client: {name.strip()}"))
    )
    assert eng.client == name.strip()
    assert len(eng.slug) <= 80 and eng.slug.startswith("Velkoobchod_Velkoobchod")


def test_a_yaml_alias_bomb_is_refused_before_it_expands(tmp_path):
    """1.2 KB of nested aliases would expand to billions of values (57 s and 4.6 GB once)."""
    levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        levels.append(f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 10) + "]")
    text = MINIMAL + "bomb:\n" + "".join(f"  {ln}\n" for ln in levels)
    assert len(text) < 2000
    with pytest.raises(ConfigError, match=r"aliases \(\*name\) expand to more than"):
        load_engagement(write(tmp_path, text))
