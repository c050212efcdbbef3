"""A teaching pack: no test names, answers apart, the group's language."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from kamaudit.sample import generate_pack, generate_sample
from kamaudit.sample.names import TRICKY, is_hostile

SMALL = {"n_customers": 60, "n_lines": 1800}


def test_a_pack_has_no_hostile_names_but_keeps_its_facts(tmp_path):
    infos = generate_pack(tmp_path / "pack", 2, seed=5, **SMALL)
    for info in infos:
        names = pd.read_csv(info.out_dir / "customers.csv")["name"]
        assert not any(is_hostile(n) for n in names), info.client
        readme = (info.out_dir / "README.md").read_text(encoding="utf-8")
        assert "tricky on purpose" not in readme
        facts = info.answer_key["facts"]
        assert sum(len(f["customer_ids"]) for f in facts.values()) == 12


def test_the_same_company_with_and_without_test_names_differs_only_in_names(tmp_path):
    a = generate_sample(tmp_path / "a", seed=3, **SMALL)
    b = generate_sample(tmp_path / "b", seed=3, hostile_names=False, **SMALL)
    ca, cb = (pd.read_csv(x.out_dir / "customers.csv") for x in (a, b))
    changed = ca["name"] != cb["name"]
    assert changed.sum() == sum(is_hostile(n) for n, _ in TRICKY)
    assert ca["name"][changed].map(is_hostile).all()
    assert a.answer_key["facts"].keys() == b.answer_key["facts"].keys()
    for fact in a.answer_key["facts"]:
        ids = (x.answer_key["facts"][fact]["customer_ids"] for x in (a, b))
        assert next(ids) == next(ids), fact


@pytest.mark.parametrize("name", ["=SUM Trading GmbH", "+Plus", "-Minus", "@Home", "A <b>"])
def test_hostile_is_a_rule_not_a_list(name):
    assert is_hostile(name)
    assert not is_hostile("O'Neill & Söhne GmbH")


def test_cli_single_company_keeps_its_answers_apart_in_its_language(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "kamaudit", "sample", str(tmp_path / "g1")]
        + ["--seed", "11", "--customers", "60", "--lines", "1800", "--language", "cs"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    inside = {p.name for p in (tmp_path / "g1").iterdir()}
    assert not any("answer" in n for n in inside)
    key = json.loads((tmp_path / "g1-answers" / "g1.json").read_text(encoding="utf-8"))
    assert set(key["facts"]) >= {"must_be_key", "unprofitable_vip"}
    assert "g1-answers" in out.stdout
    eng = (tmp_path / "g1" / "engagement.yaml").read_text(encoding="utf-8")
    assert "language: cs" in eng


@pytest.mark.parametrize(
    ("language", "readme_word", "form"),
    [
        ("cs", "Tabulky", "s.r.o."),
        ("pl", "Tabele", "Sp. z o.o."),
        ("ru", "Таблицы", "ООО «"),
        ("fa", "جدول‌ها", "(سهامی خاص)"),
        ("en", "Tables", "Ltd."),
    ],
)
def test_a_pack_speaks_the_groups_language(tmp_path, language, readme_word, form):
    (info,) = generate_pack(tmp_path / "pack", 1, seed=9, language=language, **SMALL)
    assert form in info.client
    readme = (info.out_dir / "README.md").read_text(encoding="utf-8")
    assert f"## {readme_word}" in readme and info.client in readme
    eng = (info.out_dir / "engagement.yaml").read_text(encoding="utf-8")
    assert f"language: {language}" in eng
    sheet = (tmp_path / "pack" / "answer_keys" / "company_01.md").read_text(encoding="utf-8")
    from kamaudit.deliverables.i18n import Catalog

    assert Catalog(language).t("reveal.facts.must_be_key") in sheet
    pack_readme = (tmp_path / "pack" / "README.md").read_text(encoding="utf-8")
    assert pack_readme.startswith("# " + Catalog(language).t("sample.pack.title"))


# ---------------------------------------------------------------- some plans infeasible


def _team_plan_feasible(engagement, workspace) -> bool:
    """The audit's own verdict on the team plan: the four stages in-process, no deliverables."""
    from kamaudit import account_profile, cost_to_serve, intake, team_design
    from kamaudit.config import load_engagement
    from kamaudit.workspace import Workspace

    eng = load_engagement(engagement)
    ws = Workspace(workspace)
    ws.ensure()
    ws.save(intake.read_and_check(eng, workspace=ws))
    ws.save(cost_to_serve.run(cost_to_serve.load_inputs(ws), eng.cost_to_serve, eng.period))
    ws.save(account_profile.run(account_profile.load_inputs(ws), eng.profile, eng.period))
    return team_design.run(team_design.load_inputs(ws), eng.team, eng.period).feasible


def test_a_pack_of_eight_has_some_plans_infeasible_and_says_which(tmp_path):
    infos = generate_pack(tmp_path / "pack", 8, seed=2026, **SMALL)
    planted = [i.answer_key["team"]["understaffed"] for i in infos]
    assert 2 <= sum(planted) <= 3, planted  # a minority, drawn per seed
    feasible = [
        _team_plan_feasible(i.engagement, tmp_path / f"audit_{k}") for k, i in enumerate(infos)
    ]
    assert 0 < feasible.count(False) < len(infos)  # some, not all
    assert [not f for f in feasible] == planted  # exactly the under-staffed ones
    again = generate_pack(tmp_path / "again", 8, seed=2026, **SMALL)
    assert [i.answer_key["team"] for i in again] == [i.answer_key["team"] for i in infos]
    sheet = (tmp_path / "pack" / "answer_keys" / "company_01.md").read_text(encoding="utf-8")
    from kamaudit.deliverables.i18n import Catalog

    word = "understaffed" if planted[0] else "staffed"
    assert Catalog("en").t(f"sample.team.{word}", default="?").split("{")[0] in sheet
