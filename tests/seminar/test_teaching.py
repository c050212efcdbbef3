"""The teaching view: tables for a projector, and a loud word on the built-in company."""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import SimpleNamespace

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.text import Text

import kamaudit
from kamaudit.teaching import (
    PROJECTOR,
    bullets,
    counts,
    enlarge,
    facts,
    projector,
    settings,
    show,
)


def _ctx(language: str):
    return SimpleNamespace(engagement=SimpleNamespace(language=language, currency="CZK"))


def test_show_keeps_few_columns_labelled_rounded_and_without_nan():
    df = pd.DataFrame(
        {
            "name": ["Alfa a.s.", "Beta s.r.o."],
            "net_revenue": [1234567.891, np.nan],
            "growth_pct": [12.345, -3.0],
            "attractiveness": [8.668503, 5.0],
            "internal_code": ["x", "y"],
        }
    )
    out = show(
        df, ["name", "net_revenue", "growth_pct", "attractiveness"], _ctx("cs"), sort="net_revenue"
    )
    assert "internal_code" not in out.columns and len(out.columns) == 4
    text = out.to_string()
    assert "nan" not in text.lower() and "8.668503" not in text
    assert "–" in text and "8,7" in text  # Czech decimal comma, one decimal
    assert out.iloc[0, 0] == "Alfa a.s."  # sorted by revenue
    assert df["net_revenue"].iloc[0] == 1234567.891  # the input is not mutated


def test_empty_parameters_say_loudly_which_company_is_audited(capsys):
    ctx = kamaudit.open_stage("", "", "{}")
    said = capsys.readouterr().out
    assert "BUILT-IN sample company" in said and ctx.engagement.client in said


def test_codes_read_as_labels_and_default_descriptions_in_the_language():
    df = pd.DataFrame(
        {
            "criterion": ["net_revenue", "quality"],
            "quadrant": ["Strategic", "unassessed"],
            "description": ["size today", "our own words"],
        }
    )
    out = show(df, ["criterion", "quadrant", "description"], _ctx("cs"))
    assert list(out.iloc[:, 0]) == ["Čisté tržby", "Kvalita"]
    assert list(out.iloc[:, 1]) == ["Strategický", "Nehodnocený"]
    assert out.iloc[0, 2] == "dnešní velikost" and out.iloc[1, 2] == "our own words"
    assert list(out.index) == ["", ""]  # no row numbers for the room


def test_facts_counts_and_bullets_speak_the_language():
    ctx = _ctx("pl")
    f = facts({"customers_active_n": 300, "top10_share_pct": 44.21, "other": 1},
              ["customers_active_n", "top10_share_pct", "missing"], ctx)  # fmt: skip
    assert list(f.iloc[:, 0]) == [
        "Aktywni klienci",
        "Udział 10 największych klientów w przychodzie",
    ]
    assert [v.replace("\xa0", " ") for v in f.iloc[:, 1]] == ["300", "44,2 %"]
    c = counts(pd.Series(["core", "core", "borderline"], name="stability"), ctx)
    assert "core" not in c.to_string() and c.iloc[0, 1] == "2"
    assert "Nic do zgłoszenia" in bullets([], ctx)
    assert bullets(["a", "b"], ctx) == "- a\n- b"
    assert bullets(["x"], _ctx("fa")).startswith('<div dir="rtl"')


def test_settings_are_named_as_the_engagement_file_names_them():
    from kamaudit.account_profile.settings import ProfileSettings

    out = settings(ProfileSettings(), _ctx("ru"))
    assert list(out.columns) == ["Настройка", "Значение"]
    assert "criteria.net_revenue.weight" in set(out.iloc[:, 0])
    assert not re.search(r"\bnan\b", out.to_string().lower())


def test_the_projector_view_enlarges_a_chart_without_touching_its_design():
    matplotlib.use("Agg")
    fig, ax = plt.subplots(figsize=(5.5, 4))
    ax.plot(range(40), range(40), linewidth=1)
    ax.set_xticks(range(40), [f"m{i}" for i in range(40)], fontsize=7)
    ax.set_title("t", fontsize=8)
    enlarge(fig)
    assert fig.get_size_inches()[0] == pytest.approx(PROJECTOR["width_in"])
    texts = [t for t in fig.findobj(Text) if t.get_text()]
    assert min(t.get_fontsize() for t in texts) >= PROJECTOR["min_font_pt"]
    assert ax.lines[0].get_linewidth() >= PROJECTOR["min_line_pt"]
    shown = [t for t in ax.get_xticklabels() if t.get_visible()]
    assert len(shown) <= PROJECTOR["max_ticks"]
    plt.close(fig)


def test_the_projector_view_leaves_a_plain_session_alone():
    projector()  # no IPython here: nothing to do, and no error


def test_the_projector_shows_numbers_as_the_report_does_in_the_group_s_language(monkeypatch):
    """A Czech group reads "1,2 mil." on the notebook's money axis, as in its report."""
    import IPython
    from matplotlib.ticker import FuncFormatter

    from kamaudit.deliverables.i18n import Catalog
    from kamaudit.plots import short_money

    shown = {}
    formatters = {"image/png": SimpleNamespace(for_type=lambda kind, f: shown.update(png=f))}
    shell = SimpleNamespace(
        display_formatter=SimpleNamespace(formatters=formatters),
        run_line_magic=lambda *a: None,
        events=SimpleNamespace(register=lambda *a: None),
    )
    monkeypatch.setattr(IPython, "get_ipython", lambda: shell)
    matplotlib.use("Agg")
    projector(Catalog("cs", "CZK"))
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1_200_000])
    ax.yaxis.set_major_formatter(FuncFormatter(short_money))
    assert ax.yaxis.get_major_formatter()(1_200_000) == "1.2m"
    shown["png"](fig)  # what the notebook displays
    assert ax.yaxis.get_major_formatter()(1_200_000) == "1,2 mil."
    plt.close(fig)


NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))
# What a notebook cell may show: a teaching view, a chart (its value hidden by ";"), or a
# check kept for nbval; everything else (a raw DataFrame, a settings object) is not shown.
SHOWN = re.compile(r"^(teaching\.\w+\(|\w+_plots\.\w+\(.*\);$|ctx\.workspace\.save\()", re.S)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_table_a_notebook_shows_goes_through_the_teaching_view(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    for cell in cells[2:]:  # after the title and the parameters
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        if "# NBVAL_CHECK_OUTPUT" in source:
            continue
        last = source.strip().split("\n\n")[-1].strip()
        assert SHOWN.match(last) or "=" in last.split("(")[0], (path.name, last)
        assert cell["metadata"].get("jupyter", {}).get("source_hidden"), (path.name, last)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_story_comes_first_and_the_consultant_s_appendix_last(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    tagged = ["appendix" in c["metadata"].get("tags", []) for c in cells]
    first = tagged.index(True)
    assert all(tagged[first:]) and not any(tagged[:first]), path.name
    assert first > len(cells) // 3, "most of the notebook is the story"
    appendix = "\n".join("".join(c["source"]) for c in cells[first:])
    story = "\n".join("".join(c["source"]) for c in cells[:first])
    assert "workspace.save" in appendix and "workspace.save" not in story
    assert "teaching.settings(" in appendix and "teaching.settings(" not in story
    assert "teaching.projector(catalog)" in story


def test_notebook_01_opens_with_the_business_not_the_encodings():
    from kamaudit.teaching import prose

    cells = json.loads(NOTEBOOKS[0].read_text(encoding="utf-8"))["cells"]
    setup = "".join(cells[2]["source"])
    assert setup.rstrip().endswith('teaching.prose(ctx, "nb01.intro")')
    intro = prose(_ctx("en"), "nb01.intro").lower()
    assert "customers" in intro and "encoding" not in intro and "delimiter" not in intro


@pytest.mark.parametrize("language", ["en", "cs", "pl", "ru", "fa"])
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_section_numbers_run_in_reading_order(path, language):
    """A trainer says "section 3": the third numbered heading the group sees, in any language."""
    from kamaudit.teaching import prose

    numbers = []
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        for key in re.findall(r'teaching\.prose\(ctx, "(nb\d\d\.\w+)"\)', "".join(cell["source"])):
            for line in prose(_ctx(language), key).splitlines():
                heading = re.match(r"## (\S+) · ", line)
                if heading:
                    numbers.append(int(heading.group(1)))  # int() reads Persian digits too
    assert numbers == list(range(1, len(numbers) + 1)), (path.name, language, numbers)
