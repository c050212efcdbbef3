"""Scores: each customer on each criterion (anchored 1-10), then per axis.

A metric criterion is scaled by its thresholds, by percentile among customers, or by the
share of the total (:func:`scale`); an assessment criterion uses the ``assessments``
score as given. A criterion without a value scores :data:`NEUTRAL` and is flagged.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import did_you_mean
from ..messages import Message
from .cutoffs import unassessed
from .settings import METRICS, NEUTRAL, Criterion, ProfileSettings

__all__ = ["drivers", "scale", "score_customers", "source_kind"]

NOTES = "account_profile.notes"
"""Catalog group of the stage's notes."""


def source_kind(value) -> str:
    """``client`` for an assessment made by the customer (of us), else ``internal``: intake
    normalised ``assessments.source`` to the contract's codes; a missing source is our team's."""
    return "client" if value == "client" else "internal"


def scale(values: np.ndarray, criterion: Criterion) -> np.ndarray:
    """Metric values -> 1-10 scores (NaN stays NaN)."""
    v = np.asarray(values, dtype="float64")
    out = np.full(v.shape, np.nan)
    ok = ~np.isnan(v)
    if not ok.any():
        return out
    if criterion.thresholds:
        t = np.asarray(criterion.thresholds, dtype="float64")
        if criterion.direction == "higher":
            passed = (v[ok, None] >= t[None, :]).sum(axis=1)
        else:
            passed = (v[ok, None] <= t[None, :]).sum(axis=1)
        out[ok] = 1 + 9 * passed / len(t)
        return out
    if criterion.scale == "value_share":
        x = np.clip(v[ok], 0, None)
        total = x.sum()
        if total <= 0:
            out[ok] = 1.0
            return out
        order = np.sort(x)
        cum = np.cumsum(order)
        # share of the total held by customers at or below this value (ties share the top)
        idx = np.searchsorted(order, x, side="right") - 1
        out[ok] = 1 + 9 * cum[idx] / total
        return out
    ranks = pd.Series(v[ok]).rank(method="average").to_numpy()
    m = ok.sum()
    pct = (ranks - 1) / (m - 1) if m > 1 else np.full(m, 0.5)
    if criterion.direction == "lower":
        pct = 1 - pct
    out[ok] = 1 + 9 * pct
    return out


def _assessments(assessments: pd.DataFrame | None) -> pd.DataFrame | None:
    """Assessment rows with the score clipped to 1-10 and who made it (``kind``)."""
    if assessments is None or not len(assessments):
        return None
    return assessments.assign(
        criterion=assessments["criterion"].str.strip(),
        score=assessments["score"].astype("float64").clip(1, 10),
        kind=[source_kind(s) for s in assessments["source"]],
    )


def _criterion_values(
    metrics: pd.DataFrame, ass: pd.DataFrame | None, settings: ProfileSettings
) -> tuple[np.ndarray, np.ndarray, list[Message]]:
    """(values, scores, messages): customers × criteria, NaN where a value is missing."""
    ids = metrics["customer_id"].to_numpy()
    n, crit = len(ids), settings.criteria
    values = np.full((n, len(crit)), np.nan)
    scores = np.full((n, len(crit)), np.nan)
    notes: list[Message] = []
    known = sorted(ass["criterion"].dropna().unique()) if ass is not None else []
    for j, c in enumerate(crit):
        if c.source == "assessment":
            v = np.full(n, np.nan)
            if ass is not None:
                sub = ass.loc[ass["criterion"] == c.name]
                if c.assessed_by != "any":
                    sub = sub.loc[sub["kind"] == c.assessed_by]
                v = sub.groupby("customer_id")["score"].mean().reindex(ids)
                v = v.to_numpy(dtype="float64")
                if np.isnan(v).all():
                    hint = did_you_mean(c.name, known).strip()
                    notes.append(
                        Message(
                            f"{NOTES}.assessment_absent",
                            {"criterion": c.name, "hint": hint},
                            "warning",
                        )
                    )
            values[:, j] = scores[:, j] = v
        else:
            col = METRICS[c.source][0]
            v = (
                metrics[col].to_numpy(dtype="float64")
                if col in metrics.columns
                else np.full(n, np.nan)
            )
            if np.isnan(v).all():
                notes.append(
                    Message(
                        f"{NOTES}.metric_absent",
                        {"criterion": c.name, "metric": c.source},
                        "warning",
                    )
                )
            values[:, j] = v
            scores[:, j] = scale(v, c)
    if ass is None and any(c.source == "assessment" for c in crit):
        notes.append(Message(f"{NOTES}.no_assessments", {}, "warning"))
    if ass is not None:
        unused = sorted(
            set(known)
            - {c.name for c in crit if c.source == "assessment"}
            - {settings.stages.assessment_criterion}
        )
        if unused:
            notes.append(
                Message(f"{NOTES}.assessments_unused", {"criteria": ", ".join(unused)}, "info")
            )
    return values, scores, notes


def score_customers(
    metrics: pd.DataFrame,
    assessments: pd.DataFrame | None,
    settings: ProfileSettings,
) -> tuple[pd.DataFrame, pd.DataFrame, list[Message]]:
    """Score each customer on each criterion and combine per axis.

    Returns
    -------
    scores
        ``profile_scores``: customer_id, name, ``score_<criterion>`` (1-10),
        attractiveness, strength (weighted means, 1-10), criteria_missing_n, missing (";"-joined
        criteria that scored neutral for lack of a value), ``<axis>_missing_pct`` (% of the
        axis's weight resting on missing values) and ``<axis>_unassessed`` (more than
        ``max_missing_weight_pct`` of it: the axis decides nothing for this customer).
    detail
        Long table (customer_id, criterion, axis, source, value, score, weight,
        contribution, missing) for the cards.
    messages
        Criterion-level notes (:class:`~kamaudit.messages.Message`), e.g. an assessment
        criterion nobody has, with a did-you-mean against the table's criteria.

    Examples
    --------
    Two customers, one metric criterion per axis with anchored thresholds::

        net_profit thresholds [0, 100, ..., 800] (nine): a profit of 250 passes 3 -> 4.0
    """
    ids = metrics["customer_id"].to_numpy()
    n, crit = len(ids), settings.criteria
    values, scores, notes = _criterion_values(metrics, _assessments(assessments), settings)

    missing = np.isnan(scores)
    filled = np.where(missing, NEUTRAL, scores)
    w = np.array([c.weight for c in crit])
    is_attr = np.array([c.axis == "attractiveness" for c in crit])
    wide = pd.DataFrame({"customer_id": ids, "name": metrics["name"].to_numpy()})
    for j, c in enumerate(crit):
        wide[f"score_{c.name}"] = filled[:, j]
    wide["attractiveness"] = filled[:, is_attr] @ w[is_attr] / 100
    wide["strength"] = filled[:, ~is_attr] @ w[~is_attr] / 100
    wide["criteria_missing_n"] = missing.sum(axis=1).astype("int64")
    # how much of each axis's weight rests on missing (neutral) values
    for axis, mask in (("attractiveness", is_attr), ("strength", ~is_attr)):
        pct = missing[:, mask].astype("float64") @ w[mask] * 100 / w[mask].sum()
        wide[f"{axis}_missing_pct"] = pct
        wide[f"{axis}_unassessed"] = unassessed(pct, settings.max_missing_weight_pct)
    names = np.array([c.name for c in crit])
    wide["missing"] = [";".join(names[row]) for row in missing]
    wide["missing"] = wide["missing"].astype("str")

    detail = pd.DataFrame(
        {
            "customer_id": np.repeat(ids, len(crit)),
            "criterion": np.tile(names, n),
            "axis": np.tile([c.axis for c in crit], n),
            "source": np.tile([c.source for c in crit], n),
            "value": values.ravel(),
            "score": filled.ravel(),
            "weight": np.tile(w, n).astype("float64"),
            "missing": missing.ravel(),
        }
    )
    detail["contribution"] = detail["score"] * detail["weight"] / 100
    for col in ("customer_id", "criterion", "axis", "source"):
        detail[col] = detail[col].astype("str")
    return wide, detail, notes


def drivers(detail: pd.DataFrame, top: int = 2) -> pd.DataFrame:
    """Per customer: the criteria lifting it most (above neutral) and sinking it most.

    ``detail`` is customer-major (each customer's criteria together, in the same order),
    as :func:`score_customers` returns it.
    """
    if len(detail) == 0:
        return pd.DataFrame(
            {"strengths": pd.Series(dtype="str"), "weaknesses": pd.Series(dtype="str")}
        )
    ids = detail["customer_id"].to_numpy()
    names = detail["criterion"].to_numpy()
    c = int((ids == ids[0]).sum())
    n = len(detail) // c
    effect = ((detail["score"].to_numpy() - NEUTRAL) * detail["weight"].to_numpy()).reshape(n, c)
    crit = names[:c].astype(object)
    out = {}
    for label, sign in (("strengths", -1), ("weaknesses", 1)):
        order = np.argsort(sign * effect, axis=1, kind="stable")[:, :top]
        joined = np.full(n, "", dtype=object)
        for j in range(order.shape[1]):  # the top criteria, not customers
            eff = np.take_along_axis(effect, order[:, [j]], axis=1)[:, 0]
            ok = (eff > 0) if sign < 0 else (eff < 0)
            name = crit[order[:, j]]
            add = np.where(joined == "", name, joined + ", " + name)
            joined = np.where(ok, add, joined)
        out[label] = joined
    return pd.DataFrame(out, index=pd.Index(ids[::c], name="customer_id")).astype("str")
