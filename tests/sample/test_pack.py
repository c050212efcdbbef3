"""Seminar packs: distinct companies, answer keys kept apart."""

from __future__ import annotations

import kamaudit
from kamaudit.sample import INDUSTRIES, generate_pack

from .checks import SMALL, check_planted_facts, digest


def test_pack_writes_distinct_companies_with_keys_apart(tmp_path):
    infos = generate_pack(tmp_path, 3, seed=5, **SMALL)
    assert [i.out_dir.name for i in infos] == ["company_01", "company_02", "company_03"]
    assert len({i.client for i in infos}) == 3
    assert [i.industry for i in infos] == list(INDUSTRIES[:3])
    assert len({digest(i.out_dir)["invoices.csv"] for i in infos}) == 3
    for info in infos:
        assert info.answer_key_path == tmp_path / "answer_keys" / f"{info.out_dir.name}.json"
        assert (tmp_path / "answer_keys" / f"{info.out_dir.name}.md").exists()
        inside = {p.name for p in info.out_dir.iterdir()}
        assert "answer_key.json" not in inside
        readme = info.readme.read_text(encoding="utf-8")
        for fact in info.answer_key["facts"].values():
            for cid in fact["customer_ids"]:
                assert cid not in readme
        assert kamaudit.load_engagement(info.engagement).client == info.client
    assert (tmp_path / "README.md").exists()


def test_pack_of_one_industry(tmp_path):
    infos = generate_pack(tmp_path, 2, seed=9, industry="telecom", **SMALL)
    assert {i.industry for i in infos} == {"telecom"}
    assert infos[0].client != infos[1].client
    check_planted_facts(infos[1])
