"""The contract with a newcomer: the README's two commands, the environments, the starter."""

from __future__ import annotations

import json
import re
import sys
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def quickstart_lines() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```bash\n(.*?)```", section, re.S)
    assert len(blocks) == 1, "Quick start holds exactly one bash block"
    return [ln for ln in blocks[0].splitlines() if ln.strip() and not ln.strip().startswith("#")]


def test_readme_quick_start_has_exactly_two_commands():
    lines = quickstart_lines()
    assert len(lines) == 2
    assert "kamaudit run data/sample/engagement.yaml" in lines[0]
    assert "pytest" in lines[1] and ".[test]" in lines[1]


def test_ci_runs_the_readme_test_command_verbatim():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "quickstart.py test" in ci
    import subprocess

    out = subprocess.run(
        [sys.executable, str(ROOT / ".ci" / "quickstart.py"), "test"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == quickstart_lines()[1]


def test_environment_yml_installs_the_same_project():
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    deps = env["dependencies"]
    python = next(d for d in deps if isinstance(d, str) and d.startswith("python"))
    assert python.replace("python", "") == project["requires-python"]
    pip_section = next(d["pip"] for d in deps if isinstance(d, dict) and "pip" in d)
    assert any(re.fullmatch(r"-e \.\[(.+)\]", p) for p in pip_section)
    extras = re.fullmatch(r"-e \.\[(.+)\]", pip_section[0]).group(1).split(",")
    assert set(extras) <= set(project["optional-dependencies"])
    # conda installs nothing beside python and pip that pyproject does not know of
    assert all(
        isinstance(d, dict) or d.split(">")[0].split("=")[0] in ("python", "pip") for d in deps
    )


def test_declared_dependencies_cover_what_the_package_imports():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {
        re.split(r"[<>=\[ ]", d)[0].lower().replace("-", "_") for d in project["dependencies"]
    }
    aliases = {
        "yaml": "pyyaml",
        "ipykernel": "ipykernel",
        "babel": "babel",
        "distributed": "dask",
        "dask": "dask",
        "playwright": "playwright",
        "IPython": "ipykernel",
        "PIL": "matplotlib",
        "defusedxml": "defusedxml",
        "bidi": "python-bidi",
    }
    stdlib = set(sys.stdlib_module_names)
    imported = set()
    for path in (ROOT / "kamaudit").rglob("*.py"):
        for m in re.finditer(
            r"^\s*(?:from|import)\s+([A-Za-z_][\w]*)", path.read_text(encoding="utf-8"), re.M
        ):
            imported.add(m.group(1))
    third_party = {m for m in imported if m not in stdlib and m != "kamaudit"}
    optional = {"distributed", "dask", "playwright", "hypothesis", "pytest"}
    missing = {
        m
        for m in third_party - optional
        if aliases.get(m, m).lower().replace("-", "_") not in declared
    }
    assert not missing, f"imported but not declared in pyproject.toml: {sorted(missing)}"


def test_engagement_starter_is_up_to_date_and_loads(tmp_path):
    from kamaudit.config import load_engagement
    from kamaudit.starter import render_starter

    committed = (ROOT / "templates" / "engagement.yaml").read_text(encoding="utf-8")
    assert committed == render_starter(), "run: python -m kamaudit.starter"
    (tmp_path / "engagement.yaml").write_text(committed, encoding="utf-8")
    eng = load_engagement(tmp_path / "engagement.yaml")
    assert eng.client == "Client name"


def test_starter_lists_every_setting():
    from pydantic import BaseModel

    from kamaudit.config import Engagement
    from kamaudit.starter import render_starter

    text = render_starter()

    def names(model, prefix=""):
        for name, field in model.model_fields.items():
            if field.exclude:
                continue
            default = (
                field.get_default(call_default_factory=True) if not field.is_required() else None
            )
            yield name
            if isinstance(default, BaseModel):
                yield from names(type(default))

    missing = [n for n in names(Engagement) if not re.search(rf"^#?\s*{n}:", text, re.M)]
    assert not missing, f"settings missing from the starter: {missing}"


def test_notebooks_are_committed_without_outputs_and_are_thin():
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    assert [p.name for p in notebooks] == [
        "01_intake.ipynb",
        "02_cost_to_serve.ipynb",
        "03_key_account_profile.ipynb",
        "04_team_design.ipynb",
    ]
    for path in notebooks:
        nb = json.loads(path.read_text(encoding="utf-8"))
        code = [c for c in nb["cells"] if c["cell_type"] == "code"]
        assert all(not c.get("outputs") and c.get("execution_count") is None for c in code), (
            path.name
        )
        tagged = [c for c in code if "parameters" in c.get("metadata", {}).get("tags", [])]
        assert len(tagged) == 1, f"{path.name}: one cell tagged parameters"
        for name in ("engagement_path: str", "workspace: str", "overrides_json: str"):
            assert name in "".join(tagged[0]["source"]), f"{path.name}: typed parameter {name}"
        source = "\n".join("".join(c["source"]) for c in code)
        assert not re.search(r"^\s*def |^\s*class |^\s*for .* in ", source, re.M), (
            f"{path.name} has logic"
        )
        assert "kamaudit.open_stage(" in source


def test_the_wheel_bundles_notebooks_templates_and_sample():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    include = project["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    assert include == {
        "notebooks": "kamaudit/_bundled/notebooks",
        "templates": "kamaudit/_bundled/templates",
        "data/sample": "kamaudit/_bundled/sample",
    }


def test_notebook_parameters_parse_with_their_help():
    import papermill as pm

    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        params = pm.inspect_notebook(str(path))
        assert set(params) == {"engagement_path", "workspace", "overrides_json"}, path.name
        for name, p in params.items():
            assert p["inferred_type_name"] == "str", (path.name, name)
            assert p["help"], f"{path.name}: {name} has no help (papermill cannot parse '=' in it)"


def test_openpyxl_reads_xml_safely():
    import openpyxl

    assert openpyxl.DEFUSEDXML is True, (
        "defusedxml must be installed so openpyxl parses xlsx safely"
    )
