"""Stage 4's part of the deliverables: team plan sheets and the team design section.

``build(ctx)`` presents what ``kamaudit.team_design.run`` left in the workspace (``team_*``
tables, the ``team_summary`` and ``team_messages`` JSON) and returns a
:class:`StageReport`, or ``None`` when the stage has not run. The sheets are declared as
data (:data:`SHEETS`); the section is a list of small block builders. Nothing is
recomputed: a code becomes a word, a message a sentence, a table a sheet.
``render_messages`` turns the plan's messages into sentences of the engagement's language.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from babel.dates import format_date

from ..contract import TEAM_ROLES
from ..messages import Message
from ..plots import team_design as plots
from ..team_design.contact_plan import MONTHS, month_labels
from ..team_design.findings import KINDS
from . import chart_words
from .i18n import Catalog, plural_count
from .model import (
    Bullets,
    ChartSpec,
    Heading,
    KeyFigures,
    Section,
    Sheet,
    StageReport,
    Table,
    Text,
)
from .values import format_params, infer_format

STAGE = "team_design"
_P = "team_design."
_MONTHS = list(MONTHS)
_TABLES = (
    "team_plan",
    "team_assignments",
    "team_load",
    "team_matrix",
    "team_coverage",
    "team_contact_plan",
    "team_kpis",
    "team_capacity",
)

_MORE = re.compile(r"^(\d+) more$")


# ---------------------------------------------------------------- messages


def _more(item: str, cat: Catalog) -> str:
    """The "16 more" a long list of names ends with, in the client's language."""
    m = _MORE.match(item)
    return cat.tn(f"{_P}and_more", int(m.group(1))) if m else item


def _values(values: dict[str, Any], cat: Catalog) -> dict[str, str]:
    """A message's parameters, formatted and translated for its sentence."""
    plain = {
        k: [_more(str(x), cat) for x in v] if isinstance(v, (list, tuple)) else v
        for k, v in values.items()
    }
    out = format_params(plain, cat)
    if "role" in values:
        out["role"] = cat.t(f"{_P}role_phrase.{values['role']}", default=str(values["role"]))
    if "tier" in values:
        out["tier"] = cat.t(f"{_P}tier.{values['tier']}", default=str(values["tier"]))
    if "tiers" in values:
        tiers = values["tiers"]
        tiers = tiers.split("/") if isinstance(tiers, str) else list(tiers)
        out["tiers"] = "/".join(cat.t(f"{_P}tier.{x}", default=str(x)) for x in tiers)
    if "clv_method_key" in values:
        out["method"] = cat.t(f"{_P}clv_method.{values['clv_method_key']}")
    return out


def render_messages(messages: list[Message], cat: Catalog) -> list[tuple[str, str]]:
    """``(kind, sentence)`` for each of the plan's messages, in the catalog's language.

    ``kind`` is how the report shows it (``finding``, ``warning`` or ``note``: the stage's
    :data:`kamaudit.team_design.findings.KINDS`).
    """
    out = []
    for m in messages:
        name = m.key.rsplit(".", 1)[-1]
        text = cat.t(m.key, count=plural_count(m.params), **_values(dict(m.params), cat))
        out.append((KINDS.get(name, "finding"), text[:1].upper() + text[1:]))
    return out


def messages_table(messages: list[Message], language: str = "en") -> pd.DataFrame:
    """The plan's messages as sentences (``kind``, ``text``), for the notebook."""
    said = render_messages(messages, Catalog(language))
    return pd.DataFrame({"kind": [k for k, _ in said], "text": [s for _, s in said]}, dtype="str")


# ---------------------------------------------------------------- sheets


@dataclass(frozen=True)
class _Data:
    """What the sheets and the section present, read once from the workspace."""

    tables: dict[str, pd.DataFrame | None]
    summary: dict[str, Any]
    said: list[tuple[str, str]]
    months: dict[str, str]
    names: pd.Series

    def __getitem__(self, name: str) -> pd.DataFrame | None:
        return self.tables.get(name)


def _reason(codes: Any, ctx) -> str:
    if codes is None or (isinstance(codes, float) and math.isnan(codes)) or codes is pd.NA:
        return ""
    text = "; ".join(ctx.t(f"{_P}reason.{c}") for c in str(codes).split(";") if c)
    return text[:1].upper() + text[1:]


def _reasons(df: pd.DataFrame, ctx, pairs: dict[str, str]) -> None:
    for target, source in pairs.items():
        df[target] = df[source].map(lambda c: _reason(c, ctx)).astype("str")


def _plan_extra(df: pd.DataFrame, ctx, data: _Data) -> None:
    df.insert(1, "customer_name", df["customer_id"].map(data.names).astype("str"))
    _reasons(df, ctx, {"reason": "reason_codes"})


def _assignments_extra(df: pd.DataFrame, ctx, data: _Data) -> None:
    _reasons(df, ctx, {"kam_reason": "kam_reason_codes", "sponsor_reason": "sponsor_reason_codes"})


def _kpis_extra(df: pd.DataFrame, ctx, data: _Data) -> None:
    key = data.summary.get("clv_method_key")
    df["method"] = pd.Series(
        [_kpi_method(k, m, ctx, key) for k, m in zip(df["kpi"], df["method"], strict=True)],
        index=df.index,
        dtype="str",
    )


def _kpi_method(kpi: str, english: str, ctx, clv_key: str | None) -> str:
    if kpi in ("clv_period", "clv_per_year"):
        return ctx.t(f"{_P}clv_method.{clv_key}") if clv_key else english
    days = {
        "active_contacts_n": ctx.engagement.team.active_contact_days,
        "repeat_order_pct": ctx.engagement.team.repeat_order_days,
    }.get(kpi)
    return ctx.t(
        f"{_P}kpi_method.{kpi}",
        default=english,
        days=ctx.fmt.number(days) if days is not None else "",
    )


def _capacity_formats(df: pd.DataFrame) -> dict:
    out = {c: "float" for c in df.columns if "hours" in c or "fte" in c}
    out.update({c: "int" for c in ("accounts_n", "people_n") if c in df.columns})
    return out


def _hours_formats(df: pd.DataFrame) -> dict:
    return {c: "float" for c in df.columns if c.endswith("_hours")}


@dataclass(frozen=True)
class _SheetSpec:
    """One sheet of the workbook: its table, words and formats, declared as data.

    ``codes`` translates coded columns (``column: catalog group``), ``yes_no`` flags,
    ``extra`` adds the columns only words can make (reasons, names, methods), ``columns``
    picks and orders what is shown; ``formats`` is a mapping or a function of the frame.
    """

    table: str
    name: str
    columns: tuple[str, ...] | None = None
    codes: dict[str, str] = field(default_factory=dict)
    yes_no: tuple[str, ...] = ()
    extra: Callable[[pd.DataFrame, Any, _Data], None] | None = None
    formats: dict[str, str] | Callable[[pd.DataFrame], dict] = field(default_factory=dict)
    labels: tuple[str, ...] = ()
    conditional: dict[str, str] = field(default_factory=dict)
    when_empty: bool = True


SHEETS: tuple[_SheetSpec, ...] = (
    _SheetSpec(
        "team_plan",
        "plan",
        columns=(
            "customer_id",
            "customer_name",
            "role",
            "person_id",
            "person_name",
            "hours",
            "reason",
        ),
        codes={"role": "role"},
        extra=_plan_extra,
        formats={"hours": "float"},
        labels=("hours",),
    ),
    _SheetSpec(
        "team_assignments",
        "assignments",
        columns=(
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
        ),
        codes={"tier": "tier"},
        extra=_assignments_extra,
        formats={"kam_hours": "float", "sponsor_hours": "float"},
    ),
    _SheetSpec(
        "team_matrix",
        "matrix",
        codes={"tier": "tier"},
        formats=_hours_formats,
        conditional={"total_hours": "bar"},
    ),
    _SheetSpec(
        "team_coverage",
        "coverage",
        codes={"owner_role": "role", "contact_role": "contact_role"},
        yes_no=("single_holder_current", "single_holder_planned"),
        when_empty=False,
    ),
    _SheetSpec(
        "team_contact_plan",
        "contact_plan",
        columns=(
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
        ),
        codes={
            "tier": "tier",
            "channel": "channel",
            "channel_source": "channel_source",
            "owner_role": "role",
            "contact_role": "contact_role",
        },
        formats={"hours": "float", **{mm: "int" for mm in _MONTHS}},
        labels=("months", "hours"),
        conditional={mm: "scale" for mm in _MONTHS},
        when_empty=False,
    ),
    _SheetSpec(
        "team_kpis",
        "kpis",
        codes={"level": "level", "kpi": "kpi"},
        extra=_kpis_extra,
        formats={"baseline": "float", "target": "float"},
        conditional={"baseline": "whole", "target": "whole"},
        labels=("hours",),
        when_empty=False,
    ),
    _SheetSpec("team_capacity", "capacity", codes={"role": "role"}, formats=_capacity_formats),
    _SheetSpec(
        "team_load",
        "load",
        codes={"role": "role"},
        yes_no=("is_head_of_kam",),
        formats={
            "hours_planned": "float",
            "head_of_kam_hours": "float",
            "capacity_hours": "float",
            "spare_hours": "float",
            "max_accounts": "int",
            "load_pct": "pct",
        },
        conditional={"load_pct": "bar"},
        when_empty=False,
    ),
)
"""The workbook's team sheets, in order."""


def _sheet(spec: _SheetSpec, ctx, data: _Data) -> Sheet | None:
    df = data[spec.table]
    if df is None or (not spec.when_empty and not len(df)):
        return None
    df = df.copy()
    if spec.extra is not None:
        spec.extra(df, ctx, data)  # before the codes: it reads them
    for col, group in spec.codes.items():
        df[col] = ctx.codes(df[col], f"{_P}{group}")
    for col in spec.yes_no:
        df[col] = ctx.yes_no(df[col])
    for col in ("account_owner", "current_owner"):  # staff by name, never by id
        if col in df.columns:
            df[col] = _person_names(df[col], ctx)
    if spec.columns is not None:
        df = df[list(spec.columns)]
    labels = {
        "hours": {"hours": ctx.t(f"{_P}col_hours"), "method": ctx.t(f"{_P}col_method")},
        "months": data.months,
    }
    title = ctx.t(f"{_P}sheets.{spec.name}")
    chart = None
    if spec.table == "team_load" and {"name", "hours_planned", "capacity_hours"} <= set(df.columns):
        chart = ChartSpec(  # the team's load, native: planned hours against capacity
            kind="bar",
            x="name",
            y=["hours_planned", "capacity_hours"],
            title=ctx.t(f"{_P}load_title"),
            y_title=ctx.t(f"{_P}load_x"),
        )
    return Sheet(
        key=spec.table,
        name=title,
        df=_blank_text(df),
        title=title,
        note=ctx.t(f"{_P}sheets.{spec.name}_note"),
        formats=spec.formats(df) if callable(spec.formats) else dict(spec.formats),
        column_labels={k: v for group in spec.labels for k, v in labels[group].items()},
        conditional=dict(spec.conditional),
        chart=chart,
    )


def _person_names(ids: pd.Series, ctx) -> pd.Series:
    """Our people's ids as their names (the team roster); an id not on it stays as given."""
    team = ctx.workspace.read_table("team", required=False)
    if team is None or ids.isna().all():
        return ids
    names = dict(zip(team["person_id"].astype(str), team["name"].astype(str), strict=True))
    return ids.map(lambda v: names.get(str(v), v) if isinstance(v, str) else v).astype(ids.dtype)


def _blank_text(df: pd.DataFrame) -> pd.DataFrame:
    """Missing text shown as empty cells (an unstaffed role is an empty cell in the matrix)."""
    out = df.copy()
    for c in out.columns:
        if pd.api.types.is_string_dtype(out[c].dtype) and out[c].isna().any():
            out[c] = out[c].fillna("")
    return out


# ---------------------------------------------------------------- section


def _kam_capacity(data: _Data) -> pd.DataFrame | None:
    cap = data["team_capacity"]
    return cap[cap["role"] == "kam"] if cap is not None else None


def _overview(ctx, data: _Data) -> list:
    t = ctx.t
    kam_cap = _kam_capacity(data)
    figures = [(t(f"{_P}key_accounts"), ctx.fmt.number(int(data.summary.get("key_accounts_n", 0))))]
    if kam_cap is not None and len(kam_cap):
        figures += [
            (t(f"{_P}key_kams_needed"), ctx.fmt.number(float(kam_cap["fte_needed"].iloc[0]), 1)),
            (t(f"{_P}key_kams_roster"), ctx.fmt.number(int(kam_cap["people_n"].iloc[0]))),
        ]
    feasible = t("common.yes") if data.summary.get("feasible") else t("common.no")
    figures.append((t(f"{_P}key_feasible"), feasible))
    blocks: list = [Text(t(f"{_P}intro")), KeyFigures(figures), Heading(t(f"{_P}summary_heading"))]
    for kind, text in data.said:
        blocks.append(Text(text, kind=kind if kind in ("finding", "warning", "note") else "p"))
    return blocks


def _load_blocks(ctx, data: _Data) -> list:
    load = data["team_load"]
    if load is None or not len(load):
        return []
    t = ctx.t
    fig = plots.load_per_person(load, **chart_words.load_per_person(t, load["role"].unique()))
    return [
        Heading(t(f"{_P}load_heading")),
        Text(t(f"{_P}load_text")),
        ctx.figure("team_load", fig, alt=t(f"{_P}load_alt")),
    ]


def _structure_blocks(ctx, data: _Data) -> list:
    assignments, load = data["team_assignments"], data["team_load"]
    if assignments is None or not len(assignments) or load is None:
        return []
    return [
        Heading(ctx.t(f"{_P}structure_heading")),
        Text(ctx.t(f"{_P}structure_text")),
        Bullets(_structure(assignments, load, ctx)),
    ]


def _capacity_blocks(ctx, data: _Data) -> list:
    capacity = data["team_capacity"]
    if capacity is None or not len(capacity):
        return []
    cols = [
        "role",
        "accounts_n",
        "hours_needed",
        "fte_needed",
        "people_n",
        "roster_fte",
        "gap_fte",
        "spare_hours",
    ]
    cap = capacity[cols].copy()
    cap["role"] = ctx.codes(cap["role"], f"{_P}role")
    return [
        Heading(ctx.t(f"{_P}capacity_heading")),
        Text(ctx.t(f"{_P}capacity_text")),
        Table(df=cap, formats=_capacity_formats(cap)),
    ]


def _matrix_blocks(ctx, data: _Data) -> list:
    matrix = data["team_matrix"]
    if matrix is None or not len(matrix):
        return []
    m = matrix[["name", "tier", *TEAM_ROLES, "total_hours"]].copy()
    m["tier"] = ctx.codes(m["tier"], f"{_P}tier")
    table = Table(
        df=m, formats={"total_hours": "float"}, max_rows=ctx.engagement.report.max_table_rows_html
    )
    return [Heading(ctx.t(f"{_P}matrix_heading")), table]


def _contact_blocks(ctx, data: _Data) -> list:
    cplan = data["team_contact_plan"]
    if cplan is None or not len(cplan):
        return []
    t = ctx.t
    fig = plots.contact_calendar(
        cplan,
        month_names=[data.months.get(c, c) for c in _MONTHS],
        **chart_words.contact_calendar(t),
    )
    return [
        Heading(t(f"{_P}contact_heading")),
        Text(t(f"{_P}contact_text")),
        ctx.figure("team_contact_calendar", fig, alt=t(f"{_P}calendar_alt")),
    ]


def _kpi_blocks(ctx, data: _Data) -> list:
    kpis = data["team_kpis"]
    if kpis is None or not (kpis["level"] == "kam").any():
        return []
    t = ctx.t
    kk = kpis[kpis["level"] == "kam"]
    wide = kk.pivot(index="subject_id", columns="kpi", values="baseline")
    wide = wide[list(kk["kpi"].unique())]
    wide.insert(0, "kam", kk.drop_duplicates("subject_id").set_index("subject_id")["subject_name"])
    wide = wide.reset_index(drop=True)
    wide.columns.name = None
    per_account = kpis[kpis["level"] == "account"].drop_duplicates("kpi").set_index("kpi")
    target = {c: per_account["target"].get(c, float("nan")) for c in wide.columns}
    if any(pd.notna(v) for c, v in target.items() if c != "kam"):
        target["kam"] = t(f"{_P}kpi_target_row")
        wide = pd.concat([wide, pd.DataFrame([target])], ignore_index=True)
    labels = {c: t(f"{_P}kpi.{c}", default=c) for c in wide.columns if c != "kam"}
    formats = {c: kpi_format(c) for c in wide.columns if c != "kam"}
    return [
        Heading(t(f"{_P}kpi_heading")),
        Text(t(f"{_P}kpi_text")),
        Table(df=wide, column_labels=labels, formats=formats),
    ]


def kpi_format(kpi: str) -> str:
    """How a KPI's figures are shown: counts whole, shares as %, money, scores one decimal.

    >>> [kpi_format(k) for k in ("accounts_n", "retained", "clv_period", "satisfaction_score")]
    ['int', 'pct', 'money', 'score']
    """
    if kpi == "retained":  # 100 when retained, 0 when not: a share per KAM
        return "pct"
    if kpi.startswith("clv_"):
        return "money"
    return infer_format(kpi, np.dtype("float64"))


def _none_blocks(ctx, data: _Data) -> list:
    return [] if data.summary.get("key_accounts_n") else [Text(ctx.t(f"{_P}none"), kind="note")]


SECTION: tuple[Callable[[Any, _Data], list], ...] = (
    _overview,
    _load_blocks,
    _structure_blocks,
    _capacity_blocks,
    _matrix_blocks,
    _contact_blocks,
    _kpi_blocks,
    _none_blocks,
)
"""The report section's parts, in order; each returns its blocks (none when no data)."""


def _summary_lines(ctx, data: _Data) -> list[str]:
    """The stage's lines in the report's summary: the verdict and up to two warnings."""
    t, summary = ctx.t, data.summary
    n_key = int(summary.get("key_accounts_n", 0))
    kam_cap, load = _kam_capacity(data), data["team_load"]
    if summary.get("feasible") and kam_cap is not None and len(kam_cap):
        kams = int((load["role"] == "kam").sum()) if load is not None else 0
        head = ctx.fmt.tn(f"{_P}summary_feasible", n_key, kams=ctx.fmt.number(kams))
    elif n_key and "assignment" in summary.get("skipped", []):
        fte = float(kam_cap["fte_needed"].iloc[0]) if kam_cap is not None and len(kam_cap) else 0.0
        head = ctx.fmt.tn(
            f"{_P}summary_no_roster",
            n_key,
            fte=ctx.fmt.number(fte, 1),
        )
    elif n_key:
        head = t(f"{_P}summary_infeasible")
    else:
        head = t(f"{_P}none")
    extra = [text for kind, text in data.said if kind == "warning"][:2]
    return ([head] + extra)[:4]


def _month_names(ctx, plan_start: str | None) -> dict[str, str]:
    if not plan_start:
        return {}
    return {
        col: format_date(day, format="MMM yyyy", locale=ctx.fmt.locale)
        for col, day in month_labels(dt.date.fromisoformat(plan_start)).items()
    }


def build(ctx) -> StageReport | None:
    """The team design sheets and report section, or None when the stage has not run."""
    ws = ctx.workspace
    summary = ws.read_json("team_summary")
    if summary is None or not ws.has_table("team_plan"):
        return None
    tables = {name: ws.read_table(name, required=False) for name in _TABLES}
    messages = [Message.from_dict(m) for m in ws.read_json("team_messages", [])]
    assignments = tables["team_assignments"]
    data = _Data(
        tables=tables,
        summary=summary,
        said=render_messages(messages, ctx.catalog),
        months=_month_names(ctx, summary.get("plan_start")),
        names=assignments.set_index("customer_id")["name"]
        if assignments is not None and len(assignments)
        else pd.Series(dtype="str"),
    )
    sheets = [s for spec in SHEETS if (s := _sheet(spec, ctx, data)) is not None]
    blocks = [block for part in SECTION for block in part(ctx, data)]
    return StageReport(
        stage=STAGE,
        section=Section(id=STAGE, title=ctx.t(f"{_P}title"), blocks=blocks),
        sheets=sheets,
        summary=_summary_lines(ctx, data),
    )


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
