"""Learn page: every lesson runs, its widgets drive it, and the numbers shown are linreg's (or by hand)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from linreg.complexity import bootstrap_fits, degree_explorer, polynomial_truth
from linreg.datasets import load_dataset
from linreg.descent import gradient_descent
from linreg.design import ModelSpec, build_design, fit_design
from linreg.exceptions import LinregWarning
from linreg.format import fmt
from linreg.ols import fit_ols
from linreg.penalized import fit_penalized
from linreg.quadratic import hessian_eigenvalues, learning_rate_bounds
from linreg.synthetic import make_data
from tests.app._learn import (
    anscombe_1,
    assert_clean,
    decode,
    figure,
    metrics,
    open_lesson,
    reveal,
)
from ui.settings import N_LESSONS

# ----------------------------------------------------------------------------- lesson 4


def test_lesson_4_reveal_and_open_the_gradient_descent_page_at_the_prepared_state():
    at = open_lesson(4)
    df, _ = load_dataset("cars")
    g = gradient_descent(df[["speed"]].to_numpy(), df["dist"].to_numpy(), learning_rate=0.05, n_iter=50,
                         standardize=True)
    excess = g.final_loss / g.loss_min - 1
    answer = "within 1% of it" if 1e-4 < excess <= 0.01 else None
    assert answer is not None  # the lesson's settings are chosen so the answer is "close but not there"
    reveal(at, 4, answer)
    assert fmt(g.final_loss, 6) in at.success[0].value and fmt(g.loss_min, 6) in at.success[0].value
    at.button(key="learn_open_gd").click().run()
    assert not at.exception
    settings = at.session_state["lr_gd_settings"]
    assert (settings.learning_rate, settings.n_iter, settings.standardize, settings.batch_size) == (0.05, 50, True, None)
    assert "Speed and stopping distance" in at.session_state["lr_source"]
    assert at.session_state["lr_data_source"].kind == "builtin"  # a shareable link can rebuild it
    assert at.title[0].value.endswith("Gradient descent")


# ----------------------------------------------------------------------------- lesson 5


def test_lesson_5_just_below_oscillates_and_above_diverges():
    at = open_lesson(5)
    x, y = anscombe_1()
    m = metrics(at)
    lam_max = hessian_eigenvalues(np.column_stack([np.ones(11), (x - x.mean()) / x.std()]))[-1]
    assert m["λ_max"] == fmt(lam_max)
    assert m["Stable bound 2/λ_max"] == fmt(2 / lam_max)
    assert m["Factor 1 − ηλ_max"] == fmt(1 - 0.95 * (2 / lam_max) * lam_max)
    err = decode(figure(at)["data"][0]["y"])
    assert np.all(np.sign(err[1:]) != np.sign(err[:-1]))  # the slope overshoots at every step
    at.select_slider(key="learn_factor").set_value(1.05).run()
    assert at.error and "Diverged" in at.error[0].value
    at.checkbox(key="learn_lr_std").uncheck().run()
    max_stable, _ = learning_rate_bounds(x[:, None])
    assert metrics(at)["η used"] == fmt(1.05 * max_stable)
    at.select_slider(key="learn_factor").set_value(0.9).run()
    assert_clean(at)
    reveal(at, 5, "diverges")
    g = gradient_descent(x[:, None], y, learning_rate=1.05 * max_stable, n_iter=60)
    assert fmt(g.final_loss) in at.success[0].value


# ----------------------------------------------------------------------------- lesson 6


def test_lesson_6_raw_needs_many_more_iterations_than_standardized():
    at = open_lesson(6)
    at.selectbox(key="learn_ds_6").set_value("cars").run()
    assert_clean(at)
    assert not at.dataframe  # the runs are shown only after the guess
    df, _ = load_dataset("cars")
    X, y = df[["speed"]].to_numpy(), df["dist"].to_numpy()
    runs = {}
    for s in (False, True):
        _, opt = learning_rate_bounds(X, standardize=s)
        runs[s] = gradient_descent(X, y, learning_rate=opt, n_iter=100_000, standardize=s, tol=1e-8)
    assert runs[False].n_iter > 100 * runs[True].n_iter
    reveal(at, 6, "more than 100 times as many")
    assert f"{runs[False].n_iter:,}" in at.success[0].value
    table = at.dataframe[0].value.set_index("quantity")
    assert table.loc["iterations run"].tolist() == [f"{runs[False].n_iter:,}", f"{runs[True].n_iter:,}"]
    assert len(at.get("plotly_chart")) == 1


# ----------------------------------------------------------------------------- lesson 7


def test_lesson_7_anscombe_same_line_different_residuals():
    at = open_lesson(7)
    table = at.dataframe[0].value
    for k in (1, 2, 3, 4):
        df, _ = load_dataset(f"anscombe_{k}")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", LinregWarning)
            r = fit_ols(df[["x"]].to_numpy(), df["y"].to_numpy())
        assert table["slope"].iloc[k - 1] == fmt(r.coef[1], 4)
        assert table["R²"].iloc[k - 1] == fmt(r.r_squared, 3)
    assert len(at.get("plotly_chart")) == 1
    reveal(at, 7, "set II")
    assert at.info and "set I" in at.info[0].value
    assert len(at.get("plotly_chart")) == 2  # the scatter plots appear with the answer


# ----------------------------------------------------------------------------- lesson 8


def test_lesson_8_design_columns_and_fit_follow_the_terms():
    at = open_lesson(8)
    at.checkbox(key="learn_sq_categorical").check().run()
    at.checkbox(key="learn_inter_categorical").check().run()
    assert_clean(at)
    sd = make_data("categorical", n=90, seed=0)
    spec = ModelSpec("y", features=("x", "group"), categorical=("group",), poly=(("x", 2),),
                     interactions=(("x", "group"),))
    design = build_design(sd.data, spec)
    r = fit_design(design)
    preview = at.dataframe[0].value
    assert preview.columns.tolist() == ["(ones)", *design.terms]
    np.testing.assert_array_equal(preview.to_numpy()[:, 1:], design.X[:6])
    coef = at.dataframe[1].value
    assert coef["term"].tolist() == list(r.terms)
    assert coef["estimate"].tolist() == [fmt(v, 5) for v in r.coef]
    assert metrics(at)["R²"] == fmt(r.r_squared)
    reveal(at, 8, "yes")
    assert at.success
    at.selectbox(key="learn_terms_kind").set_value("polynomial").run()
    assert_clean(at)
    assert at.dataframe[0].value.columns.tolist() == ["(ones)", "x", "x^2"]


# ----------------------------------------------------------------------------- lesson 9


def test_lesson_9_bootstrap_numbers_are_linregs():
    at = open_lesson(9)
    at.slider(key="learn_bv_degree").set_value(3).run()
    assert_clean(at)
    sd = make_data("polynomial", n=40, seed=1, degree=3, noise=2.0, coef=(-2.0, 0.0, 0.5))
    x, y = sd.data["x"].to_numpy(), sd.data["y"].to_numpy()
    ex = degree_explorer(x, y, max_degree=10, seed=1)
    assert ex.best_degree == 3  # the default seed tells the story cleanly
    assert any(f"least at degree 3 ({fmt(ex.test_mse[2])}" in c.value for c in at.caption)
    boot = bootstrap_fits(x, y, degree=3, n_boot=200, seed=1, truth=lambda g: polynomial_truth(sd.coef, g))
    m = metrics(at)
    assert m["Variance (mean over x)"] == fmt(boot.mean_variance)
    assert m["Squared bias (mean over x)"] == fmt(boot.mean_bias_sq)
    low = bootstrap_fits(x, y, degree=1, n_boot=200, seed=1, truth=lambda g: polynomial_truth(sd.coef, g))
    high = bootstrap_fits(x, y, degree=9, n_boot=200, seed=1, truth=lambda g: polynomial_truth(sd.coef, g))
    assert high.mean_variance > low.mean_variance and low.mean_bias_sq > high.mean_bias_sq
    reveal(at, 9, "degree 9")
    assert fmt(low.mean_variance) in at.success[0].value


# ----------------------------------------------------------------------------- lesson 10


def test_lesson_10_ridge_and_lasso_coefficients_are_linregs():
    at = open_lesson(10)
    at.select_slider(key="learn_lambda").set_value(1.0).run()
    assert_clean(at)
    sd = make_data("collinear", n=40, seed=1, p=4, correlation=0.9, noise=2.0)
    X, y = sd.data[["x1", "x2", "x3", "x4"]].to_numpy(), sd.data["y"].to_numpy()
    ridge = fit_penalized(X, y, lam=1.0, l1_ratio=0.0, standardize=True)
    lasso = fit_penalized(X, y, lam=1.0, l1_ratio=1.0, standardize=True)
    table = at.dataframe[0].value
    assert table["ridge"].tolist() == [fmt(v, 4) for v in ridge.coef]
    assert table["lasso"].tolist() == [fmt(v, 4) for v in lasso.coef]
    assert metrics(at)["Training MSE, lasso"] == fmt(lasso.mse)
    reveal(at, 10, "lasso")
    assert at.success


@pytest.mark.parametrize("n", range(1, 11))
def test_every_lesson_has_a_link_to_try_it_on_your_own_data(n):
    at = open_lesson(n)
    links = at.get("page_link")
    assert any("Try it on your own data" in link.proto.label for link in links)


def test_the_lessons_are_those_a_link_can_name():
    at = open_lesson(1)
    # ui.share validates a link's lesson against N_LESSONS; the page must offer exactly those.
    numbers = [int(o.split(".", 1)[0]) for o in at.selectbox(key="learn_lesson").options]
    assert numbers == list(range(1, N_LESSONS + 1))


def test_the_lesson_survives_a_page_switch():
    at = open_lesson(7)
    at.switch_page("pages/fit.py").run()
    at.switch_page("pages/learn.py").run()
    assert_clean(at)
    assert at.selectbox(key="learn_lesson").value == 7
    assert at.header[0].value == "7. Residuals tell the truth"
