"""Nested-model F tests against statsmodels, the smaller model of a design, and every refusal."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from numpy.testing import assert_allclose
from statsmodels.stats.anova import anova_lm

from linreg.design import ModelSpec, build_design, fit_design
from linreg.exceptions import ModelError, RankDeficiencyWarning
from linreg.nested import ModelComparison, compare_models, comparison_text, fit_without, terms_without
from linreg.ols import fit_ols


def _problem(seed: int):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(15, 200))
    p = int(rng.integers(2, 7))
    X = rng.normal(size=(n, p)) * rng.uniform(0.1, 10.0, size=p)
    coef = rng.normal(size=p) * (rng.uniform(size=p) < 0.6)
    y = 3.0 + X @ coef + rng.normal(size=n) * rng.uniform(0.2, 3.0)
    q = int(rng.integers(0, p))  # the smaller model keeps the first q columns
    return X, y, q


@pytest.mark.parametrize("seed", range(100))
def test_matches_statsmodels_compare_f_test(seed):
    X, y, q = _problem(seed)
    small, large = fit_ols(X[:, :q], y), fit_ols(X, y)
    got = compare_models(small, large)
    sm_small = sm.OLS(y, sm.add_constant(X[:, :q], has_constant="add")).fit()
    sm_large = sm.OLS(y, sm.add_constant(X)).fit()
    f, p, df_diff = sm_large.compare_f_test(sm_small)
    assert_allclose([got.f_statistic, got.p_value], [f, p], rtol=1e-8, atol=1e-300)
    assert got.df_num == df_diff == X.shape[1] - q
    assert got.df_den == len(y) - X.shape[1] - 1
    assert_allclose([got.rss_smaller, got.rss_larger], [sm_small.ssr, sm_large.ssr], rtol=1e-10)
    assert_allclose(got.delta_r_squared, sm_large.rsquared - sm_small.rsquared, rtol=1e-8, atol=1e-13)
    assert got.added_terms == tuple(f"x{j + 1}" for j in range(q, X.shape[1]))


@pytest.mark.parametrize("seed", [0, 5, 42])
def test_matches_statsmodels_anova_lm_with_a_categorical_and_a_polynomial(seed):
    rng = np.random.default_rng(seed)
    n = 80
    df = pd.DataFrame({"x": rng.uniform(0, 5, n), "z": rng.normal(size=n), "g": rng.choice(["a", "b", "c"], n)})
    df["y"] = 1 + df.x - 0.3 * df.x**2 + (df.g == "b") * 0.8 + rng.normal(size=n)
    design = build_design(df, ModelSpec("y", features=("x", "z", "g"), categorical=("g",), poly=(("x", 2),),
                                        interactions=(("g", "z"),)))
    large = fit_design(design)
    small = fit_without(design, ["g", "g:z"])
    got = compare_models(small, large)
    m_small = sm.OLS.from_formula("y ~ x + I(x**2) + z", df).fit()
    m_large = sm.OLS.from_formula("y ~ x + I(x**2) + z + C(g) + C(g):z", df).fit()
    table = anova_lm(m_small, m_large)
    assert_allclose([got.rss_smaller, got.rss_larger], table["ssr"], rtol=1e-10)
    assert_allclose([got.f_statistic, got.p_value], table[["F", "Pr(>F)"]].iloc[1], rtol=1e-8)
    assert got.df_num == table["df_diff"].iloc[1] == 4
    assert got.added_terms == ("g[b]", "g[c]", "g[b]:z", "g[c]:z")


def test_tiny_exact_case():
    # y on a constant against y on x: F = (TSS - RSS) / (RSS / (n - 2)), by hand.
    x = np.arange(6.0)
    y = np.array([0.0, 1.0, 1.0, 3.0, 2.0, 5.0])
    got = compare_models(fit_ols(np.empty((6, 0)), y), fit_ols(x, y))
    tss = float(np.sum((y - y.mean()) ** 2))
    slope = np.sum((x - x.mean()) * (y - y.mean())) / np.sum((x - x.mean()) ** 2)
    rss = float(np.sum((y - y.mean() - slope * (x - x.mean())) ** 2))
    assert_allclose(got.f_statistic, (tss - rss) / (rss / 4), rtol=1e-12)
    assert_allclose(got.sum_of_squares, tss - rss, rtol=1e-12)
    assert isinstance(got, ModelComparison) and got.to_dict()["df_num"] == 1


def test_fit_without_keeps_the_rows_and_the_basis():
    rng = np.random.default_rng(3)
    n = 50
    df = pd.DataFrame({"x": rng.uniform(1000, 1001, n), "z": rng.normal(size=n), "g": rng.choice(["a", "b"], n)})
    df["y"] = df.x * 0.5 + df.z + rng.normal(size=n)
    full = build_design(df, ModelSpec("y", categorical=("g",), poly=(("x", 3),)))
    smaller = fit_without(full, ["z"])
    assert smaller.terms == ("Intercept", "x", "x^2", "x^3", "g[b]")
    direct = fit_design(build_design(df, ModelSpec("y", features=("x", "g"), categorical=("g",), poly=(("x", 3),))))
    # The basis was kept: the same digits as fitting the smaller model from its own design.
    assert_allclose(smaller.coef, direct.coef, rtol=1e-9)
    without_cube = fit_without(full, ["x^3"])
    assert without_cube.terms == ("Intercept", "x", "x^2", "z", "g[b]")
    assert_allclose(without_cube.rss, fit_ols(full.X[:, [0, 1, 3, 4]], full.y).rss, rtol=1e-6)


def test_terms_without_names_columns_interactions_and_the_intercept():
    df = pd.DataFrame({"y": [1.0, 2, 4, 3, 6, 5, 7, 8], "x": [1.0, 2, 3, 4, 5, 6, 7, 8], "g": list("abcabcab")})
    d = build_design(df, ModelSpec("y", categorical=("g",), interactions=(("g", "x"),)))
    assert d.terms == ("x", "g[b]", "g[c]", "g[b]:x", "g[c]:x")
    assert terms_without(d, ["g"]) == ("Intercept", "x", "g[b]:x", "g[c]:x")
    assert terms_without(d, ["g:x"]) == ("Intercept", "x", "g[b]", "g[c]")
    assert terms_without(d, ["g[c]:x", "Intercept"]) == ("x", "g[b]", "g[c]", "g[b]:x")
    with pytest.raises(ModelError, match=r"'w' is not a term of the model; the terms are: Intercept, x, g\[b\]"):
        terms_without(d, ["w"])
    with pytest.raises(ModelError, match="at least one term"):
        terms_without(d, [])


def test_refuses_models_that_are_not_nested():
    X, y, _ = _problem(1)
    a = fit_ols(X[:, [0]], y, terms=["a"])
    b = fit_ols(X[:, [1]], y, terms=["b"])
    with pytest.raises(ModelError, match="not nested: the smaller model's terms a are not in the larger"):
        compare_models(a, b)
    with pytest.raises(ModelError, match="same terms"):
        compare_models(a, fit_ols(X[:, [0]], y, terms=["a"]))
    with pytest.raises(ModelError, match="not nested.*Intercept"):
        compare_models(fit_ols(X[:, [0]], y), fit_ols(X[:, :2], y, intercept=False))
    # Same name, other values: not the same term.
    with pytest.raises(ModelError, match="the term 'x1' holds different values"):
        compare_models(fit_ols(X[:, [0]] * 2, y), fit_ols(X[:, :2], y))
    with pytest.raises(ModelError, match="must be an OLSResult"):
        compare_models("small", b)


def test_refuses_models_fitted_to_other_rows():
    X, y, _ = _problem(2)
    with pytest.raises(ModelError, match=f"different rows: the smaller to {len(y) - 1}, the larger to {len(y)}"):
        compare_models(fit_ols(X[1:, :1], y[1:]), fit_ols(X, y))
    with pytest.raises(ModelError, match="different targets: y differs first at row 0"):
        compare_models(fit_ols(X[:, :1], y + 1), fit_ols(X, y))


def test_refuses_a_larger_model_that_adds_only_aliased_terms():
    X, y, _ = _problem(4)
    with pytest.warns(RankDeficiencyWarning):
        large = fit_ols(np.column_stack([X[:, :2], X[:, 0] + X[:, 1]]), y)
    with pytest.raises(ModelError, match=r"adds no estimable parameter: its extra terms \(x3\) are aliased"):
        compare_models(fit_ols(X[:, :2], y), large)


def test_the_text_reads_like_r_anova():
    x = np.arange(8.0)
    y = np.array([1.0, 1.8, 3.5, 3.9, 6.2, 6.8, 8.1, 9.9])
    small, large = fit_ols(np.empty((8, 0)), y), fit_ols(x, y, terms=["x"])
    text = comparison_text(compare_models(small, large), small.terms, large.terms, target="dist")
    lines = text.splitlines()
    assert lines[0] == "Analysis of Variance Table"
    assert lines[2:4] == ["Model 1: dist ~ 1", "Model 2: dist ~ x"]
    assert lines[4].split() == ["Res.Df", "RSS", "Df", "Sum", "of", "Sq", "F", "Pr(>F)"]
    assert lines[6].split()[:3] == ["2", "6", f"{large.rss:.5g}"] and lines[6].split()[-1] == "***"
    assert "change 0.9862 from adding x" in lines[-1]
    no_intercept = fit_ols(x, y, terms=["x"], intercept=False)
    c = compare_models(no_intercept, large)
    assert math.isnan(c.delta_r_squared) and "not comparable" in comparison_text(c, no_intercept.terms, large.terms)
