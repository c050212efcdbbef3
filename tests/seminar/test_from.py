"""run --from AUDIT: a new folder that starts from an earlier audit, or one sentence why not."""

from __future__ import annotations

import json

import pytest

from kamaudit.carry import copy_earlier_audit
from kamaudit.errors import ConfigError


def _audit(root, engagement, client="Tiny Trading s.r.o.", status="ok"):
    (root / "data").mkdir(parents=True)
    (root / "data" / "invoices.parquet").write_bytes(b"PAR1")
    manifest = {
        "engagement": str(engagement),
        "client": client,
        "stages": {"intake": {"status": status, "notebook": str(root / "notebooks" / "x")}},
        "root": str(root),
        "sibling": str(root) + "b/file",
    }
    (root / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return root


def test_copies_the_tables_and_moves_the_manifests_paths(tmp_path):
    eng = tmp_path / "engagement.yaml"
    old = _audit(tmp_path / "audit_03", eng)
    new = tmp_path / "audit_03b"
    assert copy_earlier_audit(old, new, eng, "Tiny Trading s.r.o.") == ["intake"]
    assert (new / "data" / "invoices.parquet").read_bytes() == b"PAR1"
    manifest = json.loads((new / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["stages"]["intake"]["notebook"] == str(new / "notebooks" / "x")
    assert f"{old}/" not in (new / "manifest.json").read_text(encoding="utf-8")
    assert manifest["root"] == str(new)
    assert manifest["sibling"] == str(old) + "b/file"  # a prefix of a name is not the folder


@pytest.mark.parametrize(
    ("case", "says"),
    [
        ("not_an_audit", "not an audit folder"),
        ("other_client", "is the audit of 'Other Co'"),
        ("out_taken", "already holds an audit"),
        ("failed", "no stage of that audit ran successfully"),
        ("same", "is the output folder itself"),
    ],
)
def test_refusals_are_one_sentence(tmp_path, case, says):
    eng = tmp_path / "engagement.yaml"
    old, new = tmp_path / "audit_03", tmp_path / "new"
    if case == "not_an_audit":
        old.mkdir()
    else:
        _audit(
            old,
            eng,
            client="Other Co" if case == "other_client" else "Tiny Trading s.r.o.",
            status="failed" if case == "failed" else "ok",
        )
    if case == "out_taken":
        _audit(new, eng)
    if case == "same":
        new = old
    with pytest.raises(ConfigError, match=says):
        copy_earlier_audit(old, new, eng, "Tiny Trading s.r.o.")
