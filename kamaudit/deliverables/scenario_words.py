"""A scenario's lever and assumption in the client's language.

The cost-to-serve stage writes each ``cts_scenarios`` row's lever and assumption twice:
as English sentences for the working papers and as JSON ``[key, params]`` terms
(``lever_terms``, ``assumption_terms``); this module puts the terms into words through
the catalog (``cost_to_serve.scenario_terms.<key>``), activity names by their label.
"""

from __future__ import annotations

import json

from ..messages import plural_count
from .values import format_params

_P = "cost_to_serve."


def scenario_words(terms: str, cat) -> str:
    """A scenario's lever or assumption in the client's language, from the stage's JSON
    ``[key, params]`` terms (``cts_scenarios.lever_terms``); activity names by their label."""
    out = []
    for key, params in json.loads(terms or "[]"):
        values = dict(params)
        for name in ("source", "target"):
            if name in values:
                values[name] = cat.label("activity", values[name])
        if "groups" in values:
            values["groups"] = cat.join(
                " → ".join(cat.label("activity", a) for a in g) for g in values["groups"]
            )
        count = plural_count(values)
        count = None if count is None else round(float(count))
        out.append(cat.t(f"{_P}scenario_terms.{key}", count=count, **format_params(values, cat)))
    return ("\u061b " if cat.rtl else "; ").join(out)  # Persian: the Arabic semicolon
