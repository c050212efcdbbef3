"""The HTML deliverables in a real headless browser (Debian's Chromium via Playwright).

Every http(s) request is aborted and recorded: the report must load nothing from
anywhere. Images must decode, the table of contents must point at sections that exist,
and the console must stay clean. Without /usr/bin/chromium the tests skip locally and
fail under CI (``CI`` set), where the browser is part of the environment.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = Path(os.environ.get("KAMAUDIT_CHROMIUM", "/usr/bin/chromium"))
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(
                f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)."
            )
        pytest.skip(f"{CHROMIUM} is not installed")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield b
        finally:
            b.close()


def open_offline(browser, path: Path):
    """Open ``path`` with every network request aborted; returns (page, requests, errors)."""
    page = browser.new_page()
    requests: list[str] = []
    errors: list[str] = []

    def route(r):
        url = r.request.url
        if url.startswith("file:") or url.startswith("data:"):
            r.continue_()
        else:
            requests.append(url)
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on(
        "requestfailed",
        lambda r: requests.append(r.url) if not r.url.startswith(("file:", "data:")) else None,
    )
    page.goto(path.resolve().as_uri(), wait_until="load")
    page.wait_for_timeout(200)
    return page, requests, errors


def check_report(browser, html: Path, expect_sections: int = 1) -> dict:
    page, requests, errors = open_offline(browser, html)
    try:
        assert requests == [], f"the report tried to load {requests}"
        assert errors == [], errors
        broken = page.eval_on_selector_all(
            "img", "imgs => imgs.filter(i => !i.complete || i.naturalWidth === 0).map(i => i.alt)"
        )
        assert broken == []
        toc = page.eval_on_selector_all(
            "nav#contents a", "as => as.map(a => a.getAttribute('href'))"
        )
        assert len(toc) >= 1 + expect_sections  # the summary and each section
        for href in toc:
            assert href.startswith("#")
            assert page.locator(f"[id='{href[1:]}']").count() == 1, href
        stages = page.eval_on_selector_all("section.stage", "s => s.map(x => x.id)")
        assert len(stages) >= expect_sections
        assert page.locator("section#summary").count() == 1
        assert page.locator("section#summary h2").count() == 1
        # no script ran and nothing injected by client data
        assert page.evaluate("() => document.scripts.length") == 0
        assert page.evaluate("() => window.__pwned === undefined")
        images = page.eval_on_selector_all("img", "imgs => imgs.length")
        # print layout: every stage section starts a page
        page.emulate_media(media="print")
        breaks = page.eval_on_selector_all(
            "section.stage", "s => s.map(x => getComputedStyle(x).breakBefore)"
        )
        assert set(breaks) <= {"page"}, breaks
        return {"images": images, "stages": stages, "toc": toc}
    finally:
        page.close()


def test_tiny_report_in_browser(browser, make_engagement, tiny_workspace, monkeypatch):
    """Every block type, a malicious client name, and a failing contributor."""
    import sys
    import types

    from test_deliverables import EVIL_NAME, rich_report

    from kamaudit.deliverables.builder import build_deliverables

    def boom(ctx):
        raise RuntimeError("broken contributor")

    for stage, build in (
        ("intake", None),
        ("cost_to_serve", rich_report),
        ("account_profile", boom),
        ("team_design", None),
    ):
        mod = types.ModuleType(stage)
        mod.build = build or (lambda ctx: None)
        monkeypatch.setitem(sys.modules, f"kamaudit.deliverables.{stage}", mod)
    eng = make_engagement(client=EVIL_NAME + '<img src=x onerror="window.__pwned=1">')
    result = build_deliverables(eng, tiny_workspace)
    info = check_report(browser, result.html, expect_sections=3)
    assert info["images"] == 2
    assert {"data_on_hand", "fake", "account_profile"} <= set(info["stages"])


def test_persian_report_in_browser(browser, make_engagement, tiny_workspace):
    from kamaudit.deliverables.builder import build_deliverables

    result = build_deliverables(make_engagement(language="fa"), tiny_workspace)
    page, requests, errors = open_offline(browser, result.html)
    try:
        assert requests == [] and errors == []
        assert page.evaluate("() => getComputedStyle(document.body).direction") == "rtl"
    finally:
        page.close()


def test_working_paper_in_browser(browser, tmp_path):
    from test_deliverables import _notebook

    from kamaudit.deliverables.working_papers import export_notebook_html

    html = export_notebook_html(_notebook(tmp_path / "wp.ipynb"), tmp_path / "wp.html")
    page, requests, errors = open_offline(browser, html)
    try:
        assert requests == [], requests
        assert "visible output" in page.inner_text("body")
    finally:
        page.close()


@pytest.mark.slow
def test_sample_report_in_browser(browser, sample_run):
    out = sample_run
    html = next((out / "deliverables").glob("*.html"))
    info = check_report(browser, html, expect_sections=5)
    assert info["stages"] == [  # the answers, the actions, then the data received
        "cost_to_serve",
        "account_profile",
        "team_design",
        "synthesis",
        "intake",
    ]
    assert info["images"] >= 10
    for paper in sorted((out / "notebooks").glob("*.html")):
        page, requests, errors = open_offline(browser, paper)
        page.close()
        assert requests == [], (paper.name, requests)


@pytest.mark.parametrize("language", ["en", "fa"])
def test_card_score_bars_in_browser(browser, make_engagement, tiny_workspace, tmp_path, language):
    """Bars as long as their score, growing from the start of the line (the right in
    Persian), a dashed neutral line in the middle, and colours kept when printed."""
    from test_deliverables import EVIL_NAME, score_bars_example

    from kamaudit.deliverables import Card, Section, StageReport
    from kamaudit.deliverables.context import ReportContext
    from kamaudit.deliverables.html import write_report

    ctx = ReportContext(make_engagement(language=language), tiny_workspace)
    card = Card(title="Alfa", scores=score_bars_example())
    report = StageReport("fake", Section("fake", "Fake", [card]))
    page, requests, errors = open_offline(browser, write_report(tmp_path / "r.html", ctx, [report]))
    try:
        assert requests == [] and errors == []
        boxes = page.eval_on_selector_all(
            ".scorebars tbody tr",
            """rows => rows.map(r => {
                const t = r.querySelector('.track').getBoundingClientRect();
                const f = r.querySelector('.fill').getBoundingClientRect();
                const line = getComputedStyle(r.querySelector('.track'), '::after');
                return {t: [t.left, t.right, t.width], f: [f.left, f.right, f.width],
                        line: line.borderInlineStartStyle, text: r.innerText};
            })""",
        )
        assert len(boxes) == 4
        for b, share in zip(boxes, [6.3 / 9, 4.5 / 9, 1.0, 0.0], strict=True):
            (t_left, t_right, t_width), (f_left, f_right, f_width) = b["t"], b["f"]
            assert t_width > 50
            assert f_width == pytest.approx(max(share * t_width, 2), abs=1.5), b
            if language == "fa":
                assert f_right == pytest.approx(t_right, abs=0.5), b
            else:
                assert f_left == pytest.approx(t_left, abs=0.5), b
            assert b["line"] == "dashed"
        assert boxes[0]["text"].startswith(EVIL_NAME + " (")  # shown as text, not run
        page.emulate_media(media="print")
        adjust = page.eval_on_selector(
            ".scorebars .fill", "f => getComputedStyle(f).printColorAdjust"
        )
        assert adjust == "exact"
    finally:
        page.close()


A4_PAGES_MAX = 40
"""The sample's report on A4, in every language (issue 16)."""


@pytest.mark.slow
@pytest.mark.parametrize("language", ["en", "cs", "pl", "ru", "fa"])
def test_sample_report_prints_on_a4(browser, sample_run, tmp_path_factory, language):
    """Chromium prints the sample's report in at most 40 A4 pages; the PDF lies beside the
    HTML; no table is wider than its page; no text under 9 pt; the summary fits one page."""
    from deliverables.scan import PAGE_HEIGHT_PX, PORTRAIT_PX, print_layout, sample_in_language

    from kamaudit.deliverables.pdf import pdf_pages

    out = sample_in_language(sample_run, language, tmp_path_factory.mktemp("a4"))
    html = next((out / "deliverables").glob("*.html"))
    pdf = html.with_suffix(".pdf")
    assert pdf.exists(), "the run prints the report beside the HTML when Chromium is there"
    assert 5 <= pdf_pages(pdf) <= A4_PAGES_MAX, pdf_pages(pdf)
    page = browser.new_page(viewport={"width": PORTRAIT_PX, "height": PAGE_HEIGHT_PX})
    try:
        page.emulate_media(media="print")
        page.goto(html.resolve().as_uri(), wait_until="load")
        layout = print_layout(page)
    finally:
        page.close()
    assert layout["wide"] == [], layout["wide"]
    assert layout["smallest_pt"] >= 9 - 1e-6, layout["smallest_pt"]
    assert 0 < layout["summary_px"] <= PAGE_HEIGHT_PX, layout["summary_px"]
