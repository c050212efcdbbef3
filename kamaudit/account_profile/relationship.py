"""The relationship as it really is: contacts, stage and the probability to win or keep.

Contact coverage (roles of the buying centre known, strength, freshness, owners, the
single-point-of-contact risk, bow-tie or diamond), the relationship stage inferred from
observable indicators (or assessed), and a documented additive win/keep probability.
Contact roles are the contract's codes (:data:`kamaudit.contract.CONTACT_ROLES`): intake
normalises them once, so nothing here re-spells them.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..contract import CONTACT_ROLES, RELATIONSHIP_STAGES
from .settings import NEUTRAL, ProfileSettings, StageRule

__all__ = ["contact_coverage", "contact_map", "relationship"]

ROLES = CONTACT_ROLES.codes  # buying-centre roles, in the contract's order
STAGES = RELATIONSHIP_STAGES.codes  # lowest first

_INDICATORS = (
    "contacts_n",
    "roles_covered_n",
    "relationship_strength_avg",
    "relationship_strength_max",
    "competitor_ties_avg",
    "owners_n",
    "freshness_days",
)


def _join_present(present: pd.DataFrame, roles, when: bool) -> np.ndarray:
    """Per customer, the ";"-joined roles whose presence equals ``when``."""
    n = len(present)
    out = np.full(n, "", dtype=object)
    for r in roles:  # roles, not customers
        m = present[r].to_numpy() if r in present.columns else np.zeros(n, bool)
        m = m if when else ~m
        out = np.where(m, np.where(out == "", r, out + ";" + r), out)
    return out


def _no_contacts(ids: pd.Index) -> pd.DataFrame:
    out = pd.DataFrame(index=ids)
    for col in _INDICATORS:
        out[col] = np.nan
    out["roles_covered"] = pd.Series(pd.NA, index=ids, dtype="str")
    out["roles_missing"] = pd.Series(pd.NA, index=ids, dtype="str")
    out["last_contact_date"] = pd.NaT
    out["single_contact_risk"] = pd.array([pd.NA] * len(ids), dtype="boolean")
    out["relationship_shape"] = pd.Series(pd.NA, index=ids, dtype="str")
    return out.reset_index()


def contact_coverage(
    contacts: pd.DataFrame | None,
    customer_ids,
    as_of: pd.Timestamp,
    settings: ProfileSettings | None = None,
) -> pd.DataFrame:
    """Contact coverage per customer (``profile_contacts``).

    Columns: customer_id, contacts_n, roles_covered_n, roles_covered (";"-joined),
    roles_missing, relationship_strength_avg, relationship_strength_max,
    competitor_ties_avg, owners_n, last_contact_date, freshness_days,
    single_contact_risk, relationship_shape (``none``, ``bow_tie``, ``diamond``).
    Without a contacts table every indicator is missing (NA), never zero.
    """
    settings = settings or ProfileSettings()
    rules = settings.contacts
    ids = pd.Index(pd.Series(list(customer_ids), dtype="str"), name="customer_id")
    if contacts is None:
        return _no_contacts(ids)
    c = contacts
    if c["contact_id"].isna().all():
        c = c.assign(contact_id=np.arange(len(c)).astype(str))
    out = pd.DataFrame(index=ids)
    g = c.groupby("customer_id")
    out["contacts_n"] = g["contact_id"].nunique().reindex(ids).fillna(0).astype("float64")
    out["roles_covered_n"] = g["role"].nunique().reindex(ids).fillna(0).astype("float64")
    present = (
        c.dropna(subset=["role"]).groupby(["customer_id", "role"]).size().unstack(fill_value=0)
    )
    present = present.reindex(ids).fillna(0) > 0
    covered = _join_present(present, sorted(present.columns), True)
    out["roles_covered"] = pd.Series(covered, index=ids, dtype="str")
    out["roles_missing"] = pd.Series(_join_present(present, ROLES, False), index=ids, dtype="str")
    out["relationship_strength_avg"] = g["relationship_strength"].mean().reindex(ids)
    out["relationship_strength_max"] = g["relationship_strength"].max().reindex(ids)
    out["competitor_ties_avg"] = g["competitor_ties"].mean().reindex(ids)
    if c["owner"].notna().any():
        out["owners_n"] = g["owner"].nunique().reindex(ids).fillna(0).astype("float64")
    else:
        out["owners_n"] = np.nan
    last = g["last_contact_date"].max().reindex(ids)
    out["last_contact_date"] = last
    out["freshness_days"] = (pd.Timestamp(as_of) - last).dt.days.astype("float64")
    n = out["contacts_n"]
    out["single_contact_risk"] = (n <= rules.single_contact_max).astype("boolean")
    owners_ok = out["owners_n"].isna() | (out["owners_n"] >= rules.diamond_min_owners)
    diamond = (
        (n >= rules.diamond_min_contacts)
        & (out["roles_covered_n"] >= rules.diamond_min_roles)
        & owners_ok
    )
    out["relationship_shape"] = np.where(n == 0, "none", np.where(diamond, "diamond", "bow_tie"))
    out["relationship_shape"] = out["relationship_shape"].astype("str")
    return out.reset_index()


def contact_map(contacts: pd.DataFrame | None, customer_ids) -> pd.DataFrame:
    """Contacts by role for the given customers (``profile_contact_map``); every role is
    listed, uncovered ones with contacts_n = 0, so gaps are visible.

    Columns: customer_id, role, contacts_n, names, strength_max, owners, last_contact_date.
    Roles come in the contract's order (``CONTACT_ROLES``), then any other code found.
    """
    ids = [str(x) for x in customer_ids]
    grid = pd.DataFrame(
        [(i, r) for i in ids for r in ROLES], columns=["customer_id", "role"]
    ).astype("str")
    if contacts is None or not len(contacts):
        grid["contacts_n"] = 0
        grid["names"] = ""
        grid["strength_max"] = np.nan
        grid["owners"] = ""
        grid["last_contact_date"] = pd.NaT
        return grid
    c = contacts.loc[contacts["customer_id"].isin(ids)]
    g = c.groupby(["customer_id", "role"])
    agg = pd.DataFrame(
        {
            "contacts_n": g.size(),
            "names": g["name"].agg(lambda s: "; ".join(str(x) for x in s.dropna())),
            "strength_max": g["relationship_strength"].max(),
            "owners": g["owner"].agg(lambda s: "; ".join(sorted({str(x) for x in s.dropna()}))),
            "last_contact_date": g["last_contact_date"].max(),
        }
    ).reset_index()
    extra = agg.loc[~agg["role"].isin(ROLES), ["customer_id", "role"]]
    grid = pd.concat([grid, extra], ignore_index=True).merge(
        agg, on=["customer_id", "role"], how="left"
    )
    grid["contacts_n"] = grid["contacts_n"].fillna(0).astype("int64")
    grid["names"] = grid["names"].fillna("").astype("str")
    grid["owners"] = grid["owners"].fillna("").astype("str")
    return grid


def _inferred_stage(out: pd.DataFrame, settings: ProfileSettings) -> np.ndarray:
    """Index into the stages (lowest first): the highest stage whose minimums are all met.

    A minimum of zero is not required; a required indicator the data lacks is not met, so
    a customer with only cancellations or without contacts stays transactional."""
    rules = settings.stages
    stage_idx = np.zeros(len(out), dtype=int)
    for k, name in enumerate(STAGES[1:], start=1):
        r: StageRule = getattr(rules, name)
        ok = np.ones(len(out), dtype=bool)
        for col, minimum in (
            ("tenure_years", r.min_tenure_years),
            ("order_regularity_pct", r.min_order_regularity_pct),
            ("contacts_n", r.min_contacts_n),
            ("roles_covered_n", r.min_roles_covered_n),
            ("share_of_wallet_pct", r.min_share_of_wallet_pct),
        ):
            if minimum <= 0:  # not required for this stage
                continue
            v = out[col].to_numpy(dtype="float64")
            with np.errstate(invalid="ignore"):
                ok &= ~np.isnan(v) & (v >= minimum)  # a missing indicator never passes
        stage_idx = np.where(ok & (stage_idx == k - 1), k, stage_idx)
    return stage_idx


def _assessed_stage(
    metrics: pd.DataFrame,
    assessments: pd.DataFrame | None,
    settings: ProfileSettings,
    index: pd.Index,
) -> pd.Series:
    """The stage named in the customer master, else the assessment criterion (1-10)."""
    assessed = pd.Series(pd.NA, index=index, dtype="str")
    criterion = settings.stages.assessment_criterion
    if assessments is not None and len(assessments):
        a = assessments.loc[assessments["criterion"] == criterion]
        if len(a):
            sc = a["score"].groupby(a["customer_id"]).mean()
            sc = sc.reindex(metrics["customer_id"]).to_numpy(dtype="float64")
            idx = np.clip(np.ceil(sc / 2.5) - 1, 0, 3)
            assessed = pd.Series(
                [STAGES[int(i)] if not math.isnan(i) else None for i in idx],
                index=index,
                dtype="str",
            )
    if "stage_given" in metrics.columns:  # a stage named in the customer master wins
        given = pd.Series(metrics["stage_given"].to_numpy(), index=index, dtype="str")
        assessed = given.fillna(assessed).astype("str")
    return assessed


def _win_keep(
    out: pd.DataFrame, metrics: pd.DataFrame, scores: pd.DataFrame, settings: ProfileSettings
) -> np.ndarray:
    """The documented additive win/keep score (:class:`WinKeepFactors`), clipped."""
    f = settings.win_keep
    base = (
        out["relationship_stage"]
        .map(
            {
                "transactional": f.base_transactional,
                "cooperation": f.base_cooperation,
                "partnership": f.base_partnership,
                "synergy": f.base_synergy,
            }
        )
        .astype("float64")
    )
    ids = out["customer_id"]
    m = metrics.set_index("customer_id")

    def col(name: str) -> np.ndarray:
        return m[name].reindex(ids).to_numpy(dtype="float64")

    rs, ct = col("relationship_strength_avg"), col("competitor_ties_avg")
    roles, fresh = col("roles_covered_n"), col("freshness_days")
    single = (
        m["single_contact_risk"].reindex(ids).astype("boolean").fillna(False).to_numpy(dtype=bool)
    )
    strength = scores.set_index("customer_id")["strength"].reindex(ids).to_numpy(dtype="float64")
    p = (
        base.to_numpy()
        + f.relationship_strength * np.nan_to_num((rs - 3) / 2)
        + f.coverage * np.nan_to_num(roles / len(ROLES) - 0.5)
        - f.competitor_ties * np.nan_to_num((ct - 3) / 2)
        + f.our_strength * np.nan_to_num((strength - NEUTRAL) / 4.5)
        - f.single_contact * single
        - f.stale_contact * (np.nan_to_num(fresh) > settings.contacts.stale_days)
    )
    return np.clip(p, f.floor, f.ceiling)


def relationship(
    metrics: pd.DataFrame,
    scores: pd.DataFrame,
    assessments: pd.DataFrame | None,
    settings: ProfileSettings,
) -> pd.DataFrame:
    """Relationship stage, the indicators behind it, and the win/keep probability.

    Columns: customer_id, name, tenure_years, order_regularity_pct, contacts_n,
    roles_covered_n, share_of_wallet_pct, stage_inferred, stage_assessed,
    relationship_stage (assessed if given, else inferred), stage_source
    (``inferred``/``assessed``), win_keep_probability.

    The inferred stage is the highest of cooperation, partnership, synergy whose
    minimums (:class:`StageRules`) are all met; an indicator the data lacks never meets
    its minimum (a stage is not reached on missing data).
    An assessed stage overrides it: the customer master's ``relationship_stage`` (a
    contract code), else the assessment criterion ``stages.assessment_criterion`` (1-10).
    """
    ind_cols = [
        "tenure_years",
        "order_regularity_pct",
        "contacts_n",
        "roles_covered_n",
        "share_of_wallet_pct",
    ]
    out = metrics[["customer_id", "name", *ind_cols]].copy()
    out["stage_inferred"] = pd.Series(np.array(STAGES)[_inferred_stage(out, settings)], dtype="str")
    out["stage_assessed"] = _assessed_stage(metrics, assessments, settings, out.index)
    out["relationship_stage"] = out["stage_assessed"].fillna(out["stage_inferred"]).astype("str")
    out["stage_source"] = np.where(out["stage_assessed"].notna(), "assessed", "inferred")
    out["stage_source"] = out["stage_source"].astype("str")
    out["win_keep_probability"] = _win_keep(out, metrics, scores, settings)
    return out
