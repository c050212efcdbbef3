"""What a CFO can do about a loss-maker: reprice, serve it more cheaply, or let it go.

:func:`scenarios` builds the ``cts_scenarios`` table, one row per scenario and customer
it applies to, with the same profit the customer P&L shows before (``net_profit_before``
is ``customer_pnl.net_profit``) and the profit after the lever. Three scenarios, each on
the unprofitable customers, with defaults in :class:`ScenarioSettings`
(``cost_to_serve.scenarios`` in the engagement file, defaults in ``settings``):

``reprice``
    The price (or discount) change that brings the customer to the target net margin
    (default: the median net margin of the profitable customers). Cost of goods and
    cost-to-serve stay; ``breakeven_volume_loss_pct`` is the volume loss at which the
    change stops paying (volume-driven cost goes with the volume, the rest stays).
``reserve``
    A cheaper service model, costed with the pools' rates: a minimum order value (the
    base's 25th-percentile order: smaller orders are pooled into orders of that value),
    deliveries consolidated to one a week, and contacts and orders moved to the
    cheapest channel of their group in the data (visits to calls, rush orders to
    orders).
``exit``
    Drop the customer only where the avoidable cost exceeds the margin lost. Freed
    capacity counts as a saving only if that capacity is removed
    (``capacity_removed``): otherwise only each pool's avoidable share is saved, and
    ``net_profit_after`` is the cost that stays behind (negative).

``lever`` and ``assumption`` are English sentences for the working papers;
``lever_terms`` and ``assumption_terms`` say the same as JSON lists of ``[key, params]``
terms, which the deliverables put into the client's language
(``cost_to_serve.scenario_terms.<key>`` in the catalogs).

The portfolio effect of a scenario is ``Σ net_profit_after − Σ net_profit_before`` over
its rows: :func:`scenario_profits` gives every customer's profit after each scenario
(for the whale curve after it) and :func:`scenario_summary` the totals.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd

from ._util import _codes, _col, _num, _sum_by
from .driver_words import lexicon, pool_activities, tokens
from .settings import ScenarioSettings

__all__ = [
    "SCENARIO_COLUMNS",
    "scenario_profits",
    "scenario_summary",
    "scenarios",
]

SCENARIOS = ("reprice", "reserve", "exit")

SCENARIO_COLUMNS = [
    "scenario",
    "customer_id",
    "name",
    "lever",
    "net_revenue_before",
    "net_revenue_after",
    "net_profit_before",
    "net_profit_after",
    "profit_change",
    "price_change_pct",
    "breakeven_volume_loss_pct",
    "assumption",
    "lever_terms",
    "assumption_terms",
]
"""Columns of ``cts_scenarios`` (the first six and ``assumption`` are the contract)."""


def _target_margin(pnl: pd.DataFrame, given: float | None) -> float:
    if given is not None:
        return float(given)
    m = pnl.loc[pnl["net_profit"] > 0, "net_profit_pct"].dropna()
    return float(m.median()) if len(m) else 0.0


def _saving_share(rates: pd.DataFrame, st: ScenarioSettings, default_avoidable: float):
    """Per pool, the share of a unit of its cost that is saved when the unit goes."""
    if st.capacity_removed:
        return np.ones(len(rates))
    pct = rates["avoidable_pct"].to_numpy(dtype=float)
    return np.where(np.isnan(pct), default_avoidable, pct) / 100.0


def _reprice(pnl, rates, share, target_pct) -> pd.DataFrame:
    """Price change to the target margin, and the volume loss at which it stops paying."""
    m = target_pct / 100.0
    rev = pnl["net_revenue"].to_numpy(dtype=float)
    before = pnl["net_profit"].to_numpy(dtype=float)
    delta = (m * rev - before) / (1.0 - m)
    variable_cts = np.zeros(len(pnl))
    for j, c in enumerate(rates["cost_column"]):
        variable_cts += pnl[c].to_numpy(dtype=float) * share[j]
    fixed = pnl["cts_total"].to_numpy(dtype=float) - variable_cts
    contribution = rev + delta - pnl["cogs"].to_numpy(dtype=float) - variable_cts
    contribution -= pnl["financing_cost"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        v = np.where(contribution > 0, 1.0 - (before + fixed) / contribution, np.nan)
    price_pct = np.where(rev > 0, delta / np.where(rev > 0, rev, 1) * 100.0, np.nan)
    return pd.DataFrame(
        {
            "net_revenue_after": rev + delta,
            "net_profit_after": before + delta,
            "price_change_pct": price_pct,
            "breakeven_volume_loss_pct": np.clip(v * 100.0, 0.0, 100.0),
        }
    )


def scenarios(
    pnl: pd.DataFrame,
    rates: pd.DataFrame,
    volumes: np.ndarray,
    invoices: pd.DataFrame,
    activities: pd.DataFrame | None,
    settings: ScenarioSettings | None = None,
    *,
    default_avoidable_pct: float = 100.0,
) -> pd.DataFrame:
    """The ``cts_scenarios`` table: reprice, reserve and exit for each unprofitable customer.

    Parameters
    ----------
    pnl
        The customer P&L (``customer_pnl``, with ``profit_change_if_dropped``) in the
        same customer order as ``volumes``.
    rates, volumes
        The pool rates and the customers × pools driver volumes the P&L was costed with.
    invoices, activities
        The canonical tables (order values; delivery dates).

    Returns
    -------
    DataFrame
        :data:`SCENARIO_COLUMNS`; ``net_profit_before`` is the P&L's ``net_profit``.
        Does not modify its inputs.
    """
    st = settings or ScenarioSettings()
    share = _saving_share(rates, st, default_avoidable_pct)
    loss = pnl["net_profit"].to_numpy(dtype=float) < 0
    target = _target_margin(pnl, st.target_margin_pct)
    parts = []
    rp = _reprice(pnl, rates, share, target)
    ok = loss & (pnl["net_revenue"].to_numpy(dtype=float) > 0)
    parts.append(
        _rows(pnl, ok, "reprice", rp, lambda i: _reprice_lever(rp, i), _reprice_note(target, st))
    )
    saving, levers = _reserve_savings(pnl, rates, volumes, invoices, activities, share, st)
    after = pnl["net_profit"].to_numpy(dtype=float) + saving
    rs = pd.DataFrame({"net_profit_after": after})
    parts.append(
        _rows(
            pnl,
            loss & (saving > 0.005),
            "reserve",
            rs,
            lambda i: _said(levers[i]),
            _reserve_note(st),
        )
    )
    change = _exit_change(pnl, rates, share)
    ex = pd.DataFrame({"net_profit_after": pnl["net_profit"].to_numpy(dtype=float) + change})
    ex["net_revenue_after"] = 0.0
    parts.append(
        _rows(
            pnl,
            loss & (change > 0.005),
            "exit",
            ex,
            lambda i: _said([("drop the customer", ("exit_drop", {}))]),
            _exit_note(st),
        )
    )
    out = pd.concat(parts, ignore_index=True)
    for c in ("scenario", "customer_id", "name", "lever", "assumption", "lever_terms"):
        out[c] = out[c].astype("str")
    return out[SCENARIO_COLUMNS]


def _rows(pnl, mask, scenario, after: pd.DataFrame, lever, assumption) -> pd.DataFrame:
    idx = np.flatnonzero(mask)
    before = pnl["net_profit"].to_numpy(dtype=float)[idx]
    rev = pnl["net_revenue"].to_numpy(dtype=float)[idx]
    a = after.iloc[idx]
    prof_after = a["net_profit_after"].to_numpy(dtype=float)
    rev_after = a["net_revenue_after"].to_numpy(dtype=float) if "net_revenue_after" in a else rev
    nan = np.full(len(idx), np.nan)
    said = [lever(i) for i in idx]
    note, note_terms = assumption
    return pd.DataFrame(
        {
            "scenario": scenario,
            "customer_id": pnl["customer_id"].to_numpy()[idx],
            "name": pnl["name"].to_numpy()[idx] if "name" in pnl.columns else "",
            "lever": [text for text, _ in said],
            "net_revenue_before": rev,
            "net_revenue_after": rev_after,
            "net_profit_before": before,
            "net_profit_after": prof_after,
            "profit_change": prof_after - before,
            "price_change_pct": a["price_change_pct"].to_numpy()
            if "price_change_pct" in a
            else nan,
            "breakeven_volume_loss_pct": (
                a["breakeven_volume_loss_pct"].to_numpy()
                if "breakeven_volume_loss_pct" in a
                else nan
            ),
            "assumption": note,
            "lever_terms": [terms for _, terms in said],
            "assumption_terms": note_terms,
        },
        columns=SCENARIO_COLUMNS,
    )


def _said(parts: list[tuple[str, tuple[str, dict]]]) -> tuple[str, str]:
    """``(english, terms)`` of a list of ``(sentence, (key, params))`` parts: the English
    joined with "; " for the working papers, the terms as JSON for the deliverables."""
    english = "; ".join(text for text, _ in parts)
    terms = json.dumps([[key, params] for _, (key, params) in parts], ensure_ascii=False)
    return english, terms


def _reprice_lever(rp: pd.DataFrame, i: int) -> tuple[str, str]:
    r = rp.iloc[i]
    change, v = float(r["price_change_pct"]), float(r["breakeven_volume_loss_pct"])
    parts = [
        (
            f"price +{change:.1f} % (or that much less discount)",
            ("reprice_price", {"price_change_pct": change}),
        )
    ]
    if v >= 100:
        parts.append(
            (
                "pays at any volume loss (the customer does not cover its variable cost)",
                ("reprice_any_loss", {}),
            )
        )
    elif not math.isnan(v):
        parts.append(
            (f"stops paying beyond {v:.0f} % volume loss", ("reprice_stop", {"loss_pct": v}))
        )
    return _said(parts)


def _saving_part(st: ScenarioSettings, prefix: str, all_text: str, share_text: str):
    key = f"{prefix}_all" if st.capacity_removed else f"{prefix}_avoidable"
    return (all_text if st.capacity_removed else share_text, (key, {}))


def _reprice_note(target: float, st: ScenarioSettings) -> tuple[str, str]:
    given = st.target_margin_pct is not None
    src = "engagement setting" if given else "median of profitable customers"
    return _said(
        [
            (
                f"target net margin {target:.1f} % ({src})",
                ("target_given" if given else "target_median", {"target_pct": target}),
            ),
            ("volume, cost of goods and cost to serve unchanged", ("reprice_unchanged", {})),
            _saving_part(
                st,
                "breakeven",
                "break-even volume loss: volume-driven cost leaves with the volume, all pool cost",
                "break-even volume loss: volume-driven cost leaves with the volume, "
                "each pool's avoidable share",
            ),
        ]
    )


def _reserve_note(st: ScenarioSettings) -> tuple[str, str]:
    groups = "; ".join(" -> ".join(g) for g in st.channel_groups)
    q, d, shift = st.min_order_quantile_pct, st.deliveries_per_week, st.channel_shift_pct
    return _said(
        [
            (
                f"minimum order value at the base's {q:.0f}th percentile order",
                ("reserve_min_order", {"quantile_n": q}),
            ),
            (f"at most {d} delivery a week", ("reserve_deliveries", {"deliveries_n": d})),
            (
                f"{shift:.0f} % of events moved to the cheapest channel of each group ({groups})",
                (
                    "reserve_channels",
                    {"shift_pct": shift, "groups": [list(g) for g in st.channel_groups]},
                ),
            ),
            _saving_part(
                st,
                "saving",
                "costed with the pools' rates, saving all of the cost freed",
                "costed with the pools' rates, saving each pool's avoidable share",
            ),
        ]
    )


def _exit_note(st: ScenarioSettings) -> tuple[str, str]:
    if st.capacity_removed:
        return _said(
            [
                (
                    "freed capacity removed: all its cost-to-serve and financing saved",
                    ("exit_capacity_removed", {}),
                )
            ]
        )
    return _said(
        [
            (
                "only avoidable cost saved (each pool's avoidable share and financing); the rest "
                "stays with the remaining customers (net profit after = cost left behind)",
                ("exit_avoidable_only", {}),
            )
        ]
    )


def _exit_change(pnl: pd.DataFrame, rates: pd.DataFrame, share: np.ndarray) -> np.ndarray:
    """Profit change of the portfolio if the customer leaves: avoidable cost − gross margin."""
    avoid = pnl["financing_cost"].to_numpy(dtype=float).copy()
    for j, col in enumerate(rates["cost_column"]):
        avoid += pnl[col].to_numpy(dtype=float) * share[j]
    return avoid - pnl["gross_margin"].to_numpy(dtype=float)


def _concepts(name: str) -> set[str]:
    return {name.strip().lower(), *lexicon().concepts_of(tokens(name))}


def _reserve_savings(pnl, rates, volumes, invoices, activities, share, st):
    """(saving per customer, lever parts per customer) of the cheaper service model: each
    part a ``(sentence, (key, params))`` pair for :func:`_said`."""
    n = len(pnl)
    saving = np.zeros(n)
    notes: list[list] = [[] for _ in range(n)]
    if not len(rates) or volumes.size == 0:
        return saving, [[] for _ in range(n)]
    universe = pd.Index(pnl["customer_id"])
    rate = rates["rate"].to_numpy(dtype=float)
    acts = pool_activities(rates, activities)
    # minimum order value: small orders pooled into orders of that value
    fewer = _orders_saved(invoices, universe, st.min_order_quantile_pct)
    for j, r in rates.iterrows():
        if r["driver"] == "invoices" and not math.isnan(rate[j]):
            s = np.minimum(fewer, volumes[:, j]) * rate[j] * share[j]
            saving += s
            _note(
                notes,
                s,
                lambda i: (
                    f"{fewer[i]:.0f} fewer orders (minimum order value)",
                    ("reserve_fewer_orders", {"orders_n": float(fewer[i])}),
                ),
            )
    # deliveries consolidated per week
    for j, a in enumerate(acts):
        if a is None or "delivery" not in _concepts(a) or math.isnan(rate[j]):
            continue
        weekly = _weekly_deliveries(activities, a, universe, st.deliveries_per_week)
        cut = (
            np.clip(volumes[:, j] - weekly, 0, None) if rates["driver"].iloc[j] == "activity" else 0
        )
        s = cut * rate[j] * share[j]
        saving += s
        _note(
            notes,
            s,
            lambda i, c=cut: (
                f"{c[i]:.0f} fewer deliveries (weekly)",
                ("reserve_fewer_deliveries", {"deliveries_n": float(c[i])}),
            ),
        )
    # events moved to the cheapest channel of each group
    for group in st.channel_groups:
        saving += _channel_savings(group, rates, volumes, acts, share, st, notes)
    return saving, notes


def _channel_savings(group, rates, volumes, acts, share, st, notes) -> np.ndarray:
    """Saving of moving ``channel_shift_pct`` of each pricier channel's events to the
    cheapest channel of ``group`` (activity names or catalog concepts). Events move from
    pools counted in activity rows; the cheapest may also be a ledger-driven pool (rush
    orders to plain orders): those events are already in its count, so they cost nothing
    more there."""
    wanted = {g.lower() for g in group}
    rate = rates["rate"].to_numpy(dtype=float)
    drivers = rates["driver"].tolist()
    names = [a if a is not None else str(n) for a, n in zip(acts, rates["activity"], strict=True)]
    members = [
        j
        for j, name in enumerate(names)
        if not math.isnan(rate[j])
        and drivers[j] in ("activity", "invoices", "invoice_lines")
        and _concepts(name) & wanted
    ]
    saving = np.zeros(volumes.shape[0])
    if len(members) < 2:
        return saving
    cheap = min(members, key=lambda j: rate[j])
    extra = rate[cheap] if drivers[cheap] == "activity" else 0.0
    for j in members:
        if j == cheap or drivers[j] != "activity" or rate[j] <= rate[cheap]:
            continue
        moved = volumes[:, j] * st.channel_shift_pct / 100.0
        s = moved * (rate[j] * share[j] - extra)
        saving += s
        _note(
            notes,
            s,
            lambda i, m=moved, a=names[j], b=names[cheap]: (
                f"{m[i]:.1f} {a} moved to {b}",
                ("reserve_moved", {"events": round(float(m[i]), 1), "source": a, "target": b}),
            ),
        )
    return saving


def _note(notes: list[list], s: np.ndarray, part) -> None:
    for i in np.flatnonzero(np.asarray(s) > 0.005):
        notes[i].append(part(i))


def _orders_saved(invoices: pd.DataFrame, universe: pd.Index, quantile_pct: float) -> np.ndarray:
    """Per customer, orders saved when orders below the minimum value are pooled."""
    net = np.nan_to_num(_num(invoices["net_amount"]))
    codes, ids = pd.factorize(invoices["invoice_id"])
    amount = np.bincount(codes, weights=net, minlength=len(ids))
    first = np.full(len(ids), len(codes), dtype=np.int64)
    np.minimum.at(first, codes, np.arange(len(codes)))
    cust = _codes(invoices["customer_id"], universe)[first]
    orders = amount > 0
    if not orders.any():
        return np.zeros(len(universe))
    mov = float(np.percentile(amount[orders], quantile_pct))
    small = orders & (amount < mov)
    n_small = _sum_by(cust[small], None, len(universe))
    value = _sum_by(cust[small], amount[small], len(universe))
    needed = np.ceil(value / mov) if mov > 0 else n_small
    return np.clip(n_small - needed, 0, None)


def _weekly_deliveries(activities, activity: str, universe: pd.Index, per_week: int) -> np.ndarray:
    """Per customer, deliveries left when each week gets at most ``per_week``."""
    a = activities[activities["activity"].astype(str).str.strip().str.lower() == activity.lower()]
    if "activity_date" not in a.columns or not len(a):
        return np.full(len(universe), np.inf)
    week = pd.to_datetime(a["activity_date"]).dt.to_period("W").astype(str)
    qty = np.nan_to_num(_num(_col(a, "quantity", 1.0)), nan=1.0)
    g = pd.DataFrame({"c": a["customer_id"].to_numpy(), "w": week.to_numpy(), "q": qty})
    per = g.groupby(["c", "w"], sort=False)["q"].sum().clip(upper=per_week)
    by = per.groupby(level=0).sum()
    out = np.full(len(universe), 0.0)
    pos = universe.get_indexer(by.index)
    out[pos[pos >= 0]] = by.to_numpy()[pos >= 0]
    return out


def scenario_profits(pnl: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """Every customer's net profit now and after each scenario (``customer_id``, ``now``
    and one column per scenario): the whale curve after a scenario is drawn from it."""
    out = pd.DataFrame({"customer_id": pnl["customer_id"], "now": pnl["net_profit"]})
    for sc in SCENARIOS:
        rows = table[table["scenario"] == sc].set_index("customer_id")["net_profit_after"]
        out[sc] = out["customer_id"].map(rows).fillna(out["now"]).to_numpy(dtype=float)
    return out.reset_index(drop=True)


def scenario_summary(pnl: pd.DataFrame, table: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Per scenario: customers, profit change and portfolio profit after; and the profit at
    stake (what the loss-makers lose now)."""
    total = float(pnl["net_profit"].sum())
    prof = pnl["net_profit"].to_numpy(dtype=float)
    out: dict[str, dict[str, float]] = {
        "now": {"net_profit": total, "profit_at_stake": float(-prof[prof < 0].sum())}
    }
    for sc in SCENARIOS:
        t = table[table["scenario"] == sc]
        change = float(t["profit_change"].sum())
        out[sc] = {
            "customers_n": float(len(t)),
            "profit_change": change,
            "net_profit": total + change,
        }
    return out
