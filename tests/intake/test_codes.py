"""Coded values are normalised once, in intake, and every spelling is reported."""

from __future__ import annotations

from .common import INV, lines, run

CONTACTS = (
    "customer_id,contact_id,role,preferred_channel\n"
    "C1,X1,Decision-maker,Teams\n"
    "C1,X2,Buyer,E-mail\n"
    "C2,X3,Shop floor,Fax\n"
    "C2,X4,decision maker,\n"
)
TEAM = "person_id,name,role\nP1,Jana,Key Account Manager\nP2,Boss,Sponsor\nP3,Eva,Lagerchef\n"


def test_roles_and_channels_become_contract_codes(tmp_path):
    r = run(
        tmp_path,
        {"inv.csv": INV + lines(), "contacts.csv": CONTACTS, "team.csv": TEAM},
        {"invoices": "inv.csv", "contacts": "contacts.csv", "team": "team.csv"},
    )
    c = r.canonical["contacts"].set_index("contact_id")
    assert c["role"].tolist() == ["decision_maker", "procurement", "other", "decision_maker"]
    assert c["preferred_channel"].isna().tolist() == [False, False, True, True]
    assert c["preferred_channel"].dropna().tolist() == ["video", "email"]
    assert r.canonical["team"]["role"].tolist() == ["kam", "executive", "other"]


def test_each_spelling_is_listed_once_and_each_unknown_value_by_row(tmp_path):
    r = run(
        tmp_path,
        {"inv.csv": INV + lines(), "contacts.csv": CONTACTS, "team.csv": TEAM},
        {"invoices": "inv.csv", "contacts": "contacts.csv", "team": "team.csv"},
    )
    issues = r.issues
    spelled = issues[issues["problem_key"] == "code_spelling"]
    assert set(spelled["problem"]) >= {
        '1 rows: "Decision-maker" read as decision_maker',
        '1 rows: "Buyer" read as procurement',
        '1 rows: "Teams" read as video',
        '1 rows: "Key Account Manager" read as kam',
    }
    assert (spelled["severity"] == "info").all() and spelled["row"].isna().all()
    unknown = issues[issues["problem_key"] == "unknown_code"]
    got = {
        (t, row, v, a)
        for t, row, v, a in unknown[["table", "row", "value", "action"]].itertuples(index=False)
    }
    assert ("contacts", 4, "Shop floor", "counted as other") in got
    assert ("contacts", 4, "Fax", "value cleared") in got
    assert ("team", 4, "Lagerchef", "counted as other") in got
    assert (unknown["severity"] == "warning").all()


def test_assessment_sources_become_internal_or_client(tmp_path):
    assessments = (
        "customer_id,criterion,score,source\n"
        "C1,reliability,7,Customer\nC1,quality,6,our team\nC2,quality,8,Zákazník\n"
        "C2,reliability,5,\nC3,quality,4,Mystery shopper\n"
    )
    r = run(
        tmp_path,
        {"inv.csv": INV + lines(), "assessments.csv": assessments},
        {"invoices": "inv.csv", "assessments": "assessments.csv"},
    )
    source = r.canonical["assessments"]["source"]
    assert source.fillna("-").tolist() == ["client", "internal", "client", "-", "internal"]
    unknown = r.issues[r.issues["problem_key"] == "unknown_code"]
    assert unknown[["row", "value", "action"]].values.tolist() == [
        [6, "Mystery shopper", "counted as internal"]
    ]
