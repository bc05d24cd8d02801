"""linreg.scale's Arrow path: a plain numeric model's block copied from record batches equals the pandas path's.

A Piece hands its tasks Arrow batches; for a model of plain numeric columns the
working block is copied straight from them, and any batch the copy cannot take
(a missing value, an infinity, a column type pandas converts) goes through the
frame path, which drops the rows or names the column as build_design does.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")
pytest.importorskip("dask.dataframe")

from linreg import scale
from linreg.design import ModelSpec, build_design, fit_design
from linreg.exceptions import DataError
from linreg.scale import _kernels as K
from linreg.scale import _terms


def _batch(n: int = 500, seed: int = 0) -> pa.RecordBatch:
    rng = np.random.default_rng(seed)
    x1 = rng.normal(size=n) * 4 + 300
    k = rng.integers(-50, 50, size=n)  # int64: copied as float64, as pandas converts it
    f = rng.uniform(0, 1, n).astype(np.float32)
    y = 1.0 + 0.5 * x1 - 0.02 * k + 3 * f.astype(np.float64) + rng.normal(size=n)
    return pa.record_batch({"x1": x1, "k": k, "f": f, "y": y})


def _plan(batch, spec: ModelSpec):
    return _terms._with_terms(_terms.resolve(batch.schema.names, spec))


def test_a_clean_batch_is_copied_without_a_frame_and_equals_the_frame_path():
    batch = _batch()
    plan = _plan(batch, ModelSpec("y"))
    fast = _terms.build_block(batch, plan)
    slow = _terms.build_block(batch.to_pandas(), plan)
    assert fast.frame is None and slow.frame is not None
    assert_array_equal(fast.V, slow.V)
    assert_array_equal(fast.y, slow.y)
    assert fast.V.flags.f_contiguous
    assert fast.xmax == np.abs(slow.X).max() and fast.ymax == np.abs(slow.y).max()
    assert_array_equal(fast.column("k", plan), batch.column("k").to_numpy().astype(np.float64))
    assert_array_equal(fast.column("y", plan), slow.column("y", plan))


def test_a_batch_with_a_missing_value_goes_through_the_frame_path_and_drops_the_row():
    batch = _batch()
    x1 = batch.column("x1").to_numpy().copy()
    x1[7] = np.nan
    batch = batch.set_column(0, "x1", pa.array(x1))
    plan = _plan(batch, ModelSpec("y"))
    block = _terms.build_block(batch, plan)
    assert block.frame is not None
    assert len(block.y) == batch.num_rows - 1 and 7 not in block.kept_rows
    clean = _batch()
    nulls = clean.set_column(1, "k", pa.array([None] + clean.column("k").to_pylist()[1:], type=pa.int64()))
    block = _terms.build_block(nulls, plan)
    assert block.frame is not None and len(block.y) == clean.num_rows - 1 and 0 not in block.kept_rows


def test_an_infinite_value_is_named_as_build_design_names_it():
    batch = _batch()
    f = batch.column("f").to_numpy().copy()
    f[3] = np.inf
    batch = batch.set_column(2, "f", pa.array(f))
    with pytest.raises(DataError, match="column 'f' has infinite values"):
        _terms.build_block(batch, _plan(batch, ModelSpec("y")))


def test_a_bool_column_and_a_model_with_terms_take_the_frame_path():
    batch = _batch().append_column("b", pa.array(np.arange(500) % 3 == 0))
    plan = _plan(batch, ModelSpec("y"))
    block = _terms.build_block(batch, plan)
    assert block.frame is not None
    assert_array_equal(block.X[:, plan.main.index("b")], (np.arange(500) % 3 == 0).astype(np.float64))
    assert _terms.is_plain(plan)
    spec = ModelSpec("y", features=("x1",), poly=(("x1", 2),))
    first = _terms.resolve(batch.schema.names, spec)
    poly = _terms.combine_facts([_terms.facts_of_partition(batch.to_pandas(), first)], first)
    assert poly.terms == ("x1", "x1^2") and not _terms.is_plain(poly)
    assert _terms.build_block(batch, poly).frame is not None


def test_a_dataset_of_int_and_float32_columns_fits_as_in_memory(tmp_path):
    parts = [_batch(n, seed) for seed, n in enumerate((40_000, 3, 25_000))]
    x1 = parts[2].column("x1").to_numpy().copy()
    x1[100:110] = np.nan  # one file's chunk goes through the frame path
    parts[2] = parts[2].set_column(0, "x1", pa.array(x1))
    for i, b in enumerate(parts):
        pq.write_table(pa.Table.from_batches([b]), tmp_path / f"part-{i}.parquet")
    df = pd.concat([b.to_pandas() for b in parts], ignore_index=True)
    res = scale.fit_ols(tmp_path, "y", client="threads", diagnostics=False)
    ref = fit_design(build_design(df, ModelSpec("y")))
    assert res.n == len(df) - 10 == ref.n
    assert res.terms == ref.terms
    assert_allclose(res.coef, ref.coef, rtol=1e-10)
    assert_allclose(res.std_err, ref.std_err, rtol=1e-12)
    assert_allclose([res.rss, res.sigma, res.r_squared], [ref.rss, ref.sigma, ref.r_squared], rtol=1e-12)


def test_the_passes_copy_from_the_arrow_columns_the_bits_of_the_frame_path():
    batch = _batch(5000, seed=3)
    big = np.random.default_rng(3).integers(-(2**60), 2**60, size=5000)  # not exact in float64
    batch = batch.append_column("big", pa.array(big))
    for intercept in (True, False):
        plan = _plan(batch, ModelSpec("y", intercept=intercept))
        fast = _terms.build_block(batch, plan)
        slow = _terms.build_block(batch.to_pandas(), plan)
        assert fast.frame is None and "V" not in vars(fast)  # the passes below need no V
        # x1 (~300) within a factor 2 of its shift: subtracted in float64; k and big not: in
        # longdouble; f not shifted.
        by_name = {"x1": 250.0, "k": 7.3, "f": 0.0, "big": 1e3, "Intercept": 0.0}
        shift = np.array([by_name[t] for t in ("Intercept",) * intercept + plan.main]) * intercept
        got, want = K.tsqr(fast, shift, 2.5), K.tsqr(slow, shift, 2.5)
        assert "V" not in vars(fast)
        for key in ("R", "n", "s1", "s2", "xmax", "ymax"):
            assert_array_equal(got[key], want[key])
        coef = np.asarray(np.arange(1.0, plan.k + 1) / 7, dtype=np.longdouble)
        for kept in (np.arange(plan.k), np.arange(1, plan.k)):
            g, rss = K.refine(fast, plan, shift, kept, 2.5, coef[kept])
            g0, rss0 = K.refine(slow, plan, shift, kept, 2.5, coef[kept])
            assert_array_equal(g, g0)
            assert rss == rss0 and np.isfinite(rss) and rss > 0
        assert_array_equal(fast.V, slow.V)
        assert_array_equal(fast.column("big", plan), big.astype(np.float64))
