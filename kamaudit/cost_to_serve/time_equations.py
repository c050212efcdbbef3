"""Time-driven ABC (Kaplan & Anderson): minutes per event from a time equation.

A pool may be costed by time instead of by a count: the engagement file gives, per pool,
what one event is, the minutes it takes as a small expression of what the data holds,
and the pool's practical capacity in minutes a year::

    cost_to_serve:
      time_equations:
        - pool: order
          event: invoices
          minutes: "5 + 0.5 * lines + (10 if rush_order > 0 else 0)"
          practical_capacity_minutes: 250000

The pool's cost per minute is its cost ÷ practical capacity; each customer carries its
minutes × that rate; minutes nobody used are unused capacity (the ``capacity`` method of
:func:`~kamaudit.cost_to_serve.rates.compute_rates`).

The expression is parsed with :func:`ast.parse` and a whitelist, never evaluated by
Python: numbers, names, ``+ - * /``, parentheses, comparisons, ``and``/``or``/``not``,
``A if C else B``, ``min(...)``, ``max(...)``. Names are what an event holds:

- an invoice (``event`` resolving to invoices or credit notes): ``lines`` (its lines),
  ``amount`` (its net amount), and every activity of the data by name (``rush_order``:
  the quantity of that activity the customer has on the invoice's date);
- an activity row (``event`` naming an activity): ``quantity`` and ``hours``.

>>> f = parse_minutes("5 + 0.5 * lines + (10 if rush > 0 else 0)")
>>> f({"lines": np.array([2.0, 4.0]), "rush": np.array([0.0, 1.0])}).tolist()
[6.0, 17.0]
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError
from ._util import _codes, _col, _num, _sum_by, slug
from .driver_words import activity_names, resolve_driver

__all__ = ["equation_minutes", "parse_minutes", "variables_of"]

Arrays = Mapping[str, np.ndarray]
_BIN = {
    ast.Add: np.add,
    ast.Sub: np.subtract,
    ast.Mult: np.multiply,
    ast.Div: lambda a, b: np.divide(a, np.where(b == 0, np.nan, b)),
}
_CMP = {
    ast.Lt: np.less,
    ast.LtE: np.less_equal,
    ast.Gt: np.greater,
    ast.GtE: np.greater_equal,
    ast.Eq: np.equal,
    ast.NotEq: np.not_equal,
}
_FUNCS = {"min": np.minimum, "max": np.maximum}


class ExpressionError(ValueError):
    """A time equation outside the grammar (the message says what and where)."""


def parse_minutes(text: str) -> Callable[[Arrays], np.ndarray]:
    """Compile a time equation into a function of named arrays (no ``eval``).

    Raises :class:`ExpressionError` naming the part of the text that is not allowed.
    """
    try:
        tree = ast.parse(str(text).strip(), mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(f'"{text}" is not an expression (column {exc.offset})') from None
    return _compile(tree.body, str(text))


def variables_of(text: str) -> set[str]:
    """The names an equation uses (functions excluded)."""
    tree = ast.parse(str(text).strip(), mode="eval")
    called = {
        n.func.id
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
    }
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} - called


def _compile(node: ast.AST, text: str) -> Callable[[Arrays], Any]:
    if (
        isinstance(node, ast.Constant)
        and isinstance(node.value, (int, float))
        and not isinstance(node.value, bool)
    ):
        v = float(node.value)
        return lambda env: v
    if isinstance(node, ast.Name):
        name = node.id
        return lambda env: env[name]
    if isinstance(node, ast.BinOp) and type(node.op) in _BIN:
        f, a, b = _BIN[type(node.op)], _compile(node.left, text), _compile(node.right, text)
        return lambda env: f(a(env), b(env))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd, ast.Not)):
        a = _compile(node.operand, text)
        if isinstance(node.op, ast.USub):
            return lambda env: -a(env)
        if isinstance(node.op, ast.Not):
            return lambda env: np.logical_not(a(env))
        return a
    if isinstance(node, ast.Compare) and all(type(o) in _CMP for o in node.ops):
        parts = [_compile(c, text) for c in (node.left, *node.comparators)]
        ops = [_CMP[type(o)] for o in node.ops]

        def compare(env):
            vals = [p(env) for p in parts]
            out = ops[0](vals[0], vals[1])
            for i in range(1, len(ops)):
                out = np.logical_and(out, ops[i](vals[i], vals[i + 1]))
            return out

        return compare
    if isinstance(node, ast.BoolOp):
        parts = [_compile(v, text) for v in node.values]
        join = np.logical_and if isinstance(node.op, ast.And) else np.logical_or
        return lambda env: _reduce(join, [p(env) for p in parts])
    if isinstance(node, ast.IfExp):
        c, a, b = (_compile(x, text) for x in (node.test, node.body, node.orelse))
        return lambda env: np.where(c(env), a(env), b(env))
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in _FUNCS
        and node.args
        and not node.keywords
    ):
        f, args = _FUNCS[node.func.id], [_compile(a, text) for a in node.args]
        return lambda env: _reduce(f, [a(env) for a in args])
    piece = ast.get_source_segment(text, node) or type(node).__name__
    raise ExpressionError(
        f'"{text}": "{piece}" is not allowed (use numbers, names, + - * /, comparisons, '
        "and/or/not, A if C else B, min(), max())"
    )


def _reduce(f, values: Sequence[Any]) -> Any:
    out = values[0]
    for v in values[1:]:
        out = f(out, v)
    return out


def _invoice_events(invoices, activities, universe, credit: bool):
    """(customer code per event, variables per event) for invoices or credit notes."""
    net = np.nan_to_num(_num(invoices["net_amount"]))
    codes, ids = pd.factorize(invoices["invoice_id"])
    amount = np.bincount(codes, weights=net, minlength=len(ids))
    lines = np.bincount(codes, minlength=len(ids)).astype(float)
    first = np.full(len(ids), len(codes), dtype=np.int64)
    np.minimum.at(first, codes, np.arange(len(codes)))
    cust = _codes(invoices["customer_id"], universe)[first]
    day = pd.to_datetime(invoices["invoice_date"].to_numpy()[first]).normalize()
    keep = amount < 0 if credit else amount >= 0
    env = {"lines": lines[keep], "invoice_lines": lines[keep], "amount": amount[keep]}
    if activities is not None and len(activities) and "activity_date" in activities.columns:
        key = pd.DataFrame({"c": cust[keep], "d": day[keep]})
        a = pd.DataFrame(
            {
                "c": _codes(activities["customer_id"], universe),
                "d": pd.to_datetime(activities["activity_date"]).dt.normalize(),
                "n": slug_series(activities["activity"]),
                "q": np.nan_to_num(_num(_col(activities, "quantity", 1.0)), nan=1.0),
            }
        )
        per = a.groupby(["c", "d", "n"], sort=False)["q"].sum().unstack("n", fill_value=0.0)
        joined = key.join(per, on=["c", "d"]).fillna(0.0)
        for name in per.columns:
            env.setdefault(str(name), joined[name].to_numpy(dtype=float))
    return cust[keep], env


def slug_series(s: pd.Series) -> pd.Series:
    """Activity names as expression names (``"Rush order"`` -> ``rush_order``)."""
    uniq = pd.unique(s.astype(str))
    return s.astype(str).map({u: slug(u) for u in uniq})


def equation_minutes(
    eq: Any,
    position: int,
    invoices: pd.DataFrame,
    activities: pd.DataFrame | None,
    universe: pd.Index,
) -> tuple[np.ndarray, str]:
    """Minutes per customer of one time equation, and what its event resolved to.

    ``eq`` has ``pool``, ``event`` and ``minutes`` (``cost_to_serve.time_equations``
    entry number ``position``). Raises :class:`~kamaudit.errors.InputError` naming the
    entry when its event or a name in it means nothing in the data.
    """
    where = f"cost_to_serve.time_equations[{position}] (pool {eq.pool})"
    res = resolve_driver(eq.event, eq.pool, activity_names(activities))
    if res is None or res.driver not in ("invoices", "credit_notes", "activity", "hours"):
        raise InputError(
            f'{where}: the event "{eq.event}" is neither invoices, credit notes nor an activity '
            "of the activities table."
        )
    if res.driver in ("invoices", "credit_notes"):
        cust, env = _invoice_events(invoices, activities, universe, res.driver == "credit_notes")
    else:
        m = activities["activity"].astype(str).str.strip().str.lower() == str(res.activity).lower()
        a = activities[m.to_numpy()]
        cust = _codes(a["customer_id"], universe)
        env = {
            "quantity": np.nan_to_num(_num(_col(a, "quantity", 1.0)), nan=1.0),
            "hours": np.nan_to_num(_num(_col(a, "hours", 0.0))),
        }
    missing = variables_of(eq.minutes) - set(env)
    if missing:
        raise InputError(
            f'{where}: the equation "{eq.minutes}" uses {", ".join(sorted(missing))}, which '
            f"a {res.driver.replace('_', ' ')} event does not hold. Available: "
            f"{', '.join(sorted(env))}."
        )
    minutes = np.asarray(parse_minutes(eq.minutes)(env), dtype=float) * np.ones(len(cust))
    if (minutes < 0).any() or np.isnan(minutes).any():
        raise InputError(
            f'{where}: the equation "{eq.minutes}" gives negative or undefined minutes.'
        )
    what = res.activity if res.driver in ("activity", "hours") else res.driver
    return _sum_by(cust, minutes, len(universe)), f"{eq.event} -> minutes per {what}: {eq.minutes}"
