"""Messy and bad client exports for the intake tests, generated into a temporary folder.

``company()`` is one small fictional company (customers, invoice lines with cents, a credit
note, ids with leading zeros); ``render_plain``, ``render_1c`` and ``render_czech_xlsx``
write it the way three different clients would export it. The rest of the corpus is built
inline in the tests from ``write_text``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pandas as pd

from kamaudit.config import Engagement

PERIOD = {"start": "2024-01-01", "end": "2024-12-31"}


def engagement(base: Path, inputs: dict, period: dict | None = None, **extra) -> Engagement:
    """An engagement over files in ``base`` (paths relative to it)."""
    raw = {"client": "Corpus s.r.o.", "period": period or PERIOD, "inputs": inputs, **extra}
    return Engagement.model_validate(raw, context={"base_dir": base})


def write_text(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


def digest(paths) -> dict[str, str]:
    """SHA-256 of every file (to prove intake never modifies an input)."""
    return {
        str(p): hashlib.sha256(Path(p).read_bytes()).hexdigest() for p in paths if Path(p).exists()
    }


def company() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Customers and invoice lines of a small company, in canonical form."""
    customers = pd.DataFrame(
        {
            "customer_id": ["0042", "0107", "1200", "0005", "0777"],
            "name": [
                "Ромашка ООО",
                "Dvorak a syn s.r.o.",
                "Kowalski Sp. z o.o.",
                "Acme; Ltd",
                "Muller & Co GmbH",
            ],
            "industry": ["retail", "wholesale", "retail", "industry", "wholesale"],
            "payment_terms_days": [30.0, 14.0, 60.0, 30.0, 45.0],
        }
    )
    rows = []
    amounts = [1200.50, 15.05, 99999.99, 1234567.89, 0.01, 350.00, 72.40, 8400.10, 19.99, 5000.00]
    cids = list(customers["customer_id"])
    for i in range(30):
        rows.append(
            {
                "invoice_id": f"F{2024000 + i // 2:07d}",
                "invoice_date": dt.date(2024, 1 + (i * 7) % 12, 1 + (i * 5) % 28),
                "customer_id": cids[i % 5],
                "net_amount": amounts[i % 10],
                "quantity": float(1 + i % 4),
            }
        )
    rows.append(
        {
            "invoice_id": "D2024099",
            "invoice_date": dt.date(2024, 12, 13),
            "customer_id": "0042",
            "net_amount": -1200.50,
            "quantity": -1.0,
        }
    )
    invoices = pd.DataFrame(rows)
    invoices["invoice_date"] = pd.to_datetime(invoices["invoice_date"])
    return customers, invoices


def _fmt_european(x: float, thousands: str = " ") -> str:
    s = f"{abs(x):,.2f}".replace(",", "\0").replace(".", ",").replace("\0", thousands)
    return ("-" if x < 0 else "") + s


def render_plain(folder: Path) -> dict:
    """UTF-8, comma-delimited, ISO dates, decimal point, canonical headers."""
    customers, invoices = company()
    folder.mkdir(parents=True, exist_ok=True)
    customers.to_csv(folder / "customers.csv", index=False)
    inv = invoices.copy()
    inv["invoice_date"] = inv["invoice_date"].dt.strftime("%Y-%m-%d")
    inv.to_csv(folder / "invoices.csv", index=False)
    return {"customers": "customers.csv", "invoices": "invoices.csv"}


def render_1c(folder: Path) -> dict:
    """cp1251, ";", decimal comma, space thousands, day-first dates, two title rows, a total row."""
    customers, invoices = company()
    folder.mkdir(parents=True, exist_ok=True)
    lines = [
        "Справочник контрагентов;;;",
        "Выгружено 05.01.2025;;;",
        "Код;Наименование;Отрасль;Отсрочка, дней",
    ]
    for r in customers.itertuples():
        name = f'"{r.name}"' if ";" in r.name else r.name
        lines.append(f"{r.customer_id};{name};{r.industry};{int(r.payment_terms_days)}")
    write_text(folder / "kontragenty.csv", "\r\n".join(lines) + "\r\n", "cp1251")
    lines = [
        "Реестр документов реализации;;;;",
        'ООО "Ромашка" за 2024 год;;;;',
        "Документ;Дата;Код контрагента;Количество;Сумма без НДС",
    ]
    for r in invoices.itertuples():
        lines.append(
            f"{r.invoice_id};{r.invoice_date:%d.%m.%Y};{r.customer_id};"
            f"{_fmt_european(r.quantity).replace(',00', '')};{_fmt_european(r.net_amount)}"
        )
    lines.append(f"Итого;;;;{_fmt_european(invoices['net_amount'].sum())}")
    lines.append(";;;;")
    write_text(folder / "realizaciya.csv", "\r\n".join(lines) + "\r\n", "cp1251")
    return {
        "customers": {
            "path": "kontragenty.csv",
            "columns": {
                "Код": "customer_id",
                "Наименование": "name",
                "Отрасль": "industry",
                "Отсрочка, дней": "payment_terms_days",
            },
        },
        "invoices": {
            "path": "realizaciya.csv",
            "columns": {
                "Документ": "invoice_id",
                "Дата": "invoice_date",
                "Код контрагента": "customer_id",
                "Количество": "quantity",
                "Сумма без НДС": "net_amount",
            },
        },
    }


def render_czech_xlsx(folder: Path) -> dict:
    """One workbook, a title block above each table, Czech headers, native numbers and dates."""
    import openpyxl

    customers, invoices = company()
    folder.mkdir(parents=True, exist_ok=True)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Odběratelé"
    ws.append(["Přehled odběratelů"])
    ws.append(["Stav k 31.12.2024"])
    ws.append([])
    ws.append(["IČO", "Název", "Obor", "Splatnost (dny)", None])
    for r in customers.itertuples():
        ws.append([r.customer_id, r.name, r.industry, int(r.payment_terms_days)])
    ws2 = wb.create_sheet("Faktury")
    ws2.append(["Kniha vydaných faktur 2024"])
    ws2.append(["Firma: Corpus s.r.o."])
    ws2.append([])
    ws2.append(["Doklad", "Datum", "IČO", "Množství", "Cena bez DPH"])
    for r in invoices.itertuples():
        ws2.append(
            [r.invoice_id, r.invoice_date.to_pydatetime(), r.customer_id, r.quantity, r.net_amount]
        )
        ws2.cell(ws2.max_row, 2).number_format = "d.m.yyyy"
        ws2.cell(ws2.max_row, 5).number_format = "# ##0,00"
    ws2.append(["Celkem", None, None, None, round(float(invoices["net_amount"].sum()), 2)])
    wb.save(folder / "prodeje.xlsx")
    return {
        "customers": {
            "path": "prodeje.xlsx",
            "sheet": "Odběratelé",
            "columns": {
                "IČO": "customer_id",
                "Název": "name",
                "Obor": "industry",
                "Splatnost (dny)": "payment_terms_days",
            },
        },
        "invoices": {
            "path": "prodeje.xlsx",
            "sheet": "Faktury",
            "columns": {
                "Doklad": "invoice_id",
                "Datum": "invoice_date",
                "IČO": "customer_id",
                "Množství": "quantity",
                "Cena bez DPH": "net_amount",
            },
        },
    }
