"""A seminar pack: N distinct companies with their answer keys kept apart."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .generate import check_industry, generate_sample
from .info import SampleError, SampleInfo
from .profiles import INDUSTRIES, PROFILES
from .writing import write_text

SIZE: dict[str, float] = {
    # customers relative to the pack's --customers: a telecom has many business customers,
    # a consultancy few; each company then varies by up to 15% either way
    "distributor": 1.0,
    "manufacturer": 0.7,
    "bank": 0.8,
    "telecom": 1.4,
    "professional_services": 0.5,
}
MIN_CUSTOMERS, MIN_LINES_PER_CUSTOMER = 60, 25


def understaffed_companies(n: int, seed: int) -> set[int]:
    """Which of a pack's ``n`` companies (1-based) get an under-staffed roster.

    A minority, so there is something to discuss and a majority to compare it with: a
    quarter to three eighths of the pack (2 or 3 of 8), none in a pack under three. The
    draw uses the pack's seed in a stream of its own (names and sizes do not move).

    >>> sorted(understaffed_companies(8, 2026)), understaffed_companies(2, 2026)
    ([4, 7], set())
    """
    if n < 3:
        return set()
    rng = np.random.default_rng([int(seed), 17])
    m = int(rng.integers(max(1, n // 4), max(1, (3 * n) // 8) + 1))
    return {int(k) + 1 for k in rng.choice(n, size=m, replace=False)}


def company_size(industry: str, n_customers: int, n_lines: int, rng) -> tuple[int, int]:
    """Customers and invoice lines of one pack company: sized for its industry, never
    below the size at which the planted facts hold."""
    n = round(n_customers * SIZE.get(industry, 1.0) * rng.uniform(0.85, 1.15))
    n = max(MIN_CUSTOMERS, int(n))
    lines = max(MIN_LINES_PER_CUSTOMER * n, round(n_lines * n / max(n_customers, 1)))
    return n, int(lines)


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

    Each company has its own seed (``seed * 1000 + k``), name and size (:data:`SIZE`
    around ``n_customers``, lines in proportion); industries rotate through
    :data:`INDUSTRIES` when ``industry`` is None. Hostile test names stay out of a pack. A
    minority of the companies (:func:`understaffed_companies`) get fewer KAMs than their
    key-account list needs, the rest a roster that fits it. The answer keys
    (``answer_keys/company_01.json`` and a Markdown answer sheet ``company_01.md``) are
    kept outside the company folders, so a trainer can hand out the folders alone.
    ``out_dir/README.md`` lists the companies.
    """
    n = int(n)
    if n < 1:
        raise SampleError(f"n = {n}: a pack has at least one company.")
    if not 0 <= int(seed) < 2**32 // 1000:  # each company's seed is seed * 1000 + k
        raise SampleError(
            f"seed = {seed}: a pack's seed is a whole number from 0 to {2**32 // 1000 - 1}."
        )
    if industry is not None:
        check_industry(industry)
    out = Path(out_dir).expanduser()
    keys = out / "answer_keys"
    rng = np.random.default_rng(seed)
    # a pack company never shares its name with a single sample's (the notebooks' built-in one)
    used: set[str] = {p.client for p in PROFILES.values()}
    infos = []
    short = understaffed_companies(n, seed)
    width = max(2, len(str(n)))
    for k in range(1, n + 1):
        ind = industry or INDUSTRIES[(k - 1) % len(INDUSTRIES)]
        pool = list(PROFILES[ind].names)
        order = rng.permutation(len(pool))
        name = next((pool[i] for i in order if pool[i] not in used), None)
        if name is None:
            name = f"{pool[int(order[0])]} ({k})"
        used.add(name)
        label = f"company_{k:0{width}d}"
        size, lines = company_size(ind, n_customers, n_lines, rng)
        infos.append(
            generate_sample(
                out / label,
                seed=seed * 1000 + k,
                n_customers=size,
                n_lines=lines,
                years=years,
                start=start,
                industry=ind,
                client=name,
                currency=currency,
                language=language,
                answer_key_dir=keys,
                key_name=label,
                hostile_names=False,
                understaffed=k in short,
            )
        )
    from ..deliverables.i18n import Catalog

    t = Catalog(language).t
    lines = [
        f"# {t('sample.pack.title')}",
        "",
        t("sample.pack.intro", n=n, seed=seed),
        "",
        t("sample.pack.head"),
        "|---|---|---|",
    ]
    for info in infos:
        lines.append(f"| {info.out_dir.name}/ | {info.client} | {info.industry} |")
    write_text(out / "README.md", "\n".join(lines) + "\n")
    return infos
