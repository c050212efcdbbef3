"""The company's README (what it is, its tables, the whale curve and the planted facts) and
the trainer's answer sheet, in the engagement's language.

Every sentence comes from the catalog (``sample.*`` in
``kamaudit/deliverables/locales/<language>/seminar.yaml``), one source for all five
languages; numbers are formatted for the language.
"""

from __future__ import annotations

import pyarrow as pa

from ..deliverables.i18n import Catalog


def _cat(info: dict) -> Catalog:
    return Catalog(info.get("language", "en"), info["currency"])


def _money(cat: Catalog, x: float) -> str:
    return f"{cat.number(x)} {cat.currency}"


def readme_text(info: dict, key: dict | None, tables: dict[str, pa.Table]) -> str:
    cat = _cat(info)
    t, num = cat.t, cat.number
    base = info["base"]
    business = t(f"sample.business.{info['industry']}", default=info["business"])
    out = [
        f"# {t('sample.readme.title', client=info['client'])}",
        "",
        t(
            "sample.readme.intro",
            client=info["client"],
            business=business,
            industry=info["industry"],
            seed=info["seed"],
        ),
        "",
        "- "
        + t(
            "sample.readme.period",
            start=info["period_start"],
            end=info["period_end"],
            years=info["years"],
        ),
        "- "
        + t(
            "sample.readme.size",
            customers=num(info["n_customers"]),
            lines=num(info["n_lines"]),
            invoices=num(info["n_invoices"]),
            credit_notes=num(info["n_credit_notes"]),
        ),
        "- "
        + t(
            "sample.readme.revenue",
            revenue=_money(cat, info["net_invoiced"]),
            share=num(100 * info["top20_share"]),
        ),
        "- "
        + t(
            "sample.readme.base",
            new=base["customers_new_n"],
            lost=base["customers_lost_n"],
            one_off=base["one_off_buyers_n"],
        ),
        "",
        t("sample.readme.run"),
        "",
        "```bash",
        "kamaudit run engagement.yaml --out audit",
        "```",
        "",
        f"## {t('sample.readme.tables')}",
        "",
        f"| {t('sample.readme.file')} | {t('sample.readme.rows')} | {t('sample.readme.columns')} |",
        "|---|---:|---|",
    ]
    for name, tab in tables.items():
        out.append(f"| {name}.csv | {num(tab.num_rows)} | {', '.join(tab.column_names)} |")
    out += ["", t("sample.readme.notes", years=info["years"]), ""]
    if info.get("hostile_names", True):
        out += [t("sample.readme.tricky"), ""]
    if key is None:
        out += [f"## {t('sample.readme.planted')}", "", t("sample.readme.planted_secret"), ""]
        return "\n".join(out)
    w = key["whale_curve"]
    out += [
        f"## {t('sample.readme.whale_heading')}",
        "",
        t(
            "sample.readme.whale",
            total=_money(cat, w["total_net_profit"]),
            pct=num(w["net_profit_pct_of_revenue"], 1),
            peak=num(w["peak_pct"]),
            after=w["peak_customers_n"],
            top20=num(w["top20pct_profit_pct"]),
            losers=w["loss_makers_n"],
            erosion=_money(cat, w["erosion"]),
        ),
        "",
    ]
    out += [f"## {t('sample.readme.planted')}", "", _facts_markdown(key, cat)]
    out += [t("sample.readme.machine"), ""]
    return "\n".join(out)


def _customer_line(cu: dict, fact_id: str, cat: Catalog) -> str:
    t = cat.t
    bits = [
        t("sample.sheet.revenue_rank", rank=cu["revenue_rank"]),
        t("sample.sheet.net_revenue", amount=_money(cat, cu["net_revenue"])),
        t("sample.sheet.net_profit", amount=_money(cat, cu["net_profit"])),
    ]
    if "sinking_cost_lines" in cu:
        bits.append(t("sample.sheet.cost_lines", lines=", ".join(cu["sinking_cost_lines"])))
    if cu.get("growth_ratio") is not None:
        bits.append(t("sample.sheet.growth", ratio=cat.number(cu["growth_ratio"], 2)))
    if "avg_days_late" in cu and fact_id == "very_late_payer":
        bits.append(t("sample.sheet.paid_late", days=cat.number(cu["avg_days_late"])))
    name = cu["name"].replace("|", "\\|")
    return f"   - `{cu['customer_id']}` {name}: " + "; ".join(bits)


def _facts_markdown(key: dict, cat: Catalog) -> str:
    t = cat.t
    out = []
    for k, (fact_id, fact) in enumerate(key["facts"].items(), start=1):
        title = t(f"reveal.facts.{fact_id}", default=fact_id)
        text = t(f"sample.facts.{fact_id}", default=fact["description"])
        out += [f"{k}. **{title}** (`{fact_id}`). {text}", ""]
        out += [_customer_line(cu, fact_id, cat) for cu in fact["customers"]]
        out.append("")
    team = key.get("team") or {}
    if team:  # the roster against the list: under-staffed on purpose, or staffed for it
        word = "understaffed" if team.get("understaffed") else "staffed"
        params = {k: team.get(k) for k in ("kams_n", "kam_slots", "key_accounts_expected")}
        out += [
            t(
                f"sample.team.{word}",
                kams=params["kams_n"],
                slots=params["kam_slots"],
                key_n=params["key_accounts_expected"],
                short=team.get("kams_short", 0),
            ),
            "",
        ]
    out += [t("sample.sheet.method", rate=cat.number(100 * key["method"]["cost_of_capital"])), ""]
    return "\n".join(out)


def answer_sheet(key: dict, language: str = "en") -> str:
    cat = Catalog(language, key["currency"])
    head = [
        f"# {cat.t('sample.sheet.title', client=key['client'])}",
        "",
        cat.t(
            "sample.sheet.intro",
            industry=key["industry"],
            seed=key["seed"],
            start=key["period"]["start"],
            end=key["period"]["end"],
        ),
        "",
        cat.t("sample.sheet.after_audit"),
        "",
        "",
    ]
    return "\n".join(head) + _facts_markdown(key, cat)
