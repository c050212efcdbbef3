"""The synthesis's part of the deliverables: the action list and the pocket margins.

``build(ctx)`` presents the ``actions`` and ``pocket_margins`` tables the synthesis step
wrote (:mod:`kamaudit.synthesis`); it computes nothing. ``None`` before the synthesis ran.
"""

from __future__ import annotations

import pandas as pd

from ..synthesis.actions import top_actions
from ..synthesis.pocket import POCKET_STEPS
from .model import Bullets, ChartSpec, Heading, Section, Sheet, StageReport, Table, Text
from .native_charts import waterfall_labels

STAGE = "synthesis"
_P = "synthesis."
TOP_N = 10
"""Actions listed in the report's section; the workbook has them all."""
HEADLINE_N = 5
"""Actions on the executive summary's page (:func:`~kamaudit.synthesis.actions.top_actions`)."""


def _actions_view(actions: pd.DataFrame, ctx) -> pd.DataFrame:
    """Actions in the client's words: what, for whom, worth, owner, by when, resting on."""
    t = ctx.t
    # an action is for a customer (its name) or for a table of data (the table's name)
    tables = actions["segment"].map(lambda s: t(f"{_P}tables.{s}", default=str(s)))
    who = tables.where(actions["segment"].notna(), actions["name"])
    return pd.DataFrame(
        {
            "action": actions["action"].map(lambda a: t(f"{_P}actions.{a}", default=str(a))),
            "customer": who.astype("str"),
            "impact_amount": actions["impact_amount"],
            "owner": actions["owner"].fillna(t(f"{_P}owner_unassigned")).astype("str"),
            "due_date": actions["due_date"],
            "basis": actions["basis"].map(lambda b: t(f"{_P}basis.{b.split('.')[0]}", default=b)),
        }
    )


def _labels(ctx) -> dict[str, str]:
    return {
        c: ctx.t(f"{_P}columns.{c}")
        for c in ("action", "customer", "impact_amount", "owner", "due_date", "basis")
    }


_E = "synthesis.evidence."


def _money(ctx, x) -> str:
    return ctx.fmt.money(x) if x is not None else "–"


def _assumption_line(ctx, a: dict) -> str:
    """One assumption in a sentence, with its recomputed effect where it has one."""
    t, f, key = ctx.t, ctx.fmt, a["key"]
    low = (a.get("effects") or [{}])[0]
    base = a.get("base") or {}
    if key == "margin_assumed":
        return t(
            f"{_E}margin_assumed",
            value=f.pct(a["value"], 0),
            share=f.pct(a.get("share_pct") or 0, 0),
            alt=f.pct(low.get("value"), 0),
            alt_profit=_money(ctx, low.get("net_profit")),
            base_profit=_money(ctx, base.get("net_profit")),
            alt_losers=f.number(low.get("loss_makers_n", 0)),
            base_losers=f.number(base.get("loss_makers_n", 0)),
        )
    if key in ("financing_on_terms", "cost_of_capital"):
        high = (a.get("effects") or [{}, {}])[-1]
        return t(
            f"{_E}{key}",
            terms=f.number(a.get("terms_days") or 0),
            rate=f.pct(100 * a["value"], 0),
            financing=_money(ctx, a.get("financing_total")),
            alt_rate=f.pct(100 * high.get("value", 0), 0),
            alt_profit=_money(ctx, high.get("net_profit")),
            base_profit=_money(ctx, base.get("net_profit")),
            count=a.get("loss_makers_on_financing_alone_n", 0),
            n=f.number(a.get("loss_makers_on_financing_alone_n", 0)),
        )
    if key == "strength_unassessed":
        return f.tn(
            f"{_E}strength_unassessed",
            a.get("customers_n", 0),
        )
    return t(f"{_E}{key}", default=key)


def evidence_lines(ctx) -> list[str]:
    """The first lines of the summary: what the headline figures rest on (the tables
    received and missing, then each assumption with its effect). [] before the synthesis."""
    doc = ctx.workspace.read_json("evidence", None)
    if not doc:
        return []
    t = ctx.t
    tables = doc["tables"]
    names = [t(f"{_P}tables.{x}", default=x) for x in tables["missing"]]
    per = doc["period"]
    first, last = per["start"][:4], per["end"][:4]
    years = ctx.fmt._digits(first if first == last else f"{first}-{last}")  # native digits
    label = t(f"{_E}period_label", years=years, months=ctx.fmt.number(per["months"]))
    lines = [t(f"{_E}period", period=label)]
    if names:
        lines.append(t(f"{_E}missing", tables=", ".join(names)))
    lines += [_assumption_line(ctx, a) for a in doc["assumptions"]]
    return lines


ANSWER_FIGURES = {
    "cost_to_serve": ("net_profit", "cts_total", "loss_makers_n"),
    "account_profile": ("key_n", "kam_fit"),
    "team_design": ("team_fte",),
}
"""The headline figures each answer of the first page states."""


def answer_notes(ctx) -> dict[str, str]:
    """Per answer stage, one sentence naming what its figures rest on when that is not
    the data alone ("Rests on: net customer profit assumed (assumed margin, payment on
    terms); cost to serve not assessable."), so no answer states a default as a finding."""
    doc = ctx.workspace.read_json("evidence", None)
    if not doc:
        return {}
    t = ctx.t
    by_name = {f["figure"]: f for f in doc.get("figures", [])}
    notes = {}
    for stage, figures in ANSWER_FIGURES.items():
        items = []
        for name in figures:
            fig = by_name.get(name)
            if not fig or fig["basis"] == "data":
                continue
            why = ", ".join(t(f"{_E}names.{a}", default=a) for a in fig.get("assumptions") or [])
            items.append(
                t(
                    f"{_E}answer_item",
                    figure=t(f"{_E}figures.{name}", default=name),
                    basis=t(f"{_E}bases.{fig['basis']}"),
                    why=f" ({why})" if why else "",
                )
            )
        if items:
            notes[stage] = t(f"{_E}answer_basis", items="; ".join(items))
    return notes


def evidence_blocks(ctx) -> list:
    """The self-contained "what this rests on" block: the lines of :func:`evidence_lines`
    and a table of every headline figure with its basis (data, assumed, not assessable)."""
    doc = ctx.workspace.read_json("evidence", None)
    if not doc:
        return []
    t, f = ctx.t, ctx.fmt
    received = [t(f"{_P}tables.{x}", default=x) for x in doc["tables"]["received"]]

    def value(fig):
        v = fig["value"]
        if v is None:
            return "–"
        if isinstance(v, str):
            return t(f"{_E}fit.{v}", default=v)
        return (
            f.number(v, 1)
            if fig["figure"] == "team_fte"
            else (f.number(v) if fig["figure"].endswith("_n") else _money(ctx, v))
        )

    figures = pd.DataFrame(
        {
            t(f"{_E}col_figure"): [t(f"{_E}figures.{x['figure']}") for x in doc["figures"]],
            t(f"{_E}col_value"): [value(x) for x in doc["figures"]],
            t(f"{_E}col_basis"): [
                t(f"{_E}bases.{x['basis']}")
                + (
                    ": " + ", ".join(t(f"{_E}names.{k}", default=k) for k in x["assumptions"])
                    if x["assumptions"]
                    else ""
                )
                for x in doc["figures"]
            ],
        }
    )
    blocks = [
        Heading(t(f"{_E}heading"), 3),
        Text(t(f"{_E}received", tables=", ".join(received))),
        Bullets(evidence_lines(ctx)),
        Table(figures),
    ]
    team = doc.get("team")
    if team and team.get("profit_per_fte_per_year") is not None:
        key = "team_cost" if team.get("team_cost_per_year") is not None else "team_profit"
        blocks.append(
            Text(
                t(
                    f"{_E}{key}",
                    fte=f.number(team["fte"], 1),
                    accounts=f.number(team["accounts_n"]),
                    profit=_money(ctx, team["accounts_profit_per_year"]),
                    per_fte=_money(ctx, team["profit_per_fte_per_year"]),
                    cost=_money(ctx, team.get("team_cost_per_year")),
                ),
                "finding",
            )
        )
    return blocks


def pocket_chart(pockets: pd.DataFrame, ctx) -> ChartSpec | None:
    """The key accounts' pocket margin together as a native waterfall: list sales, the
    deductions, the subtotals, down to the pocket profit (steps named by the catalog)."""
    t = ctx.t
    sums = pockets.groupby("step", sort=False)["amount"].sum()
    steps = [(s, sign) for s, _c, sign in POCKET_STEPS if s in sums.index]
    if not steps:
        return None
    data = pd.DataFrame(
        {
            "label": [t(f"{_P}steps.{s}", default=s) for s, _sign in steps],
            "value": [float(sums[s]) for s, _sign in steps],
            "kind": ["total" if sign >= 0 else "step" for _s, sign in steps],
        }
    )
    amount = t("charts.amount")
    return ChartSpec(
        kind="waterfall",
        x="label",
        y=["value"],
        data=data,
        data_title=t(f"{_P}pocket_chart_title"),
        data_labels=waterfall_labels(t, step=t(f"{_P}columns.step"), amount=amount),
        title=t(f"{_P}pocket_chart_title"),
        y_title=ctx.money_axis(amount),
    )


def build(ctx) -> StageReport | None:
    """The action list as a sheet and a report section; pocket margins as a sheet."""
    ws = ctx.workspace
    actions = ws.read_table("actions", required=False)
    if actions is None:
        return None
    t = ctx.t
    view = _actions_view(actions, ctx)
    labels = _labels(ctx)
    sheets = [
        Sheet(
            key="actions",
            name=t(f"{_P}sheet_actions"),
            df=view,
            title=t(f"{_P}title"),
            note=t(f"{_P}note"),
            formats={"impact_amount": "money", "due_date": "date"},
            column_labels=labels,
        )
    ]
    pockets = ws.read_table("pocket_margins", required=False)
    if pockets is not None and len(pockets):
        # one row per key account, one column per step of the waterfall (prints on a page)
        steps = list(dict.fromkeys(pockets["step"]))
        p = (
            pockets.pivot_table(
                index=["customer_id", "name"], columns="step", values="amount", sort=False
            )
            .reindex(columns=steps)
            .reset_index()
        )
        p.columns = ["customer_id", "name", *steps]
        sheets.append(
            Sheet(
                key="pocket_margins",
                name=t(f"{_P}sheet_pocket"),
                df=p,
                title=t(f"{_P}pocket_title"),
                note=t(f"{_P}pocket_note"),
                formats={s: "money" for s in steps},
                column_labels={s: t(f"{_P}steps.{s}", default=str(s)) for s in steps},
                chart=pocket_chart(pockets, ctx),
            )
        )
    headline: list = []
    if len(view):
        top = top_actions(actions, HEADLINE_N)
        headline = [
            Heading(ctx.fmt.tn(f"{_P}headline", len(top))),
            Table(
                view.loc[top.index],
                formats={"impact_amount": "money0", "due_date": "date"},
                column_labels=labels,
            ),
        ]
    blocks: list = [*evidence_blocks(ctx), Text(t(f"{_P}intro"))]
    if len(view):
        blocks += [
            Heading(
                ctx.fmt.tn(
                    f"{_P}top_heading",
                    min(TOP_N, len(view)),
                )
            ),
            Table(
                view.sort_values("impact_amount", ascending=False, kind="stable").head(TOP_N),
                formats={"impact_amount": "money", "due_date": "date"},
                column_labels=labels,
            ),
        ]
    else:
        blocks.append(Text(t(f"{_P}none"), kind="note"))
    return StageReport(
        stage=STAGE,
        section=Section(id=STAGE, title=t(f"{_P}title"), blocks=blocks),
        sheets=sheets,
        summary=evidence_lines(ctx),
        summary_title=t(f"{_E}heading"),
        answer_notes=answer_notes(ctx),
        headline=headline,
    )
