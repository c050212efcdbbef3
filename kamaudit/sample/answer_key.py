"""The answer key: the planted facts with each customer's figures, the customer base and
the whale curve, as the answer key's costing computes them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .arrays import bincount
from .costing import COST_OF_CAPITAL
from .invoices import yearly_revenue
from .profiles import ROLES

if TYPE_CHECKING:
    from .company import Company

# ---------------------------------------------------------------- answer key


def build_answer_key(
    c: Company, pnl: dict[str, np.ndarray], extra: dict, meta: dict
) -> dict[str, Any]:
    r, prof = c.role_idx, c.prof
    cid, names = extra["cid"], extra["names"]
    nr = pnl["net_revenue"]
    rev_rank = np.empty(c.n, np.int64)
    rev_rank[np.argsort(-nr, kind="stable")] = np.arange(1, c.n + 1)
    prof_rank = np.empty(c.n, np.int64)
    prof_rank[np.argsort(-pnl["net_profit"], kind="stable")] = np.arange(1, c.n + 1)
    act_names = [prof.acts[role].name for role in ROLES]
    # average days paid after due, per customer
    late_days = np.where(c.pay_unpaid, np.nan, c.pay_paid - c.pay_due)
    pc = c.inv_cust[c.pay_inv]
    ok = ~np.isnan(late_days)
    avg_late = bincount(pc[ok], late_days[ok], c.n) / np.maximum(
        np.bincount(pc[ok], minlength=c.n), 1
    )
    rev_y = np.stack([yearly_revenue(c, int(i)) for i in c.grow])

    def card(i: int, **more: Any) -> dict[str, Any]:
        d = {
            "customer_id": str(cid[i]),
            "name": str(names[i]),
            "revenue_rank": int(rev_rank[i]),
            "profit_rank": int(prof_rank[i]),
            "net_revenue": round(float(nr[i]), 2),
            "gross_margin": round(float(pnl["gross_margin"][i]), 2),
            "cost_to_serve": round(float(pnl["cts"][i]), 2),
            "financing_cost": round(float(pnl["financing"][i]), 2),
            "net_profit": round(float(pnl["net_profit"][i]), 2),
        }
        d.update(more)
        return d

    def sinking(i: int, k: int = 3) -> list[str]:
        by = pnl["cts_by"][i]
        return [act_names[j] for j in np.argsort(-by, kind="stable")[:k]]

    facts: dict[str, dict[str, Any]] = {}
    loss = [int(i) for i in c.loss]
    facts["top10_loss_makers"] = {
        "description": "Two of the ten largest customers by net revenue lose money after cost-to-serve: "
        "heavy discounts leave a thin gross margin, and rush orders, split deliveries, returns, "
        "support and slow payment eat the rest.",
        "customer_ids": [str(cid[i]) for i in loss],
        "customers": [
            card(i, sinking_cost_lines=sinking(i), avg_days_late=round(float(avg_late[i]), 1))
            for i in loss
        ],
    }
    v = r["vip_loss"]
    facts["unprofitable_vip"] = {
        "description": 'A customer the client flags "VIP" loses money: weekly visits, many calls and '
        "support are not paid for by its revenue. It is not among the ten largest.",
        "customer_ids": [str(cid[v])],
        "customers": [card(v, client_flag="VIP", sinking_cost_lines=sinking(v))],
    }
    facts["fast_growing_potential"] = {
        "description": "Small customers today whose revenue in the last year is at least 2.5 times the year "
        "before, with a large wallet (annual spend in our categories) and good assessments both ways: "
        "potential key accounts.",
        "customer_ids": [str(cid[i]) for i in c.grow],
        "customers": [
            card(
                int(i),
                revenue_by_year=[round(float(x), 2) for x in rev_y[k]],
                growth_ratio=round(float(rev_y[k][-1] / max(rev_y[k][-2], 1e-9)), 2)
                if c.years >= 2
                else None,
                wallet_estimate=float(extra["wallet"][i]),
            )
            for k, i in enumerate(c.grow)
        ],
    }
    facts["single_contact_key_candidates"] = {
        "description": "Highly profitable customers rated high on strategic value whose whole relationship "
        "hangs on a single contact person: key-account candidates with a single-point-of-contact risk.",
        "customer_ids": [str(cid[i]) for i in c.single],
        "customers": [card(int(i), contacts=1) for i in c.single],
    }
    lp = r["late"]
    facts["very_late_payer"] = {
        "description": "One customer pays on average more than 90 days after the due date; its financing "
        "cost is large for its size.",
        "customer_ids": [str(cid[lp])],
        "customers": [
            card(
                lp, payment_terms_days=int(c.terms[lp]), avg_days_late=round(float(avg_late[lp]), 1)
            )
        ],
    }
    mk = r["must_key"]
    facts["must_be_key"] = {
        "description": "The largest customer: highly profitable, eight contacts across every role, excellent "
        "assessments both in our view and in its view of us. Any selection must keep it.",
        "customer_ids": [str(cid[mk])],
        "customers": [card(mk, contacts=8)],
    }
    return {
        **meta,
        "customer_base": _base_profile(c),
        "whale_curve": _whale(pnl),
        "method": {
            "costing": "activity-based: rate = annual_cost x years / total driver volume, allocated by each "
            "customer's driver volume; financing = invoice amount x days from invoice to payment "
            "(or period end) x cost_of_capital / 365; net revenue = net invoice amount - rebates",
            "cost_of_capital": COST_OF_CAPITAL,
            "robustness": "the loss-makers still lose money with every rate 25% lower; the profitable "
            "facts hold with every rate 25% higher",
        },
        "facts": facts,
        # the roster against the key-account list (a pack under-staffs a few on purpose)
        "team": extra.get("team", {}),
    }


def _base_profile(c: Company) -> dict[str, int]:
    """New, lost and one-off customers as the intake's base profile counts them (first and last
    twelve months of the period compared; credit notes count as activity)."""
    first = np.unique(c.inv_cust[c.inv_day < c.ybounds[1]])
    last = np.unique(c.inv_cust[c.inv_day >= c.ybounds[-2]])
    regular = np.bincount(c.inv_cust[~c.inv_credit], minlength=c.n)
    return {
        "customers_new_n": int(len(np.setdiff1d(last, first))),
        "customers_lost_n": int(len(np.setdiff1d(first, last))),
        "customers_retained_n": int(len(np.intersect1d(first, last))),
        "one_off_buyers_n": int(((regular >= 1) & (regular <= 2)).sum()),
    }


def _whale(pnl: dict[str, np.ndarray]) -> dict[str, float]:
    """Kaplan's whale curve of the answer key's costing: customers by net profit, best first."""
    profit = np.sort(pnl["net_profit"])[::-1]
    cum = np.cumsum(profit)
    k = int(np.argmax(cum))
    total = float(cum[-1])
    n = len(profit)
    top = max(1, n // 5)
    return {
        "total_net_profit": round(total, 2),
        "net_profit_pct_of_revenue": round(total / float(pnl["net_revenue"].sum()) * 100, 1),
        "peak_pct": round(float(cum[k]) / total * 100, 1),
        "peak_customers_n": k + 1,
        "erosion": round(float(cum[k]) - total, 2),
        "top20pct_profit_pct": round(float(cum[top - 1]) / total * 100, 1),
        "loss_makers_n": int((profit < 0).sum()),
    }
