"""linreg.scale: the out-of-core fit equals build_design + fit_ols on the same rows, on threads and on a LocalCluster.

Fixtures are small Parquet datasets written to tmp_path with the edge cases that
bite partitioned fits: an empty partition, a partition with fewer rows than terms,
NaN rows in one partition only, a column constant in one partition. Tolerances
(relative): coefficients 1e-10, SE/sigma/R²/F/log-likelihood/AIC/BIC 1e-12,
streamed diagnostics 1e-10; rank, aliased terms and warning texts identical.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

pytest.importorskip("dask.dataframe")

from linreg import diagnostics as diag  # noqa: E402
from linreg import scale  # noqa: E402
from linreg.design import ModelSpec, build_design, fit_design  # noqa: E402
from linreg.exceptions import DataError, ModelError, RankDeficiencyWarning  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
COEF_RTOL = 1e-10
STAT_RTOL = 1e-12
STATS = ("sigma", "r_squared", "adj_r_squared", "f_statistic", "log_likelihood", "aic", "bic", "rss")
TERMWISE = ("std_err", "t", "ci_low", "ci_high")


def make_frame(seed: int = 0, n: int = 6_000) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({
        "x1": rng.normal(size=n) * 3 + 50,  # an offset: the shift matters
        "x2": rng.uniform(0, 2, n),
        "g": rng.choice(["a", "b", "c"], n),
    })
    df["y"] = 2 + 0.4 * df.x1 - 1.5 * df.x2 + np.where(df.g == "b", 0.8, 0.0) + rng.normal(size=n) * (1 + df.x2)
    return df


def write_parts(df: pd.DataFrame, folder: Path, edges: list[int]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i, (a, b) in enumerate(zip(edges[:-1], edges[1:])):
        df.iloc[a:b].to_parquet(folder / f"part-{i:02d}.parquet", index=False)
    return folder


@pytest.fixture(scope="module")
def edgy(tmp_path_factory):
    """6,000 rows in 6 files: one empty, one with 2 rows, NaNs only in the fourth, x2 constant in the fifth."""
    df = make_frame()
    df.loc[3100:3120, "x1"] = np.nan
    df.loc[4000:4999, "x2"] = 0.75
    folder = write_parts(df, tmp_path_factory.mktemp("edgy"), [0, 1500, 1500, 1502, 3500, 5000, 6000])
    return df, folder


SPECS = {
    "plain": ModelSpec("y", features=("x1", "x2")),
    "terms": ModelSpec("y", categorical=("g",), poly=(("x2", 3),), interactions=(("g", "x1"),)),
    "standardized, no intercept": ModelSpec("y", features=("x1", "x2"), standardize=True, intercept=False),
}


def assert_same_fit(res, ref, coef_rtol=COEF_RTOL):
    a, b = res.to_dict(), ref.to_dict()
    assert a.keys() == b.keys()
    for key in ("terms", "aliased", "warnings", "rank", "n", "df_model", "df_resid", "method", "intercept"):
        assert a[key] == b[key], key
    assert_allclose(res.coef, ref.coef, rtol=coef_rtol, err_msg="coef")
    for key in TERMWISE:
        assert_allclose(getattr(res, key), getattr(ref, key), rtol=STAT_RTOL if key == "std_err" else coef_rtol,
                        err_msg=key)
    assert_allclose(res.p_value, ref.p_value, rtol=1e-10, atol=1e-300)
    for key in STATS:
        assert_allclose(getattr(res, key), getattr(ref, key), rtol=STAT_RTOL, err_msg=key)
    assert_allclose(res.condition_number, ref.condition_number, rtol=1e-8)


@pytest.mark.parametrize("name", list(SPECS))
def test_equals_in_memory_fit_on_threads(edgy, name):
    df, folder = edgy
    spec = SPECS[name]
    res = scale.fit_ols(str(folder / "*.parquet"), spec=spec, client="threads")
    ref = fit_design(build_design(df, spec))
    assert res.n_dropped == build_design(df, spec).n_dropped == 21
    assert_same_fit(res, ref, coef_rtol=1e-12 if spec.intercept else COEF_RTOL)
    d = res.diagnostics
    assert_allclose(d.breusch_pagan.statistic, diag.breusch_pagan(ref).statistic, rtol=1e-10)
    assert_allclose(d.breusch_pagan.p_value, diag.breusch_pagan(ref).p_value, rtol=1e-9)
    assert_allclose(d.jarque_bera.statistic, diag.jarque_bera(ref).statistic, rtol=1e-10)
    assert_allclose(d.durbin_watson.statistic, diag.durbin_watson(ref).statistic, rtol=1e-10)
    assert_allclose(d.leverage_max, ref.leverage.max(), rtol=1e-10)
    assert_allclose(d.leverage_sum, ref.rank, rtol=1e-10)
    assert_allclose(d.cooks_max, np.nanmax(ref.cooks_distance), rtol=1e-10)
    assert d.n_studentized_over_3 == int(np.sum(np.abs(ref.studentized_resid) > 3))
    assert d.breusch_pagan.reading == diag.breusch_pagan(ref).reading


def test_sample_is_reproducible_and_holds_the_influential_rows(edgy):
    df, folder = edgy
    spec = SPECS["plain"]
    res = scale.fit_ols(folder, spec=spec, client="sync", sample=500, seed=3)
    again = scale.fit_ols(folder, spec=spec, client="threads", sample=500, seed=3)
    pd.testing.assert_frame_equal(res.sample, again.sample)
    assert 400 < len(res.sample) < 650
    ref = fit_design(build_design(df, spec))
    kept_rows = np.nonzero(df[["y", "x1", "x2"]].notna().all(axis=1).to_numpy())[0]
    worst = kept_rows[np.argsort(-np.nan_to_num(ref.cooks_distance, nan=-1))[:5]]
    assert set(worst) <= set(res.sample["row"])
    row = res.sample.iloc[0]
    i = int(np.searchsorted(kept_rows, row["row"]))
    assert_allclose([row["resid"], row["leverage"], row["cooks_distance"]],
                    [ref.resid[i], ref.leverage[i], ref.cooks_distance[i]], rtol=1e-9)
    assert res.diagnostics.top["row"].iloc[0] == worst[0]


def test_residuals_are_lazy_and_write_to_parquet(edgy, tmp_path):
    df, folder = edgy
    spec = SPECS["terms"]
    res = scale.fit_ols(folder, spec=spec, client="threads", diagnostics=False)
    ref = fit_design(build_design(df, spec))
    lazy = res.residuals()
    assert hasattr(lazy, "__dask_graph__")
    out = tmp_path / "resid"
    lazy.to_parquet(out, write_index=False)
    back = pd.read_parquet(out).sort_values("row")
    assert len(back) == ref.n
    assert_allclose(back["resid"].to_numpy(), ref.resid, rtol=1e-8, atol=1e-9)
    assert_allclose(back["studentized_resid"].to_numpy(), ref.studentized_resid, rtol=1e-8)


def test_per_row_attributes_say_what_to_use():
    df = make_frame(n=300)
    res = scale.fit_ols(_dask_frame(df[["x1", "x2", "y"]]), "y", client="sync", diagnostics=False)
    for name in ("resid", "fitted", "leverage", "cooks_distance", "X", "y"):
        with pytest.raises(ModelError, match=r"residuals\(\).*sample.*diagnostics"):
            getattr(res, name)
    assert res.predict([[50.0, 1.0]]).shape == (1,)
    assert "Formula: y ~ x1 + x2" in res.summary(target="y")


def test_aliased_terms_and_exact_fit_match(tmp_path):
    rng = np.random.default_rng(4)
    n = 3_000
    df = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n)})
    df["c"] = df.a - 2 * df.b  # aliased
    df["y"] = 1 + df.a + 3 * df.b  # exact fit
    folder = write_parts(df, tmp_path / "d", [0, 1000, 1000, 3000])
    with pytest.warns(RankDeficiencyWarning, match="c"):
        res = scale.fit_ols(folder, "y", client="sync")
    with pytest.warns(RankDeficiencyWarning):
        ref = fit_design(build_design(df, ModelSpec("y")))
    assert res.aliased == ref.aliased == ("c",)
    assert res.warnings == ref.warnings
    assert any("fits the data exactly" in w for w in res.warnings)
    assert_allclose(res.coef[:3], [1, 1, 3], rtol=1e-13)
    assert res.diagnostics.jarque_bera.p_value is None


def test_errors_at_the_boundary(tmp_path):
    df = make_frame(n=50)
    folder = write_parts(df, tmp_path / "e", [0, 50])
    with pytest.raises(ModelError, match="unknown target 'nope'"):
        scale.fit_ols(folder, "nope", client="sync")
    with pytest.raises(DataError, match="no files match"):
        scale.fit_ols(str(tmp_path / "missing-*.parquet"), "y", client="sync")
    with pytest.raises(ModelError, match="only n=3 rows"):
        scale.fit_ols(write_parts(df, tmp_path / "f", [0, 3]), "y", features=("x1", "x2"), client="sync")
    with pytest.raises(ModelError, match="refine"):
        scale.fit_ols(folder, "y", refine="lots")


def test_progress_is_reported_per_partition(edgy):
    _, folder = edgy
    seen = []
    scale.fit_ols(folder, "y", features=("x1", "x2"), client="threads",
                  progress=lambda stage, done, total: seen.append((stage, done, total)))
    stages = [s for s, *_ in seen]
    assert stages.count("fit") == 6 and stages.count("diagnostics") == 6 and "refine" in stages
    assert seen[-1] == ("diagnostics", 6, 6)


def test_import_linreg_works_without_dask():
    code = textwrap.dedent("""
        import sys
        class Block:
            def find_spec(self, name, path=None, target=None):
                if name == "dask" or name.startswith("dask.") or name == "distributed":
                    raise ImportError("no dask here")
        sys.meta_path.insert(0, Block())
        import linreg, linreg.scale, linreg.cli
        try:
            linreg.scale.fit_ols("x.parquet", "y")
        except linreg.exceptions.ModelError as e:
            print("ok" if "pip install" in str(e) else e)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.stdout.strip() == "ok", out.stderr


def test_cli_fits_a_glob_and_converts_csv(tmp_path):
    df = make_frame(n=2_000)
    csv = tmp_path / "data.csv"
    df.to_csv(csv, index=False)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("DASK_SCHEDULER_ADDRESS", None)
    conv = subprocess.run([sys.executable, "-m", "linreg", "convert", str(csv), str(tmp_path / "pq"),
                           "--rows-per-file", "700"], capture_output=True, text=True, env=env, timeout=120)
    assert conv.returncode == 0, conv.stderr
    assert len(conv.stdout.split()) == 3
    fit = subprocess.run([sys.executable, "-m", "linreg", "fit", str(tmp_path / "pq" / "*.parquet"), "--target", "y",
                          "--categorical", "g", "--format", "json", "--residuals-out", str(tmp_path / "r")],
                         capture_output=True, text=True, env=env, timeout=120)
    assert fit.returncode == 0, fit.stderr
    assert "partitions" in fit.stderr
    got = json.loads(fit.stdout)
    ref = fit_design(build_design(df, ModelSpec("y", categorical=("g",))))
    assert got["terms"] == list(ref.terms)
    assert_allclose(got["coef"], ref.coef, rtol=1e-12)
    assert got["n_dropped"] == 0 and "breusch_pagan" in got["diagnostics"]
    assert len(pd.read_parquet(tmp_path / "r")) == 2_000
    bad = subprocess.run([sys.executable, "-m", "linreg", "fit", str(tmp_path / "pq"), "--target", "y",
                          "--method", "svd"], capture_output=True, text=True, env=env, timeout=120)
    assert bad.returncode == 2 and "not available out of core" in bad.stderr
    gd = subprocess.run([sys.executable, "-m", "linreg", "fit", str(tmp_path / "pq"), "--target", "y", "--features",
                         "x1,x2", "--method", "gd", "--standardize", "--iterations", "50", "--learning-rate", "0.1",
                         "--format", "json"], capture_output=True, text=True, env=env, timeout=120)
    assert gd.returncode == 0, gd.stderr
    got = json.loads(gd.stdout)
    from linreg.descent import gradient_descent

    d = build_design(df, ModelSpec("y", features=("x1", "x2")))
    ref = gradient_descent(d.X, d.y, learning_rate=0.1, n_iter=50, standardize=True, terms=d.terms)
    assert_allclose(got["coef"], ref.coef, rtol=1e-12)
    assert got["iterations"] == 50 and got["method"] == "gd" and "Gram matrix" in got["note"]


def _dask_frame(df: pd.DataFrame, parts: int = 3):
    import dask.dataframe as dd

    return dd.from_pandas(df, npartitions=parts)


# ---------------------------------------------------------------------------
# a 2-worker LocalCluster: the same bits as threads
# ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("distributed")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lc = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
        client = distributed.Client(lc)
    yield client
    client.close()
    lc.close()


@pytest.mark.slow
def test_local_cluster_gives_the_same_bits_as_threads(edgy, cluster):
    df, folder = edgy
    spec = SPECS["terms"]
    res = scale.fit_ols(folder, spec=spec, client=cluster, sample=300)
    ref = scale.fit_ols(folder, spec=spec, client="threads", sample=300)
    assert res.to_dict() == ref.to_dict()
    assert res.diagnostics.to_dict() == ref.diagnostics.to_dict()
    pd.testing.assert_frame_equal(res.sample, ref.sample)
    assert_same_fit(res, fit_design(build_design(df, spec)))
    gd = {c: scale.gradient_descent(folder, spec=spec, learning_rate=0.05, n_iter=200, standardize=True, client=c)
          for c in (cluster, "threads")}
    np.testing.assert_array_equal(gd[cluster].history.coef, gd["threads"].history.coef)


# ---------------------------------------------------------------------------
# memory: a 2e6-row fit holds a few partitions, not the data
# ---------------------------------------------------------------------------
# The child reads no sampler thread: VmHWM at the end is its address space's peak, and the
# resident set after the imports is what the fit starts from. Not ru_maxrss: Linux carries the
# parent's high-water mark across exec, so under a large pytest process it reads the parent's.
MEMORY_CHILD = textwrap.dedent("""
    import glob, json, os, sys
    from linreg import scale
    import dask.dataframe, scipy.linalg, pyarrow.parquet  # imports are not the fit's memory
    def status(field):
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) * 1024 for line in f if line.startswith(field + ":"))
    base = status("VmRSS")
    files = sorted(glob.glob(sys.argv[1] + "/*.parquet"))[: int(sys.argv[2])]
    res = scale.fit_ols(files, "y", client="threads")
    peak = status("VmHWM")
    print(json.dumps({"grown": peak - base, "n": res.n}))
""")
THREADS = 2  # the threaded scheduler's workers on this machine's two cores


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the resident set from /proc")
def test_peak_memory_of_a_2e6_row_fit_is_a_few_partitions(tmp_path):
    # 2e6 rows x 11 float64 columns in 8 files of 250,000 rows (22 MB a partition, 176 MB
    # in all), fitted with the diagnostics pass and sample. The bound: 64 MB (what the
    # first fit imports and the thread pools) plus, per worker thread, 4 partitions (the
    # decoded row group, pyarrow's buffers, the allocators' retained pages) and 6 copies
    # of a chunk (its frame, working block, QR batch and longdouble slices). Measured
    # about 190 MB against this 274 MB; a fit that held every partition would also grow
    # with the rows, which the first assertion catches.
    import pyarrow as pa
    import pyarrow.parquet as pq

    from linreg.scale._fit import CHUNK_ROWS

    rng = np.random.default_rng(0)
    n_files, rows, p = 8, 250_000, 10
    for i in range(n_files):
        X = rng.normal(size=(rows, p))
        table = pa.table({**{f"x{j}": X[:, j] for j in range(p)}, "y": X.sum(axis=1) + rng.normal(size=rows)})
        pq.write_table(table, tmp_path / f"part-{i:02d}.parquet")
    partition = rows * (p + 1) * 8
    chunk = CHUNK_ROWS * (p + 1) * 8

    def grown(files: int) -> int:
        out = subprocess.run([sys.executable, "-c", MEMORY_CHILD, str(tmp_path), str(files)], capture_output=True,
                             text=True, cwd=ROOT, timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT)})
        assert out.returncode == 0, out.stderr
        got = json.loads(out.stdout)
        assert got["n"] == files * rows
        return got["grown"]

    quarter, full = grown(2), grown(n_files)
    assert full < quarter + 2 * partition, f"2 files: +{quarter / 1e6:.0f} MB, 8 files: +{full / 1e6:.0f} MB"
    bound = 64e6 + THREADS * (4 * partition + 6 * chunk)
    assert full < bound, f"grew by {full / 1e6:.0f} MB, above {bound / 1e6:.0f} MB"


# ---------------------------------------------------------------------------
# gradient descent from the Gram matrix of one pass
# ---------------------------------------------------------------------------
GD_CASES = [(name, std, ridge, mom) for name in SPECS for std in (True, False) for ridge, mom in ((0.0, 0.0),
                                                                                                 (0.1, 0.5))]


@pytest.mark.parametrize(("name", "standardize", "ridge", "momentum"), GD_CASES)
def test_full_batch_descent_has_the_in_memory_iterates(edgy, name, standardize, ridge, momentum):
    from linreg.descent import gradient_descent

    df, folder = edgy
    spec = SPECS[name]
    d = build_design(df, spec)
    rate = 0.01 if standardize else 1e-4
    ref = gradient_descent(d.X, d.y, learning_rate=rate, n_iter=300, intercept=d.intercept, standardize=standardize,
                           terms=d.terms, ridge=ridge, momentum=momentum)
    got = scale.gradient_descent(folder, spec=spec, learning_rate=rate, n_iter=300, standardize=standardize,
                                 ridge=ridge, momentum=momentum, client="threads")
    for key in ("coef", "loss", "grad"):
        a, b = getattr(got.history, key), getattr(ref.history, key)
        assert a.shape == b.shape, key
        assert np.max(np.abs(a - b)) <= 1e-12 * np.max(np.abs(b)), key
    assert_allclose(got.coef, ref.coef, rtol=1e-12, atol=1e-12 * np.max(np.abs(ref.coef)))
    assert_allclose(got.eigenvalues, ref.eigenvalues, rtol=1e-12, atol=1e-12 * ref.eigenvalues[-1])
    assert_allclose([got.max_stable_learning_rate, got.optimal_learning_rate, got.loss_min],
                    [ref.max_stable_learning_rate, ref.optimal_learning_rate, ref.loss_min], rtol=1e-12)
    a, b = got.to_dict(), ref.to_dict()
    assert a.keys() == b.keys()
    for key in ("terms", "n", "df_resid", "converged", "diverged", "n_iter", "message", "settings"):
        assert a[key] == b[key], key
    for key in ("rss", "sigma", "r_squared", "adj_r_squared", "final_loss"):
        assert_allclose(a[key], b[key], rtol=1e-12, err_msg=key)
    assert got.n == ref.n and "every one of the 5,979 rows" in got.note
    with pytest.raises(ModelError, match="one value per row"):
        _ = got.X_work
    assert got.summary(target="y").startswith("Method: gradient descent")


def test_descent_reuses_a_fit_and_stops_where_in_memory_does(edgy):
    from linreg.descent import gradient_descent

    df, folder = edgy
    spec = SPECS["plain"]
    fit = scale.fit_ols(folder, spec=spec, client="sync", diagnostics=False)
    d = build_design(df, spec)
    ref = gradient_descent(d.X, d.y, learning_rate=0.5, n_iter=5_000, standardize=True, terms=d.terms)
    got = scale.gradient_descent(folder, spec=spec, learning_rate=0.5, n_iter=5_000, standardize=True, fit=fit,
                                 client="sync")
    assert ref.converged and got.converged and got.n_iter == ref.n_iter
    with pytest.raises(ModelError, match="not of this source and model"):
        scale.gradient_descent(folder, spec=SPECS["terms"], learning_rate=0.1, n_iter=5, fit=fit, client="sync")
    big = gradient_descent(d.X, d.y, learning_rate=3.0, n_iter=50, standardize=True, terms=d.terms)
    out = scale.gradient_descent(folder, spec=spec, learning_rate=3.0, n_iter=50, standardize=True, fit=fit,
                                 client="sync")
    assert big.diverged and out.diverged and out.message == big.message


def test_minibatch_descent_runs_on_a_sample_and_says_so(edgy):
    _, folder = edgy
    got = scale.gradient_descent(folder, spec=SPECS["plain"], learning_rate=0.01, n_iter=40, batch_size=32,
                                 standardize=True, sample=2_000, seed=1, client="threads")
    again = scale.gradient_descent(folder, spec=SPECS["plain"], learning_rate=0.01, n_iter=40, batch_size=32,
                                   standardize=True, sample=2_000, seed=1, client="sync")
    assert 1_500 < got.n < 2_500 and got.history.coef.shape == (41, 3)
    assert got.note.startswith(f"mini-batch descent on an in-memory sample of {got.n:,} of the ")
    np.testing.assert_array_equal(got.history.coef, again.history.coef)
    assert got.X_work.shape == (got.n, 3)  # the sample's rows are at hand
    with pytest.raises(ModelError, match="more than the"):
        scale.gradient_descent(folder, spec=SPECS["plain"], learning_rate=0.01, n_iter=5, batch_size=5_000,
                               sample=100, client="sync")
