"""The teaching view of the notebooks: what a sales manager reads on a projector.

:func:`show` turns a result table into a few labelled, rounded columns in the
engagement's language, with no NaN; :func:`sample_banner` says loudly which built-in
company a notebook audits when its parameters are empty; :func:`prose` shows a
notebook's explanatory text in the engagement's language. Texts come from the catalog
(``teaching.*`` in ``locales/<language>/seminar.yaml``, the notebooks' prose in
``locales/<language>/notebookNN.yaml``): one source, translated, never a copy per language.

>>> show(result.profile, ["name", "net_revenue", "quadrant"], ctx)   # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["Prose", "prose", "sample_banner", "show"]

_RULE = "=" * 78


class Prose(str):
    """Markdown text that a notebook displays as rendered Markdown (and prints as text)."""

    def _repr_markdown_(self) -> str:
        return str(self)

    def __repr__(self) -> str:  # the plain-text view: the text itself, not a quoted string
        return str(self)


def prose(ctx: Any, key: str) -> Prose:
    """The notebook text ``key`` (``nbNN.section``) in the engagement's language.

    A language without the key falls back to English, as every catalog does; Persian is
    wrapped right to left. The last expression of a cell, it renders as Markdown.
    """
    from .deliverables.i18n import Catalog

    cat = Catalog(ctx.engagement.language)
    if not cat.has(key):
        raise KeyError(f"no notebook text {key!r} in the catalog (locales/en/notebookNN.yaml)")
    text = cat.t(key).strip()
    if cat.rtl:
        text = f'<div dir="rtl" lang="{cat.language}">\n\n{text}\n\n</div>'
    return Prose(text)


def sample_banner(engagement: Any, path: Path) -> str:
    """The banner printed when a notebook's ``engagement_path`` is empty."""
    from .deliverables.i18n import Catalog

    t = Catalog(engagement.language).t
    text = t("teaching.sample_banner", client=engagement.client, path=str(path))
    return f"{_RULE}\n{text}\n{_RULE}"


def show(
    df: pd.DataFrame, columns: list[str], ctx: Any, rows: int = 12, sort: str | None = None
) -> pd.DataFrame:
    """A table for the room: ``columns`` only, labelled and formatted for the language.

    Money without decimals, percentages with one, scores with one, missing values as
    "–"; column labels from the catalog (``columns.<name>``). The result is text, so it
    reads the same in the notebook and on a projector. This function does not mutate
    ``df``.
    """
    from .deliverables.i18n import Catalog
    from .deliverables.values import infer_format

    cat = Catalog(ctx.engagement.language, ctx.engagement.currency)
    present = [c for c in columns if c in df.columns]
    view = df.sort_values(sort, ascending=False) if sort and sort in df else df
    view = view[present].head(rows)
    out = pd.DataFrame(index=range(len(view)))
    for col in present:
        kind = infer_format(col, view[col].dtype)
        out[cat.column(col)] = [_cell(cat, kind, v) for v in view[col]]
    return out


def _cell(cat, kind, v) -> str:
    if isinstance(v, bool):
        return cat.t("yes") if v else cat.t("no")
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return "–"
    if kind in ("money", "money0"):
        return cat.number(v)
    if kind == "pct":
        return cat.pct(v, 1)
    if kind in ("float", "score", "ratio"):
        return cat.number(v, 0 if float(v).is_integer() else 1)
    if kind == "int":
        return cat.number(v)
    if kind == "date":
        return cat.date(v)
    text = str(v)
    if ";" in text:  # a list of codes (cost lines, reasons): each by its label, if it has one
        parts = [p for p in text.split(";") if p]
        return ", ".join(cat.column(p) if cat.has(f"columns.{p}") else p for p in parts)
    return text
