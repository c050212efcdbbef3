"""A real public retail export, run with a mapping only (issue 3's acceptance check).

The shape of the UCI "Online Retail" dataset: one sheet of invoice lines, columns
InvoiceNo (text; cancellations start with "C"), StockCode, Description, Quantity
(negative for cancellations), InvoiceDate (an Excel date-time), UnitPrice, CustomerID
(numbers stored as floats such as 17850.0, about a quarter empty) and Country, from
2010-12-01 to 2011-12-09. The file is generated here (seeded, a few thousand lines) and
run through ``python -m kamaudit run`` for all four stages.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
STAGES = ["intake", "cost_to_serve", "account_profile", "team_design"]
HEADERS = [
    "InvoiceNo",
    "StockCode",
    "Description",
    "Quantity",
    "InvoiceDate",
    "UnitPrice",
    "CustomerID",
    "Country",
]
MAPPING = {
    "InvoiceNo": "invoice_id",
    "InvoiceDate": "invoice_date",
    "CustomerID": "customer_id",
    "Quantity": "quantity",
    "UnitPrice": "unit_price",
    "StockCode": "product_id",
    "Description": "product_category",
}


def retail_frame(lines: int = 4000, seed: int = 11) -> pd.DataFrame:
    """Invoice lines shaped like the UCI Online Retail export (Python values per cell)."""
    rng = np.random.default_rng(seed)
    n_inv = max(lines // 8, 10)
    start = np.datetime64("2010-12-01T08:00")
    span_min = int((np.datetime64("2011-12-09T18:00") - start) / np.timedelta64(1, "m"))
    inv_minutes = np.sort(rng.integers(0, span_min, size=n_inv))
    inv_of_line = np.sort(rng.integers(0, n_inv, size=lines))
    inv_of_line[:n_inv] = np.arange(n_inv)  # every invoice has a line
    inv_of_line = np.sort(inv_of_line)
    cancelled = rng.random(n_inv) < 0.03
    cust_pool = rng.choice(np.arange(12346, 18288), size=300, replace=False)
    inv_cust = rng.choice(cust_pool, size=n_inv).astype("float64")
    inv_cust[rng.random(n_inv) < 0.25] = np.nan  # about a quarter without a customer id
    countries = np.array(["United Kingdom"] * 8 + ["France", "Germany", "EIRE", "Spain"])
    inv_country = rng.choice(countries, size=n_inv)
    codes = np.array([f"{85000 + i}" for i in range(120)] + ["85123A", "POST", "M", "84029E"])
    descs = np.array([f"PRODUCT {i:03d}" for i in range(len(codes))], dtype=object)
    prod = rng.integers(0, len(codes), size=lines)
    qty = rng.integers(1, 25, size=lines)
    canc = cancelled[inv_of_line]
    qty = np.where(canc, -qty, qty)
    price = np.round(rng.lognormal(0.8, 0.8, size=lines), 2)
    inv_no = np.where(
        cancelled, [f"C{581587 - n_inv + i}" for i in range(n_inv)], 536365 + np.arange(n_inv)
    )
    when = (start + inv_minutes.astype("timedelta64[m]")).astype("datetime64[s]").tolist()
    # the UCI file: numeric invoice numbers are numbers, cancellations text "C536379"
    inv_val = [v if str(v).startswith("C") else int(v) for v in inv_no.tolist()]
    code_val = [int(c) if c.isdigit() else c for c in codes[prod].tolist()]
    desc = descs[prod].copy()
    desc[rng.random(lines) < 0.005] = None
    return pd.DataFrame(
        {
            "InvoiceNo": [inv_val[i] for i in inv_of_line],
            "StockCode": code_val,
            "Description": desc,
            "Quantity": qty.tolist(),
            "InvoiceDate": [when[i] for i in inv_of_line],
            "UnitPrice": price.tolist(),
            "CustomerID": [None if np.isnan(c) else float(c) for c in inv_cust[inv_of_line]],
            "Country": inv_country[inv_of_line].tolist(),
        },
        dtype=object,
    )


def write_retail_xlsx(path: Path, lines: int = 4000, seed: int = 11) -> pd.DataFrame:
    """Write the export as Excel does (write-only openpyxl, a date-time format on dates)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import NamedStyle

    df = retail_frame(lines, seed)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Online Retail")
    ws.append(HEADERS)
    style = NamedStyle(name="when", number_format="m/d/yy h:mm")
    wb.add_named_style(style)
    for rec in df.itertuples(index=False):
        row = list(rec)
        cell = WriteOnlyCell(ws, value=row[4])
        cell.style = "when"
        row[4] = cell
        ws.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return df


def write_engagement(folder: Path, xlsx: Path) -> Path:
    import yaml

    eng = {
        "client": "Online Retail Ltd",
        "period": {"start": "2010-12-01", "end": "2011-12-09"},
        "inputs": {"invoices": {"path": xlsx.name, "columns": MAPPING}},
    }
    path = folder / "engagement.yaml"
    path.write_text(yaml.safe_dump(eng, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


# ------------------------------------------------------------------ fast checks (no CLI)


@pytest.fixture(scope="module")
def retail_file(tmp_path_factory):
    folder = tmp_path_factory.mktemp("retail")
    xlsx = folder / "Online Retail.xlsx"
    df = write_retail_xlsx(xlsx)
    return folder, xlsx, df


def _engagement(folder: Path, xlsx: Path):
    from kamaudit.config import load_engagement

    return load_engagement(write_engagement(folder, xlsx))


def test_retail_intake_in_process(retail_file):
    from kamaudit.intake import read_and_check

    folder, xlsx, src = retail_file
    before = xlsx.read_bytes()
    res = read_and_check(_engagement(folder, xlsx))
    assert xlsx.read_bytes() == before
    inv = res.canonical["invoices"]
    cust = res.canonical["customers"]
    # ids: integers-as-text, never "17850.0"
    ids = inv["customer_id"].dropna()
    assert len(ids) and not ids.str.contains(".", regex=False).any()
    assert ids.str.fullmatch(r"\d{5}").all()
    assert inv["invoice_id"].str.fullmatch(r"C?\d{6}").all()
    assert not inv["product_id"].dropna().str.endswith(".0").any()
    # cancellations kept as credit notes
    canc = inv["invoice_id"].str.startswith("C")
    assert canc.any()
    assert inv.loc[canc, "is_credit"].all()
    assert (inv.loc[canc, "net_amount"] < 0).all()
    # net_amount derived and reported
    exp = (inv["quantity"] * inv["unit_price"]).round(2)
    assert np.allclose(inv["net_amount"], exp)
    assert any("quantity × unit_price" in d for d in res.derivations)
    # customers derived from the invoices and reported
    assert res.summary["customers_derived_from_invoices"] is True
    assert cust["derived_from_invoices"].all()
    assert set(cust["customer_id"]) == set(ids)
    # dates: the day of the date-time, in the period
    assert inv["invoice_date"].min() >= pd.Timestamp("2010-12-01")
    assert inv["invoice_date"].max() <= pd.Timestamp("2011-12-09")
    assert (inv["invoice_date"] == inv["invoice_date"].dt.normalize()).all()


def test_retail_missing_customer_ids_counted_once(retail_file):
    """Lines without a customer id: one issue row with the count, not a row per line."""
    from kamaudit.intake import read_and_check

    folder, xlsx, src = retail_file
    res = read_and_check(_engagement(folder, xlsx))
    n_missing = int(pd.Series(src["CustomerID"]).isna().sum())
    assert n_missing > 100
    iss = res.issues
    cust_rows = iss[(iss["table"] == "invoices") & iss["column"].str.contains("customer_id")]
    no_id = cust_rows[cust_rows["problem"].str.contains("no customer id")]
    assert len(no_id) == 1, cust_rows[["problem", "action"]]
    assert f"{n_missing:,}" in no_id["problem"].iloc[0]
    inv = res.canonical["invoices"]
    # kept under the unknown customer? No: left out of the customer analysis, but counted
    q = res.quality.set_index("table")
    assert q.loc["invoices", "rows_read"] == len(src)
    assert q.loc["invoices", "missing_required_n"] == n_missing
    assert len(inv) == len(src) - n_missing
    unknown = res.summary["unattributed"]["invoices"]
    assert unknown["lines_n"] == n_missing
    assert unknown["net_amount"] != 0


# ------------------------------------------------------------------ end to end (CLI)


@pytest.fixture(scope="module")
def retail_run(retail_file):
    folder, xlsx, src = retail_file
    eng = write_engagement(folder, xlsx)
    out = folder / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "kamaudit", "run", str(eng), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=1800,
        cwd=str(folder),
    )
    return proc, out, src


@pytest.mark.e2e
def test_retail_runs_all_stages_with_a_mapping_only(retail_run):
    proc, out, src = retail_run
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "ok", manifest.get("error")
    assert [manifest["stages"][s]["status"] for s in STAGES] == ["ok"] * 4
    files = sorted(p.name for p in (out / "deliverables").iterdir())
    assert any(f.endswith("_kam_audit.xlsx") for f in files), files
    assert any(f.endswith("_kam_audit.html") for f in files), files

    inv = pd.read_parquet(out / "data" / "invoices.parquet")
    cust = pd.read_parquet(out / "data" / "customers.parquet")
    assert "17850.0" not in set(inv["customer_id"])
    assert inv["customer_id"].str.fullmatch(r"\d{5}").all()
    assert cust["customer_id"].str.fullmatch(r"\d{5}").all()
    assert cust["derived_from_invoices"].all()
    canc = inv["invoice_id"].str.startswith("C")
    assert canc.any() and inv.loc[canc, "is_credit"].all()

    issues = pd.read_parquet(out / "data" / "intake_issues.parquet")
    n_missing = int(pd.Series(src["CustomerID"]).isna().sum())
    assert len(issues) < 100, issues["problem"].value_counts().head()
    no_id = issues[issues["problem"].str.contains("no customer id")]
    assert len(no_id) == 1 and f"{n_missing:,}" in no_id["problem"].iloc[0]


@pytest.mark.e2e
def test_retail_report_says_what_was_derived_and_skipped(retail_run):
    proc, out, src = retail_run
    assert proc.returncode == 0, proc.stderr[-3000:]
    html_path = next((out / "deliverables").glob("*_kam_audit.html"))
    html = html_path.read_text(encoding="utf-8")
    text = " ".join(html.split())
    # intake: derivations and the unattributed lines, in words
    assert "quantity × unit price" in text or "quantity × unit_price" in text
    assert "derived from the invoices" in text
    assert "without a customer id" in text
    # cancellations kept as credit notes
    assert "credit" in text.lower()

    from openpyxl import load_workbook

    xlsx = next((out / "deliverables").glob("*_kam_audit.xlsx"))
    wb = load_workbook(xlsx, read_only=True)
    try:
        assert len(wb.sheetnames) >= 4
    finally:
        wb.close()


@pytest.mark.e2e
def test_retail_later_stages_say_what_they_skip(retail_run):
    proc, out, src = retail_run
    assert proc.returncode == 0, proc.stderr[-3000:]
    html = " ".join(
        next((out / "deliverables").glob("*_kam_audit.html")).read_text(encoding="utf-8").split()
    ).lower()
    # no cost pools, no contacts, no team: each said plainly in the report
    assert "no cost pools" in html
    assert "no contacts" in html
    assert "no team roster" in html or "without a team roster" in html
