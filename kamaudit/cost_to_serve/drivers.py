"""Cost drivers: what each pool is counted in, and each customer's volume of it."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from ._util import _codes, _col, _key, _num, _sum_by
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


_DRIVER_ALIASES = {
    "activities": "activity",
    "count": "activity",
    "events": "activity",
    "quantity": "activity",
    "hour": "hours",
    "invoice": "invoices",
    "orders": "invoices",
    "lines": "invoice_lines",
    "invoice_line": "invoice_lines",
    "credit_note": "credit_notes",
    "credits": "credit_notes",
    "returns": "credit_notes",
    "customer": "customers",
    "sales": "revenue",
    "net_revenue": "revenue",
}


def _norm_driver(d: Any, activity_known: bool) -> tuple[str, str]:
    """(driver, status): a known driver name or the raw text with status unknown_driver."""
    if d is None or (isinstance(d, float) and math.isnan(d)) or str(d).strip() == "":
        return "activity", "default_driver"
    k = str(d).strip().lower().replace(" ", "_").replace("-", "_")
    k = _DRIVER_ALIASES.get(k, k)
    if k in DRIVERS:
        return k, "ok"
    return str(d), "unknown_driver"


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
        ``cost_pools`` with ``driver`` normalised and ``status``
        (``ok``, ``default_driver``, ``unknown_driver``, ``no_driver_volume``), plus
        ``driver_note`` saying how the volume was counted.
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
    drivers, statuses, notes = [], [], []
    active = (led.lines_n + led.credit_notes_n > 0) | (led.invoice_net != 0)
    for j, row in pools.iterrows():
        driver, status = _norm_driver(row.get("driver"), akey is not None)
        note = DRIVERS.get(driver, "")
        name = str(row["activity"]).strip().lower()
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
    pools["driver"] = pd.Series(drivers, dtype="str")
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
