"""A key-account card's scores by criterion, as bars the report template draws (no
matplotlib): one customer's ``profile_criterion_scores`` in the method's order."""

from __future__ import annotations

import pandas as pd

from ..account_profile import NEUTRAL
from .context import ReportContext
from .model import ScoreBar, ScoreBars

P = "account_profile"


def score_bars(
    ctx: ReportContext, scores: pd.DataFrame, name: str, labels: dict[str, str]
) -> ScoreBars:
    """A card's scores by criterion as bars the report template draws (no matplotlib).

    ``scores`` is one customer's rows of ``profile_criterion_scores`` (criterion, axis,
    score, weight, missing); ``labels`` the criteria's names in the client's language.
    Rows read top to bottom in the method's order: the customer's attractiveness to us
    first, then our strength in the customer's eyes, the heaviest criterion of each
    axis on top (as the legend and the portfolio matrix's axes read).
    """
    t = ctx.t
    d = scores.sort_values(["axis", "weight"], ascending=[True, False], kind="stable")
    rows = [
        ScoreBar(
            label=labels.get(c, c),
            axis=str(a),
            score=float(s),
            weight=float(w),
            missing=bool(pd.notna(m) and m),
        )
        for c, a, s, w, m in zip(
            d["criterion"], d["axis"], d["score"], d["weight"], d["missing"], strict=True
        )
    ]
    return ScoreBars(
        rows=rows,
        legend=[
            ("attractiveness", t(f"{P}.card_scores_attractiveness")),
            ("strength", t(f"{P}.card_scores_strength")),
        ],
        caption=t(f"{P}.card_scores_alt", name=name),
        missing_label=t(f"{P}.card_scores_missing"),
        header=(t(f"{P}.card_scores_criterion"), t(f"{P}.card_scores_score")),
        note=t(f"{P}.card_scores_note", neutral=ctx.fmt.number(NEUTRAL, 1)),
        low=1.0,
        high=10.0,
        neutral=NEUTRAL,
    )
