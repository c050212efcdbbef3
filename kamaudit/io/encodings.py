"""Text detection: the encoding of an export's bytes, binary data posing as text, and the
delimiter that splits its lines into the most consistent columns."""

from __future__ import annotations

import codecs
import csv
import re

import numpy as np

ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "cp1250", "cp1251", "latin-1")
HEAD_BYTES = 256 * 1024


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


def decode_head(data: bytes, encoding: str, truncated: bool) -> str:
    text = data.decode(encoding, errors="replace")
    if truncated and "\n" in text:
        text = text[: text.rfind("\n")]
    return text.lstrip("\ufeff")


def looks_binary(data: bytes, encoding: str) -> bool:
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


_UTF8_PAIR = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}")


def may_hold_utf8(data: bytes) -> bool:
    """Whether bytes read as a one-byte code page hold UTF-8 sequences worth a per-line look."""
    return _UTF8_PAIR.search(data) is not None


def decode_by_line(data: bytes, fallback: str | None = None) -> tuple[str, str | None, list[int]]:
    """Decode an export whose lines are not all in one encoding.

    Each line is UTF-8 when it decodes strictly as UTF-8; the other lines are decoded in
    the one-byte code page their bytes read as (detected on those lines together, unless
    ``fallback`` is given). Returns ``(text, the other encoding or None, the 1-based line
    numbers decoded in it)``; with no UTF-8 line beyond ASCII the whole file is the code
    page's and no line is named.
    """
    lines = data.split(b"\n")
    utf8_lines, other = 0, []
    for i, line in enumerate(lines):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            utf8_lines += 1
        except UnicodeDecodeError:
            other.append(i)
    if not other:
        return data.decode("utf-8"), None, []
    legacy = fallback or detect_encoding(b"\n".join(lines[i] for i in other))[0]
    if legacy.startswith("utf"):
        legacy = "cp1250"
    if not utf8_lines:
        return data.decode(legacy, errors="replace"), None, []
    for i in other:
        lines[i] = lines[i].decode(legacy, errors="replace").encode("utf-8")
    return b"\n".join(lines).decode("utf-8"), legacy, [i + 1 for i in other]


WHITESPACE = "whitespace"
_RUNS = {
    "runs of spaces or tabs": re.compile(r"[ \t]+"),
    "two or more spaces, or tabs": re.compile(r"\t|[ ]{2,}"),
}


def whitespace_split(lines: list[str]) -> tuple[re.Pattern, str, float]:
    """How a whitespace-aligned export splits: on any run of spaces, or only on two or more
    (so "Acme Ltd" stays one value), whichever gives the lines the most consistent width.
    Returns ``(pattern, why, share of lines at the usual width)``."""
    body = [ln.strip() for ln in lines if ln.strip()][:200]
    best = (_RUNS["runs of spaces or tabs"], "runs of spaces or tabs", 0.0)
    for why, pat in _RUNS.items():
        counts = [len(pat.split(ln)) for ln in body]
        if not counts:
            continue
        values, freq = np.unique(counts, return_counts=True)
        mode = int(values[freq == freq.max()].max())
        share = float(freq.max()) / len(counts) if mode >= 2 else 0.0
        if share > best[2] + 0.02:
            best = (pat, why, share)
    return best


def respace(text: str, pattern: re.Pattern) -> str:
    """Whitespace-aligned lines as tab-separated ones (values never hold a tab here)."""
    return "\n".join(
        "\t".join(pattern.split(ln.strip())) if ln.strip() else "" for ln in text.splitlines()
    )
