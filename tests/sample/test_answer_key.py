"""The planted facts hold, checked by an independent costing, in the committed sample and a small
one."""

from __future__ import annotations

import json
from pathlib import Path

from kamaudit.config import TABLES
from kamaudit.sample import SampleInfo

from .checks import check_planted_facts


def test_planted_facts_hold_in_the_default_sample():
    root = Path(__file__).parents[2] / "data" / "sample"
    info = SampleInfo(
        out_dir=root,
        engagement=root / "engagement.yaml",
        tables={t: root / f"{t}.csv" for t in TABLES},
        readme=root / "README.md",
        answer_key_path=root / "answer_key.json",
        answer_key=json.loads((root / "answer_key.json").read_text(encoding="utf-8")),
    )
    check_planted_facts(info)
    readme = info.readme.read_text(encoding="utf-8")
    for fact in info.answer_key["facts"].values():
        for cid in fact["customer_ids"]:
            assert cid in readme


def test_planted_facts_hold_in_a_small_sample(small):
    check_planted_facts(small)
