"""The command line: complete help, one-sentence errors, exit codes."""

from __future__ import annotations

import subprocess
import sys

import pytest
from fake_stages import write_engagement

SUBCOMMANDS = ["run", "validate", "init", "sample", "batch"]


def kamaudit(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "kamaudit", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=600,
    )


def test_help_lists_every_command():
    out = kamaudit("--help")
    assert out.returncode == 0
    for cmd in SUBCOMMANDS:
        assert cmd in out.stdout


@pytest.mark.parametrize("cmd", SUBCOMMANDS)
def test_every_subcommand_has_help(cmd):
    out = kamaudit(cmd, "--help")
    assert out.returncode == 0
    assert "usage: kamaudit " + cmd in out.stdout
    assert len(out.stdout.splitlines()) >= 6


def test_typo_in_engagement_is_one_sentence_and_non_zero(tmp_path):
    eng = write_engagement(tmp_path, extra="curency: CZK\n")
    out = kamaudit("run", eng, "--out", tmp_path / "out")
    assert out.returncode == 2
    assert (
        out.stderr.strip()
        == 'kamaudit: engagement.yaml: unknown key "curency". Did you mean "currency"?'
    )
    assert "Traceback" not in out.stderr


def test_missing_input_is_one_sentence(tmp_path):
    eng = write_engagement(tmp_path)
    (tmp_path / "inv.csv").unlink()
    out = kamaudit("run", eng)
    assert out.returncode == 2
    assert out.stderr.startswith('kamaudit: Input "invoices" not found:')
    assert len(out.stderr.strip().splitlines()) == 1


def test_debug_shows_the_traceback(tmp_path):
    eng = write_engagement(tmp_path, extra="curency: CZK\n")
    out = kamaudit("--debug", "run", eng)
    assert out.returncode != 0 and "Traceback" in out.stderr


def test_unknown_stage_is_named(tmp_path):
    out = kamaudit("run", write_engagement(tmp_path), "--stages", "intkae")
    assert out.returncode == 2 and 'Unknown stage "intkae"' in out.stderr


def test_init_writes_a_loadable_engagement_and_a_request_workbook(tmp_path):
    target = tmp_path / "acme"
    out = kamaudit("init", target, "--client", "Acme s.r.o.", "--language", "cs")
    assert out.returncode == 0, out.stderr
    text = (target / "engagement.yaml").read_text(encoding="utf-8")
    assert "client: Acme s.r.o." in text and "language: cs" in text
    assert (target / "exports").is_dir()
    assert (target / "data_request.xlsx").exists()
    again = kamaudit("init", target)
    assert again.returncode == 2 and "already exists" in again.stderr


def test_validate_reports_a_bad_file_without_running(tmp_path):
    out = kamaudit("validate", write_engagement(tmp_path, extra="period: 2024\n"))
    assert out.returncode == 2
    assert "kamaudit:" in out.stderr and "Traceback" not in out.stderr
