"""Chart text in the client's language: Persian digits and percent sign on ticks and
annotations, right-to-left text laid out (shaped where matplotlib cannot), glyphs found."""

from __future__ import annotations

import io
import re
import unicodedata
import warnings

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib.ticker import FuncFormatter

from kamaudit.deliverables.i18n import Catalog
from kamaudit.plots import cost_to_serve as cts
from kamaudit.plots import short_money
from kamaudit.plots import text as chart

matplotlib.use("Agg")

FA = Catalog("fa", "EUR")
LATIN_DIGIT = re.compile(r"[0-9]")
PRESENTATION_FORMS = re.compile(r"[\ufb50-\ufdff\ufe70-\ufeff]")


def _drawn(fig) -> list[str]:
    """Every non-empty text of a drawn figure (tick labels as the formatters wrote them)."""
    fig.canvas.draw()
    out = []
    for ax in fig.axes:
        out += [t.get_text() for t in ax.get_xticklabels() + ax.get_yticklabels()]
        out += [t.get_text() for t in ax.texts]
        out += [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
    return [s for s in out if s]


def test_persian_whale_curve_has_persian_digits_and_one_percent_sign():
    curve = pd.DataFrame(
        {
            "cum_customers_pct": [0.0, 25.0, 50.0, 75.0, 100.0],
            "cum_profit_pct": [0.0, 130.0, 160.0, 140.0, 100.0],
            "cum_net_profit": [0.0, 1.3e6, 1.6e6, 1.4e6, 1.0e6],
        }
    )
    fig = cts.whale_curve(
        curve,
        title=FA.t("cost_to_serve.whale_title"),
        x_label=FA.t("cost_to_serve.whale_x"),
        y_label=FA.t("cost_to_serve.whale_y"),
        peak_label=FA.t("cost_to_serve.whale_peak"),
        total_label=FA.t("cost_to_serve.whale_total"),
    )
    texts = _drawn(chart.localize_figure(fig, FA))
    plt.close(fig)
    ticks = [t for t in texts if not re.search(r"[\u0620-\u064a\u06a9\u06af\u06cc]", t)]
    assert ticks, texts
    assert not [t for t in texts if LATIN_DIGIT.search(t)], texts
    assert not [t for t in texts if "%" in t], texts  # one sign: the catalog's ٪
    assert any("٪" in t for t in ticks)
    assert any("۱۰۰" in t for t in ticks)


def test_money_ticks_and_annotations_use_the_catalog_units_and_no_minus_zero():
    steps = pd.DataFrame(
        {
            "label": ["Birch GmbH فروش", "تخفیف‌ها", "سود"],
            "value": [1.5e6, -2.0e6, -0.5e6],
            "kind": ["total", "step", "total"],
        }
    )
    fig = cts.waterfall(steps, title="Birch Automotive GmbH")
    texts = _drawn(chart.localize_figure(fig, FA))
    plt.close(fig)
    assert not [t for t in texts if LATIN_DIGIT.search(t) and "Birch" not in t], texts
    assert any("میلیون" in t for t in texts)  # "1.5m" in Persian words
    assert not [t for t in texts if re.fullmatch(r"\W*[-−]\s*۰\W*", t)]  # no "-0"
    assert "Birch Automotive GmbH" in " ".join(texts)  # a Latin name stays readable


def test_tick_formatter_factory_wraps_any_formatter():
    fa = chart.localized_formatter(FuncFormatter(short_money), FA)
    assert fa(1_250_000) == "\u200f۱٫۲ میلیون"
    assert fa(-350_000) == "\u200f\u200e−۳۵۰ هزار"  # minus kept left of the digits
    cs = chart.localized_formatter(FuncFormatter(short_money), Catalog("cs"))
    assert cs(1_250_000) == "1,2 mil."
    en = chart.localized_formatter(FuncFormatter(short_money), Catalog("en"))
    assert en(1_250_000) == "1.2m" and en(-0.0) == "0"
    assert chart.localized_formatter(fa, FA) is fa  # wrapping twice changes nothing


def test_fallback_shapes_persian_into_presentation_forms_in_visual_order():
    label = "سود خالص (Birch Automotive GmbH)"
    out = chart.shaped(label)
    assert PRESENTATION_FORMS.search(out)
    assert "Birch Automotive GmbH" in out  # the Latin run keeps its reading order
    # visual order: the line's start (سود) is drawn rightmost, the bracket mirrored
    assert out.startswith("(Birch") and out.rstrip().endswith(chart.shaped("سود"))
    names = {unicodedata.name(c, "") for c in out}
    assert any("ISOLATED" in n or "INITIAL" in n or "FINAL" in n for n in names)


def test_chart_text_picks_one_layout(monkeypatch):
    label = "اوج 87%"
    monkeypatch.setattr(chart, "native_layout", lambda: False)  # an older matplotlib
    assert PRESENTATION_FORMS.search(chart.chart_text(label, "fa"))
    monkeypatch.setattr(chart, "native_layout", lambda: True)  # libraqm lays it out
    assert chart.chart_text(label, "fa") == "\u200fاوج ۸۷٪"
    assert chart.chart_text(label, "en") == label
    assert chart.chart_text("C00175 Birch 2.0", "fa") == "C00175 Birch 2.0"


def test_localizing_twice_changes_nothing():
    fig, ax = plt.subplots()
    ax.set_title("منحنی نهنگ (٪)")
    chart.localize_figure(fig, FA)
    once = ax.get_title()
    chart.localize_figure(fig, FA)
    assert ax.get_title() == once
    plt.close(fig)


@pytest.mark.parametrize("native", [True, False])
def test_persian_chart_text_has_every_glyph_and_renders_without_warnings(monkeypatch, native):
    monkeypatch.setattr(chart, "native_layout", lambda: native)
    labels = [
        FA.t(f"cost_to_serve.{k}")
        for k in ("whale_title", "whale_x", "quadrant_title", "quadrant_x", "quadrant_y")
    ] + [FA.t(f"synthesis.steps.{s}") for s in ("cogs", "cost_to_serve", "pocket_profit")]
    texts = [chart.chart_text(s, "fa") for s in labels]
    assert chart.missing_glyphs("".join(texts)) == set()
    fig, ax = plt.subplots()
    for i, s in enumerate(texts):
        ax.text(0, i, s)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing from font" would raise
        fig.savefig(io.BytesIO(), format="png")
    plt.close(fig)
