"""Stage 3's part of the deliverables: scores, portfolio, key accounts, cards.

``build(ctx)`` reads ``account_profile``, the ``profile_*`` tables and the
``profile_summary`` document from the workspace (``None`` when the stage has not run) and
returns the workbook sheets and the report section. It presents what the stage computed
and never recomputes a figure: counts and totals come from the summary and from
``profile_turnover_comparison``. Every word comes from ``account_profile.*`` keys of the
message catalog.

The report section is :data:`SECTIONS` (functions, in order, each returning its blocks
and sheets); the plain sheets are :data:`SHEETS` (how each is translated and formatted).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..account_profile import DEFAULT_CRITERIA, QUADRANTS
from ..messages import plural_count
from ..plots import account_profile as plots
from . import chart_words
from .context import ReportContext
from .model import (
    Block,
    Bullets,
    Card,
    ChartSpec,
    Heading,
    KeyFigures,
    Section,
    Sheet,
    StageReport,
    Table,
    Text,
)
from .score_bars import score_bars

P = "account_profile"

TABLES = (
    "criteria",
    "scores",
    "criterion_scores",
    "portfolio",
    "relationship",
    "contacts",
    "selection",
    "turnover_comparison",
    "potential",
    "vip_not_key",
    "stability",
    "cards",
    "contact_map",
)
"""The ``profile_<name>`` tables the deliverables read."""

_DEFAULT_DESC = {c.name: c.description for c in DEFAULT_CRITERIA}


@dataclass(frozen=True)
class SheetSpec:
    """How one workbook sheet presents a stage table.

    ``short`` names the catalog keys (``sheets.<short>``, ``sheets.<short>_title`` and,
    with ``note``, ``sheets.<short>_note``); ``codes`` maps a column to the catalog group
    its codes translate with; ``yes_no`` shows flags as the catalog's yes and no.
    """

    key: str
    short: str
    codes: Mapping[str, str] = field(default_factory=dict)
    yes_no: bool = False
    note: bool = False
    formats: Mapping[str, str] = field(default_factory=dict)
    conditional: Mapping[str, str] = field(default_factory=dict)


SHEETS: dict[str, SheetSpec] = {
    s.short: s
    for s in (
        SheetSpec(
            "profile_scores",
            "scores",
            {"quadrant": "quadrant", "missing": "criterion"},
            note=True,
            conditional={"attractiveness": "scale", "strength": "scale"},
        ),
        SheetSpec(
            "profile_criteria",
            "criteria",
            {
                "axis": "axis",
                "criterion": "criterion",
                "source": "criterion",
                "direction": "direction",
                "scale": "scale",
            },
            formats={"weight": "float"},
        ),
        SheetSpec(
            "profile_portfolio",
            "portfolio",
            {
                "quadrant": "quadrant",
                "client_view": "client_view",
                "relationship_stage": "stage",
                "stage_inferred": "stage",
                "stage_assessed": "stage",
            },
            yes_no=True,
            formats={"client_score": "score", "client_spend_score": "score"},
        ),
        SheetSpec(
            "profile_key_accounts",
            "key_accounts",
            {"comparison": "comparison", "why": "reason", "stability": "stability_label"},
            yes_no=True,
            formats={"priority": "score", "priority_rank": "int"},
            conditional={"net_profit": "neg_red"},
        ),
        SheetSpec("profile_potential", "potential", {"reason": "potential_reason"}),
        SheetSpec(
            "profile_contacts",
            "contacts",
            {"relationship_shape": "shape", "roles_covered": "role", "roles_missing": "role"},
            yes_no=True,
            formats={
                "contacts_n": "int",
                "roles_covered_n": "int",
                "owners_n": "int",
                "freshness_days": "int",
                "relationship_strength_avg": "float",
                "relationship_strength_max": "float",
                "competitor_ties_avg": "float",
            },
        ),
        SheetSpec(
            "profile_stability",
            "stability",
            {"stability": "stability_label"},
            yes_no=True,
            conditional={"selection_frequency": "bar"},
        ),
    )
}
"""The plain sheets, in the workbook's order (the cards sheet follows them)."""


@dataclass
class Results:
    """What the stage left in the workspace."""

    profile: pd.DataFrame
    tables: dict[str, pd.DataFrame | None]
    summary: dict[str, Any]
    messages: list[dict]

    def __getitem__(self, name: str) -> pd.DataFrame | None:
        return self.tables.get(name)


@dataclass
class Part:
    """A section's contribution: report blocks and workbook sheets."""

    blocks: list[Block] = field(default_factory=list)
    sheets: list[Sheet] = field(default_factory=list)


# ------------------------------------------------------------------ presentation helpers


def _labels(
    ctx: ReportContext, df: pd.DataFrame, criteria: list[str] | None = None
) -> dict[str, str]:
    labels = {c: ctx.fmt.column(c) for c in df.columns}
    for c in criteria or []:
        labels[f"score_{c}"] = ctx.t(f"{P}.criterion.{c}", c.replace("_", " ").capitalize())
    return labels


def _codes(ctx: ReportContext, group: str, value) -> str:
    """Translate ";"-joined codes of a catalog group."""
    if (
        value is None
        or (isinstance(value, float) and math.isnan(value))
        or value is pd.NA
        or value == ""
    ):
        return ""
    # a code the catalog lacks still reads as words, never as the code itself
    return "; ".join(
        ctx.t(f"{P}.{group}.{c}", ctx.catalog.column(c)) for c in str(value).split(";") if c
    )


def _translate(ctx: ReportContext, df: pd.DataFrame, mapping: Mapping[str, str]) -> pd.DataFrame:
    out = df.copy()
    for col in ("strengths", "weaknesses"):  # criterion names, ", "-joined
        if col in out.columns and col not in mapping:
            out[col] = out[col].astype("str").str.replace(", ", ";", regex=False)
            mapping = {**mapping, col: "criterion"}
    for col, group in mapping.items():
        if col in out.columns:
            out[col] = pd.Series(
                [_codes(ctx, group, v) for v in out[col]], index=out.index, dtype="str"
            )
    return out


def _yes_no(ctx: ReportContext, df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for col in out.columns:
        if pd.api.types.is_bool_dtype(out[col].dtype):
            out[col] = ctx.yes_no(out[col])
    return out


def _present(
    ctx: ReportContext, df: pd.DataFrame, codes: Mapping[str, str], yes_no: bool = False
) -> pd.DataFrame:
    out = _translate(ctx, df, codes)
    return _yes_no(ctx, out) if yes_no else out


def _table(ctx: ReportContext, df: pd.DataFrame, caption: str = "") -> Table:
    return Table(
        df,
        caption=caption,
        column_labels=_labels(ctx, df),
        max_rows=ctx.engagement.report.max_table_rows_html,
    )


def _sheet(ctx: ReportContext, short: str, df: pd.DataFrame, criteria=None) -> Sheet:
    """A plain sheet as :data:`SHEETS` declares it."""
    spec, t = SHEETS[short], ctx.t
    out = _present(ctx, df, spec.codes, spec.yes_no)
    formats = dict(spec.formats)
    if criteria:
        formats.update({f"score_{c}": "score" for c in criteria})
    return Sheet(
        spec.key,
        t(f"{P}.sheets.{short}"),
        out,
        title=t(f"{P}.sheets.{short}_title"),
        note=t(f"{P}.sheets.{short}_note") if spec.note else "",
        column_labels=_labels(ctx, out, criteria),
        formats=formats,
        conditional=dict(spec.conditional),
    )


# ------------------------------------------------------------------ sections


def _headline(ctx: ReportContext, r: Results) -> Part:
    t, f, s = ctx.t, ctx.fmt, r.summary
    blocks: list[Block] = [
        Text(t(f"{P}.intro")),
        KeyFigures(
            [
                (t(f"{P}.key_active"), f.number(s["active_n"])),
                (t(f"{P}.key_key"), f.number(s["key_n"])),
                (t(f"{P}.key_cap"), f.number(s["cap"])),
                (t(f"{P}.key_deep"), f.number(s["deep_plan_n"])),
                (t(f"{P}.key_potential"), f.number(s["potential_n"])),
                (t(f"{P}.key_revenue_share"), f.pct(s["key_revenue_pct"])),
            ]
        ),
    ]
    if r.messages:
        blocks.append(Heading(t(f"{P}.notes_heading"), 4))
        blocks.append(
            Bullets(
                [
                    t(
                        m["key"],
                        m["key"],
                        count=plural_count(m.get("params") or {}),
                        **(m.get("params") or {}),
                    ).strip()
                    for m in r.messages
                ]
            )
        )
    if s.get("criteria_missing_customers_n"):
        blocks.append(
            Text(
                f.tn(
                    f"{P}.missing_text",
                    s["criteria_missing_customers_n"],
                    key_n=f.number(s["criteria_missing_key_n"]),
                ),
                "warning",
            )
        )
    return Part(blocks)


_FIT_KINDS = {"order_size": "ratio_x"}
"""How a fit test's value reads; the others are percentages."""


def _fit_value(ctx: ReportContext, test: str, value) -> str:
    if value is None:
        return "–"
    if _FIT_KINDS.get(test) == "ratio_x":
        return ctx.fmt.number(value, 1) + " ×"
    return ctx.fmt.pct(value, 1)


def fit_lines(ctx: ReportContext, summary: Mapping[str, Any]) -> list[str]:
    """KAM fit in a sentence or two (for the first page): the fit with its reasons, and
    with a weak fit that the list is tentative and what would make it firm."""
    fit = summary.get("kam_fit")
    if not fit:
        return []
    t = ctx.t
    reasons = ", ".join(
        t(f"{P}.fit_test.{x['test']}") + ": " + _fit_value(ctx, x["test"], x["value"])
        for x in fit["tests"]
    )
    lines = [t(f"{P}.summary_fit", fit=t(f"{P}.fit.{fit['fit']}"), reasons=reasons)]
    if fit.get("tentative"):
        firm = "; ".join(t(f"{P}.fit_firm.{x}") for x in fit["to_make_firm"])
        lines.append(t(f"{P}.fit_tentative", items=firm))
    return lines


def _fit(ctx: ReportContext, r: Results) -> Part:
    """How well KAM fits the base: the tests, and the basis of the list."""
    t, f, s = ctx.t, ctx.fmt, r.summary
    fit = s.get("kam_fit")
    if not fit:
        return Part()
    rows = pd.DataFrame(
        {
            t(f"{P}.fit_col_test"): [t(f"{P}.fit_test.{x['test']}") for x in fit["tests"]],
            t(f"{P}.fit_col_value"): [_fit_value(ctx, x["test"], x["value"]) for x in fit["tests"]],
            t(f"{P}.fit_col_limit"): [_fit_value(ctx, x["test"], x["limit"]) for x in fit["tests"]],
            t(f"{P}.fit_col_passed"): [
                t("common.yes") if x["passed"] else t("common.no") for x in fit["tests"]
            ],
        }
    )
    lines = fit_lines(ctx, s)
    blocks: list[Block] = [
        Heading(t(f"{P}.fit_heading"), 4),
        Text(lines[0], "finding"),
        Table(rows),
    ]
    if len(lines) > 1:
        blocks.append(Text(lines[1], "warning"))
    basis = s.get("selection_basis")
    if basis in ("attractiveness_only", "partly_attractiveness_only"):
        n = int(s.get("key_n", 0)) if basis == "attractiveness_only" else None
        blocks.append(
            Text(
                f.tn(f"{P}.basis.{basis}", n or _blind_keys(r)),
                "warning",
            )
        )
    if s.get("unassessed_n"):
        blocks.append(
            Text(
                f.tn(
                    f"{P}.unassessed_text",
                    s["unassessed_n"],
                    strength_n=f.number(s.get("strength_unassessed_n", 0)),
                    attr_n=f.number(s.get("attractiveness_unassessed_n", 0)),
                    limit=f.pct(ctx.engagement.profile.max_missing_weight_pct, 0),
                ),
                "note",
            )
        )
    if s.get("on_the_line_n"):
        blocks.append(
            Text(
                f.tn(
                    f"{P}.on_the_line_text",
                    s["on_the_line_n"],
                    key_n=f.number(s.get("on_the_line_key_n", 0)),
                    margin=f.number(ctx.engagement.profile.on_the_line, 1),
                ),
                "note",
            )
        )
    blocks.append(
        Text(
            f.tn(
                f"{P}.history_text",
                s.get("history_min_invoices", 0),
                growth=t(f"{P}.growth_basis.{s.get('growth_basis', 'none')}"),
                new_n=f.number(s.get("growth_new_n", 0)),
            ),
            "note",
        )
    )
    return Part(blocks)


def _blind_keys(r: Results) -> int:
    p = r.profile
    if "strength_unassessed" not in p.columns:
        return 0
    return int((p["is_key_account"] & p["strength_unassessed"]).sum())


def _matrix(ctx: ReportContext, r: Results) -> Part:
    t, f = ctx.t, ctx.fmt
    settings = ctx.engagement.profile
    fig = plots.portfolio_matrix(
        r.profile,
        settings.split_attractiveness,
        settings.split_strength,
        **chart_words.portfolio_matrix(t),
        money=f.money,
    )
    counts = {q: f.number(r.summary["quadrants"].get(q, 0)) for q in QUADRANTS}
    blocks: list[Block] = [
        Heading(t(f"{P}.matrix_heading")),
        ctx.figure("profile_matrix", fig, alt=t(f"{P}.matrix_alt")),
        Text(t(f"{P}.matrix_text")),
        Text(t(f"{P}.quadrants_text", **counts)),
    ]
    if r.summary.get("unassessed_n"):
        blocks.append(
            Text(
                f.tn(
                    f"{P}.quadrants_unassessed",
                    r.summary["unassessed_n"],
                )
            )
        )
    if r.summary["views_disagree_n"]:
        blocks.append(
            Text(
                f.tn(
                    f"{P}.client_view_text",
                    r.summary["views_disagree_n"],
                ),
                "finding",
            )
        )
    return Part(blocks)


def _comparison_text(ctx: ReportContext, comparison: pd.DataFrame) -> Text:
    f = ctx.fmt
    c = comparison.set_index("list")
    key, top = c.loc["key_accounts"], c.loc["turnover_top"]
    return Text(
        f.tn(
            f"{P}.comparison_text",
            int(top["customers_n"]),
            both=f.number(int(top["both_n"])),
            turnover_only=f.number(int(top["only_n"])),
            unprofitable=f.number(int(top["only_unprofitable_n"])),
            profile_only=f.number(int(key["only_n"])),
            turnover_profit=f.money(float(top["net_profit"])),
            key_profit=f.money(float(key["net_profit"])),
        ),
        "finding",
    )


def _comparison(ctx: ReportContext, r: Results) -> Part:
    sel, comparison = r["selection"], r["turnover_comparison"]
    if sel is None or comparison is None:
        return Part()
    t = ctx.t
    fig = plots.turnover_comparison(sel, **chart_words.turnover_comparison(t))
    cols = ["name", "net_revenue", "net_profit", "attractiveness", "strength", "comparison", "why"]
    diff = sel.loc[sel["comparison"].isin(["profile_only", "turnover_only"]), cols]
    diff = diff.sort_values(["comparison", "net_revenue"], ascending=[True, False])
    diff = _translate(ctx, diff, {"comparison": "comparison", "why": "reason"})
    listed = sel.loc[sel["comparison"] != "neither"]
    listed = listed.sort_values(["is_key_account", "priority"], ascending=False)
    return Part(
        [
            Heading(t(f"{P}.comparison_heading")),
            _comparison_text(ctx, comparison),
            ctx.figure("profile_turnover_comparison", fig, alt=t(f"{P}.comparison_alt")),
            _table(ctx, diff, t(f"{P}.comparison_table")),
        ],
        [_sheet(ctx, "key_accounts", listed)],
    )


def _vip(ctx: ReportContext, r: Results) -> Part:
    vip = r["vip_not_key"]
    if vip is None or not len(vip):
        return Part()
    cols = ["name", "client_flag", "net_revenue", "net_profit", "attractiveness", "strength", "why"]
    v = _translate(ctx, vip[cols], {"why": "reason"})
    return Part(
        [
            Heading(ctx.t(f"{P}.vip_heading")),
            Text(ctx.fmt.tn(f"{P}.vip_text", len(vip))),
            _table(ctx, v),
        ]
    )


def _potential(ctx: ReportContext, r: Results) -> Part:
    pot = r["potential"]
    if pot is None:
        return Part()
    part = Part(sheets=[_sheet(ctx, "potential", pot)])
    if len(pot):
        pv = _translate(ctx, pot.drop(columns=["customer_id"]), SHEETS["potential"].codes)
        part.blocks = [
            Heading(ctx.t(f"{P}.potential_heading")),
            Text(ctx.fmt.tn(f"{P}.potential_text", len(pot))),
            _table(ctx, pv),
        ]
    return part


def _stability(ctx: ReportContext, r: Results) -> Part:
    stab = r["stability"]
    if stab is None:
        return Part()
    t, f = ctx.t, ctx.fmt
    st = ctx.engagement.profile.stability
    blocks: list[Block] = [Heading(t(f"{P}.stability_heading"))]
    if st.runs:
        blocks.append(
            Text(
                t(
                    f"{P}.stability_text",
                    pert=f.number(st.weight_perturbation_pct),
                    noise=f.number(st.assessment_noise, 1),
                    runs=f.number(st.runs),
                    core=f.number(r.summary["core_n"]),
                    core_min=f.pct(100 * st.core_min, 0),
                    borderline=f.number(r.summary["borderline_n"]),
                )
            )
        )
        border = stab.loc[stab["stability"] == "borderline"]
        if len(border):
            border = border.sort_values("selection_frequency", ascending=False)
            cols = ["name", "is_key_account", "selection_frequency"]
            blocks.append(_table(ctx, _yes_no(ctx, border[cols])))
    else:
        blocks.append(Text(t(f"{P}.stability_none"), "note"))
    ordered = stab.sort_values("selection_frequency", ascending=False)
    return Part(blocks, [_sheet(ctx, "stability", ordered)])


def _cards(ctx: ReportContext, r: Results) -> Part:
    cards = r["cards"]
    if cards is None or not len(cards):
        return Part()
    t = ctx.t
    cols = [
        "name",
        "quadrant",
        "relationship_stage",
        "net_revenue",
        "net_profit",
        "is_deep_plan",
        "single_contact_risk",
        "selection_frequency",
        "stability",
    ]
    codes = {"quadrant": "quadrant", "relationship_stage": "stage", "stability": "stability_label"}
    overview = _present(ctx, cards[cols], codes, yes_no=True)
    blocks: list[Block] = [
        Heading(t(f"{P}.cards_heading")),
        Text(t(f"{P}.cards_text")),
        _table(ctx, overview, t(f"{P}.cards_overview")),
    ]
    crit_labels = {
        c.name: t(f"{P}.criterion.{c.name}", c.name) for c in ctx.engagement.profile.criteria
    }
    rows: list[dict[str, str]] = []
    for _, c in cards.iterrows():  # one card per key account (a few dozen at most)
        card, card_rows = _card(ctx, c, r["contact_map"], r["criterion_scores"], crit_labels)
        blocks.append(card)
        rows += card_rows
    block_df = _cards_wide(pd.DataFrame(rows, columns=["name", "field", "value"]), ctx)
    sheet = Sheet(
        "profile_cards",
        t(f"{P}.sheets.cards"),
        block_df,
        title=t(f"{P}.sheets.cards_title"),
        column_labels={"name": ctx.catalog.column("name")},
    )
    return Part(blocks, [sheet])


def _owner_name(ctx: ReportContext, person_id) -> str:
    """Our person by name (the team roster), never by id; empty when there is none."""
    if person_id is None or pd.isna(person_id):
        return ""
    team = ctx.workspace.read_table("team", required=False)
    if team is not None:
        hit = team.loc[team["person_id"].astype(str) == str(person_id), "name"]
        if len(hit):
            return str(hit.iloc[0])
    return str(person_id)


def _cards_wide(long: pd.DataFrame, ctx: ReportContext) -> pd.DataFrame:
    """One row per key account, one column per card field (a sheet that prints on a page
    or two); plain numbers become numbers, never numbers stored as text."""
    import re

    from babel.numbers import get_decimal_symbol

    if long.empty:
        return pd.DataFrame({"name": pd.Series(dtype="str")})
    dec = re.escape(get_decimal_symbol(ctx.catalog.locale))
    plain = re.compile(rf"[-−]?\d+(?:{dec}\d+)?")

    def value(v):
        text = "" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v).strip()
        if plain.fullmatch(text):
            number = float(
                text.replace("−", "-").replace(get_decimal_symbol(ctx.catalog.locale), ".")
            )
            return int(number) if number.is_integer() and "." not in text else number
        return text

    long = long.assign(value=long["value"].map(value))
    fields = list(dict.fromkeys(long["field"]))
    wide = (
        long.groupby(["name", "field"], sort=False)["value"]
        .first()
        .unstack("field")
        .reindex(columns=fields)
    )
    order = list(dict.fromkeys(long["name"]))
    wide = wide.reindex(order).reset_index()
    wide.columns = ["name", *fields]
    return wide


def _sheets(ctx: ReportContext, r: Results) -> list[Sheet]:
    """The plain sheets that present a table as it is (no report block of their own)."""
    out: list[Sheet] = []
    sc = r["scores"]
    if sc is not None:
        sc = sc.merge(r.profile[["customer_id", "quadrant"]], on="customer_id", how="left")
        criteria = [c.name for c in ctx.engagement.profile.criteria]
        out.append(_sheet(ctx, "scores", sc, criteria))
    crit = r["criteria"]
    if crit is not None:  # the preset's descriptions in the client's language
        desc = [
            ctx.t(f"{P}.criterion_desc.{c}", default=d) if d == _DEFAULT_DESC.get(c) else d
            for c, d in zip(crit["criterion"], crit["description"], strict=False)
        ]
        out.append(_sheet(ctx, "criteria", crit.assign(description=desc)))
    port, rel = r["portfolio"], r["relationship"]
    if port is not None:
        pf = (
            port
            if rel is None
            else port.merge(rel.drop(columns=["name"]), on="customer_id", how="left")
        )
        sheet = _sheet(ctx, "portfolio", pf)
        if {"strength", "attractiveness", "net_revenue"} <= set(sheet.df.columns):
            sheet.chart = ChartSpec(  # the portfolio matrix, native: bubbles sized by revenue
                kind="bubble",
                x="strength",
                y=["attractiveness"],
                size="net_revenue",
                title=ctx.t(f"{P}.matrix_title"),
                x_title=ctx.t(f"{P}.matrix_x"),
                y_title=ctx.t(f"{P}.matrix_y"),
            )
        out.append(sheet)
    if r["contacts"] is not None:
        out.append(_sheet(ctx, "contacts", r["contacts"]))
    return out


SECTIONS: tuple[Callable[[ReportContext, Results], Part], ...] = (
    _headline,
    _fit,
    _matrix,
    _comparison,
    _vip,
    _potential,
    _stability,
    _cards,
)
"""The report section, in order; each also contributes its sheets."""


# ------------------------------------------------------------------ cards


def _card(
    ctx: ReportContext,
    c: pd.Series,
    cmap: pd.DataFrame | None,
    detail: pd.DataFrame | None,
    crit_labels: dict[str, str],
) -> tuple[Card, list[dict[str, str]]]:
    """A key account's card, and the same content as rows of the cards sheet."""
    t = ctx.t
    contacts = []
    if cmap is not None:
        for _, row in cmap.loc[cmap["customer_id"] == c["customer_id"]].iterrows():
            role = t(f"{P}.role.{row['role']}", str(row["role"]))
            contacts.append(f"{role}: {row['names']}" if row["contacts_n"] else f"{role}: –")
    risks = [x for x in _codes(ctx, "risk", c["risks"]).split("; ") if x]
    steps = [x for x in _codes(ctx, "step", c["next_steps"]).split("; ") if x]
    scores = None
    if detail is not None:
        d = detail.loc[detail["customer_id"] == c["customer_id"]]
        if len(d):
            scores = score_bars(ctx, d, str(c["name"]), crit_labels)
    subtitle = t(
        f"{P}.card_subtitle",
        quadrant=t(f"{P}.quadrant.{c['quadrant']}", str(c["quadrant"])),
        stage=t(f"{P}.stage.{c['relationship_stage']}", str(c["relationship_stage"])),
        industry=ctx.catalog.label("industry", c["industry"]),
    )
    if bool(c["is_deep_plan"]):
        subtitle = f"{subtitle} · {t(f'{P}.card_deep')}"
    fields = _card_fields(ctx, c)
    card = Card(
        title=str(c["name"]),
        subtitle=subtitle,
        fields=fields,
        scores=scores,
        lists=[
            (t(f"{P}.card_risks"), risks or [t(f"{P}.word_none")]),
            (t(f"{P}.card_steps"), steps),
            (t(f"{P}.card_contacts"), contacts),
        ],
    )
    items = fields + [
        (t(f"{P}.card_risks"), "; ".join(risks)),
        (t(f"{P}.card_steps"), "; ".join(steps)),
        (t(f"{P}.card_contacts"), "; ".join(contacts)),
    ]
    rows = [
        {"name": card.title if i == 0 else "", "field": label, "value": value}
        for i, (label, value) in enumerate(items)
    ]
    return card, rows


def _summary_lines(ctx: ReportContext, r: Results) -> list[str]:
    """One to four sentences for the executive summary."""
    t, f, s = ctx.t, ctx.fmt, r.summary
    lines = fit_lines(ctx, s) + [
        t(
            f"{P}.summary_key",
            key_n=f.number(s["key_n"]),
            active=f.number(s["active_n"]),
            cap=f.number(s["cap"]),
            revenue_share=f.pct(s["key_revenue_pct"]),
        )
    ]
    comparison = r["turnover_comparison"]
    if r["selection"] is not None and comparison is not None:
        top = comparison.set_index("list").loc["turnover_top"]
        lines.append(
            t(
                f"{P}.summary_turnover",
                turnover_only=f.number(int(top["only_n"])),
                unprofitable=f.number(int(top["only_unprofitable_n"])),
            )
        )
    if s["potential_n"]:
        lines.append(f.tn(f"{P}.summary_potential", s["potential_n"]))
    if s["single_contact_key_n"]:
        lines.append(
            f.tn(
                f"{P}.summary_single",
                s["single_contact_key_n"],
            )
        )
    return lines[:4]


def _read(ctx: ReportContext) -> Results | None:
    ws = ctx.workspace
    if not ws.has_table("account_profile"):
        return None
    info = ws.read_json("profile_summary", {}) or {}
    return Results(
        profile=ws.read_table("account_profile"),
        tables={n: ws.read_table(f"profile_{n}", required=False) for n in TABLES},
        summary=info.get("summary", {}),
        messages=info.get("messages", []),
    )


def build(ctx: ReportContext) -> StageReport | None:
    """Stage 3's sheets and report section; None when the stage has not run."""
    r = _read(ctx)
    if r is None:
        return None
    parts = [section(ctx, r) for section in SECTIONS]
    by_key = {sh.key: sh for sh in _sheets(ctx, r)}
    by_key.update({sh.key: sh for p in parts for sh in p.sheets})
    order = [spec.key for spec in SHEETS.values()] + ["profile_cards"]
    return StageReport(
        stage=P,
        section=Section(
            id="account_profile",
            title=ctx.t(f"{P}.title"),
            blocks=[b for p in parts for b in p.blocks],
        ),
        sheets=[by_key[k] for k in order if k in by_key],
        summary=_summary_lines(ctx, r),
    )


def _card_fields(ctx: ReportContext, c: pd.Series) -> list[tuple[str, str]]:
    f, t = ctx.fmt, ctx.t
    col = f.column

    def num(v, d=1):
        return "–" if v is None or pd.isna(v) else f.number(float(v), d)

    out = [
        (col("customer_id"), str(c["customer_id"])),
        (col("client_flag"), "" if pd.isna(c["client_flag"]) else str(c["client_flag"])),
        (col("account_owner"), _owner_name(ctx, c["account_owner"])),
        (col("net_revenue"), f.money(_f(c["net_revenue"]))),
        (col("gross_margin"), f.money(_f(c["gross_margin"]))),
        (col("cts_total"), f.money(_f(c["cts_total"]))),
        (col("net_profit"), f.money(_f(c["net_profit"]))),
        (col("net_profit_pct"), f.pct(_f(c["net_profit_pct"]))),
        (col("growth_pct"), f.pct(_f(c["growth_pct"]), 0)),
        (col("attractiveness"), num(c["attractiveness"])),
        (col("strength"), num(c["strength"])),
        (col("quadrant"), t(f"{P}.quadrant.{c['quadrant']}", str(c["quadrant"]))),
        (
            col("client_view"),
            "–"
            if pd.isna(c["client_view"])
            else t(f"{P}.client_view.{c['client_view']}", str(c["client_view"])),
        ),
        (
            col("relationship_stage"),
            t(f"{P}.stage.{c['relationship_stage']}", str(c["relationship_stage"])),
        ),
        (col("win_keep_probability"), f.pct(100 * _f(c["win_keep_probability"]), 0)),
        (col("contacts_n"), num(c["contacts_n"], 0)),
        (
            col("relationship_shape"),
            "–"
            if pd.isna(c["relationship_shape"])
            else t(f"{P}.shape.{c['relationship_shape']}", str(c["relationship_shape"])),
        ),
        (col("freshness_days"), num(c["freshness_days"], 0)),
        (col("selection_frequency"), f.pct(100 * _f(c["selection_frequency"]), 0)),
        (col("strengths"), _codes(ctx, "criterion", str(c["strengths"]).replace(", ", ";"))),
        (
            col("weaknesses"),
            _codes(ctx, "criterion", str(c["weaknesses"]).replace(", ", ";")) or "–",
        ),
    ]
    return out


def _f(v) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return float("nan")
