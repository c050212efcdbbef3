"""Message catalogs and locale formatting for the deliverables.

Every label, heading and sentence a client reads comes from a catalog:
``kamaudit/deliverables/locales/<language>/*.yaml`` (one file per part of the report,
merged). English is complete; another language is a folder of YAML files, and any key
it lacks falls back to English, so adding a language never touches logic.

>>> cat = Catalog("en")
>>> cat.t("report.title", client="Acme")       # doctest: +SKIP
'KAM audit: Acme'
"""

from __future__ import annotations

import contextlib
import datetime as dt
from functools import cache
from pathlib import Path

import yaml
from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal

from ..messages import plural_count

__all__ = ["Catalog", "available_languages", "is_plural", "plural_count"]

LOCALES_DIR = Path(__file__).resolve().parent / "locales"
BABEL_LOCALES = {"en": "en_GB", "cs": "cs_CZ", "pl": "pl_PL", "ru": "ru_RU", "fa": "fa_IR"}
RTL = {"fa"}
NUMBERING = {"fa": "arabext"}  # Persian separators (٬ ٫); digits mapped below
_DIGITS = {"fa": str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")}


PLURAL_CATEGORIES = ("zero", "one", "two", "few", "many", "other")
"""CLDR plural categories: a catalog value that is a mapping of these (``other`` required)
is one plural message, chosen by the count (:meth:`Catalog.t`), not a group of keys."""

Entry = str | dict[str, str]


def is_plural(value) -> bool:
    """True for a mapping of CLDR plural categories with an ``other`` form."""
    return (
        isinstance(value, dict)
        and "other" in value
        and all(str(k) in PLURAL_CATEGORIES for k in value)
    )


@cache
def _load(language: str) -> dict[str, Entry]:
    folder = LOCALES_DIR / language
    merged: dict[str, Entry] = {}
    if not folder.is_dir():
        return merged
    for path in sorted(folder.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        merged.update(_flatten(data))
    return merged


def _flatten(d: dict, prefix: str = "") -> dict[str, Entry]:
    """Dotted keys to texts; a plural mapping (:func:`is_plural`) stays one leaf."""
    out: dict[str, Entry] = {}
    for k, v in d.items():
        key = f"{prefix}.{k}" if prefix else str(k)
        if is_plural(v):
            out[key] = {str(c): str(text) for c, text in v.items()}
        elif isinstance(v, dict):
            out.update(_flatten(v, key))
        else:
            out[key] = str(v)
    return out


def _missing(x) -> bool:
    """True for None, NaN, NaT and pd.NA (any scalar pandas treats as missing)."""
    if x is None:
        return True
    try:
        import pandas as pd

        res = pd.isna(x)
    except (TypeError, ValueError):
        return False
    return bool(res) if isinstance(res, bool) or getattr(res, "shape", None) == () else False


def _no_negative_zero(x, decimals: int):
    """``x``, or 0 when it rounds to zero at ``decimals``: "-0.0 %" is not a figure."""
    try:
        return 0 if round(float(x), decimals) == 0 else x
    except (TypeError, ValueError, OverflowError):
        return x


def available_languages() -> list[str]:
    return sorted(p.name for p in LOCALES_DIR.iterdir() if p.is_dir())


class Catalog:
    """Translate keys and format numbers and dates for one language."""

    def __init__(self, language: str = "en", currency: str | None = "EUR"):
        self.language = language
        self.currency = currency
        self.locale = Locale.parse(BABEL_LOCALES.get(language, "en_GB"))
        self._messages = {**_load("en"), **_load(language)}
        self._client_labels: dict[str, dict[str, str]] = {}

    @property
    def rtl(self) -> bool:
        return self.language in RTL

    def has(self, key: str) -> bool:
        return key in self._messages

    def plural_category(self, count) -> str:
        """The CLDR plural category of ``count`` in this language (babel's rules)."""
        try:
            number = abs(float(count))
        except (TypeError, ValueError):
            return "other"
        if number != number or number == float("inf"):
            return "other"
        return self.locale.plural_form(int(number) if number.is_integer() else number)

    def plural_categories(self) -> set[str]:
        """Every category a plural message of this language must carry."""
        return set(self.locale.plural_form.tags) | {"other"}

    def t(self, key: str, default: str | None = None, count=None, **values) -> str:
        """The message for ``key`` with ``{placeholders}`` filled.

        A plural message (a mapping of CLDR categories) gives the form of ``count``'s
        category in this language, or ``other`` when ``count`` is missing or the form is.
        A missing key returns ``default`` if given, else the key itself (and tests check
        that no key is missing from the English catalog).
        """
        text = self._messages.get(key)
        if isinstance(text, dict):
            form = self.plural_category(count) if count is not None else "other"
            text = text.get(form) or text["other"]
        if text is None:
            text = default if default is not None else key
        if values:
            with contextlib.suppress(KeyError, IndexError, ValueError):
                text = text.format(**values)
        return text

    def tn(self, key: str, n, **values) -> str:
        """A counted message: ``t(key, count=n)`` with ``{n}`` the count in this locale."""
        return self.t(key, count=n, n=self.number(n), **values)

    @property
    def _numbering(self) -> dict:
        system = NUMBERING.get(self.language)
        return {"numbering_system": system} if system else {}

    def _digits(self, text: str) -> str:
        """Native digits where the language writes them (Persian ۰–۹)."""
        table = _DIGITS.get(self.language)
        return text.translate(table) if table else text

    def column(self, name: str) -> str:
        """The client-facing label of a canonical column."""
        return self._messages.get(f"columns.{name}") or name.replace("_", " ").capitalize()

    def label(self, vocabulary: str, code) -> str:
        """A code from the client's data in the client's words: the client's own label
        (:meth:`client_labels`), else the catalog's ``labels.<vocabulary>.<code>``, else the
        code humanised (``rush_order`` -> "rush order"); never the raw code.

        >>> Catalog("cs").label("activity", "sales_visit")
        'obchodní návštěva'
        """
        if _missing(code):
            return ""
        text = str(code).strip()
        own = self._client_labels.get(vocabulary, {}).get(text)
        if own:
            return own
        found = self._messages.get(f"labels.{vocabulary}.{text.lower()}")
        if isinstance(found, str):
            return found
        return text.replace("_", " ").strip()

    def join(self, items) -> str:
        """Items as a list in this language's separator (CLDR: ", "; Persian "، ")."""
        pattern = self.locale.list_patterns["standard"].get("middle", "{0}, {1}")
        return pattern.replace("{0}", "").replace("{1}", "").join(str(i) for i in items)

    def client_labels(self, vocabulary: str, labels: dict) -> None:
        """Names the client gave its own codes (a cost pool's ``label``): they win."""
        clean = {
            str(k): str(v).strip() for k, v in labels.items() if not _missing(v) and str(v).strip()
        }
        self._client_labels.setdefault(vocabulary, {}).update(clean)

    def table(self, name: str) -> str:
        """The client-facing name of a contract table (``cost_pools`` -> "cost pools")."""
        return self._messages.get(f"synthesis.tables.{name}") or name.replace("_", " ")

    # numbers -----------------------------------------------------------------
    def number(self, x, decimals: int = 0) -> str:
        if _missing(x):
            return "–"
        fmt = "#,##0" + ("." + "0" * decimals if decimals else "")
        x = _no_negative_zero(x, decimals)
        return self._digits(format_decimal(x, format=fmt, locale=self.locale, **self._numbering))

    def money(self, x, decimals: int = 0) -> str:
        """An amount with its currency; with no currency named, the bare number."""
        if _missing(x):
            return "–"
        if not self.currency:
            return self.number(x, decimals)
        fmt = "#,##0" + ("." + "0" * decimals if decimals else "") + "\u00a0¤"
        x = _no_negative_zero(x, decimals)
        return self._digits(
            format_currency(
                x,
                self.currency,
                format=fmt,
                locale=self.locale,
                currency_digits=False,
                **self._numbering,
            )
        )

    def pct(self, x, decimals: int = 1) -> str:
        """``x`` in percent units (12.5 -> "12.5 %"; Persian "۱۲٫۵٪", the sign its
        catalog text uses, so one page has one percent sign)."""
        if _missing(x):
            return "–"
        system = self._numbering.get("numbering_system", "latn")
        symbols = self.locale.number_symbols.get(system) or self.locale.number_symbols["latn"]
        sign = symbols.get("percentSign", "%").strip("\u200e\u200f\u061c")
        return self.number(x, decimals) + (sign if sign == "٪" else "\u00a0" + sign)

    def date(self, d) -> str:
        if _missing(d):
            return "–"
        if isinstance(d, str):
            try:
                d = dt.date.fromisoformat(d[:10])
            except ValueError:
                return d
        if hasattr(d, "astype") and not hasattr(d, "date"):  # numpy.datetime64
            import pandas as pd

            d = pd.Timestamp(d)
        if hasattr(d, "date") and not isinstance(d, dt.date):
            d = d.date()
        if isinstance(d, dt.datetime):
            d = d.date()
        try:
            return self._digits(format_date(d, format="medium", locale=self.locale))
        except (TypeError, ValueError, AttributeError):
            return str(d)
