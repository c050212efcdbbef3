"""An export without invoice numbers: one invoice per customer and day, said as a derivation,
and payments (which name invoice numbers) said plainly not to match."""

from __future__ import annotations

from .common import run

INV = "invoice_date;customer_id;net_amount\n" + "".join(
    f"2024-03-{1 + i // 3:02d};C{i % 2};{10 + i},00\n" for i in range(12)
)
PAY = "invoice_id;payment_date;amount;due_date\nINV-1;2024-04-01;10;2024-03-31\nINV-2;2024-04-02;20;2024-03-31\n"


def test_invoice_ids_are_one_per_customer_and_day(tmp_path):
    res = run(tmp_path, {"inv.csv": INV}, {"invoices": "inv.csv"})
    inv = res.canonical["invoices"]
    assert inv["invoice_id"].nunique() == 8  # 4 days x 2 customers
    assert set(inv.loc[inv["customer_id"] == "C0", "invoice_id"]) == {
        "C0/2024-03-01",
        "C0/2024-03-02",
        "C0/2024-03-03",
        "C0/2024-03-04",
    }
    assert any(
        "one invoice per customer and day" in d or "customer and day" in d for d in res.derivations
    )
    (issue,) = res.issues[res.issues["problem_key"] == "invoice_id_derived"].itertuples()
    assert issue.severity == "warning" and "(8 invoices)" in issue.problem
    assert inv.groupby("invoice_id")["line_no"].max().max() >= 1


def test_payments_cannot_match_derived_invoices_and_say_so_once(tmp_path):
    res = run(
        tmp_path,
        {"inv.csv": INV, "pay.csv": PAY},
        {"invoices": "inv.csv", "payments": "pay.csv"},
    )
    said = res.issues[res.issues["problem_key"] == "payments_unmatched"]
    assert len(said) == 1 and "none of the 2 payments can be matched" in said["problem"].iloc[0]
    assert "payments" not in res.canonical
    assert not (res.issues["problem_key"] == "orphan_invoice").any()
