"""One criterion's weight at a time, the way a seminar changes them.

``-p profile.criteria.net_revenue.weight=40`` (or the same key in a notebook's
``overrides_json``) sets that weight and multiplies the other weights of its axis by one
factor, so that the axis still sums to 100. Weights set explicitly in the same call keep
their values; only the others are rescaled. Any other field of one criterion can be set the
same way (``profile.criteria.growth.direction=lower``). The criteria start from the
engagement file's list when it gives one, else from the method's defaults.

The assumptions sheet lists every weight that moved: the set ones as overrides, the others
as rescaled, each with its earlier value.

>>> raw = {}
>>> rows = apply_criterion_overrides(raw, {"profile.criteria.net_revenue.weight": 40}, "e.yaml")
>>> [(r["name"], r["was"], r["now"]) for r in rows][:2]
[('net_profit', 25.0, 17.64), ('net_profit_pct', 10.0, 7.06)]
"""

from __future__ import annotations

from typing import Any

from .errors import ConfigError, did_you_mean

__all__ = ["CRITERIA_KEY", "apply_criterion_overrides", "weight_change_rows"]

CRITERIA_KEY = "profile.criteria"
"""Overrides under this key name one criterion: ``profile.criteria.<name>.<field>``."""

AXES = ("attractiveness", "strength")


def _starting_criteria(raw: dict) -> list[dict]:
    profile = raw.get("profile") if isinstance(raw.get("profile"), dict) else {}
    given = profile.get("criteria")
    if isinstance(given, list) and all(isinstance(c, dict) for c in given):
        return [dict(c) for c in given]
    from .account_profile.settings import DEFAULT_CRITERIA

    return [
        c.model_dump(mode="json", exclude_defaults=True)
        | {"name": c.name, "axis": c.axis, "weight": float(c.weight)}
        for c in DEFAULT_CRITERIA
    ]


def _set_fields(criteria: list[dict], overrides: dict[str, Any], filename: str) -> set[str]:
    by_name = {str(c.get("name")): c for c in criteria}
    fixed: set[str] = set()
    for key, value in overrides.items():
        name, _, field = key[len(CRITERIA_KEY) + 1 :].rpartition(".")
        if not name or not field:
            raise ConfigError(
                f'Override "{key}" names no criterion field; write '
                f"{CRITERIA_KEY}.<criterion>.<field>=<value>, e.g. "
                f"{CRITERIA_KEY}.net_revenue.weight=40."
            )
        if name not in by_name:
            raise ConfigError(
                f'Override "{key}": {filename} has no criterion "{name}"; its criteria are '
                f"{', '.join(by_name)}." + did_you_mean(name, list(by_name))
            )
        by_name[name][field] = value
        if field == "weight":
            fixed.add(name)
    return fixed


def _rescale_axis(on_axis: list[dict], fixed: set[str], axis: str) -> None:
    set_here = [c for c in on_axis if c["name"] in fixed]
    rest = [c for c in on_axis if c["name"] not in fixed]
    try:
        set_total = sum(float(c["weight"]) for c in set_here)
        rest_total = sum(float(c.get("weight") or 0) for c in rest)
    except (TypeError, ValueError):
        return  # the criterion's own validator names the weight that is not a number
    if not rest or rest_total <= 0:
        return  # nothing to rescale: the axis check says what the sum is
    if not 0 <= set_total < 100:
        raise ConfigError(
            f"The {axis} weights set by override sum to {set_total:g}: keep them below 100 so "
            f"that the other {axis} criteria ({', '.join(c['name'] for c in rest)}) keep a share."
        )
    factor = (100 - set_total) / rest_total
    for c in rest:
        c["weight"] = round(float(c["weight"]) * factor, 2)
    # rounding to hundredths: the largest of the rest takes what is left, so the sum is 100
    largest = max(rest, key=lambda c: c["weight"])
    others = sum(c["weight"] for c in rest if c is not largest)
    largest["weight"] = round(100 - set_total - others, 2)


def apply_criterion_overrides(raw: dict, overrides: dict[str, Any], filename: str) -> list[dict]:
    """Apply ``profile.criteria.<name>.<field>`` overrides to a raw engagement mapping.

    Parameters
    ----------
    raw
        The engagement file's mapping; ``raw["profile"]["criteria"]`` is replaced by the
        full list with the changes applied (the input list is not mutated).
    overrides
        Only the keys under ``profile.criteria.``.
    filename
        For error messages.

    Returns
    -------
    list of dict
        One row per weight that changed: ``name``, ``axis``, ``was``, ``now`` and ``how``
        (``"set"`` for a weight given, ``"rescaled"`` for one moved to keep 100).
    """
    if not overrides:
        return []
    criteria = _starting_criteria(raw)
    was = {str(c.get("name")): c.get("weight") for c in criteria}
    fixed = _set_fields(criteria, overrides, filename)
    changes: list[dict] = []
    for axis in AXES:
        on_axis = [c for c in criteria if c.get("axis") == axis]
        if not any(c["name"] in fixed for c in on_axis):
            continue
        _rescale_axis(on_axis, fixed, axis)
        for c in on_axis:
            if c["name"] in fixed or c["weight"] != was[c["name"]]:
                changes.append(
                    {
                        "name": c["name"],
                        "axis": axis,
                        "was": was[c["name"]],
                        "now": c["weight"],
                        "how": "set" if c["name"] in fixed else "rescaled",
                    }
                )
    if not isinstance(raw.get("profile"), dict):
        raw["profile"] = {}
    raw["profile"]["criteria"] = criteria
    return changes


def _num(x: Any) -> str:
    try:
        return f"{float(x):g}"
    except (TypeError, ValueError):
        return str(x)


def weight_change_rows(changes) -> list[dict]:
    """Rows for the assumptions table: each moved weight as ``was → now`` (no words, so
    the value reads the same in every language; the source says set or rescaled)."""
    return [
        {
            "setting": f"{CRITERIA_KEY}.{c['name']}.weight",
            "value": f"{_num(c['was'])} \u2192 {_num(c['now'])}",
            "source": "override" if c["how"] == "set" else "rescaled",
        }
        for c in changes
    ]
