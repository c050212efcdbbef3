"""The entry point: :func:`read_input` opens one client export read-only, reads it as a
workbook or as text, and finishes it (headers mapped, value formats detected)."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

from ..errors import InputError, did_you_mean
from .finish import finish_table
from .raw import RawTable, note
from .text import read_text
from .xlsx import read_xlsx


def read_input(table: str, spec: Any) -> RawTable:
    """Read one client export as described by an ``InputSpec``.

    Parameters
    ----------
    table
        The canonical table name the file holds.
    spec
        ``kamaudit.config.InputSpec`` (path, sheet, header_row, encoding, delimiter,
        decimal, thousands, date_format, columns).

    Raises
    ------
    InputError
        One sentence naming the file and what is wrong with it: missing, empty, not a
        table, an old ``.xls``, a missing sheet, a delimiter that does not fit.
    """
    path = Path(spec.path)
    name = path.name
    if not path.exists():
        siblings = [p.name for p in path.parent.iterdir()] if path.parent.is_dir() else []
        hint = did_you_mean(name, siblings)
        raise InputError(
            f"{table}: the file {path} does not exist. Check inputs.{table}.path in the "
            f"engagement file (paths are relative to it).{hint}"
        )
    if path.is_dir():
        raise InputError(
            f"{table}: {path} is a folder, not a file: set inputs.{table}.path to the export itself."
        )
    size = path.stat().st_size
    if size == 0:
        raise InputError(f"{name} is empty (0 bytes): ask the client to export {table} again.")
    with open(path, "rb") as fh:
        magic = fh.read(8)
    suffix = path.suffix.lower()
    if magic.startswith(b"\xd0\xcf\x11\xe0") and _is_encrypted_package(path):
        raise InputError(
            f"{name} is protected with a password (an encrypted Excel workbook), so it cannot "
            "be read: ask the client for an unprotected copy, or open it with the password and "
            f"save it again without one (File > Info > Protect Workbook), then point "
            f"inputs.{table}.path to the new file."
        )
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputError(
            f"{name} is an old Excel 97-2003 workbook (.xls), which kamaudit does not read: "
            "open it in Excel or LibreOffice and save it as .xlsx, then point "
            f"inputs.{table}.path to the new file."
        )
    if suffix == ".xls":
        raise InputError(
            f"{name} has the old .xls extension, which kamaudit does not read: save it as .xlsx "
            f"(or export CSV) and point inputs.{table}.path to the new file."
        )
    try:
        return finish_table(_read_any(table, path, spec, suffix, magic), spec)
    except (InputError, MemoryError):
        raise
    except Exception as exc:  # noqa: BLE001 - a broken export is one sentence, not a traceback
        raise InputError(
            f"{name} could not be read as a table ({type(exc).__name__}: {str(exc)[:200]}). "
            f"Check the file opens in Excel or a text editor, or export {table} again."
        ) from exc


def _read_any(table: str, path: Path, spec: Any, suffix: str, magic: bytes) -> RawTable:
    name = path.name
    if suffix in (".xlsx", ".xlsm") or magic.startswith(b"PK\x03\x04"):
        if suffix not in (".xlsx", ".xlsm") and not _is_xlsx_zip(path):
            raise InputError(f"{name} is a zip archive, not a CSV or Excel table: unpack it first.")
        raw = read_xlsx(table, path, spec)
        if suffix not in (".xlsx", ".xlsm"):
            raw.notes.append(
                note(
                    raw,
                    problem=f"the file is an Excel workbook although it is named {suffix or 'without an extension'}",
                    action="read as a workbook",
                    severity="info",
                    key="workbook_named",
                    params={"suffix": suffix or ""},
                )
            )
    else:
        raw = read_text(table, path, spec)
    return raw


_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")


def _is_encrypted_package(path: Path) -> bool:
    """An OLE compound file holding an ``EncryptedPackage`` stream: a password-protected
    .xlsx (Office encryption), not an old .xls. Stream names sit in the file's directory
    sectors, in UTF-16; the file is scanned in chunks for the name."""
    with open(path, "rb") as fh:
        prev = b""
        while block := fh.read(1 << 20):
            if _ENCRYPTED in prev + block:
                return True
            prev = block[-len(_ENCRYPTED) :]
    return False


def _is_xlsx_zip(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as zf:
            return "[Content_Types].xml" in zf.namelist()
    except zipfile.BadZipFile:
        return False
