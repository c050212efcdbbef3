"""Reading the client's deliverables back as the client sees them (test helpers).

``visible_text`` is what a reader of the HTML sees (no markup, styles or attribute
values); ``workbook_texts`` every text cell of the workbook with where it is;
``client_strings`` the client's own words from the workspace's input tables (names,
industries, activity and pool names), which may look like codes and are not ours;
``leaked_codes`` the contract codes found in a text once the client's words are set aside.
"""

from __future__ import annotations

import html as html_lib
import re
from pathlib import Path

import pandas as pd

from kamaudit import contract

_STYLE = re.compile(r"<(style|script)\b.*?</\1>", re.S | re.I)
_TAG = re.compile(r"<[^>]+>")
NON_LATIN_LANGUAGES = ("ru", "fa")
"""Pages where a single-word Latin code (``kam``, ``delivery``) is a leak too; elsewhere only
snake_case codes count, as plain words (``order``, ``client``) are the language itself."""


def visible_text(page: str) -> str:
    return html_lib.unescape(_TAG.sub(" ", _STYLE.sub(" ", page)))


def workbook_texts(path: Path) -> list[tuple[str, str, str]]:
    """``(sheet, cell, text)`` for every text cell."""
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True)
    out = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str):
                    out.append((ws.title, c.coordinate, c.value))
    return out


def client_strings(data_dir: Path, labelled: bool = True) -> set[str]:
    """Text values of the input tables' free-text columns (never the coded ones), and the
    client's file names and column headers as intake read them. ``labelled=False`` leaves
    out the columns the contract says a reader sees as words (activities, industries:
    :data:`kamaudit.contract.LABELLED_COLUMNS`), so a test can look for them."""
    import json

    out: set[str] = set()
    summary_path = Path(data_dir) / "intake_summary.json"
    if summary_path.exists():
        inputs = json.loads(summary_path.read_text(encoding="utf-8")).get("inputs") or {}
        for info in inputs.values():
            out.update(str(h) for h in info.get("headers") or [])
            if info.get("file"):
                out.add(str(info["file"]))
    for name, table in contract.INPUTS.items():
        path = Path(data_dir) / f"{name}.parquet"
        if not path.exists():
            continue
        df = pd.read_parquet(path)
        coded = {c.name for c in table.columns if c.vocabulary is not None}
        if not labelled:
            coded |= set(contract.LABELLED_COLUMNS)
        for col in df.columns:
            if col in coded or not pd.api.types.is_string_dtype(df[col].dtype):
                continue
            for v in df[col].dropna().astype(str).unique():
                out.update(p.strip() for p in re.split(r"[;,]", v) if p.strip())
                out.add(v)
    return out


def leaked_codes(text: str, language: str, client: set[str]) -> set[str]:
    """Contract codes standing as words in ``text`` (case-sensitive), the client's own
    words removed first (longest first, so a name is not cut by a shorter one)."""
    for word in sorted(client, key=len, reverse=True):
        if len(word) > 2:
            text = text.replace(word, " ")
    codes = contract.client_codes()
    if language not in NON_LATIN_LANGUAGES:
        codes = {c for c in codes if "_" in c}
    found = set()
    for code in codes:
        if re.search(rf"(?<![\w:.-]){re.escape(code)}(?![\w-])", text):
            found.add(code)
    return found


def data_codes(data_dir: Path) -> dict[str, set[str]]:
    """The sample's own codes a reader must see as words: the values of every labelled
    column (:data:`kamaudit.contract.LABELLED_COLUMNS`) of its input tables, by vocabulary."""
    out: dict[str, set[str]] = {}
    for name, table in contract.INPUTS.items():
        path = Path(data_dir) / f"{name}.parquet"
        cols = [c.name for c in table.columns if c.name in contract.LABELLED_COLUMNS]
        if not cols or not path.exists():
            continue
        df = pd.read_parquet(path, columns=None)
        for c in cols:
            if c in df.columns:
                vocabulary = contract.LABELLED_COLUMNS[c]
                out.setdefault(vocabulary, set()).update(df[c].dropna().astype(str).unique())
    return out


def words_found(text: str, words: set[str]) -> set[str]:
    """Which of ``words`` stand as whole words in ``text`` (case-sensitive)."""
    return {w for w in words if re.search(rf"(?<![\w]){re.escape(w)}(?![\w])", text)}


PORTRAIT_PX = 703
"""A4 portrait between the report's 12 mm side margins, in CSS pixels (186 mm)."""
LANDSCAPE_PX = 1032
"""A4 landscape between the same margins (273 mm)."""
PAGE_HEIGHT_PX = 1017
"""A4 portrait between the 14 mm top and bottom margins (269 mm)."""

_BUILT: dict[tuple[str, str], Path] = {}


def sample_in_language(sample_run: Path, language: str, scratch: Path) -> Path:
    """The sample audit's deliverables rebuilt in ``language`` (a copy of its workspace,
    once per session); returns the copy's folder."""
    import shutil

    from kamaudit.config import load_engagement
    from kamaudit.deliverables import build_deliverables
    from kamaudit.workspace import Workspace

    key = (str(sample_run), language)
    if key not in _BUILT:
        if language == "en":
            _BUILT[key] = Path(sample_run)
        else:
            out = Path(scratch) / f"sample-{language}"
            shutil.rmtree(out, ignore_errors=True)
            shutil.copytree(sample_run, out, ignore=shutil.ignore_patterns("deliverables"))
            engagement = Path(__file__).resolve().parents[2] / "data" / "sample" / "engagement.yaml"
            eng = load_engagement(engagement, [f"language={language}"])
            build_deliverables(eng, Workspace(out), pdf=True)
            _BUILT[key] = out
    return _BUILT[key]


def print_layout(page) -> dict:
    """What a printed page holds, measured in a Playwright page already showing the report
    with print media at :data:`PORTRAIT_PX`: tables too wide for their page (portrait, or
    landscape for ``.wide`` ones), the smallest text in points, the summary's height."""
    return page.evaluate(
        """([portrait, landscape]) => {
          const wide = [];
          document.querySelectorAll('table').forEach(t => {
            if (t.closest('.sr-only')) return;
            const limit = t.closest('.wide') ? landscape : portrait;
            if (t.scrollWidth > limit + 1 || t.getBoundingClientRect().width > limit + 1)
              wide.push([(t.closest('section') || {}).id, t.rows[0] ? t.rows[0].innerText.slice(0, 60) : '',
                         Math.round(t.scrollWidth), limit]);
          });
          let smallest = 99;
          for (const e of document.querySelectorAll('main *, header *')) {
            if (e.closest('.sr-only') || e.getClientRects().length === 0) continue;  // not printed
            const own = [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
            if (own) smallest = Math.min(smallest, parseFloat(getComputedStyle(e).fontSize) * 0.75);
          }
          const s = document.querySelector('section#summary');
          return {wide, smallest_pt: smallest, summary_px: s ? s.getBoundingClientRect().height : 0};
        }""",
        [PORTRAIT_PX, LANDSCAPE_PX],
    )
