"""Intake: mapping, derivation, types, validation, the quality report and the base profile.

Every bad input is checked by what its message says (file, row, column, value, expected)
and that the input files are byte-for-byte unchanged afterwards.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from corpus import (
    company,
    digest,
    engagement,
    render_1c,
    render_czech_xlsx,
    render_plain,
    write_text,
)

from kamaudit.errors import ValidationFailed
from kamaudit.intake import IntakeSettings, issue_sentence, read_and_check
from kamaudit.workspace import Workspace

from .common import INV, fails, lines, run

# ---------------------------------------------------------------- the same company, three exports


@pytest.fixture(scope="module")
def renderings(tmp_path_factory):
    out = {}
    for name, render in (("plain", render_plain), ("1c", render_1c), ("czech", render_czech_xlsx)):
        folder = tmp_path_factory.mktemp(name)
        inputs = render(folder)
        files = list(folder.iterdir())
        before = digest(files)
        out[name] = read_and_check(engagement(folder, inputs))
        assert digest(files) == before
    return out


@pytest.mark.parametrize("name", ["1c", "czech"])
@pytest.mark.parametrize("table", ["customers", "invoices"])
def test_same_company_same_tables_to_the_cent(renderings, name, table):
    pd.testing.assert_frame_equal(
        renderings["plain"].canonical[table], renderings[name].canonical[table]
    )


def test_canonical_types_and_values(renderings):
    inv = renderings["1c"].canonical["invoices"]
    assert str(inv["invoice_id"].dtype) == "str" and str(inv["customer_id"].dtype) == "str"
    assert inv["invoice_date"].dtype == "datetime64[ns]"
    assert inv["net_amount"].dtype == "float64"
    assert "0042" in set(inv["customer_id"])
    _, expected = company()
    assert round(inv["net_amount"].sum(), 2) == round(expected["net_amount"].sum(), 2)
    assert inv["is_credit"].sum() == 1
    assert (inv.loc[inv["is_credit"], "net_amount"] < 0).all()


def test_detected_options_are_reported(renderings):
    opts = renderings["1c"].summary["inputs"]["invoices"]["options"]
    assert opts["encoding"] == {"value": "cp1251", "source": "detected", "why": "Cyrillic text"}
    assert opts["delimiter"]["value"] == ";" and opts["decimal"]["value"] == ","
    assert opts["thousands"]["value"] == " " and opts["date_format"]["value"] == "%d.%m.%Y"
    assert opts["header_row"]["value"] == 3 and opts["total_rows"]["value"] == 1
    q = renderings["1c"].quality.set_index("table")
    assert q.loc["invoices", "rows_read"] == 31 and q.loc["invoices", "rows_kept"] == 31
    assert q.loc["invoices", "total_rows_dropped_n"] == 1


def test_base_profile(renderings):
    r = renderings["plain"]
    base = r.summary["base"]
    assert base["customers_active_n"] == 5
    assert base["top10_share_pct"] == 100.0
    lorenz = r.base_lorenz
    assert lorenz["revenue_share"].iloc[0] == 0 and lorenz["revenue_share"].iloc[
        -1
    ] == pytest.approx(1)
    assert (lorenz["revenue_share"].diff().dropna() >= -1e-12).all()
    assert len(r.coverage) == 12 and r.coverage["invoice_lines_n"].sum() == 31
    assert r.base_monthly["new_n"].sum() == 5


def test_saving_a_result_is_deterministic(renderings, tmp_path):
    r = renderings["czech"]
    a, b = Workspace(tmp_path / "a"), Workspace(tmp_path / "b")
    names = a.save(r)
    b.save(r)
    for name in names:
        ext = "json" if name == "intake_summary" else "parquet"
        fa = a.data_dir / f"{name}.{ext}"
        assert fa.read_bytes() == (b.data_dir / f"{name}.{ext}").read_bytes(), name
    back = a.read_table("invoices")
    pd.testing.assert_frame_equal(back, r.canonical["invoices"])
    assert a.read_json("intake_summary")["customers_derived_from_invoices"] is False


# ---------------------------------------------------------------- mapping and derivation


def test_missing_required_column_suggests_headers(tmp_path):
    text = "Doklad;Datum;Zakaznik;Castka\n" + "A1;2024-01-01;C1;5\n"
    err = fails(
        tmp_path,
        {"inv.csv": text},
        {
            "invoices": {
                "path": "inv.csv",
                "columns": {
                    "Doklad": "invoice_id",
                    "Datum": "invoice_date",
                    "Zákazník": "customer_id",
                    "Castka": "net_amount",
                },
            }
        },
        r'inv\.csv: the required column "Zákazník" \(mapped to customer_id\) is not in the file\. '
        r'Did you mean "Zakaznik"\?',
    )
    assert "Headers found: Doklad, Datum, Zakaznik, Castka" in str(err)
    assert "inputs.invoices.columns" in str(err)


def test_net_amount_derived_from_quantity_and_price(tmp_path):
    text = "invoice_id,invoice_date,customer_id,quantity,unit_price\nA1,2024-01-01,C1,3,2.55\nA2,2024-01-02,C1,-1,2.55\n"
    r = run(tmp_path, {"inv.csv": text}, {"invoices": "inv.csv"})
    inv = r.canonical["invoices"]
    assert inv["net_amount"].tolist() == [7.65, -2.55]
    assert inv["is_credit"].tolist() == [False, True]
    assert any("quantity × unit_price" in d for d in r.derivations)
    assert r.canonical["customers"]["derived_from_invoices"].all()
    assert any("customers derived from the invoices" in d for d in r.derivations)


def test_customers_from_invoice_attributes_when_no_master(tmp_path):
    text = "invoice_id,invoice_date,customer_id,customer_name,country,net_amount\nA1,2024-01-01,17850,Acme,UK,5\n"
    r = run(tmp_path, {"inv.csv": text}, {"invoices": "inv.csv"})
    cust = r.canonical["customers"]
    assert cust[["customer_id", "name", "country"]].values.tolist() == [["17850", "Acme", "UK"]]
    assert set(cust.columns) >= {"industry", "payment_terms_days", "derived_from_invoices"}


def test_unknown_canonical_name_in_mapping_is_warned(tmp_path):
    r = run(
        tmp_path,
        {"inv.csv": INV + lines(3) + "".join([])},
        {"invoices": {"path": "inv.csv", "columns": {"net_amount": "net_amout"}}},
    )
    msg = r.issues.query("severity == 'warning'")["problem"].str.cat()
    assert (
        'maps "net_amount" to "net_amout", which is not a column of invoices. Did you mean "net_amount"'
        in msg
    )


# ---------------------------------------------------------------- types


def test_one_bad_number_is_dropped_and_named(tmp_path):
    text = INV + lines(29) + "A99;2024-02-02;C1;abc\n"
    r = run(tmp_path, {"inv.csv": text}, {"invoices": "inv.csv"})
    bad = r.issues.query("value == 'abc'").iloc[0]
    assert issue_sentence(bad) == (
        'inv.csv, row 31, column "net_amount": "abc" is not a number. (row dropped)'
    )
    assert len(r.canonical["invoices"]) == 29


def test_wrong_decimal_option_is_fatal_with_the_fix(tmp_path):
    text = INV + "".join(f"A{i};2024-01-{1 + i:02d};C1;1 200,{i:02d}\n" for i in range(20))
    err = fails(
        tmp_path,
        {"inv.csv": text},
        {"invoices": {"path": "inv.csv", "decimal": "."}},
        r'Intake stopped: 20 problems must be fixed first\.\n  inv\.csv, row 2, column "net_amount": '
        r'"1 200,00" is not a number\. The file seems to use a decimal comma: set  '
        r'inputs\.invoices\.decimal: ","  in engagement\.yaml\.\n  inv\.csv, row 3, column "net_amount": '
        r'"1 200,01" is not a number\.\n',
    )
    assert (err.problems["severity"] == "fatal").sum() == 20


def test_wrong_date_format_is_fatal_with_the_fix(tmp_path):
    text = INV + "".join(f"A{i};{1 + i:02d}/03/2024;C1;5\n" for i in range(20))
    fails(
        tmp_path,
        {"inv.csv": text},
        {"invoices": {"path": "inv.csv", "date_format": "%Y-%m-%d"}},
        r'row 2, column "invoice_date": "01/03/2024" is not a date\.  The dates look like %d/%m/%Y: set  '
        r'inputs\.invoices\.date_format: "%d/%m/%Y"',
    )


def test_missing_required_values_drop_rows(tmp_path):
    text = INV + lines(10) + "A98;2024-02-02;;5\nA99;;C1;5\n"
    r = run(tmp_path, {"inv.csv": text}, {"invoices": "inv.csv"})
    s = r.issues.query("problem == 'is empty but required'")
    assert s["row"].tolist() == [13] and set(s["column"]) == {"invoice_date"}
    # lines without a customer: one row with the count, left out of the customer analysis
    c = r.issues[r.issues["problem"].str.contains("no customer id")]
    assert len(c) == 1 and c["column"].iloc[0] == "customer_id"
    assert "1 invoice lines have no customer id" in c["problem"].iloc[0]
    assert "rows 12" in c["problem"].iloc[0]
    assert r.quality.set_index("table").loc["invoices", "rows_dropped"] == 2


def test_mixed_type_workbook_column_and_numeric_ids(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["InvoiceNo", "InvoiceDate", "CustomerID", "Quantity", "UnitPrice", "Description"])
    ws.append([536365, dt.datetime(2024, 12, 1, 8, 26), 17850.0, 6, 2.55, "WHITE HANGING HEART"])
    ws.append(["C536379", dt.datetime(2024, 12, 1, 9, 41), 14527.0, -1, 27.5, "Discount"])
    ws.append([536380, dt.datetime(2024, 12, 1, 9, 45), None, 24, 0.55, "=SUM(A1)"])
    ws.append([536381, "2024-12-02", 17850, "12", "1,25", "@cmd"])
    path = tmp_path / "retail.xlsx"
    wb.save(path)
    r = run(
        tmp_path,
        {},
        {
            "invoices": {
                "path": "retail.xlsx",
                "columns": {
                    "InvoiceNo": "invoice_id",
                    "InvoiceDate": "invoice_date",
                    "CustomerID": "customer_id",
                    "Quantity": "quantity",
                    "UnitPrice": "unit_price",
                },
            }
        },
    )
    inv = r.canonical["invoices"]
    assert inv["invoice_id"].tolist() == ["536365", "C536379", "536381"]
    assert inv["customer_id"].tolist() == ["17850", "14527", "17850"]
    assert inv["invoice_date"].dt.strftime("%Y-%m-%d").tolist() == [
        "2024-12-01",
        "2024-12-01",
        "2024-12-02",
    ]
    assert inv["net_amount"].tolist() == [15.3, -27.5, 15.0]
    assert inv["is_credit"].tolist() == [False, True, False]
    no_id = r.issues.query("column == 'CustomerID (customer_id)'")
    assert len(no_id) == 1 and no_id["row"].isna().all()
    assert no_id["problem"].iloc[0].startswith("1 invoice lines have no customer id")
    assert "rows 4" in no_id["problem"].iloc[0] and no_id["problem_key"].iloc[0] == "no_customer_id"
    assert r.summary["unattributed"]["invoices"]["lines_n"] == 1
    assert r.summary["unattributed"]["invoices"]["net_amount"] == 13.2


def test_numeric_ids_mixed_with_leading_zero_text_ids_are_reported(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["InvoiceNo", "InvoiceDate", "CustomerID", "Amount"])
    ws.append(["F1", dt.date(2024, 3, 1), "00420", 10.0])
    ws.append(["F2", dt.date(2024, 3, 2), 420, 11.0])  # typed as a number: the zeros are gone
    ws.append(["F3", dt.date(2024, 3, 3), 17850.0, 12.0])
    ws.append(["F4", dt.date(2024, 3, 4), "00077", 13.0])
    wb.save(tmp_path / "inv.xlsx")
    r = run(tmp_path, {}, {"invoices": {"path": "inv.xlsx", "columns": {"Amount": "net_amount"}}})
    inv = r.canonical["invoices"]
    # nothing guessed: kept as read, numbers as whole numbers
    assert inv["customer_id"].tolist() == ["00420", "420", "17850", "00077"]
    s = r.issues[r.issues["problem"].str.contains("leading zeros")]
    assert len(s) == 1
    row = s.iloc[0]
    assert row["severity"] == "warning" and row["row"] == 3 and row["value"] == "420"
    assert "ids may have lost leading zeros in Excel" in row["problem"]
    assert "1 of the numbers equal a text id once zero-padded" in row["problem"]
    assert row["problem_key"] == "ids_leading_zeros_clash"
    assert "check with the client" in row["action"]


def test_numeric_ids_alone_are_whole_numbers_without_a_warning(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["InvoiceNo", "InvoiceDate", "CustomerID", "Amount"])
    ws.append([536365, dt.date(2024, 3, 1), 17850.0, 10.0])
    ws.append([536366, dt.date(2024, 3, 2), 12346, 11.0])
    wb.save(tmp_path / "inv.xlsx")
    r = run(tmp_path, {}, {"invoices": {"path": "inv.xlsx", "columns": {"Amount": "net_amount"}}})
    assert r.canonical["invoices"]["customer_id"].tolist() == ["17850", "12346"]
    assert r.canonical["invoices"]["invoice_id"].tolist() == ["536365", "536366"]
    assert not r.issues["problem"].str.contains("leading zeros").any()


def test_csv_ids_written_as_decimals_are_read_as_whole_numbers(tmp_path):
    text = (
        "invoice_id,invoice_date,customer_id,net_amount\n"
        "536365,2024-01-02,17850.0,10.5\n536366,2024-01-03,12346.0,3\n536367,2024-01-03,,4\n"
    )
    r = run(tmp_path, {"inv.csv": text}, {"invoices": "inv.csv"})
    assert r.canonical["invoices"]["customer_id"].tolist() == ["17850", "12346"]
    s = r.issues[r.issues["problem_key"] == "ids_float_text"]
    assert len(s) == 1 and s["value"].iloc[0] == "17850.0"
    assert s["action"].iloc[0] == 'corrected: "17850.0" read as "17850"'
    # a real decimal among them: nothing is changed
    text2 = text.replace("12346.0", "12346.5")
    r2 = run(tmp_path, {"inv.csv": text2}, {"invoices": "inv.csv"})
    assert r2.canonical["invoices"]["customer_id"].tolist() == ["17850.0", "12346.5"]


# ---------------------------------------------------------------- keys


def test_duplicate_customer_ids_keep_the_first(tmp_path):
    cust = "customer_id;name\nC1;First\nC2;Two\nC1;Again\n"
    r = run(
        tmp_path,
        {"c.csv": cust, "inv.csv": INV + lines(6)},
        {"customers": "c.csv", "invoices": "inv.csv"},
    )
    assert r.canonical["customers"].set_index("customer_id").loc["C1", "name"] == "First"
    dup = r.issues.query("problem.str.contains('repeats the customer_id')").iloc[0]
    assert issue_sentence(dup) == (
        'c.csv, row 4, column "customer_id": "C1" repeats the customer_id of row 2. '
        "(row dropped; the first row kept)"
    )


def test_duplicate_customer_ids_can_stop_the_run(tmp_path):
    cust = "customer_id;name\nC1;First\nC2;Two\nC1;Again\nC3;x\n"
    fails(
        tmp_path,
        {"c.csv": cust, "inv.csv": INV + lines(6)},
        {"customers": "c.csv", "invoices": "inv.csv"},
        r'c\.csv, row 4, column "customer_id": "C1" repeats the customer_id of row 2',
        intake={"duplicate_customers": "fail"},
    )


def test_orphans(tmp_path):
    files = {
        "c.csv": "customer_id;name\nC1;One\nC2;Two\n",
        "inv.csv": INV + lines(6, customers=("C1", "C2", "C9")),
        "act.csv": "customer_id;activity_date;activity\nC1;2024-02-01;call\nC7;2024-02-01;visit\n",
        "pay.csv": "invoice_id;due_date;paid_date;amount\nA1;2024-03-01;2024-03-05;10,5\nZZ;2024-03-01;;5\n",
        "con.csv": "customer_id;contact_id;name;relationship_strength\nC2;K1;Eva;4\nC8;K2;Jan;9\n",
    }
    r = run(
        tmp_path,
        files,
        {
            "customers": "c.csv",
            "invoices": "inv.csv",
            "activities": "act.csv",
            "payments": "pay.csv",
            "contacts": "con.csv",
        },
    )
    t = r.canonical
    assert "C9" in set(t["customers"]["customer_id"])
    assert t["customers"].set_index("customer_id").loc["C9", "derived_from_invoices"]
    assert len(t["invoices"]) == 6
    assert t["activities"]["customer_id"].tolist() == ["C1"]
    assert t["activities"]["quantity"].tolist() == [1.0]
    assert t["payments"]["invoice_id"].tolist() == ["A1"]
    assert t["contacts"]["customer_id"].tolist() == ["C2"]
    sentences = [issue_sentence(i) for i in r.issues.to_dict("records")]
    assert (
        'act.csv, row 3, column "customer_id": "C7" is not a known customer. (row dropped)'
        in sentences
    )
    assert (
        'pay.csv, row 3, column "invoice_id": "ZZ" is not an invoice in the invoice lines. (row dropped)'
        in sentences
    )
    q = r.quality.set_index("table")
    assert q.loc["invoices", "orphans_n"] == 2 and q.loc["activities", "orphans_n"] == 1


def test_out_of_range_values_are_cleared(tmp_path):
    files = {
        "inv.csv": INV + lines(3),
        "con.csv": "customer_id;contact_id;relationship_strength\nC1;K1;4\nC2;K2;9\n",
    }
    r = run(tmp_path, files, {"invoices": "inv.csv", "contacts": "con.csv"})
    assert r.canonical["contacts"]["relationship_strength"].isna().tolist() == [False, True]
    assert "is out of range (expected from 1 to 5)" in set(r.issues["problem"])


# ---------------------------------------------------------------- period, credits, outliers


def test_dates_outside_the_period_are_dropped_and_reported(tmp_path):
    text = INV + lines(5) + "B1;2023-12-31;C1;5\nB2;2025-01-01;C2;5\n"
    r = run(tmp_path, {"inv.csv": text}, {"invoices": "inv.csv"})
    out = r.issues[r.issues["problem"].str.contains("outside the engagement period")]
    assert out["row"].tolist() == [7, 8]
    assert len(r.canonical["invoices"]) == 5
    r2 = run(
        tmp_path, {"inv.csv": text}, {"invoices": "inv.csv"}, intake={"drop_outside_period": False}
    )
    assert len(r2.canonical["invoices"]) == 7


def test_no_line_in_the_period_is_fatal(tmp_path):
    text = INV + "A1;2019-01-01;C1;5\nA2;2019-02-01;C1;5\n"
    fails(
        tmp_path,
        {"inv.csv": text},
        {"invoices": "inv.csv"},
        r"no invoice line is left to audit in the period 2024-01-01 – 2024-12-31\. The file's dates run from "
        r"2019-01-01 to 2019-02-01",
    )


def test_outliers_are_flagged_and_kept(tmp_path):
    text = INV + lines(40) + "Z1;2024-05-05;C1;9 999 999,00\n"
    r = run(tmp_path, {"inv.csv": text}, {"invoices": "inv.csv"})
    assert r.quality.set_index("table").loc["invoices", "outliers_n"] == 1
    assert len(r.canonical["invoices"]) == 41
    assert r.issues.query("row == 42")["action"].tolist() == ["kept (outlier)"]


# ---------------------------------------------------------------- bad files through the stage


def test_header_only_file(tmp_path):
    fails(
        tmp_path,
        {"inv.csv": INV},
        {"invoices": "inv.csv"},
        r"inv\.csv has a header but no invoice lines",
    )


def test_every_unreadable_file_is_listed_at_once(tmp_path):
    err = fails(
        tmp_path,
        {"inv.csv": b"", "c.csv": b"\x00\x01\x02garbage\x00" * 50},
        {"invoices": "inv.csv", "customers": "c.csv", "activities": "nowhere.csv"},
        r"Intake stopped: 3 problems must be fixed first",
    )
    text = str(err)
    assert "c.csv is not a text table" in text
    assert "inv.csv is empty (0 bytes)" in text
    assert "nowhere.csv does not exist" in text


def test_formula_like_and_long_text_are_kept_as_text(tmp_path):
    long = "x" * 40000
    text = (
        "customer_id;name;client_flag\n"
        f'C1;=SUM(A1);@cmd\nC2;+1;-x\nC3;{long};"=HYPERLINK(""http://evil"")"\n'
    )
    r = run(
        tmp_path,
        {"c.csv": text, "inv.csv": INV + lines(3)},
        {"customers": "c.csv", "invoices": "inv.csv"},
    )
    c = r.canonical["customers"].set_index("customer_id")
    assert c.loc["C1", "name"] == "=SUM(A1)" and c.loc["C1", "client_flag"] == "@cmd"
    assert c.loc["C2", "name"] == "+1" and c.loc["C2", "client_flag"] == "-x"
    assert c.loc["C3", "name"] == long
    assert c.loc["C3", "client_flag"] == '=HYPERLINK("http://evil")'
    assert "is longer than an Excel cell holds (32,767 characters)" in set(r.issues["problem"])


def test_many_issues_are_capped_and_counted(tmp_path):
    text = INV + "".join(f"A{i};;C1;5\n" for i in range(30)) + lines(3)
    r = run(
        tmp_path, {"inv.csv": text}, {"invoices": "inv.csv"}, intake={"max_issues_per_problem": 10}
    )
    s = r.issues[r.issues["problem"].str.startswith("is empty but required")]
    assert len(s) == 11 and "(and 20 more rows like this)" in s["problem"].iloc[-1]
    assert '"more_n": 20' in s["params"].iloc[-1] and set(s["problem_key"]) == {"empty_required"}


def test_lines_without_customer_id_are_one_issue_with_count_and_amount(tmp_path):
    text = INV + "".join(f"A{i};2024-01-01;;5\n" for i in range(30)) + lines(3)
    r = run(
        tmp_path, {"inv.csv": text}, {"invoices": "inv.csv"}, intake={"max_issues_per_problem": 10}
    )
    s = r.issues[r.issues["problem"].str.contains("no customer id")]
    assert len(s) == 1
    assert s["problem"].iloc[0].startswith("30 invoice lines have no customer id")
    assert s["action"].iloc[0] == "left out of the customer analysis; counted and reported"
    un = r.summary["unattributed"]["invoices"]
    assert un["lines_n"] == 30 and un["net_amount"] == 150.0
    q = r.quality.set_index("table").loc["invoices"]
    assert q["missing_required_n"] == 30 and q["rows_dropped"] == 30
    assert not r.canonical["customers"]["customer_id"].isna().any()


def test_settings_have_descriptions():
    for name, f in IntakeSettings.model_fields.items():
        assert f.description, name


# ---------------------------------------------------------------- deliverables and charts


def test_deliverables_section_sheets_and_summary(renderings, tmp_path, monkeypatch):
    import re

    import matplotlib

    matplotlib.use("Agg")
    from kamaudit.deliverables import intake as contributor
    from kamaudit.deliverables.context import ReportContext
    from kamaudit.deliverables.i18n import Catalog
    from kamaudit.deliverables.model import Figure, StageReport

    ws = Workspace(tmp_path / "ws").ensure()
    eng = engagement(tmp_path, {"invoices": "x.csv"})
    assert contributor.build(ReportContext(eng, ws)) is None  # before intake has run
    ws.save(renderings["1c"])
    drawn = {}
    draw = contributor.plots.coverage_by_month
    monkeypatch.setattr(
        contributor.plots,
        "coverage_by_month",
        lambda cov, **kw: drawn.update(kw) or draw(cov, **kw),
    )
    rep = contributor.build(ReportContext(eng, ws))
    assert isinstance(rep, StageReport) and rep.stage == "intake"
    currency = eng.currency_code
    assert currency and drawn["amount_label"] == f"Net amount ({currency})"  # a month's money
    assert [s.key for s in rep.sheets] == [
        "intake_quality",
        "intake_issues",
        "intake_missing",
        "intake_coverage",
        "intake_base",
    ]
    assert all(len(s.name) <= 31 for s in rep.sheets)
    assert 1 <= len(rep.summary) <= 3
    assert rep.summary[0].startswith("We read 31 invoice lines from 2 export files.")
    assert sum(isinstance(b, Figure) for b in rep.section.blocks) == 2
    assert (ws.figures_dir / "intake_lorenz.png").exists()
    # every catalog key the contributor uses exists in English
    source = Path(contributor.__file__).read_text(encoding="utf-8")
    keys = set(re.findall(r'f"\{_P\}([a-z_.0-9]+)"', source))
    cat = Catalog("en")
    assert keys and not [k for k in keys if not cat.has(f"intake.{k}")]
    for col in rep.sheets[0].df.columns:
        assert cat.has(f"columns.{col}"), col


def test_a_stopped_run_still_writes_the_issue_list(tmp_path):
    ws = Workspace(tmp_path / "ws").ensure()
    write_text(tmp_path / "inv.csv", INV)
    with pytest.raises(ValidationFailed):
        read_and_check(engagement(tmp_path, {"invoices": "inv.csv"}), workspace=ws)
    issues = ws.read_table("intake_issues")
    assert "fatal" in set(issues["severity"])
    assert not ws.has_table("invoices")


def test_a_second_date_format_in_one_column_is_read_and_reported(tmp_path):
    text = (
        INV
        + "".join(f"A{i};2024-01-{1 + i:02d};C1;5\n" for i in range(20))
        + "B1;05.02.2024;C2;6\n"
    )
    r = run(tmp_path, {"inv.csv": text}, {"invoices": "inv.csv"})
    inv = r.canonical["invoices"].set_index("invoice_id")
    assert inv.loc["B1", "invoice_date"] == pd.Timestamp("2024-02-05")
    row = r.issues.query("row == 22").iloc[0]
    assert row["action"] == "corrected: read as %d.%m.%Y" and row["severity"] == "warning"


def test_deliverable_translates_problems_actions_and_derivations():
    """Issue texts and derivations are catalog keys + values; English is the fallback."""
    from kamaudit.deliverables.i18n import Catalog
    from kamaudit.deliverables.intake import action_text, derivation_texts, problem_text

    class Pirate(Catalog):
        msgs = {
            "intake.problems.no_customer_id": "{lines} lines be orphans ({lines_pct}, {amount})",
            "intake.problems.empty_required": "be empty, arr",
            "intake.problems.more_rows": "(and {n} more, arr)",
            "intake.actions.row_dropped": "walked the plank",
            "intake.derivations.customers_derived": "{customers} customers conjured",
        }

        def has(self, key):
            return key in self.msgs or super().has(key)

        def t(self, key, default=None, **values):
            if key in self.msgs:
                return self.msgs[key].format(**values)
            return super().t(key, default, **values)

    cat = Pirate("en")
    issue = {
        "problem": "1,234 invoice lines have no customer id (…)",
        "problem_key": "no_customer_id",
        "params": '{"lines": 1234, "lines_pct": 24.9, "amount": 1500.5, "rows": "5, 6"}',
    }
    assert problem_text(issue, cat) == "1,234 lines be orphans (25\u00a0%, 1,500\u00a0€)"
    more = {
        "problem": "is empty but required (and 20 more rows like this)",
        "problem_key": "empty_required",
        "params": '{"more_n": 20}',
    }
    assert problem_text(more, cat) == "be empty, arr (and 20 more, arr)"
    assert problem_text({"problem": "plain English", "problem_key": ""}, cat) == "plain English"
    assert problem_text({"problem": "x", "problem_key": "unknown_key"}, Catalog("en")) == "x"
    assert action_text("row dropped", cat) == "walked the plank"
    assert action_text("something new", cat) == "something new"
    summary = {
        "derivations": ["customers derived from the invoices (3 customer ids): ..."],
        "derivation_items": [{"key": "customers_derived", "params": {"customers": 3}}],
    }
    assert derivation_texts(summary, cat) == ["3 customers conjured"]
    assert derivation_texts({"derivations": ["old run"]}, cat) == ["old run"]
    # every key intake writes has an English message
    en = Catalog("en")
    for key in (
        "no_customer_id",
        "ids_leading_zeros",
        "ids_float_text",
        "title_rows",
        "total_row",
        "not_number",
        "not_date",
        "outside_period",
        "duplicate_key",
        "credit_lines",
    ):
        assert en.has(f"intake.problems.{key}"), key


def test_infinite_and_overflowing_amounts_are_invalid_with_their_rows(tmp_path):
    bad = "Z1;2024-03-01;C1;inf\nZ2;2024-03-02;C2;1e309\nZ3;2024-03-03;C3;-Infinity\n"
    r = run(tmp_path, {"inv.csv": INV + lines(100) + bad}, {"invoices": "inv.csv"})
    inv = r.canonical["invoices"]
    assert not set(inv["invoice_id"]) & {"Z1", "Z2", "Z3"}
    assert inv["net_amount"].abs().max() < 1e6
    named = r.issues[(r.issues["column"] == "net_amount") & r.issues["row"].isin([102, 103, 104])]
    assert sorted(named["row"].tolist()) == [102, 103, 104]
    assert named["problem"].str.contains("is not a number").all()
    assert set(named["value"]) == {"inf", "1e309", "-Infinity"}


def test_cost_pools_equal_after_case_and_spacing_are_refused(tmp_path):
    pools = "activity,annual_cost,driver\nDelivery,1000,activity\nCall,500,activity\n delivery ,700,activity\n"
    err = fails(
        tmp_path,
        {"inv.csv": INV + lines(), "pools.csv": pools},
        {"invoices": "inv.csv", "cost_pools": "pools.csv"},
        match=r'pools\.csv, row 4, column "activity": .*repeats the activity of row 2',
    )
    fatal = err.problems[err.problems["severity"] == "fatal"]
    assert fatal["row"].tolist() == [4]


@pytest.mark.parametrize("sign", ["-", "0*"])
def test_a_ledger_without_a_single_sale_is_one_sentence(tmp_path, sign):
    body = "".join(
        f"A{i};2024-02-{1 + i % 28:02d};C{i % 3};{'-' + str(10 + i) if sign == '-' else '0'},00\n"
        for i in range(30)
    )
    err = fails(
        tmp_path,
        {"inv.csv": INV + body},
        {"invoices": "inv.csv"},
        match=r"inv\.csv: none of the 30 invoice lines in the period is a sale",
    )
    assert "nothing to audit" in str(err)
