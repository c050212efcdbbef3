"""Industry profiles: what the company sells (categories, prices, margins), the activities
that cost it money (rates, hours, avoidable share) and its seasonality.

``ROLES`` are the eight cost roles every profile fills; ``DRIVERS`` how each is counted.
"""

from __future__ import annotations

from dataclasses import dataclass

ROLES = ("order", "delivery", "rush", "visit", "call", "complaint", "return", "support")
DRIVERS = {
    "order": "invoices",
    "delivery": "activity",
    "rush": "activity",
    "visit": "activity",
    "call": "activity",
    "complaint": "activity",
    "return": "credit_notes",
    "support": "hours",
}


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
class Profile:
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
    return {role: _Activity(*kw[role]) for role in ROLES}


PROFILES: dict[str, Profile] = {
    "distributor": Profile(
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
    "manufacturer": Profile(
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
    "bank": Profile(
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
    "telecom": Profile(
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
    "professional_services": Profile(
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

INDUSTRIES: tuple[str, ...] = tuple(PROFILES)
"""Industry profiles :func:`generate_sample` knows."""
