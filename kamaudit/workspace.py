"""The workspace: the contract between stages.

``DIR/data/<table>.parquet`` holds canonical tables and stage results; small results
(findings, summaries) are JSON beside them. Every write is atomic: a temporary file in
the same folder, then ``os.replace``, so a crash never leaves half a table.

>>> ws = Workspace("/tmp/audit")            # doctest: +SKIP
>>> ws.write_table("customer_pnl", pnl)     # doctest: +SKIP
>>> ws.read_table("customer_pnl")           # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from . import contract
from .errors import ContractError, KamAuditError


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _umask()


@contextlib.contextmanager
def atomic_path(target: str | Path, suffix: str = "") -> Iterator[Path]:
    """Yield a temporary path beside ``target``; move it into place on success."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=suffix or ".tmp", dir=target.parent
    )
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o666 & ~_UMASK)  # mkstemp makes 0600; give the usual mode
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def write_text_atomic(target: str | Path, text: str) -> Path:
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(target)


def write_bytes_atomic(target: str | Path, data: bytes) -> Path:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
    return Path(target)


def stage_writing(table: str) -> str:
    """The stage that writes a workspace table (by the naming convention)."""
    if table == "customer_pnl" or table.startswith("cts_"):
        return "cost_to_serve"
    if table == "account_profile" or table.startswith("profile_"):
        return "account_profile"
    if table.startswith("team_") or table in ("actions", "pocket_margins"):
        return "team_design"  # the synthesis runs after the last stage, before deliverables
    return "intake"


class Workspace:
    """One engagement's output folder.

    Layout: ``data/`` tables, ``notebooks/`` working papers, ``deliverables/``,
    ``figures/`` rendered charts, ``manifest.json``.
    """

    def __init__(self, root: str | Path):
        self.root = Path(root).expanduser().resolve()

    # folders ---------------------------------------------------------------
    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def notebooks_dir(self) -> Path:
        return self.root / "notebooks"

    @property
    def deliverables_dir(self) -> Path:
        return self.root / "deliverables"

    @property
    def figures_dir(self) -> Path:
        return self.root / "figures"

    @property
    def manifest_path(self) -> Path:
        return self.root / "manifest.json"

    def ensure(self) -> Workspace:
        for d in (self.data_dir, self.notebooks_dir, self.deliverables_dir, self.figures_dir):
            d.mkdir(parents=True, exist_ok=True)
        return self

    # tables ----------------------------------------------------------------
    def table_path(self, name: str) -> Path:
        return self.data_dir / f"{name}.parquet"

    def has_table(self, name: str) -> bool:
        return self.table_path(name).exists()

    def write_table(self, name: str, df: pd.DataFrame) -> Path:
        """Write ``df`` as ``data/<name>.parquet`` atomically and deterministically.

        The table is checked in full against the data contract first
        (:func:`kamaudit.contract.check_table`): a stage cannot write what the next one
        could not rely on.
        """
        problems = contract.check_table(name, df, full=True)
        if problems:
            raise ContractError(
                f"Table {name!r} breaks the data contract and was not written to "
                f"{self.data_dir}: " + " ".join(problems[:5])
            )
        self._stamp_schema()
        table = pa.Table.from_pandas(df.reset_index(drop=True), preserve_index=False)
        # drop pandas metadata that would differ between runs? It holds no timestamps,
        # so the bytes are identical for identical frames.
        target = self.table_path(name)
        with atomic_path(target, ".parquet") as tmp:
            pq.write_table(table, tmp, compression="zstd")
        return target

    def read_table(self, name: str, required: bool = True) -> pd.DataFrame | None:
        """Read ``data/<name>.parquet``; dates come back as ``datetime64``."""
        path = self.table_path(name)
        if not path.exists():
            if required:
                stage = stage_writing(name)
                raise KamAuditError(
                    f"The workspace {self.root} has no table {name!r}: run the {stage} stage "
                    f"first (kamaudit run ENGAGEMENT --out {self.root} --stages {stage})."
                )
            return None
        self._check_schema_version()
        df = pq.read_table(path).to_pandas(date_as_object=False)
        problems = contract.check_table(name, df, full=False)
        if problems:
            raise ContractError(
                f"The workspace table {path} does not keep the data contract: "
                + " ".join(problems[:5])
                + f" Re-run the {stage_writing(name)} stage to rewrite it."
            )
        return df

    # schema version ----------------------------------------------------------
    @property
    def schema_path(self) -> Path:
        return self.data_dir / "schema.json"

    def _stamp_schema(self) -> None:
        if not self.schema_path.exists():
            self.write_json("schema", {"schema_version": contract.SCHEMA_VERSION})

    def schema_version(self) -> int | None:
        """The contract version the tables in ``data/`` were written with: None for an
        empty workspace, 1 for tables written before versions were recorded."""
        if self.schema_path.exists():
            return int(json.loads(self.schema_path.read_text(encoding="utf-8"))["schema_version"])
        return 1 if any(self.data_dir.glob("*.parquet")) else None

    def _check_schema_version(self) -> None:
        version = self.schema_version()
        if version is not None and version != contract.SCHEMA_VERSION:
            raise ContractError(
                f"The audit in {self.root} was written by another kamaudit version (data "
                f"contract {version}, this version reads {contract.SCHEMA_VERSION}). Run the "
                f"audit again into it (kamaudit run ENGAGEMENT --out {self.root}) or into a "
                "new folder."
            )

    def save(self, result: Any) -> list[str]:
        """Write a stage result (``StageResult``): its tables, its JSON documents and its
        messages (``<stage>_messages.json``... as the result names them). Returns the names."""
        names = []
        for name, df in result.tables().items():
            self.write_table(name, df)
            names.append(name)
        for name, doc in result.documents().items():
            self.write_json(name, doc)
            names.append(name)
        return names

    def tables(self) -> list[str]:
        return sorted(p.stem for p in self.data_dir.glob("*.parquet"))

    # small results -----------------------------------------------------------
    def write_json(self, name: str, obj: Any) -> Path:
        target = self.data_dir / f"{name}.json"
        write_text_atomic(
            target, json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=True, default=str)
        )
        return target

    def read_json(self, name: str, default: Any = None) -> Any:
        path = self.data_dir / f"{name}.json"
        if not path.exists():
            return default
        return json.loads(path.read_text(encoding="utf-8"))

    def has_json(self, name: str) -> bool:
        return (self.data_dir / f"{name}.json").exists()

    def read_manifest(self) -> dict:
        if not self.manifest_path.exists():
            return {}
        return json.loads(self.manifest_path.read_text(encoding="utf-8"))

    def write_manifest(self, manifest: dict) -> None:
        write_text_atomic(
            self.manifest_path, json.dumps(manifest, ensure_ascii=False, indent=2, default=str)
        )

    def __repr__(self) -> str:
        return f"Workspace({str(self.root)!r})"
