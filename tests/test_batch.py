"""Batch runs: failures isolated and named, skip when up to date, the same jobs on Dask.

Stage notebooks are tiny stand-ins here (tests/fake_stages.py): this file tests the
batch's orchestration; the real stages run end to end in test_e2e.py.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest
from fake_stages import write_engagement, write_fake_stages

from kamaudit.batch import collect_items, largest_first, run_batch


@pytest.fixture(scope="module")
def batch_env(tmp_path_factory):
    root = tmp_path_factory.mktemp("batch")
    notebooks = write_fake_stages(root / "nb")
    clients = root / "clients"
    for name in ("alpha", "beta", "gamma", "delta"):
        write_engagement(clients / name, client=f"{name.title()} a.s.")
    write_engagement(clients / "broken_file", extra="languag: cs\n")
    write_engagement(clients / "broken_input")
    (clients / "broken_input" / "inv.csv").unlink()
    return root, notebooks, clients


@pytest.fixture
def env(batch_env, monkeypatch):
    root, notebooks, clients = batch_env
    monkeypatch.setenv("KAMAUDIT_NOTEBOOKS", str(notebooks))
    return root, clients


def test_collect_items_from_folders_files_and_csv(tmp_path, env):
    root, clients = env
    items = collect_items([clients], tmp_path / "out")
    assert [i.name for i in items] == [
        "alpha",
        "beta",
        "broken_file",
        "broken_input",
        "delta",
        "gamma",
    ]
    listing = tmp_path / "list.csv"
    listing.write_text(
        "engagement,name,language\n"
        f"{clients / 'alpha' / 'engagement.yaml'},alpha-cs,cs\n"
        f"{clients / 'alpha' / 'engagement.yaml'},,\n",
        encoding="utf-8",
    )
    items = collect_items([listing], tmp_path / "out")
    assert [i.name for i in items] == ["alpha_cs", "alpha"]
    assert items[0].overrides == {"language": "cs"} and items[1].overrides == {}


def test_largest_engagements_start_first(tmp_path):
    clients = tmp_path / "clients"
    for name, lines in (("small", 1), ("large", 500), ("medium", 50)):
        write_engagement(clients / name)
        with open(clients / name / "inv.csv", "a", encoding="utf-8") as fh:
            fh.writelines(f"A-{i},2024-01-03,C1,5\n" for i in range(lines))
    write_engagement(clients / "broken", extra="languag: cs\n")
    items = collect_items([clients], tmp_path / "out")
    assert [i.name for i in items] == ["broken", "large", "medium", "small"]
    assert [i.name for i in largest_first(items)] == ["large", "medium", "small", "broken"]


def test_failures_are_isolated_named_and_skipped_next_time(env):
    root, clients = env
    out = root / "out-local"
    summary = run_batch([clients], out_dir=out, jobs=2, progress=False)
    by_name = {r["name"]: r for r in summary.records}
    assert not summary.ok
    assert {n for n, r in by_name.items() if r["status"] == "ok"} == {
        "alpha",
        "beta",
        "gamma",
        "delta",
    }
    assert 'unknown key "languag". Did you mean "language"?' in by_name["broken_file"]["error"]
    assert 'Input "invoices" not found' in by_name["broken_input"]["error"]
    for name in ("alpha", "delta"):
        assert (out / name / "manifest.json").exists()
        assert by_name[name]["report"].endswith(".html")
    text = summary.text()
    assert (
        "4 done, 2 failed" in text
        and "FAILED broken_file" in text
        and "FAILED broken_input" in text
    )

    records = [json.loads(line) for line in (out / "batch.jsonl").read_text().splitlines()]
    assert len(records) == 6
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="alpha/deliverables/' in index and "Did you mean" in index

    again = run_batch([clients], out_dir=out, jobs=2, progress=False)
    statuses = {r["name"]: r["status"] for r in again.records}
    assert statuses == {
        "alpha": "skipped",
        "beta": "skipped",
        "gamma": "skipped",
        "delta": "skipped",
        "broken_file": "failed",
        "broken_input": "failed",
    }

    forced = run_batch([clients / "alpha"], out_dir=out, jobs=1, force=True, progress=False)
    assert [r["status"] for r in forced.records] == ["ok"]


def test_only_failed_reruns_just_the_failures(env, tmp_path):
    root, shared = env
    clients = tmp_path / "clients"
    shutil.copytree(shared, clients)
    out = tmp_path / "out-only-failed"
    run_batch([clients], out_dir=out, jobs=2, progress=False)
    (clients / "broken_file" / "engagement.yaml").write_text(
        (clients / "alpha" / "engagement.yaml").read_text(), encoding="utf-8"
    )
    (clients / "broken_file" / "inv.csv").write_text((clients / "alpha" / "inv.csv").read_text())
    second = run_batch([clients], out_dir=out, jobs=2, only_failed=True, progress=False)
    statuses = {r["name"]: r["status"] for r in second.records}
    assert statuses["broken_file"] == "ok" and statuses["broken_input"] == "failed"
    assert statuses["alpha"] == "skipped"


def test_the_same_batch_on_a_dask_local_cluster(env):
    distributed = pytest.importorskip("distributed")
    root, clients = env
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        summary = run_batch(
            [clients / n for n in ("alpha", "beta", "broken_input")],
            out_dir=root / "out-dask",
            cluster=cluster,
            progress=False,
        )
    statuses = {r["name"]: r["status"] for r in summary.records}
    assert statuses == {"alpha": "ok", "beta": "ok", "broken_input": "failed"}


def test_cli_exit_code_says_a_batch_failed(env):
    root, clients = env
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "kamaudit",
            "batch",
            clients / "alpha",
            clients / "broken_input",
            "--out",
            root / "out-cli",
            "--jobs",
            "2",
            "--no-progress",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 1
    assert "1 done, 1 failed" in out.stdout and "FAILED broken_input" in out.stdout
