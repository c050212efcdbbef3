"""Every exercise of docs/trainer_guide.md runs as written and does what the text says.

One small pack (three companies of 80 customers, same seed as the guide: the guide's
eight full-size companies take minutes each) goes through the guide's boxes in order;
each test checks one box's promise. The translated guides carry the same boxes, and each
runs its own setup, answers and one exercise on a one-company pack in its language.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from kamaudit.teaching import prose

from .guide import LANGUAGES, Classroom, boxes, guide_path
from .test_notebook_prose import _english_words

pytestmark = pytest.mark.e2e

SMALL = ("--customers", "80", "--lines", "4000")
GUIDE = boxes("en")


@pytest.fixture(scope="module")
def room(tmp_path_factory) -> Classroom:
    """The setup box run in a fresh folder, with a smaller pack of three."""
    c = Classroom(tmp_path_factory.mktemp("seminar"))
    sample, batch = GUIDE["setup"]
    c.run(sample.replace("--pack 8", "--pack 3"), *SMALL)
    c.run(batch)
    return c


def _facts(room: Classroom, company: str = "company_03") -> dict[str, list[str]]:
    key = room.root / "seminar" / "answer_keys" / f"{company}.json"
    facts = json.loads(key.read_text(encoding="utf-8"))["facts"]
    return {f: v["customer_ids"] for f, v in facts.items()}


def _table(audit, name: str) -> pd.DataFrame:
    return pd.read_parquet(audit / "data" / f"{name}.parquet")


@pytest.mark.parametrize("language", LANGUAGES[1:])
def test_each_translation_carries_the_same_commands(language):
    assert guide_path(language).is_file(), f"docs/{guide_path(language).name} is missing"
    english = {
        name: [c.replace("--language en", f"--language {language}") for c in commands]
        for name, commands in GUIDE.items()
    }
    assert boxes(language) == english  # the same commands; the pack in the guide's language


def _settings_named(language: str, section: int) -> set[str]:
    """The settings a guide's numbered section names in inline code (``profile.*``, ...)."""
    text = re.split(r"^## ", guide_path(language).read_text(encoding="utf-8"), flags=re.M)
    return set(re.findall(r"`((?:profile|team|cost_to_serve)\.[\w.]+|kam_fit)`", text[section]))


@pytest.mark.parametrize("language", LANGUAGES[1:])
def test_each_translation_names_the_same_settings_in_every_exercise(language):
    for section in (3, 4, 5):  # exercises A, B and C
        assert _settings_named(language, section) == _settings_named("en", section), section


def test_setup_keeps_the_answer_keys_apart(room):
    pack = room.root / "seminar"
    companies = sorted(p.name for p in pack.glob("company_*"))
    assert companies == ["company_01", "company_02", "company_03"]
    for company in companies:
        inside = {p.name for p in (pack / company).rglob("*")}
        assert not any("answer" in name for name in inside), company
        assert (pack / "answer_keys" / f"{company}.json").is_file()
        text = (pack / company / "engagement.yaml").read_text(encoding="utf-8")
        assert "language: en" in text
    assert (room.root / "seminar-audits" / "index.html").is_file()


def test_answers_come_from_the_audits_and_every_fact_is_found(room):
    (box,) = GUIDE["answers"]
    room.run(box)
    debrief = room.root / "debrief"
    facts = pd.read_parquet(debrief / "data" / "reveal.parquet")
    assert set(facts["company"]) == {"company_01", "company_02", "company_03"}
    missed = facts[~facts["found"]]
    assert missed.empty, missed[["company", "fact", "expected"]].to_string()
    sheet = (debrief / "answer_sheets" / "company_03.md").read_text(encoding="utf-8")
    pnl = _table(room.root / "seminar-audits" / "company_03", "customer_pnl")
    vip = pnl.set_index("customer_id").loc[_facts(room)["unprofitable_vip"][0]]
    assert f"{vip['net_profit']:,.0f}" in sheet  # the audit's own loss, as the group sees it


def test_a_group_starts_its_audit(room):
    for command in GUIDE["start"]:
        room.run(command)
    assert room.cwd.name == "seminar"
    assert any((room.cwd / "audit_03" / "deliverables").glob("*.xlsx"))


def test_exercise_a_the_losses_survive_a_higher_cost_of_capital(room):
    (box,) = GUIDE["A"]
    room.run(box)
    audit = room.cwd / "audit_03b"
    manifest = json.loads((audit / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["configuration"]["cost_to_serve"]["cost_of_capital"] == 0.12
    pnl = _table(audit, "customer_pnl").set_index("customer_id")
    facts = _facts(room)
    for cid in facts["top10_loss_makers"] + facts["unprofitable_vip"]:
        assert pnl.loc[cid, "net_profit"] < 0, cid
    assert (pnl.loc[facts["top10_loss_makers"], "revenue_rank"] <= 10).all()
    first = json.loads((room.cwd / "audit_03" / "manifest.json").read_text(encoding="utf-8"))
    assert first["configuration"]["cost_to_serve"]["cost_of_capital"] == 0.08  # untouched


def _keys(audit) -> set[str]:
    p = _table(audit, "account_profile")
    return set(p.loc[p["is_key_account"], "customer_id"])


def test_exercise_b_a_revenue_weighting_moves_few_mostly_at_the_edge(room):
    (box,) = GUIDE["B"]
    room.run(box)
    before, after = room.cwd / "audit_03", room.cwd / "audit_03_revenue"
    crit = _table(after, "profile_criteria").set_index("criterion")
    assert crit.loc["net_revenue", "weight"] == 40
    attractiveness = crit[crit["axis"] == "attractiveness"]["weight"].sum()
    assert attractiveness == pytest.approx(100)
    assert crit.loc["net_profit", "weight"] == pytest.approx(25 * 60 / 85, abs=0.01)
    old, new = _keys(before), _keys(after)
    assert len(old - new) <= 4 and len(new - old) <= 4, (old - new, new - old)  # "1 to 4"
    stability = _table(before, "account_profile").set_index("customer_id")["stability"]
    left_core = [c for c in old - new if stability[c] == "core"]
    assert len(left_core) <= 2, left_core  # "one or two core accounts left as well"
    path = before / "data" / "profile_summary.json"
    summary = json.loads(path.read_text(encoding="utf-8"))["summary"]
    if summary["key_n"] < summary["cap"]:  # below its cap: "every one that left was borderline"
        assert not left_core
    assert set(_facts(room)["must_be_key"]) <= new
    assert (_table(after, "team_plan")["customer_id"].isin(new)).all()  # stage 04 re-ran


def test_exercise_b2_the_profit_rule_keeps_the_loss_makers_out(room):
    (box,) = GUIDE["B2"]
    room.run(box)
    for audit, losing_keys in (("audit_03", 0), ("audit_03_no_profit_rule", 1)):
        p = _table(room.cwd / audit, "account_profile")
        n = int((p["is_key_account"] & (p["net_profit"] < 0)).sum())
        assert (n == 0) if losing_keys == 0 else (n >= 1), (audit, n)


def test_exercise_c_the_setting_caps_every_kam_and_says_so(room):
    cap_box, list_box = GUIDE["C"]
    room.run(cap_box)
    audit = room.cwd / "audit_03"
    load = _table(audit, "team_load")
    kams = load[load["role"] == "kam"]
    assert (kams["max_accounts"] <= 4).all() and (kams["accounts_n"] <= 4).all()
    messages = json.loads((audit / "data" / "team_messages.json").read_text(encoding="utf-8"))
    keys = [m["key"] for m in messages]
    assert "team_design.statement.kam_cap_over_roster" in keys
    capacity = _table(audit, "team_capacity").set_index("role")
    assert capacity.loc["kam", "fte_needed"] >= len(_keys(audit)) / 4
    if len(_keys(audit)) > 4 * len(kams):  # more accounts than the capped KAMs can take
        assert "team_design.statement.kam_shortfall" in keys or capacity.loc["kam", "gap_fte"] > 0
        plan = _table(audit, "team_plan")
        assert plan.loc[plan["role"] == "kam", "person_id"].isna().any()
    room.run(list_box)
    assert 0 < len(_keys(audit)) <= 15
    messages = json.loads((audit / "data" / "team_messages.json").read_text(encoding="utf-8"))
    assert "team_design.statement.kam_cap_over_roster" not in [m["key"] for m in messages]


def test_debrief_puts_the_groups_side_by_side(room):
    (box,) = GUIDE["debrief"]
    room.run(box)
    debrief = room.cwd / "debrief_groups"
    facts = pd.read_parquet(debrief / "data" / "reveal.parquet")
    assert set(facts["group"]) == {"audit_03", "audit_03b", "audit_03_revenue"}
    assert set(facts["company"]) == {"company_03"}
    page = (debrief / "reveal.html").read_text(encoding="utf-8")
    assert "audit_03_revenue" in page and "net_revenue" in page


# ------------------------------------------------------------------ the other four guides
#
# Each translated guide runs its own boxes on a pack in its language (``--language X``, as
# the box says): the setup box (one company of 60 customers, to keep CI short), the
# answers box, and one exercise box each, so that every exercise runs on a pack in some
# other language than English (cs: A, pl: B, ru: C, fa: B2). The group's own audit is the
# batch's audit of the company copied to where the start box would write it: the start
# box's command is the batch's per-company run, checked above in English. The effects of
# an exercise do not depend on the language; its run on a translated pack does. To keep CI
# short, the batch prints no PDF and the exercise builds no deliverables (its promise is in
# the audit's tables; the English run checks the deliverables of every box).

TRANSLATED = LANGUAGES[1:]
EXERCISE = {"cs": "A", "pl": "B", "ru": "C", "fa": "B2"}
ONE = ("--customers", "60", "--lines", "3000")
NO_PDF = ("-p", "report.pdf=false")  # the PDF is the English run's; it says nothing of language


def _in_language(language: str, tmp: Path) -> Classroom:
    """``language``'s guide: setup, answers and its exercise box, in a folder of its own."""
    guide = boxes(language)
    c = Classroom(tmp / language)
    c.root.mkdir()
    sample, batch = guide["setup"]
    assert f"--language {language}" in sample
    c.run(sample.replace("--pack 8", "--pack 1"), *ONE)
    c.run(batch, *NO_PDF)
    (answers,) = guide["answers"]
    c.run(answers)
    for command in guide["start"]:
        if command.startswith("cd "):
            c.run(command)
    shutil.copytree(c.root / "seminar-audits" / "company_01", c.cwd / "audit_03")
    box = guide[EXERCISE[language]]
    c.run(box[0].replace("company_03", "company_01"), "--no-deliverables")
    return c


@pytest.fixture(scope="module")
def rooms(tmp_path_factory) -> dict[str, Classroom | BaseException]:
    """The four translated guides, two at a time (a run is one kernel at a time)."""
    tmp = tmp_path_factory.mktemp("guides")

    def one(language):
        try:
            return _in_language(language, tmp)
        except (AssertionError, OSError, subprocess.SubprocessError) as error:
            return error

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(TRANSLATED, pool.map(one, TRANSLATED), strict=True))


def _room(rooms, language) -> Classroom:
    room = rooms[language]
    if isinstance(room, BaseException):
        raise room
    return room


def _reads_in(language: str, text: str) -> None:
    assert not _english_words(text), (language, _english_words(text)[:12])


@pytest.mark.parametrize("language", TRANSLATED)
def test_each_guide_writes_its_pack_and_answers_in_its_language(rooms, language):
    room = _room(rooms, language)
    pack = room.root / "seminar"
    engagement = (pack / "company_01" / "engagement.yaml").read_text(encoding="utf-8")
    assert f"language: {language}" in engagement
    assert not any("answer" in p.name for p in (pack / "company_01").rglob("*"))
    for text in (pack / "README.md", pack / "company_01" / "README.md"):
        _reads_in(language, text.read_text(encoding="utf-8"))
    _reads_in(language, (pack / "answer_keys" / "company_01.md").read_text(encoding="utf-8"))
    debrief = room.root / "debrief"
    sheet = (debrief / "answer_sheets" / "company_01.md").read_text(encoding="utf-8")
    _reads_in(language, sheet)
    page = (debrief / "reveal.html").read_text(encoding="utf-8")
    assert f'lang="{language}"' in page
    facts = pd.read_parquet(debrief / "data" / "reveal.parquet")
    missed = facts[~facts["found"]]
    assert missed.empty, missed[["company", "fact", "expected"]].to_string()


@pytest.mark.parametrize("language", TRANSLATED)
def test_each_guide_audits_with_notebooks_in_its_language(rooms, language):
    audit = _room(rooms, language).root / "seminar-audits" / "company_01"
    ctx = SimpleNamespace(engagement=SimpleNamespace(language=language, currency="EUR"))
    for stage, key in (("01_intake", "nb01.intro"), ("04_team_design", "nb04.s2")):
        book = json.loads((audit / "notebooks" / f"{stage}.ipynb").read_text(encoding="utf-8"))
        shown = "".join(
            "".join(out.get("data", {}).get("text/markdown", ""))
            for cell in book["cells"]
            for out in cell.get("outputs", [])
        )
        assert str(prose(ctx, key)) in shown, stage
    report = next((audit / "deliverables").glob("*.html")).read_text(encoding="utf-8")
    assert f'lang="{language}"' in report


@pytest.mark.parametrize("language", TRANSLATED)
def test_each_guide_exercise_does_what_it_promises_on_a_pack_in_its_language(rooms, language):
    room = _room(rooms, language)
    exercise = EXERCISE[language]
    if exercise == "A":
        audit = room.cwd / "audit_03b"
        config = json.loads((audit / "manifest.json").read_text(encoding="utf-8"))
        assert config["configuration"]["cost_to_serve"]["cost_of_capital"] == 0.12
    elif exercise in ("B", "B2"):
        name = "audit_03_revenue" if exercise == "B" else "audit_03_no_profit_rule"
        crit = _table(room.cwd / name, "profile_criteria").set_index("criterion")
        assert crit.loc["net_revenue", "weight"] == 40
        assert crit[crit["axis"] == "attractiveness"]["weight"].sum() == pytest.approx(100)
        if exercise == "B2":
            p = _table(room.cwd / name, "account_profile")
            config = json.loads((room.cwd / name / "manifest.json").read_text(encoding="utf-8"))
            assert config["configuration"]["profile"]["require_profit"] is False
            assert p["is_key_account"].any()
    else:
        audit = room.cwd / "audit_03"
        load = _table(audit, "team_load")
        kams = load[load["role"] == "kam"]
        assert (kams["max_accounts"] <= 4).all() and (kams["accounts_n"] <= 4).all()
        said = json.loads((audit / "data" / "team_messages.json").read_text(encoding="utf-8"))
        assert "team_design.statement.kam_cap_over_roster" in [m["key"] for m in said]
