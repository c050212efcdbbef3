"""The debrief's tables: facts per group, a summary per group, key accounts and weights."""

from __future__ import annotations

import pandas as pd

from .collect import Pairing
from .facts import FACTS, check_facts

__all__ = ["FACT_COLUMNS", "build_tables"]

FACT_COLUMNS = [
    "group",
    "company",
    "client",
    "fact",
    "expected",
    "name",
    "found",
    "revenue_rank",
    "net_revenue",
    "net_profit",
    "key_net_profit",
    "sinking_lines",
    "key_sinking_lines",
    "days_beyond_terms",
    "key_days_late",
    "is_key_account",
    "is_potential",
    "contacts_n",
    "stability",
]
"""``data/reveal.parquet``: one row per group and planted customer. ``expected`` is the
customer the answer key plants for ``fact``; ``found`` whether this group's audit shows it."""


def _lines(text: str) -> str:
    return ", ".join(p.removeprefix("cts_") for p in str(text or "").split(";") if p)


def _facts(pairs: list[Pairing]) -> pd.DataFrame:
    rows = []
    for p in pairs:
        for r in check_facts(p.key, p.audit):
            r = {**r, "group": p.group, "company": p.label, "client": p.audit.client}
            r["expected"] = r.pop("customer_id")
            r["sinking_lines"] = _lines(r.get("sinking_lines", ""))
            rows.append(r)
    df = pd.DataFrame(rows)
    for col in FACT_COLUMNS:
        if col not in df:
            df[col] = pd.NA
    df = df[FACT_COLUMNS]
    df["found"] = df["found"].astype(bool)
    df["fact"] = pd.Categorical(df["fact"], categories=FACTS, ordered=True)
    return df.sort_values(["company", "group", "fact"], kind="mergesort").reset_index(drop=True)


def _summary(pairs: list[Pairing], facts: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for p in pairs:
        mine = facts[facts["group"].eq(p.group) & facts["company"].eq(p.label)]
        pnl = p.audit.table("customer_pnl")
        whale_key = (p.key.get("whale_curve") or {}).get("peak_pct")
        rows.append(
            {
                "group": p.group,
                "company": p.label,
                "client": p.audit.client,
                "industry": p.key.get("industry", ""),
                "facts_found_n": int(mine["found"].sum()),
                "facts_planted_n": len(mine),
                "whale_peak_pct": p.audit.whale.get("peak_pct"),
                "key_whale_peak_pct": whale_key,
                "loss_makers_n": int((pnl["net_profit"] < 0).sum()) if len(pnl) else None,
                "key_accounts_n": len(p.audit.key_accounts()),
                "potential_n": len(p.audit.potential()),
                "plan_feasible": p.audit.team.get("feasible"),
                # the answer key's roster: under-staffed on purpose, or staffed for the list
                "key_plan_feasible": (p.key.get("team") or {}).get("plan_feasible"),
            }
        )
    return pd.DataFrame(rows)


def _accounts(pairs: list[Pairing]) -> pd.DataFrame:
    """company, customer_id, name, then one column per group: key / potential / empty."""
    frames = []
    for label in sorted({p.label for p in pairs}):
        mine = [p for p in pairs if p.label == label]
        prof = mine[0].audit.table("account_profile")
        names = dict(zip(prof["customer_id"], prof["name"], strict=True)) if len(prof) else {}
        status: dict[str, dict[str, str]] = {}
        for p in mine:
            for cid in p.audit.potential():
                status.setdefault(cid, {})[p.group] = "potential"
            for cid in p.audit.key_accounts():
                status.setdefault(cid, {})[p.group] = "key"
        rows = [
            {"company": label, "customer_id": cid, "name": names.get(cid, "")}
            | {p.group: s.get(p.group, "") for p in mine}
            for cid, s in status.items()
        ]
        df = pd.DataFrame(rows)
        if len(df):
            groups = [p.group for p in mine]
            df["_n"] = (df[groups] == "key").sum(axis=1)
            df = df.sort_values(["_n", "customer_id"], ascending=[False, True]).drop(columns="_n")
        frames.append(df)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _weights(pairs: list[Pairing]) -> pd.DataFrame:
    """criterion, then the weight each group's audit used."""
    cols = {f"{p.group}": p.audit.weights() for p in pairs}
    df = pd.DataFrame(cols)
    df.index.name = "criterion"
    return df.reset_index()


def build_tables(pairs: list[Pairing]) -> dict[str, pd.DataFrame]:
    """``facts`` (= reveal.parquet), ``summary``, ``accounts`` and ``weights``."""
    facts = _facts(pairs)
    return {
        "facts": facts,
        "summary": _summary(pairs, facts),
        "accounts": _accounts(pairs),
        "weights": _weights(pairs),
    }
