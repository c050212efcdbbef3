"""Stage 2, cost-to-serve: what each customer really earns after the cost of serving it.

Activity-based costing over the canonical tables of intake, as pure functions of
DataFrames; ``stage.run`` puts them together and ``load_inputs`` is the only reader.

=================  =====================================================================
``settings``       ``CostToServeSettings`` (``cost_to_serve:`` in the engagement file)
``drivers``        what each pool is counted in, and each customer's volume of it
``rates``          pool cost ÷ driver volume, ÷ practical capacity, or a fixed rate;
                   allocation in whole cents, conserving every pool
``financing``      per invoice: amount × days outstanding × cost of capital ÷ 365
``pnl``            list sales → … → net profit, one row per customer
``whale``          Kaplan's cumulative profit curve, peak, erosion, deciles
``segments``       revenue ABC against profit ABC; Shapiro's quadrants; big customers
                   that lose money, with the lines that sink them
``avoidability``   what dropping a customer would really save
``sensitivity``    rates ±x % one at a time, and a seeded Monte Carlo
``robustness``     each verdict robust or sensitive, with its tipping point
``scenarios``      reprice, reserve, exit per loss-maker (``cts_scenarios``)
``driver_words``   drivers in the client's words (plurals, synonyms, five languages)
``time_equations`` minutes per event (time-driven ABC), parsed without eval
``reconcile``      the P&L against the ledger and the pools
``findings``       the verdicts and notes as messages (translated by the report)
``stage``          ``run(inputs, settings, period)``, ``load_inputs(workspace)``
=================  =====================================================================

Money is in the engagement currency. Cost-to-serve is allocated in whole cents (largest
remainder), so allocated + unallocated equals every pool exactly.

>>> inputs = cost_to_serve.load_inputs(ctx.workspace)                            # doctest: +SKIP
>>> result = cost_to_serve.run(inputs, eng.cost_to_serve, eng.period)           # doctest: +SKIP
>>> result.pnl[["customer_id", "net_revenue", "net_profit"]]                    # doctest: +SKIP
>>> ctx.workspace.save(result)                                                  # doctest: +SKIP
"""

from __future__ import annotations

from .avoidability import avoidability
from .drivers import DRIVERS, driver_volumes, unpooled_activities
from .financing import financing_cost
from .findings import findings
from .ledger import customer_base
from .pnl import customer_pnl
from .rates import allocate, compute_rates, period_years
from .reconcile import reconcile
from .robustness import robustness
from .scenarios import scenario_profits, scenario_summary
from .segments import (
    QUADRANTS,
    abc,
    abc_matrix,
    big_unprofitable,
    quadrant_summary,
    shapiro_matrix,
    sinking_lines,
)
from .sensitivity import sensitivity
from .settings import CostToServeSettings
from .stage import CostToServeResult, load_inputs, run, run_cost_to_serve
from .whale import WhaleCurve, whale_curve

__all__ = [
    # the stage
    "CostToServeResult",
    "CostToServeSettings",
    "load_inputs",
    "run",
    "run_cost_to_serve",
    # its steps
    "DRIVERS",
    "QUADRANTS",
    "WhaleCurve",
    "abc",
    "abc_matrix",
    "allocate",
    "avoidability",
    "big_unprofitable",
    "compute_rates",
    "customer_base",
    "customer_pnl",
    "driver_volumes",
    "financing_cost",
    "findings",
    "period_years",
    "quadrant_summary",
    "reconcile",
    "robustness",
    "scenario_profits",
    "scenario_summary",
    "sensitivity",
    "shapiro_matrix",
    "sinking_lines",
    "unpooled_activities",
    "whale_curve",
]
