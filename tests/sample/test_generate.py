"""generate_sample: determinism, atomic rewrites, the engagement file, size and shape, argument
errors."""

from __future__ import annotations

import numpy as np
import pytest

import kamaudit
from kamaudit.config import TABLES
from kamaudit.sample import generate_sample

from .checks import SMALL, digest, read


def test_same_seed_same_bytes_and_different_seed_differs(tmp_path, small):
    again = generate_sample(tmp_path / "a", seed=11, **SMALL)
    assert digest(again.out_dir) == digest(small.out_dir)
    other = generate_sample(tmp_path / "b", seed=12, **SMALL)
    assert digest(other.out_dir)["invoices.csv"] != digest(small.out_dir)["invoices.csv"]


def test_rewrite_in_place_leaves_no_temporary_files(small):
    generate_sample(small.out_dir, seed=11, **SMALL)
    names = sorted(p.name for p in small.out_dir.iterdir())
    assert names == sorted(
        [f"{t}.csv" for t in TABLES] + ["engagement.yaml", "README.md", "answer_key.json"]
    )


def test_engagement_loads(small):
    eng = kamaudit.load_engagement(small.engagement)
    assert eng.client == "Nordwind Distribution Ltd."
    assert set(eng.inputs) == set(TABLES)
    for spec in eng.inputs.values():
        assert spec.path.exists()
    assert str(eng.period.start) == "2024-01-01" and str(eng.period.end) == "2025-12-31"


def test_default_sample_shape(tmp_path):
    info = generate_sample(tmp_path / "d")
    t = read(info)
    inv = t["invoices"]
    assert len(inv) == 40_000 and len(t["customers"]) == 300
    size = sum(p.stat().st_size for p in info.out_dir.iterdir())
    assert size < 10 * 1024 * 1024
    rev = inv.groupby("customer_id")["net_amount"].sum().sort_values(ascending=False)
    top20 = rev.iloc[: len(rev) // 5].sum() / rev.sum()
    assert 0.68 <= top20 <= 0.82
    months = inv.groupby(inv["invoice_date"].dt.month)["net_amount"].sum()
    assert months.max() / months.min() > 1.3  # seasonality
    assert inv["invoice_date"].dt.day_of_week.lt(5).mean() > 0.95
    # service and payment behaviour do not simply follow revenue
    visits = t["activities"].groupby("customer_id")["quantity"].sum().reindex(rev.index).fillna(0)
    per_rev = visits / rev.clip(lower=1)
    assert per_rev.iloc[:30].std() > 0
    assert (
        abs(np.corrcoef(np.log(rev.clip(lower=1)), np.log(per_rev.clip(lower=1e-9)))[0, 1]) < 0.95
    )


def test_size_is_what_was_asked(small_tables):
    assert len(small_tables["invoices"]) == SMALL["n_lines"]
    assert len(small_tables["customers"]) == SMALL["n_customers"]


def test_bad_arguments_say_what_is_expected(tmp_path):
    with pytest.raises(ValueError, match='industry "brewery" is not known'):
        generate_sample(tmp_path, industry="brewery")
    with pytest.raises(ValueError, match="at least 60"):
        generate_sample(tmp_path, n_customers=10, n_lines=1000)
    with pytest.raises(ValueError, match="25 per customer"):
        generate_sample(tmp_path, n_customers=100, n_lines=1000)


def test_a_negative_seed_is_one_sentence(tmp_path):
    import pytest

    from kamaudit.sample import SampleError, generate_pack, generate_sample

    with pytest.raises(SampleError, match="seed = -5: a seed is a whole number from 0"):
        generate_sample(tmp_path / "one", seed=-5, n_customers=60, n_lines=2000)
    with pytest.raises(SampleError, match="seed = -1: a pack's seed"):
        generate_pack(tmp_path / "pack", 2, seed=-1)
    assert not (tmp_path / "one").exists() and not (tmp_path / "pack").exists()
