"""team_design.findings: every finding is a message the catalog can say."""

from __future__ import annotations

from kamaudit.deliverables.i18n import Catalog
from kamaudit.messages import Message
from kamaudit.team_design.assignment import _REASON_EN
from kamaudit.team_design.findings import KINDS, say


def test_catalog_has_every_finding_and_reason():
    cat = Catalog("en")
    for name in KINDS:
        assert cat.has(f"team_design.statement.{name}"), name
    for code in _REASON_EN:
        assert cat.has(f"team_design.reason.{code}"), code


def test_a_finding_is_a_message_with_raw_values():
    m = say("role_missing", role="finance", hours=120, fte=0.4)
    assert m == Message(
        "team_design.statement.role_missing",
        {"role": "finance", "hours": 120, "fte": 0.4},
        "warning",
    )
    assert say("feasible", n=1, kams=1, max_load=50).severity == "info"
