"""The data contract's coded values (DESIGN.md), written once.

The sample generator writes them, the client data-request workbook offers them as
drop-downs, and the stages read them.
"""

CONTACT_ROLES: tuple[str, ...] = (
    "decision_maker",
    "influencer",
    "user",
    "procurement",
    "finance",
    "technical",
    "executive",
)
"""``contacts.role``: who a contact is in the customer's buying centre."""

CHANNELS: tuple[str, ...] = ("meeting", "phone", "email", "video")
"""``contacts.preferred_channel``."""

TEAM_ROLES: tuple[str, ...] = (
    "kam",
    "executive",
    "finance",
    "logistics",
    "marketing",
    "specialist",
)
"""``team.role``: our people."""
