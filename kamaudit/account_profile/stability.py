"""Stability: how often each customer is selected when the weights and the assessment
scores move a little (a seeded Monte Carlo), giving the stable core and the borderline."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .selection import eligibility, select_matrix, selection_cap, unassessed_masks
from .settings import ProfileSettings

__all__ = ["stability"]


def stability(
    detail: pd.DataFrame,
    metrics: pd.DataFrame,
    selection: pd.DataFrame,
    settings: ProfileSettings,
) -> pd.DataFrame:
    """Monte Carlo selection frequency (``profile_stability``).

    Each run multiplies every weight by a uniform factor in 1 ± ``weight_perturbation_pct``
    (then renormalises each axis to 100; cut-offs tolerate the rounding noise this makes,
    and an unassessed axis stays unassessed) and adds normal noise (``assessment_noise``
    points, clipped to 1-10) to the assessment scores a customer actually has, then
    selects as :func:`select_accounts` does. Runs are processed as arrays in chunks
    (customers × runs), never customer by customer.

    Columns: customer_id, name, is_key_account (the base run), selection_frequency
    (0-1), stability (``core``: at least ``core_min``; ``out``: at most ``out_max``;
    else ``borderline``).
    """
    st = settings.stability
    crit = settings.criteria
    ids = metrics["customer_id"].to_numpy()
    n, c = len(ids), len(crit)
    S = detail["score"].to_numpy(dtype="float64").reshape(n, c)
    miss = detail["missing"].to_numpy(dtype=bool).reshape(n, c)
    w = np.array([x.weight for x in crit], dtype="float64")
    is_attr = np.array([x.axis == "attractiveness" for x in crit])
    assess = np.array([x.source == "assessment" for x in crit]) & True
    eligible, forced, active = eligibility(metrics, settings)
    cap = selection_cap(int(active.sum()), settings)
    slots = cap - int(forced.sum())
    base = selection["is_key_account"].to_numpy(dtype=bool)
    # which axes decide nothing does not move between runs: missing data stays missing
    ua, us = unassessed_masks(selection)
    runs = st.runs
    freq = base.astype("float64")
    if runs > 0 and n > 0:
        rng = np.random.default_rng(st.seed)
        p = st.weight_perturbation_pct / 100
        counts = np.zeros(n)
        a_idx = np.flatnonzero(assess)
        chunk = max(1, min(runs, int(4_000_000 // max(1, n * max(1, len(a_idx))))))
        done = 0
        while done < runs:
            r = min(chunk, runs - done)
            W = w[None, :] * rng.uniform(1 - p, 1 + p, size=(r, c))
            for mask in (is_attr, ~is_attr):
                W[:, mask] *= 100 / W[:, mask].sum(axis=1, keepdims=True)
            # contribution of metric criteria: (n × r)
            attr = S[:, is_attr & ~assess] @ W[:, is_attr & ~assess].T / 100
            strg = S[:, ~is_attr & ~assess] @ W[:, ~is_attr & ~assess].T / 100
            if len(a_idx):
                noise = rng.normal(0, st.assessment_noise, size=(n, r, len(a_idx)))
                Sa = S[:, None, a_idx] + np.where(miss[:, None, a_idx], 0.0, noise)
                Sa = np.clip(Sa, 1, 10)
                Wa = W[:, a_idx]  # (r × k)
                contrib = Sa * Wa[None, :, :] / 100  # (n × r × k)
                attr = attr + contrib[:, :, is_attr[a_idx]].sum(axis=2)
                strg = strg + contrib[:, :, ~is_attr[a_idx]].sum(axis=2)
            key, _, _ = select_matrix(attr, strg, eligible, forced, slots, settings, ua, us)
            counts += key.sum(axis=1)
            done += r
        freq = counts / runs
    label = np.where(freq >= st.core_min, "core", np.where(freq <= st.out_max, "out", "borderline"))
    out = pd.DataFrame(
        {
            "customer_id": ids,
            "name": metrics["name"].to_numpy(),
            "is_key_account": base,
            "selection_frequency": freq,
            "stability": pd.Series(label, dtype="str"),
        }
    )
    return out
