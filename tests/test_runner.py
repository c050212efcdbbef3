"""The runner: stage order, parameters, failure sentences, time limits, the manifest."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from fake_stages import write_engagement, write_fake_stages

from kamaudit.errors import ConfigError, InputError
from kamaudit.runner import parse_stages, run_engagement


@pytest.fixture
def fake_notebooks(tmp_path, monkeypatch):
    def make(bodies=None):
        folder = write_fake_stages(tmp_path / "nb", bodies)
        monkeypatch.setenv("KAMAUDIT_NOTEBOOKS", str(folder))
        return folder

    return make


def test_parse_stages_accepts_names_numbers_and_aliases():
    assert parse_stages(None) == ["intake", "cost_to_serve", "account_profile", "team_design"]
    assert parse_stages(["3", "intake"]) == ["intake", "account_profile"]
    assert parse_stages("cts,team") == ["cost_to_serve", "team_design"]
    with pytest.raises(ConfigError, match='Unknown stage "intak".*Did you mean "intake"'):
        parse_stages(["intak"])


def test_runs_stages_in_order_and_writes_the_manifest(tmp_path, fake_notebooks):
    fake_notebooks()
    eng = write_engagement(tmp_path / "e")
    lines = []
    res = run_engagement(
        eng,
        tmp_path / "out",
        stages=["intake", "cost_to_serve"],
        deliverables=False,
        progress=lines.append,
    )
    assert res.ok, res.error
    assert [s.stage for s in res.stages] == ["intake", "cost_to_serve"]
    assert res.workspace.has_table("intake_done") and res.workspace.has_table("cost_to_serve_done")
    assert not res.workspace.has_table("account_profile_done")
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["status"] == "ok"
    assert manifest["inputs"][0]["sha256"] and len(manifest["inputs"][0]["sha256"]) == 64
    assert manifest["configuration"]["client"] == "Test Co"
    assert manifest["versions"]["papermill"]
    assert manifest["stages"]["intake"]["status"] == "ok"
    assert manifest["stages"]["intake"]["seconds"] > 0
    assert (tmp_path / "out" / "notebooks" / "01_intake.ipynb").exists()
    assert any("[1/2] intake" in line for line in lines)


def test_overrides_reach_the_notebook(tmp_path, fake_notebooks):
    fake_notebooks(
        {
            "intake": "import pandas as pd\n"
            "ctx.workspace.write_table('lang', pd.DataFrame({'l': [ctx.engagement.language]}))"
        }
    )
    res = run_engagement(
        write_engagement(tmp_path / "e"),
        tmp_path / "out",
        stages=["intake"],
        overrides=["language=cs"],
        deliverables=False,
    )
    assert res.ok, res.error
    assert res.workspace.read_table("lang")["l"].tolist() == ["cs"]


def test_failing_cell_gives_one_sentence_and_keeps_the_notebook(tmp_path, fake_notebooks):
    fake_notebooks({"cost_to_serve": "raise ValueError('rates do not add up')"})
    res = run_engagement(write_engagement(tmp_path / "e"), tmp_path / "out", deliverables=False)
    assert not res.ok
    assert [s.status for s in res.stages] == ["ok", "failed"]
    assert "Stage cost_to_serve failed in cell" in res.error
    assert "ValueError: rates do not add up" in res.error
    executed = tmp_path / "out" / "failed-run" / "notebooks" / "02_cost_to_serve.ipynb"
    assert f"The executed notebook with the error is {executed}." in res.error
    assert executed.exists() and "rates do not add up" in executed.read_text()
    assert f"No audit was written; this run is kept in {tmp_path / 'out' / 'failed-run'}." in (
        res.error
    )
    kept = json.loads((tmp_path / "out" / "failed-run" / "manifest.json").read_text())
    assert kept["status"] == "failed" and kept["stages"]["cost_to_serve"]["status"] == "failed"
    top = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert top["last_run"]["status"] == "failed" and not (tmp_path / "out" / "data").exists()


def test_kamaudit_errors_in_a_stage_read_as_their_message(tmp_path, fake_notebooks):
    fake_notebooks(
        {
            "intake": "from kamaudit.errors import InputError\n"
            'raise InputError(\'invoices.csv, row 7, column "net_amount": "abc" is not a number.\')'
        }
    )
    res = run_engagement(write_engagement(tmp_path / "e"), tmp_path / "out", deliverables=False)
    assert res.error.startswith('Stage intake stopped: invoices.csv, row 7, column "net_amount"')


def test_a_hanging_stage_is_stopped_at_its_limit(tmp_path, fake_notebooks):
    fake_notebooks({"intake": "import time\ntime.sleep(120)"})
    eng = write_engagement(tmp_path / "e", extra="run: {stage_timeout_s: 10}\n")
    res = run_engagement(eng, tmp_path / "out", stages=["intake"], deliverables=False)
    assert not res.ok
    assert "did not finish within 10 s" in res.error and "run.stage_timeout_s" in res.error


def test_stages_share_one_kernel_but_start_from_a_clean_namespace(tmp_path, fake_notebooks):
    pid_table = "import os\nimport pandas as pd\nctx.workspace.write_table('{0}_pid', pd.DataFrame({{'pid': [os.getpid()]}}))\n"
    fake_notebooks(
        {
            "intake": pid_table.format("intake") + "leaked = 'from intake'",
            "cost_to_serve": pid_table.format("cost_to_serve")
            + "assert 'leaked' not in globals(), 'a variable of stage 1 is visible in stage 2'",
        }
    )
    res = run_engagement(
        write_engagement(tmp_path / "e"),
        tmp_path / "out",
        stages=["intake", "cost_to_serve"],
        deliverables=False,
    )
    assert res.ok, res.error
    ws = res.workspace
    assert (
        ws.read_table("intake_pid")["pid"].tolist()
        == ws.read_table("cost_to_serve_pid")["pid"].tolist()
    )
    executed = json.loads((tmp_path / "out" / "notebooks" / "02_cost_to_serve.ipynb").read_text())
    counts = [c["execution_count"] for c in executed["cells"] if c["cell_type"] == "code"]
    assert counts[0] == 1 and counts == sorted(counts)


def test_a_kernel_that_dies_fails_its_stage_in_one_sentence(tmp_path, fake_notebooks):
    fake_notebooks({"cost_to_serve": "import os\nos._exit(3)"})
    res = run_engagement(write_engagement(tmp_path / "e"), tmp_path / "out", deliverables=False)
    assert [s.status for s in res.stages] == ["ok", "failed"]
    assert res.error.startswith("Stage cost_to_serve failed: its Python kernel died")
    assert "memory" in res.error and "\n" not in res.error


def test_a_stopped_stage_leaves_no_kernel_behind(tmp_path, fake_notebooks):
    pid_file = tmp_path / "kernel.pid"
    fake_notebooks(
        {
            "intake": f"import os, time\nopen({str(pid_file)!r}, 'w').write(str(os.getpid()))\ntime.sleep(120)"
        }
    )
    eng = write_engagement(tmp_path / "e", extra="run: {stage_timeout_s: 10}\n")
    res = run_engagement(eng, tmp_path / "out", stages=["intake"], deliverables=False)
    assert "did not finish within 10 s" in res.error
    pid = int(pid_file.read_text())
    deadline = time.monotonic() + 15  # the kernel notices its parent is gone within seconds
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _alive(pid), f"kernel {pid} still runs after its stage was stopped"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/status")
    return not (status.exists() and "\nState:\tZ" in status.read_text())


def test_missing_input_fails_before_anything_runs(tmp_path, fake_notebooks):
    fake_notebooks()
    eng = write_engagement(tmp_path / "e")
    (tmp_path / "e" / "inv.csv").unlink()
    with pytest.raises(
        InputError, match=r'Input "invoices" not found: .*inv\.csv \(inputs\.invoices\.path'
    ):
        run_engagement(eng, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_later_stage_alone_says_which_stage_to_run_first(tmp_path):
    from kamaudit.errors import KamAuditError
    from kamaudit.workspace import Workspace

    ws = Workspace(tmp_path)
    with pytest.raises(
        KamAuditError, match=r"no table 'account_profile': run the account_profile stage first"
    ):
        ws.read_table("account_profile")
    with pytest.raises(KamAuditError, match=r"run the intake stage first"):
        ws.read_table("invoices")
    assert ws.read_table("cts_rates", required=False) is None


def test_a_notebook_run_by_hand_never_writes_into_an_audit(tmp_path, fake_notebooks, capsys):
    from kamaudit import open_stage

    fake_notebooks()
    eng = write_engagement(tmp_path / "e")
    out = tmp_path / "out"
    assert run_engagement(eng, out, stages=["intake"], deliverables=False).ok
    before = sorted(p.name for p in (out / "data").iterdir())
    ctx = open_stage(str(eng), str(out))
    note = capsys.readouterr().out
    assert f"{out} is a kamaudit audit: this notebook writes to the scratch copy" in note
    assert ctx.workspace.root != out and ctx.workspace.has_table("intake_done")
    import pandas as pd

    ctx.workspace.write_table("by_hand", pd.DataFrame({"x": [1]}))
    assert sorted(p.name for p in (out / "data").iterdir()) == before


def test_a_notebook_run_by_hand_refuses_a_folder_a_run_holds(tmp_path):
    from kamaudit import open_stage
    from kamaudit.errors import FolderInUse
    from kamaudit.ownership import acquire

    eng = write_engagement(tmp_path / "e")
    out = tmp_path / "out"
    out.mkdir()
    with acquire(out), pytest.raises(FolderInUse, match=r"is being written by kamaudit run \(pid"):
        open_stage(str(eng), str(out))
    assert open_stage(str(eng), str(out)).workspace.root == out  # free, and not an audit


def test_a_swap_cut_short_by_a_crash_is_finished_by_the_next_run(tmp_path):
    from kamaudit import ownership

    root = tmp_path / "out"
    staging = root / ownership.STAGING
    for folder, text in ((root, "old"), (staging, "new")):
        (folder / "data").mkdir(parents=True)
        (folder / "data" / "t.parquet").write_text(text)
        (folder / "manifest.json").write_text(f'{{"run": "{text}"}}')
    (root / "deliverables").mkdir()  # the old audit had deliverables, the new one has none
    (root / ownership.SWAP).write_text('{"entries": ["data", "manifest.json"]}')
    (root / ownership.PREVIOUS).mkdir()
    os.replace(root / "data", root / ownership.PREVIOUS / "data")  # the crash: one move done
    os.replace(staging / "data", root / "data")
    said = ownership.recover(root)
    assert "finished replacing the audit" in said
    assert (root / "data" / "t.parquet").read_text() == "new"
    assert json.loads((root / "manifest.json").read_text()) == {"run": "new"}
    assert not (root / "deliverables").exists()
    assert sorted(p.name for p in root.iterdir()) == ["data", "manifest.json"]
