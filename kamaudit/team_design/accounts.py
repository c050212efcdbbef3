"""The key accounts to staff: one row each, with its tier, most important first."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .common import is_missing
from .settings import TIERS, TeamSettings

__all__ = ["key_accounts"]


def key_accounts(
    account_profile: pd.DataFrame,
    customers: pd.DataFrame | None = None,
    settings: TeamSettings | None = None,
) -> pd.DataFrame:
    """The key accounts to staff, one row each, most important first.

    Returns ``customer_id, name, industry, language, account_owner, tier, tier_assumed,
    priority``;
    ``tier`` is the portfolio quadrant (``settings.default_tier`` when missing) and
    ``priority`` the order accounts are staffed in (tier, then attractiveness, then revenue).
    """
    settings = settings or TeamSettings()
    ap = account_profile
    if "is_key_account" in ap.columns:
        ap = ap[ap["is_key_account"].fillna(False).astype(bool)]
    cols = ["customer_id", "name", "industry", "attractiveness", "net_revenue", "quadrant"]
    df = pd.DataFrame({c: ap[c] if c in ap.columns else pd.NA for c in cols}, index=ap.index)
    df["customer_id"] = df["customer_id"].astype("str")
    df = df.drop_duplicates("customer_id")
    if customers is not None and len(customers):
        extra = customers[
            [
                c
                for c in ("customer_id", "name", "industry", "language", "account_owner")
                if c in customers.columns
            ]
        ].copy()
        extra["customer_id"] = extra["customer_id"].astype("str")
        extra = extra.drop_duplicates("customer_id").set_index("customer_id")
        for c in ("name", "industry", "language", "account_owner"):
            if c in extra.columns:
                mapped = df["customer_id"].map(extra[c])
                df[c] = df[c].where(df[c].notna(), mapped) if c in df.columns else mapped
    for c in ("name", "industry", "language", "account_owner"):
        if c not in df.columns:
            df[c] = pd.NA
    df["name"] = df["name"].where(df["name"].notna(), df["customer_id"])
    tier = (
        df["quadrant"]
        .astype("object")
        .map(
            lambda q: next(
                (t for t in TIERS if not is_missing(q) and str(q).strip().lower() == t.lower()),
                settings.default_tier,
            )
        )
    )
    df["tier"] = tier.astype("str")
    df["tier_assumed"] = ~df["quadrant"].astype("object").map(
        lambda q: not is_missing(q) and str(q).strip().lower() in {t.lower() for t in TIERS}
    ).astype(bool)
    df["tier_rank"] = df["tier"].map({t: i for i, t in enumerate(TIERS)}).astype("int64")
    df["_attr"] = pd.to_numeric(df["attractiveness"], errors="coerce").fillna(-np.inf)
    df["_rev"] = pd.to_numeric(df["net_revenue"], errors="coerce").fillna(-np.inf)
    df = df.sort_values(
        ["tier_rank", "_attr", "_rev", "customer_id"],
        ascending=[True, False, False, True],
        kind="mergesort",
    )
    df["priority"] = np.arange(1, len(df) + 1, dtype="int64")
    out = df[
        [
            "customer_id",
            "name",
            "industry",
            "language",
            "account_owner",
            "tier",
            "tier_assumed",
            "priority",
        ]
    ]
    out = out.reset_index(drop=True)
    for c in ("name", "industry", "language", "account_owner", "tier"):
        out[c] = out[c].astype("str").where(out[c].notna())
    return out
