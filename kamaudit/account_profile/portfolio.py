"""The portfolio: McDonald's matrix and the customer's view of us.

Strategic (attractive, we are strong), Star (attractive, we are weak), Status (less
attractive, we are strong), Streamline; where the customer assessed us, the
supplier-preferencing view (Core, Development, Exploitable, Nuisance) and a flag where
the two views disagree.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .scoring import scale, source_kind
from .settings import NEUTRAL, Criterion, ProfileSettings

__all__ = ["CLIENT_VIEWS", "QUADRANTS", "portfolio", "quadrant"]

QUADRANTS = ("Strategic", "Star", "Status", "Streamline")
CLIENT_VIEWS = ("Core", "Development", "Exploitable", "Nuisance")


def quadrant(attr: np.ndarray, strength: np.ndarray, s: ProfileSettings) -> np.ndarray:
    """The matrix quadrant of each (attractiveness, strength) pair, split at the midlines."""
    hi_a = attr >= s.split_attractiveness
    hi_s = strength >= s.split_strength
    return np.select(
        [hi_a & hi_s, hi_a & ~hi_s, ~hi_a & hi_s], ["Strategic", "Star", "Status"], "Streamline"
    )


def portfolio(
    scores: pd.DataFrame,
    metrics: pd.DataFrame,
    assessments: pd.DataFrame | None,
    settings: ProfileSettings,
) -> pd.DataFrame:
    """McDonald's matrix and the customer's view of us (``profile_portfolio``).

    Columns: customer_id, name, attractiveness, strength, quadrant, net_revenue
    (bubble size), client_score (mean of the customer's own assessments of us, 1-10),
    client_spend_score (how big we are for them: share-of-wallet score, else revenue
    percentile score), client_view (Core: they find us attractive and buy much;
    Development: attractive, buy little; Exploitable: buy much, find us unattractive;
    Nuisance: neither), views_disagree (we rate them high, they rate us low:
    attractiveness high and client_view Exploitable or Nuisance).
    """
    out = scores[["customer_id", "name", "attractiveness", "strength"]].copy()
    out["quadrant"] = quadrant(
        out["attractiveness"].to_numpy(), out["strength"].to_numpy(), settings
    )
    out["quadrant"] = out["quadrant"].astype("str")
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
    hi_att = cs >= settings.split_strength
    hi_sp = spend >= NEUTRAL
    view = np.select(
        [hi_att & hi_sp, hi_att & ~hi_sp, ~hi_att & hi_sp],
        list(CLIENT_VIEWS[:3]),
        CLIENT_VIEWS[3],
    )
    out["client_view"] = pd.Series(np.where(np.isnan(cs), None, view), dtype="str")
    out["views_disagree"] = (
        (out["attractiveness"] >= settings.split_attractiveness)
        & out["client_view"].isin(["Exploitable", "Nuisance"])
    ).astype("bool")
    return out
