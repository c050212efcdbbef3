"""Reading client exports as they come: CSV and XLSX in the client's locale.

``read_input(table, spec)`` opens one export read-only and returns a :class:`RawTable`:
the rows under the header, headers mapped to canonical names, the row number of every
row as the client sees it (1-based, counting title and header rows), and the reading
options used, each marked as given in the engagement file or detected.

Anything the engagement file does not set is detected:

- **encoding**: UTF-8 (with or without BOM), UTF-16 (BOM), cp1250, cp1251, latin-1;
- **delimiter**: ``;``, ``,``, tab or ``|``;
- **header row**: the row holding the mapped headers, or the first full row of text
  (title rows above it are skipped);
- **total rows** under the table ("Total", "Итого", "Celkem", "Razem", ...) are dropped;
- **decimal** and **thousands** separators, from the numeric columns;
- **date format**: ISO, day-first, month-first or Excel serial numbers, from the date columns.

Reading is vectorised: pandas' C parser reads the text, pyarrow string kernels do the rest.
No input file is ever written to.

>>> raw = read_input("invoices", spec)          # doctest: +SKIP
>>> raw.df.head(), raw.rows[:3], raw.options    # doctest: +SKIP
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .contract import legacy_schema
from .errors import InputError, did_you_mean

__all__ = [
    "SCHEMA",
    "RawTable",
    "detect_date_format",
    "detect_number_format",
    "parse_dates",
    "parse_numbers",
    "read_input",
]

# ---------------------------------------------------------------- the data contract

SCHEMA: dict[str, dict[str, tuple[str, bool]]] = legacy_schema()
"""Canonical columns per table, ``name -> (kind, required)``: a view of ``kamaudit.contract``."""

NUMERIC_KINDS = {"money", "float"}

# common English header spellings that map without a ``columns`` entry
_ALIASES = {
    "customer": "customer_id",
    "customerid": "customer_id",
    "customer_no": "customer_id",
    "customer_number": "customer_id",
    "client_id": "customer_id",
    "invoice": "invoice_id",
    "invoiceno": "invoice_id",
    "invoice_no": "invoice_id",
    "invoice_number": "invoice_id",
    "date": "invoice_date",
    "invoicedate": "invoice_date",
    "amount": "net_amount",
    "net": "net_amount",
    "qty": "quantity",
    "unitprice": "unit_price",
    "price": "unit_price",
    "stockcode": "product_id",
    "sku": "product_id",
    "product": "product_id",
}

_TOTAL_RE = re.compile(
    r"^\s*(?:grand\s+|sub\s*)?(?:totals?|sum|sums|итого|итог|всего|celkem|celkom|součet|"
    r"spolu|razem|suma|ogółem|ogolem|summe|gesamt|insgesamt|gesamtsumme|totaal|totale|totalt|"
    r"جمع|مجموع|جمع\s+کل)(?:\W|$)",
    re.IGNORECASE,
)
_NUMBERISH = re.compile(r"^[+\-(]?[\d\s\u00a0\u202f.,']*\d[\d\s\u00a0\u202f.,']*[)\-]?$")
_DATEISH = re.compile(r"^\d{1,4}[./\-]\d{1,2}[./\-]\d{1,4}")
_BLANKS = "\u00a0\u202f\u2007"

ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "cp1250", "cp1251", "latin-1")
_HEAD_BYTES = 256 * 1024


@dataclass
class RawTable:
    """One export as read, before types are checked.

    Attributes
    ----------
    table
        Canonical table name (``invoices``...).
    df
        The rows under the header. Canonical column names where the header is mapped,
        the client's header otherwise. Values are text for CSV, cell values for XLSX.
    rows
        Row number of each row of ``df`` as the client sees it (1-based, counting title
        and header rows: the row number in Excel, the line number in a text editor).
    file, sheet
        Where it came from.
    options
        Reading options used: ``{"encoding": {"value": "cp1251", "source": "detected"}, ...}``.
    headers
        The header row as found in the file.
    column_map
        Canonical name -> the client's header it was mapped from.
    notes
        Issues found while reading (title rows, total rows, unnamed columns), as dicts with
        the keys of the intake issue list.
    """

    table: str
    df: pd.DataFrame
    rows: np.ndarray
    file: Path
    sheet: str | None = None
    options: dict[str, dict[str, Any]] = field(default_factory=dict)
    headers: list[str] = field(default_factory=list)
    column_map: dict[str, str] = field(default_factory=dict)
    notes: list[dict[str, Any]] = field(default_factory=list)
    blank: np.ndarray | None = field(default=None, repr=False)
    """Empty cells of ``df`` as read (workbooks), so they are not looked for twice."""

    @property
    def file_name(self) -> str:
        return self.file.name

    def option(self, name: str, default: Any = None) -> Any:
        entry = self.options.get(name)
        return default if entry is None else entry.get("value", default)

    def header_of(self, column: str) -> str:
        """The client's header for a canonical column (the name itself if unmapped)."""
        return self.column_map.get(column, column)


def _opt(value: Any, source: str, **extra: Any) -> dict[str, Any]:
    return {"value": value, "source": source, **extra}


# ------------------------------------------------------------------ entry point


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
        return _finish(_read_any(table, path, spec, suffix, magic), spec)
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
        raw = _read_xlsx(table, path, spec)
        if suffix not in (".xlsx", ".xlsm"):
            raw.notes.append(
                _note(
                    raw,
                    problem=f"the file is an Excel workbook although it is named {suffix or 'without an extension'}",
                    action="read as a workbook",
                    severity="info",
                    key="workbook_named",
                    params={"suffix": suffix or ""},
                )
            )
    else:
        raw = _read_text(table, path, spec)
    return raw


def _is_xlsx_zip(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as zf:
            return "[Content_Types].xml" in zf.namelist()
    except zipfile.BadZipFile:
        return False


def _note(
    raw: RawTable | None = None,
    *,
    file: str = "",
    sheet: Any = None,
    row: Any = None,
    column: str = "",
    value: str = "",
    problem: str,
    action: str,
    severity: str = "info",
    key: str = "",
    params: dict | None = None,
) -> dict:
    out = {
        "file": raw.file_name if raw is not None else file,
        "sheet": (raw.sheet if raw is not None else sheet) or "",
        "row": row,
        "column": column,
        "value": value,
        "problem": problem,
        "action": action,
        "severity": severity,
    }
    if key:  # the message catalog key (intake.problems.<key>) for the deliverables
        out["key"] = key
        out["params"] = params or {}
    return out


# ------------------------------------------------------------------ text files


def detect_encoding(data: bytes) -> tuple[str, str]:
    """Guess the encoding of ``data``: ``(encoding, why)``.

    BOMs first; then strict UTF-8; then cp1251 when the text reads as Cyrillic words,
    cp1250 when its accented letters are Central European, latin-1 otherwise.
    """
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", "UTF-8 byte-order mark"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", "UTF-16 byte-order mark"
    try:
        data.decode("utf-8")
        return "utf-8", "valid UTF-8"
    except UnicodeDecodeError as exc:
        # a multi-byte character cut at the end of a sample is still UTF-8
        if exc.start >= len(data) - 3 and exc.reason == "unexpected end of data":
            return "utf-8", "valid UTF-8"
    high = bytes(b for b in set(data) if b >= 0x80)
    if not high:
        return "utf-8", "plain ASCII"
    text1251 = data.decode("cp1251", errors="replace")
    cyr_words = len(re.findall(r"(?<![A-Za-z])[А-Яа-яЁё]{2,}(?![A-Za-z])", text1251))
    mixed_words = len(re.findall(r"[A-Za-z][А-Яа-яЁё]|[А-Яа-яЁё][A-Za-z]", text1251))
    if cyr_words > 2 * mixed_words:
        return "cp1251", "Cyrillic text"
    t1250 = data.decode("cp1250", errors="replace")
    t1252 = data.decode("latin-1")
    ce = set("čřěůňťďłąśćęńżźšžľČŘĚŮŇŤĎŁĄŚĆĘŃŻŹŠŽĽ")  # common letters only
    we = set("èøìùòñàâêîôûëïãõåæÈØÌÙÒÑÀÂÊÎÔÛËÏÃÕÅÆ")
    ce_n = sum(1 for c in t1250 if c in ce)
    we_n = sum(1 for c in t1252 if c in we)
    c1 = sum(1 for b in data if 0x80 <= b <= 0x9F)  # C1 controls: not latin-1 text
    if c1 or (ce_n and ce_n >= we_n):  # a tie goes to the Central European clients
        return "cp1250", "Central European letters"
    return "latin-1", "Western European letters"


def _decode_head(data: bytes, encoding: str, truncated: bool) -> str:
    text = data.decode(encoding, errors="replace")
    if truncated and "\n" in text:
        text = text[: text.rfind("\n")]
    return text.lstrip("\ufeff")


def _looks_binary(data: bytes, encoding: str) -> bool:
    if encoding.startswith("utf-16"):
        return False
    if b"\x00" in data:
        return True
    sample = data[:65536]
    ctrl = sum(1 for b in sample if b < 0x09 or 0x0E <= b < 0x20)
    return ctrl > max(3, len(sample) * 0.01)


def sniff_delimiter(lines: list[str]) -> tuple[str, float]:
    """The delimiter that splits the sample lines into the most consistent columns."""
    body = [ln for ln in lines if ln.strip()]
    if len(body) >= 8:  # past any title rows; a short file is judged whole
        body = body[len(body) // 4 :][:200]
    best, best_score = ",", -1.0
    for delim in (";", "\t", ",", "|"):
        counts = [len(r) for r in csv.reader(body, delimiter=delim)]
        if not counts:
            continue
        values, freq = np.unique(counts, return_counts=True)
        mode = int(values[freq == freq.max()].max())
        if mode < 2:
            continue
        share = float(freq.max()) / len(counts)
        score = share + min(mode, 50) / 1000.0
        if score > best_score:
            best, best_score = delim, score
    return best, max(best_score, 0.0)


def _known_headers(table: str, columns: dict[str, str]) -> set[str]:
    known = {_norm(k) for k in columns}
    known |= {_norm(c) for c in SCHEMA.get(table, {})}
    known |= set(_ALIASES)
    return known


def _norm(text: Any) -> str:
    t = str(text).strip().casefold()
    t = re.sub(r"[\s\u00a0_\-./]+", "_", t)
    return t.strip("_")


def _is_value(cell: Any) -> bool:
    if cell is None:
        return False
    if isinstance(cell, (int, float)) or hasattr(cell, "year"):
        return True
    s = str(cell).strip()
    return bool(s) and bool(_NUMBERISH.match(s) or _DATEISH.match(s))


def detect_header(rows: list[list[Any]], table: str, columns: dict[str, str]) -> tuple[int, str]:
    """0-based index of the header among the first ``rows``, and why.

    The row naming most of the known headers (the ``columns`` mapping and canonical
    names) wins; otherwise the first row of text as wide as the table below it.
    """
    known = _known_headers(table, columns)
    filled = [sum(1 for c in r if c is not None and str(c).strip() != "") for r in rows]
    if not rows or max(filled, default=0) == 0:
        return 0, "empty"
    hits = [sum(1 for c in r if c is not None and _norm(c) in known) for r in rows[:60]]
    best = int(np.argmax(hits)) if hits else 0
    if hits and hits[best] >= (2 if max(filled) > 1 else 1):
        return best, "the row with the known headers"
    width = int(np.percentile([f for f in filled if f], 75))
    for i, r in enumerate(rows[:60]):
        wide = filled[i] >= max(2, 0.6 * width) or (width == 1 and filled[i] == 1)
        if wide and not any(_is_value(c) for c in r):
            return i, "the first full row of text"
    return 0, "the first row"


def _read_text(table: str, path: Path, spec: Any) -> RawTable:
    name = path.name
    size = path.stat().st_size
    with open(path, "rb") as fh:
        head = fh.read(_HEAD_BYTES)
    truncated = size > len(head)
    options: dict[str, dict[str, Any]] = {"format": _opt("csv", "detected")}

    if spec.encoding:
        encoding = spec.encoding
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise InputError(
                f'{name}: encoding "{encoding}" is unknown; use one of {", ".join(ENCODINGS)} '
                f"in inputs.{table}.encoding."
            ) from None
        options["encoding"] = _opt(encoding, "engagement file")
    else:
        encoding, why = detect_encoding(head)
        options["encoding"] = _opt(encoding, "detected", why=why)
    if _looks_binary(head, encoding):
        raise InputError(
            f"{name} is not a text table (it holds binary data): check that the right file is "
            f"named in inputs.{table}.path, and export the table as CSV or XLSX."
        )
    text = _decode_head(head, encoding, truncated)
    lines = text.splitlines()
    if not any(ln.strip() for ln in lines):
        raise InputError(
            f"{name} holds no data, only blank lines: ask the client to export {table} again."
        )

    if spec.delimiter:
        delim = spec.delimiter
        options["delimiter"] = _opt(delim, "engagement file")
    else:
        delim, _ = sniff_delimiter(lines)
        options["delimiter"] = _opt(delim, "detected")

    sample = list(csv.reader(lines[:60], delimiter=delim))
    if spec.header_row:
        header_idx = spec.header_row - 1
        options["header_row"] = _opt(spec.header_row, "engagement file")
        if header_idx >= len(lines):
            raise InputError(
                f"{name}: inputs.{table}.header_row is {spec.header_row}, but the file has only "
                f"{len(lines)} lines."
            )
    else:
        header_idx, why = detect_header(sample, table, spec.columns)
        options["header_row"] = _opt(header_idx + 1, "detected", why=why)

    # decode once (strictly): pyarrow and pandas then both read UTF-8
    data = path.read_bytes()
    try:
        text_all = data.decode(encoding)
    except UnicodeDecodeError:
        if spec.encoding:
            raise InputError(
                f"{name} is not valid {encoding} text: set inputs.{table}.encoding to the "
                f"file's encoding (one of {', '.join(ENCODINGS)})."
            ) from None
        encoding, why = detect_encoding(data)
        options["encoding"] = _opt(encoding, "detected", why=why + " (whole file)")
        text_all = data.decode(encoding, errors="replace")
    utf8 = text_all.lstrip("\ufeff").encode("utf-8")
    del text_all, data
    n_fields = len(sample[header_idx]) if header_idx < len(sample) else 0
    df = _arrow_csv(utf8, delim, header_idx, n_fields) if n_fields else None
    options["parser"] = _opt("pyarrow" if df is not None else "pandas", "detected")
    kwargs = dict(
        sep=delim,
        header=None,
        skiprows=header_idx,
        dtype=str,
        keep_default_na=False,
        na_values=[""],
        skip_blank_lines=False,
        engine="c",
        quotechar='"',
        encoding="utf-8",
    )
    while df is None:
        try:
            df = pd.read_csv(io.BytesIO(utf8), **kwargs)
        except pd.errors.EmptyDataError:
            raise InputError(f"{name} holds no table: no header row was found.") from None
        except pd.errors.ParserError as exc:
            msg = str(exc)
            m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", msg)
            if m and len(kwargs.get("names", ())) < 2000:
                # rows wider than the header (trailing delimiters): read wide, judge below
                kwargs["names"] = list(
                    range(max(int(m.group(3)), len(kwargs.get("names", ())) + 1))
                )
                continue
            m = re.search(r"EOF inside string starting at row (\d+)", msg)
            if m:
                raise InputError(
                    f'{name}, row {int(m.group(1)) + header_idx + 1}: a quote (") opens a text value '
                    "that never closes, so the rest of the file would be one value. Ask for the export "
                    "again, or remove the stray quote in a copy of the file."
                ) from None
            raise InputError(f"{name} cannot be read as CSV: {msg.splitlines()[0]}") from None
    del utf8
    if not len(df):
        raise InputError(f"{name} holds no table: no header row was found.")
    first = df.iloc[0].tolist()
    headers = [_clean_header(c) for c in first]
    df = df.iloc[1:].reset_index(drop=True)
    df.columns = [f"__col{i}" for i in range(df.shape[1])]
    rows = header_idx + 2 + np.arange(len(df), dtype=np.int64)
    # quoted values spanning lines shift the line numbers of later rows
    if len(df) and _has_newlines(df):
        extra = np.zeros(len(df), dtype=np.int64)
        for col in df.columns:
            extra += df[col].str.count("\n").fillna(0).to_numpy(dtype=np.int64)
        rows = rows + np.concatenate([[0], np.cumsum(extra)[:-1]])
    if "names" in kwargs:
        width = max((i + 1 for i, h in enumerate(headers) if h), default=0)
        wide = df.iloc[:, width:]
        filled = wide.notna() & (wide.apply(lambda c: c.str.strip()) != "")
        hit = np.flatnonzero(filled.any(axis=1).to_numpy())
        if len(hit):
            i = int(hit[0])
            saw = int(np.flatnonzero(filled.iloc[i].to_numpy())[-1]) + width + 1
            d = _show_delim(delim)
            source = options["delimiter"]["source"]
            raise InputError(
                f"{name}, row {int(rows[i])}: {saw} values where the header (row {header_idx + 1}) has "
                f'{width}. The delimiter is "{d}" ({source}): if that is wrong, set '
                f'inputs.{table}.delimiter; otherwise a text value holds an unquoted "{d}" and needs quotes.'
            )
        df = df.iloc[:, :width]
        headers = headers[:width]
    raw = RawTable(
        table=table, df=df, rows=rows, file=path, sheet=None, options=options, headers=headers
    )
    if header_idx > 0:
        raw.notes.append(
            _note(
                raw,
                row=None,
                problem=f"{header_idx} title row(s) above the header (row {header_idx + 1})",
                action="skipped",
                severity="info",
                key="title_rows",
                params={"n": header_idx, "header_row": header_idx + 1},
            )
        )
    return raw


def _arrow_csv(utf8: bytes, delim: str, header_idx: int, n_fields: int) -> pd.DataFrame | None:
    """Fast path: pyarrow's multithreaded CSV reader, every column as text.

    The header row comes back as the first row (like ``header=None``). Returns ``None``
    when the file does not fit the fast path (blank lines inside the table, rows wider
    or narrower than the header); the caller then uses pandas' C parser.
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv

    end = len(utf8)
    while end and utf8[end - 1] in b" \t\r\n":
        end -= 1
    if not end:
        return None
    names = [f"__col{i}" for i in range(n_fields)]
    try:
        tbl = pacsv.read_csv(
            pa.py_buffer(utf8).slice(0, end),
            read_options=pacsv.ReadOptions(skip_rows=header_idx, column_names=names),
            parse_options=pacsv.ParseOptions(
                delimiter=delim,
                quote_char='"',
                double_quote=True,
                newlines_in_values=utf8.find(b'"', 0, end) >= 0,
                ignore_empty_lines=False,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.large_string() for n in names},
                strings_can_be_null=True,
                null_values=[""],
                quoted_strings_can_be_null=True,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, ValueError):
        return None
    df = tbl.to_pandas()
    for c in df.columns:
        if df[c].dtype != "str":
            df[c] = df[c].astype("str")
    return df


def _has_newlines(df: pd.DataFrame) -> bool:
    return any(df[col].str.contains("\n", regex=False).any() for col in df.columns)


def _show_delim(d: str) -> str:
    return {"\t": "\\t"}.get(d, d)


def _clean_header(c: Any) -> str:
    if c is None or (isinstance(c, float) and c != c):
        return ""
    s = str(c)
    return s.replace("\ufeff", "").strip(" \t\r\n" + _BLANKS)


# ------------------------------------------------------------------ xlsx


def _read_xlsx(table: str, path: Path, spec: Any) -> RawTable:
    """Read one sheet: python-calamine (Rust) when installed, openpyxl otherwise.

    calamine reads the cell values about ten times faster; anything it cannot open
    (or a missing calamine) goes to openpyxl, which also words the error messages for
    broken workbooks. Both give the grid from cell A1, so row numbers are Excel's.
    """
    got = _calamine_grid(table, path, spec) if XLSX_ENGINE in ("auto", "calamine") else None
    if got is None:
        # a file object (opened read-only): openpyxl then accepts any extension
        with open(path, "rb") as fh:
            got = _openpyxl_grid(table, path, spec, fh)
    ws_name, options, values = got
    return _workbook_table(table, path, spec, ws_name, options, values)


XLSX_ENGINE = "auto"
"""``auto`` (calamine when installed, else openpyxl), ``calamine`` or ``openpyxl``: for
benchmarks and tests."""


def _pick_sheet(table: str, name: str, sheets: list[str], spec: Any) -> tuple[str, dict]:
    sheet = spec.sheet
    options: dict[str, dict[str, Any]] = {"format": _opt("xlsx", "detected")}
    if not sheets:
        raise InputError(f"{name} is an Excel workbook without any sheet: export {table} again.")
    if sheet is None:
        ws_name = sheets[0]
        options["sheet"] = _opt(ws_name, "detected", why="first sheet")
    elif isinstance(sheet, int):
        if not 0 <= sheet < len(sheets):
            raise InputError(
                f"{name} has no sheet number {sheet} (0-based); it has {len(sheets)}: "
                + ", ".join(f'{i} "{s}"' for i, s in enumerate(sheets))
                + f". Set inputs.{table}.sheet."
            )
        ws_name = sheets[sheet]
        options["sheet"] = _opt(ws_name, "engagement file")
    else:
        if sheet not in sheets:
            lowered = {s.casefold().strip(): s for s in sheets}
            if str(sheet).casefold().strip() in lowered:
                ws_name = lowered[str(sheet).casefold().strip()]
            else:
                raise InputError(
                    f'{name} has no sheet "{sheet}"; its sheets are: '
                    + ", ".join(f'"{s}"' for s in sheets)
                    + f".{did_you_mean(str(sheet), sheets)} Set inputs.{table}.sheet."
                )
        else:
            ws_name = sheet
        options["sheet"] = _opt(ws_name, "engagement file")
    return ws_name, options


def _calamine_grid(table: str, path: Path, spec: Any) -> tuple[str, dict, list] | None:
    """The sheet's cell values from A1 with python-calamine; None to fall back to openpyxl.

    Empty cells come back as ``""`` (made ``None`` later, as openpyxl gives them);
    numbers as float, dates and date-times as ``date``/``datetime``.
    """
    try:
        from python_calamine import CalamineWorkbook
    except ImportError:
        return None
    try:
        with open(path, "rb") as fh:
            wb = CalamineWorkbook.from_filelike(fh)
            try:
                meta = getattr(wb, "sheets_metadata", None)
                sheets = [m.name for m in meta] if meta else list(wb.sheet_names)
                ws_name, options = _pick_sheet(table, path.name, sheets, spec)
                values = wb.get_sheet_by_name(ws_name).to_python(skip_empty_area=False)
            finally:
                close = getattr(wb, "close", None)
                if close is not None:
                    with contextlib.suppress(Exception):  # already closed
                        close()
    except InputError:
        raise
    except Exception:  # noqa: BLE001 - whatever calamine cannot read, openpyxl tries (and words)
        return None
    options["engine"] = _opt("calamine", "detected")
    return ws_name, options, values


def _openpyxl_grid(table: str, path: Path, spec: Any, fh: Any) -> tuple[str, dict, list]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    name = path.name
    try:
        wb = openpyxl.load_workbook(fh, read_only=True, data_only=True, keep_links=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise InputError(
            f"{name} is not a readable Excel workbook ({type(exc).__name__}): open it in Excel "
            "and save it again as .xlsx, or export CSV."
        ) from None
    try:
        ws_name, options = _pick_sheet(table, name, wb.sheetnames, spec)
        ws = wb[ws_name]
        # trust the stored dimension unless it is missing or says A1 only (some exporters);
        # recomputing it parses the whole sheet a second time
        try:
            dims = ws.calculate_dimension()
        except (ValueError, TypeError):
            dims = None
        if hasattr(ws, "reset_dimensions") and (not dims or dims in ("A1", "A1:A1")):
            ws.reset_dimensions()
        values = [tuple(r) for r in ws.iter_rows(values_only=True)]
    finally:
        wb.close()
    options["engine"] = _opt("openpyxl", "detected")
    return ws_name, options, values


def _workbook_table(
    table: str, path: Path, spec: Any, ws_name: str, options: dict, values: list
) -> RawTable:
    name = path.name
    grid = _object_grid(values)
    del values
    # trim empty rows and columns at the end
    blank = _blank_cells(grid)
    filled_rows = np.flatnonzero(~blank.all(axis=1)) if grid.size else np.zeros(0, dtype=int)
    if not len(filled_rows):
        raise InputError(f'{name}, sheet "{ws_name}" is empty: no header and no rows.')
    last_row = int(filled_rows[-1]) + 1
    last = int(np.flatnonzero(~blank[:last_row].all(axis=0))[-1]) + 1
    grid = grid[:last_row, :last]

    if spec.header_row:
        header_idx = spec.header_row - 1
        options["header_row"] = _opt(spec.header_row, "engagement file")
        if header_idx >= len(grid):
            raise InputError(
                f'{name}, sheet "{ws_name}": inputs.{table}.header_row is {spec.header_row}, but '
                f"the sheet has only {len(grid)} rows."
            )
    else:
        header_idx, why = detect_header([list(r) for r in grid[:60]], table, spec.columns)
        options["header_row"] = _opt(header_idx + 1, "detected", why=why)
    headers = [_clean_header(c) for c in grid[header_idx]]
    body = grid[header_idx + 1 :]
    cols = [f"__col{i}" for i in range(len(headers))]
    df = pd.DataFrame({c: pd.Series(body[:, j], dtype=object) for j, c in enumerate(cols)})
    rows = header_idx + 2 + np.arange(len(df), dtype=np.int64)
    raw = RawTable(
        table=table, df=df, rows=rows, file=path, sheet=ws_name, options=options, headers=headers
    )
    raw.blank = blank[header_idx + 1 : last_row, :last]
    if header_idx > 0:
        raw.notes.append(
            _note(
                raw,
                problem=f"{header_idx} title row(s) above the header (row {header_idx + 1})",
                action="skipped",
                severity="info",
                key="title_rows",
                params={"n": header_idx, "header_row": header_idx + 1},
            )
        )
    return raw


def _object_grid(values: list) -> np.ndarray:
    """Rows of cell values -> a 2-D object array (ragged rows padded with None; "" -> None)."""
    if not values:
        return np.empty((0, 0), dtype=object)
    width = max(len(r) for r in values)
    if all(len(r) == width for r in values):
        grid = np.empty((len(values), width), dtype=object)
        grid[:] = values if width else np.empty((len(values), 0), dtype=object)
    else:
        grid = np.full((len(values), width), None, dtype=object)
        for i, r in enumerate(values):
            grid[i, : len(r)] = r
    empty = grid == ""
    if empty.any():
        grid[empty] = None
    return grid


def _blank_cells(grid: np.ndarray) -> np.ndarray:
    """True where a cell is None or only whitespace (vectorised over the object array)."""
    blank = np.equal(grid, None)
    # exact type, elementwise: faster than isinstance through a Python lambda
    is_str = (np.frompyfunc(type, 1, 1)(grid) == str) if grid.size else blank.copy()  # noqa: E721
    if is_str.any():
        strs = grid[is_str].astype(str)
        blank[is_str] = np.char.str_len(np.char.strip(strs, " \t\r\n" + _BLANKS)) == 0
    return blank


def _blank(c: Any) -> bool:
    return c is None or (isinstance(c, str) and c.strip(" \t\r\n" + _BLANKS) == "")


# ------------------------------------------------------------------ common finish


def _blank_mask(df: pd.DataFrame) -> np.ndarray:
    """True where a cell is empty (NA or only whitespace)."""
    out = np.ones(df.shape, dtype=bool)
    for j, col in enumerate(df.columns):
        s = df[col]
        if s.dtype == object:
            out[:, j] = s.map(_blank).to_numpy(dtype=bool)
        else:
            out[:, j] = (s.isna() | (s.str.strip() == "")).to_numpy(dtype=bool)
    return out


def _finish(raw: RawTable, spec: Any) -> RawTable:
    df = raw.df
    headers = list(raw.headers)
    # empty columns without a header: trailing delimiters, spacer columns
    if raw.blank is not None and raw.blank.shape == df.shape:
        blank = raw.blank
    else:
        blank = _blank_mask(df) if len(df.columns) else np.ones((len(df), 0), dtype=bool)
    raw.blank = None
    keep_cols = [j for j, h in enumerate(headers) if h or not blank[:, j].all()]
    if len(keep_cols) < len(headers):
        df = df.iloc[:, keep_cols]
        blank = blank[:, keep_cols]
        headers = [headers[j] for j in keep_cols]
    if not headers:
        raise InputError(f"{raw.file_name}{_where(raw)} holds no table: the header row is empty.")
    # empty rows anywhere
    empty_rows = blank.all(axis=1) if blank.shape[1] else np.ones(len(df), dtype=bool)
    keep = ~empty_rows
    # total rows at the bottom of the table
    filled = (~blank).sum(axis=1)
    idx_nonempty = np.flatnonzero(keep)
    totals: list[int] = []
    if len(idx_nonempty):
        typical = float(np.median(filled[keep]))
        for i in idx_nonempty[::-1][:5]:
            first_cells = [df.iat[i, j] for j in range(df.shape[1]) if not blank[i, j]][:3]
            is_total = any(isinstance(c, str) and _TOTAL_RE.match(c) for c in first_cells)
            if not (is_total and filled[i] < typical):
                break
            totals.append(int(i))
    for i in totals:
        keep[i] = False
        shown = next((str(df.iat[i, j]) for j in range(df.shape[1]) if not blank[i, j]), "")
        raw.notes.append(
            _note(
                raw,
                row=int(raw.rows[i]),
                value=shown,
                problem="a total row under the table",
                action="dropped (not a data row)",
                severity="info",
                key="total_row",
            )
        )
    raw.options["total_rows"] = _opt(len(totals), "detected")
    if (~keep).any():
        df = df.loc[keep]
        raw.rows = raw.rows[keep]
    df = df.reset_index(drop=True)

    # unnamed columns with data
    for j, h in enumerate(headers):
        if not h:
            headers[j] = f"column {_excel_col(j)}"
    # header mapping
    mapping, problems = map_headers(raw.table, headers, spec.columns)
    raw.notes.extend(_note(raw, **p) for p in problems)
    new_names = []
    seen: set[str] = set()
    column_map: dict[str, str] = {}
    for h in headers:
        canon = mapping.get(h)
        if canon and canon not in seen:
            new_names.append(canon)
            seen.add(canon)
            column_map[canon] = h
        else:
            n = h
            while n in seen:
                n = n + "_"
            new_names.append(n)
            seen.add(n)
    df.columns = new_names
    raw.df = df
    raw.headers = headers
    raw.column_map = column_map
    _detect_value_formats(raw, spec)
    return raw


def _where(raw: RawTable) -> str:
    return f', sheet "{raw.sheet}"' if raw.sheet else ""


def _excel_col(j: int) -> str:
    s = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        s = chr(65 + r) + s
    return s


def map_headers(
    table: str, headers: list[str], columns: dict[str, str]
) -> tuple[dict[str, str], list[dict]]:
    """Client header -> canonical name, and notes on what could not be mapped.

    ``columns`` from the engagement file wins; headers equal to a canonical name
    (ignoring case, spaces and underscores) or a common English spelling map by themselves.
    """
    schema = SCHEMA.get(table, {})
    by_norm = {}
    for h in headers:
        by_norm.setdefault(_norm(h), h)
    mapping: dict[str, str] = {}
    problems: list[dict] = []
    for client_header, canon in (columns or {}).items():
        target = by_norm.get(_norm(client_header))
        if canon not in schema:
            problems.append(
                dict(
                    column=str(client_header),
                    value=str(canon),
                    problem=(
                        f'inputs.{table}.columns maps "{client_header}" to "{canon}", which is not a '
                        f"column of {table}.{did_you_mean(canon, schema)} Columns: {', '.join(schema)}"
                    ),
                    action="ignored",
                    severity="warning",
                )
            )
            continue
        if target is None:
            # reported by intake when the column is needed; optional ones are a warning here
            continue
        mapping[target] = canon
    mapped = set(mapping.values())
    for h in headers:
        if h in mapping:
            continue
        n = _norm(h)
        canon = n if n in schema else _ALIASES.get(n.replace("_", "")) or _ALIASES.get(n)
        if canon in schema and canon not in mapped:
            mapping[h] = canon
            mapped.add(canon)
    return mapping, problems


# ------------------------------------------------------------------ value formats


def _text_sample(s: pd.Series, n: int = 4000) -> pd.Series:
    """Distinct non-empty text values from an even sample of the column."""
    if s.dtype == object:
        s = s[s.map(lambda v: isinstance(v, str))]
        s = s.astype("str")
    s = s.dropna()
    if len(s) > n:
        step = len(s) // n + 1
        s = pd.concat([s.iloc[::step], s.iloc[-50:]])
    s = s.str.strip()
    return s[s != ""].drop_duplicates()


def detect_number_format(values: pd.Series, delimiter: str | None = None) -> dict[str, Any]:
    """Decimal and thousands separators of numbers written as text.

    Returns ``{"decimal": "," | ".", "thousands": " " | "." | "," | "'" | "", "why": ...}``.
    """
    v = values[values.str.match(_NUMBERISH.pattern)] if len(values) else values
    v = v.str.replace(r"[\s\u00a0\u202f\u2007]", " ", regex=True)
    if not len(v):
        dec = "," if delimiter == ";" else "."
        return {"decimal": dec, "thousands": "", "why": "no numbers written as text"}
    comma_dec = int(v.str.contains(r",\d{1,2}\)?-?$|,\d{4,}\)?-?$|\.\d{3},\d", regex=True).sum())
    point_dec = int(v.str.contains(r"\.\d{1,2}\)?-?$|\.\d{4,}\)?-?$|,\d{3}\.\d", regex=True).sum())
    if comma_dec > point_dec:
        dec, why = ",", "numbers like " + _first(v, r",\d{1,2}$|,\d{4,}$|\.\d{3},")
    elif point_dec > comma_dec:
        dec, why = ".", "numbers like " + _first(v, r"\.\d{1,2}$|\.\d{4,}$|,\d{3}\.")
    else:
        dec = "," if delimiter == ";" else "."
        why = "no decimals seen; assumed from the delimiter"
    seps = {" ": r"\d \d{3}(?!\d)", "'": r"\d'\d{3}(?!\d)"}
    seps["."] = r"\d\.\d{3}(?:[.,\s]|$)" if dec == "," else None
    seps[","] = r"\d,\d{3}(?:[.,\s]|$)" if dec == "." else None
    thousands, best = "", 0
    for sep, pat in seps.items():
        if pat is None:
            continue
        n = int(v.str.contains(pat, regex=True).sum())
        if n > best:
            thousands, best = sep, n
    if thousands == " " and values.str.contains("\u00a0", regex=False).any():
        thousands = "\u00a0"
    return {"decimal": dec, "thousands": thousands, "why": why}


def _first(v: pd.Series, pat: str) -> str:
    hit = v[v.str.contains(pat, regex=True)]
    return f'"{hit.iloc[0]}"' if len(hit) else ""


_DATE_FORMATS = (
    "%Y-%m-%d",
    "%d.%m.%Y",
    "%d/%m/%Y",
    "%m/%d/%Y",
    "%d-%m-%Y",
    "%Y/%m/%d",
    "%Y.%m.%d",
    "%d.%m.%y",
    "%d/%m/%y",
    "%m/%d/%y",
    "%Y%m%d",
)


def _date_part(s: pd.Series) -> pd.Series:
    """The date part of date-time text ("01.02.2024 0:00:00" -> "01.02.2024")."""
    import pyarrow.compute as pc

    if not len(s):
        return s
    t = pc.replace_substring_regex(pc.utf8_trim_whitespace(_arrow(s)), r"[\sT].*$", "")
    return pd.Series(
        pd.arrays.ArrowStringArray(t) if hasattr(pd.arrays, "ArrowStringArray") else t.to_pylist(),
        index=s.index,
        dtype="str",
    )


def detect_date_format(values: pd.Series, dayfirst: bool = True) -> dict[str, Any]:
    """The date format of dates written as text, or ``"excel"`` for serial numbers.

    Tries ISO, day-first and month-first patterns on a sample and keeps the one that
    reads the most values; a tie between day-first and month-first goes to ``dayfirst``.
    """
    if not len(values):
        return {"date_format": None, "why": "no dates written as text"}
    part = _date_part(values).dropna()
    if part.str.fullmatch(r"\d{5}(?:\.\d+)?").mean() > 0.8:
        return {"date_format": "excel", "why": "Excel serial numbers like " + f'"{part.iloc[0]}"'}
    scores = {}
    for fmt in _DATE_FORMATS:
        parsed = pd.to_datetime(part, format=fmt, errors="coerce")
        scores[fmt] = int(parsed.notna().sum())
    best = max(scores.values())
    if best == 0:
        return {"date_format": None, "why": "no known date format fits"}
    tied = [f for f, n in scores.items() if n == best]
    fmt = tied[0]
    why = f'dates like "{part.iloc[0]}"'
    pairs = {("%d/%m/%Y", "%m/%d/%Y"), ("%d/%m/%y", "%m/%d/%y")}
    for a, b in pairs:
        if a in tied and b in tied:
            fmt = a if dayfirst else b
            why += " (day and month both 12 or less: ambiguous, read as " + (
                "day-first)" if dayfirst else "month-first)"
            )
    return {"date_format": fmt, "why": why}


def _detect_value_formats(raw: RawTable, spec: Any) -> None:
    schema = SCHEMA.get(raw.table, {})
    num_cols = [c for c, (k, _) in schema.items() if k in NUMERIC_KINDS and c in raw.df.columns]
    date_cols = [c for c, (k, _) in schema.items() if k == "date" and c in raw.df.columns]
    delim = raw.option("delimiter")
    if spec.decimal or spec.thousands is not None:
        found = detect_number_format(_concat_samples(raw.df, num_cols), delim)
    else:
        found = None
    if spec.decimal:
        raw.options["decimal"] = _opt(spec.decimal, "engagement file")
    if spec.thousands is not None:
        raw.options["thousands"] = _opt(spec.thousands, "engagement file")
    if not spec.decimal or spec.thousands is None:
        found = found or detect_number_format(_concat_samples(raw.df, num_cols), delim)
        if not spec.decimal:
            raw.options["decimal"] = _opt(found["decimal"], "detected", why=found["why"])
        if spec.thousands is None:
            th = found["thousands"]
            if spec.decimal and th == spec.decimal:
                th = ""
            raw.options["thousands"] = _opt(th, "detected")
    if spec.date_format:
        raw.options["date_format"] = _opt(spec.date_format, "engagement file")
    else:
        found_d = detect_date_format(_concat_samples(raw.df, date_cols))
        raw.options["date_format"] = _opt(found_d["date_format"], "detected", why=found_d["why"])


def _concat_samples(df: pd.DataFrame, cols: list[str]) -> pd.Series:
    parts = [_text_sample(df[c]) for c in cols]
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.Series([], dtype="str")
    return pd.concat(parts, ignore_index=True).astype("str")


# ------------------------------------------------------------------ value parsing


def _arrow(s: pd.Series):
    """The column as a pyarrow string array (zero-copy for pandas' ``str`` dtype)."""
    import pyarrow as pa

    arr = s.array
    if hasattr(arr, "_pa_array"):
        out = arr._pa_array
    else:
        out = pa.array(s.astype("str").array._pa_array if s.dtype != "str" else s.array)
    if isinstance(out, pa.ChunkedArray):
        out = out.combine_chunks() if out.num_chunks != 1 else out.chunk(0)
    if out.type != pa.large_string():
        out = out.cast(pa.large_string())
    return out


_NUMBER_OK = r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$"


def parse_numbers(s: pd.Series, decimal: str = ".", thousands: str = "") -> pd.Series:
    """Numbers written as text -> float64 (NaN where empty or not a number).

    Handles thousands separators (any kind of space always), a decimal comma,
    accounting negatives ``(1 200,00)``, SAP's trailing minus ``1200-`` and a leading ``+``.
    Cells that already hold numbers (from a workbook) are kept as they are.
    Vectorised with pyarrow string kernels.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if s.dtype == object:
        out = pd.to_numeric(
            s.where(s.map(lambda v: isinstance(v, (int, float)) and not isinstance(v, bool))),
            errors="coerce",
        ).astype("float64")
        text = s.where(s.map(lambda v: isinstance(v, str))).astype("str")
        rest = parse_numbers(text, decimal, thousands)
        return out.fillna(rest)
    if pd.api.types.is_numeric_dtype(s):
        return s.astype("float64")
    if not len(s):
        return pd.Series([], index=s.index, dtype="float64")
    t = _arrow(s)
    if pc.any(pc.match_substring_regex(t, "[\u0660-\u066c\u06f0-\u06f9]")).as_py():
        # Persian and Arabic digits and separators
        for i in range(10):
            t = pc.replace_substring(t, chr(0x0660 + i), str(i))
            t = pc.replace_substring(t, chr(0x06F0 + i), str(i))
        t = pc.replace_substring(pc.replace_substring(t, "\u066c", ""), "\u066b", decimal)
    for blank in (" ", "\u00a0", "\u202f", "\u2007", "\t", "\r", "\n"):
        if pc.any(pc.match_substring(t, blank)).as_py():
            t = pc.replace_substring(t, blank, "")
    if (
        thousands
        and thousands not in (" ", "\u00a0", "\u202f")
        and pc.any(pc.match_substring(t, thousands)).as_py()
    ):
        t = pc.replace_substring(t, thousands, "")
    if decimal == ",":
        t = pc.replace_substring(t, ",", ".")
    neg = pc.or_(pc.ends_with(t, "-"), pc.starts_with(t, "("))
    if pc.any(neg).as_py():
        stripped = pc.utf8_trim(t, "()-")
        t = pc.if_else(
            neg,
            pc.binary_join_element_wise(
                pa.scalar("-", pa.large_string()), stripped, pa.scalar("", pa.large_string())
            ),
            t,
        )
    try:
        vals = pc.cast(t, pa.float64()).to_numpy(zero_copy_only=False)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        ok = pc.match_substring_regex(t, _NUMBER_OK)
        t = pc.if_else(ok, t, pa.scalar(None, pa.large_string()))
        vals = pc.cast(t, pa.float64()).to_numpy(zero_copy_only=False)
    return pd.Series(vals, index=s.index, dtype="float64")


def parse_dates(s: pd.Series, date_format: str | None = None, dayfirst: bool = True) -> pd.Series:
    """Dates -> ``datetime64[ns]`` at midnight (NaT where empty or not a date).

    Text is read with ``date_format`` (or ``"excel"`` for serial numbers); the time of day,
    if any, is dropped. Workbook cells holding dates or serial numbers are read as such.
    Fast path: pyarrow's strptime, checked by formatting back; values that do not
    round-trip (no zero padding, impossible dates) are read strictly by pandas.
    """
    if s.dtype == object:
        is_dt = s.map(lambda v: hasattr(v, "year"))
        is_num = s.map(lambda v: isinstance(v, (int, float)) and not isinstance(v, bool))
        out = pd.to_datetime(s.where(is_dt), errors="coerce")
        serial = pd.to_numeric(s.where(is_num), errors="coerce")
        out = out.fillna(_from_serial(serial))
        text = s.where(s.map(lambda v: isinstance(v, str))).astype("str")
        if text.notna().any():
            fmt = (
                date_format
                or detect_date_format(text.dropna().str.strip(), dayfirst)["date_format"]
            )
            out = out.fillna(parse_dates(text, fmt, dayfirst))
        return _ns(out)
    if pd.api.types.is_datetime64_any_dtype(s):
        return _ns(s)
    if pd.api.types.is_numeric_dtype(s):
        return _ns(_from_serial(s))
    if date_format == "excel":
        return _ns(_from_serial(parse_numbers(s)))
    if not len(s):
        return pd.Series([], index=s.index, dtype="datetime64[ns]")
    has_time = bool(date_format) and any(x in date_format for x in ("%H", "%M", "%S", "%I"))
    if not date_format:
        part = _date_part(s)
        return _ns(pd.to_datetime(part, errors="coerce", dayfirst=dayfirst, format="mixed"))
    return _ns(_strptime(s, date_format, has_time))


_FIELD_RE = {
    "%d": r"(?P<d>\d{1,2})",
    "%m": r"(?P<m>\d{1,2})",
    "%Y": r"(?P<Y>\d{4})",
    "%y": r"(?P<y>\d{2})",
}


def _numeric_date_regex(fmt: str) -> str | None:
    """A regex with named groups for formats made of %d %m %Y %y and literal separators."""
    parts = re.split(r"(%.)", fmt)
    out = []
    for p in parts:
        if p.startswith("%"):
            if p not in _FIELD_RE:
                return None
            out.append(_FIELD_RE[p])
        else:
            out.append(re.escape(p))
    pattern = "".join(out)
    if (
        "(?P<d>" not in pattern
        or "(?P<m>" not in pattern
        or not ("(?P<Y>" in pattern or "(?P<y>" in pattern)
    ):
        return None
    return r"^\s*" + pattern + r"(?:[T\s].*)?$"


def _fixed_width_dates(t, fmt: str) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Zero-padded dates read straight from the string bytes (numpy, no regex).

    Returns ``(fast, values)``: ``fast`` marks the rows read this way (ASCII digits and the
    format's separators at their places, optionally followed by a time); the others are
    left to the slower strict parser. ``(None, None)`` when the format is not fixed-width.
    """
    import pyarrow as pa

    layout: list[tuple[str, int, int]] = []  # (field or literal, start, length)
    pos = 0
    for p in re.split(r"(%.)", fmt):
        if not p:
            continue
        width = {"%d": 2, "%m": 2, "%Y": 4, "%y": 2}.get(p)
        if p.startswith("%") and width is None:
            return None, None
        if width is None:
            if not p.isascii():
                return None, None
            layout.append((p, pos, len(p)))
            pos += len(p)
        else:
            layout.append((p, pos, width))
            pos += width
    total = pos
    if isinstance(t, pa.ChunkedArray):
        t = t.combine_chunks()
    n = len(t)
    if n == 0:
        return np.zeros(0, dtype=bool), np.zeros(0, dtype="datetime64[ns]")
    bufs = t.buffers()
    offsets = np.frombuffer(bufs[1], dtype=np.int64, count=n + 1, offset=t.offset * 8)
    data = np.frombuffer(bufs[2], dtype=np.uint8) if bufs[2] is not None else np.zeros(0, np.uint8)
    start = offsets[:-1]
    length = offsets[1:] - start
    valid = ~np.asarray(t.is_null().to_numpy(zero_copy_only=False), dtype=bool)
    fast = valid & (length >= total)
    longer = fast & (length > total)
    if longer.any():
        nxt = np.zeros(n, dtype=np.uint8)
        nxt[longer] = data[start[longer] + total]
        fast &= ~longer | (nxt == ord(" ")) | (nxt == ord("T"))
    idx = np.flatnonzero(fast)
    st = start[idx]
    ok = np.ones(len(idx), dtype=bool)
    fields: dict[str, np.ndarray] = {}
    for part, p0, w in layout:
        if part.startswith("%"):
            val = np.zeros(len(idx), dtype=np.int64)
            for k in range(w):
                c = data[st + p0 + k].astype(np.int64) - 48
                ok &= (c >= 0) & (c <= 9)
                val = val * 10 + c
            fields[part] = val
        else:
            for k, ch in enumerate(part.encode()):
                ok &= data[st + p0 + k] == ch
    fast[idx[~ok]] = False
    keep = ok
    d = fields["%d"][keep]
    m = fields["%m"][keep]
    if "%Y" in fields:
        y = fields["%Y"][keep]
    else:
        yy = fields["%y"][keep]
        y = np.where(yy < 69, 2000 + yy, 1900 + yy)
    good = (m >= 1) & (m <= 12) & (d >= 1) & (y >= 1678) & (y <= 2261)
    k = np.where(good, (y - 1970) * 12 + (m - 1), 0)
    k0 = int(k.min()) if len(k) else 0
    # calendar of the months present: first day (days since epoch) and length
    span = (
        np.arange(k0, (int(k.max()) if len(k) else 0) + 2)
        .astype("datetime64[M]")
        .astype("datetime64[D]")
    )
    first = span.astype(np.int64)
    days_in = np.diff(first)
    j = k - k0
    good &= d <= days_in[j]
    day_n = first[:-1][j] + d - 1
    ns = np.where(good, day_n * 86_400_000_000_000, np.iinfo(np.int64).min)
    out = np.full(n, np.iinfo(np.int64).min, dtype=np.int64)
    out[idx[keep]] = ns
    return fast, out.view("datetime64[ns]")


def _strptime(s: pd.Series, fmt: str, has_time: bool, fast_path: bool = True) -> pd.Series:
    """Strict, vectorised date parsing.

    Day-month-year formats: zero-padded values are read straight from the string bytes
    (numpy), the rest split with one regex (pyarrow); both assembled in numpy with
    impossible dates (31.02.) left empty. Other formats go through pandas.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    t = _arrow(s)
    pattern = None if has_time else _numeric_date_regex(fmt)
    if pattern is None:
        return pd.to_datetime(s.str.strip(), format=fmt, errors="coerce")
    fast, values = _fixed_width_dates(t, fmt) if fast_path else (None, None)
    if fast is not None and fast.all():
        return pd.Series(values, index=s.index)
    if fast is not None:
        rest = _strptime(s[~fast], fmt, has_time, fast_path=False) if (~fast).any() else None
        out = pd.Series(values, index=s.index)
        if rest is not None:
            out[~fast] = rest.to_numpy()
        return out
    parts = pc.extract_regex(t, pattern)
    names = [parts.type.field(i).name for i in range(parts.type.num_fields)]

    def field(name: str) -> np.ndarray:
        col = pc.struct_field(parts, [names.index(name)])
        return pc.cast(col, pa.int32()).to_numpy(zero_copy_only=False)

    valid = pc.is_valid(parts).to_numpy(zero_copy_only=False)
    n = len(t)
    if not valid.any():
        return pd.Series(np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]"), index=s.index)
    sub = pc.filter(parts, pa.array(valid))
    parts = sub
    d = field("d").astype(np.int64)
    m = field("m").astype(np.int64)
    if "Y" in names:
        y = field("Y").astype(np.int64)
    else:
        yy = field("y").astype(np.int64)
        y = np.where(yy < 69, 2000 + yy, 1900 + yy)  # as strptime's %y
    ok = (m >= 1) & (m <= 12) & (d >= 1) & (y >= 1678) & (y <= 2261)
    mc = np.clip(m, 1, 12)
    month0 = ((y - 1970) * 12 + (mc - 1)).astype("datetime64[M]")
    days_in = (month0 + 1).astype("datetime64[D]") - month0.astype("datetime64[D]")
    ok &= d <= days_in.astype(np.int64)
    dates = month0.astype("datetime64[D]") + (np.clip(d, 1, 31) - 1)
    dates = np.where(ok, dates, np.datetime64("NaT"))
    out = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    out[valid] = dates.astype("datetime64[ns]")
    return pd.Series(out, index=s.index)


def _from_serial(x: pd.Series) -> pd.Series:
    x = x.where((x > 0) & (x < 2958466))
    return pd.to_datetime(x, unit="D", origin="1899-12-30", errors="coerce")


def _ns(s: pd.Series) -> pd.Series:
    s = pd.to_datetime(s, errors="coerce")
    if getattr(s.dt, "tz", None) is not None:
        s = s.dt.tz_localize(None)
    return s.dt.normalize().astype("datetime64[ns]")
