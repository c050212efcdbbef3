"""The debrief across groups: ``kamaudit reveal PACK AUDITS --out DIR``.

For each audit of a pack company (a group's own, or the trainer's batch), the planted
facts against the answer key, found or not, with the audit's own figures; the key-account
lists and the weights each group chose, side by side. Writes ``DIR/reveal.html``,
``DIR/reveal.xlsx``, ``DIR/data/reveal.parquet`` (one row per group and planted customer:
``group, company, fact, expected, found`` and the figures) and ``DIR/answer_sheets/
<company>.md``: the facilitator's sheet from the audit itself, so it shows the figures the
group sees.

>>> res = reveal("seminar", ["seminar-audits"], "debrief")     # doctest: +SKIP
>>> res.found, res.planted                                      # doctest: +SKIP
(48, 48)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..deliverables.i18n import Catalog
from .collect import find_audits, pair, read_keys
from .facts import FACTS, check_facts, read_audit
from .render import answer_sheet, write_html, write_workbook
from .tables import FACT_COLUMNS, build_tables

__all__ = ["FACTS", "FACT_COLUMNS", "RevealResult", "check_facts", "read_audit", "reveal"]


@dataclass
class RevealResult:
    html: Path
    workbook: Path
    data: Path
    sheets: list[Path] = field(default_factory=list)
    found: int = 0
    planted: int = 0
    groups: int = 0
    notes: list[str] = field(default_factory=list)


def _sheet_pairs(pairs):
    """One audit per company for its answer sheet: the one named like the company (the
    trainer's batch), else the first."""
    chosen = {}
    for p in pairs:
        if p.label not in chosen or p.group.split("/")[-1] == p.label:
            chosen[p.label] = p
    return chosen


def reveal(
    pack: str | Path, audits: list[str | Path], out: str | Path, language: str | None = None
) -> RevealResult:
    """Write the debrief of the ``audits`` of the ``pack``'s companies into ``out``."""
    keys = read_keys(Path(pack))
    pairs, notes = pair(keys, find_audits([Path(a) for a in audits]))
    if not pairs:
        from ..errors import ConfigError

        raise ConfigError("reveal: no audit matches a company of the pack. " + " ".join(notes))
    language = language or pairs[0].audit.manifest.get("configuration", {}).get("language", "en")
    cat = Catalog(language, pairs[0].key.get("currency", "EUR"))
    tables = build_tables(pairs)
    out = Path(out)
    (out / "data").mkdir(parents=True, exist_ok=True)
    data = out / "data" / "reveal.parquet"
    facts = tables["facts"].copy()
    facts["fact"] = facts["fact"].astype(str)
    facts.to_parquet(data, index=False)
    res = RevealResult(html=out / "reveal.html", workbook=out / "reveal.xlsx", data=data)
    write_html(res.html, tables, cat, notes)
    write_workbook(res.workbook, tables, cat)
    (out / "answer_sheets").mkdir(exist_ok=True)
    for label, p in sorted(_sheet_pairs(pairs).items()):
        path = out / "answer_sheets" / f"{label}.md"
        path.write_text(answer_sheet(p, tables["facts"], cat), encoding="utf-8")
        res.sheets.append(path)
    res.found, res.planted = int(facts["found"].sum()), len(facts)
    res.groups, res.notes = len(pairs), notes
    return res
