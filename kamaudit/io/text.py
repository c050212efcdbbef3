"""CSV and other delimited text exports: pyarrow's CSV reader when the file is regular,
pandas' C parser otherwise, with the client's line numbers kept for every row."""

from __future__ import annotations

import codecs
import csv
import io
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError
from .encodings import (
    ENCODINGS,
    HEAD_BYTES,
    WHITESPACE,
    decode_by_line,
    decode_head,
    detect_encoding,
    looks_binary,
    may_hold_utf8,
    respace,
    sniff_delimiter,
    whitespace_split,
)
from .headers import header_row, listed_headers
from .raw import RawTable, clean_header, note, opt, title_rows_note


def read_text(table: str, path: Path, spec: Any) -> RawTable:
    """Read one delimited text export: encoding, delimiter and header row as given or detected."""
    name = path.name
    options, encoding, delim, sample, header_idx = _layout(table, path, spec)
    utf8 = _utf8(table, path, spec, encoding, options)
    pattern = options.pop("whitespace", None)
    if pattern is not None:
        utf8 = respace(utf8.decode("utf-8"), pattern).encode("utf-8")
    first = max(header_idx, 0)
    if header_idx < 0:  # no header row: the width of the first line that holds values
        first = next((i for i, r in enumerate(sample) if any(c.strip() for c in r)), 0)
    n_fields = len(sample[first]) if first < len(sample) else 0
    df = _arrow_csv(utf8, delim, max(header_idx, 0), n_fields) if n_fields else None
    options["parser"] = opt("pyarrow" if df is not None else "pandas", "detected")
    read_wide = False
    if df is None:
        df, read_wide = _pandas_csv(name, utf8, delim, max(header_idx, 0))
    del utf8
    if not len(df):
        raise InputError(f"{name} holds no table: no header row was found.")
    if header_idx < 0:
        headers, keep = listed_headers(table, spec, df.shape[1], name)
        df = df.iloc[:, keep].reset_index(drop=True)
        read_wide = False
    else:
        headers = [clean_header(c) for c in df.iloc[0].tolist()]
        df = df.iloc[1:].reset_index(drop=True)
    df.columns = [f"__col{i}" for i in range(df.shape[1])]
    rows = _line_numbers(df, header_idx)
    if read_wide:
        width = max((i + 1 for i, h in enumerate(headers) if h), default=0)
        _check_wide_rows(table, name, df, width, rows, header_idx, options)
        df = df.iloc[:, :width]
        headers = headers[:width]
    raw = RawTable(
        table=table, df=df, rows=rows, file=path, sheet=None, options=options, headers=headers
    )
    if header_idx > 0:
        raw.notes.append(title_rows_note(raw, header_idx))
    if "mixed_encoding" in options:
        raw.notes.append(_mixed_note(raw, options["mixed_encoding"]))
    return raw


def _mixed_note(raw: RawTable, mixed: dict[str, Any]) -> dict:
    lines = mixed["lines"]
    shown = ", ".join(str(n) for n in lines[:10]) + (" …" if len(lines) > 10 else "")
    return note(
        raw,
        value=shown,
        problem=(
            f"{len(lines)} line(s) are not UTF-8 like the rest of the file (lines {shown}): "
            f"read as {mixed['value']}"
        ),
        action="corrected: read as " + mixed["value"],
        severity="warning",
        key="mixed_encoding",
        params={"n": len(lines), "lines": shown, "encoding": mixed["value"]},
    )


def _layout(
    table: str, path: Path, spec: Any
) -> tuple[dict[str, dict[str, Any]], str, str, list[list[str]], int]:
    """Encoding, delimiter and header row from the file's head (given ones win).

    Returns ``(options, encoding, delimiter, first rows split, 0-based header index)``.
    """
    name = path.name
    size = path.stat().st_size
    with open(path, "rb") as fh:
        head = fh.read(HEAD_BYTES)
    truncated = size > len(head)
    options: dict[str, dict[str, Any]] = {"format": opt("csv", "detected")}

    if spec.encoding:
        encoding = spec.encoding
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise InputError(
                f'{name}: encoding "{encoding}" is unknown; use one of {", ".join(ENCODINGS)} '
                f"in inputs.{table}.encoding."
            ) from None
        options["encoding"] = opt(encoding, "engagement file")
    else:
        encoding, why = detect_encoding(head)
        options["encoding"] = opt(encoding, "detected", why=why)
    if looks_binary(head, encoding):
        raise InputError(
            f"{name} is not a text table (it holds binary data): check that the right file is "
            f"named in inputs.{table}.path, and export the table as CSV or XLSX."
        )
    text = decode_head(head, encoding, truncated)
    lines = text.splitlines()
    if not any(ln.strip() for ln in lines):
        raise InputError(
            f"{name} holds no data, only blank lines: ask the client to export {table} again."
        )

    if spec.delimiter:
        delim = spec.delimiter
        options["delimiter"] = opt(delim, "engagement file")
    else:
        delim, score = sniff_delimiter(lines)
        options["delimiter"] = opt(delim, "detected")
        if score < 0.5:  # no character splits the lines: aligned by spaces?
            pattern, why, share = whitespace_split(lines)
            if share >= 0.8:
                delim = WHITESPACE
                options["delimiter"] = opt(delim, "detected", why=why)
    if delim == WHITESPACE:
        if "why" not in options["delimiter"]:  # given in the engagement file
            pattern, why, _ = whitespace_split(lines)
            options["delimiter"]["why"] = why
        options["whitespace"] = pattern
        lines = respace("\n".join(lines), pattern).split("\n")
        delim = "\t"

    sample = list(csv.reader(lines[:60], delimiter=delim))
    header_idx = header_row(table, spec, sample, len(lines), options, name, "lines")
    return options, encoding, delim, sample, header_idx


def _utf8(table: str, path: Path, spec: Any, encoding: str, options: dict) -> bytes:
    """The whole file decoded once (strictly) and re-encoded as UTF-8 for pyarrow and pandas.

    A detected encoding that fails past the head, or a one-byte code page over bytes that
    hold UTF-8 lines, is settled line by line: UTF-8 lines stay UTF-8, the others are
    read in their code page and named (``options["mixed_encoding"]``), never the whole
    file re-read in one guess.
    """
    name = path.name
    data = path.read_bytes()
    try:
        text_all = data.decode(encoding)
    except UnicodeDecodeError:
        if spec.encoding:
            raise InputError(
                f"{name} is not valid {encoding} text: set inputs.{table}.encoding to the "
                f"file's encoding (one of {', '.join(ENCODINGS)})."
            ) from None
        text_all = _by_line(data, None, options)
    else:
        if not spec.encoding and not encoding.startswith("utf") and may_hold_utf8(data):
            text_all = _by_line(data, encoding, options)
    return text_all.lstrip("\ufeff").encode("utf-8")


def _by_line(data: bytes, code_page: str | None, options: dict) -> str:
    text, other, lines = decode_by_line(data, code_page)
    if other is None:
        if code_page is None:  # no UTF-8 line at all: the whole file in one code page
            encoding, why = detect_encoding(data)
            options["encoding"] = opt(encoding, "detected", why=why + " (whole file)")
            return data.decode(encoding, errors="replace")
        return text
    options["encoding"] = opt(
        "utf-8", "detected", why=f"UTF-8, with {len(lines)} line(s) in {other}"
    )
    options["mixed_encoding"] = opt(other, "detected", lines=lines)
    return text


def _pandas_csv(name: str, utf8: bytes, delim: str, header_idx: int) -> tuple[pd.DataFrame, bool]:
    """pandas' C parser, every column as text; ``True`` when rows wider than the header
    made it read more columns than the header has (judged by the caller)."""
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
    df = None
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
    return df, "names" in kwargs


def _line_numbers(df: pd.DataFrame, header_idx: int) -> np.ndarray:
    """Each row's line number in a text editor (quoted values spanning lines shift later rows)."""
    rows = header_idx + 2 + np.arange(len(df), dtype=np.int64)
    if len(df) and _has_newlines(df):
        extra = np.zeros(len(df), dtype=np.int64)
        for col in df.columns:
            extra += df[col].str.count("\n").fillna(0).to_numpy(dtype=np.int64)
        rows = rows + np.concatenate([[0], np.cumsum(extra)[:-1]])
    return rows


def _check_wide_rows(
    table: str,
    name: str,
    df: pd.DataFrame,
    width: int,
    rows: np.ndarray,
    header_idx: int,
    options: dict,
) -> None:
    """Values right of the header's last column (not just trailing delimiters) are an error."""
    wide = df.iloc[:, width:]
    filled = wide.notna() & (wide.apply(lambda c: c.str.strip()) != "")
    hit = np.flatnonzero(filled.any(axis=1).to_numpy())
    if len(hit):
        i = int(hit[0])
        saw = int(np.flatnonzero(filled.iloc[i].to_numpy())[-1]) + width + 1
        d = _show_delim(options["delimiter"]["value"])
        source = options["delimiter"]["source"]
        raise InputError(
            f"{name}, row {int(rows[i])}: {saw} values where the header (row {header_idx + 1}) has "
            f'{width}. The delimiter is "{d}" ({source}): if that is wrong, set '
            f'inputs.{table}.delimiter; otherwise a text value holds an unquoted "{d}" and needs quotes.'
        )


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
