"""Cost drivers: what each pool is counted in, and each customer's volume of it."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._util import _codes, _col, _key, _num, _sum_by
from .driver_words import activity_names, lexicon, resolve_driver
from .ledger import _Ledger, _ledger

__all__ = ["DRIVERS", "driver_volumes", "unpooled_activities"]

DRIVERS: dict[str, str] = {
    "activity": "rows of activities with the pool's activity name (sum of quantity)",
    "hours": "hours of activities with the pool's activity name",
    "invoices": "distinct invoices (not credit notes)",
    "invoice_lines": "invoice lines (not credit lines)",
    "credit_notes": "distinct credit notes",
    "customers": "each active customer counts 1",
    "revenue": "net invoiced revenue",
}
"""Drivers a cost pool can be counted in, and what each counts."""


def driver_volumes(
    cost_pools: pd.DataFrame,
    invoices: pd.DataFrame,
    activities: pd.DataFrame | None,
    universe: pd.Index,
    *,
    _ledger_cache: _Ledger | None = None,
) -> tuple[np.ndarray, pd.DataFrame]:
    """Driver volume of every pool for every customer.

    Returns
    -------
    volumes
        ``len(universe) × len(cost_pools)`` array (driver units per customer and pool).
    pools
        ``cost_pools`` with ``driver`` resolved from the client's word
        (:func:`~kamaudit.cost_to_serve.driver_words.resolve_driver`), ``status``
        (``ok``, ``default_driver``, ``unknown_driver``, ``no_driver_volume``),
        ``driver_note`` saying what the driver counts, ``driver_word`` (as written) and
        ``driver_why`` (how the word was resolved).
    """
    led = _ledger_cache or _ledger(invoices, universe, 0.0)
    n = len(universe)
    pools = cost_pools.reset_index(drop=True).copy()
    akey = None
    if activities is not None and len(activities):
        act_codes = _codes(activities["customer_id"], universe)
        akey, anames = pd.factorize(_key(activities["activity"]))
        anames = list(anames)
        aqty = np.nan_to_num(_num(_col(activities, "quantity", 1.0)), nan=1.0)
        ahours = np.nan_to_num(_num(_col(activities, "hours", 0.0)))
    volumes = np.zeros((n, len(pools)))
    drivers, statuses, notes, words, whys = [], [], [], [], []
    active = (led.lines_n + led.credit_notes_n > 0) | (led.invoice_net != 0)
    names, lex = activity_names(activities), lexicon()
    for j, row in pools.iterrows():
        res = resolve_driver(row.get("driver"), str(row["activity"]), names, lex)
        word = "" if res is None else res.word
        if res is None:
            word = str(row.get("driver")).strip()
            driver, status, why, name = word, "unknown_driver", "not resolved", ""
        else:
            driver, why = res.driver, res.why
            status = "default_driver" if res.reason == "default" else "ok"
            name = str(res.activity or row["activity"]).strip().lower()
        note = DRIVERS.get(driver, "")
        if driver in ("activity", "hours"):
            if akey is None:
                v = np.zeros(n)
                note = "no activities table"
            else:
                m = akey == (anames.index(name) if name in anames else -2)
                w = aqty if driver == "activity" else ahours
                v = _sum_by(act_codes[m], w[m], n)
        elif driver == "invoices":
            v = led.invoices_n
        elif driver == "invoice_lines":
            v = led.lines_n
        elif driver == "credit_notes":
            v = led.credit_notes_n
        elif driver == "customers":
            v = active.astype(float)
        elif driver == "revenue":
            v = np.clip(led.invoice_net, 0, None)
        else:
            v = np.zeros(n)
        if status in ("ok", "default_driver") and v.sum() <= 0:
            status = "no_driver_volume"
        volumes[:, j] = v
        drivers.append(driver)
        statuses.append(status)
        notes.append(note)
        words.append(word)
        whys.append(why)
    pools["driver"] = pd.Series(drivers, dtype="str")
    pools["driver_word"] = pd.Series(words, dtype="str")
    pools["driver_why"] = pd.Series(whys, dtype="str")
    pools["status"] = pd.Series(statuses, dtype="str")
    pools["driver_note"] = pd.Series(notes, dtype="str")
    return volumes, pools


def unpooled_activities(
    activities: pd.DataFrame | None, pools: pd.DataFrame | None
) -> pd.DataFrame:
    """Activities in the data that no cost pool covers (reported, never dropped silently)."""
    cols = ["activity", "rows_n", "quantity", "hours", "customers_n"]
    if activities is None or not len(activities):
        return pd.DataFrame({c: pd.Series(dtype="str" if c == "activity" else float) for c in cols})
    names = set(_key(pools["activity"])) if pools is not None and len(pools) else set()
    a = pd.DataFrame(
        {
            "activity": activities["activity"],
            "key": _key(activities["activity"]),
            "quantity": np.nan_to_num(_num(_col(activities, "quantity", 1.0)), nan=1.0),
            "hours": np.nan_to_num(_num(_col(activities, "hours", 0.0))),
            "customer_id": activities["customer_id"],
        }
    )
    a = a[~a["key"].isin(names)]
    g = a.groupby("key", sort=True).agg(
        activity=("activity", "first"),
        rows_n=("activity", "size"),
        quantity=("quantity", "sum"),
        hours=("hours", "sum"),
        customers_n=("customer_id", "nunique"),
    )
    return g.reset_index(drop=True)[cols]
