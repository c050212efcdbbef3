"""The sample company: a seeded, fictional B2B company worth auditing.

:func:`generate_sample` writes the nine tables of the data contract as UTF-8 CSVs, an
``engagement.yaml`` that :func:`kamaudit.load_engagement` accepts, a ``README.md`` that
describes the company, and ``answer_key.json``: the facts planted in the data that a
correct audit must find. :func:`generate_pack` writes N distinct companies for a seminar
group and keeps their answer keys apart from the data.

Everything is vectorised numpy driven by one ``numpy.random.Generator``: identical
arguments give identical bytes, and a million invoice lines take a few seconds.

>>> info = generate_sample("/tmp/nordwind")                      # doctest: +SKIP
>>> info.answer_key["facts"]["unprofitable_vip"]["customer_ids"]  # doctest: +SKIP

Planted facts (customer ids per fact are in ``answer_key.json``):

``top10_loss_makers``
    two customers in the top 10 by net revenue that lose money after cost-to-serve;
``unprofitable_vip``
    one customer the client flags "VIP" that loses money (outside the top 10);
``fast_growing_potential``
    four small customers whose last-year revenue is at least 2.5x the year before, with
    a large wallet and good assessments;
``single_contact_key_candidates``
    three highly profitable, strategically rated customers with a single contact person;
``very_late_payer``
    one customer paying on average 90+ days after the due date;
``must_be_key``
    the largest customer: highly profitable, many contacts, excellent assessments.

Around the facts the company looks like a real customer base: about 13% of customers are
new (first invoice in the last year, some only in its last months), about 10% are lost (no
invoice in the last year) and a few more fade early in it, a few buy only once or twice,
and a loss-making tail (small customers ordering often in tiny lots with rush orders,
returns and calls; small customers a salesperson visits regularly; mid-size customers with
deep discounts) gives Kaplan's whale curve: on the default sample the most profitable
customers earn about twice the total net profit. The largest and the planted customers
buy throughout the period.

The facts are calibrated with a plain activity-based costing (rate = annual cost x years
/ driver volume; financing = amount x days outstanding x 8% / 365) and hold with every
cost-pool rate moved by 25% either way.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from .contract import CHANNELS, CONTACT_ROLES
from .errors import KamAuditError
from .workspace import atomic_path, write_text_atomic

__all__ = [
    "INDUSTRIES",
    "SampleError",
    "SampleInfo",
    "generate_pack",
    "generate_sample",
]

COST_OF_CAPITAL = 0.08
"""Annual rate the answer key's financing cost uses (the engagement default)."""

_ROLES = ("order", "delivery", "rush", "visit", "call", "complaint", "return", "support")
_DRIVERS = {
    "order": "invoices",
    "delivery": "activity",
    "rush": "activity",
    "visit": "activity",
    "call": "activity",
    "complaint": "activity",
    "return": "credit_notes",
    "support": "hours",
}
_CLIENT_CRITERIA = ("reliability", "quality", "flexibility", "personal_approach")
_INTERNAL_CRITERIA = ("strategic_value", "reference_value", "financial_stability")
_CONTACT_ROLES = CONTACT_ROLES.codes
_CHANNELS = CHANNELS.codes


# ----------------------------------------------------------------- industry profiles


@dataclass(frozen=True)
class _Category:
    name: str
    price: float  # median list price per unit
    margin: float  # gross margin at list price (0-1)
    qty: float  # median quantity per line


@dataclass(frozen=True)
class _Activity:
    name: str
    rate: float  # target cost per driver unit
    hours: float  # our hours per event
    avoidable_pct: float


@dataclass(frozen=True)
class _Profile:
    key: str
    client: str
    business: str
    names: tuple[str, ...]
    categories: tuple[_Category, ...]
    customer_industries: tuple[str, ...]
    acts: dict[str, _Activity]
    lines_per_invoice: float
    delivery_per_invoice: float
    season: tuple[float, ...]


def _acts(**kw: tuple[str, float, float, float]) -> dict[str, _Activity]:
    return {role: _Activity(*kw[role]) for role in _ROLES}


_PROFILES: dict[str, _Profile] = {
    "distributor": _Profile(
        key="distributor",
        client="Nordwind Distribution Ltd.",
        business="a wholesale distributor of tools, fasteners and building supplies",
        names=(
            "Nordwind Distribution Ltd.",
            "Baltic Supply Group Ltd.",
            "Carpathia Wholesale Ltd.",
            "Vltava Trade Partners Ltd.",
            "Oderland Distribution Ltd.",
            "Alpine Parts Supply Ltd.",
        ),
        categories=(
            _Category("fasteners", 2.4, 0.38, 90),
            _Category("hand_tools", 34.0, 0.34, 8),
            _Category("power_tools", 185.0, 0.27, 2),
            _Category("safety_equipment", 21.0, 0.36, 14),
            _Category("electrical", 13.5, 0.31, 24),
            _Category("plumbing", 27.0, 0.33, 11),
            _Category("adhesives_chemicals", 8.5, 0.40, 30),
        ),
        customer_industries=(
            "construction",
            "retail",
            "manufacturing",
            "automotive",
            "facility_services",
            "agriculture",
            "public_sector",
            "hospitality",
        ),
        acts=_acts(
            order=("order", 12.0, 0.3, 30),
            delivery=("delivery", 45.0, 0.8, 60),
            rush=("rush_order", 180.0, 1.5, 80),
            visit=("sales_visit", 240.0, 3.0, 40),
            call=("call", 15.0, 0.25, 20),
            complaint=("complaint", 140.0, 1.5, 50),
            support=("tech_support", 80.0, 2.0, 50),
            **{"return": ("return", 150.0, 1.0, 70)},
        ),
        lines_per_invoice=4.0,
        delivery_per_invoice=1.0,
        season=(0.85, 0.9, 1.1, 1.15, 1.15, 1.05, 0.95, 0.7, 1.1, 1.15, 1.05, 0.75),
    ),
    "manufacturer": _Profile(
        key="manufacturer",
        client="Falkenstein Precision Components Ltd.",
        business="a manufacturer of machined parts, castings and assemblies for industrial OEMs",
        names=(
            "Falkenstein Precision Components Ltd.",
            "Ironbridge Castings Ltd.",
            "Morava Machining Works Ltd.",
            "Silesia Assemblies Ltd.",
            "Ostrava Steelworks Ltd.",
        ),
        categories=(
            _Category("castings", 118.0, 0.26, 18),
            _Category("machined_parts", 44.0, 0.30, 40),
            _Category("assemblies", 840.0, 0.23, 3),
            _Category("sheet_metal", 26.0, 0.28, 50),
            _Category("tooling", 620.0, 0.35, 1),
            _Category("spare_parts", 38.0, 0.45, 12),
        ),
        customer_industries=(
            "automotive",
            "machinery",
            "energy",
            "rail",
            "aerospace",
            "agriculture_equipment",
            "construction_equipment",
        ),
        acts=_acts(
            order=("order", 20.0, 0.5, 30),
            delivery=("delivery", 120.0, 1.0, 55),
            rush=("expedited_order", 450.0, 3.0, 85),
            visit=("sales_visit", 300.0, 4.0, 40),
            call=("call", 18.0, 0.3, 20),
            complaint=("quality_claim", 260.0, 3.0, 50),
            support=("engineering_support", 95.0, 3.0, 45),
            **{"return": ("return", 300.0, 2.0, 70)},
        ),
        lines_per_invoice=3.0,
        delivery_per_invoice=0.9,
        season=(0.9, 1.0, 1.1, 1.05, 1.05, 1.0, 0.85, 0.65, 1.05, 1.15, 1.1, 0.8),
    ),
    "bank": _Profile(
        key="bank",
        client="Meridian Commercial Bank plc",
        business="a commercial bank serving mid-sized companies: accounts, loans, payments and cards",
        names=(
            "Meridian Commercial Bank plc",
            "Danube Business Bank plc",
            "Hanse Corporate Bank plc",
            "Tatra Merchant Bank plc",
            "Amber Coast Bank plc",
        ),
        categories=(
            _Category("current_accounts", 24.0, 0.80, 3),
            _Category("loans", 1750.0, 0.32, 1),
            _Category("payments", 0.45, 0.70, 450),
            _Category("cards", 12.0, 0.55, 12),
            _Category("fx", 260.0, 0.60, 2),
            _Category("trade_finance", 880.0, 0.50, 1),
            _Category("cash_management", 150.0, 0.65, 2),
        ),
        customer_industries=(
            "manufacturing",
            "retail",
            "real_estate",
            "logistics",
            "agriculture",
            "healthcare",
            "technology",
            "hospitality",
        ),
        acts=_acts(
            order=("account_servicing", 8.0, 0.2, 30),
            delivery=("branch_visit", 25.0, 0.5, 60),
            rush=("urgent_payment", 60.0, 0.5, 80),
            visit=("rm_meeting", 280.0, 3.0, 40),
            call=("call", 14.0, 0.25, 20),
            complaint=("complaint", 120.0, 1.5, 50),
            support=("treasury_advice", 110.0, 2.0, 45),
            **{"return": ("fee_reversal", 40.0, 0.5, 70)},
        ),
        lines_per_invoice=3.5,
        delivery_per_invoice=1.5,
        season=(1.05, 0.95, 1.05, 0.95, 0.95, 1.05, 0.95, 0.9, 1.0, 1.0, 1.0, 1.15),
    ),
    "telecom": _Profile(
        key="telecom",
        client="Skylark Telecom Ltd.",
        business="a business telecom operator: mobile, fixed, broadband, data-centre and IoT services",
        names=(
            "Skylark Telecom Ltd.",
            "Polaris Networks Ltd.",
            "Bohemia Connect Ltd.",
            "Vistula Telecom Ltd.",
            "Kestrel Communications Ltd.",
        ),
        categories=(
            _Category("mobile", 24.0, 0.55, 20),
            _Category("fixed_voice", 17.0, 0.60, 10),
            _Category("broadband", 58.0, 0.50, 3),
            _Category("data_center", 880.0, 0.35, 1),
            _Category("iot", 2.8, 0.45, 100),
            _Category("devices", 340.0, 0.12, 2),
            _Category("cloud", 190.0, 0.40, 2),
        ),
        customer_industries=(
            "retail",
            "logistics",
            "manufacturing",
            "finance",
            "healthcare",
            "public_sector",
            "energy",
            "hospitality",
        ),
        acts=_acts(
            order=("order", 15.0, 0.3, 30),
            delivery=("installation", 160.0, 2.5, 55),
            rush=("field_dispatch", 220.0, 2.0, 80),
            visit=("account_review", 250.0, 3.0, 40),
            call=("call", 12.0, 0.25, 20),
            complaint=("complaint", 90.0, 1.0, 50),
            support=("network_support", 85.0, 2.0, 45),
            **{"return": ("billing_credit", 60.0, 0.5, 70)},
        ),
        lines_per_invoice=4.5,
        delivery_per_invoice=0.3,
        season=(1.0, 0.95, 1.0, 1.0, 1.0, 0.95, 0.95, 0.9, 1.05, 1.05, 1.05, 1.1),
    ),
    "professional_services": _Profile(
        key="professional_services",
        client="Halden & Partners Consulting LLP",
        business="a professional-services firm: audit, tax, advisory, legal, training and outsourcing",
        names=(
            "Halden & Partners Consulting LLP",
            "Crestline Advisory LLP",
            "Moravec & Stein LLP",
            "Northgate Professional Services LLP",
            "Wawel Advisory Partners LLP",
        ),
        categories=(
            _Category("audit", 140.0, 0.35, 20),
            _Category("tax", 160.0, 0.40, 10),
            _Category("advisory", 190.0, 0.42, 14),
            _Category("legal", 210.0, 0.45, 8),
            _Category("training", 900.0, 0.50, 2),
            _Category("outsourcing", 75.0, 0.25, 40),
        ),
        customer_industries=(
            "manufacturing",
            "retail",
            "finance",
            "technology",
            "energy",
            "healthcare",
            "public_sector",
            "real_estate",
        ),
        acts=_acts(
            order=("billing", 30.0, 0.5, 30),
            delivery=("status_meeting", 180.0, 1.5, 50),
            rush=("urgent_request", 400.0, 4.0, 80),
            visit=("partner_meeting", 450.0, 3.0, 40),
            call=("call", 25.0, 0.3, 20),
            complaint=("complaint", 300.0, 3.0, 50),
            support=("unbilled_work", 120.0, 3.0, 45),
            **{"return": ("write_off", 250.0, 2.0, 70)},
        ),
        lines_per_invoice=2.5,
        delivery_per_invoice=0.6,
        season=(1.15, 1.1, 1.15, 1.0, 0.95, 0.95, 0.8, 0.7, 1.0, 1.05, 1.1, 1.05),
    ),
}

INDUSTRIES: tuple[str, ...] = tuple(_PROFILES)
"""Industry profiles :func:`generate_sample` knows."""


# ------------------------------------------------------------------ names and places

_COUNTRIES = (  # code, weight, language, legal forms, region names
    ("CZ", 0.30, "cs", ("s.r.o.", "a.s."), ("Praha", "Brno", "Ostrava", "Plzeň")),
    (
        "PL",
        0.25,
        "pl",
        ("Sp. z o.o.", "S.A."),
        ("Mazowieckie", "Śląskie", "Małopolskie", "Pomorskie"),
    ),
    ("SK", 0.12, "sk", ("s.r.o.", "a.s."), ("Bratislava", "Košice", "Žilina")),
    ("DE", 0.15, "de", ("GmbH", "AG"), ("Bayern", "Sachsen", "Berlin")),
    ("AT", 0.08, "de", ("GmbH",), ("Wien", "Oberösterreich", "Steiermark")),
    ("HU", 0.10, "hu", ("Kft.", "Zrt."), ("Budapest", "Győr", "Debrecen")),
)
_WORDS = (
    "Alder",
    "Amber",
    "Aster",
    "Basalt",
    "Beacon",
    "Birch",
    "Bison",
    "Boreal",
    "Cedar",
    "Cobalt",
    "Comet",
    "Copper",
    "Crane",
    "Delta",
    "Ember",
    "Falcon",
    "Fjord",
    "Flint",
    "Garnet",
    "Granite",
    "Harbor",
    "Hawthorn",
    "Heron",
    "Iris",
    "Juniper",
    "Kestrel",
    "Lantern",
    "Larch",
    "Linden",
    "Lumen",
    "Lynx",
    "Maple",
    "Meadow",
    "Mistral",
    "Nimbus",
    "Oak",
    "Onyx",
    "Orbit",
    "Osprey",
    "Pine",
    "Prism",
    "Quarry",
    "Quartz",
    "Raven",
    "Ridge",
    "Rowan",
    "Saffron",
    "Sable",
    "Spruce",
    "Summit",
    "Tandem",
    "Thistle",
    "Timber",
    "Tundra",
    "Vale",
    "Vertex",
    "Willow",
    "Wren",
    "Zenith",
    "Zephyr",
)
# Tricky but realistic names, given to random customers among the larger ones (so they show in
# the reports' top tables, and a seminar group cannot guess a planted fact from a name).
_TRICKY = (
    ("@Home Interiors Kft.", "HU"),
    ("Łódzka Hurtownia Śrub Sp. z o.o.", "PL"),
    ("Žluťoučký kůň Stavebniny s.r.o.", "CZ"),
    ("O'Neill & Söhne GmbH", "DE"),
    ("=SUM Trading GmbH", "AT"),
    ("+Plus Energie GmbH", "DE"),
    ('Kowalski, Nowak i "Wspólnicy" Sp. z o.o.', "PL"),
    ("Kraft & Söhne <Nord> GmbH", "DE"),
    ("-Minus Logistika s.r.o.", "SK"),
)
_FIRST = {  # (female, male)
    "cs": (
        ("Jana", "Lucie", "Eva", "Kateřina", "Zuzana"),
        ("Petr", "Tomáš", "Jiří", "Martin", "Ondřej"),
    ),
    "sk": (("Mária", "Zuzana", "Katarína", "Lenka"), ("Peter", "Ján", "Michal", "Marek")),
    "pl": (
        ("Anna", "Małgorzata", "Agnieszka", "Joanna"),
        ("Piotr", "Krzysztof", "Tomasz", "Paweł"),
    ),
    "de": (("Anna", "Sophie", "Marie", "Laura"), ("Lukas", "Jonas", "Felix", "Maximilian")),
    "hu": (("Anna", "Eszter", "Réka", "Zsófia"), ("Bence", "Dániel", "Gábor", "Péter")),
}
_LAST = {  # (female, male)
    "cs": (
        ("Nováková", "Dvořáková", "Svobodová", "Černá", "Kučerová"),
        ("Novák", "Dvořák", "Svoboda", "Černý", "Kučera"),
    ),
    "sk": (
        ("Horváthová", "Kováčová", "Tóthová", "Lukáčová"),
        ("Horváth", "Kováč", "Tóth", "Lukáč"),
    ),
    "pl": (
        ("Nowak", "Kowalska", "Wiśniewska", "Dąbrowska"),
        ("Nowak", "Kowalski", "Wiśniewski", "Dąbrowski"),
    ),
    "de": (("Müller", "Schmidt", "Fischer", "Weber"), ("Müller", "Schmidt", "Fischer", "Weber")),
    "hu": (("Nagy", "Kovács", "Szabó", "Molnár"), ("Nagy", "Kovács", "Szabó", "Molnár")),
}


# ------------------------------------------------------------------------ result


class SampleError(KamAuditError, ValueError):
    """An argument of :func:`generate_sample` or :func:`generate_pack` is out of range."""


@dataclass(frozen=True)
class SampleInfo:
    """What :func:`generate_sample` wrote.

    Attributes
    ----------
    out_dir
        The company folder.
    engagement
        Its ``engagement.yaml``.
    tables
        Table name -> CSV path, for the nine tables of the data contract.
    readme
        The company's ``README.md``.
    answer_key_path
        Where the answer key was written (inside ``out_dir`` for a single sample,
        ``answer_keys/`` beside the companies for a pack).
    answer_key
        The planted facts, as written to ``answer_key_path``.
    """

    out_dir: Path
    engagement: Path
    tables: dict[str, Path]
    readme: Path
    answer_key_path: Path
    answer_key: dict[str, Any] = field(repr=False)
    client: str = ""
    industry: str = ""
    seed: int = 0

    def customer_ids(self, fact: str) -> list[str]:
        """Customer ids planted for one fact, e.g. ``info.customer_ids("unprofitable_vip")``."""
        return list(self.answer_key["facts"][fact]["customer_ids"])


# --------------------------------------------------------------------- helpers


def _group_rank(counts: np.ndarray) -> np.ndarray:
    """0..n-1 within consecutive groups of the given sizes."""
    counts = np.asarray(counts, dtype=np.int64)
    total = int(counts.sum())
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    return np.arange(total, dtype=np.int64) - starts


def _sample_rows(rng: np.random.Generator, cum: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Draw one index per element from row-specific cumulative probabilities ``cum[rows]``."""
    n, k = cum.shape
    shifted = (cum / cum[:, -1:] + np.arange(n)[:, None]).ravel()  # row i lives in (i, i + 1]
    u = rng.random(len(rows))
    pos = np.searchsorted(shifted, rows + u, side="left")
    return np.minimum(pos - rows * k, k - 1)


def _top_k(rng: np.random.Generator, weights: np.ndarray, k: int) -> np.ndarray:
    """k distinct indices drawn with probability proportional to ``weights`` (Gumbel top-k)."""
    keys = np.log(np.maximum(weights, 1e-300)) + rng.gumbel(size=len(weights))
    if k >= len(weights):
        return np.argsort(-keys, kind="stable")
    part = np.argpartition(-keys, k)[:k]
    return np.sort(part)


def _r2(x: np.ndarray) -> np.ndarray:
    return np.round(np.asarray(x, dtype=np.float64), 2) + 0.0  # + 0.0 drops -0.0


def _year_starts(start: pd.Timestamp, years: int) -> np.ndarray:
    """Day offsets (from ``start``) where each period year begins, plus the period end + 1."""
    bounds = [(start + pd.DateOffset(years=k) - start).days for k in range(years + 1)]
    return np.asarray(bounds, dtype=np.int64)


def _bincount(idx: np.ndarray, weights: np.ndarray | None, n: int) -> np.ndarray:
    return np.bincount(idx, weights=weights, minlength=n).astype(np.float64)


# ------------------------------------------------------------------- the company


class _Company:
    """All arrays of one generated company (internal)."""


def _build(
    rng: np.random.Generator,
    prof: _Profile,
    n_cust: int,
    n_lines: int,
    years: int,
    start: pd.Timestamp,
) -> _Company:
    c = _Company()
    c.prof, c.n, c.years, c.start = prof, n_cust, years, start
    ybounds = _year_starts(start, years)
    ndays = int(ybounds[-1])
    c.ybounds, c.ndays = ybounds, ndays

    # --- calendar: seasonality, weekends, holidays
    dates = np.datetime64(start.date(), "D") + np.arange(ndays)
    month = dates.astype("datetime64[M]").astype(np.int64) % 12
    weekday = (dates.astype(np.int64) + 3) % 7
    day_w = np.asarray(prof.season)[month] * np.where(weekday < 5, 1.0, 0.02)
    md = pd.DatetimeIndex(dates).strftime("%m-%d").to_numpy()
    day_w = np.where(np.isin(md, ["01-01", "12-24", "12-25", "12-26", "12-31"]), 0.01, day_w)
    cum_w = np.cumsum(day_w)
    cum_w0 = np.concatenate([[0.0], cum_w])
    workdays = np.flatnonzero(weekday < 5)
    c.dates = dates

    # --- customers: size ranks (0 = largest) and planted roles
    # rank-size (Zipf-like) with noise: top 20% bring ~70-80% of revenue at a few hundred customers
    size = np.sort((np.arange(n_cust) + 3.0) ** -1.1 * rng.lognormal(0.0, 0.3, n_cust))[::-1]
    size /= size.sum()
    r = {
        "must_key": 0,
        "loss_a": 1,
        "single_a": 2,
        "single_b": 3,
        "loss_b": 4,
        "single_c": 5,
        "vip_loss": max(16, int(round(0.06 * n_cust))),
        "late": max(18, int(round(0.08 * n_cust))),
    }
    for j, q in enumerate((0.55, 0.6, 0.65, 0.7)):
        r[f"grow_{j}"] = int(round(q * n_cust)) + j
    c.role_idx = r
    loss = np.array([r["loss_a"], r["loss_b"]])
    single = np.array([r["single_a"], r["single_b"], r["single_c"]])
    grow = np.array([r[f"grow_{j}"] for j in range(4)])
    planted = np.array(sorted(r.values()))
    c.loss, c.single, c.grow = loss, single, grow
    c.planted = planted
    m_bar = float(np.mean([k.margin for k in prof.categories]))
    size[loss] *= 1.15 * (1 - 0.25 * m_bar) / (1 - 0.7 * m_bar)  # heavy discounts eat revenue
    size /= size.sum()

    # customer attributes
    country_w = np.array([x[1] for x in _COUNTRIES])
    c.country = rng.choice(len(_COUNTRIES), n_cust, p=country_w / country_w.sum())
    c.region = rng.integers(0, 4, n_cust)
    c.industry = rng.integers(0, len(prof.customer_industries), n_cust)
    c.service = rng.lognormal(0.0, 0.85, n_cust)  # service intensity, independent of size
    c.service[np.concatenate([[r["must_key"]], single])] = 0.3
    c.service[grow] = 0.5
    c.pickup = rng.random(n_cust) < 0.15
    c.pickup[planted] = False
    c.give = rng.beta(1.6, 2.4, n_cust) * 0.8  # share of the category margin given as discount
    c.give[np.concatenate([[r["must_key"]], single])] = 0.22
    c.give[loss] = 0.7
    c.give[r["vip_loss"]] = 0.45
    c.give[grow] = 0.2
    c.terms = rng.choice(np.array([14, 30, 30, 30, 45, 60]), n_cust)
    c.terms[loss] = 60
    c.terms[r["late"]] = 30
    pay_type = rng.choice(3, n_cust, p=[0.58, 0.30, 0.12])
    c.delay_mu = np.array([-1.0, 9.0, 26.0])[pay_type] + rng.normal(0, 2.0, n_cust)
    c.delay_sd = np.array([3.0, 6.0, 10.0])[pay_type]
    c.delay_mu[np.concatenate([[r["must_key"]], single, grow])] = -1.0
    c.delay_sd[np.concatenate([[r["must_key"]], single, grow])] = 3.0
    c.delay_mu[loss] = 42.0
    c.delay_sd[loss] = 12.0
    c.delay_mu[r["late"]] = 115.0
    c.delay_sd[r["late"]] = 8.0
    # yearly growth factor: most customers drift, some shrink or are lost
    growth = rng.lognormal(0.04, 0.25, n_cust)
    growth[planted] = 1.05
    growth[grow] = 6.0
    _life_and_tail(c, rng, size, ybounds)
    size /= size.sum()

    # --- invoices (regular ones; credit notes come later)
    credit_share = 0.03
    n_credit_lines = max(2, int(round(n_lines * credit_share)))
    n_reg = n_lines - n_credit_lines
    lpi = np.full(n_cust, prof.lines_per_invoice)
    lpi[loss] = max(1.6, prof.lines_per_invoice * 0.5)
    lpi[c.tail] = max(1.3, prof.lines_per_invoice * 0.4)
    inv_share = size**0.6
    inv_share[loss] *= 1.8
    inv_share[c.tail] *= _TAIL_ORDERS
    inv_share /= inv_share.sum()
    n_inv_target = int(n_reg / prof.lines_per_invoice)
    lpi[grow] = 2.0
    n_grow_inv = int(np.clip(round(0.6 * n_inv_target / n_cust), 10, 24))
    min_inv = np.full(n_cust, 2)
    min_inv[grow] = n_grow_inv
    min_inv[c.oneoff] = 0
    spare = max(0, n_inv_target - int(min_inv.sum()))
    n_inv_c = rng.multinomial(spare, inv_share) + min_inv
    n_inv_c[grow] = n_grow_inv
    n_inv_c[c.oneoff] = rng.integers(1, 3, len(c.oneoff))
    n_inv = int(n_inv_c.sum())
    inv_cust = np.repeat(np.arange(n_cust), n_inv_c)
    counts = 1 + rng.poisson(lpi[inv_cust] - 1.0)
    diff = n_reg - int(counts.sum())
    if diff > 0:
        np.add.at(counts, rng.integers(0, n_inv, diff), 1)
    elif diff < 0:
        slots = np.repeat(np.arange(n_inv), counts - 1)
        take = _top_k(rng, np.ones(len(slots)), -diff)
        np.subtract.at(counts, slots[take], 1)

    # year of each invoice: stratified per customer, then a day by seasonality
    yp = growth[:, None] ** np.arange(years)[None, :]
    ycum = np.cumsum(yp / yp.sum(axis=1, keepdims=True), axis=1)
    rank_in = _group_rank(n_inv_c)
    u = (rank_in + rng.random(n_inv)) / n_inv_c[inv_cust]
    inv_year = (u[:, None] > ycum[inv_cust][:, :-1]).sum(axis=1)
    lo = cum_w0[ybounds[inv_year]]
    hi = cum_w0[ybounds[inv_year + 1]]
    inv_day = np.searchsorted(cum_w, lo + rng.random(n_inv) * (hi - lo), side="right")
    inv_day = np.minimum(inv_day, ybounds[inv_year + 1] - 1)
    # customers gained or lost during the period buy only inside their active window
    w_lo, w_hi = c.win_lo[inv_cust], c.win_hi[inv_cust]
    part = (w_lo > 0) | (w_hi < ndays)
    if part.any():
        lo, hi = cum_w0[w_lo[part]], cum_w0[w_hi[part]]
        d = np.searchsorted(cum_w, lo + u[part] * (hi - lo), side="right")
        inv_day[part] = np.clip(d, w_lo[part], w_hi[part] - 1)

    # --- lines
    line_inv = np.repeat(np.arange(n_inv), counts)
    line_cust = inv_cust[line_inv]
    n_cat = len(prof.categories)
    pref = rng.dirichlet(np.full(n_cat, 0.6), n_cust)
    pref[planted] = rng.dirichlet(np.full(n_cat, 3.0), len(planted))
    line_value = np.array([k.price * k.qty for k in prof.categories])
    cheap = (line_value <= np.median(line_value)).astype(float) + 0.02
    pref[grow] = cheap / cheap.sum()
    cat = np.minimum(_sample_rows(rng, np.cumsum(pref, axis=1), line_cust), n_cat - 1)
    n_prod = 24
    prod_w = 1.0 / np.arange(1, n_prod + 1) ** 0.8
    pidx = np.searchsorted(np.cumsum(prod_w) / prod_w.sum(), rng.random(len(cat)), side="right")
    pidx = np.minimum(pidx, n_prod - 1)
    prod = cat * n_prod + pidx
    cat_price = np.array([k.price for k in prof.categories])
    cat_margin = np.array([k.margin for k in prof.categories])
    cat_qty = np.array([k.qty for k in prof.categories])
    p_cat = np.repeat(np.arange(n_cat), n_prod)
    p_list = _r2(cat_price[p_cat] * rng.lognormal(0.0, 0.45, n_cat * n_prod))
    p_list = np.maximum(p_list, 0.05)
    p_margin = np.clip(cat_margin[p_cat] * rng.uniform(0.85, 1.15, n_cat * n_prod), 0.03, 0.9)
    p_cost = np.round(p_list * (1.0 - p_margin), 4)
    codes = [k.name[:3].upper() for k in prof.categories]
    c.product_ids = np.array(
        [f"P-{codes[p_cat[i]]}-{i % n_prod + 1:03d}" for i in range(n_cat * n_prod)]
    )
    c.cat_names = np.array([k.name for k in prof.categories])
    c.p_cat = p_cat

    line_share = np.bincount(line_cust, minlength=n_cust) / len(line_cust)
    qty_mult = size / np.maximum(line_share, 1e-12)
    qty_mult /= np.average(qty_mult, weights=np.maximum(line_share, 1e-12))
    qty = np.maximum(
        1.0, np.round(cat_qty[cat] * qty_mult[line_cust] * rng.lognormal(0.0, 0.6, len(cat)))
    )
    m_line = p_margin[prod]
    disc = np.clip(m_line * (c.give[line_cust] + rng.normal(0.0, 0.04, len(cat))), 0.0, 0.95)
    disc = np.round(disc * 200.0) / 200.0  # half-percent steps, as price lists have
    c.l_inv, c.l_prod, c.l_qty, c.l_disc = line_inv, prod, qty, disc
    c.p_list, c.p_cost = p_list, p_cost
    c.inv_cust, c.inv_day = inv_cust, inv_day
    _line_amounts(c)

    # --- make the planted sizes hold whatever the draw: scale quantities where needed
    def fit(i: int, lo: float | None = None, hi: float | None = None) -> None:
        for _ in range(8):
            rev = _bincount(c.inv_cust[c.l_inv], c.l_net, n_cust)
            now = rev[i]
            others = np.sort(np.delete(rev, i))[::-1]
            want = None
            if lo is not None and now < others[int(lo)] * 1.08:
                want = others[int(lo)] * 1.15
            elif hi is not None and now > others[int(hi)] * 0.92:
                want = others[int(hi)] * 0.85
            if want is None or now <= 0:
                return
            sel = c.inv_cust[c.l_inv] == i
            c.l_qty[sel] = np.maximum(1.0, np.round(c.l_qty[sel] * want / now))
            _line_amounts(c)

    for i in loss:
        fit(int(i), lo=5)  # above the 6th largest other customer
    for i in single:
        fit(int(i), lo=7)  # among the eight largest
    fit(r["must_key"], lo=0)  # the largest
    fit(r["vip_loss"], hi=12)  # below the 13th
    for g in grow:
        fit(int(g), hi=int(0.35 * n_cust))

    # --- growth calibration: last year >= 3.5x the year before for the planted growers
    if years >= 2:
        b_prev, b_last = int(ybounds[-3]), int(ybounds[-2])
        fwd, back = b_last - b_prev, int(ybounds[-1] - ybounds[-2])
        for g in grow:
            for _ in range(64):
                rev = _revenue_by_year(c, g)
                if rev[-2] > 0 and rev[-1] >= 3.5 * rev[-2]:
                    break
                inv_tot = _bincount(c.l_inv, c.l_net, len(c.inv_cust))
                mine = c.inv_cust == g
                prev = np.flatnonzero(mine & (c.inv_day >= b_prev) & (c.inv_day < b_last))
                last = np.flatnonzero(mine & (c.inv_day >= b_last))
                if len(prev) == 0:  # nothing the year before: bring the smallest invoice back
                    mv = last[np.argmin(inv_tot[last])]
                    c.inv_day[mv] = min(max(c.inv_day[mv] - back, b_prev), b_last - 1)
                    continue
                big = prev[np.argmax(inv_tot[prev])]
                small = last[np.argmin(inv_tot[last])] if len(last) else -1
                if small >= 0 and inv_tot[small] < inv_tot[big]:  # swap their years
                    c.inv_day[big] = min(c.inv_day[big] + fwd, ndays - 1)
                    c.inv_day[small] = min(max(c.inv_day[small] - back, b_prev), b_last - 1)
                elif len(prev) > 1:
                    c.inv_day[big] = min(c.inv_day[big] + fwd, ndays - 1)
                else:  # one small order left the year before: make it smaller
                    sel = c.l_inv == big
                    c.l_qty[sel] = np.maximum(1.0, np.floor(c.l_qty[sel] / 4.0))
                    _line_amounts(c)

    # --- credit notes: copies of lines of earlier invoices, negative quantities
    ret_w = np.clip(c.service, 0.2, 3.0)
    ret_w[loss] = 5.0
    ret_w[np.concatenate([[r["must_key"]], single])] = 0.3
    ret_w[grow] = 0.0
    extra = min(n_credit_lines // 4, int((counts >= 2).sum()))
    m = n_credit_lines - extra
    src = _top_k(rng, ret_w[inv_cust] * np.where(c.inv_day < ndays - 5, 1.0, 1e-9), m)
    two = src[_top_k(rng, np.where(counts[src] >= 2, 1.0, 1e-12), extra)] if extra else src[:0]
    cr_src = np.concatenate([src, two])
    cr_line_pos = np.concatenate([np.zeros(len(src), np.int64), np.ones(len(two), np.int64)])
    starts = np.cumsum(counts) - counts
    src_line = starts[cr_src] + np.minimum(cr_line_pos, counts[cr_src] - 1)
    cr_day = np.minimum(c.inv_day[src] + rng.integers(3, 31, m), ndays - 1)
    cr_day = np.minimum(cr_day, np.maximum(c.win_hi[c.inv_cust[src]] - 1, c.inv_day[src]))
    cr_inv_of_line = np.concatenate([np.arange(m), np.searchsorted(src, two)])
    ret_frac = rng.uniform(0.2, 1.0, len(cr_src))
    cr_qty = -np.maximum(1.0, np.floor(c.l_qty[src_line] * ret_frac))
    # append credit invoices and their lines
    c.n_regular = n_inv
    c.inv_cust = np.concatenate([c.inv_cust, c.inv_cust[src]])
    c.inv_day = np.concatenate([c.inv_day, cr_day])
    c.inv_credit = np.concatenate([np.zeros(n_inv, bool), np.ones(m, bool)])
    c.l_inv = np.concatenate([c.l_inv, n_inv + cr_inv_of_line])
    c.l_prod = np.concatenate([c.l_prod, c.l_prod[src_line]])
    c.l_qty = np.concatenate([c.l_qty, cr_qty])
    c.l_disc = np.concatenate([c.l_disc, c.l_disc[src_line]])
    _line_amounts(c)

    # --- invoice numbers in date order; lines sorted by invoice then line
    order = np.lexsort((np.arange(len(c.inv_day)), c.inv_credit, c.inv_cust, c.inv_day))
    new_no = np.empty_like(order)
    new_no[order] = np.arange(len(order))
    c.inv_cust, c.inv_day, c.inv_credit = c.inv_cust[order], c.inv_day[order], c.inv_credit[order]
    c.l_inv = new_no[c.l_inv]
    lorder = np.lexsort((np.arange(len(c.l_inv)), c.l_inv))
    for name in ("l_inv", "l_prod", "l_qty", "l_disc", "l_net", "l_list", "l_cost", "l_unit"):
        setattr(c, name, getattr(c, name)[lorder])
    n_all = len(c.inv_day)
    c.l_no = _group_rank(np.bincount(c.l_inv, minlength=n_all)) + 1
    c.inv_amount = _r2(_bincount(c.l_inv, c.l_net, n_all))

    # --- payments (regular invoices): due = date + terms; paid = due + customer's delay
    reg = np.flatnonzero(~c.inv_credit)
    pc = c.inv_cust[reg]
    due = c.inv_day[reg] + c.terms[pc]
    delay = np.round(rng.normal(c.delay_mu[pc], c.delay_sd[pc]))
    delay = np.maximum(delay, -c.terms[pc])
    paid = due + delay
    disputed = rng.random(len(reg)) < 0.002
    disputed[np.isin(pc, planted)] = False
    unpaid = (paid >= ndays) | disputed
    c.pay_inv, c.pay_due, c.pay_paid, c.pay_unpaid = reg, due, paid, unpaid

    # --- rebates per customer and year
    _rebates(c, rng)

    # --- activities
    _activities(c, rng, workdays)

    # --- calibrate planted loss-makers: a loss even with every rate 25% lower
    for who, roles in (
        (loss, ("rush", "support", "delivery", "complaint")),
        (np.array([r["vip_loss"]]), ("visit", "support", "rush", "call")),
    ):
        _calibrate_loss(c, rng, who, roles)
    return c


# Shares of the customer base (of n_customers) with each life cycle and cost profile.
_NEW, _LOST, _FADING, _ONE_OFF = 0.13, 0.10, 0.03, 0.035
_TAIL, _DEEP_DISCOUNT, _VISITED = 0.22, 0.07, 0.08
_TAIL_ORDERS = 4.0  # tail customers place this many times the orders their size suggests
_TAIL_SERVICE = (1.6, 0.35)  # lognormal service intensity of the tail
_BIG_DISCOUNT = 0.15  # extra share of margin the larger (non-planted) customers get as discount


def _life_and_tail(
    c: _Company, rng: np.random.Generator, size: np.ndarray, ybounds: np.ndarray
) -> None:
    """Who joins, leaves or buys once during the period, and who costs far more than they pay.

    Sets ``c.win_lo`` / ``c.win_hi`` (each customer's active days, [lo, hi)), the index
    arrays ``c.new``, ``c.lost``, ``c.fading``, ``c.oneoff``, ``c.tail`` (small customers
    ordering often in tiny lots, with rush orders, returns and calls), ``c.deep`` (mid-size
    customers with deep discounts) and ``c.visited`` (small customers a salesperson visits
    regularly), and scales ``size`` (revenue over the period) by the active share. The
    planted customers and the largest ones stay continuous and keep their profile.
    """
    n, ndays = c.n, c.ndays
    idx = np.arange(n)
    free = np.setdiff1d(idx[max(12, n // 25) :], c.planted)
    rank = free / n  # 0 = largest
    taken = np.zeros(n, bool)

    def pick(share: float, weight: np.ndarray) -> np.ndarray:
        w = np.where(taken[free], 0.0, weight)
        k = min(int(round(share * n)), int((w > 0).sum()))
        chosen = free[_top_k(rng, w, k)] if k > 0 else free[:0]
        chosen = np.sort(chosen[w[np.searchsorted(free, chosen)] > 0])
        taken[chosen] = True
        return chosen

    c.win_lo = np.zeros(n, np.int64)
    c.win_hi = np.full(n, ndays, np.int64)
    last_start = int(ybounds[-2])  # first day of the last year
    c.oneoff = pick(_ONE_OFF, (rank >= 0.6).astype(float))
    span = min(45, ndays // 4)
    lo = np.floor(rng.random(len(c.oneoff)) * (ndays - span)).astype(np.int64)
    c.win_lo[c.oneoff], c.win_hi[c.oneoff] = lo, lo + span
    smaller = 0.15 + rank  # gains and losses are mostly among the smaller customers
    c.new = pick(_NEW, smaller)
    c.win_lo[c.new] = last_start + np.floor(
        rng.random(len(c.new)) * (ndays - 30 - last_start)
    ).astype(np.int64)
    c.lost = pick(_LOST, smaller)
    c.win_hi[c.lost] = 60 + np.floor(rng.random(len(c.lost)) * (last_start - 60)).astype(np.int64)
    c.fading = pick(_FADING, smaller)
    c.win_hi[c.fading] = last_start + 15 + np.floor(rng.random(len(c.fading)) * 90).astype(np.int64)
    moved = np.concatenate([c.new, c.lost, c.fading])
    size[moved] *= (c.win_hi[moved] - c.win_lo[moved]) / ndays

    # the loss-making tail: service intensity far above revenue
    taken[:] = False
    taken[c.oneoff] = True
    c.tail = pick(_TAIL, (rank >= 0.3).astype(float))
    c.service[c.tail] = np.maximum(c.service[c.tail], rng.lognormal(*_TAIL_SERVICE, len(c.tail)))
    c.deep = pick(_DEEP_DISCOUNT, ((rank >= 0.2) & (rank < 0.55)).astype(float))
    c.give[c.deep] = rng.uniform(0.6, 0.85, len(c.deep))
    # larger customers negotiate deeper discounts (the planted ones keep theirs)
    big = free[rank < 0.2]
    c.give[big] = np.minimum(c.give[big] + _BIG_DISCOUNT, 0.8)
    c.visited = pick(_VISITED, (rank >= 0.3).astype(float))
    c.continuous = (c.win_lo == 0) & (c.win_hi == ndays)


def _line_amounts(c: _Company) -> None:
    lst = c.p_list[c.l_prod]
    c.l_unit = _r2(lst * (1.0 - c.l_disc))
    c.l_list = _r2(c.l_qty * lst)
    c.l_net = _r2(c.l_qty * c.l_unit)
    c.l_cost = _r2(c.l_qty * c.p_cost[c.l_prod])


def _revenue_by_year(c: _Company, cust: int) -> np.ndarray:
    mine = c.inv_cust[c.l_inv] == cust
    yr = np.searchsorted(c.ybounds, c.inv_day[c.l_inv[mine]], side="right") - 1
    return np.bincount(yr, weights=c.l_net[mine], minlength=c.years)


def _rebates(c: _Company, rng: np.random.Generator) -> None:
    n, years = c.n, c.years
    l_cust = c.inv_cust[c.l_inv]
    l_year = np.searchsorted(c.ybounds, c.inv_day[c.l_inv], side="right") - 1
    rev = np.bincount(l_cust * years + l_year, weights=c.l_net, minlength=n * years).reshape(
        n, years
    )
    rows_c, rows_y, rows_amt, rows_kind = [], [], [], []
    thresh = np.quantile(rev, 0.7, axis=0)
    vb_pct = rng.uniform(0.01, 0.03, n)
    vb_pct[c.loss] = 0.045
    for y in range(years):
        big = np.flatnonzero(rev[:, y] >= thresh[y])
        rows_c.append(big)
        rows_y.append(np.full(len(big), y))
        rows_amt.append(rev[big, y] * vb_pct[big])
        rows_kind.append(np.full(len(big), "volume_bonus"))
    ms = np.flatnonzero(rng.random(n) < 0.08)
    ms = np.union1d(ms, c.loss)
    for y in range(years):
        amt = rev[ms, y] * rng.uniform(0.004, 0.012, len(ms))
        ok = amt > 50
        rows_c.append(ms[ok])
        rows_y.append(np.full(int(ok.sum()), y))
        rows_amt.append(amt[ok])
        rows_kind.append(np.full(int(ok.sum()), "marketing_support"))
    cd = np.flatnonzero((c.terms <= 14) & (c.delay_mu < 2))
    for y in range(years):
        amt = rev[cd, y] * 0.02
        ok = amt > 20
        rows_c.append(cd[ok])
        rows_y.append(np.full(int(ok.sum()), y))
        rows_amt.append(amt[ok])
        rows_kind.append(np.full(int(ok.sum()), "cash_discount"))
    c.reb_cust = np.concatenate(rows_c).astype(np.int64)
    c.reb_year = np.concatenate(rows_y).astype(np.int64)
    c.reb_amount = _r2(np.concatenate(rows_amt))
    c.reb_kind = np.concatenate(rows_kind)


def _activities(c: _Company, rng: np.random.Generator, workdays: np.ndarray) -> None:
    prof, n, r = c.prof, c.n, c.role_idx
    reg = np.flatnonzero(~c.inv_credit)
    rc = c.inv_cust[reg]
    rd = c.inv_day[reg]
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
    role_no = {role: i for i, role in enumerate(_ROLES)}

    def add(
        role: str, cust: np.ndarray, day: np.ndarray, qty: np.ndarray, hours: np.ndarray
    ) -> None:
        parts.append(
            (
                cust.astype(np.int64),
                np.minimum(day, c.ndays - 1).astype(np.int64),
                np.full(len(cust), role_no[role]),
                qty.astype(np.float64),
                _r2(hours),
            )
        )

    # deliveries: one row per invoice with the number of drops; split deliveries for some
    per_inv = prof.delivery_per_invoice * np.where(c.pickup[rc], 0.0, 1.0)
    dq = rng.poisson(per_inv * np.clip(c.service[rc], 0.5, 1.6))
    dq = np.where(np.isin(rc, c.loss), 1 + rng.poisson(0.6, len(rc)), dq)
    has = dq > 0
    h = prof.acts["delivery"].hours
    add(
        "delivery",
        rc[has],
        rd[has] + 1,
        dq[has],
        dq[has] * h * rng.uniform(0.8, 1.2, int(has.sum())),
    )
    # rush orders
    p_rush = np.clip(0.04 * c.service, 0.0, 0.3)
    p_rush[c.loss] = 0.25
    p_rush[c.single] = 0.01
    p_rush[r["must_key"]] = 0.01
    isr = rng.random(len(rc)) < p_rush[rc]
    h = prof.acts["rush"].hours
    add(
        "rush", rc[isr], rd[isr], np.ones(int(isr.sum())), h * rng.uniform(0.7, 1.5, int(isr.sum()))
    )
    # returns: one per credit note
    cr = np.flatnonzero(c.inv_credit)
    h = prof.acts["return"].hours
    add(
        "return",
        c.inv_cust[cr],
        c.inv_day[cr],
        np.ones(len(cr)),
        h * rng.uniform(0.6, 1.6, len(cr)),
    )

    # per-customer events spread over the working days of the period
    yrs = c.years
    n_inv_c = np.bincount(rc, minlength=n).astype(np.float64)
    active = n_inv_c > 0
    owned = np.zeros(n, bool)
    owned[np.argsort(-_bincount(rc, c.inv_amount[reg], n))[: max(8, n // 4)]] = True
    c.kam_owned = owned
    # fixed touchpoints follow the business a customer brings on average, not the line count
    scale = float(np.clip(len(c.l_inv) / n / 133.0, 0.3, 3.0))
    visits = np.where(owned, rng.uniform(4, 10, n), rng.uniform(0.0, 1.5, n))
    visits[c.visited] = rng.uniform(4, 9, len(c.visited))
    visits[c.single] = 3.0
    visits[r["must_key"]] = 10.0
    span = (c.win_hi - c.win_lo) / c.ndays * active  # share of the period a customer is active
    lam = {
        "visit": visits * scale * yrs * span,
        "call": 4.0 * scale * yrs * span + 0.25 * n_inv_c * c.service * active,
        "complaint": 0.2 * yrs * span + 0.012 * n_inv_c * c.service * active,
        "support": 0.4 * yrs * span + 0.03 * n_inv_c * c.service * active,
    }
    lam["visit"][r["vip_loss"]] = 40.0 * scale * yrs
    lam["call"][r["vip_loss"]] *= 3.0
    lam["support"][c.loss] = 0.06 * n_inv_c[c.loss]
    lam["complaint"][c.loss] = 0.03 * n_inv_c[c.loss]
    for role in ("visit", "call", "complaint", "support"):
        k = rng.poisson(lam[role])
        cust = np.repeat(np.arange(n), k)
        w_lo = np.searchsorted(workdays, c.win_lo[cust])
        w_hi = np.maximum(np.searchsorted(workdays, c.win_hi[cust]), w_lo + 1)
        day = workdays[
            np.minimum(
                w_lo + (rng.random(len(cust)) * (w_hi - w_lo)).astype(np.int64), len(workdays) - 1
            )
        ]
        h = prof.acts[role].hours * rng.lognormal(
            0.0, 0.45 if role == "support" else 0.25, len(cust)
        )
        add(role, cust, day, np.ones(len(cust)), h)
    c.act_parts = parts
    c.workdays = workdays
    _stack_activities(c)


def _stack_activities(c: _Company) -> None:
    cust, day, role, qty, hours = (np.concatenate(x) for x in zip(*c.act_parts, strict=True))
    order = np.lexsort((role, cust, day))  # stable: ties keep their (deterministic) order
    c.a_cust, c.a_day, c.a_role = cust[order], day[order], role[order]
    c.a_qty, c.a_hours = qty[order], hours[order]


def _volumes(c: _Company) -> np.ndarray:
    """Driver volume per customer (rows) and role (columns)."""
    n = c.n
    vol = np.zeros((n, len(_ROLES)))
    for j, role in enumerate(_ROLES):
        drv = _DRIVERS[role]
        if drv == "invoices":
            vol[:, j] = np.bincount(c.inv_cust, minlength=n)
        elif drv == "credit_notes":
            vol[:, j] = np.bincount(c.inv_cust[c.inv_credit], minlength=n)
        else:
            sel = c.a_role == j
            w = c.a_hours[sel] if drv == "hours" else c.a_qty[sel]
            vol[:, j] = _bincount(c.a_cust[sel], w, n)
    return vol


def _pnl(c: _Company, rate_factor: float = 1.0) -> dict[str, np.ndarray]:
    """Per-customer P&L at the profile's target rates (what the answer key states)."""
    n = c.n
    l_cust = c.inv_cust[c.l_inv]
    net = _bincount(l_cust, c.l_net, n)
    cogs = _bincount(l_cust, c.l_cost, n)
    reb = _bincount(c.reb_cust, c.reb_amount, n)
    nr = net - reb
    end_day = np.where(c.pay_unpaid, c.ndays - 1, c.pay_paid)
    days_out = np.maximum(end_day - c.inv_day[c.pay_inv], 0)
    fin = _bincount(
        c.inv_cust[c.pay_inv], c.inv_amount[c.pay_inv] * days_out * COST_OF_CAPITAL / 365.0, n
    )
    rates = np.array([c.prof.acts[role].rate for role in _ROLES]) * rate_factor
    cts_by = _volumes(c) * rates[None, :]
    cts = cts_by.sum(axis=1)
    return {
        "net_revenue": nr,
        "gross_margin": nr - cogs,
        "financing": fin,
        "cts_by": cts_by,
        "cts": cts,
        "net_profit": nr - cogs - cts - fin,
    }


def _calibrate_loss(
    c: _Company, rng: np.random.Generator, who: np.ndarray, roles: tuple[str, ...]
) -> None:
    """Add service events until each customer in ``who`` loses >= 5% of revenue at 0.75x rates."""
    p = _pnl(c)
    acts = c.prof.acts
    for i in who:
        gm, fin, cts, nr = p["gross_margin"][i], p["financing"][i], p["cts"][i], p["net_revenue"][i]
        need = (gm - fin + 0.05 * abs(nr)) / 0.75 - cts
        if need <= 0:
            continue
        share = need / len(roles)
        for role in roles:
            a = acts[role]
            per_event = a.rate * (a.hours if _DRIVERS[role] == "hours" else 1.0)
            k = int(np.ceil(share / per_event))
            day = c.workdays[rng.integers(0, len(c.workdays), k)]
            hours = np.full(k, a.hours)
            c.act_parts.append(
                (
                    np.full(k, i, np.int64),
                    day.astype(np.int64),
                    np.full(k, _ROLES.index(role)),
                    np.ones(k),
                    _r2(hours),
                )
            )
    _stack_activities(c)  # one sort per calibration round; cheap next to the lines


# ------------------------------------------------------------------- tables


def _customer_names(c: _Company, rng: np.random.Generator) -> np.ndarray:
    n, prof = c.n, c.prof
    inds = prof.customer_industries
    n_words = len(_WORDS)
    # within each industry every customer gets its own word; past 60 a branch number follows
    word_of = np.empty(n, np.int64)
    rank_in = np.empty(n, np.int64)
    for j in range(len(inds)):
        members = np.flatnonzero(c.industry == j)
        order = rng.permutation(n_words)
        k = np.arange(len(members))
        word_of[members] = order[k % n_words]
        rank_in[members] = k // n_words
    names = []
    for i in range(n):
        label = inds[c.industry[i]].replace("_", " ").title()
        forms = _COUNTRIES[c.country[i]][3]
        form = forms[int(word_of[i] + c.region[i]) % len(forms)]
        branch = f" {rank_in[i] + 1}" if rank_in[i] else ""
        names.append(f"{_WORDS[word_of[i]]} {label}{branch} {form}")
    codes = [x[0] for x in _COUNTRIES]
    pool = max(len(_TRICKY) + 8, int(0.4 * n))
    slots = rng.permutation(pool)[: len(_TRICKY)]
    for i, (nm, cc) in zip(slots, _TRICKY, strict=True):
        names[int(i)] = nm
        c.country[int(i)] = codes.index(cc)
    return np.array(names, dtype=object)


def _ids(prefix: str, n: int, width: int) -> np.ndarray:
    w = max(width, len(str(n)))
    return np.array([f"{prefix}{i:0{w}d}" for i in range(1, n + 1)], dtype=object)


def _take(values: np.ndarray, idx: np.ndarray) -> pa.Array:
    """``values[idx]`` as an Arrow string array, gathered in C++ (fast for millions of rows)."""
    return pa.array(values, pa.string()).take(pa.array(np.asarray(idx, dtype=np.int64)))


def _date_strings(c: _Company, days: np.ndarray) -> pa.Array:
    return pa.array(np.datetime64(c.start.date(), "D") + days.astype("timedelta64[D]"))


def _tables(
    c: _Company, rng: np.random.Generator, pnl: dict[str, np.ndarray]
) -> tuple[dict[str, pa.Table], dict]:
    n, prof, r = c.n, c.prof, c.role_idx
    # customer ids do not reveal the size order
    perm = rng.permutation(n)
    cid = _ids("C", n, 5)[perm]
    names = _customer_names(c, rng)
    l_cust = c.inv_cust[c.l_inv]
    n_inv_all = len(c.inv_day)

    # --- team
    team = _team(c, rng)
    kam_ids = [p["person_id"] for p in team if p["role"] == "kam"]
    owner = np.full(n, "", dtype=object)
    owned = np.flatnonzero(c.kam_owned)
    owner[owned] = np.array(kam_ids, dtype=object)[rng.integers(0, len(kam_ids), len(owned))]
    extra_owned = np.flatnonzero((~c.kam_owned) & (rng.random(n) < 0.12))
    owner[extra_owned] = np.array(kam_ids, dtype=object)[
        rng.integers(0, len(kam_ids), len(extra_owned))
    ]
    owner[np.asarray(c.grow)] = ""

    # --- flags: VIPs are big, profitable customers, plus one unprofitable one (planted)
    robust_profit = _pnl(c, 1.25)["net_profit"]
    n_vip = max(4, int(round(0.05 * n)))
    order_rev = np.argsort(-pnl["net_revenue"], kind="stable")
    top_share = order_rev[: max(n_vip * 3, 20)]
    cand = [
        i
        for i in top_share
        if robust_profit[i] > 0.05 * max(pnl["net_revenue"][i], 1.0)
        and i not in set(c.loss.tolist())
        and i != r["late"]
        and c.continuous[i]
    ]
    vip = [r["must_key"], int(c.single[0]), r["vip_loss"]]
    for i in cand:
        if len(vip) >= n_vip:
            break
        if i not in vip:
            vip.append(int(i))
    flag = np.full(n, "", dtype=object)
    flag[np.array(vip)] = "VIP"

    # --- wallet estimates (annual spend in our categories)
    l_year = np.searchsorted(c.ybounds, c.inv_day[c.l_inv], side="right") - 1
    last = l_year == c.years - 1
    rev_last = _bincount(l_cust[last], c.l_net[last], n)
    share = rng.uniform(0.15, 0.9, n)
    share[c.new] = rng.uniform(0.45, 0.95, len(c.new))  # new customers: little headroom yet
    wallet = rev_last / share
    has_wallet = rng.random(n) < 0.65
    kth = np.sort(rev_last)[::-1][min(14, n - 1)]
    wallet[c.grow] = np.maximum(15.0 * rev_last[c.grow], kth)
    wallet[r["must_key"]] = rev_last[r["must_key"]] / 0.55
    wallet[c.single] = rev_last[c.single] / 0.5
    has_wallet[c.planted] = True
    wallet = np.where(has_wallet & (wallet > 0), np.round(wallet, -3), np.nan)

    langs = np.array([x[2] for x in _COUNTRIES], dtype=object)[c.country]
    regions = np.array(
        [
            x[4][k % len(x[4])]
            for x, k in zip(np.array(_COUNTRIES, dtype=object)[c.country], c.region, strict=True)
        ],
        dtype=object,
    )
    countries = np.array([x[0] for x in _COUNTRIES], dtype=object)[c.country]
    inds = np.array(prof.customer_industries, dtype=object)[c.industry]
    o = np.argsort(cid)
    customers = pa.table(
        {
            "customer_id": pa.array(cid[o], pa.string()),
            "name": pa.array(names[o], pa.string()),
            "industry": pa.array(inds[o], pa.string()),
            "region": pa.array(regions[o], pa.string()),
            "country": pa.array(countries[o], pa.string()),
            "payment_terms_days": pa.array(c.terms[o].astype(np.int64)),
            "account_owner": pa.array(owner[o], pa.string()),
            "client_flag": pa.array(flag[o], pa.string()),
            "wallet_estimate": pa.array(wallet[o], from_pandas=True),
            "language": pa.array(langs[o], pa.string()),
        }
    )

    # --- invoices
    inv_ids = _ids("INV-", n_inv_all, 6)
    invoices = pa.table(
        {
            "invoice_id": _take(inv_ids, c.l_inv),
            "line_no": pa.array(c.l_no.astype(np.int64)),
            "invoice_date": _date_strings(c, c.inv_day[c.l_inv]),
            "customer_id": _take(cid, l_cust),
            "product_id": _take(c.product_ids, c.l_prod),
            "product_category": _take(c.cat_names, c.p_cat[c.l_prod]),
            "quantity": pa.array(c.l_qty),
            "unit_price": pa.array(c.l_unit),
            "list_amount": pa.array(c.l_list),
            "discount_amount": pa.array(_r2(c.l_list - c.l_net)),
            "net_amount": pa.array(c.l_net),
            "cost_amount": pa.array(c.l_cost),
        }
    )

    # --- payments
    paid = np.where(c.pay_unpaid, 0, c.pay_paid)
    payments = pa.table(
        {
            "invoice_id": _take(inv_ids, c.pay_inv),
            "due_date": _date_strings(c, c.pay_due),
            "paid_date": pa.array(
                np.datetime64(c.start.date(), "D") + paid.astype("timedelta64[D]"),
                mask=c.pay_unpaid,
            ),
            "amount": pa.array(c.inv_amount[c.pay_inv]),
        }
    )

    # --- rebates
    year_label = np.array(
        [str((c.start + pd.DateOffset(years=int(k))).year) for k in range(c.years)], dtype=object
    )
    ro = np.lexsort((c.reb_kind, cid[c.reb_cust], c.reb_year))
    rebates = pa.table(
        {
            "customer_id": pa.array(cid[c.reb_cust][ro], pa.string()),
            "amount": pa.array(c.reb_amount[ro]),
            "kind": pa.array(c.reb_kind[ro].astype(object), pa.string()),
            "year": pa.array(year_label[c.reb_year][ro], pa.string()),
        }
    )

    # --- activities
    act_names = np.array([prof.acts[role].name for role in _ROLES], dtype=object)
    activities = pa.table(
        {
            "customer_id": _take(cid, c.a_cust),
            "activity_date": _date_strings(c, c.a_day),
            "activity": _take(act_names, c.a_role),
            "quantity": pa.array(c.a_qty),
            "hours": pa.array(c.a_hours),
        }
    )

    # --- cost pools: annual cost = target rate x volume per year
    vol = _volumes(c).sum(axis=0)
    pool_rows = []
    for j, role in enumerate(_ROLES):
        a = prof.acts[role]
        annual = a.rate * vol[j] / c.years
        annual = float(np.round(annual, -2 if annual >= 10_000 else -1))
        cap = float(np.ceil(vol[j] / c.years * 1.25 / 10) * 10) if role == "delivery" else np.nan
        pool_rows.append((a.name, annual, _DRIVERS[role], np.nan, cap, float(a.avoidable_pct)))
    cols = list(zip(*pool_rows, strict=True))
    cost_pools = pa.table(
        {
            "activity": pa.array(cols[0], pa.string()),
            "annual_cost": pa.array(np.array(cols[1], dtype=np.float64)),
            "driver": pa.array(cols[2], pa.string()),
            "rate": pa.array(np.array(cols[3], dtype=np.float64), from_pandas=True),
            "practical_capacity": pa.array(np.array(cols[4], dtype=np.float64), from_pandas=True),
            "avoidable_pct": pa.array(np.array(cols[5], dtype=np.float64)),
        }
    )

    contacts = _contacts(c, rng, cid, owner, team)
    assessments = _assessments(c, rng, cid, pnl)
    team_t = pa.table(
        {
            "person_id": pa.array([p["person_id"] for p in team], pa.string()),
            "name": pa.array([p["name"] for p in team], pa.string()),
            "role": pa.array([p["role"] for p in team], pa.string()),
            "hours_available": pa.array(
                np.array([p["hours_available"] for p in team], dtype=np.float64)
            ),
            "industries": pa.array([p["industries"] for p in team], pa.string()),
            "languages": pa.array([p["languages"] for p in team], pa.string()),
            "max_accounts": pa.array(
                np.array([p["max_accounts"] for p in team], dtype=np.float64), from_pandas=True
            ),
        }
    )
    tables = {
        "customers": customers,
        "invoices": invoices,
        "rebates": rebates,
        "activities": activities,
        "cost_pools": cost_pools,
        "payments": payments,
        "contacts": contacts,
        "assessments": assessments,
        "team": team_t,
    }
    extra = {"cid": cid, "names": names, "flag": flag, "wallet": wallet, "rev_last": rev_last}
    return tables, extra


_KA_HOURS = {
    "kam": 1600,
    "executive": 240,
    "finance": 320,
    "logistics": 320,
    "marketing": 320,
    "specialist": 480,
}


def _team(c: _Company, rng: np.random.Generator) -> list[dict[str, Any]]:
    inds = list(c.prof.customer_industries)
    people = [
        ("Jana Nováková", "kam", "cs;en;de"),
        ("Piotr Zieliński", "kam", "pl;en"),
        ("Katharina Weber", "kam", "de;en;cs"),
        ("Tomáš Horák", "kam", "cs;sk;en"),
        ("Martin Svoboda", "executive", "cs;en;de"),
        ("Agnieszka Wójcik", "executive", "pl;en"),
        ("Eva Černá", "finance", "cs;en"),
        ("Lukas Becker", "logistics", "de;en"),
        ("Zsófia Kiss", "marketing", "hu;en;de"),
        ("Ondřej Kučera", "specialist", "cs;en"),
        ("Marek Lukáč", "specialist", "sk;cs;en"),
    ]
    if c.n < 150:
        people.pop(3)
    out = []
    for k, (name, role, langs) in enumerate(people, start=1):
        chosen = sorted(rng.choice(len(inds), size=min(3, len(inds)), replace=False).tolist())
        out.append(
            {
                "person_id": f"P{k:02d}",
                "name": name,
                "role": role,
                # hours a year for key-account work: KAMs nearly full time, the others a share
                "hours_available": float(_KA_HOURS[role] + 40 * int(rng.integers(-2, 3))),
                "industries": ";".join(inds[i] for i in chosen)
                if role in ("kam", "specialist", "executive")
                else "",
                "languages": langs,
                "max_accounts": float(10 + 2 * int(rng.integers(0, 2)))
                if role == "kam"
                else np.nan,
            }
        )
    return out


def _contacts(
    c: _Company,
    rng: np.random.Generator,
    cid: np.ndarray,
    owner: np.ndarray,
    team: list[dict[str, Any]],
) -> pa.Table:
    n, r = c.n, c.role_idx
    size_rank = np.arange(n) / n  # 0 = largest
    k = np.minimum(rng.poisson(0.6 + 3.5 * (1.0 - size_rank) ** 3), 8)
    k[r["must_key"]] = 8
    k[c.single] = 1
    k[c.loss] = rng.integers(3, 6, 2)
    k[r["vip_loss"]] = 4
    k[c.grow] = rng.integers(2, 4, len(c.grow))
    # the other large customers have a few contacts, so the single-contact ones stand out
    big = np.setdiff1d(np.arange(min(12, n)), c.planted)
    k[big] = np.maximum(k[big], 2)
    cust = np.repeat(np.arange(n), k)
    pos = _group_rank(k)
    total = len(cust)
    role_p = np.array([0.18, 0.17, 0.2, 0.15, 0.1, 0.12, 0.08])
    role = rng.choice(len(_CONTACT_ROLES), total, p=role_p)
    role[pos == 0] = 0  # everyone's first contact is a decision maker
    mk = cust == r["must_key"]
    role[mk] = np.arange(int(mk.sum())) % len(_CONTACT_ROLES)
    seniority_by_role = np.array(
        ["senior", "middle", "junior", "middle", "senior", "middle", "top"], dtype=object
    )
    seniority = seniority_by_role[role]
    strength = rng.integers(1, 6, total)
    ties = rng.integers(1, 6, total)
    strength[mk] = rng.integers(4, 6, int(mk.sum()))
    ties[mk] = rng.integers(1, 3, int(mk.sum()))
    sc = np.isin(cust, c.single)
    strength[sc] = 4
    ties[sc] = 3
    channel = rng.choice(len(_CHANNELS), total, p=[0.35, 0.3, 0.25, 0.1])
    last_back = np.floor(rng.exponential(90.0, total)).astype(np.int64)
    last_back[np.isin(cust, np.concatenate([[r["must_key"]], c.single]))] = rng.integers(
        3, 45, int(np.isin(cust, np.concatenate([[r["must_key"]], c.single])).sum())
    )
    last_day = np.maximum(c.ndays - 1 - last_back, 0)
    last_day = np.clip(last_day, c.win_lo[cust], c.win_hi[cust] + 30)
    last_day = np.minimum(last_day, c.ndays - 1)
    fin_ids = [p["person_id"] for p in team if p["role"] == "finance"]
    spec_ids = [p["person_id"] for p in team if p["role"] == "specialist"]
    exec_ids = [p["person_id"] for p in team if p["role"] == "executive"]
    own = owner[cust].copy()
    own[role == 4] = fin_ids[0]
    own[role == 5] = spec_ids[0]
    own[(role == 6) & (owner[cust] != "")] = exec_ids[0]
    own[rng.random(total) < 0.1] = ""
    lang = np.array([x[2] for x in _COUNTRIES])[c.country[cust]]
    gender = rng.integers(0, 2, total)
    first_i = rng.integers(0, 20, total)
    last_i = rng.integers(0, 20, total)
    names = np.array(
        [
            f"{_FIRST[lg][g][a % len(_FIRST[lg][g])]} {_LAST[lg][g][b % len(_LAST[lg][g])]}"
            for lg, g, a, b in zip(lang, gender, first_i, last_i, strict=True)
        ],
        dtype=object,
    )
    o = np.lexsort((pos, cid[cust]))
    return pa.table(
        {
            "customer_id": pa.array(cid[cust][o], pa.string()),
            "contact_id": pa.array(_ids("CT-", total, 5), pa.string()),
            "name": pa.array(names[o], pa.string()),
            "role": pa.array(np.array(_CONTACT_ROLES, dtype=object)[role][o], pa.string()),
            "seniority": pa.array(seniority[o], pa.string()),
            "relationship_strength": pa.array(strength[o].astype(np.int64)),
            "owner": pa.array(own[o], pa.string()),
            "competitor_ties": pa.array(ties[o].astype(np.int64)),
            "preferred_channel": pa.array(
                np.array(_CHANNELS, dtype=object)[channel][o], pa.string()
            ),
            "last_contact_date": _date_strings(c, last_day[o]),
        }
    )


def _assessments(
    c: _Company, rng: np.random.Generator, cid: np.ndarray, pnl: dict[str, np.ndarray]
) -> pa.Table:
    n, r = c.n, c.role_idx
    size_rank = np.arange(n) / n
    has_int = rng.random(n) < 0.25 + 0.6 * (1.0 - size_rank) ** 2
    has_cli = rng.random(n) < 0.1 + 0.5 * (1.0 - size_rank) ** 2
    fixed: dict[
        int, tuple[tuple[int, int], tuple[int, int]]
    ] = {}  # customer -> (internal, client) score ranges
    fixed[r["must_key"]] = ((9, 10), (9, 10))
    for i in c.single:
        fixed[int(i)] = ((8, 9), (7, 9))
    for i in c.grow:
        fixed[int(i)] = ((8, 9), (8, 9))
    for i in c.loss:
        fixed[int(i)] = ((5, 7), (6, 8))
    fixed[r["vip_loss"]] = ((4, 6), (8, 10))
    rows_c, rows_k, rows_s, rows_src = [], [], [], []
    base_int = np.clip(rng.normal(6.0, 1.5, n), 1, 10)
    base_cli = np.clip(rng.normal(6.5, 1.5, n), 1, 10)
    for src, has, crits, base in (
        ("internal", has_int, _INTERNAL_CRITERIA, base_int),
        ("client", has_cli, _CLIENT_CRITERIA, base_cli),
    ):
        depth = rng.integers(1, len(crits) + 1, n)  # assessments of varying depth
        for j, crit in enumerate(crits):
            who = np.flatnonzero(has & (depth > j))
            sc = np.clip(np.round(base[who] + rng.normal(0, 1.0, len(who))), 1, 10)
            rows_c.append(who)
            rows_k.append(np.full(len(who), crit, dtype=object))
            rows_s.append(sc)
            rows_src.append(np.full(len(who), src, dtype=object))
    cust = np.concatenate(rows_c)
    keep = ~np.isin(cust, list(fixed))
    cust = cust[keep]
    crit = np.concatenate(rows_k)[keep]
    score = np.concatenate(rows_s)[keep]
    source = np.concatenate(rows_src)[keep]
    add_c, add_k, add_s, add_src = [], [], [], []
    for i, (ri, rc) in fixed.items():
        for src, crits, (lo, hi) in (
            ("internal", _INTERNAL_CRITERIA, ri),
            ("client", _CLIENT_CRITERIA, rc),
        ):
            for cr in crits:
                add_c.append(i)
                add_k.append(cr)
                add_s.append(float(rng.integers(lo, hi + 1)))
                add_src.append(src)
    cust = np.concatenate([cust, np.array(add_c, dtype=np.int64)])
    crit = np.concatenate([crit, np.array(add_k, dtype=object)])
    score = np.concatenate([score, np.array(add_s)])
    source = np.concatenate([source, np.array(add_src, dtype=object)])
    o = np.lexsort((crit.astype(str), source.astype(str), cid[cust].astype(str)))
    return pa.table(
        {
            "customer_id": pa.array(cid[cust][o], pa.string()),
            "criterion": pa.array(crit[o], pa.string()),
            "score": pa.array(score[o]),
            "source": pa.array(source[o], pa.string()),
        }
    )


# ---------------------------------------------------------------- answer key


def _answer_key(c: _Company, pnl: dict[str, np.ndarray], extra: dict, meta: dict) -> dict[str, Any]:
    r, prof = c.role_idx, c.prof
    cid, names = extra["cid"], extra["names"]
    nr = pnl["net_revenue"]
    rev_rank = np.empty(c.n, np.int64)
    rev_rank[np.argsort(-nr, kind="stable")] = np.arange(1, c.n + 1)
    prof_rank = np.empty(c.n, np.int64)
    prof_rank[np.argsort(-pnl["net_profit"], kind="stable")] = np.arange(1, c.n + 1)
    act_names = [prof.acts[role].name for role in _ROLES]
    # average days paid after due, per customer
    late_days = np.where(c.pay_unpaid, np.nan, c.pay_paid - c.pay_due)
    pc = c.inv_cust[c.pay_inv]
    ok = ~np.isnan(late_days)
    avg_late = _bincount(pc[ok], late_days[ok], c.n) / np.maximum(
        np.bincount(pc[ok], minlength=c.n), 1
    )
    rev_y = np.stack([_revenue_by_year(c, int(i)) for i in c.grow])

    def card(i: int, **more: Any) -> dict[str, Any]:
        d = {
            "customer_id": str(cid[i]),
            "name": str(names[i]),
            "revenue_rank": int(rev_rank[i]),
            "profit_rank": int(prof_rank[i]),
            "net_revenue": round(float(nr[i]), 2),
            "gross_margin": round(float(pnl["gross_margin"][i]), 2),
            "cost_to_serve": round(float(pnl["cts"][i]), 2),
            "financing_cost": round(float(pnl["financing"][i]), 2),
            "net_profit": round(float(pnl["net_profit"][i]), 2),
        }
        d.update(more)
        return d

    def sinking(i: int, k: int = 3) -> list[str]:
        by = pnl["cts_by"][i]
        return [act_names[j] for j in np.argsort(-by, kind="stable")[:k]]

    facts: dict[str, dict[str, Any]] = {}
    loss = [int(i) for i in c.loss]
    facts["top10_loss_makers"] = {
        "description": "Two of the ten largest customers by net revenue lose money after cost-to-serve: "
        "heavy discounts leave a thin gross margin, and rush orders, split deliveries, returns, "
        "support and slow payment eat the rest.",
        "customer_ids": [str(cid[i]) for i in loss],
        "customers": [
            card(i, sinking_cost_lines=sinking(i), avg_days_late=round(float(avg_late[i]), 1))
            for i in loss
        ],
    }
    v = r["vip_loss"]
    facts["unprofitable_vip"] = {
        "description": 'A customer the client flags "VIP" loses money: weekly visits, many calls and '
        "support are not paid for by its revenue. It is not among the ten largest.",
        "customer_ids": [str(cid[v])],
        "customers": [card(v, client_flag="VIP", sinking_cost_lines=sinking(v))],
    }
    facts["fast_growing_potential"] = {
        "description": "Small customers today whose revenue in the last year is at least 2.5 times the year "
        "before, with a large wallet (annual spend in our categories) and good assessments both ways: "
        "potential key accounts.",
        "customer_ids": [str(cid[i]) for i in c.grow],
        "customers": [
            card(
                int(i),
                revenue_by_year=[round(float(x), 2) for x in rev_y[k]],
                growth_ratio=round(float(rev_y[k][-1] / max(rev_y[k][-2], 1e-9)), 2)
                if c.years >= 2
                else None,
                wallet_estimate=float(extra["wallet"][i]),
            )
            for k, i in enumerate(c.grow)
        ],
    }
    facts["single_contact_key_candidates"] = {
        "description": "Highly profitable customers rated high on strategic value whose whole relationship "
        "hangs on a single contact person: key-account candidates with a single-point-of-contact risk.",
        "customer_ids": [str(cid[i]) for i in c.single],
        "customers": [card(int(i), contacts=1) for i in c.single],
    }
    lp = r["late"]
    facts["very_late_payer"] = {
        "description": "One customer pays on average more than 90 days after the due date; its financing "
        "cost is large for its size.",
        "customer_ids": [str(cid[lp])],
        "customers": [
            card(
                lp, payment_terms_days=int(c.terms[lp]), avg_days_late=round(float(avg_late[lp]), 1)
            )
        ],
    }
    mk = r["must_key"]
    facts["must_be_key"] = {
        "description": "The largest customer: highly profitable, eight contacts across every role, excellent "
        "assessments both in our view and in its view of us. Any selection must keep it.",
        "customer_ids": [str(cid[mk])],
        "customers": [card(mk, contacts=8)],
    }
    return {
        **meta,
        "customer_base": _base_profile(c),
        "whale_curve": _whale(pnl),
        "method": {
            "costing": "activity-based: rate = annual_cost x years / total driver volume, allocated by each "
            "customer's driver volume; financing = invoice amount x days from invoice to payment "
            "(or period end) x cost_of_capital / 365; net revenue = net invoice amount - rebates",
            "cost_of_capital": COST_OF_CAPITAL,
            "robustness": "the loss-makers still lose money with every rate 25% lower; the profitable "
            "facts hold with every rate 25% higher",
        },
        "facts": facts,
    }


def _base_profile(c: _Company) -> dict[str, int]:
    """New, lost and one-off customers as the intake's base profile counts them (first and last
    twelve months of the period compared; credit notes count as activity)."""
    first = np.unique(c.inv_cust[c.inv_day < c.ybounds[1]])
    last = np.unique(c.inv_cust[c.inv_day >= c.ybounds[-2]])
    regular = np.bincount(c.inv_cust[~c.inv_credit], minlength=c.n)
    return {
        "customers_new_n": int(len(np.setdiff1d(last, first))),
        "customers_lost_n": int(len(np.setdiff1d(first, last))),
        "customers_retained_n": int(len(np.intersect1d(first, last))),
        "one_off_buyers_n": int(((regular >= 1) & (regular <= 2)).sum()),
    }


def _whale(pnl: dict[str, np.ndarray]) -> dict[str, float]:
    """Kaplan's whale curve of the answer key's costing: customers by net profit, best first."""
    profit = np.sort(pnl["net_profit"])[::-1]
    cum = np.cumsum(profit)
    k = int(np.argmax(cum))
    total = float(cum[-1])
    n = len(profit)
    top = max(1, n // 5)
    return {
        "total_net_profit": round(total, 2),
        "net_profit_pct_of_revenue": round(total / float(pnl["net_revenue"].sum()) * 100, 1),
        "peak_pct": round(float(cum[k]) / total * 100, 1),
        "peak_customers_n": k + 1,
        "erosion": round(float(cum[k]) - total, 2),
        "top20pct_profit_pct": round(float(cum[top - 1]) / total * 100, 1),
        "loss_makers_n": int((profit < 0).sum()),
    }


# ----------------------------------------------------------------- writing


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _readable(path: Path) -> Path:
    """Atomic writes start as 0600 temporary files; give the result ordinary permissions."""
    os.chmod(path, 0o666 & ~_umask())
    return Path(path)


def _write_csv(table: pa.Table, path: Path) -> None:
    with atomic_path(path, ".csv") as tmp:
        pacsv.write_csv(table, tmp, pacsv.WriteOptions(quoting_style="needed"))
    _readable(path)


def _write_text(path: Path, text: str) -> Path:
    return _readable(write_text_atomic(path, text))


def _engagement_yaml(
    client: str,
    start: pd.Timestamp,
    end: pd.Timestamp,
    currency: str,
    language: str,
    seed: int,
    industry: str,
) -> str:
    q = lambda s: json.dumps(s, ensure_ascii=False)  # noqa: E731 - JSON strings are valid YAML
    lines = [
        f"# Fictional sample engagement written by kamaudit.sample (industry {industry}, seed {seed}).",
        "# Every company, person and number in it is invented.",
        f"client: {q(client)}",
        f"period: {{start: {start.date().isoformat()}, end: {end.date().isoformat()}}}",
        f"currency: {currency}",
        f"language: {language}",
        "inputs:",
    ]
    from .config import TABLES

    lines += [f"  {t}: {t}.csv" for t in TABLES]
    return "\n".join(lines) + "\n"


def _money(x: float, currency: str) -> str:
    return f"{x:,.0f} {currency}"


def _readme(info: dict, key: dict | None, tables: dict[str, pa.Table]) -> str:
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
    out += [
        "",
        "Cost pools carry `annual_cost` per year; the engagement covers "
        f"{info['years']} years. Activities are counted by the pool's `driver`. Credit notes are "
        "invoices with negative lines; payments list the regular invoices (an empty `paid_date` is "
        "unpaid at the end of the period).",
        "",
        "Some customer names are tricky on purpose (a leading `=`, `+`, `-` or `@`, quotes, commas, "
        "`<` and `>`, Czech, Polish and German letters, an apostrophe): deliverables must show them "
        "as text.",
        "",
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


def _answer_sheet(key: dict) -> str:
    head = [
        f"# Answer sheet — {key['client']}",
        "",
        f"Industry `{key['industry']}`, seed {key['seed']}, period {key['period']['start']} to "
        f"{key['period']['end']}. Keep this sheet away from the participants.",
        "",
        "",
    ]
    return "\n".join(head) + _facts_markdown(key, key["currency"])


# ------------------------------------------------------------------ public API


def generate_sample(
    out_dir: str | Path,
    *,
    seed: int = 7,
    n_customers: int = 300,
    n_lines: int = 40_000,
    years: int = 2,
    start: str = "2024-01-01",
    industry: str = "distributor",
    client: str | None = None,
    currency: str = "EUR",
    language: str = "en",
    answer_key_dir: str | Path | None = None,
    key_name: str = "answer_key",
) -> SampleInfo:
    """Write a fictional company: nine CSV tables, an engagement file, a README, the answer key.

    Parameters
    ----------
    out_dir
        Folder to write (created if missing; files in it are replaced atomically).
    seed
        Seed of the ``numpy.random.Generator``: identical arguments give identical bytes.
    n_customers, n_lines
        Size: customers (at least 60) and invoice lines, credit notes included
        (at least 25 per customer). A million lines take a few seconds.
    years
        Length of the period in whole years (at least 2: growth needs two years).
    start
        First day of the period (ISO date).
    industry
        One of :data:`INDUSTRIES`: product categories, activities, cost pools, margins and
        the company's name follow it.
    client
        The company's name; default from the industry profile.
    currency, language
        Written to the engagement file.
    answer_key_dir
        Where to write the answer key. Default: ``out_dir/answer_key.json`` and the facts in
        ``out_dir/README.md``. Given (as :func:`generate_pack` does), the key and a Markdown
        answer sheet go there as ``<key_name>.json`` / ``.md`` and the README keeps the facts
        secret.
    key_name
        File stem of the answer key in ``answer_key_dir``.

    Returns
    -------
    SampleInfo
        Paths written and the answer key.

    Examples
    --------
    >>> info = generate_sample("/tmp/nordwind", n_customers=80, n_lines=4000)  # doctest: +SKIP
    >>> info.customer_ids("top10_loss_makers")                                  # doctest: +SKIP
    """
    if industry not in _PROFILES:
        raise SampleError(
            f'industry "{industry}" is not known; expected one of {", ".join(INDUSTRIES)}.'
        )
    if int(n_customers) < 60:
        raise SampleError(
            f"n_customers = {n_customers} is too small; the planted facts need at least 60."
        )
    if int(n_lines) < 25 * int(n_customers):
        raise SampleError(
            f"n_lines = {n_lines} is too few for {n_customers} customers; give at least "
            f"{25 * int(n_customers)} (25 per customer)."
        )
    if int(years) < 2:
        raise SampleError(
            f"years = {years}: the sample needs at least 2 years (growth is year on year)."
        )
    prof = _PROFILES[industry]
    n_customers, n_lines, years = int(n_customers), int(n_lines), int(years)
    start_ts = pd.Timestamp(start).normalize()
    end_ts = start_ts + pd.DateOffset(years=years) - pd.Timedelta(days=1)
    client = client or prof.client
    out = Path(out_dir).expanduser()
    out.mkdir(parents=True, exist_ok=True)

    rng = np.random.default_rng(seed)
    c = _build(rng, prof, n_customers, n_lines, years, start_ts)
    pnl = _pnl(c)
    tables, extra = _tables(c, rng, pnl)

    paths: dict[str, Path] = {}
    for name, t in tables.items():
        paths[name] = out / f"{name}.csv"
        _write_csv(t, paths[name])

    meta = {
        "client": client,
        "industry": industry,
        "seed": int(seed),
        "currency": currency.upper(),
        "period": {
            "start": start_ts.date().isoformat(),
            "end": end_ts.date().isoformat(),
            "years": years,
        },
        "n_customers": n_customers,
        "n_lines": n_lines,
    }
    key = _answer_key(c, pnl, extra, meta)
    eng = _write_text(
        out / "engagement.yaml",
        _engagement_yaml(client, start_ts, end_ts, currency.upper(), language, int(seed), industry),
    )
    net = np.sort(_bincount(c.inv_cust[c.l_inv], c.l_net, c.n))[::-1]
    summary = {
        "client": client,
        "business": prof.business,
        "industry": industry,
        "seed": int(seed),
        "currency": currency.upper(),
        "period_start": start_ts.date().isoformat(),
        "period_end": end_ts.date().isoformat(),
        "years": years,
        "n_customers": n_customers,
        "n_lines": n_lines,
        "n_invoices": len(c.inv_day),
        "n_credit_notes": int(c.inv_credit.sum()),
        "net_invoiced": float(net.sum()),
        "top20_share": float(net[: max(1, n_customers // 5)].sum() / net.sum()),
        "base": key["customer_base"],
    }
    key_json = json.dumps(key, ensure_ascii=False, indent=2) + "\n"
    if answer_key_dir is None:
        key_path = _write_text(out / "answer_key.json", key_json)
        readme = _write_text(out / "README.md", _readme(summary, key, tables))
    else:
        kd = Path(answer_key_dir).expanduser()
        key_path = _write_text(kd / f"{key_name}.json", key_json)
        _write_text(kd / f"{key_name}.md", _answer_sheet(key))
        readme = _write_text(out / "README.md", _readme(summary, None, tables))
        stale = out / "answer_key.json"
        if stale.exists():
            stale.unlink()
    return SampleInfo(
        out_dir=out,
        engagement=Path(eng),
        tables=paths,
        readme=Path(readme),
        answer_key_path=Path(key_path),
        answer_key=key,
        client=client,
        industry=industry,
        seed=int(seed),
    )


def generate_pack(
    out_dir: str | Path,
    n: int,
    *,
    seed: int = 1,
    industry: str | None = None,
    n_customers: int = 300,
    n_lines: int = 40_000,
    years: int = 2,
    start: str = "2024-01-01",
    currency: str = "EUR",
    language: str = "en",
) -> list[SampleInfo]:
    """Write ``n`` distinct companies for a seminar: ``company_01/`` … and ``answer_keys/``.

    Each company has its own seed (``seed * 1000 + k``) and name; industries rotate
    through :data:`INDUSTRIES` when ``industry`` is None. The answer keys
    (``answer_keys/company_01.json`` and a Markdown answer sheet ``company_01.md``) are
    kept outside the company folders, so a trainer can hand out the folders alone.
    ``out_dir/README.md`` lists the companies.
    """
    n = int(n)
    if n < 1:
        raise SampleError(f"n = {n}: a pack has at least one company.")
    if industry is not None and industry not in _PROFILES:
        raise SampleError(
            f'industry "{industry}" is not known; expected one of {", ".join(INDUSTRIES)}.'
        )
    out = Path(out_dir).expanduser()
    keys = out / "answer_keys"
    rng = np.random.default_rng(seed)
    used: set[str] = set()
    infos = []
    width = max(2, len(str(n)))
    for k in range(1, n + 1):
        ind = industry or INDUSTRIES[(k - 1) % len(INDUSTRIES)]
        pool = list(_PROFILES[ind].names)
        order = rng.permutation(len(pool))
        name = next((pool[i] for i in order if pool[i] not in used), None)
        if name is None:
            name = f"{pool[int(order[0])]} ({k})"
        used.add(name)
        label = f"company_{k:0{width}d}"
        infos.append(
            generate_sample(
                out / label,
                seed=seed * 1000 + k,
                n_customers=n_customers,
                n_lines=n_lines,
                years=years,
                start=start,
                industry=ind,
                client=name,
                currency=currency,
                language=language,
                answer_key_dir=keys,
                key_name=label,
            )
        )
    lines = [
        "# Seminar pack",
        "",
        f"{n} fictional companies written by `kamaudit sample --pack {n}` (seed {seed}). Hand out the "
        "`company_*` folders; keep `answer_keys/` for the trainer.",
        "",
        "| folder | company | industry |",
        "|---|---|---|",
    ]
    for info in infos:
        lines.append(f"| {info.out_dir.name}/ | {info.client} | {info.industry} |")
    _write_text(out / "README.md", "\n".join(lines) + "\n")
    return infos
