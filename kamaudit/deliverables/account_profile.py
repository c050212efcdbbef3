"""Stage 3's part of the deliverables: scores, portfolio, key accounts, cards.

``build(ctx)`` reads ``account_profile`` and the ``profile_*`` tables from the workspace
(``None`` when the stage has not run) and returns the workbook sheets and the report
section. Every word comes from ``account_profile.*`` keys of the message catalog.
"""

from __future__ import annotations

import math

import pandas as pd

from ..account_profile import NEUTRAL
from ..plots import account_profile as plots
from .context import ReportContext
from .model import (
    Bullets,
    Card,
    Heading,
    KeyFigures,
    ScoreBar,
    ScoreBars,
    Section,
    Sheet,
    StageReport,
    Table,
    Text,
)

P = "account_profile"


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
    return "; ".join(ctx.t(f"{P}.{group}.{c}", c) for c in str(value).split(";") if c)


def _default_descriptions() -> dict[str, str]:
    from ..account_profile import DEFAULT_CRITERIA

    return {c.name: c.description for c in DEFAULT_CRITERIA}


_DEFAULT_DESC = _default_descriptions()


def _translate(ctx: ReportContext, df: pd.DataFrame, mapping: dict[str, str]) -> pd.DataFrame:
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


def build(ctx: ReportContext) -> StageReport | None:
    ws = ctx.workspace
    if not ws.has_table("account_profile"):
        return None
    t, f = ctx.t, ctx.fmt
    prof = ws.read_table("account_profile")
    read = {
        name: ws.read_table(f"profile_{name}", required=False)
        for name in (
            "criteria",
            "scores",
            "criterion_scores",
            "portfolio",
            "relationship",
            "contacts",
            "selection",
            "potential",
            "vip_not_key",
            "stability",
            "cards",
            "contact_map",
            "metrics",
        )
    }
    info = ws.read_json("profile_summary", {}) or {}
    summary, notes = info.get("summary", {}), info.get("notes", [])
    settings = ctx.engagement.profile
    criteria = [c.name for c in settings.criteria]
    blocks: list = [Text(t(f"{P}.intro"))]
    sheets: list[Sheet] = []

    key = prof["is_key_account"].astype(bool)
    active_n = int(summary.get("active_n", int((prof["net_revenue"] > 0).sum())))
    rev_total = prof["net_revenue"].clip(lower=0).sum()
    rev_share = (
        100 * prof.loc[key, "net_revenue"].sum() / rev_total if rev_total > 0 else float("nan")
    )
    blocks.append(
        KeyFigures(
            [
                (t(f"{P}.key_active"), f.number(active_n)),
                (t(f"{P}.key_key"), f.number(int(key.sum()))),
                (t(f"{P}.key_cap"), f.number(summary.get("cap", 0))),
                (t(f"{P}.key_deep"), f.number(int(prof["is_deep_plan"].sum()))),
                (t(f"{P}.key_potential"), f.number(int(prof["is_potential"].sum()))),
                (t(f"{P}.key_revenue_share"), f.pct(rev_share)),
            ]
        )
    )
    if notes:
        blocks.append(Heading(t(f"{P}.notes_heading"), 4))
        blocks.append(
            Bullets(
                [
                    t(
                        f"{P}.notes.{n.get('code')}",
                        n.get("message", ""),
                        **{k: v for k, v in n.items() if k != "code"},
                    ).strip()
                    for n in notes
                ]
            )
        )

    if "criteria_missing_n" in prof.columns and int((prof["criteria_missing_n"] > 0).sum()):
        n_missing = int((prof["criteria_missing_n"] > 0).sum())
        n_key_missing = int(((prof["criteria_missing_n"] > 0) & key).sum())
        blocks.append(
            Text(
                t(
                    f"{P}.missing_text",
                    n=f.number(n_missing),
                    key_n=f.number(n_key_missing),
                ),
                "warning",
            )
        )

    # ------------------------------------------------------------ matrix
    blocks.append(Heading(t(f"{P}.matrix_heading")))
    qlabels = {q: t(f"{P}.quadrant.{q}", q) for q in ("Strategic", "Star", "Status", "Streamline")}
    fig = plots.portfolio_matrix(
        prof,
        settings.split_attractiveness,
        settings.split_strength,
        labels={
            **qlabels,
            "x": t(f"{P}.matrix_x"),
            "y": t(f"{P}.matrix_y"),
            "title": t(f"{P}.matrix_title"),
            "key": t(f"{P}.matrix_key"),
        },
    )
    blocks.append(ctx.figure("profile_matrix", fig, alt=t(f"{P}.matrix_alt")))
    blocks.append(Text(t(f"{P}.matrix_text")))
    counts = {q: f.number(int((prof["quadrant"] == q).sum())) for q in qlabels}
    blocks.append(Text(t(f"{P}.quadrants_text", **counts)))
    disagree = int(prof["views_disagree"].sum())
    if disagree:
        blocks.append(Text(t(f"{P}.client_view_text", n=f.number(disagree)), "finding"))

    # ------------------------------------------------------------ comparison
    sel = read["selection"]
    if sel is not None:
        blocks.append(Heading(t(f"{P}.comparison_heading")))
        top = sel["in_turnover_top"].astype(bool)
        kk = sel["is_key_account"].astype(bool)
        blocks.append(
            Text(
                t(
                    f"{P}.comparison_text",
                    top_pct=f.pct(settings.turnover_top_pct, 0),
                    both=f.number(int((kk & top).sum())),
                    turnover_only=f.number(int((~kk & top).sum())),
                    unprofitable=f.number(int((~kk & top & (sel["net_profit"] < 0)).sum())),
                    profile_only=f.number(int((kk & ~top).sum())),
                    turnover_profit=f.money(float(sel.loc[top, "net_profit"].sum())),
                    key_profit=f.money(float(sel.loc[kk, "net_profit"].sum())),
                ),
                "finding",
            )
        )
        clabels = {
            k: t(f"{P}.comparison.{k}", k)
            for k in ("both", "profile_only", "turnover_only", "neither")
        }
        fig = plots.turnover_comparison(
            sel,
            labels={
                **clabels,
                "x": t(f"{P}.comparison_x"),
                "y": t(f"{P}.comparison_y"),
                "title": t(f"{P}.comparison_title"),
            },
        )
        blocks.append(ctx.figure("profile_turnover_comparison", fig, alt=t(f"{P}.comparison_alt")))
        diff = sel.loc[
            sel["comparison"].isin(["profile_only", "turnover_only"]),
            [
                "name",
                "net_revenue",
                "net_profit",
                "attractiveness",
                "strength",
                "comparison",
                "why",
            ],
        ]
        diff = _translate(
            ctx,
            diff.sort_values(["comparison", "net_revenue"], ascending=[True, False]),
            {"comparison": "comparison", "why": "reason"},
        )
        blocks.append(
            Table(
                diff,
                caption=t(f"{P}.comparison_table"),
                column_labels=_labels(ctx, diff),
                max_rows=ctx.engagement.report.max_table_rows_html,
            )
        )
        ks = sel.loc[(sel["comparison"] != "neither")].sort_values(
            ["is_key_account", "priority"], ascending=False
        )
        ks = _yes_no(
            ctx,
            _translate(
                ctx,
                ks,
                {"comparison": "comparison", "why": "reason", "stability": "stability_label"},
            ),
        )
        sheets.append(
            Sheet(
                "profile_key_accounts",
                t(f"{P}.sheets.key_accounts"),
                ks,
                title=t(f"{P}.sheets.key_accounts_title"),
                column_labels=_labels(ctx, ks),
                formats={"priority": "score", "priority_rank": "int"},
                conditional={"net_profit": "neg_red"},
            )
        )

    vip = read["vip_not_key"]
    if vip is not None and len(vip):
        blocks.append(Heading(t(f"{P}.vip_heading")))
        blocks.append(Text(t(f"{P}.vip_text", n=f.number(len(vip)))))
        v = _translate(
            ctx,
            vip[
                [
                    "name",
                    "client_flag",
                    "net_revenue",
                    "net_profit",
                    "attractiveness",
                    "strength",
                    "why",
                ]
            ],
            {"why": "reason"},
        )
        blocks.append(
            Table(
                v, column_labels=_labels(ctx, v), max_rows=ctx.engagement.report.max_table_rows_html
            )
        )

    pot = read["potential"]
    if pot is not None:
        if len(pot):
            blocks.append(Heading(t(f"{P}.potential_heading")))
            blocks.append(Text(t(f"{P}.potential_text", n=f.number(len(pot)))))
            pv = _translate(ctx, pot.drop(columns=["customer_id"]), {"reason": "potential_reason"})
            blocks.append(
                Table(
                    pv,
                    column_labels=_labels(ctx, pv),
                    max_rows=ctx.engagement.report.max_table_rows_html,
                )
            )
        pt = _translate(ctx, pot, {"reason": "potential_reason"})
        sheets.append(
            Sheet(
                "profile_potential",
                t(f"{P}.sheets.potential"),
                pt,
                title=t(f"{P}.sheets.potential_title"),
                column_labels=_labels(ctx, pt),
            )
        )

    # ------------------------------------------------------------ stability
    stab = read["stability"]
    if stab is not None:
        blocks.append(Heading(t(f"{P}.stability_heading")))
        st = settings.stability
        if st.runs:
            core = int(((stab["stability"] == "core") & stab["is_key_account"]).sum())
            border = stab.loc[stab["stability"] == "borderline"].sort_values(
                "selection_frequency", ascending=False
            )
            blocks.append(
                Text(
                    t(
                        f"{P}.stability_text",
                        pert=f.number(st.weight_perturbation_pct),
                        noise=f.number(st.assessment_noise, 1),
                        runs=f.number(st.runs),
                        core=f.number(core),
                        core_min=f.pct(100 * st.core_min, 0),
                        borderline=f.number(len(border)),
                    )
                )
            )
            if len(border):
                b = _yes_no(ctx, border[["name", "is_key_account", "selection_frequency"]])
                blocks.append(
                    Table(
                        b,
                        column_labels=_labels(ctx, b),
                        max_rows=ctx.engagement.report.max_table_rows_html,
                    )
                )
        else:
            blocks.append(Text(t(f"{P}.stability_none"), "note"))
        s2 = _yes_no(
            ctx,
            _translate(
                ctx,
                stab.sort_values("selection_frequency", ascending=False),
                {"stability": "stability_label"},
            ),
        )
        sheets.append(
            Sheet(
                "profile_stability",
                t(f"{P}.sheets.stability"),
                s2,
                title=t(f"{P}.sheets.stability_title"),
                column_labels=_labels(ctx, s2),
                conditional={"selection_frequency": "bar"},
            )
        )

    # ------------------------------------------------------------ cards
    cards = read["cards"]
    detail = read["criterion_scores"]
    cmap = read["contact_map"]
    if cards is not None and len(cards):
        blocks.append(Heading(t(f"{P}.cards_heading")))
        blocks.append(Text(t(f"{P}.cards_text")))
        overview = _yes_no(
            ctx,
            _translate(
                ctx,
                cards[
                    [
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
                ],
                {
                    "quadrant": "quadrant",
                    "relationship_stage": "stage",
                    "stability": "stability_label",
                },
            ),
        )
        blocks.append(
            Table(
                overview,
                caption=t(f"{P}.cards_overview"),
                column_labels=_labels(ctx, overview),
                max_rows=ctx.engagement.report.max_table_rows_html,
            )
        )
        crit_labels = {c: t(f"{P}.criterion.{c}", c) for c in criteria}
        rows = []
        for _, c in cards.iterrows():  # one card per key account (a few dozen at most)
            fields = _card_fields(ctx, c)
            contacts = []
            if cmap is not None:
                for _, r in cmap.loc[cmap["customer_id"] == c["customer_id"]].iterrows():
                    role = t(f"{P}.role.{r['role']}", str(r["role"]))
                    contacts.append(f"{role}: {r['names']}" if r["contacts_n"] else f"{role}: –")
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
                industry="" if pd.isna(c["industry"]) else str(c["industry"]),
            )
            if bool(c["is_deep_plan"]):
                subtitle = f"{subtitle} · {t(f'{P}.card_deep')}"
            blocks.append(
                Card(
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
            )
            first = True
            for label, value in fields + [
                (t(f"{P}.card_risks"), "; ".join(risks)),
                (t(f"{P}.card_steps"), "; ".join(steps)),
                (t(f"{P}.card_contacts"), "; ".join(contacts)),
            ]:
                rows.append(
                    {"name": str(c["name"]) if first else "", "field": label, "value": value}
                )
                first = False
        block_df = pd.DataFrame(rows, columns=["name", "field", "value"]).astype("str")
        sheets.append(
            Sheet(
                "profile_cards",
                t(f"{P}.sheets.cards"),
                block_df,
                title=t(f"{P}.sheets.cards_title"),
                column_labels=_labels(ctx, block_df),
                formats={"value": "text"},
            )
        )

    # ------------------------------------------------------------ other sheets
    sc = read["scores"]
    if sc is not None:
        sc = sc.merge(prof[["customer_id", "quadrant"]], on="customer_id", how="left")
        sc = _translate(ctx, sc, {"quadrant": "quadrant", "missing": "criterion"})
        sheets.insert(
            0,
            Sheet(
                "profile_scores",
                t(f"{P}.sheets.scores"),
                sc,
                title=t(f"{P}.sheets.scores_title"),
                note=t(f"{P}.sheets.scores_note"),
                column_labels=_labels(ctx, sc, criteria),
                formats={f"score_{c}": "score" for c in criteria},
                conditional={"attractiveness": "scale", "strength": "scale"},
            ),
        )
    crit = read["criteria"]
    if crit is not None:
        cr = crit.copy()
        if "description" in cr.columns:  # the preset's descriptions in the client's language
            cr["description"] = [
                ctx.t(f"{P}.criterion_desc.{c}", default=d) if d == _DEFAULT_DESC.get(c) else d
                for c, d in zip(cr["criterion"], cr["description"], strict=False)
            ]
        cr = _translate(
            ctx,
            cr,
            {"axis": "axis", "criterion": "criterion", "direction": "direction", "scale": "scale"},
        )
        sheets.insert(
            1 if sc is not None else 0,
            Sheet(
                "profile_criteria",
                t(f"{P}.sheets.criteria"),
                cr,
                title=t(f"{P}.sheets.criteria_title"),
                column_labels=_labels(ctx, cr),
                formats={"weight": "float"},
            ),
        )
    port = read["portfolio"]
    rel = read["relationship"]
    if port is not None:
        pf = port.copy()
        if rel is not None:
            pf = pf.merge(rel.drop(columns=["name"]), on="customer_id", how="left")
        pf = _yes_no(
            ctx,
            _translate(
                ctx,
                pf,
                {
                    "quadrant": "quadrant",
                    "client_view": "client_view",
                    "relationship_stage": "stage",
                    "stage_inferred": "stage",
                    "stage_assessed": "stage",
                },
            ),
        )
        sheets.insert(
            2,
            Sheet(
                "profile_portfolio",
                t(f"{P}.sheets.portfolio"),
                pf,
                title=t(f"{P}.sheets.portfolio_title"),
                column_labels=_labels(ctx, pf),
                formats={"client_score": "score", "client_spend_score": "score"},
                chart=None,
            ),
        )
    con = read["contacts"]
    if con is not None:
        cn = _yes_no(
            ctx,
            _translate(
                ctx,
                con,
                {"relationship_shape": "shape", "roles_covered": "role", "roles_missing": "role"},
            ),
        )
        sheets.append(
            Sheet(
                "profile_contacts",
                t(f"{P}.sheets.contacts"),
                cn,
                title=t(f"{P}.sheets.contacts_title"),
                column_labels=_labels(ctx, cn),
                formats={
                    "contacts_n": "int",
                    "roles_covered_n": "int",
                    "owners_n": "int",
                    "freshness_days": "int",
                    "relationship_strength_avg": "float",
                    "relationship_strength_max": "float",
                    "competitor_ties_avg": "float",
                },
            )
        )

    order = [
        "profile_scores",
        "profile_criteria",
        "profile_portfolio",
        "profile_key_accounts",
        "profile_potential",
        "profile_contacts",
        "profile_stability",
        "profile_cards",
    ]
    sheets.sort(key=lambda sh: order.index(sh.key) if sh.key in order else len(order))

    # ------------------------------------------------------------ summary
    lines = [
        t(
            f"{P}.summary_key",
            key_n=f.number(int(key.sum())),
            active=f.number(active_n),
            cap=f.number(summary.get("cap", 0)),
            revenue_share=f.pct(rev_share),
        )
    ]
    if sel is not None:
        top = sel["in_turnover_top"].astype(bool)
        kk = sel["is_key_account"].astype(bool)
        lines.append(
            t(
                f"{P}.summary_turnover",
                turnover_only=f.number(int((~kk & top).sum())),
                unprofitable=f.number(int((~kk & top & (sel["net_profit"] < 0)).sum())),
            )
        )
    if int(prof["is_potential"].sum()):
        lines.append(t(f"{P}.summary_potential", n=f.number(int(prof["is_potential"].sum()))))
    single = int((key & prof["single_contact_risk"].fillna(False).astype(bool)).sum())
    if single:
        lines.append(t(f"{P}.summary_single", n=f.number(single)))
    return StageReport(
        stage=P,
        section=Section(id="account_profile", title=t(f"{P}.title"), blocks=blocks),
        sheets=sheets,
        summary=lines[:4],
    )


def score_bars(
    ctx: ReportContext, scores: pd.DataFrame, name: str, labels: dict[str, str]
) -> ScoreBars:
    """A card's scores by criterion as bars the report template draws (no matplotlib).

    ``scores`` is one customer's rows of ``profile_criterion_scores`` (criterion, axis,
    score, weight, missing); ``labels`` the criteria's names in the client's language.
    Rows read top to bottom in the method's order: the customer's attractiveness to us
    first, then our strength in the customer's eyes, the heaviest criterion of each
    axis on top (as the legend and the portfolio matrix's axes read).
    """
    t = ctx.t
    d = scores.sort_values(["axis", "weight"], ascending=[True, False], kind="stable")
    rows = [
        ScoreBar(
            label=labels.get(c, c),
            axis=str(a),
            score=float(s),
            weight=float(w),
            missing=bool(pd.notna(m) and m),
        )
        for c, a, s, w, m in zip(
            d["criterion"], d["axis"], d["score"], d["weight"], d["missing"], strict=True
        )
    ]
    return ScoreBars(
        rows=rows,
        legend=[
            ("attractiveness", t(f"{P}.card_scores_attractiveness")),
            ("strength", t(f"{P}.card_scores_strength")),
        ],
        caption=t(f"{P}.card_scores_alt", name=name),
        missing_label=t(f"{P}.card_scores_missing"),
        header=(t(f"{P}.card_scores_criterion"), t(f"{P}.card_scores_score")),
        note=t(f"{P}.card_scores_note", neutral=ctx.fmt.number(NEUTRAL, 1)),
        low=1.0,
        high=10.0,
        neutral=NEUTRAL,
    )


def _card_fields(ctx: ReportContext, c: pd.Series) -> list[tuple[str, str]]:
    f, t = ctx.fmt, ctx.t
    col = f.column

    def num(v, d=1):
        return "–" if v is None or pd.isna(v) else f.number(float(v), d)

    out = [
        (col("customer_id"), str(c["customer_id"])),
        (col("client_flag"), "" if pd.isna(c["client_flag"]) else str(c["client_flag"])),
        (col("account_owner"), "" if pd.isna(c["account_owner"]) else str(c["account_owner"])),
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
