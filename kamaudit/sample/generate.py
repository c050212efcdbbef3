"""Writing one fictional company: :func:`generate_sample`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .answer_key import build_answer_key
from .arrays import bincount
from .company import build_company
from .costing import customer_pnl
from .info import SampleError, SampleInfo
from .profiles import INDUSTRIES, PROFILES
from .readme import answer_sheet, readme_text
from .tables import build_tables
from .writing import engagement_yaml, local_client, write_csv, write_text

if TYPE_CHECKING:
    from .company import Company

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
    hostile_names: bool = True,
    understaffed: bool = False,
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
    hostile_names
        Give a few customers names written to test the deliverables (a leading ``=``,
        ``+``, ``-`` or ``@``, ``<`` ``>``). True for the developers' sample; a teaching
        pack (and ``kamaudit sample``) leaves them out: they belong in test fixtures.
    understaffed
        Give the company fewer KAMs than its key-account list needs, so the team plan
        cannot fit the roster (a pack draws a few such companies); the answer key's
        ``team`` section says so. Default: a roster sized for the list, which fits.

    Returns
    -------
    SampleInfo
        Paths written and the answer key.

    Examples
    --------
    >>> info = generate_sample("/tmp/nordwind", n_customers=80, n_lines=4000)  # doctest: +SKIP
    >>> info.customer_ids("top10_loss_makers")                                  # doctest: +SKIP
    """
    _check_arguments(industry, n_customers, n_lines, years, seed)
    prof = PROFILES[industry]
    n_customers, n_lines, years = int(n_customers), int(n_lines), int(years)
    start_ts = pd.Timestamp(start).normalize()
    end_ts = start_ts + pd.DateOffset(years=years) - pd.Timedelta(days=1)
    client = local_client(client or prof.client, language)
    out = Path(out_dir).expanduser()
    out.mkdir(parents=True, exist_ok=True)

    rng = np.random.default_rng(seed)
    c = build_company(rng, prof, n_customers, n_lines, years, start_ts)
    pnl = customer_pnl(c)
    tables, extra = build_tables(c, rng, pnl, hostile_names, understaffed)

    paths: dict[str, Path] = {}
    for name, t in tables.items():
        paths[name] = out / f"{name}.csv"
        write_csv(t, paths[name])

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
    key = build_answer_key(c, pnl, extra, meta)
    eng = write_text(
        out / "engagement.yaml",
        engagement_yaml(client, start_ts, end_ts, currency.upper(), language, int(seed), industry),
    )
    summary = _summary(c, meta, prof.business, key["customer_base"])
    summary["hostile_names"], summary["language"] = hostile_names, language
    key_path, readme = _write_key(out, key, summary, tables, answer_key_dir, key_name)
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


def check_industry(industry: str) -> None:
    """Raise :class:`SampleError` unless ``industry`` is one of :data:`INDUSTRIES`."""
    if industry not in PROFILES:
        raise SampleError(
            f'industry "{industry}" is not known; expected one of {", ".join(INDUSTRIES)}.'
        )


def _check_arguments(
    industry: str, n_customers: int, n_lines: int, years: int, seed: int = 0
) -> None:
    """Raise :class:`SampleError` naming the first argument out of range."""
    check_industry(industry)
    if not 0 <= int(seed) < 2**32:
        raise SampleError(f"seed = {seed}: a seed is a whole number from 0 to {2**32 - 1}.")
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


def _summary(c: Company, meta: dict, business: str, base: dict) -> dict:
    """What the README says about the company: size, period, revenue and its concentration."""
    net = np.sort(bincount(c.inv_cust[c.l_inv], c.l_net, c.n))[::-1]
    return {
        "client": meta["client"],
        "business": business,
        "industry": meta["industry"],
        "seed": meta["seed"],
        "currency": meta["currency"],
        "period_start": meta["period"]["start"],
        "period_end": meta["period"]["end"],
        "years": meta["period"]["years"],
        "n_customers": meta["n_customers"],
        "n_lines": meta["n_lines"],
        "n_invoices": len(c.inv_day),
        "n_credit_notes": int(c.inv_credit.sum()),
        "net_invoiced": float(net.sum()),
        "top20_share": float(net[: max(1, meta["n_customers"] // 5)].sum() / net.sum()),
        "base": base,
    }


def _write_key(
    out: Path,
    key: dict,
    summary: dict,
    tables: dict,
    answer_key_dir: str | Path | None,
    key_name: str,
) -> tuple[Path, Path]:
    """The answer key and the README: the key beside the data with the facts in the README,
    or (for a pack) the key and an answer sheet in ``answer_key_dir`` and the facts secret."""
    key_json = json.dumps(key, ensure_ascii=False, indent=2) + "\n"
    if answer_key_dir is None:
        key_path = write_text(out / "answer_key.json", key_json)
        readme = write_text(out / "README.md", readme_text(summary, key, tables))
    else:
        kd = Path(answer_key_dir).expanduser()
        key_path = write_text(kd / f"{key_name}.json", key_json)
        write_text(kd / f"{key_name}.md", answer_sheet(key, summary.get("language", "en")))
        readme = write_text(out / "README.md", readme_text(summary, None, tables))
        stale = out / "answer_key.json"
        if stale.exists():
            stale.unlink()
    return key_path, readme
