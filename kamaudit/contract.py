"""The data contract: every table, its columns, kinds, ranges, keys and vocabularies.

This module is the one home of the contract (DESIGN.md, "Data contract"). The readers map
a client's headers to these names, intake coerces and checks the values against them and
normalises coded values once, the workspace checks every table it writes and reads, the
data-request workbook and the engagement starter list them, and the stages rely on them:
ids are text, dates are ``datetime64``, money and measures are ``float64``, coded values
are in their vocabulary. Nothing downstream re-coerces.

>>> INPUTS["contacts"].column("role").vocabulary.normalise("Decision-maker")
'decision_maker'
>>> CONTACT_ROLES.normalise("Buyer")
'procurement'
>>> [c.name for c in INPUTS["invoices"].required]
['invoice_id', 'invoice_date', 'customer_id', 'net_amount']
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd

__all__ = [
    "ACTIVITY_EXAMPLES",
    "ASSESSMENT_SOURCES",
    "CHANNELS",
    "CONTACT_ROLES",
    "INPUTS",
    "KINDS",
    "REBATE_KINDS",
    "RELATIONSHIP_STAGES",
    "RESULTS",
    "SCHEMA_VERSION",
    "TABLES",
    "TEAM_ROLES",
    "Column",
    "Table",
    "Vocabulary",
    "table_spec",
]

SCHEMA_VERSION = 2
"""Version of the workspace layout and table contract. 1: before the contract was
checked (no ``schema_version`` in the manifest); 2: contract checked on every write and
read, optional contract columns carried through intake, coded values normalised."""

Kind = Literal["id", "text", "code", "date", "money", "float", "bool"]
KINDS: dict[str, str] = {
    "id": "str",
    "text": "str",
    "code": "str",
    "date": "datetime64[ns]",
    "money": "float64",
    "float": "float64",
    "bool": "bool",
}
"""The pandas dtype each kind has in the workspace. ``id`` is text, never a number
(leading zeros kept); ``code`` is text from a :class:`Vocabulary`."""


def _key(text: Any) -> str:
    """A spelling-insensitive key: lower case, accents kept, separators as ``_``."""
    t = unicodedata.normalize("NFKC", str(text)).strip().lower()
    return re.sub(r"[\s\-./]+", "_", t).strip("_")


@dataclass(frozen=True)
class Vocabulary:
    """A closed list of codes with the spellings clients use for them.

    ``normalise`` maps a value written the client's way ("Decision-maker", "Buyer",
    "E-mail") to its code, or to ``fallback`` when not recognised (``other`` for roles;
    None where an unrecognised value is better missing). Case, spaces, hyphens and dots
    do not matter. Iterating gives the codes, without the fallback.
    """

    name: str
    codes: tuple[str, ...]
    synonyms: Mapping[str, str] = field(default_factory=dict)
    fallback: str | None = None

    def __post_init__(self) -> None:
        lookup = {_key(c): c for c in self.codes}
        for word, code in self.synonyms.items():
            if code not in self.codes:
                raise ValueError(f"{self.name}: synonym {word!r} names unknown code {code!r}")
            lookup.setdefault(_key(word), code)
            lookup.setdefault(_key(word).replace("_", ""), code)
        object.__setattr__(self, "_lookup", lookup)

    def normalise(self, value: Any) -> str | None:
        """The code for ``value``; ``fallback`` when not recognised; None when missing."""
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            return None
        k = _key(value)
        if not k:
            return None
        lookup: dict[str, str] = self._lookup  # type: ignore[attr-defined]
        return lookup.get(k) or lookup.get(k.replace("_", "")) or self.fallback

    def recognises(self, value: Any) -> bool:
        k = _key(value)
        lookup: dict[str, str] = self._lookup  # type: ignore[attr-defined]
        return k in lookup or k.replace("_", "") in lookup

    @property
    def allowed(self) -> tuple[str, ...]:
        """The codes and the fallback: every value a normalised column can hold."""
        return self.codes + ((self.fallback,) if self.fallback else ())

    def __iter__(self):
        return iter(self.codes)

    def __len__(self) -> int:
        return len(self.codes)

    def __contains__(self, code: object) -> bool:
        return code in self.codes

    def normalise_series(self, values: pd.Series) -> pd.Series:
        """``normalise`` over a column (each distinct value looked up once)."""
        uniq = pd.unique(values.dropna())
        mapping = {v: self.normalise(v) for v in uniq}
        return values.map(mapping).astype("str")


CONTACT_ROLES = Vocabulary(
    "contact role",
    (
        "decision_maker",
        "influencer",
        "user",
        "procurement",
        "finance",
        "technical",
        "executive",
    ),
    synonyms={
        "decisionmaker": "decision_maker",
        "decider": "decision_maker",
        "budget_holder": "decision_maker",
        "buyer": "procurement",
        "purchasing": "procurement",
        "purchaser": "procurement",
        "purchase": "procurement",
        "accounting": "finance",
        "accounts": "finance",
        "controller": "finance",
        "cfo": "finance",
        "engineer": "technical",
        "technician": "technical",
        "it": "technical",
        "ceo": "executive",
        "owner": "executive",
        "managing_director": "executive",
        "director": "executive",
        "end_user": "user",
        "operator": "user",
        "champion": "influencer",
        "recommender": "influencer",
    },
    fallback="other",
)
"""``contacts.role``: who a contact is in the customer's buying centre; a role the
contract does not know is ``other`` (and intake lists it)."""

CHANNELS = Vocabulary(
    "channel",
    ("meeting", "phone", "email", "video"),
    synonyms={
        "visit": "meeting",
        "in_person": "meeting",
        "face_to_face": "meeting",
        "personal": "meeting",
        "video_call": "video",
        "teams": "video",
        "zoom": "video",
        "call": "phone",
        "telephone": "phone",
        "tel": "phone",
        "e_mail": "email",
        "mail": "email",
    },
)
"""``contacts.preferred_channel``; not recognised is missing (the role's default applies)."""

TEAM_ROLES = Vocabulary(
    "team role",
    ("kam", "executive", "finance", "logistics", "marketing", "specialist"),
    synonyms={
        "key_account_manager": "kam",
        "account_manager": "kam",
        "exec": "executive",
        "executive_sponsor": "executive",
        "sponsor": "executive",
        "director": "executive",
        "management": "executive",
        "accounting": "finance",
        "controller": "finance",
        "supply_chain": "logistics",
        "warehouse": "logistics",
        "technical": "specialist",
        "engineer": "specialist",
    },
    fallback="other",
)
"""``team.role``: our people; a role the contract does not know is ``other``."""

ASSESSMENT_SOURCES = Vocabulary(
    "assessment source",
    ("internal", "client"),
    synonyms={
        "our_team": "internal",
        "team": "internal",
        "own": "internal",
        "self": "internal",
        "kam": "internal",
        "sales": "internal",
        "us": "internal",
        "customer": "client",
        "client_view": "client",
        "customer_view": "client",
        "client's_view": "client",
        "customer's_view": "client",
        "external": "client",
        "survey": "client",
        "klient": "client",
        "zákazník": "client",
        "клиент": "client",
        "مشتری": "client",
    },
    fallback="internal",
)
"""``assessments.source``: who scored, our team (``internal``) or the customer, scoring us
(``client``); a source the contract does not know counts as our team's (and is listed)."""

REBATE_KINDS: tuple[str, ...] = (
    "volume_bonus",
    "cash_discount",
    "marketing_support",
    "listing_fee",
    "other",
)
"""``rebates.kind``: offered in the data request; kept as the client writes it."""

ACTIVITY_EXAMPLES: tuple[str, ...] = (
    "order",
    "delivery",
    "rush_order",
    "sales_visit",
    "call",
    "complaint",
    "return",
    "tech_support",
)
"""``activities.activity``: the usual activities, offered in the data request. The client's
own activity names are kept as written; cost pools name them (see cost_to_serve.drivers)."""

LABELLED_COLUMNS: dict[str, str] = {"activity": "activity", "industry": "industry"}
"""Columns, in any table, whose values are the client's own codes (``sales_visit``,
``public_sector``) that a reader sees as words: the deliverables show each through the
catalog's ``labels.<vocabulary>`` (a cost pool's ``label`` first), else with underscores
as spaces; never raw. ``column -> vocabulary``."""

CTS_SCENARIOS = Vocabulary("cost-to-serve scenario", ("reprice", "reserve", "exit"))
"""``cts_scenarios.scenario``: price to a target margin, serve more cheaply, or let go."""

CTS_ROBUSTNESS = Vocabulary("verdict robustness", ("robust_profit", "robust_loss", "sensitive"))
"""``cts_robustness.label``: a verdict that holds under the costing's doubts, or not."""

RELATIONSHIP_STAGES = Vocabulary(
    "relationship stage",
    ("transactional", "cooperation", "partnership", "synergy"),
    synonyms={"basic": "transactional", "cooperative": "cooperation", "partner": "partnership"},
)
"""``customers.relationship_stage``: an assessed stage; it overrides the inferred one."""


@dataclass(frozen=True)
class Column:
    """One contract column: name, kind, whether required, range and vocabulary."""

    name: str
    kind: Kind
    required: bool = False
    low: float | None = None
    high: float | None = None
    vocabulary: Vocabulary | None = None
    description: str = ""

    @property
    def dtype(self) -> str:
        return KINDS[self.kind]

    @property
    def numeric(self) -> bool:
        return self.kind in ("money", "float")


@dataclass(frozen=True)
class Table:
    """One contract table.

    ``key`` lists the columns that identify a row; ``duplicates`` says what intake does
    with later rows of a repeated key (``drop`` them, ``keep`` them with a warning, or
    ``refuse`` the file). Text keys of a ``refuse`` table compare without case and spacing
    ("Delivery" and " delivery" are one cost pool).
    ``open`` tables (results) may carry columns beyond those declared (a P&L has one
    ``cts_<activity>`` column per pool); input tables carry only contract columns.
    """

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    duplicates: Literal["drop", "keep", "refuse"] | None = None
    open: bool = False
    description: str = ""

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.name} has no contract column {name!r}")

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[Column]:
        return [c for c in self.columns if c.required]

    def __contains__(self, name: object) -> bool:
        return any(c.name == name for c in self.columns)


def _t(name: str, *cols: Column, **kw: Any) -> Table:
    return Table(name, tuple(cols), **kw)


C = Column
INPUTS: dict[str, Table] = {
    t.name: t
    for t in (
        _t(
            "customers",
            C("customer_id", "id", True),
            C("name", "text"),
            C("industry", "text"),
            C("region", "text"),
            C("country", "text"),
            C("payment_terms_days", "float", low=0, high=3650),
            C("account_owner", "text"),
            C("client_flag", "text", description="the client's own label, e.g. VIP"),
            C("wallet_estimate", "money", low=0, description="annual spend in our categories"),
            C("language", "text"),
            C("customer_since", "date", description="start of the relationship (tenure)"),
            C(
                "relationship_stage",
                "code",
                vocabulary=RELATIONSHIP_STAGES,
                description="assessed stage; overrides the inferred one",
            ),
            key=("customer_id",),
            duplicates="drop",
        ),
        _t(
            "invoices",
            C("invoice_id", "id", True),
            C("invoice_date", "date", True),
            C("customer_id", "id", True),
            C("net_amount", "money", True),
            C("line_no", "float"),
            C("product_id", "id"),
            C("product_category", "text"),
            C("quantity", "float"),
            C("unit_price", "money"),
            C("list_amount", "money"),
            C("discount_amount", "money"),
            C("cost_amount", "money"),
            C("currency", "text", description="the line's currency, where the export has several"),
            C(
                "cancels_invoice_id",
                "id",
                description="on a credit line: the invoice it cancels (given, else matched by intake)",
            ),
            # customer attributes some exports carry on every line: used to derive the
            # customer master when there is none, not carried in ``invoices``
            C("customer_name", "text"),
            C("industry", "text"),
            C("region", "text"),
            C("country", "text"),
        ),
        _t(
            "rebates",
            C("customer_id", "id", True),
            C("amount", "money", True),
            C("kind", "text"),
            C("year", "text"),
        ),
        _t(
            "activities",
            C("customer_id", "id", True),
            C("activity_date", "date"),
            C("activity", "text", True),
            C("quantity", "float", low=0),
            C("hours", "float", low=0),
        ),
        _t(
            "cost_pools",
            C("activity", "text", True),
            C("annual_cost", "money", low=0),
            C("driver", "text"),
            C("rate", "money", low=0),
            C("practical_capacity", "float", low=0),
            C("avoidable_pct", "float", low=0, high=100),
            C("label", "text", description="the client's own name of the pool, shown for it"),
            key=("activity",),
            duplicates="refuse",
        ),
        _t(
            "payments",
            C("invoice_id", "id", True),
            C("due_date", "date"),
            C("paid_date", "date"),
            C("amount", "money"),
            key=("invoice_id",),
            duplicates="keep",
        ),
        _t(
            "contacts",
            C("customer_id", "id", True),
            C("contact_id", "id"),
            C("name", "text"),
            C("role", "code", vocabulary=CONTACT_ROLES),
            C("seniority", "text"),
            C("relationship_strength", "float", low=1, high=5),
            C("owner", "text"),
            C("competitor_ties", "float", low=1, high=5),
            C("preferred_channel", "code", vocabulary=CHANNELS),
            C("last_contact_date", "date"),
            key=("contact_id",),
            duplicates="keep",
        ),
        _t(
            "assessments",
            C("customer_id", "id", True),
            C("criterion", "text", True),
            C("score", "float", True, low=1, high=10),
            C("source", "code", vocabulary=ASSESSMENT_SOURCES),
            key=("customer_id", "criterion", "source"),
            duplicates="keep",
        ),
        _t(
            "team",
            C("person_id", "id", True),
            C("name", "text"),
            C("role", "code", vocabulary=TEAM_ROLES),
            C("hours_available", "float", low=0, high=8784),
            C("industries", "text"),
            C("languages", "text"),
            C("max_accounts", "float", low=0),
            key=("person_id",),
            duplicates="drop",
        ),
    )
}
"""The nine input tables, in the order intake reads them."""

TABLES: tuple[str, ...] = tuple(INPUTS)

CARRIED_ONLY_FOR_DERIVATION: dict[str, tuple[str, ...]] = {
    "invoices": ("customer_name", "industry", "region", "country"),
}
"""Columns read from an input to derive another table, not kept in it."""

HELPER_COLUMNS: dict[str, tuple[Column, ...]] = {
    "customers": (C("derived_from_invoices", "bool"),),
    "invoices": (C("is_credit", "bool"),),
}
"""Columns intake adds to an input table (always present after intake)."""

RESULTS: dict[str, Table] = {
    t.name: t
    for t in (
        _t(
            "customer_pnl",
            C("customer_id", "id", True),
            C("net_revenue", "money", True),
            C("gross_margin", "money", True),
            C("cts_total", "money", True),
            C("net_profit", "money", True),
            key=("customer_id",),
            open=True,
        ),
        _t(
            "account_profile",
            C("customer_id", "id", True),
            C("attractiveness", "float", True),
            C("strength", "float", True),
            C("quadrant", "text", True),
            C("relationship_stage", "code", True, vocabulary=RELATIONSHIP_STAGES),
            C("is_key_account", "bool", True),
            C("selection_frequency", "float", True),
            key=("customer_id",),
            open=True,
        ),
        _t(
            "actions",
            C("action", "code", True),
            C("customer_id", "id"),
            C("name", "text"),
            C("segment", "text"),
            C("customer_or_segment", "text"),
            C("impact_amount", "money"),
            C("owner_id", "id"),
            C("owner", "text"),
            C("due_date", "date", True),
            C("basis", "text", True),
        ),
        _t(
            "cts_scenarios",
            C("scenario", "code", True, vocabulary=CTS_SCENARIOS),
            C("customer_id", "id", True),
            C("lever", "text", True),
            C("net_profit_before", "money", True),
            C("net_profit_after", "money", True),
            C("assumption", "text", True),
            C("lever_terms", "text", description="the lever as JSON [key, params] terms"),
            C("assumption_terms", "text", description="the assumption as JSON terms"),
            key=("scenario", "customer_id"),
            open=True,
        ),
        _t(
            "cts_robustness",
            C("customer_id", "id", True),
            C("label", "code", True, vocabulary=CTS_ROBUSTNESS),
            C("tipping_point_pct", "float", low=0, high=100),
            C("tipping_factor", "text"),
            key=("customer_id",),
            open=True,
        ),
        _t(
            "team_plan",
            C("customer_id", "id", True),
            C(
                "person_id",
                "id",
                description="empty when no one on the roster has room (reason no_room/no_role)",
            ),
            C("role", "text", True),
            C("hours", "float", True),
            open=True,
        ),
    )
}
"""Stage results with a fixed contract (DESIGN.md); other result tables are open."""


def table_spec(name: str) -> Table | None:
    """The contract of a workspace table: an input (with intake's helper columns) or a
    result; None for a result table without a fixed contract."""
    if name in INPUTS:
        t = INPUTS[name]
        drop = set(CARRIED_ONLY_FOR_DERIVATION.get(name, ()))
        cols = tuple(c for c in t.columns if c.name not in drop)
        return Table(
            t.name, cols + HELPER_COLUMNS.get(name, ()), t.key, t.duplicates, False, t.description
        )
    return RESULTS.get(name)


def legacy_schema() -> dict[str, dict[str, tuple[str, bool]]]:
    """``table -> column -> (reader kind, required)``, the shape the readers use.

    Reader kinds: ``code`` reads as ``text``."""
    return {
        t.name: {c.name: ("text" if c.kind == "code" else c.kind, c.required) for c in t.columns}
        for t in INPUTS.values()
    }


def ranges(table: str) -> dict[str, tuple[float | None, float | None]]:
    """Checked value ranges of a table's columns: ``column -> (low, high)``."""
    return {
        c.name: (c.low, c.high)
        for c in INPUTS[table].columns
        if c.low is not None or c.high is not None
    }


def coded_columns(table: str) -> dict[str, Vocabulary]:
    return {c.name: c.vocabulary for c in INPUTS[table].columns if c.vocabulary is not None}


def all_vocabularies() -> Iterable[Vocabulary]:
    return (CONTACT_ROLES, CHANNELS, TEAM_ROLES, RELATIONSHIP_STAGES, ASSESSMENT_SOURCES)


# ---------------------------------------------------------------- checking a table


def _as_kind(s: pd.Series, kind: str) -> pd.Series:
    if kind in ("id", "text", "code"):
        return s.astype("str")
    if kind in ("money", "float"):
        return s.astype("float64")
    if kind == "date":
        return s.astype("datetime64[ns]")
    if kind == "bool":
        return s.fillna(False).astype(bool)
    return s


def conform(name: str, df: pd.DataFrame, all_columns: bool = False) -> pd.DataFrame:
    """``df`` with the contract's column order and dtypes (values already valid).

    Contract columns come first in contract order, other columns after them; with
    ``all_columns`` every contract column is present (missing ones empty). Intake uses it
    after checking the values; tests use it to write hand-made tables. Returns a new
    DataFrame; ``df`` is not modified.
    """
    spec = table_spec(name)
    if spec is None:
        return df.copy()
    out = df.copy()
    for c in spec.columns:
        if c.name in out.columns:
            out[c.name] = _as_kind(out[c.name], c.kind)
        elif all_columns:
            empty = False if c.kind == "bool" else None  # a bool Series of None is all True
            out[c.name] = pd.Series(empty, index=out.index, dtype=c.dtype)
    first = [c for c in spec.names if c in out.columns]
    return out[first + [c for c in out.columns if c not in first]].reset_index(drop=True)


KNOWN_KINDS: dict[str, Kind] = {
    "customer_id": "id",
    "invoice_id": "id",
    "person_id": "id",
    "contact_id": "id",
    "product_id": "id",
}
"""Columns whose kind holds in every workspace table, declared or not."""


def _dtype_ok(series: pd.Series, kind: str) -> bool:
    dtype = series.dtype
    if kind in ("id", "text", "code"):
        return pd.api.types.is_string_dtype(dtype) and not pd.api.types.is_object_dtype(dtype)
    if kind == "date":
        return pd.api.types.is_datetime64_dtype(dtype)
    if kind in ("money", "float"):
        return pd.api.types.is_float_dtype(dtype)
    if kind == "bool":
        return pd.api.types.is_bool_dtype(dtype)
    return True


def check_table(name: str, df: pd.DataFrame, full: bool = True) -> list[str]:
    """What in ``df`` breaks the contract of workspace table ``name``, as sentences.

    Always: required columns present, every contract column with its kind's dtype (ids
    and coded values text, dates ``datetime64``, money and measures ``float64``), no
    column outside the contract in an input table. With ``full`` (where a table is
    written): values inside their ranges and vocabularies, key and required columns filled.
    An empty list means the table keeps the contract.

    >>> check_table("contacts", pd.DataFrame({"customer_id": pd.Series(["C1"], dtype="str"),
    ...                                       "role": pd.Series(["buyer"], dtype="str")}))
    ['contacts.role: "buyer" is not a contact role (expected one of decision_maker, ...)']
    """
    spec = table_spec(name)
    cols: list[Column] = list(spec.columns) if spec else []
    declared = {c.name for c in cols}
    cols += [Column(c, k) for c, k in KNOWN_KINDS.items() if c in df.columns and c not in declared]
    problems = []
    for c in cols:
        if c.name not in df.columns:
            if c.required:
                problems.append(f"{name}: the contract column {c.name!r} is missing.")
            continue
        s = df[c.name]
        if not _dtype_ok(s, c.kind):
            problems.append(
                f"{name}.{c.name}: dtype {s.dtype} where the contract has {c.kind} ({c.dtype})."
            )
            continue
        if not full:
            continue
        if c.numeric and (c.low is not None or c.high is not None):
            lo = -float("inf") if c.low is None else c.low
            hi = float("inf") if c.high is None else c.high
            bad = s[s.notna() & ~s.between(lo, hi)]
            if len(bad):
                problems.append(
                    f"{name}.{c.name}: {len(bad)} values outside {c.low}..{c.high}, "
                    f"e.g. {bad.iloc[0]!r}."
                )
        if c.vocabulary is not None:
            bad = s[s.notna() & ~s.isin(c.vocabulary.allowed)]
            if len(bad):
                listed = ", ".join(c.vocabulary.allowed[:1]) + ", ..."
                problems.append(
                    f"{name}.{c.name}: {bad.iloc[0]!r} is not a {c.vocabulary.name} "
                    f"(expected one of {listed})".replace("'", '"')
                )
    if full and spec is not None:
        must = dict.fromkeys([*spec.key, *(c.name for c in spec.required)])
        for k in must:
            if k in df.columns and df[k].isna().any():
                problems.append(f"{name}.{k}: {int(df[k].isna().sum())} rows have no {k}.")
    if spec is not None and not spec.open:
        extra = [c for c in df.columns if c not in declared]
        if extra:
            problems.append(f"{name}: columns outside the contract: {', '.join(map(str, extra))}.")
    return problems


del C


def client_codes() -> frozenset[str]:
    """Every internal code a client must never read: vocabulary codes and fallbacks, the
    offered rebate kinds and activities, table names and column names (inputs, helpers,
    results). The deliverables show each through the catalog or as a label; a test walks
    this set against the client's HTML and workbook.
    """
    codes: set[str] = set()
    for v in all_vocabularies():
        codes.update(v.codes)
        if v.fallback:
            codes.add(v.fallback)
    codes.update(REBATE_KINDS)
    codes.update(ACTIVITY_EXAMPLES)
    for table in (*INPUTS.values(), *RESULTS.values()):
        codes.add(table.name)
        codes.update(c.name for c in table.columns)
    for cols in HELPER_COLUMNS.values():
        codes.update(c.name for c in cols)
    return frozenset(codes)
