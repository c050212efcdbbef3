"""The commented engagement starter and ``kamaudit init``.

``templates/engagement.yaml`` is rendered from the settings models themselves, so it
lists every setting with its description and default and never drifts from the code
(a test compares the two). Regenerate it with ``python -m kamaudit.starter``.
"""

from __future__ import annotations

import datetime as dt
import enum
import sys
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from . import contract
from .config import TABLES, Engagement
from .errors import KamAuditError
from .resources import templates_dir
from .workspace import write_text_atomic

HEADER = """\
# kamaudit engagement file
# ------------------------
# One file per client audit. Only client, period and inputs are required; every other
# setting below is commented out and shows its default. Uncomment a line to change it.
# Paths are relative to this file. Reading options left out (encoding, delimiter,
# decimal, thousands, date_format, header_row, sheet) are detected from the file, and
# the data-quality report says what was detected.
# Check it without running anything:  kamaudit validate engagement.yaml
"""

INPUT_EXAMPLES = {
    "customers": "exports/customers.csv",
    "invoices": "exports/invoices.csv",
    "rebates": "exports/rebates.csv",
    "activities": "exports/activities.csv",
    "cost_pools": "exports/cost_pools.csv",
    "payments": "exports/payments.csv",
    "contacts": "exports/contacts.csv",
    "assessments": "exports/assessments.csv",
    "team": "exports/team.csv",
}

_SKIP_TOP = {"client", "period", "currency", "language", "inputs", "source_path"}


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return {k: _plain(v) for k, v in value.model_dump(mode="json").items()}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (dt.date, Path)):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _yaml_value(value: Any) -> str:
    text = yaml.safe_dump(_plain(value), allow_unicode=True, default_flow_style=True, width=1000)
    text = text.strip()
    if text.endswith("\n..."):
        text = text[:-4].strip()
    if text.endswith("..."):
        text = text[:-3].strip()
    return text


def _model_lines(model: type[BaseModel], instance: BaseModel, indent: int) -> list[str]:
    pad = "  " * indent
    lines: list[str] = []
    for name, field in model.model_fields.items():
        if field.exclude:
            continue
        value = getattr(instance, name)
        if field.description:
            lines.append(f"# {pad}# {field.description}")
        if isinstance(value, BaseModel) and type(value).model_fields:
            lines.append(f"# {pad}{name}:")
            lines.extend(_model_lines(type(value), value, indent + 1))
        else:
            dumped = _yaml_value(value)
            if "\n" in dumped or len(dumped) > 90:
                block = (
                    yaml.safe_dump(
                        {name: _plain(value)}, allow_unicode=True, sort_keys=False, width=88
                    )
                    .rstrip()
                    .splitlines()
                )
                lines.extend(f"# {pad}{b}" for b in block)
            else:
                lines.append(f"# {pad}{name}: {dumped}")
    return lines


def _contract_lines(table: str, width: int = 92) -> list[str]:
    """``#   columns: a*, b, c`` wrapped, from ``kamaudit.contract``."""
    spec = contract.table_spec(table)
    derived = {c.name for c in contract.HELPER_COLUMNS.get(table, ())}
    names = [f"{c.name}*" if c.required else c.name for c in spec.columns if c.name not in derived]
    lines, line = [], "  #   columns:"
    for n in names:
        if len(line) + len(n) + 2 > width:
            lines.append(line + ",")
            line = "  #    "
        line += ("" if line.endswith((":", "    ")) else ",") + " " + n
    return [*lines, line]


def render_starter(client: str = "Client name", language: str = "en") -> str:
    """The fully commented engagement file that ``kamaudit init`` writes."""
    out = [HEADER]
    out.append(f"client: {_yaml_value(client)}")
    out.append("period: {start: 2024-01-01, end: 2025-12-31}   # both ends inclusive")
    out.append("currency: EUR        # ISO 4217 code")
    out.append(f"language: {language}         # en, cs, pl, ru or fa: the deliverables' language")
    out.append("")
    out.append("# Each input: a file path, or a mapping with the path and how to read it.")
    out.append("# Only invoices are required; delete the lines of exports the client has not sent.")
    out.append("# The comment under each names the table's canonical columns (data contract,")
    out.append("# * = required), the names to map the client's headers to with  columns:")
    out.append("inputs:")
    for table in TABLES:
        out.append(f"  {table}: {INPUT_EXAMPLES[table]}")
        out.extend(_contract_lines(table))
    out.append("  # A full mapping, for an export that needs it:")
    out.append("  # invoices:")
    out.append("  #   path: exports/faktury.xlsx")
    out.append("  #   sheet: Data            # sheet name or 0-based index (xlsx)")
    out.append("  #   header_row: 3          # 1-based row of the header, as the client sees it")
    out.append("  #   encoding: cp1250       # utf-8, utf-8-sig, cp1250, cp1251, latin-1")
    out.append(
        '  #   delimiter: ";"         # ";", ",", "\\t", "|" or whitespace (aligned columns)'
    )
    out.append('  #   decimal: ","           # "." or ","')
    out.append('  #   thousands: " "         # " ", "\\u00a0", ".", ",", "\'" or ""')
    out.append('  #   date_format: "%d.%m.%Y"')
    out.append(
        '  #   columns: {"Doklad": invoice_id, "Datum": invoice_date, '
        '"IČO": customer_id, "Cena bez DPH": net_amount}'
    )
    out.append("  # An export without a header row: list the columns in file order, ~ skips one.")
    out.append("  # Without an invoice number column, one invoice per customer and day is assumed")
    out.append("  # (said in the data-quality report; payments then cannot be matched).")
    out.append("  # invoices:")
    out.append("  #   path: exports/SALES.TXT")
    out.append("  #   delimiter: whitespace")
    out.append("  #   header_row: none")
    out.append("  #   columns: [invoice_date, customer_id, ~, net_amount]")
    default = Engagement.model_construct()
    for name, field in Engagement.model_fields.items():
        if name in _SKIP_TOP:
            continue
        value = field.get_default(call_default_factory=True)
        if not isinstance(value, BaseModel):
            continue
        out.append("")
        title = (type(value).__doc__ or name).strip().splitlines()[0].replace("``", "")
        out.append(f"# --- {title}")
        out.append(f"# {name}:")
        out.extend(_model_lines(type(value), value, 1))
    del default
    return "\n".join(out) + "\n"


def write_new_engagement(
    folder: str | Path, client: str = "Client name", language: str = "en", force: bool = False
) -> list[Path]:
    """Write ``engagement.yaml``, the data-request workbook and an ``exports/`` folder."""
    folder = Path(folder).expanduser().resolve()
    eng_path = folder / "engagement.yaml"
    request_path = folder / "data_request.xlsx"
    for p in (eng_path, request_path):
        if p.exists() and not force:
            raise KamAuditError(f"{p} already exists; use --force to overwrite it.")
    (folder / "exports").mkdir(parents=True, exist_ok=True)
    write_text_atomic(eng_path, render_starter(client=client, language=language))
    written = [eng_path]
    try:
        from .deliverables.data_request import write_data_request
    except ImportError:  # pragma: no cover - the deliverables package ships it
        return written
    write_data_request(request_path, language=language)
    written.append(request_path)
    return written


def main() -> int:
    target = templates_dir() / "engagement.yaml"
    write_text_atomic(target, render_starter())
    print(f"wrote {target}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
