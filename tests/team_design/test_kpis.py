"""team_design.kpis: baselines beyond sales, checked by hand, beside the settings' targets."""

from __future__ import annotations

import pandas as pd
import pytest

from kamaudit.team_design.kpis import KPIS
from kamaudit.team_design.settings import TeamSettings

from .frames import company, run_team, said


def test_kpis_have_baselines_and_the_default_targets():
    tables, ap = company()
    tables["assessments"] = pd.DataFrame(
        {
            "customer_id": pd.Series(["C00", "C00", "C00"], dtype="str"),
            "criterion": pd.Series(["a", "b", "a"], dtype="str"),
            "score": [8.0, 6.0, 2.0],
            "source": pd.Series(["client", "client", "internal"], dtype="str"),
        }
    )
    pnl = pd.DataFrame({"customer_id": pd.Series(["C00"], dtype="str"), "net_profit": [500.0]})
    result = run_team(tables, ap, pnl)
    k = result.kpis
    targets = k[k["level"] == "account"].drop_duplicates("kpi").set_index("kpi")["target"]
    assert targets["active_contacts_n"] == 3 and targets["repeat_order_pct"] == 80
    assert targets[["clv_period", "clv_per_year"]].isna().all()  # money: set with the client
    acc = k[(k["level"] == "account") & (k["subject_id"] == "C00")].set_index("kpi")["baseline"]
    assert acc["satisfaction_score"] == pytest.approx(7.0)  # the customer's own view only
    assert acc["clv_period"] == pytest.approx(500.0)
    assert acc["clv_per_year"] == pytest.approx(500.0 / (731 / 365.25))  # two years
    assert acc["roles_covered_n"] == 3
    # orders 2024-02-01, 03-15 (43 days), 2025-01-10 (301), 09-01 (234): 1 of 3 repeats
    assert acc["repeat_order_pct"] == pytest.approx(100 / 3)
    assert acc["retained"] == 100
    # 2025: 300 + 400 against 2024: 100 + 200
    assert acc["revenue_trend_pct"] == pytest.approx(100 * (700 - 300) / 300)
    assert result.clv_method_key == "pnl" and "net customer profit" in result.clv_method
    assert said(result)["clv_method"].startswith("Customer lifetime value is historical: net")
    assert set(k["level"]) == {"account", "kam"}


def test_lifetime_value_from_invoices_without_a_pnl():
    tables, ap = company()
    result = run_team(tables, ap)
    assert result.clv_method_key == "margin"
    acc = result.kpis[result.kpis["subject_id"] == "C00"].set_index("kpi")["baseline"]
    assert acc["clv_period"] == pytest.approx(40 * (1 + 2 + 3 + 4))


def test_targets_come_from_the_settings_and_scale_with_a_kams_accounts():
    tables, ap = company()
    wanted = {"active_contacts_n": 5, "satisfaction_score": 9, "clv_period": 1000}
    settings = TeamSettings(kpi_targets=wanted, max_accounts_per_kam=4)
    k = run_team(tables, ap, settings=settings).kpis
    acc = k[k["level"] == "account"]
    for kpi, value in wanted.items():
        assert (acc.loc[acc["kpi"] == kpi, "target"] == value).all()
    # a default the engagement file did not change stays
    assert (acc.loc[acc["kpi"] == "retained", "target"] == 100).all()
    kam = k[k["level"] == "kam"].pivot(index="subject_id", columns="kpi")
    accounts = kam[("baseline", "accounts_n")]
    assert (kam[("target", "active_contacts_n")] == 5 * accounts).all()  # summed over accounts
    assert (kam[("target", "clv_period")] == 1000 * accounts).all()
    assert (kam[("target", "satisfaction_score")] == 9).all()  # averaged: the same target
    assert (kam[("target", "accounts_n")] == 4).all()


def test_every_kpi_has_a_documented_default_and_unknown_names_are_refused():
    assert set(TeamSettings().kpi_targets) == set(KPIS)
    with pytest.raises(ValueError, match='kpi_targets has "retention"'):
        TeamSettings(kpi_targets={"retention": 90})
