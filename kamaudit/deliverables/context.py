"""The context a stage contributor builds its part of the deliverables with."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

from ..config import Engagement
from ..workspace import Workspace, write_bytes_atomic
from .i18n import Catalog, _missing
from .model import Figure


@dataclass
class ReportContext:
    """Engagement, workspace and catalog, plus chart rendering.

    ``t`` translates, ``fmt`` formats numbers and dates for the engagement's locale.
    """

    engagement: Engagement
    workspace: Workspace
    catalog: Catalog = field(init=False)

    def __post_init__(self) -> None:
        self.catalog = Catalog(self.engagement.language, self.engagement.currency_code)
        self._pool_labels()

    def _pool_labels(self) -> None:
        """The client's own names of its cost pools (``cost_pools.label``), for their
        activity codes and their cost lines (``cts_<activity>``): they win over the catalog."""
        ws = self.workspace
        if ws is None or not ws.has_table("cost_pools"):
            return
        pools = ws.read_table("cost_pools")
        if "label" not in pools.columns:
            return
        labels = dict(zip(pools["activity"].astype("str"), pools["label"], strict=True))
        if ws.has_table("cts_rates"):
            rates = ws.read_table("cts_rates")
            for activity, column in zip(rates["activity"], rates["cost_column"], strict=True):
                if str(activity) in labels:
                    labels[str(column).removeprefix("cts_")] = labels[str(activity)]
        self.catalog.client_labels("activity", labels)

    @property
    def fmt(self) -> Catalog:
        return self.catalog

    def t(self, key: str, default: str | None = None, **values) -> str:
        return self.catalog.t(key, default, **values)

    def codes(self, values, group: str):
        """A column of codes in the client's words: ``t("<group>.<code>")`` for each.

        An unknown code is shown as it is; a missing one stays missing. Returns text.
        """
        return values.map(
            lambda v: v if _missing(v) else self.t(f"{group}.{v}", default=str(v))
        ).astype("str")

    def yes_no(self, values):
        """A column of flags as the catalog's yes and no (empty where missing)."""
        import pandas as pd

        yes, no = self.t("common.yes"), self.t("common.no")
        return pd.Series(
            ["" if _missing(v) else (yes if v else no) for v in values],
            index=values.index,
            dtype="str",
        )

    def period_label(self) -> str:
        """The audited period as amounts are labelled with it ("2024-2025, 24 months")."""
        from ..synthesis.evidence import period_label

        period = self.engagement.period
        per = period_label(period.start, period.end)
        first, last = per["start"][:4], per["end"][:4]
        years = self.fmt._digits(first if first == last else f"{first}-{last}")  # noqa: SLF001
        return self.t(
            "synthesis.evidence.period_label", years=years, months=self.fmt.number(per["months"])
        )

    def money_axis(self, label: str, period: bool = True) -> str:
        """A money axis's title: ``label`` with the currency and the period (``period=False``:
        the currency only, for an axis whose points are months)."""
        currency = self.engagement.currency_code
        if not period:
            return (
                self.t("charts.money_axis_currency", label=label, currency=currency)
                if currency
                else label
            )
        key = "charts.money_axis" if currency else "charts.money_axis_no_currency"
        return self.t(key, label=label, currency=currency or "", period=self.period_label())

    def figure(self, name: str, fig, alt: str, caption: str = "", tight: bool = True) -> Figure:
        """Render a matplotlib figure once to PNG (saved as ``figures/<name>.png``), its
        texts and numbers first put in the client's language (:func:`~kamaudit.plots.text.localize_figure`).

        ``tight=False`` keeps the figure's own margins: for figures laid out by hand
        (``subplots_adjust``), it saves the second drawing pass a tight crop needs.
        """
        import matplotlib.pyplot as plt

        from ..plots.text import localize_figure

        localize_figure(fig, self.catalog)  # numerals, percent sign, shaped right-to-left text
        buf = io.BytesIO()
        fig.savefig(
            buf,
            format="png",
            dpi=110,
            bbox_inches="tight" if tight else None,
            metadata={"Software": None},
        )
        plt.close(fig)
        png = buf.getvalue()
        write_bytes_atomic(Path(self.workspace.figures_dir) / f"{name}.png", png)
        return Figure(png=png, alt=alt, caption=caption)
