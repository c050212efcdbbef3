"""The data contract: one home, checked where tables are written and read."""

from __future__ import annotations

import pandas as pd
import pytest

from kamaudit import contract
from kamaudit.errors import ContractError
from kamaudit.workspace import Workspace


def _contacts(**cols) -> pd.DataFrame:
    base = {"customer_id": pd.Series(["C1", "C2"], dtype="str")}
    base.update(cols)
    return pd.DataFrame(base)


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("Decision-maker", "decision_maker"),
        ("decision maker", "decision_maker"),
        ("DecisionMaker", "decision_maker"),
        ("Buyer", "procurement"),
        ("Purchasing", "procurement"),
        ("CEO", "executive"),
        ("Lagerchef", "other"),
    ],
)
def test_contact_roles_are_normalised_from_the_clients_spelling(written, code):
    assert contract.CONTACT_ROLES.normalise(written) == code


def test_an_unknown_channel_is_missing_not_guessed():
    assert contract.CHANNELS.normalise("E-Mail") == "email"
    assert contract.CHANNELS.normalise("fax") is None
    assert contract.CHANNELS.normalise(float("nan")) is None


def test_every_synonym_names_a_code():
    with pytest.raises(ValueError, match="unknown code"):
        contract.Vocabulary("x", ("a",), synonyms={"b": "c"})


def test_legacy_views_follow_the_contract():
    from kamaudit.config import TABLES
    from kamaudit.intake import KEYS, RANGES
    from kamaudit.io import SCHEMA

    assert tuple(contract.INPUTS) == TABLES
    assert list(SCHEMA) == list(contract.INPUTS)
    assert SCHEMA["customers"]["customer_since"] == ("date", False)
    assert RANGES["assessments"]["score"] == (1, 10)
    assert KEYS["customers"] == (["customer_id"], "drop")


def test_a_write_that_breaks_the_contract_is_refused_with_what_is_wrong(tmp_path):
    ws = Workspace(tmp_path).ensure()
    bad = _contacts(role=pd.Series(["buyer", "user"], dtype="str"))
    with pytest.raises(ContractError, match=r'contacts\.role: "buyer" is not a contact role'):
        ws.write_table("contacts", bad)
    assert not ws.has_table("contacts")
    numeric_ids = pd.DataFrame({"customer_id": [1, 2], "net_profit": [1.0, 2.0]})
    with pytest.raises(ContractError, match=r"customer_id: dtype int64 where the contract has id"):
        ws.write_table("anything", numeric_ids)


def test_out_of_range_and_columns_outside_the_contract_are_refused(tmp_path):
    ws = Workspace(tmp_path).ensure()
    with pytest.raises(ContractError, match=r"relationship_strength: 1 values outside 1\.\.5"):
        ws.write_table("contacts", _contacts(relationship_strength=[3.0, 7.0]))
    with pytest.raises(ContractError, match="columns outside the contract: birthday"):
        ws.write_table("contacts", _contacts(birthday=["1970", "1980"]))


def test_a_read_checks_dtypes_so_stages_need_not_coerce(tmp_path):
    ws = Workspace(tmp_path).ensure()
    ws.write_table("contacts", _contacts(role=pd.Series(["user", "other"], dtype="str")))
    back = ws.read_table("contacts")
    assert pd.api.types.is_string_dtype(back["customer_id"])
    # a table replaced behind the workspace's back is named on read
    pd.DataFrame({"customer_id": [1, 2]}).to_parquet(ws.table_path("contacts"))
    with pytest.raises(ContractError, match="does not keep the data contract.*intake stage"):
        ws.read_table("contacts")


def test_the_workspace_records_its_schema_version_and_names_an_older_one(tmp_path):
    ws = Workspace(tmp_path).ensure()
    ws.write_table("contacts", _contacts())
    assert ws.schema_version() == contract.SCHEMA_VERSION
    ws.schema_path.unlink()  # as an audit written before versions were recorded
    assert ws.schema_version() == 1
    with pytest.raises(ContractError, match="written by another kamaudit version.*Run the audit"):
        ws.read_table("contacts")


def _valid(column: contract.Column, i: int) -> str:
    if column.vocabulary is not None:
        return column.vocabulary.codes[i % len(column.vocabulary)]
    return {
        "id": f"K{i}",
        "text": f"text {i}",
        "date": f"2024-0{1 + i % 9}-15",
        "bool": "true",
    }.get(column.kind, str(column.low if column.low is not None else 1) if i else "2")


def test_every_contract_column_a_client_sends_survives_intake(make_engagement, tmp_path):
    """Walk the contract: a file holding every column of every input table comes out of
    intake with every contract column of that table (none dropped on the way)."""
    from kamaudit.intake import read_and_check

    folder = tmp_path / "engagement"
    folder.mkdir()
    inputs = {}
    for name, table in contract.INPUTS.items():
        rows = []
        for i in range(3):
            row = {c.name: _valid(c, i) for c in table.columns}
            for c in ("customer_id", "invoice_id"):
                if c in row:
                    row[c] = f"{c[0].upper()}{i}"
            if name == "cost_pools":
                row.update(activity=f"activity {i}", driver="activity")
            if name == "invoices":  # several currencies need rates (issue 15): one here
                row.update(currency="EUR")
            rows.append(row)
        pd.DataFrame(rows).to_csv(folder / f"{name}.csv", index=False)
        inputs[name] = f"{name}.csv"
    result = read_and_check(make_engagement(folder, inputs=inputs))
    for name in contract.INPUTS:
        spec = contract.table_spec(name)
        assert name in result.canonical, name
        kept = set(result.canonical[name].columns)
        assert set(spec.names) <= kept, (name, set(spec.names) - kept)
        assert not contract.check_table(name, result.canonical[name]), name
