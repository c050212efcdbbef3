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

import numpy as np
import pandas as pd

__all__ = [
    "Prose",
    "bullets",
    "counts",
    "enlarge",
    "facts",
    "projector",
    "prose",
    "sample_banner",
    "settings",
    "show",
]

_RULE = "=" * 78

# Columns whose values are codes of a vocabulary: shown by their label in the catalog.
_VOCABULARY = {
    "quadrant": "account_profile.quadrant",
    "client_view": "account_profile.client_view",
    "relationship_stage": "account_profile.stage",
    "stability": "account_profile.stability_label",
    "comparison": "account_profile.comparison",
    "reason": "account_profile.potential_reason",
    "why": "account_profile.reason",
    "criterion": "account_profile.criterion",
    "axis": "account_profile.axis",
    "cost_quadrant": "cost_to_serve.quadrant_names",
    "role": "team_design.role",
    "owner_role": "team_design.role",
    "tier": "team_design.tier",
    "contact_role": "team_design.contact_role",
    "severity": "teaching.severity",
}

# Columns of free text the catalog holds per code of another column: (code column, prefix).
_DESCRIBED = {"description": ("criterion", "account_profile.criterion_desc")}

# The projector view: what every chart a notebook shows gets, on top of its own design.
# A category axis keeps every name up to max_ticks (a chart's own names are never dropped
# below that); an axes with more than dense_labels labels on its data keeps them in proportion.
PROJECTOR = {
    "width_in": 11.0,
    "min_font_pt": 13.0,
    "min_line_pt": 2.0,
    "max_ticks": 24,
    "dense_labels": 15,
}


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
        out[cat.column(col)] = [_cell(cat, kind, v, col) for v in view[col]]
        code, prefix = _DESCRIBED.get(col, ("", ""))
        if code in view:  # the default text in the engagement's language; one's own stays
            english = Catalog("en")
            out[cat.column(col)] = [
                cat.t(f"{prefix}.{c}") if t == english.t(f"{prefix}.{c}") else t
                for c, t in zip(view[code], out[cat.column(col)], strict=True)
            ]
    return _unnumbered(out)


def facts(values: dict, keys: list[str], ctx: Any) -> pd.DataFrame:
    """A two-column table (what, value) of the figures ``keys`` from a summary dict.

    Each key is labelled by ``teaching.facts.<key>`` (else as a column, ``columns.<key>``) and formatted by its name, so
    ``top10_share_pct`` reads "Top 10 share" and "41.3 %". Keys not in ``values`` are left out.
    """
    from .deliverables.i18n import Catalog

    cat = Catalog(ctx.engagement.language, ctx.engagement.currency)
    rows = [k for k in keys if k in values]
    frame = pd.DataFrame({k: [values[k]] for k in rows})
    return _unnumbered(
        pd.DataFrame(
            {
                cat.t("teaching.what"): [cat.t(f"teaching.facts.{k}", cat.column(k)) for k in rows],
                cat.t("teaching.value"): [_cell(cat, _kind(k, frame[k]), values[k]) for k in rows],
            }
        )
    )


def bullets(items: Any, ctx: Any) -> Prose:
    """Sentences as a Markdown list (messages through the catalog); "nothing to report" if none.

    ``items`` holds sentences, or :class:`~kamaudit.messages.Message` objects that are said
    in the engagement's language.
    """
    from .deliverables.cost_to_serve import format_values
    from .deliverables.i18n import Catalog

    cat = Catalog(ctx.engagement.language, ctx.engagement.currency)
    said = [
        cat.t(i.key, **format_values(i.params, cat)) if hasattr(i, "key") else str(i) for i in items
    ]
    text = "\n".join(f"- {line}" for line in said) if said else f"*{cat.t('teaching.none')}*"
    if cat.rtl:
        text = f'<div dir="rtl" lang="{cat.language}">\n\n{text}\n\n</div>'
    return Prose(text)


def counts(values: pd.Series, ctx: Any) -> pd.DataFrame:
    """How many customers (rows) carry each value of ``values``, values by their label."""
    from .deliverables.i18n import Catalog

    cat = Catalog(ctx.engagement.language, ctx.engagement.currency)
    n = values.value_counts()
    label = cat.column(str(values.name))
    return _unnumbered(
        pd.DataFrame(
            {
                label: [_code(cat, str(values.name), str(v)) for v in n.index],
                cat.column("customers_n"): [cat.number(x) for x in n.to_numpy()],
            }
        )
    )


def projector(catalog=None) -> None:
    """Show every chart of this notebook sized for a projector (called by the setup cell).

    The notebook's inline figures go through :func:`enlarge` before they are drawn: wider,
    fonts of at least ``PROJECTOR["min_font_pt"]``, thicker lines, fewer tick labels; with
    a ``catalog``, their numbers, units and percent signs also read as in the report
    (:func:`~kamaudit.plots.text.localize_figure`: "1,2 mil." in Czech, Persian digits).
    Only the notebook's display changes: the deliverables draw the same functions' figures
    in their own process, sized for A4, untouched.
    """
    from IPython import get_ipython

    shell = get_ipython()
    if shell is None:  # a plain Python session: nothing is displayed inline
        return
    from IPython.core.pylabtools import print_figure
    from matplotlib.figure import Figure

    def png(fig):
        if catalog is not None:
            from .plots.text import localize_figure

            localize_figure(fig, catalog)
        enlarge(fig)
        return print_figure(fig, "png", bbox_inches="tight", base64=True)

    pd.set_option("display.max_colwidth", None)  # a teaching table's sentences in full
    shell.run_line_magic("matplotlib", "inline")  # the backend selects its formats now, once

    def install(*_args) -> None:
        shell.display_formatter.formatters["image/png"].for_type(Figure, png)

    install()
    # matplotlib's inline backend selects its own formats after the first cell that draws:
    # put ours back after every cell (once registered, idempotent).
    if not getattr(shell, "_kamaudit_projector", False):
        shell.events.register("post_run_cell", install)
        shell._kamaudit_projector = True


def enlarge(fig, width_in: float | None = None):
    """``fig`` made legible on a projector, in place: the figure :func:`projector` shows.

    The figure is scaled to ``width_in`` inches wide (never narrowed), every text gets at
    least the projector's minimum size, every line at least its minimum width, and an axis
    with more tick labels than ``max_ticks`` keeps every second (third, ...) one.
    """
    from matplotlib.lines import Line2D
    from matplotlib.text import Text

    w, h = fig.get_size_inches()
    scale = max(1.0, (width_in or PROJECTOR["width_in"]) / w)
    fig.set_size_inches(w * scale, h * scale)
    # labels on the data (bubble numbers, bar values) grow with the figure; where there are
    # many, the minimum size would pile them on top of each other
    dense = {
        id(t) for ax in fig.axes if len(ax.texts) > PROJECTOR["dense_labels"] for t in ax.texts
    }
    for text in fig.findobj(Text):
        size = text.get_fontsize()
        text.set_fontsize(
            size * scale if id(text) in dense else max(size, PROJECTOR["min_font_pt"])
        )
    for line in fig.findobj(Line2D):
        if line.get_linewidth() > 0 and line.get_linestyle() not in ("None", ""):
            line.set_linewidth(max(line.get_linewidth(), PROJECTOR["min_line_pt"]))
    for ax in fig.axes:
        for labels in (ax.get_xticklabels(), ax.get_yticklabels()):
            shown = [t for t in labels if t.get_visible() and t.get_text()]
            step = -(-len(shown) // PROJECTOR["max_ticks"])
            for i, t in enumerate(shown):
                t.set_visible(i % step == 0)
    # no tight_layout: it would spread the axes over margins a chart keeps for its own text
    # (a list of names beside the matrix); the PNG is cut to what is drawn (bbox "tight")
    return fig


def settings(model: Any, ctx: Any) -> pd.DataFrame:
    """A stage's settings as a table (setting, value), for the consultant's appendix.

    Settings are named as the engagement file names them (``intake.outlier_k``): the
    consultant types these names, so they stay as they are.
    """
    flat: dict[str, str] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict) and value:
            for k, v in value.items():
                walk(f"{prefix}.{k}" if prefix else str(k), v)
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for v in value:  # a list of named items (criteria): by name, as -p names them
                name = v.get("name", "")
                walk(f"{prefix}.{name}", {k: x for k, x in v.items() if k != "name"})
        else:
            flat[prefix] = "–" if value is None else str(value)

    walk("", model.model_dump(mode="json") if hasattr(model, "model_dump") else dict(model))
    from .deliverables.i18n import Catalog

    t = Catalog(ctx.engagement.language).t
    return _unnumbered(
        pd.DataFrame({t("teaching.setting"): list(flat), t("teaching.value"): list(flat.values())})
    )


def _unnumbered(frame: pd.DataFrame) -> pd.DataFrame:
    """No row numbers: the room reads the table, not its positions."""
    frame.index = [""] * len(frame)
    return frame


def _kind(name: str, values: pd.Series):
    from .deliverables.values import infer_format

    return infer_format(name, values.dtype)


def _code(cat, column: str, value: str) -> str:
    prefix = _VOCABULARY.get(column)
    if prefix and cat.has(f"{prefix}.{value}"):
        return cat.t(f"{prefix}.{value}")
    return cat.column(value) if cat.has(f"columns.{value}") else value


def _cell(cat, kind, v, column: str = "") -> str:
    if isinstance(v, (bool, np.bool_)):
        return cat.t("yes") if v else cat.t("no")
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return "–"
    if kind in ("money", "money0"):
        return cat.number(v)
    if kind == "pct":
        return cat.pct(v, 1)
    if kind == "ratio":  # a probability or a frequency: as a share
        return cat.pct(100 * float(v), 0)
    if kind in ("float", "score"):
        return cat.number(v, 0 if float(v).is_integer() else 1)
    if kind == "int":
        return cat.number(v)
    if kind == "date":
        return cat.date(v)
    text = str(v)
    if ";" in text:  # a list of codes (cost lines, reasons): each by its label, if it has one
        return ", ".join(_code(cat, column, p) for p in text.split(";") if p)
    return _code(cat, column, text)
