"""Stage 4's part of the deliverables: team plan sheets and the team design section.

``build(ctx)`` reads what ``kamaudit.team_design.write_results`` left in the workspace
(``team_*`` tables and the ``team_summary`` JSON) and returns a :class:`StageReport`, or
``None`` when the stage has not run. ``render_statements`` turns the plan's statements
(message keys with values) into sentences of the engagement's language.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

import pandas as pd
from babel.dates import format_date

from ..contract import TEAM_ROLES
from ..plots import team_design as plots
from .model import Bullets, Heading, KeyFigures, Section, Sheet, StageReport, Table, Text

STAGE = "team_design"
_P = "team_design."
_MONTHS = [f"m{i:02d}" for i in range(1, 13)]


_MORE = re.compile(r"^(\d+) more$")


def _more(item: str, ctx) -> str:
    """The "16 more" a long list of names ends with, in the client's language."""
    m = _MORE.match(item)
    return ctx.t(f"{_P}and_more", n=ctx.fmt.number(int(m.group(1)))) if m else item


def _values(values: dict[str, Any], ctx) -> dict[str, str]:
    out: dict[str, str] = {}
    for k, v in values.items():
        if isinstance(v, bool):
            out[k] = ctx.t("common.yes") if v else ctx.t("common.no")
        elif isinstance(v, (int, float)):
            if isinstance(v, float) and math.isnan(v):
                out[k] = "–"
            else:
                out[k] = ctx.fmt.number(v, 0 if float(v).is_integer() else 1)
        elif isinstance(v, (list, tuple)):
            out[k] = ", ".join(_more(str(x), ctx) for x in v)
        else:
            out[k] = "" if v is None else str(v)
    if "role" in values:
        out["role"] = ctx.t(f"{_P}role_phrase.{values['role']}", default=str(values["role"]))
    if "tier" in values:
        out["tier"] = ctx.t(f"{_P}tier.{values['tier']}", default=str(values["tier"]))
    if "tiers" in values:
        tiers = values["tiers"]
        tiers = tiers.split("/") if isinstance(tiers, str) else list(tiers)
        out["tiers"] = "/".join(ctx.t(f"{_P}tier.{x}", default=str(x)) for x in tiers)
    if "method" in values and "clv_method_key" in values:
        out["method"] = ctx.t(f"{_P}clv_method.{values['clv_method_key']}", default=out["method"])
    return out


def render_statements(statements: list[dict[str, Any]], ctx) -> list[tuple[str, str]]:
    """``(kind, sentence)`` for each statement of ``team_summary``, in the engagement's language."""
    out = []
    for s in statements:
        text = ctx.t(
            f"{_P}statement.{s['key']}",
            default=s.get("text", s["key"]),
            **_values(s.get("values", {}), ctx),
        )
        out.append((s.get("kind", "finding"), text[:1].upper() + text[1:]))
    return out


def _reason(codes: Any, ctx) -> str:
    if codes is None or (isinstance(codes, float) and math.isnan(codes)) or codes is pd.NA:
        return ""
    text = "; ".join(ctx.t(f"{_P}reason.{c}") for c in str(codes).split(";") if c)
    return text[:1].upper() + text[1:]


def _month_labels(ctx, plan_start: str | None) -> dict[str, str]:
    if not plan_start:
        return {}
    start = dt.date.fromisoformat(plan_start)
    labels = {}
    for i, col in enumerate(_MONTHS):
        y, m = start.year + (start.month - 1 + i) // 12, (start.month - 1 + i) % 12 + 1
        labels[col] = format_date(dt.date(y, m, 1), format="MMM yyyy", locale=ctx.fmt.locale)
    return labels


def build(ctx) -> StageReport | None:
    """The team design sheets and report section, or None when the stage has not run."""
    ws = ctx.workspace
    summary = ws.read_json("team_summary")
    if summary is None or not ws.has_table("team_plan"):
        return None
    t = ctx.t
    read = lambda name: ws.read_table(name, required=False)  # noqa: E731
    plan, assignments, load = read("team_plan"), read("team_assignments"), read("team_load")
    matrix, cov, cplan = read("team_matrix"), read("team_coverage"), read("team_contact_plan")
    kpis, capacity = read("team_kpis"), read("team_capacity")
    statements = render_statements(summary.get("statements", []), ctx)
    n_key = int(summary.get("key_accounts_n", 0))
    role_t = lambda r: t(f"{_P}role.{r}", default=str(r))  # noqa: E731
    months = _month_labels(ctx, summary.get("plan_start"))
    hours_label = {"hours": t(f"{_P}col_hours"), "method": t(f"{_P}col_method")}

    sheets: list[Sheet] = []
    names = (
        assignments.set_index("customer_id")["name"]
        if assignments is not None and len(assignments)
        else pd.Series(dtype="str")
    )

    if plan is not None:
        p = plan.copy()
        p.insert(1, "customer_name", p["customer_id"].map(names).astype("str"))
        p["role"] = ctx.codes(p["role"], f"{_P}role")
        p["reason"] = p["reason_codes"].map(lambda c: _reason(c, ctx)).astype("str")
        p = p[
            ["customer_id", "customer_name", "role", "person_id", "person_name", "hours", "reason"]
        ]
        sheets.append(
            Sheet(
                key="team_plan",
                name=t(f"{_P}sheets.plan"),
                df=p,
                title=t(f"{_P}sheets.plan"),
                note=t(f"{_P}sheets.plan_note"),
                formats={"hours": "float"},
                column_labels=hours_label,
            )
        )
    if assignments is not None:
        a = assignments.copy()
        a["tier"] = ctx.codes(a["tier"], f"{_P}tier")
        a["kam_reason"] = a["kam_reason_codes"].map(lambda c: _reason(c, ctx)).astype("str")
        a["sponsor_reason"] = a["sponsor_reason_codes"].map(lambda c: _reason(c, ctx)).astype("str")
        a = a[
            [
                "customer_id",
                "name",
                "industry",
                "tier",
                "account_owner",
                "kam_name",
                "kam_hours",
                "kam_reason",
                "sponsor_name",
                "sponsor_hours",
                "sponsor_reason",
            ]
        ]
        sheets.append(
            Sheet(
                key="team_assignments",
                name=t(f"{_P}sheets.assignments"),
                df=a,
                title=t(f"{_P}sheets.assignments"),
                note=t(f"{_P}sheets.assignments_note"),
                formats={"kam_hours": "float", "sponsor_hours": "float"},
            )
        )
    if matrix is not None:
        m = matrix.copy()
        m["tier"] = ctx.codes(m["tier"], f"{_P}tier")
        sheets.append(
            Sheet(
                key="team_matrix",
                name=t(f"{_P}sheets.matrix"),
                df=m,
                title=t(f"{_P}sheets.matrix"),
                note=t(f"{_P}sheets.matrix_note"),
                formats={c: "float" for c in m.columns if c.endswith("_hours")},
                conditional={"total_hours": "bar"},
            )
        )
    if cov is not None and len(cov):
        c = cov.copy()
        c["owner_role"] = ctx.codes(c["owner_role"], f"{_P}role")
        c["contact_role"] = ctx.codes(c["contact_role"], f"{_P}contact_role")
        for col in ("single_holder_current", "single_holder_planned"):
            c[col] = ctx.yes_no(c[col])
        sheets.append(
            Sheet(
                key="team_coverage",
                name=t(f"{_P}sheets.coverage"),
                df=c,
                title=t(f"{_P}sheets.coverage"),
                note=t(f"{_P}sheets.coverage_note"),
            )
        )
    if cplan is not None and len(cplan):
        cp = cplan.copy()
        cp["tier"] = ctx.codes(cp["tier"], f"{_P}tier")
        cp["channel_source"] = ctx.codes(cp["channel_source"], f"{_P}channel_source")
        cp["owner_role"] = ctx.codes(cp["owner_role"], f"{_P}role")
        cp["contact_role"] = ctx.codes(cp["contact_role"], f"{_P}contact_role")
        cp = cp[
            [
                "customer_id",
                "customer_name",
                "contact_id",
                "contact_name",
                "contact_role",
                "tier",
                "channel",
                "channel_source",
                "touchpoints_n",
                "hours",
                "owner_name",
                "owner_role",
                "current_owner",
                *_MONTHS,
            ]
        ]
        sheets.append(
            Sheet(
                key="team_contact_plan",
                name=t(f"{_P}sheets.contact_plan"),
                df=cp,
                title=t(f"{_P}sheets.contact_plan"),
                note=t(f"{_P}sheets.contact_plan_note"),
                formats={"hours": "float", **{mm: "int" for mm in _MONTHS}},
                column_labels={**months, **hours_label},
                conditional={mm: "scale" for mm in _MONTHS},
            )
        )
    if kpis is not None and len(kpis):
        k = kpis.copy()
        k["level"] = ctx.codes(k["level"], f"{_P}level")
        k["method"] = [
            _kpi_method(kpi, meth, ctx, summary)
            for kpi, meth in zip(k["kpi"], k["method"], strict=True)
        ]
        k["method"] = k["method"].astype("str")
        k["kpi"] = ctx.codes(k["kpi"], f"{_P}kpi")
        sheets.append(
            Sheet(
                key="team_kpis",
                name=t(f"{_P}sheets.kpis"),
                df=k,
                title=t(f"{_P}sheets.kpis"),
                note=t(f"{_P}sheets.kpis_note"),
                formats={"baseline": "float", "target": "float"},
                column_labels=hours_label,
            )
        )
    if capacity is not None:
        cap = capacity.copy()
        cap["role"] = ctx.codes(cap["role"], f"{_P}role")
        sheets.append(
            Sheet(
                key="team_capacity",
                name=t(f"{_P}sheets.capacity"),
                df=cap,
                title=t(f"{_P}sheets.capacity"),
                note=t(f"{_P}sheets.capacity_note"),
                formats=_capacity_formats(cap),
            )
        )
    if load is not None and len(load):
        ld = load.copy()
        ld["role"] = ctx.codes(ld["role"], f"{_P}role")
        ld["is_head_of_kam"] = ctx.yes_no(ld["is_head_of_kam"])
        sheets.append(
            Sheet(
                key="team_load",
                name=t(f"{_P}sheets.load"),
                df=ld,
                title=t(f"{_P}sheets.load"),
                note=t(f"{_P}sheets.load_note"),
                formats={
                    "hours_planned": "float",
                    "head_of_kam_hours": "float",
                    "capacity_hours": "float",
                    "spare_hours": "float",
                    "max_accounts": "int",
                    "load_pct": "pct",
                },
                conditional={"load_pct": "bar"},
            )
        )

    # ---------------------------------------------------------------- section
    blocks: list = [Text(t(f"{_P}intro"))]
    kam_cap = capacity[capacity["role"] == "kam"] if capacity is not None else None
    figures = [(t(f"{_P}key_accounts"), ctx.fmt.number(n_key))]
    if kam_cap is not None and len(kam_cap):
        figures += [
            (t(f"{_P}key_kams_needed"), ctx.fmt.number(float(kam_cap["fte_needed"].iloc[0]), 1)),
            (t(f"{_P}key_kams_roster"), ctx.fmt.number(int(kam_cap["people_n"].iloc[0]))),
        ]
    figures.append(
        (t(f"{_P}key_feasible"), t("common.yes") if summary.get("feasible") else t("common.no"))
    )
    blocks.append(KeyFigures(figures))
    blocks.append(Heading(t(f"{_P}summary_heading")))
    for kind, text in statements:
        blocks.append(Text(text, kind=kind if kind in ("finding", "warning", "note") else "p"))

    if load is not None and len(load):
        blocks.append(Heading(t(f"{_P}load_heading")))
        blocks.append(Text(t(f"{_P}load_text")))
        fig = plots.load_per_person(
            load,
            title=t(f"{_P}load_title"),
            xlabel=t(f"{_P}load_x"),
            planned_label=t(f"{_P}load_planned"),
            capacity_label=t(f"{_P}load_capacity"),
            role_labels={r: role_t(r) for r in load["role"].unique()},
        )
        blocks.append(ctx.figure("team_load", fig, alt=t(f"{_P}load_alt")))

    if assignments is not None and len(assignments) and load is not None:
        blocks.append(Heading(t(f"{_P}structure_heading")))
        blocks.append(Text(t(f"{_P}structure_text")))
        blocks.append(Bullets(_structure(assignments, load, ctx)))

    if capacity is not None and len(capacity):
        blocks.append(Heading(t(f"{_P}capacity_heading")))
        blocks.append(Text(t(f"{_P}capacity_text")))
        cap = capacity[
            [
                "role",
                "accounts_n",
                "hours_needed",
                "fte_needed",
                "people_n",
                "roster_fte",
                "gap_fte",
                "spare_hours",
            ]
        ].copy()
        cap["role"] = ctx.codes(cap["role"], f"{_P}role")
        blocks.append(Table(df=cap, formats=_capacity_formats(cap)))

    if matrix is not None and len(matrix):
        blocks.append(Heading(t(f"{_P}matrix_heading")))
        m = matrix[["name", "tier", *TEAM_ROLES, "total_hours"]].copy()
        m["tier"] = ctx.codes(m["tier"], f"{_P}tier")
        blocks.append(
            Table(
                df=m,
                formats={"total_hours": "float"},
                max_rows=ctx.engagement.report.max_table_rows_html,
            )
        )

    if cplan is not None and len(cplan):
        blocks.append(Heading(t(f"{_P}contact_heading")))
        blocks.append(Text(t(f"{_P}contact_text")))
        fig = plots.contact_calendar(
            cplan, month_names=[months.get(c, c) for c in _MONTHS], title=t(f"{_P}calendar_title")
        )
        blocks.append(ctx.figure("team_contact_calendar", fig, alt=t(f"{_P}calendar_alt")))

    if kpis is not None and (kpis["level"] == "kam").any():
        blocks.append(Heading(t(f"{_P}kpi_heading")))
        blocks.append(Text(t(f"{_P}kpi_text")))
        kk = kpis[kpis["level"] == "kam"]
        wide = kk.pivot(index="subject_id", columns="kpi", values="baseline")
        wide = wide[list(kk["kpi"].unique())]
        wide.insert(
            0, "kam", kk.drop_duplicates("subject_id").set_index("subject_id")["subject_name"]
        )
        wide = wide.reset_index(drop=True)
        labels = {c: t(f"{_P}kpi.{c}", default=c) for c in wide.columns if c != "kam"}
        wide.columns.name = None
        blocks.append(
            Table(
                df=wide,
                column_labels=labels,
                formats={c: "float" for c in wide.columns if c != "kam"},
            )
        )

    if not n_key:
        blocks.append(Text(t(f"{_P}none"), kind="note"))

    if summary.get("feasible") and kam_cap is not None and len(kam_cap):
        head = [
            t(
                f"{_P}summary_feasible",
                n=ctx.fmt.number(n_key),
                kams=ctx.fmt.number(int((load["role"] == "kam").sum()) if load is not None else 0),
            )
        ]
    elif n_key and "assignment" in summary.get("skipped", []):
        fte = float(kam_cap["fte_needed"].iloc[0]) if kam_cap is not None and len(kam_cap) else 0.0
        head = [t(f"{_P}summary_no_roster", n=ctx.fmt.number(n_key), fte=ctx.fmt.number(fte, 1))]
    elif n_key:
        head = [t(f"{_P}summary_infeasible")]
    else:
        head = [t(f"{_P}none")]
    extra = [text for kind, text in statements if kind == "warning"][:2]
    for sheet in sheets:
        sheet.df = _blank_text(sheet.df)
    return StageReport(
        stage=STAGE,
        section=Section(id=STAGE, title=t(f"{_P}title"), blocks=blocks),
        sheets=sheets,
        summary=(head + extra)[:4],
    )


def _blank_text(df: pd.DataFrame) -> pd.DataFrame:
    """Missing text shown as empty cells (an unstaffed role is an empty cell in the matrix)."""
    out = df.copy()
    for c in out.columns:
        if pd.api.types.is_string_dtype(out[c].dtype) and out[c].isna().any():
            out[c] = out[c].fillna("")
    return out


def _capacity_formats(df: pd.DataFrame) -> dict:
    out = {c: "float" for c in df.columns if "hours" in c or "fte" in c}
    out.update({c: "int" for c in ("accounts_n", "people_n") if c in df.columns})
    return out


def _kpi_method(kpi: str, english: str, ctx, summary: dict) -> str:
    if kpi in ("clv_period", "clv_per_year"):
        key = next((k for k, v in _CLV_KEYS.items() if english and english.startswith(v)), None)
        return ctx.t(f"{_P}clv_method.{key}") if key else english
    days = None
    if kpi == "active_contacts_n":
        days = ctx.engagement.team.active_contact_days
    elif kpi == "repeat_order_pct":
        days = ctx.engagement.team.repeat_order_days
    return ctx.t(
        f"{_P}kpi_method.{kpi}",
        default=english,
        days=ctx.fmt.number(days) if days is not None else "",
    )


_CLV_KEYS = {"pnl": "net customer profit", "margin": "gross margin", "revenue": "net revenue"}


def _structure(assignments: pd.DataFrame, load: pd.DataFrame, ctx) -> list[str]:
    """Head of KAM, then each KAM with their accounts (and sponsors)."""
    t = ctx.t
    items = []
    head = load[load["is_head_of_kam"].astype(bool)]
    if len(head):
        items.append(t(f"{_P}head_of_kam", name=str(head["name"].iloc[0])))
    else:
        items.append(t(f"{_P}no_head"))
    a = assignments.sort_values(["kam_name", "priority"], kind="mergesort", na_position="last")

    def entry(r) -> str:
        tier = t(f"{_P}tier.{r.tier}", default=str(r.tier))
        if isinstance(r.sponsor_name, str) and r.sponsor_name:
            return t(f"{_P}account_entry_sponsor", name=r.name, tier=tier, sponsor=r.sponsor_name)
        return t(f"{_P}account_entry", name=r.name, tier=tier)

    for kam, grp in a[a["kam_name"].notna()].groupby("kam_name", sort=True):
        items.append(
            t(f"{_P}kam_line", kam=kam, accounts=", ".join(entry(r) for r in grp.itertuples()))
        )
    left = a[a["kam_name"].isna()]
    if len(left):
        items.append(
            t(f"{_P}unassigned_line", accounts=", ".join(entry(r) for r in left.itertuples()))
        )
    return items
