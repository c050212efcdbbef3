"""run --from AUDIT: a new folder that starts from an earlier audit, or one sentence why not."""

from __future__ import annotations

import json

import pytest

from kamaudit.carry import copy_earlier_audit
from kamaudit.errors import ConfigError, KamAuditError


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


# ---------------------------------------------------------------- refusals through the runner
# Each case runs `run_engagement(..., from_audit=AUDIT)` the way `kamaudit run --from` does
# and checks the earlier audit byte for byte and mtime for mtime afterwards.


def _snapshot(root):
    """Every file and folder under ``root``: bytes (files) and mtime, by relative path."""
    out = {}
    for p in sorted(root.rglob("*")):
        st = p.lstat()
        out[str(p.relative_to(root))] = (p.read_bytes() if p.is_file() else None, st.st_mtime_ns)
    return out


@pytest.fixture(scope="module")
def company(tmp_path_factory):
    from kamaudit.config import load_engagement
    from kamaudit.sample import generate_sample

    root = tmp_path_factory.mktemp("from")
    info = generate_sample(root / "company", seed=4, n_customers=60, n_lines=1500)
    eng = info.engagement.resolve()
    return eng, load_engagement(eng).client


def _earlier(root, company, stages=("intake",), status="ok"):
    eng, client = company
    audit = _audit(root, eng, client=client, status=status)
    m = json.loads((audit / "manifest.json").read_text(encoding="utf-8"))
    m["stages"] = {s: {"status": status} for s in stages}
    (audit / "manifest.json").write_text(json.dumps(m), encoding="utf-8")
    (audit / "notebooks").mkdir()
    (audit / "notebooks" / "01_intake.ipynb").write_text("{}", encoding="utf-8")
    return audit


def _run(company, audit, out, **kw):
    from kamaudit.runner import run_engagement

    return run_engagement(
        company[0], out_dir=out, from_audit=audit, deliverables=False, cascade=False, **kw
    )


@pytest.mark.parametrize(
    ("case", "says"),
    [
        ("same", "is the output folder itself"),
        ("same_by_symlink", "is the output folder itself"),
        ("out_inside_audit", "is inside the earlier audit"),
        ("out_is_an_entry_of_audit", "is inside the earlier audit"),
        ("audit_inside_out", "is inside the output folder"),
        ("out_of_another_client", "already holds an audit"),
        ("out_not_kamaudits", "already holds an audit"),
        ("no_stage_ok", "no stage of that audit ran successfully"),
        ("later_stage_without_its_input", "account_profile"),
    ],
)
def test_a_refused_from_leaves_every_folder_as_it_was(tmp_path, company, case, says):
    audit = _earlier(
        tmp_path / "work" / "audit_03",
        company,
        status="failed" if case == "no_stage_ok" else "ok",
    )
    out = tmp_path / "work" / "audit_03b"
    stages = "team_design" if case == "later_stage_without_its_input" else "intake"
    if case == "same":
        out = audit
    elif case == "same_by_symlink":
        out = tmp_path / "link"
        out.symlink_to(audit)
    elif case == "out_inside_audit":
        out = audit / "variant"
    elif case == "out_is_an_entry_of_audit":
        out = audit / "data"
    elif case == "audit_inside_out":
        out = tmp_path / "work"
    elif case == "out_of_another_client":
        _audit(out, company[0], client="Other Co")
    elif case == "out_not_kamaudits":
        (out / "data").mkdir(parents=True)
        (out / "data" / "mine.txt").write_text("a participant's notes", encoding="utf-8")
    before = _snapshot(audit)
    out_before = _snapshot(out) if out.is_dir() and case != "audit_inside_out" else None
    existed = out.exists()
    with pytest.raises(KamAuditError, match=says):
        _run(company, audit, out, stages=stages)
    assert _snapshot(audit) == before, case
    if out_before is not None:
        assert _snapshot(out) == out_before, case
    assert out.exists() == existed, case  # a refused run does not leave a new folder behind


def test_ctrl_c_during_the_copy_removes_the_partial_copy(tmp_path, company, monkeypatch):
    import shutil

    from kamaudit import carry

    audit = _earlier(tmp_path / "audit_03", company)
    out = tmp_path / "audit_03b"
    before = _snapshot(audit)
    real = shutil.copytree

    def copy_then_interrupt(src, dst, *a, **kw):
        real(src, dst, *a, **kw)
        raise KeyboardInterrupt

    monkeypatch.setattr(carry.shutil, "copytree", copy_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        _run(company, audit, out, stages="intake")
    assert _snapshot(audit) == before
    assert not out.exists()


def test_a_stage_failing_after_the_copy_leaves_the_earlier_audit_alone(
    tmp_path, company, monkeypatch
):
    from kamaudit import runner

    class NoKernel:
        def __init__(self, *a, **kw):
            pass

        def kill(self):
            pass

        def close(self):
            pass

    def fail(self, proc, stage, i, n):
        return runner.StageStatus(stage=stage, status="failed", error="boom")

    monkeypatch.setattr(runner, "StageProcess", NoKernel)
    monkeypatch.setattr(runner._Run, "_run_stage", fail)
    audit = _earlier(tmp_path / "audit_03", company)
    out = tmp_path / "audit_03b"
    before = _snapshot(audit)
    result = _run(company, audit, out, stages="intake")
    assert not result.ok and "boom" in result.error
    assert _snapshot(audit) == before
    # the new folder keeps the copy it started from, and the failed run apart
    assert (out / "data" / "invoices.parquet").read_bytes() == b"PAR1"
    assert (out / "failed-run").is_dir()


def test_an_exception_inside_the_run_leaves_the_earlier_audit_alone(tmp_path, company, monkeypatch):
    from kamaudit import runner

    def interrupted(self, *a, **kw):
        raise KeyboardInterrupt("interrupted")

    monkeypatch.setattr(runner._Run, "_stages", interrupted)
    audit = _earlier(tmp_path / "audit_03", company)
    before = _snapshot(audit)
    with pytest.raises(KeyboardInterrupt):
        _run(company, audit, tmp_path / "audit_03b", stages="intake")
    assert _snapshot(audit) == before
