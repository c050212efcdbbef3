"""The stage notebook: thin, clean, and it runs on the sample."""

from __future__ import annotations

import pytest

from kamaudit import Workspace

from .frames import REPO, SAMPLE, sample_inputs

NOTEBOOK = REPO / "notebooks" / "02_cost_to_serve.ipynb"


def test_notebook_is_thin_and_clean():
    import nbformat
    import papermill as pm

    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert "parameters" in code[0].metadata.get("tags", [])
    assert set(pm.inspect_notebook(str(NOTEBOOK))) == {
        "engagement_path",
        "workspace",
        "overrides_json",
    }
    for c in code:
        assert not c.get("outputs") and c.get("execution_count") is None, "commit without outputs"
        lines = c.source.splitlines()
        assert not [x for x in lines if x.lstrip().startswith(("def ", "for ", "while ", "class "))]


@pytest.mark.slow
def test_notebook_runs_on_the_sample(tmp_path):
    import nbformat
    import papermill as pm

    if not (SAMPLE / "engagement.yaml").exists():
        pytest.skip("data/sample is not there yet")
    tables, _ = sample_inputs()
    ws = Workspace(tmp_path / "ws").ensure()
    for name, df in tables.items():
        ws.write_table(name, df)
    out = tmp_path / "02.ipynb"
    pm.execute_notebook(
        str(NOTEBOOK),
        str(out),
        parameters={"engagement_path": str(SAMPLE / "engagement.yaml"), "workspace": str(ws.root)},
        kernel_name="python3",
        progress_bar=False,
        shutdown_kernel="immediate",
        cwd=str(tmp_path),
    )
    nb = nbformat.read(out, as_version=4)
    assert not [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert ws.has_table("customer_pnl") and ws.has_json("cts_findings")
    assert ws.read_json("cts_findings")["reconciles"] is True
