"""Chart text in the client's language: numerals, percent sign and right-to-left script.

:func:`localize_figure` fixes a finished figure in one pass, so the chart functions stay
language-free and every chart of the deliverables goes through the same rules:

- numbers (ticks, and annotations that are a number) take the catalog's digits, decimal
  and group signs and the short units of ``charts.units`` (``1.2m`` -> ``۱٫۲ میلیون``);
  ``-0`` becomes ``0``; the percent sign is the catalog's (Persian ``٪``, no space);
- in a right-to-left language, digits outside Latin runs (client names such as
  ``Birch Automotive GmbH`` or ``C00175`` keep theirs) become native, and text holding
  Arabic script is laid out right to left.

Shaping and bidi: matplotlib 3.11 and later lays text out with libraqm (HarfBuzz and
FriBiDi), which joins Arabic-script letters and orders a line by the Unicode bidi
algorithm itself; it takes the paragraph's direction from the first strong character, so
a Persian label that starts with a Latin name gets a right-to-left mark in front. An
older matplotlib draws characters as they come: there the text is shaped with
``arabic-reshaper`` (presentation forms) and put in visual order with ``python-bidi``
(paragraph right to left, Latin runs isolated, brackets mirrored, which that library does
not do) -- :func:`shaped`. Doing both would reverse the line twice: :func:`native_layout`
picks one.

DejaVu Sans, matplotlib's default font, carries the Arabic letters, their presentation
forms and the Persian digits; :func:`missing_glyphs` checks a text against the font in use.

>>> from kamaudit.deliverables.i18n import Catalog
>>> chart_text("اوج 87%", "fa") == chart_text("اوج ۸۷٪", "fa")
True
>>> tick_text("1.2m", Catalog("cs"))
'1,2 mil.'
"""

from __future__ import annotations

import re
from functools import cache

__all__ = [
    "chart_text",
    "localize_figure",
    "localized_formatter",
    "missing_glyphs",
    "native_layout",
    "shaped",
    "tick_text",
]

RTL_LANGUAGES = frozenset({"fa"})
"""Languages written right to left (the catalog's ``RTL``)."""

_ARABIC = re.compile(  # Arabic-script letters (not its digits, separators or percent sign)
    r"[\u0620-\u064a\u066e-\u06d3\u06d5\u06fa-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufefc]"
)
_LATIN_RUN = re.compile(r"[A-Za-z][A-Za-z0-9.,&'’/+_\- ]*[A-Za-z0-9.]|[A-Za-z]")
_NUMBER = re.compile(
    r"^(?P<sign>[-−]?)(?P<num>\d[\d,]*(?:\.\d+)?)\s*(?P<unit>%|k|m|bn)?$", re.ASCII
)
_UNITS = {"k": "thousand", "m": "million", "bn": "billion"}
_LRI, _PDI, _RLM = "\u2066", "\u2069", "\u200f"
_CONTROLS = re.compile("[\u2066-\u2069\u200e\u200f\u061c]")
_DIGITS_FA = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def _is_rtl(language: str) -> bool:
    return language in RTL_LANGUAGES


@cache
def native_layout() -> bool:
    """True when matplotlib shapes and orders right-to-left text itself (libraqm, 3.11+)."""
    from matplotlib import ft2font

    return bool(getattr(ft2font, "__libraqm_version__", None))


@cache
def _mirrored() -> dict[str, str]:
    from bidi.mirror import MIRRORED

    return dict(MIRRORED)


def _persian_numerals(text: str) -> str:
    """Latin digits to Persian ones, ``.``/``,`` between digits to ``٫``/``٬``, ``%`` to ``٪``."""
    text = re.sub(r"(?<=\d)\.(?=\d)", "٫", text)
    text = re.sub(r"(?<=\d),(?=\d)", "٬", text)
    text = re.sub(r"\s*%", "٪", text)
    return text.translate(_DIGITS_FA)


def shaped(text: str) -> str:
    """Right-to-left ``text`` shaped and in visual (left-to-right drawing) order.

    Latin runs stay in reading order (wrapped in bidi isolates while the line is
    reordered); brackets outside them are mirrored.
    """
    import arabic_reshaper
    from bidi import get_display

    mirror = _mirrored()
    parts: list[str] = []
    last = 0
    for m in _LATIN_RUN.finditer(text):
        parts.append("".join(mirror.get(c, c) for c in text[last : m.start()]))
        parts.append(_LRI + m.group(0) + _PDI)
        last = m.end()
    parts.append("".join(mirror.get(c, c) for c in text[last:]))
    logical = arabic_reshaper.reshape("".join(parts))
    return _CONTROLS.sub("", get_display(logical, base_dir="R"))


def chart_text(text: str, language: str) -> str:
    """A label as matplotlib must draw it for ``language``.

    Left-to-right languages get ``text`` unchanged. In a right-to-left one, digits,
    separators and percent signs outside Latin runs become Persian, and text holding
    Arabic script is made to read right to left: a right-to-left mark in front where
    matplotlib lays text out itself, else shaped and reordered (:func:`shaped`). A bare
    number or a Latin name is left as it is.
    """
    if not text or not _is_rtl(language):
        return text
    out, last = [], 0
    for m in _LATIN_RUN.finditer(text):  # client names keep their own digits
        out.append(_persian_numerals(text[last : m.start()]))
        out.append(m.group(0))
        last = m.end()
    out.append(_persian_numerals(text[last:]))
    text = "".join(out)
    if not _ARABIC.search(text):
        return text
    return _RLM + text if native_layout() else shaped(text)


def tick_text(text: str, catalog) -> str:
    """A number as a C-locale formatter wrote it (``1,250``, ``1.2m``, ``-0``, ``35%``)
    in the catalog's numerals, short units and percent sign; other text through
    :func:`chart_text`."""
    m = _NUMBER.match(text.strip()) if text else None
    if m is None:
        return chart_text(text, catalog.language)
    num, unit = m.group("num"), m.group("unit") or ""
    sign = m.group("sign") if num.strip("0,.") else ""  # "-0" is 0
    system = catalog._numbering.get("numbering_system", "latn")  # noqa: SLF001
    symbols = catalog.locale.number_symbols.get(system) or catalog.locale.number_symbols["latn"]
    table = str.maketrans({",": symbols.get("group", ","), ".": symbols.get("decimal", ".")})
    value = catalog._digits(num.translate(table))  # noqa: SLF001
    if sign:  # the locale's minus; kept left of the digits in a right-to-left line
        minus = symbols.get("minusSign", "-").lstrip("\u200e\u200f\u061c")
        value = ("\u200e" if _is_rtl(catalog.language) else "") + minus + value
    if unit == "%":
        value = catalog.pct(0, 0).replace(catalog.number(0), value, 1)
    elif unit:
        value = catalog.t(f"charts.units.{_UNITS[unit]}", default="{n}" + unit, n=value)
    return chart_text(value, catalog.language)


def localized_formatter(formatter, catalog):
    """A tick formatter giving ``formatter``'s labels in the catalog's numerals."""
    from matplotlib.ticker import FuncFormatter

    if getattr(formatter, "_kam_localized", False):
        return formatter

    def fmt(x, pos=None):
        return tick_text(formatter(x, pos), catalog)

    wrapped = FuncFormatter(fmt)
    wrapped._kam_localized = True
    wrapped.set_locs = formatter.set_locs  # ScalarFormatter needs the locations first
    wrapped.get_offset = lambda: tick_text(formatter.get_offset(), catalog)
    return wrapped


def _tick_labels(fig) -> set[int]:
    ids: set[int] = set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                ids.update((id(tick.label1), id(tick.label2)))
            ids.add(id(axis.offsetText))
    return ids


def localize_figure(fig, catalog):
    """Every text of ``fig`` in the catalog's language (see the module text); returns ``fig``.

    Tick labels get a localized formatter (they are written when the figure is drawn);
    titles, axis labels, legends and annotations are rewritten once (marked, so a second
    call changes nothing).
    """
    from matplotlib.text import Text

    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            axis.set_major_formatter(localized_formatter(axis.get_major_formatter(), catalog))
    ticks = _tick_labels(fig)
    for artist in fig.findobj(Text):
        if id(artist) in ticks or getattr(artist, "_kam_localized", False):
            continue
        text = artist.get_text()
        if text:
            artist.set_text(tick_text(text, catalog))
        artist._kam_localized = True
    return fig


def missing_glyphs(text: str, font: str | None = None) -> set[str]:
    """Characters of ``text`` the font (default: matplotlib's ``font.family``) cannot draw."""
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    path = font_manager.findfont(font or font_manager.FontProperties())
    charmap = FT2Font(path).get_charmap()
    return {c for c in text if not c.isspace() and ord(c) not in charmap}
