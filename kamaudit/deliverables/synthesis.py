"""The synthesis's part of the deliverables: the action list and the pocket margins.

``build(ctx)`` presents the ``actions`` and ``pocket_margins`` tables the synthesis step
wrote (:mod:`kamaudit.synthesis`); it computes nothing. ``None`` before the synthesis ran.
"""

from __future__ import annotations

import pandas as pd

from ..synthesis.actions import top_actions
from .model import Heading, Section, Sheet, StageReport, Table, Text

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
            )
        )
    headline: list = []
    if len(view):
        top = top_actions(actions, HEADLINE_N)
        headline = [
            Heading(t(f"{_P}headline", n=ctx.fmt.number(len(top)))),
            Table(
                view.loc[top.index],
                formats={"impact_amount": "money0", "due_date": "date"},
                column_labels=labels,
            ),
        ]
    blocks: list = [Text(t(f"{_P}intro"))]
    if len(view):
        blocks += [
            Heading(t(f"{_P}top_heading", n=ctx.fmt.number(min(TOP_N, len(view))))),
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
        headline=headline,
    )
