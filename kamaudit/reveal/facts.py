"""What one audit says about each planted fact: found or not, with the audit's own figures.

An audit is read from its output folder (``data/*.parquet`` and the stages' JSON
summaries), never recomputed: the sheet a facilitator holds shows the figures the group
sees in its workbook. A fact is *found* when the audit's result puts the planted customer
where the method says it belongs:

=================================  ==================================================
fact                               found when the audit …
=================================  ==================================================
``top10_loss_makers``              has it in its own top 10 by revenue, losing money
``unprofitable_vip``               shows it losing money (net profit below zero)
``fast_growing_potential``         lists it as a potential key account
``single_contact_key_candidates``  flags its single-contact risk
``very_late_payer``                has it paying on average 90+ days beyond terms
``must_be_key``                    selects it as a key account
=================================  ==================================================
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

__all__ = ["FACTS", "LATE_DAYS", "AuditData", "check_facts", "read_audit"]

FACTS = (
    "top10_loss_makers",
    "unprofitable_vip",
    "fast_growing_potential",
    "single_contact_key_candidates",
    "very_late_payer",
    "must_be_key",
)
"""The planted facts, in the order the trainer's guide meets them."""

LATE_DAYS = 90
"""A very late payer pays on average at least this many days beyond its terms."""

_TABLES = ("customer_pnl", "account_profile", "cts_financing", "profile_criteria")


def _json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


@dataclass
class AuditData:
    """The parts of one audit the debrief reads."""

    root: Path
    manifest: dict
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    whale: dict = field(default_factory=dict)
    team: dict = field(default_factory=dict)

    @property
    def client(self) -> str:
        return str(self.manifest.get("client", ""))

    @property
    def engagement(self) -> str:
        return str(self.manifest.get("engagement", ""))

    def table(self, name: str) -> pd.DataFrame:
        return self.tables.get(name, pd.DataFrame())

    def days_late(self) -> pd.Series:
        """Mean days beyond terms per customer (invoices with a due date)."""
        fin = self.table("cts_financing")
        if not len(fin) or "days_beyond_terms" not in fin:
            return pd.Series(dtype="float64")
        return fin.groupby("customer_id")["days_beyond_terms"].mean()

    def weights(self) -> dict[str, float]:
        crit = self.table("profile_criteria")
        if not len(crit) or "weight" not in crit:
            return {}
        name = "criterion" if "criterion" in crit else crit.columns[0]
        return {str(n): float(w) for n, w in zip(crit[name], crit["weight"], strict=True)}

    def key_accounts(self) -> list[str]:
        prof = self.table("account_profile")
        if not len(prof):
            return []
        return prof.loc[prof["is_key_account"].astype(bool), "customer_id"].astype(str).tolist()

    def potential(self) -> list[str]:
        prof = self.table("account_profile")
        if not len(prof):
            return []
        return prof.loc[prof["is_potential"].astype(bool), "customer_id"].astype(str).tolist()


def read_audit(root: str | Path) -> AuditData:
    """Read the debrief's view of the audit in ``root`` (an output folder)."""
    root = Path(root)
    data = AuditData(root=root, manifest=_json(root / "manifest.json"))
    for name in _TABLES:
        path = root / "data" / f"{name}.parquet"
        if path.is_file():
            data.tables[name] = pd.read_parquet(path)
    data.whale = _json(root / "data" / "cts_findings.json").get("whale") or {}
    data.team = _json(root / "data" / "team_summary.json")
    return data


def _figures(pnl: pd.DataFrame, prof: pd.DataFrame, late: pd.Series, cid: str) -> dict:
    out: dict = {"customer_id": cid}
    if cid in pnl.index:
        row = pnl.loc[cid]
        out.update(
            name=str(row.get("name", "")),
            revenue_rank=int(row["revenue_rank"]),
            profit_rank=int(row["profit_rank"]),
            net_revenue=float(row["net_revenue"]),
            net_profit=float(row["net_profit"]),
            cost_to_serve=float(row["cts_total"]),
            financing_cost=float(row["financing_cost"]),
            sinking_lines=str(row.get("sinking_lines") or ""),
        )
    if cid in prof.index:
        row = prof.loc[cid]
        out.update(
            is_key_account=bool(row["is_key_account"]),
            is_potential=bool(row["is_potential"]),
            single_contact_risk=bool(row["single_contact_risk"]),
            contacts_n=int(row["contacts_n"]) if pd.notna(row["contacts_n"]) else 0,
            stability=str(row.get("stability") or ""),
        )
    if cid in late.index and pd.notna(late[cid]):
        out["days_beyond_terms"] = float(late[cid])
    return out


def _found(fact: str, fig: dict) -> bool:
    if fact == "top10_loss_makers":
        return fig.get("net_profit", 0) < 0 and fig.get("revenue_rank", 10**9) <= 10
    if fact == "unprofitable_vip":
        return fig.get("net_profit", 0) < 0
    if fact == "fast_growing_potential":
        return bool(fig.get("is_potential"))
    if fact == "single_contact_key_candidates":
        return bool(fig.get("single_contact_risk"))
    if fact == "very_late_payer":
        return fig.get("days_beyond_terms", 0) >= LATE_DAYS
    if fact == "must_be_key":
        return bool(fig.get("is_key_account"))
    return False


def check_facts(answer_key: dict, audit: AuditData) -> list[dict]:
    """One row per planted customer: ``fact``, ``customer_id``, ``found`` and the figures.

    The figures are the audit's own (``net_profit``, ``revenue_rank``, ``sinking_lines``,
    ``days_beyond_terms``, …); the answer key's plain-costing figures are beside them as
    ``key_net_profit``, ``key_sinking_lines`` and ``key_days_late``.
    """
    pnl = audit.table("customer_pnl")
    pnl = pnl.set_index("customer_id") if len(pnl) else pnl
    prof = audit.table("account_profile")
    prof = prof.set_index("customer_id") if len(prof) else prof
    late = audit.days_late()
    rows = []
    for fact in FACTS:
        planted = (answer_key.get("facts") or {}).get(fact) or {}
        cards = {c["customer_id"]: c for c in planted.get("customers", [])}
        for cid in planted.get("customer_ids", []):
            fig = _figures(pnl, prof, late, str(cid))
            card = cards.get(cid, {})
            fig.setdefault("name", card.get("name", ""))
            rows.append(
                {
                    "fact": fact,
                    **fig,
                    "found": _found(fact, fig),
                    "key_net_profit": card.get("net_profit"),
                    "key_sinking_lines": ", ".join(card.get("sinking_cost_lines") or []),
                    "key_days_late": card.get("avg_days_late"),
                }
            )
    return rows
