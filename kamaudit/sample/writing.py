"""Writing files: tables as CSV and text files atomically with ordinary permissions, and
the sample's ``engagement.yaml``."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from ..workspace import atomic_path, write_text_atomic

# ----------------------------------------------------------------- writing


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _readable(path: Path) -> Path:
    """Atomic writes start as 0600 temporary files; give the result ordinary permissions."""
    os.chmod(path, 0o666 & ~_umask())
    return Path(path)


def write_csv(table: pa.Table, path: Path) -> None:
    with atomic_path(path, ".csv") as tmp:
        pacsv.write_csv(table, tmp, pacsv.WriteOptions(quoting_style="needed"))
    _readable(path)


def write_text(path: Path, text: str) -> Path:
    return _readable(write_text_atomic(path, text))


_LEGAL_FORM = re.compile(r"\s+(Ltd\.|plc|LLP)$")


def local_client(name: str, language: str) -> str:
    """The company's name with the legal form of the language's country: ``Nordwind
    Distribution Ltd.`` is ``Nordwind Distribution s.r.o.`` in Czech, ``ООО «Nordwind
    Distribution»`` in Russian. The form follows the English one: ``plc`` is a bank's
    (``a.s.``, ``S.A.``, ``АО``), ``LLP`` a partnership's, ``Ltd.`` a company's."""
    m = _LEGAL_FORM.search(name)
    if not m:
        return name
    from ..deliverables.i18n import Catalog

    kind = {"plc": "bank", "LLP": "partnership"}.get(m.group(1), "company")
    return Catalog(language).t(f"sample.legal_form.{kind}", name=name[: m.start()])


def engagement_yaml(
    client: str,
    start: pd.Timestamp,
    end: pd.Timestamp,
    currency: str,
    language: str,
    seed: int,
    industry: str,
) -> str:
    from ..deliverables.i18n import Catalog

    t = Catalog(language).t
    q = lambda s: json.dumps(s, ensure_ascii=False)  # noqa: E731 - JSON strings are valid YAML
    lines = [
        "# " + t("sample.engagement.written_by", industry=industry, seed=seed),
        "# " + t("sample.engagement.invented"),
        f"client: {q(client)}",
        f"period: {{start: {start.date().isoformat()}, end: {end.date().isoformat()}}}",
        f"currency: {currency}",
        f"language: {language}",
        "inputs:",
    ]
    from ..config import TABLES

    lines += [f"  {t}: {t}.csv" for t in TABLES]
    from .team import ROLE_OF, support_hours

    hours = support_hours(industry)
    if hours:
        moved = ROLE_OF[industry]
        lines += ["team:"]
        lines += [
            "  # "
            + t(
                "sample.engagement.role_instead",
                role=t(f"team_design.role.{absent}"),
                instead=t(f"team_design.role.{instead}"),
            )
            for absent, instead in moved.items()
        ]
        lines += ["  support_hours:"]
        for role, tiers in hours.items():
            cells = ", ".join(f"{q(tier)}: {h:g}" for tier, h in tiers.items())
            lines.append(f"    {role}: {{{cells}}}")
    return "\n".join(lines) + "\n"
