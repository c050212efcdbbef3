"""Faults injected as an attacker and a tired consultant would: the audit survives them.

Each case asserts the sentence, the exit code, that the inputs are unchanged, that no
stage process or kernel is left running, and that the audit in the output folder is the
previous one (or marked for what it is). The stages are tiny stand-ins
(tests/fake_stages.py) that can be told to hang: a file ``hang-<stage>`` beside the
engagement makes that stage write its kernel's pid to ``kernel.pid`` and sleep.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from fake_stages import write_engagement, write_fake_stages

from kamaudit.runner import STAGES

HOOK = """import os, time
import pandas as pd
from pathlib import Path
_base = ctx.engagement.base_dir
if (_base / "hang-{stage}").exists():
    (_base / "kernel.pid").write_text(str(os.getpid()))
    time.sleep(300)
"""
BODIES = {
    "intake": HOOK.format(stage="intake")
    + "_n = float(pd.read_csv(ctx.engagement.inputs['invoices'].path)['net_amount'].sum())\n"
    "ctx.workspace.write_table('intake_done', pd.DataFrame({'net': [_n]}))",
    "cost_to_serve": HOOK.format(stage="cost_to_serve")
    + "_t = ctx.workspace.read_table('intake_done')\n"
    "ctx.workspace.write_table('cts_done', _t.assign(net=_t['net'] * 2))",
    "account_profile": HOOK.format(stage="account_profile")
    + "ctx.workspace.write_table('profile_done', ctx.workspace.read_table('cts_done'))",
    "team_design": HOOK.format(stage="team_design")
    + "ctx.workspace.write_table('team_done', ctx.workspace.read_table('profile_done'))",
}

# Injected in every process of a run (runner, stage process, kernel) through PYTHONPATH:
# os.replace, the last step of every atomic write, fails with ENOSPC for matching targets.
SITECUSTOMIZE = """import errno, os
_suffix = os.environ.get("KAMAUDIT_TEST_ENOSPC")
if _suffix:
    _replace = os.replace
    def _full(src, dst, *a, **k):
        if str(dst).endswith(_suffix):
            raise OSError(errno.ENOSPC, "No space left on device", str(dst))
        return _replace(src, dst, *a, **k)
    os.replace = _full
"""


# ------------------------------------------------------------------ helpers


@pytest.fixture(scope="module")
def notebooks(tmp_path_factory):
    return write_fake_stages(tmp_path_factory.mktemp("nb"), BODIES)


@pytest.fixture
def env(notebooks, monkeypatch):
    monkeypatch.setenv("KAMAUDIT_NOTEBOOKS", str(notebooks))
    return dict(os.environ)


def kamaudit(*args, env=None, timeout=300):
    return subprocess.run(
        [sys.executable, "-m", "kamaudit", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
    )


def start(*args, env=None):
    return subprocess.Popen(
        [sys.executable, "-m", "kamaudit", *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def finish(proc: subprocess.Popen, timeout: float = 120) -> str:
    """The run's stderr once it ended; on a hang, kill it and fail with what it said."""
    try:
        return proc.communicate(timeout=timeout)[1]
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
        raise AssertionError(f"the run did not end within {timeout} s; it said:\n{err}") from None


def said(stderr: str) -> str:
    """The CLI's error sentence (progress lines left out)."""
    return next((ln for ln in stderr.splitlines() if ln.startswith("kamaudit: ")), "")


def wait_for(path: Path, proc=None, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not (path.exists() and path.read_text().strip()):
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"the run ended before {path.name}: {proc.stderr.read()}")
        assert time.monotonic() < deadline, f"{path} did not appear"
        time.sleep(0.2)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/status")
    return not (status.exists() and "\nState:\tZ" in status.read_text())


def assert_gone(*pids: int, within: float = 15) -> None:
    deadline = time.monotonic() + within
    while any(alive(p) for p in pids if p) and time.monotonic() < deadline:
        time.sleep(0.2)
    left = [p for p in pids if p and alive(p)]
    assert not left, f"processes left running: {left}"


def digests(*folders: Path) -> dict[str, str]:
    """SHA-256 of every file under the folders (the audit, or the inputs)."""
    out = {}
    for folder in folders:
        files = [folder] if folder.is_file() else sorted(folder.rglob("*"))
        for f in files:
            if f.is_file():
                out[str(f)] = hashlib.sha256(f.read_bytes()).hexdigest()
    return out


def audit_files(out: Path) -> dict[str, str]:
    """The audit: its tables and notebooks, and its manifest but for the last run's record."""
    files = digests(*(out / e for e in ("data", "notebooks", "deliverables") if (out / e).exists()))
    manifest = json.loads((out / "manifest.json").read_text())
    manifest.pop("last_run", None)
    files["manifest"] = hashlib.sha256(json.dumps(manifest).encode()).hexdigest()
    return files


def lock_pids(out: Path) -> list[int]:
    text = (out / ".kamaudit.lock").read_text() if (out / ".kamaudit.lock").exists() else ""
    info = json.loads(text) if text.strip() else {}
    return [info.get("pid"), info.get("child_pid"), info.get("kernel_pid")]


@pytest.fixture
def audited(tmp_path, env):
    """An engagement with a first, successful audit (without deliverables, for speed)."""
    eng = write_engagement(tmp_path / "client")
    out = tmp_path / "out"
    first = kamaudit("run", eng, "--out", out, "--no-deliverables", env=env)
    assert first.returncode == 0, first.stderr
    return eng, out, digests(eng.parent), audit_files(out)


# ------------------------------------------------------------------ processes killed


def test_kill_9_of_the_runner_leaves_nothing_running_and_the_next_run_says_so(audited, env):
    eng, out, inputs, before = audited
    (eng.parent / "hang-cost_to_serve").touch()
    proc = start("run", eng, "--out", out, "--no-deliverables", env=env)
    wait_for(eng.parent / "kernel.pid", proc)
    runner, child, kernel = lock_pids(out)
    assert runner == proc.pid and child and kernel == int((eng.parent / "kernel.pid").read_text())
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert_gone(child, kernel)
    assert audit_files(out) == before
    (eng.parent / "hang-cost_to_serve").unlink()
    again = kamaudit("run", eng, "--out", out, "--no-deliverables", env=env)
    assert again.returncode == 0, again.stderr
    assert f"note: The previous run in {out} (kamaudit run (pid {proc.pid} on" in again.stdout
    assert "was interrupted (its process is gone)" in again.stdout
    assert digests(eng.parent) == {**inputs, **digests(eng.parent / "kernel.pid")}


def test_kill_9_of_the_kernel_fails_the_stage_in_one_sentence(audited, env):
    eng, out, inputs, before = audited
    (eng.parent / "hang-cost_to_serve").touch()
    proc = start("run", eng, "--out", out, "--no-deliverables", env=env)
    wait_for(eng.parent / "kernel.pid", proc)
    _, child, kernel = lock_pids(out)
    os.kill(kernel, signal.SIGKILL)
    err = finish(proc)
    assert proc.returncode == 1
    assert said(err).startswith("kamaudit: Stage cost_to_serve failed: its Python kernel died")
    assert f"The audit in {out} is unchanged; this run is kept in {out / 'failed-run'}." in err
    assert_gone(child, kernel)
    assert audit_files(out) == before
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "ok" and manifest["last_run"]["status"] == "failed"


def test_ctrl_c_mid_stage_stops_the_kernel_and_keeps_the_audit(audited, env):
    eng, out, inputs, before = audited
    (eng.parent / "hang-intake").touch()
    proc = start("run", eng, "--out", out, "--no-deliverables", env=env)
    wait_for(eng.parent / "kernel.pid", proc)
    _, child, kernel = lock_pids(out)
    os.kill(proc.pid, signal.SIGINT)
    err = finish(proc)
    assert proc.returncode == 130
    assert said(err) == (
        f"kamaudit: interrupted: the audit in {out} is unchanged; this run's partial files "
        f"are in {out / 'failed-run'}."
    )
    assert_gone(child, kernel)
    assert audit_files(out) == before
    assert json.loads((out / "failed-run" / "manifest.json").read_text())["status"] == (
        "interrupted"
    )
    assert lock_pids(out) == [None, None, None]  # released


# ------------------------------------------------------------------ the disk and the folder


@pytest.fixture
def full_disk_env(env, tmp_path):
    folder = tmp_path / "inject"
    folder.mkdir()
    (folder / "sitecustomize.py").write_text(SITECUSTOMIZE)
    path = os.pathsep.join(p for p in (str(folder), env.get("PYTHONPATH", "")) if p)
    return {**env, "PYTHONPATH": path}


def test_a_full_disk_in_a_stage_fails_in_one_sentence_and_keeps_the_audit(audited, full_disk_env):
    eng, out, inputs, before = audited
    env = {**full_disk_env, "KAMAUDIT_TEST_ENOSPC": "cts_done.parquet"}
    res = kamaudit("run", eng, "--out", out, "--no-deliverables", env=env)
    assert res.returncode == 1
    assert said(res.stderr).startswith(
        "kamaudit: Stage cost_to_serve failed: the disk is full (No space left on device): "
        "free some space"
    )
    assert f"The audit in {out} is unchanged" in res.stderr and "Traceback" not in res.stderr
    assert audit_files(out) == before and digests(eng.parent) == inputs


def test_a_full_disk_while_writing_the_workbook_keeps_the_audit(audited, full_disk_env):
    eng, out, inputs, before = audited
    env = {**full_disk_env, "KAMAUDIT_TEST_ENOSPC": ".xlsx"}
    res = kamaudit("run", eng, "--out", out, env=env)
    assert res.returncode == 1
    first = said(res.stderr)
    assert first.startswith("kamaudit: The disk is full while writing the deliverables (")
    assert "free some space" in first and f"The audit in {out} is unchanged" in first
    assert audit_files(out) == before and digests(eng.parent) == inputs
    assert not list((out / "deliverables").glob("*.html"))  # no half set of deliverables


def test_output_path_that_is_a_file(tmp_path, env):
    eng = write_engagement(tmp_path / "client")
    target = tmp_path / "out.txt"
    target.write_text("not a folder")
    res = kamaudit("run", eng, "--out", target, env=env)
    assert res.returncode == 2
    assert res.stderr.strip() == (
        f"kamaudit: The output path {target} is a file, not a folder: choose a folder with --out."
    )
    assert target.read_text() == "not a folder"


def _as_nobody() -> list[str]:
    """A command prefix that drops root (CI runs as root); [] when we are not root."""
    if os.geteuid() != 0:
        return []
    if not shutil.which("setpriv"):
        pytest.skip("running as root without setpriv")
    return ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


def test_read_only_output_folder(env):
    prefix = _as_nobody()
    root = Path(tempfile.mkdtemp(prefix="kamaudit-ro-"))
    try:
        root.chmod(0o755)
        eng = write_engagement(root / "client")
        out = root / "out"
        out.mkdir()
        out.chmod(0o555)
        probe = subprocess.run(
            [*prefix, sys.executable, "-c", "import kamaudit"], env=env, capture_output=True
        )
        if probe.returncode != 0:
            pytest.skip("the unprivileged user cannot import kamaudit here")
        res = subprocess.run(
            [*prefix, sys.executable, "-m", "kamaudit", "run", eng, "--out", out],
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
        )
        assert res.returncode == 2
        assert res.stderr.strip() == (
            f"kamaudit: Permission denied while locking the output folder ({out / '.kamaudit.lock'}): "
            "choose a folder you can write to with --out, or fix its permissions."
        )
        assert list(out.iterdir()) == []
    finally:
        (root / "out").chmod(stat.S_IRWXU)
        shutil.rmtree(root, ignore_errors=True)


# ------------------------------------------------------------------ ownership


def test_two_concurrent_runs_into_one_folder(tmp_path, env):
    eng_a = write_engagement(tmp_path / "a", client="Alpha")
    eng_b = write_engagement(tmp_path / "b", client="Beta")
    out = tmp_path / "shared"
    (eng_a.parent / "hang-intake").touch()
    first = start("run", eng_a, "--out", out, "--no-deliverables", env=env)
    wait_for(eng_a.parent / "kernel.pid", first)
    second = kamaudit("run", eng_b, "--out", out, env=env)
    assert second.returncode == 2
    assert second.stderr.startswith(
        f"kamaudit: The output folder {out} is in use by kamaudit run (pid {first.pid} on "
    )
    assert "since 20" in second.stderr and "choose another folder with --out" in second.stderr
    _, child, kernel = lock_pids(out)
    first.send_signal(signal.SIGTERM)  # what a batch's time limit sends
    finish(first)
    assert first.returncode == 130
    assert_gone(child, kernel)
    (eng_a.parent / "hang-intake").unlink()
    assert kamaudit("run", eng_a, "--out", out, "--no-deliverables", env=env).returncode == 0
    other = kamaudit("run", eng_b, "--out", out, "--no-deliverables", env=env)
    assert other.returncode == 2 and "holds the audit of 'Alpha'" in other.stderr
    assert "pass --replace" in other.stderr
    replaced = kamaudit("run", eng_b, "--out", out, "--no-deliverables", "--replace", env=env)
    assert replaced.returncode == 0, replaced.stderr
    assert json.loads((out / "manifest.json").read_text())["client"] == "Beta"


# ------------------------------------------------------------------ stale stages


def _sections(out: Path) -> dict[str, str]:
    return json.loads((out / "manifest.json").read_text())["sections"]


def test_stale_stages_are_marked_refused_and_cascaded(audited, env):
    eng, out, _, _ = audited
    invoices = eng.parent / "inv.csv"
    invoices.write_text(invoices.read_text() + "A-2,2024-02-02,C1,5\n")
    res = kamaudit(
        "run", eng, "--out", out, "--stages", "intake", "--no-cascade", "--no-deliverables", env=env
    )
    assert res.returncode == 0, res.stderr
    assert _sections(out) == {
        "intake": "ran now",
        "cost_to_serve": "stale",
        "account_profile": "stale",
        "team_design": "stale",
    }
    assert (
        "note: The cost_to_serve results are from an earlier run and stale (the results of "
        "intake changed)" in res.stdout
    )

    refused = kamaudit("run", eng, "--out", out, "--stages", "account_profile", env=env)
    assert refused.returncode == 2
    assert refused.stderr.strip() == (
        "kamaudit: Stage account_profile reads what cost_to_serve writes, and cost_to_serve's "
        "results are stale (the results of intake changed): run --stages "
        "cost_to_serve,account_profile (or all stages)."
    )

    invoices.write_text(invoices.read_text() + "A-3,2024-03-03,C1,7\n")
    cascaded = kamaudit(
        "run", eng, "--out", out, "--stages", "intake", "--no-deliverables", env=env
    )
    assert cascaded.returncode == 0, cascaded.stderr
    assert "cost_to_serve runs again: the results of intake changed." in cascaded.stderr
    assert set(_sections(out).values()) == {"ran now"}
    import pandas as pd

    assert pd.read_parquet(out / "data" / "team_done.parquet")["net"].tolist() == [44.0]

    same = kamaudit("run", eng, "--out", out, "--stages", "intake", "--no-deliverables", env=env)
    assert same.returncode == 0 and "runs again" not in same.stderr
    assert _sections(out) == {"intake": "ran now", **{s: "current" for s in STAGES[1:]}}


# ------------------------------------------------------------------ bad input


def test_engagement_file_faults_are_sentences(tmp_path, env):
    bad_date = write_engagement(tmp_path / "date")
    bad_date.write_text(bad_date.read_text().replace("2024-01-01", "2024-13-45"))
    res = kamaudit("validate", bad_date, env=env)
    assert res.returncode == 2
    assert res.stderr.strip() == (
        "kamaudit: engagement.yaml, line 2, \"period.start\": '2024-13-45' is not a valid date "
        "(month must be in 1..12). Write dates as YYYY-MM-DD."
    )
    huge = write_engagement(tmp_path / "huge", extra="run: {stage_timeout_s: 1.0e+20}\n")
    res = kamaudit("validate", huge, env=env)
    assert res.returncode == 2 and '"run.stage_timeout_s" = 1e+20 is not valid' in res.stderr
    res = kamaudit("run", tmp_path / "date", env=env)
    assert res.returncode == 2 and "is a folder: give the engagement YAML file in it" in res.stderr
    loop = tmp_path / "loop.yaml"
    loop.symlink_to(loop)
    res = kamaudit("validate", loop, env=env)
    assert res.returncode == 2 and res.stderr.strip().endswith("is a symbolic link loop.")
    fifo_eng = write_engagement(tmp_path / "fifo")
    (tmp_path / "fifo" / "inv.csv").unlink()
    os.mkfifo(tmp_path / "fifo" / "inv.csv")
    for command in ("validate", "run"):
        res = kamaudit(command, fifo_eng, env=env, timeout=60)
        assert res.returncode == 2
        assert res.stderr.strip() == (
            f'kamaudit: Input "invoices" is not a regular file: {tmp_path / "fifo" / "inv.csv"} '
            "is a pipe or a device (inputs.invoices.path in engagement.yaml); export the table "
            "to a file and point the setting at it."
        )


def test_a_batch_with_a_hanging_a_fifo_and_an_impossible_date_engagement(tmp_path, env):
    clients = tmp_path / "clients"
    write_engagement(clients / "good")
    hanging = write_engagement(clients / "hanging")
    (hanging.parent / "hang-intake").touch()
    dated = write_engagement(clients / "dated")
    dated.write_text(dated.read_text().replace("2024-12-31", "2024-02-30"))
    write_engagement(clients / "piped")
    (clients / "piped" / "inv.csv").unlink()
    os.mkfifo(clients / "piped" / "inv.csv")
    inputs = digests(clients / "good", clients / "dated")
    t0 = time.monotonic()
    res = kamaudit(
        "batch", clients, "--out", tmp_path / "out", "--timeout", "60", "--no-progress", env=env
    )
    assert time.monotonic() - t0 < 240
    assert res.returncode == 1
    assert "1 done, 3 failed" in res.stdout
    records = {
        r["name"]: r
        for r in map(json.loads, (tmp_path / "out" / "batch.jsonl").read_text().splitlines())
    }
    assert records["good"]["status"] == "ok"
    assert records["hanging"]["error"].startswith("did not finish within 60 s and was stopped")
    assert records["dated"]["error"] == (
        "engagement.yaml, line 2, \"period.end\": '2024-02-30' is not a valid date "
        "(day is out of range for month). Write dates as YYYY-MM-DD."
    )
    assert records["piped"]["error"].startswith('Input "invoices" is not a regular file')
    assert_gone(int((hanging.parent / "kernel.pid").read_text()))
    assert digests(clients / "good", clients / "dated") == inputs
