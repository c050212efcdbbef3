"""Names and places: countries with their languages, legal forms and regions, name words,
a few tricky real-looking names, and first and last names per language."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .company import Company

# ------------------------------------------------------------------ names and places

COUNTRIES = (  # code, weight, language, legal forms, region names
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
WORDS = (
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
TRICKY = (
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
FIRST_NAMES = {  # (female, male)
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
LAST_NAMES = {  # (female, male)
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


def is_hostile(name: str) -> bool:
    """A name written to test the deliverables, not to teach: it would be a formula in a
    spreadsheet (leading ``=``, ``+``, ``-``, ``@``) or markup in a page (``<``, ``>``)."""
    return name[:1] in ("=", "+", "-", "@") or "<" in name or ">" in name


def customer_names(c: Company, rng: np.random.Generator, hostile: bool = True) -> np.ndarray:
    """Unique customer names; the tricky ones at random slots among the larger customers.

    ``hostile=False`` (a teaching pack) leaves out the names :func:`is_hostile` flags; the
    random draws are the same, so the company is otherwise the same.
    """
    n, prof = c.n, c.prof
    inds = prof.customer_industries
    n_words = len(WORDS)
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
        forms = COUNTRIES[c.country[i]][3]
        form = forms[int(word_of[i] + c.region[i]) % len(forms)]
        branch = f" {rank_in[i] + 1}" if rank_in[i] else ""
        names.append(f"{WORDS[word_of[i]]} {label}{branch} {form}")
    codes = [x[0] for x in COUNTRIES]
    pool = max(len(TRICKY) + 8, int(0.4 * n))
    slots = rng.permutation(pool)[: len(TRICKY)]
    for i, (nm, cc) in zip(slots, TRICKY, strict=True):
        if not hostile and is_hostile(nm):
            continue
        names[int(i)] = nm
        c.country[int(i)] = codes.index(cc)
    return np.array(names, dtype=object)
