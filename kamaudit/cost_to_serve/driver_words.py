"""Drivers in the client's words: what a cost pool's ``driver`` cell means.

A client writes the driver the way it counts the activity: "deliveries", "calls",
"rush_orders", "dodávky", "звонки". :func:`resolve_driver` turns such a word into one of
the known drivers (:data:`~kamaudit.cost_to_serve.drivers.DRIVERS`) and, for activity
drivers, the activity of the data whose rows count, in this order:

1. a known driver keyword (``hours``, ``invoices``, ``invoice_lines``, ``credit_notes``,
   ``customers``, ``revenue``, ``activity``), in any of the five catalog languages
   (``cost_to_serve.driver_words``) and in any inflection (see below);
2. a word naming an activity present in the activities table, compared after case
   folding, accent folding and plural / case endings (English ``-s``, ``-es``, ``-ies``;
   Czech, Polish and Russian noun endings), or through a synonym or translation listed in
   the catalogs (``cost_to_serve.activity_words``: each concept's words in each language)
   -> that activity's quantity; its hours when the word also names hours
   ("support hours", "hodiny podpory");
3. only when no activity of the data matches, the ledger count the word names
   (:data:`LEDGER_COUNTS`: orders -> invoices, returns -> credit notes).

Anything else is unresolved: :func:`check_drivers` makes it one sentence naming the file,
row, pool and word, with a did-you-mean and the accepted words.

>>> r = resolve_driver("Deliveries", "delivery", ["delivery", "call"])
>>> r.driver, r.activity, r.reason
('activity', 'delivery', 'plural')
"""

from __future__ import annotations

import difflib
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from ..errors import InputError

__all__ = [
    "LEDGER_COUNTS",
    "Resolution",
    "accepted_words",
    "check_drivers",
    "pool_activities",
    "resolve_driver",
    "unresolved_drivers",
]

LOCALES = Path(__file__).resolve().parents[1] / "deliverables" / "locales"
LANGUAGES = ("en", "cs", "pl", "ru", "fa")

KEYWORDS = (
    "activity",
    "hours",
    "invoices",
    "invoice_lines",
    "credit_notes",
    "customers",
    "revenue",
)
"""The known drivers (what :func:`resolve_driver` returns in ``driver``)."""

LEDGER_COUNTS: dict[str, str] = {
    "order": "invoices",
    "order_line": "invoice_lines",
    "return": "credit_notes",
    "customer": "customers",
    "sale": "revenue",
}
"""Activity concept (a key of ``cost_to_serve.activity_words``) -> the ledger count used
when the activities table has no rows for it."""

# English plural rules, then Czech/Polish and Russian noun endings (longest first).
_EN_RULES = (("ies", "y"), ("ches", "ch"), ("shes", "sh"), ("sses", "ss"), ("xes", "x"))
_LATIN_ENDINGS = (
    "ami", "ach", "ách", "ích", "ům", "ow", "ów", "om", "y", "e", "ě", "i", "a", "u", "o", "ę",
    "ą", "s",
)  # fmt: skip
_CYRILLIC_ENDINGS = (
    "ый", "ий", "ой", "ые", "ие", "ая", "яя", "ое", "ее", "ых", "их",
    "ями", "ами", "ов", "ев", "ей", "ам", "ям", "ах", "ях", "ы", "и", "а", "я", "е", "у", "ь",
    "о",
)  # fmt: skip
_ARABIC_ENDINGS = ("های", "ها", "ان")
_FLEETING = (("ek", "k"), ("ok", "k"), ("ок", "к"), ("ек", "к"))
_MIN_STEM = 3


def _fold(text: str) -> str:
    """Case- and accent-folded text (``Dodávky`` -> ``dodavky``); Cyrillic keeps its letters."""
    out = []
    for c in unicodedata.normalize("NFC", str(text).casefold()):
        if ord(c) < 0x250:  # Latin: drop the accents (č -> c, ł stays ł)
            c = "".join(d for d in unicodedata.normalize("NFKD", c) if not unicodedata.combining(d))
        out.append(c)
    return "".join(out).replace("ё", "е")


def tokens(text: Any) -> tuple[str, ...]:
    """Words of a driver or activity name: folded, split on anything not a letter or digit."""
    text = re.sub("\u200c(های|ها)(?=\\W|$)", "", _fold(text)).replace("\u200c", "")
    return tuple(t for t in re.split(r"[\W_]+", text) if t)


@cache
def forms(token: str) -> frozenset[str]:
    """The token and the stems its plural or case ending may hide.

    >>> sorted(forms("deliveries"))[:3]
    ['deliver', 'deliveri', 'deliveries']
    """
    out = {token}
    for end, repl in _EN_RULES:
        if token.endswith(end) and len(token) - len(end) + len(repl) >= _MIN_STEM:
            out.add(token[: -len(end)] + repl)
    ends = _LATIN_ENDINGS
    if re.search("[а-яё]", token):
        ends = _CYRILLIC_ENDINGS
    elif re.search("[\u0600-\u06ff]", token):
        ends = _ARABIC_ENDINGS
    for word in list(out):
        for end in ends:
            if word.endswith(end) and len(word) - len(end) >= _MIN_STEM:
                out.add(word[: -len(end)])
        if word.endswith("es") and len(word) - 2 >= _MIN_STEM:
            out.add(word[:-2])
    for word in list(out):
        for end, repl in _FLEETING:
            if word.endswith(end) and len(word) - len(end) + len(repl) >= _MIN_STEM:
                out.add(word[: -len(end)] + repl)
    return frozenset(out)


def same_words(a: Sequence[str], b: Sequence[str]) -> bool:
    """True when two names have as many words and each pair shares a form."""
    return len(a) == len(b) and all(
        x == y or forms(x) & forms(y) for x, y in zip(a, b, strict=True)
    )


@dataclass(frozen=True)
class Lexicon:
    """The catalogs' words: keyword synonyms, activity concepts, filler and hour words."""

    keywords: dict[str, tuple[tuple[str, ...], ...]]
    concepts: dict[str, tuple[tuple[str, ...], ...]]
    filler: frozenset[str]

    def keyword(self, words: tuple[str, ...]) -> str | None:
        joined = "_".join(words)
        if joined in KEYWORDS:
            return joined
        for key, phrases in self.keywords.items():
            if any(same_words(words, p) for p in phrases):
                return key
        return None

    def concepts_of(self, words: tuple[str, ...]) -> set[str]:
        return {
            c for c, phrases in self.concepts.items() if any(same_words(words, p) for p in phrases)
        }


def _phrases(text: str) -> tuple[tuple[str, ...], ...]:
    return tuple(t for t in (tokens(w) for w in str(text).split(",")) if t)


@cache
def lexicon(locales: Path = LOCALES) -> Lexicon:
    """The words of the five catalogs (``cost_to_serve.driver_words``, ``activity_words``,
    ``driver_filler``), merged over languages."""
    keywords: dict[str, list] = {k: [tokens(k)] for k in KEYWORDS}
    concepts: dict[str, list] = {}
    filler: set[str] = set()
    for lang in LANGUAGES:
        path = locales / lang / "cost_to_serve.yaml"
        if not path.is_file():
            continue
        data = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("cost_to_serve", {})
        for key, text in (data.get("driver_words") or {}).items():
            keywords.setdefault(key, []).extend(_phrases(text))
        for key, text in (data.get("driver_name") or {}).items():
            keywords.setdefault(key, []).extend(_phrases(text))
        for key, text in (data.get("activity_words") or {}).items():
            concepts.setdefault(key, [tokens(key)]).extend(_phrases(text))
        for p in _phrases(data.get("driver_filler", "")):
            filler.update(p)
    return Lexicon(
        keywords={k: tuple(v) for k, v in keywords.items()},
        concepts={k: tuple(v) for k, v in concepts.items()},
        filler=frozenset(filler),
    )


@dataclass(frozen=True)
class Resolution:
    """What a pool's driver word resolved to, and why.

    ``driver``: a known driver; ``activity``: the activity of the data whose rows count
    (activity and hours drivers; None when the data has none); ``reason``: keyword,
    default, name, plural, catalog (synonym or translation) or ledger; ``why``: one line
    for the rates table ("deliveries -> quantity of activity rows 'delivery'").
    """

    word: str
    driver: str
    activity: str | None
    reason: str
    why: str


def _match_activity(words: tuple[str, ...], names: Sequence[str], lex: Lexicon):
    """(activity name of the data, reason) for ``words``, or (None, "")."""
    if not words:
        return None, ""
    named = [(n, tokens(n)) for n in names]
    for n, t in named:
        if t == words:
            return n, "name"
    for n, t in named:
        if same_words(words, t):
            return n, "plural"
    mine = lex.concepts_of(words)
    if mine:
        for n, t in named:
            if mine & lex.concepts_of(t):
                return n, "catalog"
    return None, ""


_HOW = {
    "name": "same name",
    "plural": "plural or inflection",
    "catalog": "synonym or translation in the catalogs",
}


def _is_empty(word: Any) -> bool:
    return word is None or (isinstance(word, float) and math.isnan(word)) or not str(word).strip()


def _what(driver: str, activity: str | None) -> str:
    measure = "hours" if driver == "hours" else "quantity"
    return f"{measure} of activity rows '{activity}'"


def resolve_driver(
    word: Any, pool_activity: str, activity_names: Iterable[str], lex: Lexicon | None = None
) -> Resolution | None:
    """Resolve a pool's driver word (see the module docstring); None when it cannot be.

    Parameters
    ----------
    word
        The pool's ``driver`` cell (empty means ``activity``).
    pool_activity
        The pool's ``activity`` cell: what ``activity`` and ``hours`` drivers count.
    activity_names
        The distinct activity names of the activities table (empty when there is none).
    """
    lex = lex or lexicon()
    names = [str(n) for n in activity_names]
    shown = "" if _is_empty(word) else str(word).strip()
    words = tuple(t for t in tokens(shown) if t not in lex.filler) or tokens(shown)
    key = "activity" if not shown else lex.keyword(words)
    if key is not None:
        reason = "default" if not shown else "keyword"
        if key not in ("activity", "hours"):
            return Resolution(shown, key, None, reason, f"{shown} -> {key}")
        act, how = _match_activity(tokens(pool_activity), names, lex)
        act = act or str(pool_activity)
        why = f"{shown or '(empty)'} -> {_what(key, act)}"
        if how not in ("", "name"):
            why += f" (pool '{pool_activity}': {_HOW[how]})"
        return Resolution(shown, key, act, reason, why)
    hour_idx = [i for i, w in enumerate(words) if lex.keyword((w,)) == "hours"]
    rest = tuple(w for i, w in enumerate(words) if i not in hour_idx)
    driver = "hours" if hour_idx and rest else "activity"
    act, how = _match_activity(rest if driver == "hours" else words, names, lex)
    if act is not None:
        why = f"{shown} -> {_what(driver, act)} ({_HOW[how]})"
        return Resolution(shown, driver, act, how, why)
    for concept in sorted(lex.concepts_of(words)):
        if concept in LEDGER_COUNTS:
            led = LEDGER_COUNTS[concept]
            why = f"{shown} -> {led} (no activity rows '{concept}': ledger count)"
            return Resolution(shown, led, None, "ledger", why)
    return None


def accepted_words(activity_names: Iterable[str]) -> list[str]:
    """What a driver cell may say: the keywords and the activity names of the data."""
    return [*KEYWORDS, *sorted({str(n) for n in activity_names})]


def unresolved_drivers(
    cost_pools: pd.DataFrame | None,
    activities: pd.DataFrame | None,
    skip: Iterable[str] = (),
) -> list[tuple[int, str, str, str | None]]:
    """``(position, pool activity, driver word, missing activity)`` of every pool whose
    driver is unresolved (missing activity None) or counts rows of an activity the
    activities table does not hold (that activity's name). Pools named in ``skip``
    (costed by a time equation) are not checked."""
    if cost_pools is None or not len(cost_pools):
        return []
    names = activity_names(activities)
    lex = lexicon()
    drivers = cost_pools["driver"] if "driver" in cost_pools.columns else [None] * len(cost_pools)
    out = []
    skipped = {str(s).strip().lower() for s in skip}
    for i, (act, word) in enumerate(zip(cost_pools["activity"], drivers, strict=True)):
        if str(act).strip().lower() in skipped:
            continue
        res = resolve_driver(word, act, names, lex)
        shown = "" if _is_empty(word) else str(word).strip()
        if res is None:
            out.append((i, str(act), shown, None))
        elif res.activity is not None and res.activity not in names:
            out.append((i, str(act), shown or "activity", res.activity))
    return out


def activity_names(activities: pd.DataFrame | None) -> list[str]:
    """Distinct activity names of the activities table, in order of first appearance."""
    if activities is None or not len(activities) or "activity" not in activities.columns:
        return []
    return [str(a) for a in pd.unique(activities["activity"].dropna().astype(str).str.strip())]


def check_drivers(
    cost_pools: pd.DataFrame | None,
    activities: pd.DataFrame | None,
    *,
    file: str = "cost_pools",
    header_row: int = 1,
    skip: Iterable[str] = (),
) -> None:
    """Raise :class:`~kamaudit.errors.InputError` naming every unresolved driver.

    One sentence per pool: file, row (as the client sees it), pool and word, a
    did-you-mean and the accepted words. ``cost_to_serve.unallocated: allow`` in the
    engagement file lets the run go on with that cost unallocated (the caller decides).
    """
    bad = unresolved_drivers(cost_pools, activities, skip)
    if not bad:
        return
    names = activity_names(activities)
    accepted = accepted_words(names)
    lines = []
    for pos, act, word, missing in bad:
        asked = word if missing is None else missing
        close = difflib.get_close_matches(_fold(asked).replace(" ", "_"), accepted, n=1, cutoff=0.5)
        hint = f' Did you mean "{close[0]}"?' if close else ""
        where = f'{file}, row {header_row + 1 + pos}, pool "{act}"'
        if missing is None:
            what = f'the driver "{word}" names no known driver and no activity of the activities table.'
        else:
            what = (
                f'the driver "{word}" counts activity rows "{missing}", but the activities '
                "table has none."
            )
        lines.append(
            f"{where}: {what}{hint} Accepted: {', '.join(accepted)} (or their plurals, "
            "synonyms and translations); or set  cost_to_serve.unallocated: allow  in the "
            "engagement file to leave that cost unallocated."
        )
    raise InputError("\n".join(lines))


def pool_activities(rates: pd.DataFrame, activities: pd.DataFrame | None) -> list[str | None]:
    """The activity of the data each pool of the rates table counts (None for ledger
    drivers and unresolved words), resolved again from ``driver_word``."""
    names = activity_names(activities)
    lex = lexicon()
    out = []
    for act, word in zip(rates["activity"], rates["driver_word"], strict=True):
        res = resolve_driver(word or None, act, names, lex)
        out.append(None if res is None else res.activity)
    return out
