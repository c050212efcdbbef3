"""The company's README (what it is, its tables, the whale curve and the planted facts) and
the trainer's answer sheet."""

from __future__ import annotations

import pyarrow as pa


def _money(x: float, currency: str) -> str:
    return f"{x:,.0f} {currency}"


def readme_text(info: dict, key: dict | None, tables: dict[str, pa.Table]) -> str:
    cur = info["currency"]
    out = [
        f"# {info['client']} — fictional sample company",
        "",
        f"{info['client']} is {info['business']}. Everything here is invented by "
        f"`kamaudit.sample` (industry `{info['industry']}`, seed {info['seed']}); no real company or "
        "person is meant.",
        "",
        f"- Period: {info['period_start']} to {info['period_end']} ({info['years']} years)",
        f"- Customers: {info['n_customers']}; invoice lines: {info['n_lines']:,} "
        f"({info['n_invoices']:,} invoices, {info['n_credit_notes']:,} of them credit notes)",
        f"- Net invoiced revenue: {_money(info['net_invoiced'], cur)}; "
        f"top 20% of customers bring {info['top20_share']:.0%} of it",
        f"- Customer base: {info['base']['customers_new_n']} customers are new (first invoice "
        f"in the last 12 months), {info['base']['customers_lost_n']} are lost (no invoice in "
        f"the last 12 months), {info['base']['one_off_buyers_n']} bought only once or twice",
        "",
        "Run the audit:",
        "",
        "```bash",
        "kamaudit run engagement.yaml --out audit",
        "```",
        "",
        "## Tables",
        "",
        "| file | rows | columns |",
        "|---|---:|---|",
    ]
    for name, t in tables.items():
        out.append(f"| {name}.csv | {t.num_rows:,} | {', '.join(t.column_names)} |")
    tricky = (
        [
            "Some customer names are tricky on purpose (a leading `=`, `+`, `-` or `@`, quotes, "
            "commas, `<` and `>`, Czech, Polish and German letters, an apostrophe): deliverables "
            "must show them as text.",
            "",
        ]
        if info.get("hostile_names", True)
        else []
    )
    out += [
        "",
        "Cost pools carry `annual_cost` per year; the engagement covers "
        f"{info['years']} years. Activities are counted by the pool's `driver`. Credit notes are "
        "invoices with negative lines; payments list the regular invoices (an empty `paid_date` is "
        "unpaid at the end of the period).",
        "",
        *tricky,
    ]
    if key is None:
        out += [
            "## Planted facts",
            "",
            "This company hides a few facts a good audit finds. Your trainer has the answer sheet.",
            "",
        ]
        return "\n".join(out)
    w = key["whale_curve"]
    out += [
        "## Whale curve",
        "",
        f"With the answer key's costing (below), total net profit is {_money(w['total_net_profit'], cur)} "
        f"({w['net_profit_pct_of_revenue']:.1f}% of net revenue). Sorted from the most profitable, the "
        f"cumulative profit peaks at {w['peak_pct']:.0f}% of the total after {w['peak_customers_n']} "
        f"customers; the most profitable 20% earn {w['top20pct_profit_pct']:.0f}%; "
        f"{w['loss_makers_n']} customers lose money and give back {_money(w['erosion'], cur)} "
        "(the erosion). The audit itself shows a somewhat lower peak: by default it rates a "
        "pool that has a practical capacity (here delivery) on that capacity and leaves the cost "
        "of unused capacity unallocated, so its total profit is a little higher.",
        "",
    ]
    out += ["## Planted facts", "", _facts_markdown(key, cur)]
    out += ["Machine-readable: `answer_key.json` (customer ids per fact).", ""]
    return "\n".join(out)


_FACT_TITLES = {
    "top10_loss_makers": "Two top-10 customers lose money",
    "unprofitable_vip": "An unprofitable VIP",
    "fast_growing_potential": "Small, fast-growing customers with potential",
    "single_contact_key_candidates": "Profitable key-account candidates with a single contact",
    "very_late_payer": "A very late payer",
    "must_be_key": "The customer that must be key",
}


def _facts_markdown(key: dict, currency: str) -> str:
    out = []
    for k, (fact_id, fact) in enumerate(key["facts"].items(), start=1):
        out += [
            f"{k}. **{_FACT_TITLES.get(fact_id, fact_id)}** (`{fact_id}`). {fact['description']}",
            "",
        ]
        for cu in fact["customers"]:
            bits = [
                f"revenue rank {cu['revenue_rank']}",
                f"net revenue {_money(cu['net_revenue'], currency)}",
                f"net profit {_money(cu['net_profit'], currency)}",
            ]
            if "sinking_cost_lines" in cu:
                bits.append("cost lines: " + ", ".join(cu["sinking_cost_lines"]))
            if cu.get("growth_ratio") is not None:
                bits.append(f"growth x{cu['growth_ratio']}")
            if "avg_days_late" in cu and fact_id == "very_late_payer":
                bits.append(f"paid {cu['avg_days_late']:.0f} days after due on average")
            name = cu["name"].replace("|", "\\|")
            out.append(f"   - `{cu['customer_id']}` {name}: " + "; ".join(bits))
        out.append("")
    out.append(
        f"How the figures were computed: {key['method']['costing']}; cost of capital "
        f"{key['method']['cost_of_capital']:.0%}. Robustness: {key['method']['robustness']}."
    )
    out.append("")
    return "\n".join(out)


def answer_sheet(key: dict) -> str:
    head = [
        f"# Answer sheet — {key['client']}",
        "",
        f"Industry `{key['industry']}`, seed {key['seed']}, period {key['period']['start']} to "
        f"{key['period']['end']}. Keep this sheet away from the participants.",
        "",
        "",
    ]
    return "\n".join(head) + _facts_markdown(key, key["currency"])
