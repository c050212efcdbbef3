"""The deliverables engine: workbook, HTML report, builder, catalogs, working papers,
data request. Each test builds from the tiny engagement of ``conftest.py``."""

from __future__ import annotations

import re
import sys
import types
import warnings
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
import yaml
from openpyxl import load_workbook

from kamaudit.deliverables import (
    Bullets,
    Card,
    ChartSpec,
    Heading,
    KeyFigures,
    ScoreBar,
    ScoreBars,
    Section,
    Sheet,
    StageReport,
    Table,
    Text,
)
from kamaudit.deliverables.builder import build_deliverables, collect_reports
from kamaudit.deliverables.context import ReportContext
from kamaudit.deliverables.html import block_view, render_report
from kamaudit.deliverables.i18n import LOCALES_DIR, Catalog
from kamaudit.deliverables.workbook import (
    NUMBER_FORMATS,
    safe_sheet_name,
    table_display_name,
    template_path,
    write_workbook,
)

matplotlib.use("Agg")

EVIL_NAME = "<script>alert(1)</script>"
EVIL_FORMULA = '=HYPERLINK("http://evil.example","click")'
FORMULA_LIKE = [EVIL_FORMULA, "+420 123 456", "-5% discount", "@SUM(A1)"]


def score_bars_example(missing: bool = True) -> ScoreBars:
    """Four criteria, one of them hostile text, one scored neutral for lack of data."""
    return ScoreBars(
        rows=[
            ScoreBar(EVIL_NAME, "strength", 7.3, 25),
            ScoreBar("Quality", "strength", 5.5, 7.5, missing=missing),
            ScoreBar("Net profit", "attractiveness", 10.0, 15),
            ScoreBar("Growth", "attractiveness", 1.0, 10),
        ],
        legend=[("attractiveness", "Attractiveness"), ("strength", "Our strength")],
        caption="Scores of " + EVIL_NAME,
        missing_label="no data, neutral",
        header=("Criterion (weight)", "Score"),
        note="Scores 1-10",
    )


def rich_report(ctx: ReportContext) -> StageReport:
    """A fake stage report using every block type and every sheet feature."""
    import matplotlib.pyplot as plt

    n = 8
    df = pd.DataFrame(
        {
            "customer_id": [f"{i:04d}" for i in range(n)],
            "name": [EVIL_NAME, *FORMULA_LIKE, "Ctrl\x07char s.r.o.", "Ω ünïcødé", "Plain"],
            "net_revenue": np.linspace(-1000.5, 52000.25, n),
            "gross_margin_pct": np.linspace(-5, 45, n),
            "selection_frequency": np.linspace(0, 1, n),
            "orders_n": np.arange(n, dtype="int64"),
            "attractiveness": np.linspace(1, 10, n),
            "first_date": pd.date_range("2024-01-01", periods=n, freq="MS"),
            "is_key_account": [True, False] * (n // 2),
        }
    )
    df.loc[2, "net_revenue"] = np.nan
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([1, 2, 3], [3, 1, 2])
    figure = ctx.figure("fake_chart", fig, alt="A line going down and up", caption="A chart")
    blocks = [
        Heading("Heading three"),
        Heading("Heading four", level=4),
        Text("A plain paragraph about " + EVIL_NAME),
        Text("A finding", kind="finding"),
        Text("A warning", kind="warning"),
        Text("A note", kind="note"),
        Bullets(["first " + EVIL_NAME, "second"]),
        KeyFigures([("Customers", "8"), ("Revenue", ctx.fmt.money(123456.7))]),
        Table(df=df, caption="Customers", max_rows=5),
        figure,
        Card(
            title=EVIL_NAME,
            subtitle="Strategic",
            fields=[("Revenue", "1 000"), ("Owner", EVIL_FORMULA)],
            figure=figure,
            lists=[("Contacts", ["Ann", "Bob"])],
            scores=score_bars_example(),
        ),
    ]
    return StageReport(
        stage="fake",
        section=Section(id="fake", title="Fake stage", blocks=blocks),
        sheets=[
            Sheet(
                key="fake_customers",
                name="Customers: [all]/* very long sheet name indeed",
                df=df,
                title="All customers",
                note="One row per customer.",
                chart=ChartSpec(kind="bar", x="customer_id", y=["net_revenue"], title="Revenue"),
                conditional={
                    "net_revenue": "neg_red",
                    "attractiveness": "scale",
                    "orders_n": "bar",
                },
            ),
            Sheet(
                key="fake_scatter",
                name="Scatter",
                df=df[["attractiveness", "selection_frequency"]],
                chart=ChartSpec(kind="scatter", x="attractiveness", y=["selection_frequency"]),
            ),
            Sheet(key="fake_empty", name="Empty", df=df.head(0)),
        ],
        summary=["Summary sentence with " + EVIL_NAME, EVIL_FORMULA],
    )


@pytest.fixture
def ctx(make_engagement, tiny_workspace):
    eng = make_engagement(client=EVIL_NAME + " & Söhne", report={"consultant": "Jana Nová"})
    return ReportContext(eng, tiny_workspace)


@pytest.fixture
def workbook_path(ctx, tmp_path):
    result = write_workbook(tmp_path / "out.xlsx", ctx, [rich_report(ctx)])
    assert result.path.exists()
    return result


# ----------------------------------------------------------------- template


def test_template_loads_without_warnings():
    assert template_path().exists()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        wb = load_workbook(template_path())
    for style in ("kam_title", "kam_note", "kam_label", "kam_value", "kam_link", "kam_cover_title"):
        assert style in wb.named_styles


def test_written_workbook_reloads_without_warnings(workbook_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_workbook(workbook_path.path)


# ----------------------------------------------------------------- workbook


def test_workbook_sheets_in_order(workbook_path):
    wb = load_workbook(workbook_path.path)
    names = wb.sheetnames
    assert names[:3] == ["Cover", "Contents", "Summary"]
    assert "Assumptions" not in names  # the settings are a working paper, not the client's
    assert "Scatter" in names and "Empty" in names
    for name in names:
        assert len(name) <= 31
        assert not re.search(r"[\[\]:*?/\\]", name)
    assert len({n.lower() for n in names}) == len(names)


def test_cover_and_contents(workbook_path):
    wb = load_workbook(workbook_path.path)
    cover = wb["Cover"]
    values = [c.value for row in cover.iter_rows() for c in row if c.value is not None]
    assert EVIL_NAME + " & Söhne" in values
    assert "Jana Nová" in values and "CZK" in values
    contents = wb["Contents"]
    links = {
        c.value: c.hyperlink.location
        for row in contents.iter_rows(min_row=4)
        for c in row[:1]
        if c.hyperlink is not None
    }
    assert set(links) == set(wb.sheetnames)
    for name, location in links.items():
        assert location == "'{}'!A1".format(name.replace("'", "''"))


def test_data_sheet_is_a_real_table_with_formats(workbook_path):
    wb = load_workbook(workbook_path.path)
    name = next(n for n in wb.sheetnames if n.startswith("Customers"))
    ws = wb[name]
    assert ws["A1"].value == "All customers"
    assert ws["A2"].value == "One row per customer."
    assert ws.freeze_panes == "C5"  # below the header, right of the name column (B)
    (table,) = ws.tables.values()
    assert table.displayName == "T_fake_customers"
    assert table.ref == "A4:I12"  # header + 8 rows, 9 columns
    assert table.tableStyleInfo.name
    headers = [c.value for c in ws[4]]
    assert headers[0] == "Customer ID" and len(headers) == 9
    columns = [
        "customer_id",
        "name",
        "net_revenue",
        "gross_margin_pct",
        "selection_frequency",
        "orders_n",
        "attractiveness",
        "first_date",
        "is_key_account",
    ]
    fmt = {c: ws.cell(row=6, column=j).number_format for j, c in enumerate(columns, start=1)}
    assert fmt["net_revenue"] == NUMBER_FORMATS["money"] == "#,##0.00"
    assert fmt["gross_margin_pct"] == NUMBER_FORMATS["pct"] == '0.0" %"'
    assert fmt["selection_frequency"] == NUMBER_FORMATS["ratio"] == "0.0 %"  # a 0-1 share
    assert fmt["orders_n"] == NUMBER_FORMATS["int"]
    assert fmt["attractiveness"] == "0.0"
    assert fmt["first_date"] == "yyyy-mm-dd"
    assert ws["H5"].is_date
    assert ws["C6"].value == pytest.approx(-1000.5 + (52000.25 + 1000.5) / 7)
    assert ws["C7"].value is None  # NaN is an empty cell, not "nan"
    assert len(ws.conditional_formatting) == 3
    assert len(ws._charts) == 1
    for col in "ABCDEFGHI":
        assert 8 <= ws.column_dimensions[col].width <= 50


def test_table_names_unique_and_valid(workbook_path):
    wb = load_workbook(workbook_path.path)
    names = [t.displayName for ws in wb.worksheets for t in ws.tables.values()]
    assert len(names) == len(set(n.lower() for n in names))
    for n in names:
        assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", n)
    used: set[str] = set()
    assert table_display_name("A1", used) != "A1"
    assert table_display_name("2024 sales", used).startswith("T_")


def test_empty_sheet_still_has_a_table(workbook_path):
    ws = load_workbook(workbook_path.path)["Empty"]
    (table,) = ws.tables.values()
    assert table.ref.startswith("A4:")


def test_formula_like_text_is_stored_as_text(workbook_path):
    wb = load_workbook(workbook_path.path)
    name = next(n for n in wb.sheetnames if n.startswith("Customers"))
    ws = wb[name]
    names = {ws.cell(row=r, column=2).value: ws.cell(row=r, column=2) for r in range(5, 13)}
    for text in FORMULA_LIKE:
        assert text in names, text
        assert names[text].data_type == "s"
    assert names[EVIL_FORMULA].quotePrefix
    summary = [c.value for row in wb["Summary"].iter_rows() for c in row]
    assert EVIL_FORMULA in summary
    # and no formula anywhere in the saved XML
    with zipfile.ZipFile(workbook_path.path) as z:
        for member in z.namelist():
            if member.startswith("xl/worksheets/sheet"):
                xml = z.read(member).decode("utf-8")
                assert "<f>" not in xml and "<f " not in xml, member


def test_control_characters_removed_and_reported(workbook_path):
    wb = load_workbook(workbook_path.path)
    name = next(n for n in wb.sheetnames if n.startswith("Customers"))
    values = [c.value for c in wb[name]["B"]]
    assert "Ctrlchar s.r.o." in values
    assert any("removed characters" in n for n in workbook_path.notes)
    assert any("changed to" in n for n in workbook_path.notes)  # the long sheet name


def test_settings_paper_lists_settings_with_sources(tmp_path, ctx):
    from kamaudit.deliverables.working_papers import write_settings_paper

    page = write_settings_paper(ctx, tmp_path).read_text(encoding="utf-8")
    rows = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>", page)
    by = {a: (b, c) for a, b, c in rows}
    assert EVIL_NAME not in page  # escaped
    assert by["currency"] == ("CZK", "engagement file")
    assert by["language"] == ("en", "default")
    assert by["report.consultant"][1] == "engagement file"
    assert len(rows) == len(ctx.engagement.assumptions())


def test_safe_sheet_name():
    used: set[str] = set()
    assert safe_sheet_name("P&L: [2024]/*?", used) == "P&L   2024"
    assert safe_sheet_name("x" * 40, used) == "x" * 31
    assert safe_sheet_name("x" * 40, used) == "x" * 27 + " (2)"
    assert safe_sheet_name("", used) == "Sheet"
    assert safe_sheet_name("'quoted'", used) == "quoted"


def test_workbook_in_persian_is_right_to_left(make_engagement, tiny_workspace, tmp_path):
    ctx = ReportContext(make_engagement(language="fa"), tiny_workspace)
    result = write_workbook(tmp_path / "fa.xlsx", ctx, [])
    wb = load_workbook(result.path)
    assert all(ws.sheet_view.rightToLeft for ws in wb.worksheets)


# ----------------------------------------------------------------- HTML


class _Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []
        self.ids: list[str] = []
        self.toc: list[str] = []
        self.imgs: list[dict] = []
        self.html_attrs: dict = {}
        self.scripts = 0
        self._in_nav = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.html_attrs = a
        if tag == "script":
            self.scripts += 1
        if tag == "nav":
            self._in_nav = True
        if tag == "img":
            self.imgs.append(a)
        for key in ("src", "href", "action", "data", "poster", "srcset"):
            if a.get(key):
                self.urls.append(a[key])
        if a.get("id"):
            self.ids.append(a["id"])
        if tag == "a" and self._in_nav and a.get("href", "").startswith("#"):
            self.toc.append(a["href"][1:])

    def handle_endtag(self, tag):
        if tag == "nav":
            self._in_nav = False


def parse(html: str) -> _Collect:
    p = _Collect()
    p.feed(html)
    return p


def assert_self_contained(html: str) -> None:
    p = parse(html)
    for url in p.urls:
        assert url.startswith(("#", "data:")), url
    for url in re.findall(r"url\(([^)]*)\)", html):
        assert url.strip("'\" ").startswith(("data:", "#")), url
    assert "@import" not in html
    assert "http://" not in html.replace(EVIL_FORMULA_ESCAPED, "")
    assert "https://" not in html


EVIL_FORMULA_ESCAPED = "=HYPERLINK(&#34;http://evil.example&#34;,&#34;click&#34;)"


@pytest.fixture
def report_html(ctx):
    return render_report(ctx, [rich_report(ctx)])


def test_html_is_self_contained(report_html):
    assert_self_contained(report_html)
    assert parse(report_html).scripts == 0


def test_html_escapes_client_data(report_html):
    assert EVIL_NAME not in report_html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in report_html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Söhne" in report_html
    assert EVIL_FORMULA_ESCAPED in report_html  # shown as text, never a link
    assert 'href="http' not in report_html


def test_html_toc_anchors_match_sections(report_html):
    p = parse(report_html)
    assert p.toc == ["summary", "fake"]
    for anchor in p.toc:
        assert anchor in p.ids
    assert len(p.ids) == len(set(p.ids))


def test_html_blocks_rendered(report_html, ctx):
    p = parse(report_html)
    assert p.html_attrs == {"lang": "en", "dir": "ltr"}
    assert len(p.imgs) == 2
    for img in p.imgs:
        assert img["src"].startswith("data:image/png;base64,")
        assert img["alt"]
    for css in (
        'class="finding"',
        'class="warning"',
        'class="note"',
        "<h3><bdi>Heading three</bdi></h3>",
        "<h4><bdi>Heading four</bdi></h4>",
        'class="keyfigure"',
        'class="card"',
        "@media print",
    ):
        assert css in report_html, css
    assert "Showing 5 of 8 rows; the workbook has all of them." in report_html
    assert "Net revenue (CZK)" in report_html
    assert "−1,000" in report_html or "-1,000" in report_html
    assert "Summary sentence with &lt;script&gt;" in report_html
    # the settings are the consultant's working paper, not the client's report
    assert "cost_to_serve.cost_of_capital" not in report_html


def test_html_card_score_bars(report_html):
    """One row per criterion with its label, weight, score and bar; legend; no-data marker."""
    block = report_html[report_html.index('<div class="scorebars">') :]
    block = block[: block.index("</div>")]
    rows = re.findall(
        r'<tr class="([a-z ]+)">\s*<th scope="row">(.*?)</th>\s*'
        r'<td class="bar" aria-hidden="true"><span class="track">'
        r'<span class="fill" style="inline-size: ([0-9.]+)%"></span></span></td>\s*'
        r'<td class="num"><bdi>([^<]*)</bdi></td>',
        block,
    )
    assert [(cls, width, score) for cls, _, width, score in rows] == [
        ("strength", "70.0", "7.3"),
        ("strength missing", "50.0", "5.5"),
        ("attr", "100.0", "10.0"),
        ("attr", "0.0", "1.0"),
    ]
    labels = [re.sub(r"<[^>]+>", "", th) for _, th, _, _ in rows]
    assert labels == [
        "&lt;script&gt;alert(1)&lt;/script&gt; (25)",
        "Quality (7.5) no data, neutral",
        "Net profit (15)",
        "Growth (10)",
    ]
    assert "<caption><bdi>Scores of &lt;script&gt;alert(1)&lt;/script&gt;</bdi></caption>" in block
    legend = re.findall(r'<li><span class="swatch ([a-z]+)" aria-hidden="true"></span>', block)
    assert legend == ["strength", "attr", "missing"]  # in the order the bars come
    assert '<th scope="col"><bdi>Criterion (weight)</bdi></th>' in block
    assert 'style="--neutral: 50.0%"' in block


def test_html_score_bars_legend_without_missing(ctx):
    card = Card(title="Alfa", scores=score_bars_example(missing=False))
    view = block_view(card, ctx, 10)["scores"]
    assert view["any_missing"] is False
    assert [item["axis"] for item in view["legend"]] == ["strength", "attr"]


def test_html_inline_styles_allowed_by_the_csp(report_html):
    """The bars' widths are inline style attributes: the page's CSP must allow them."""
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', report_html)
    assert "style-src 'unsafe-inline'" in csp.group(1)
    assert "script-src" not in csp.group(1) and "default-src 'none'" in csp.group(1)


def test_html_persian_is_rtl(make_engagement, tiny_workspace):
    ctx = ReportContext(make_engagement(language="fa"), tiny_workspace)
    p = parse(render_report(ctx, []))
    assert p.html_attrs == {"lang": "fa", "dir": "rtl"}


@pytest.mark.parametrize("language", ["cs", "pl", "ru"])
def test_html_language_from_catalog(make_engagement, tiny_workspace, language):
    ctx = ReportContext(make_engagement(language=language), tiny_workspace)
    html = render_report(ctx, [])
    assert f'lang="{language}"' in html
    assert ctx.t("report.contents") != Catalog("en").t("report.contents")
    assert ctx.t("report.contents") in html


# ----------------------------------------------------------------- builder


def test_build_deliverables_fallback_data_on_hand(tiny_engagement, tiny_workspace, monkeypatch):
    for stage in ("intake", "cost_to_serve", "account_profile", "team_design"):
        monkeypatch.setitem(sys.modules, f"kamaudit.deliverables.{stage}", None)
    # a None entry in sys.modules makes the import fail like a missing module
    result = build_deliverables(tiny_engagement, tiny_workspace)
    xlsx, html = result
    assert xlsx.name == "Tiny_Trading_s_r_o_kam_audit.xlsx"
    assert xlsx.parent == tiny_workspace.deliverables_dir
    assert html.suffix == ".html" and html.exists() and xlsx.exists()
    wb = load_workbook(xlsx)
    ws = wb["Data on hand"]
    rows = {r[0]: r[1] for r in ws.iter_rows(min_row=5, values_only=True)}
    assert rows == {"customers": 4, "invoices": 6}
    text = html.read_text(encoding="utf-8")
    assert 'id="data_on_hand"' in text
    assert_self_contained(text)
    assert not list(tiny_workspace.deliverables_dir.glob(".*"))  # no temp files left
    for path in (xlsx, html):
        assert path.stat().st_mode & 0o777 == 0o644  # shareable, not the temp file's 0600


def _module(name: str, build) -> types.ModuleType:
    mod = types.ModuleType(name)
    mod.build = build
    return mod


def test_bad_contributor_becomes_a_warning(tiny_engagement, tiny_workspace, monkeypatch):
    def boom(ctx):
        raise ValueError("the cost pools do not add up")

    def good(ctx):
        return rich_report(ctx)

    monkeypatch.setitem(
        sys.modules, "kamaudit.deliverables.intake", _module("intake", lambda ctx: None)
    )
    monkeypatch.setitem(sys.modules, "kamaudit.deliverables.cost_to_serve", _module("cts", boom))
    monkeypatch.setitem(sys.modules, "kamaudit.deliverables.account_profile", _module("ap", good))
    monkeypatch.setitem(
        sys.modules, "kamaudit.deliverables.team_design", _module("td", lambda ctx: 42)
    )
    result = build_deliverables(tiny_engagement, tiny_workspace)
    assert [e.stage for e in result.errors] == ["cost_to_serve", "team_design"]
    assert "the cost pools do not add up" in result.errors[0].error
    assert not result.ok
    html = result.html.read_text(encoding="utf-8")
    assert 'id="cost_to_serve"' in html and "the cost pools do not add up" in html
    assert 'id="fake"' in html
    status = tiny_workspace.read_json("deliverables_status")
    assert [e["stage"] for e in status["errors"]] == ["cost_to_serve", "team_design"]
    wb = load_workbook(result.xlsx)
    assert "Scatter" in wb.sheetnames


def test_collect_reports_skips_missing_modules(ctx, monkeypatch):
    reports, errors = collect_reports(ctx, stages=("no_such_stage_xyz",))
    assert reports == [] and errors == []


# ----------------------------------------------------------------- catalogs


def _placeholders(text: str) -> set[str]:
    return set(re.findall(r"\{(\w+)\}", text))


@pytest.mark.parametrize("language", ["cs", "pl", "ru", "fa"])
def test_translations_of_common(language):
    from kamaudit.deliverables.i18n import _flatten

    path = LOCALES_DIR / language / "common.yaml"
    assert path.exists()
    own = _flatten(yaml.safe_load(path.read_text(encoding="utf-8")))
    en_common = _flatten(
        yaml.safe_load((LOCALES_DIR / "en" / "common.yaml").read_text(encoding="utf-8"))
    )
    assert set(own) <= set(en_common), set(own) - set(en_common)
    for key, text in own.items():
        assert _placeholders(text) == _placeholders(en_common[key]), key
    # complete: every common key is translated
    assert set(en_common) - set(own) == set()


@pytest.mark.parametrize("language", ["en", "cs", "pl", "ru", "fa"])
def test_locale_formats_missing_values(language):
    cat = Catalog(language, "CZK")
    for missing in (None, np.nan, pd.NA, pd.NaT):
        assert cat.number(missing) == "–"
        assert cat.date(missing) == "–"
    assert cat.date(pd.Timestamp("2025-03-01"))
    assert cat.number(1234.5, 1)


def test_sheet_names_from_catalog_fit_excel():
    for language in ("en", "cs", "pl", "ru", "fa"):
        cat = Catalog(language)
        for key in (
            "workbook.cover",
            "workbook.contents",
            "workbook.summary",
            "workbook.assumptions",
            "data_on_hand.sheet",
        ):
            name = cat.t(key)
            assert len(name) <= 31 and not re.search(r"[\[\]:*?/\\]", name), (language, key)


# ----------------------------------------------------------------- Path helpers


def test_deliverable_paths(tiny_engagement, tiny_workspace):
    from kamaudit.deliverables.builder import deliverable_paths

    xlsx, html = deliverable_paths(tiny_engagement, tiny_workspace)
    assert xlsx.parent == html.parent == Path(tiny_workspace.deliverables_dir)


# ----------------------------------------------------------------- data request


@pytest.mark.parametrize("language", ["en", "fa"])
def test_data_request_workbook(tmp_path, language):
    from kamaudit.config import TABLES
    from kamaudit.deliverables.data_request import HEADER_ROW, write_data_request

    path = write_data_request(tmp_path / "request.xlsx", language=language)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        wb = load_workbook(path)
    assert [n for n in wb.sheetnames if n in TABLES] == list(TABLES)
    assert wb.sheetnames[-1] == "lists" and wb["lists"].sheet_state == "hidden"
    intro = wb.worksheets[0]
    links = [c.hyperlink.location for row in intro.iter_rows() for c in row if c.hyperlink]
    assert len(links) == len(TABLES)
    inv = wb["invoices"]
    header = [c.value for c in inv[HEADER_ROW]]
    assert header[:4] == ["invoice_id", "invoice_date", "customer_id", "net_amount"]
    (table,) = inv.tables.values()
    assert table.ref.startswith(f"A{HEADER_ROW}:")
    assert inv.column_dimensions["A"].number_format == "@"  # ids stay text
    explanations = [c.value for c in inv[2]]
    assert all(explanations)
    assert explanations[0].startswith(Catalog(language).t("data_request.required"))

    def lists_of(sheet):
        out = {}
        ws = wb[sheet]
        for dv in ws.data_validations.dataValidation:
            col = ws.cell(row=HEADER_ROW, column=next(iter(dv.sqref.ranges)).min_col).value
            out[col] = dv
        return out

    contacts = lists_of("contacts")
    assert contacts["role"].type == "list" and contacts["preferred_channel"].type == "list"
    assert (
        contacts["relationship_strength"].type,
        contacts["relationship_strength"].formula1,
        contacts["relationship_strength"].formula2,
    ) == ("whole", "1", "5")
    lists = wb["lists"]
    rng = contacts["preferred_channel"].formula1.split("!")[1].replace("$", "")
    values = [c.value for row in lists[rng] for c in row]
    assert values == ["meeting", "phone", "email", "video"]
    for sheet, column in (
        ("activities", "activity"),
        ("cost_pools", "driver"),
        ("assessments", "source"),
        ("team", "role"),
        ("rebates", "kind"),
    ):
        assert lists_of(sheet)[column].type == "list", (sheet, column)
    assert lists_of("assessments")["score"].type == "decimal"
    if language == "fa":
        assert wb["invoices"].sheet_view.rightToLeft


# ----------------------------------------------------------------- working papers


def _notebook(path: Path) -> Path:
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

    nb = new_notebook()
    nb.cells = [
        new_markdown_cell(
            "# Cost-to-serve\nSee [the method](https://example.com/method) "
            "![logo](http://example.com/logo.png) and <img src='//cdn.example.com/x.png'> $x^2$"
        ),
        new_code_cell(
            "secret_code_marker = 1",
            outputs=[new_output("stream", name="stdout", text="visible output\n")],
        ),
        new_code_cell(
            "df",
            execution_count=2,
            outputs=[
                new_output(
                    "execute_result",
                    execution_count=2,
                    data={"text/html": "<table><tr><td>42</td></tr></table>", "text/plain": "42"},
                )
            ],
        ),
    ]
    nbformat.write(nb, path)
    return path


def test_working_paper_html_has_no_code_and_no_external_url(tmp_path):
    from kamaudit.deliverables.working_papers import export_notebook_html, external_urls

    nb = _notebook(tmp_path / "02_cost_to_serve.ipynb")
    out = export_notebook_html(nb, tmp_path / "02_cost_to_serve.html")
    html = out.read_text(encoding="utf-8")
    assert "secret_code_marker" not in html
    assert "visible output" in html and "<td>42</td>" in html
    assert external_urls(html) == []
    p = parse(html)
    for url in p.urls:
        assert not re.match(r"(https?:)?//", url), url
    assert not re.search(r"<script[^>]+src=", html)
    assert not list(tmp_path.glob(".*"))  # written atomically, nothing left over


def test_neutralise_external():
    from kamaudit.deliverables.working_papers import external_urls, neutralise_external

    html = (
        '<a href="https://x.org">x</a><img src=\'//cdn.org/a.png\'><link href="http://f.org/c.css">'
        '<style>@import url("https://f.org/x.css"); .a{background:url(https://x.org/b.png)}</style>'
        '<script>import("https://cdn.org/m.mjs")</script><a href="#local">ok</a>'
    )
    clean, n = neutralise_external(html)
    assert n == 6 and external_urls(clean) == []
    assert 'href="#local"' in clean


def test_a_bad_block_becomes_a_warning(ctx):
    bad = pd.DataFrame([[1, 2]], columns=["a", "a"])  # duplicate columns break the table view
    report = StageReport(
        stage="cost_to_serve",
        section=Section(
            id="cost_to_serve", title="Costs", blocks=[Table(df=bad), Text("still here")]
        ),
    )
    html = render_report(ctx, [report])
    assert 'class="warning"' in html and "still here" in html


def test_deliverables_result_unpacks_and_pickles():
    import pickle

    from kamaudit.deliverables.builder import ContributorError, Deliverables

    d = Deliverables(Path("a.xlsx"), Path("b.html"), errors=[ContributorError("intake", "boom")])
    xlsx, html = pickle.loads(pickle.dumps(d))
    assert (xlsx, html) == (Path("a.xlsx"), Path("b.html"))
    assert pickle.loads(pickle.dumps(d)).errors[0].stage == "intake" and not d.ok
