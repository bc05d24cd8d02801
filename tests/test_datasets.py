"""linreg.datasets: the built-in data reproduce their published summary numbers."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from linreg.datasets import DATASETS, DatasetInfo, load_dataset
from linreg.exceptions import LinregError, ModelError


def _ols(df, target, features):
    """Least squares with an intercept, by numpy (an independent check of the data, not of linreg)."""
    X = np.column_stack([np.ones(len(df))] + [df[c].to_numpy() for c in features])
    y = df[target].to_numpy()
    coef, *_ = np.linalg.lstsq(X, y, rcond=None)
    resid = y - X @ coef
    r2 = 1 - resid @ resid / np.sum((y - y.mean()) ** 2)
    sigma = np.sqrt(resid @ resid / (len(y) - X.shape[1]))
    return coef, r2, sigma


@pytest.mark.parametrize("k", [1, 2, 3, 4])
def test_anscombe_shares_the_published_summaries(k):
    # Anscombe (1973), p. 17: n = 11, mean x = 9.0, mean y = 7.5, regression y = 3 + 0.5 x,
    # sum of squares of x about its mean 110.0, regression SS 27.50, residual SS 13.75, r = 0.82, R^2 = 0.67.
    df, info = load_dataset(f"anscombe_{k}")
    assert df.shape == (11, 2) and list(df.columns) == ["x", "y"]
    assert (info.target, info.features) == ("y", ("x",))
    x, y = df["x"].to_numpy(), df["y"].to_numpy()
    assert x.mean() == 9.0
    assert round(y.mean(), 2) == 7.50
    assert_allclose(np.sum((x - 9) ** 2), 110.0)
    coef, r2, _ = _ols(df, "y", ["x"])
    assert_allclose(coef, [3.00, 0.500], atol=0.003)
    assert round(r2, 2) == 0.67
    r = float(np.corrcoef(x, y)[0, 1])
    assert round(r, 2) == 0.82 and r == pytest.approx(0.816, abs=0.001)
    rss = np.sum((y - (coef[0] + coef[1] * x)) ** 2)
    assert rss == pytest.approx(13.75, abs=0.03)


def test_anscombe_exact_published_fits():
    # R: coef(lm(y1 ~ x1, anscombe)) = 3.0001, 0.5001; y2: 3.001, 0.500; y3: 3.0025, 0.4997; y4: 3.0017, 0.4999.
    expected = {1: (3.0001, 0.5001), 2: (3.0009, 0.5000), 3: (3.0025, 0.4997), 4: (3.0017, 0.4999)}
    for k, want in expected.items():
        df, _ = load_dataset(f"anscombe_{k}")
        assert_allclose(_ols(df, "y", ["x"])[0], want, atol=6e-5)


def test_anscombe_4_is_one_leverage_point():
    df, _ = load_dataset("anscombe_4")
    assert sorted(df["x"].unique()) == [8.0, 19.0]
    assert df["x"].tolist().index(19.0) == 7 and df["y"].iloc[7] == 12.50


def test_cars_matches_r():
    # R: summary(lm(dist ~ speed, cars)): -17.5791 (6.7584), 3.9324 (0.4155); sigma 15.38 on 48 df;
    # R^2 0.6511; mean speed 15.4, mean dist 42.98.
    df, info = load_dataset("cars")
    assert df.shape == (50, 2)
    assert (info.target, info.features) == ("dist", ("speed",))
    assert df["speed"].mean() == pytest.approx(15.4) and df["dist"].mean() == pytest.approx(42.98)
    coef, r2, sigma = _ols(df, "dist", ["speed"])
    assert_allclose(coef, [-17.5791, 3.9324], atol=5e-5)
    assert round(r2, 4) == 0.6511
    assert round(sigma, 2) == 15.38


def test_stackloss_matches_r():
    # R: lm(stack.loss ~ ., stackloss): -39.9197, 0.7156, 1.2953, -0.1521; sigma 3.243 on 17 df; R^2 0.9136.
    df, info = load_dataset("stackloss")
    assert df.shape == (21, 4)
    coef, r2, sigma = _ols(df, info.target, list(info.features))
    assert_allclose(coef, [-39.9197, 0.7156, 1.2953, -0.1521], atol=5e-5)
    assert round(r2, 4) == 0.9136
    assert round(sigma, 3) == 3.243
    assert df["stack_loss"].sum() == 368


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_every_dataset_is_complete_and_self_describing(name):
    df, info = load_dataset(name)
    assert isinstance(info, DatasetInfo) and info.name == name and DATASETS[name] is info
    assert info.title and info.description and info.source
    assert set(info.features) | {info.target} <= set(df.columns)
    assert all(df[c].dtype == np.float64 for c in df.columns)
    assert np.isfinite(df.to_numpy()).all()


def test_at_least_four_anscombe_and_two_others():
    names = set(DATASETS)
    assert {"anscombe_1", "anscombe_2", "anscombe_3", "anscombe_4"} <= names
    assert len(names - {"anscombe_1", "anscombe_2", "anscombe_3", "anscombe_4"}) >= 2


def test_each_call_returns_a_fresh_copy():
    df, _ = load_dataset("cars")
    df.loc[0, "dist"] = -1.0
    assert load_dataset("cars")[0].loc[0, "dist"] == 2.0


def test_unknown_dataset_lists_the_names():
    with pytest.raises(ModelError, match=r"dataset must be one of \('anscombe_1'.*'cars'.*got 'iris'"):
        load_dataset("iris")
    assert issubclass(ModelError, LinregError)
