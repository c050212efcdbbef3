"""Tiny stand-in stage notebooks, for testing the runner and batch mechanics fast.

The real stages are tested by their own tests and end to end on data/sample/.
"""

from __future__ import annotations

from pathlib import Path

import nbformat

from kamaudit.runner import NOTEBOOKS

PARAMS = (
    'engagement_path: str = ""  # engagement YAML\n'
    'workspace: str = ""  # output folder\n'
    'overrides_json: str = "{}"  # settings overrides as JSON'
)
OPEN = "ctx = kamaudit.open_stage(engagement_path, workspace, overrides_json)"


def write_fake_stages(folder: Path, bodies: dict[str, str] | None = None) -> Path:
    """Write the four stage notebooks; ``bodies`` replaces a stage's last cell."""
    folder.mkdir(parents=True, exist_ok=True)
    bodies = bodies or {}
    for stage, filename in NOTEBOOKS.items():
        nb = nbformat.v4.new_notebook()
        params = nbformat.v4.new_code_cell(PARAMS)
        params.metadata["tags"] = ["parameters"]
        body = bodies.get(
            stage,
            "import pandas as pd\n"
            f"ctx.workspace.write_table('{stage}_done', pd.DataFrame({{'ok': [1]}}))",
        )
        nb.cells = [
            nbformat.v4.new_code_cell("import kamaudit"),
            params,
            nbformat.v4.new_code_cell(OPEN),
            nbformat.v4.new_code_cell(body),
        ]
        nb.metadata["kernelspec"] = {
            "name": "python3",
            "display_name": "Python 3",
            "language": "python",
        }
        nbformat.write(nb, folder / filename)
    return folder


def write_engagement(folder: Path, client: str = "Test Co", extra: str = "") -> Path:
    """A minimal engagement with one invoice line."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "inv.csv").write_text(
        "invoice_id,invoice_date,customer_id,net_amount\nA-1,2024-01-02,C1,10\n", encoding="utf-8"
    )
    path = folder / "engagement.yaml"
    path.write_text(
        f"client: {client}\nperiod: {{start: 2024-01-01, end: 2024-12-31}}\n"
        f"inputs: {{invoices: inv.csv}}\n{extra}",
        encoding="utf-8",
    )
    return path
