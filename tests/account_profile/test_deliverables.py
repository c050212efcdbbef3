"""The profile's deliverable: sheets, cards and score bars present the stage's results."""

from __future__ import annotations

from pathlib import Path

from kamaudit import Workspace
from kamaudit.account_profile import NEUTRAL

from .common import engagement, one_customer_scores, sample_inputs, sample_result


def test_sample_results_and_deliverable(tmp_path):
    from kamaudit.deliverables.account_profile import build
    from kamaudit.deliverables.context import ReportContext
    from kamaudit.deliverables.model import Card

    r = sample_result()
    _, eng = sample_inputs()
    ws = Workspace(tmp_path / "ws").ensure()
    ws.save(r)
    prof = ws.read_table("account_profile")
    canonical = [
        "customer_id",
        "name",
        "industry",
        "net_revenue",
        "net_profit",
        "attractiveness",
        "strength",
        "quadrant",
        "client_view",
        "views_disagree",
        "relationship_stage",
        "contacts_n",
        "roles_covered_n",
        "single_contact_risk",
        "win_keep_probability",
        "is_key_account",
        "is_deep_plan",
        "is_potential",
        "selection_frequency",
        "stability",
    ]
    assert [c for c in canonical if c not in prof.columns] == []
    assert set(prof["quadrant"]) <= {"Strategic", "Star", "Status", "Streamline", "unassessed"}
    assert prof["customer_id"].dtype == "str"
    assert ws.read_json("profile_summary")["summary"]["key_n"] == int(prof["is_key_account"].sum())

    rep = build(ReportContext(eng, ws))
    keys = [s.key for s in rep.sheets]
    for k in (
        "profile_scores",
        "profile_portfolio",
        "profile_key_accounts",
        "profile_potential",
        "profile_contacts",
        "profile_stability",
        "profile_cards",
    ):
        assert k in keys
    cards = [b for b in rep.section.blocks if isinstance(b, Card)]
    assert len(cards) == int(prof["is_key_account"].sum())
    # the scores are bars the template draws: no matplotlib PNG per card any more
    assert all(c.scores is not None and c.figure is None for c in cards)
    assert list(Path(ws.figures_dir).glob("profile_card_*.png")) == []
    detail = ws.read_table("profile_criterion_scores")
    card_ids = ws.read_table("profile_cards")["customer_id"]
    criteria_n = len(eng.profile.criteria)
    for cid, card in zip(card_ids, cards, strict=True):
        d = detail.loc[detail["customer_id"] == cid]
        assert len(card.scores.rows) == criteria_n == len(d)
        assert sorted(r.score for r in card.scores.rows) == sorted(d["score"])
        assert sum(r.missing for r in card.scores.rows) == int(d["missing"].sum())
    assert 1 <= len(rep.summary) <= 4
    # every message came from the catalog: no raw key leaks into the report
    texts = (
        list(rep.summary)
        + [getattr(b, "text", "") for b in rep.section.blocks]
        + [rep.section.title]
    )
    texts += [v for c in cards for _, v in c.fields] + [
        x for c in cards for _, items in c.lists for x in items
    ]
    texts += [
        x
        for c in cards
        for x in (c.scores.caption, c.scores.missing_label, c.scores.note, *c.scores.header)
    ]
    texts += [r.label for c in cards for r in c.scores.rows]
    texts += [label for c in cards for _, label in c.scores.legend]
    texts += [s.name for s in rep.sheets] + [s.title for s in rep.sheets]
    leaked = [t for t in texts if "account_profile." in str(t)]
    assert not leaked, leaked


def test_card_score_bars_by_hand(tmp_path):
    from kamaudit.deliverables.account_profile import score_bars
    from kamaudit.deliverables.context import ReportContext

    ctx = ReportContext(engagement(), Workspace(tmp_path).ensure())
    labels = {"net_profit": "Net profit", "growth": "Growth", "reliability": "Reliability"}
    bars = score_bars(ctx, one_customer_scores(), "Alfa a.s.", labels)
    # attractiveness first, then our strength; heaviest criterion of each axis on top
    assert [(r.label, r.axis, r.score, r.weight, r.missing) for r in bars.rows] == [
        ("Net profit", "attractiveness", 8.0, 30.0, False),
        ("Growth", "attractiveness", NEUTRAL, 10.0, True),
        ("Reliability", "strength", 6.4, 40.0, False),
        ("quality", "strength", 3.0, 20.0, False),  # no label given: the criterion's name
    ]
    assert bars.legend == [
        ("attractiveness", "Customer attractiveness to us"),
        ("strength", "Our strength as the customer sees us"),
    ]
    assert bars.caption == "Scores of Alfa a.s. by criterion"
    assert bars.missing_label == "no data, neutral"
    assert (bars.low, bars.high, bars.neutral) == (1.0, 10.0, NEUTRAL)
    assert "(5.5)" in bars.note


def test_card_score_bars_in_the_report(tmp_path):
    """One bar row per criterion, the legend, the no-data marker; client text escaped."""
    from html.parser import HTMLParser

    from kamaudit.deliverables.account_profile import score_bars
    from kamaudit.deliverables.context import ReportContext
    from kamaudit.deliverables.html import render_report
    from kamaudit.deliverables.model import Card, Section, StageReport

    evil = "<script>alert(1)</script>"
    ctx = ReportContext(engagement(), Workspace(tmp_path).ensure())
    labels = {"net_profit": "Net profit", "growth": "Growth", "reliability": "Reliability"}
    bars = score_bars(ctx, one_customer_scores(criterion_3=evil), evil, labels)
    card = Card(title=evil, scores=bars)
    report = StageReport("account_profile", Section("account_profile", "Profile", [card]))
    html = render_report(ctx, [report])
    assert evil not in html
    assert "Scores of &lt;script&gt;alert(1)&lt;/script&gt; by criterion" in html
    assert '<bdi>&lt;script&gt;alert(1)&lt;/script&gt;</bdi> <span class="weight">(20)' in html

    class Rows(HTMLParser):
        def __init__(self):
            super().__init__()
            self.rows: list[dict] = []
            self.legend: list[str] = []
            self.where = ""

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag == "tr" and self.where != "head" and "class" in a:
                self.rows.append({"class": a["class"], "th": "", "num": "", "style": ""})
            elif tag == "thead":
                self.where = "head"
            elif tag == "th" and self.rows and a.get("scope") == "row":
                self.where = "th"
            elif tag == "td" and a.get("class") == "num":
                self.where = "num"
            elif tag == "span" and a.get("class") == "fill":
                self.rows[-1]["style"] = a.get("style", "")
            elif tag == "li":
                self.where = "li"
                self.legend.append("")

        def handle_endtag(self, tag):
            if tag in ("th", "td", "li", "thead"):
                self.where = ""

        def handle_data(self, data):
            if self.where in ("th", "num"):
                self.rows[-1][self.where] += data
            elif self.where == "li":
                self.legend[-1] += data

    block = html[html.index('<div class="scorebars">') :]
    block = block[: block.index("</div>")]
    p = Rows()
    p.feed(block)
    assert [(r["class"], r["th"].split(), r["num"], r["style"]) for r in p.rows] == [
        ("attr", ["Net", "profit", "(30)"], "8.0", "inline-size: 77.8%"),
        ("attr missing", ["Growth", "(10)", "no", "data,", "neutral"], "5.5", "inline-size: 50.0%"),
        ("strength", ["Reliability", "(40)"], "6.4", "inline-size: 60.0%"),
        ("strength", [*evil.split(), "(20)"], "3.0", "inline-size: 22.2%"),
    ]
    assert p.legend == [
        "Customer attractiveness to us",
        "Our strength as the customer sees us",
        "no data, neutral",
    ]
    assert 'class="has-neutral" style="--neutral: 50.0%"' in block


def test_build_returns_none_without_the_stage(tmp_path):
    from kamaudit.deliverables.account_profile import build
    from kamaudit.deliverables.context import ReportContext

    assert build(ReportContext(engagement(), Workspace(tmp_path).ensure())) is None


def test_comparison_is_presented_from_the_stage_table_not_recomputed(tmp_path):
    from kamaudit.deliverables.account_profile import build
    from kamaudit.deliverables.context import ReportContext
    from kamaudit.deliverables.model import Text

    r = sample_result()
    _, eng = sample_inputs()
    ws = Workspace(tmp_path / "ws").ensure()
    ws.save(r)
    c = ws.read_table("profile_turnover_comparison")
    c.loc[c["list"] == "turnover_top", "only_unprofitable_n"] = 987
    ws.write_table("profile_turnover_comparison", c)
    rep = build(ReportContext(eng, ws))
    texts = [b.text for b in rep.section.blocks if isinstance(b, Text)]
    assert any("987" in x for x in texts)
    assert any("987" in x for x in rep.summary)
