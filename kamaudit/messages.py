"""One message type for every stage: a catalog key, its parameters and a severity.

A stage never writes a sentence a client reads: it returns :class:`Message` values, and
the deliverables (and the notebooks) turn each into a sentence in the engagement's
language through the message catalog (``kamaudit/deliverables/locales/<lang>/``), only
when it is shown. English lives in the English catalog like every other language.

>>> m = Message("cost_to_serve.notes.cogs_assumed", {"margin_pct": 25.0}, "warning")
>>> Message.from_dict(m.to_dict()) == m
True
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["SEVERITIES", "Message", "Severity", "plural_count"]

Severity = Literal["fatal", "error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("fatal", "error", "warning", "info")
"""``fatal`` stops the run; ``error`` dropped or cleared something; ``warning`` kept
something doubtful or assumed something; ``info`` records what was detected or derived."""


@dataclass(frozen=True)
class Message:
    """What a stage has to say, as data.

    Parameters
    ----------
    key
        Catalog key, ``<stage>.<group>.<name>``.
    params
        Values the sentence shows: plain JSON values (numbers, text, lists).
    severity
        One of :data:`SEVERITIES`.
    """

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)
    severity: Severity = "info"

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"severity {self.severity!r} is not one of {SEVERITIES}")
        object.__setattr__(self, "params", dict(self.params))

    def __hash__(self) -> int:
        return hash((self.key, self.severity, repr(sorted(self.params.items()))))

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "params": dict(self.params), "severity": self.severity}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Message:
        return cls(str(d["key"]), d.get("params") or {}, d.get("severity", "info"))


def plural_count(params: Mapping[str, Any]) -> Any:
    """The count a message's plural form agrees with: its ``n``, else its only ``*_n``.

    A catalog text may have a form per CLDR plural category; this count picks it. A
    message with several ``*_n`` counts and no ``n`` has none (its ``other`` form is used).

    >>> plural_count({"customers_n": 3, "loss_amount": 10.0})
    3
    """
    if "n" in params:
        return params["n"]
    counts = [v for k, v in params.items() if k.endswith("_n")]
    return counts[0] if len(counts) == 1 else None
