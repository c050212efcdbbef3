"""One value formatter for everything a client reads: table cells and sentence values.

The display kind of a value comes from its canonical column or parameter name (the
suffix convention of the data contract) and its type: ``*_pct`` percent, ``*_pp`` percentage points, ``*_n`` /
``*_count`` / ``*_days`` whole numbers, ``*_date`` dates, money-like names (revenue,
profit, margin, amount, cost, ``cts_*`` ...) money, scores and FTE with one decimal. The HTML
report and the workbook format table cells with it, the contributors format sentence
values with it (:func:`format_params`), and notebooks can show a table the same way.

>>> from kamaudit.deliverables.i18n import Catalog
>>> c = Catalog("en", "EUR")
>>> format_params({"customers_n": 1234, "loss_pct": 37.26, "loss_amount": 1500.0}, c)
{'customers_n': '1,234', 'loss_pct': '37\\xa0%', 'loss_amount': '1,500\\xa0€'}
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any, Literal

import numpy as np
import pandas as pd

FormatKind = Literal[
    "money", "money0", "pct", "points", "ratio", "int", "float", "score", "date", "text"
]

_MONEY = re.compile(
    r"(revenue|profit|margin|amount|cost|^cts_|sales|discount|rebate|cogs|price|value|wallet|clv|saving)"
)


def infer_format(column: str, dtype) -> FormatKind:
    """The display kind of a column from its canonical name and dtype."""
    name = column.lower()
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "date"
    if pd.api.types.is_bool_dtype(dtype):
        return "text"
    if not pd.api.types.is_numeric_dtype(dtype):
        return "date" if name.endswith("_date") or name in ("start", "end") else "text"
    if name.endswith("_pct") or name.endswith("_share"):
        return "pct"
    if name.endswith("_pp"):  # a difference of two percentages: percentage points
        return "points"
    if name.endswith(("_n", "_count", "_days", "_rank")) or name in ("rank", "n"):
        return "int"
    if name.endswith(("_score", "attractiveness", "strength", "_fte")) or name == "fte":
        return "score"
    if name.endswith(("_probability", "_frequency", "frequency", "probability", "_prob")):
        return "ratio"
    if _MONEY.search(name) and not name.endswith("_pct"):
        return "money"
    if pd.api.types.is_integer_dtype(dtype):
        return "int"
    return "float"


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def format_value(value: Any, kind: str, fmt, t, inline: bool = False) -> str:
    """One value as the client reads it, in the engagement's locale.

    ``inline`` is for a value inside a sentence: money carries its currency (none when
    the engagement names none: never a guessed symbol) and a share of ten percent or more
    is rounded to whole percent; in a table the currency is in the header and every share
    has one decimal. Amounts are totals for the audited period unless their name says
    ``per_year``; the period's label (:func:`kamaudit.synthesis.evidence.period_label`)
    says which.
    """
    if _missing(value):
        return "–" if inline else ""
    if isinstance(value, (bool, np.bool_)):
        return t("common.yes") if value else t("common.no")
    try:
        if kind in ("money", "money0"):
            named = getattr(fmt, "currency", "") is not None
            return fmt.money(value) if inline and named else fmt.number(value, 0)
        if kind == "pct":
            return fmt.pct(value, 0 if inline and abs(float(value)) >= 10 else 1)
        if kind == "points":
            return fmt.number(value, 1) + "\u00a0" + t("common.points_unit")
        if kind == "ratio":
            return fmt.pct(float(value) * 100, 1)
        if kind == "int":
            return fmt.number(value, 0)
        if kind == "float":
            whole = inline and float(value).is_integer()
            return fmt.number(value, 0 if whole else 2)
        if kind == "score":
            return fmt.number(value, 1)
        if kind == "date":
            return fmt.date(value)
    except (TypeError, ValueError, ArithmeticError):
        return str(value)
    if isinstance(value, (pd.Timestamp, dt.date)):
        return fmt.date(value)
    return str(value)


def _isolated(text: str, rtl: bool) -> str:
    """Text set into a right-to-left sentence, isolated (FSI … PDI) so that a Latin
    name's own punctuation ("Sp. z o.o.", "(Europe)") stays with the name instead of
    wandering to the sentence's ends; left-to-right sentences take it as it is."""
    return f"\u2068{text}\u2069" if rtl and text else text


def format_params(params: dict[str, Any], fmt, t=None) -> dict[str, str]:
    """Sentence values formatted by their names (``format_value`` with ``inline``).

    Lists are joined with the language's list separator (``Catalog.join``); text stays as
    it is, isolated for bidi in a right-to-left language.
    """
    t = t or getattr(fmt, "t", None)
    rtl = bool(getattr(fmt, "rtl", False))
    out: dict[str, str] = {}
    for name, value in params.items():
        if isinstance(value, (list, tuple)):
            join = getattr(fmt, "join", None) or ", ".join
            out[name] = join(_isolated(str(v), rtl) for v in value)
            continue
        if isinstance(value, str):
            out[name] = _isolated(value, rtl)
            continue
        dtype = np.asarray(value).dtype if isinstance(value, (int, float)) else np.dtype(object)
        out[name] = format_value(value, infer_format(name, dtype), fmt, t, inline=True)
    return out


def labelled(df: pd.DataFrame, catalog) -> pd.DataFrame:
    """``df`` with the client's codes in words: every column the contract lists in
    :data:`kamaudit.contract.LABELLED_COLUMNS` through ``catalog.label`` (missing stays
    missing). Returns a new frame when something changes, else ``df`` itself.
    """
    from ..contract import LABELLED_COLUMNS

    columns = [
        c
        for c in df.columns
        if c in LABELLED_COLUMNS and not pd.api.types.is_numeric_dtype(df[c].dtype)
    ]
    if not columns or not hasattr(catalog, "label"):
        return df
    out = df.copy()
    for c in columns:
        vocabulary = LABELLED_COLUMNS[c]
        out[c] = [None if _missing(v) else catalog.label(vocabulary, v) for v in df[c]]
    return out
