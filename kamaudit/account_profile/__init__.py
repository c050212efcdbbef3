"""Stage 3, key-account profile: who the key accounts are, and why.

Most companies name their key accounts by turnover alone. This stage scores every
customer on weighted criteria along two axes and keeps the list few, explained and stable.
One module per step:

``settings``      the criteria (anchored 1-10 scales, weights summing to 100 per axis) and rules
``metrics``       per-customer metrics from the P&L, invoices, payments and customer master
``scoring``       criterion scores and the two axes: attractiveness (to us), strength (as seen by them)
``portfolio``     McDonald's matrix, the customer's view of us, where the two disagree
``relationship``  contacts coverage, relationship stage, probability to win or keep
``selection``     key accounts (capped), deep plan, potential, VIP-but-not-key, turnover comparison
``stability``     Monte Carlo selection frequency: stable core and borderline
``cards``         one card per key account with risks and next steps
``stage``         ``load_inputs(workspace)`` and ``run(inputs, settings, period)``

>>> inputs = load_inputs(ctx.workspace)                                   # doctest: +SKIP
>>> result = run(inputs, ctx.engagement.profile, ctx.engagement.period)   # doctest: +SKIP
>>> result.profile.query("is_key_account")[["name", "quadrant"]]         # doctest: +SKIP
"""

from __future__ import annotations

from .cards import profile_cards
from .metrics import compute_metrics
from .portfolio import CLIENT_VIEWS, QUADRANTS, portfolio
from .relationship import contact_coverage, contact_map, relationship
from .scoring import score_customers
from .selection import (
    potential_accounts,
    select_accounts,
    selection_cap,
    turnover_comparison,
    vip_not_key,
)
from .settings import (
    ASSESSMENT_CRITERIA,
    DEFAULT_CRITERIA,
    METRICS,
    NEUTRAL,
    Criterion,
    ProfileSettings,
)
from .stability import stability
from .stage import ProfileResult, load_inputs, run

__all__ = [
    # entry point
    "ProfileResult",
    "ProfileSettings",
    "load_inputs",
    "run",
    # settings and vocabulary (contact roles and stages: kamaudit.contract)
    "ASSESSMENT_CRITERIA",
    "CLIENT_VIEWS",
    "DEFAULT_CRITERIA",
    "METRICS",
    "NEUTRAL",
    "QUADRANTS",
    "Criterion",
    # the steps, in order
    "compute_metrics",
    "contact_coverage",
    "score_customers",
    "portfolio",
    "relationship",
    "select_accounts",
    "selection_cap",
    "turnover_comparison",
    "potential_accounts",
    "vip_not_key",
    "stability",
    "profile_cards",
    "contact_map",
]
