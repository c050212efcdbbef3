"""The portfolio: McDonald's matrix and the customer's view of us.

Strategic (attractive, we are strong), Star (attractive, we are weak), Status (less
attractive, we are strong), Streamline; where the customer assessed us, the
supplier-preferencing view (Core, Development, Exploitable, Nuisance) and a flag where
the two views disagree.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .cutoffs import at_or_above, on_the_line
from .scoring import scale, source_kind
from .settings import NEUTRAL, Criterion, ProfileSettings

__all__ = ["CLIENT_VIEWS", "QUADRANTS", "UNASSESSED", "line_axes", "portfolio", "quadrant"]

QUADRANTS = ("Strategic", "Star", "Status", "Streamline")
UNASSESSED = "unassessed"
"""The quadrant of a customer one of whose axes rests mostly on missing data."""
CLIENT_VIEWS = ("Core", "Development", "Exploitable", "Nuisance")


def quadrant(
    attr: np.ndarray,
    strength: np.ndarray,
    s: ProfileSettings,
    unassessed: np.ndarray | None = None,
) -> np.ndarray:
    """The matrix quadrant of each (attractiveness, strength) pair, split at the midlines.

    A score at a midline up to floating-point noise counts as on it (high), so rounding
    never splits customers; where ``unassessed`` (either axis resting mostly on missing
    data) the quadrant is :data:`UNASSESSED`.
    """
    hi_a = at_or_above(attr, s.split_attractiveness)
    hi_s = at_or_above(strength, s.split_strength)
    q = np.select(
        [hi_a & hi_s, hi_a & ~hi_s, ~hi_a & hi_s], ["Strategic", "Star", "Status"], "Streamline"
    )
    if unassessed is not None:
        q = np.where(unassessed, UNASSESSED, q)
    return q


def line_axes(scores: pd.DataFrame, s: ProfileSettings) -> np.ndarray:
    """Per customer, the assessed axes whose score is within ``on_the_line`` of the midline
    (";"-joined; "" when neither): the quadrant there is too close to call."""
    out = np.full(len(scores), "", dtype=object)
    for axis, cut in (
        ("attractiveness", s.split_attractiveness),
        ("strength", s.split_strength),
    ):
        near = on_the_line(scores[axis].to_numpy(dtype="float64"), cut, s.on_the_line)
        if f"{axis}_unassessed" in scores.columns:
            near &= ~scores[f"{axis}_unassessed"].to_numpy(dtype=bool)
        out = np.where(near, np.where(out == "", axis, out + ";" + axis), out)
    return out


def _unassessed(scores: pd.DataFrame) -> np.ndarray:
    """Either axis unassessed (all False for scores without the columns)."""
    out = np.zeros(len(scores), dtype=bool)
    for axis in ("attractiveness", "strength"):
        if f"{axis}_unassessed" in scores.columns:
            out |= scores[f"{axis}_unassessed"].to_numpy(dtype=bool)
    return out


def portfolio(
    scores: pd.DataFrame,
    metrics: pd.DataFrame,
    assessments: pd.DataFrame | None,
    settings: ProfileSettings,
) -> pd.DataFrame:
    """McDonald's matrix and the customer's view of us (``profile_portfolio``).

    Columns: customer_id, name, attractiveness, strength, quadrant (``unassessed`` where
    an axis rests mostly on missing data), on_the_line (axes within ``on_the_line`` of
    their midline), net_revenue
    (bubble size), client_score (mean of the customer's own assessments of us, 1-10),
    client_spend_score (how big we are for them: share-of-wallet score, else revenue
    percentile score), client_view (Core: they find us attractive and buy much;
    Development: attractive, buy little; Exploitable: buy much, find us unattractive;
    Nuisance: neither), views_disagree (we rate them high, they rate us low:
    attractiveness high and client_view Exploitable or Nuisance).
    """
    out = scores[["customer_id", "name", "attractiveness", "strength"]].copy()
    out["quadrant"] = quadrant(
        out["attractiveness"].to_numpy(), out["strength"].to_numpy(), settings, _unassessed(scores)
    )
    out["quadrant"] = out["quadrant"].astype("str")
    out["on_the_line"] = pd.Series(line_axes(scores, settings), dtype="str")
    m = metrics.set_index("customer_id")
    out["net_revenue"] = m["net_revenue"].reindex(out["customer_id"]).to_numpy()
    out["client_score"] = np.nan
    if assessments is not None and len(assessments):
        a = assessments.loc[[source_kind(s) == "client" for s in assessments["source"]]]
        a = a.loc[a["criterion"] != settings.stages.assessment_criterion]
        if len(a):
            out["client_score"] = (
                a["score"]
                .clip(1, 10)
                .groupby(a["customer_id"])
                .mean()
                .reindex(out["customer_id"])
                .to_numpy()
            )
    sow = m["share_of_wallet_pct"].reindex(out["customer_id"]).to_numpy(dtype="float64")
    rev_score = scale(
        out["net_revenue"].to_numpy(dtype="float64"),
        Criterion(name="net_revenue", axis="attractiveness", source="net_revenue", weight=1),
    )
    sow_score = scale(
        sow,
        Criterion(
            name="share_of_wallet", axis="attractiveness", source="share_of_wallet", weight=1
        ),
    )
    spend = np.where(np.isnan(sow_score), rev_score, sow_score)  # how big we are for them
    out["client_spend_score"] = spend
    cs = out["client_score"].to_numpy(dtype="float64")
    hi_att = at_or_above(cs, settings.split_strength)
    hi_sp = at_or_above(spend, NEUTRAL)
    view = np.select(
        [hi_att & hi_sp, hi_att & ~hi_sp, ~hi_att & hi_sp],
        list(CLIENT_VIEWS[:3]),
        CLIENT_VIEWS[3],
    )
    out["client_view"] = pd.Series(np.where(np.isnan(cs), None, view), dtype="str")
    hi_a = at_or_above(out["attractiveness"].to_numpy(), settings.split_attractiveness)
    if "attractiveness_unassessed" in scores.columns:
        hi_a &= ~scores["attractiveness_unassessed"].to_numpy(dtype=bool)
    out["views_disagree"] = (hi_a & out["client_view"].isin(["Exploitable", "Nuisance"])).astype(
        "bool"
    )
    return out
