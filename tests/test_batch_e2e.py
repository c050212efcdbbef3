"""A real batch: companies the sample generator has never written before, plus broken ones.

Every good engagement produces its deliverables, each broken one is named with its reason,
the index page opens in a browser with working links, and a second run skips everything
that was up to date.
"""

from __future__ import annotations

import json
from urllib.parse import unquote, urlparse

import pytest
from test_browser import browser, open_offline  # noqa: F401 - the fixture is used by name

from kamaudit.batch import run_batch
from kamaudit.sample import generate_sample

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture(scope="module")
def real_batch(tmp_path_factory):
    root = tmp_path_factory.mktemp("real-batch")
    clients = root / "clients"
    generate_sample(clients / "bank", seed=4242, industry="bank", n_customers=80, n_lines=4000)
    generate_sample(
        clients / "telecom", seed=4343, industry="telecom", n_customers=80, n_lines=4000
    )
    broken = clients / "broken_data"
    generate_sample(broken, seed=4444, n_customers=80, n_lines=4000)
    (broken / "invoices.csv").write_bytes(b"\x00\x01\x02garbage\xff\xfe" * 50)
    out = root / "out"
    first = run_batch([clients], out_dir=out, jobs=2, progress=False)
    second = run_batch([clients], out_dir=out, jobs=2, progress=False)
    return out, first, second


def test_good_engagements_deliver_and_broken_ones_are_named(real_batch):
    out, first, _ = real_batch
    by_name = {r["name"]: r for r in first.records}
    assert by_name["bank"]["status"] == "ok" and by_name["telecom"]["status"] == "ok"
    for name in ("bank", "telecom"):
        manifest = json.loads((out / name / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["status"] == "ok"
        assert by_name[name]["workbook"].endswith(".xlsx")
    assert by_name["broken_data"]["status"] == "failed"
    reason = by_name["broken_data"]["error"]
    assert "invoices.csv" in reason and "Traceback" not in reason
    assert not first.ok


def test_second_run_skips_what_is_up_to_date(real_batch):
    _, _, second = real_batch
    statuses = {r["name"]: r["status"] for r in second.records}
    assert statuses == {"bank": "skipped", "telecom": "skipped", "broken_data": "failed"}


def test_index_page_links_work_in_a_browser(real_batch, browser):  # noqa: F811
    out, _, _ = real_batch
    page, requests, errors = open_offline(browser, out / "index.html")
    try:
        assert requests == [] and errors == []
        hrefs = page.eval_on_selector_all("a", "as => as.map(a => a.href)")
        assert len(hrefs) == 4  # report and workbook for each good engagement
        for href in hrefs:
            target = unquote(urlparse(href).path)
            assert target.startswith(str(out)) and (out / target[len(str(out)) + 1 :]).exists(), (
                href
            )
        report = next(h for h in hrefs if h.endswith(".html"))
        page.goto(report)
        assert page.locator("section#cost_to_serve").count() == 1
    finally:
        page.close()
