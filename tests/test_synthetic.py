"""linreg.synthetic: seeded, reproducible, and the truth is recoverable by least squares."""

from __future__ import annotations

import inspect

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from linreg.exceptions import ModelError
from linreg.synthetic import GENERATOR_PARAMS, GENERATORS, SyntheticData, make_data

KINDS = sorted(GENERATORS)


def design_of(sd: SyntheticData) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Build the design the spec hint asks for, by hand (independent of linreg.design)."""
    hint = sd.spec_hint
    df = sd.data
    poly = dict(hint.get("poly", ()))
    cols, names = [np.ones(len(df))], ["Intercept"]
    for feature in hint["features"]:
        if feature in hint.get("categorical", ()):
            levels = sorted(df[feature].unique())
            for level in levels[1:]:
                cols.append((df[feature] == level).to_numpy(dtype=float))
                names.append(f"{feature}[{level}]")
        else:
            x = df[feature].to_numpy()
            for j in range(1, poly.get(feature, 1) + 1):
                cols.append(x**j)
                names.append(feature if j == 1 else f"{feature}^{j}")
    return np.column_stack(cols), df[sd.target].to_numpy(), names


def fitted_coef(sd: SyntheticData) -> dict[str, float]:
    X, y, names = design_of(sd)
    coef, *_ = np.linalg.lstsq(X, y, rcond=None)
    return dict(zip(names, coef, strict=True))


@pytest.mark.parametrize("kind", KINDS)
def test_same_seed_same_data_different_seed_different_data(kind):
    a = make_data(kind, n=50, seed=3)
    b = make_data(kind, n=50, seed=3)
    c = make_data(kind, n=50, seed=4)
    pd.testing.assert_frame_equal(a.data, b.data)
    assert a.coef == b.coef and a.special_rows == b.special_rows
    assert not a.data[a.target].equals(c.data[c.target])


@pytest.mark.parametrize("kind", KINDS)
def test_generator_seed_is_accepted(kind):
    a = make_data(kind, n=40, seed=np.random.default_rng(11))
    b = make_data(kind, n=40, seed=np.random.default_rng(11))
    pd.testing.assert_frame_equal(a.data, b.data)
    assert make_data(kind, n=40, seed=None).data.shape == a.data.shape


@pytest.mark.parametrize("kind", KINDS)
def test_shape_names_and_truth_keys_match_the_terms(kind):
    sd = make_data(kind, n=60, seed=0)
    assert isinstance(sd, SyntheticData)
    assert len(sd.data) == 60 and sd.target in sd.data.columns
    _, _, names = design_of(sd)
    assert list(sd.coef) == names, (list(sd.coef), names)
    assert sd.spec_hint["target"] == sd.target
    assert sd.description and sd.params["n"] == 60 and sd.params["seed"] == 0
    for column in sd.data.columns:
        assert sd.data[column].dtype == np.float64 or column == "group"


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_truth_is_recovered_without_noise(kind, seed):
    params = {"noise": 0.0}
    if kind == "outliers":
        params["fraction"] = 0.0
    if kind == "leverage":
        params["y_shift"] = 0.0
    if kind == "collinear":
        params["correlation"] = 0.5
    sd = make_data(kind, n=40, seed=seed, **params)
    got = fitted_coef(sd)
    for term, value in sd.coef.items():
        assert_allclose(got[term], value, rtol=1e-8, atol=1e-8, err_msg=f"{kind} {term}")


@pytest.mark.parametrize("kind", KINDS)
def test_truth_is_recovered_with_noise_on_many_rows(kind):
    sd = make_data(kind, n=20_000, seed=5, **({"fraction": 0.0} if kind == "outliers" else {}))
    got = fitted_coef(sd)
    for term, value in sd.coef.items():
        # With n = 20,000 and unit noise the standard errors are about 0.01-0.05.
        assert abs(got[term] - value) < 0.25, (kind, term, got[term], value)


def test_linear_exact_tiny_case_and_custom_coefficients():
    sd = make_data("linear", n=5, seed=0, p=3, noise=0.0, intercept=-1.0, coef=[1.0, 2.0, -3.0])
    assert list(sd.data.columns) == ["x1", "x2", "x3", "y"]
    assert sd.coef == {"Intercept": -1.0, "x1": 1.0, "x2": 2.0, "x3": -3.0}
    d = sd.data
    assert_allclose(d["y"], -1 + d["x1"] + 2 * d["x2"] - 3 * d["x3"], rtol=1e-14)
    assert ((d[["x1", "x2", "x3"]] >= 0) & (d[["x1", "x2", "x3"]] <= 10)).all().all()


def test_linear_default_slopes_pattern():
    assert make_data("linear", n=5, seed=0, p=3, slope=6.0).coef == {
        "Intercept": 2.0, "x1": 6.0, "x2": -3.0, "x3": 2.0,
    }


def test_polynomial_terms_and_hint():
    sd = make_data("polynomial", n=30, seed=1, degree=3, coef=[0.5, -1.0, 2.0])
    assert sd.coef == {"Intercept": 1.0, "x": 0.5, "x^2": -1.0, "x^3": 2.0}
    assert sd.spec_hint["poly"] == (("x", 3),)


def test_heteroscedastic_spread_grows_with_x():
    sd = make_data("heteroscedastic", n=20_000, seed=0, noise=0.5, growth=1.0, intercept=1.0, slope=2.0)
    x, y = sd.data["x"].to_numpy(), sd.data["y"].to_numpy()
    resid = y - (1.0 + 2.0 * x)
    low, high = resid[x < 2].std(), resid[x > 8].std()
    assert_allclose(low, 0.5 * (1 + 1.0), rtol=0.1)  # SD at x ~ 1
    assert_allclose(high, 0.5 * (1 + 9.0), rtol=0.1)  # SD at x ~ 9
    assert high > 4 * low


def test_outliers_are_where_it_says_and_as_big():
    sd = make_data("outliers", n=200, seed=2, fraction=0.1, size=50.0, noise=0.0, intercept=0.0, slope=1.0)
    off = np.abs(sd.data["y"] - sd.data["x"]).to_numpy()
    assert len(sd.special_rows) == 20
    assert_allclose(off[list(sd.special_rows)], 50.0)
    assert_allclose(np.delete(off, sd.special_rows), 0.0, atol=1e-12)


def test_leverage_point_is_last_and_far_out():
    sd = make_data("leverage", n=30, seed=0, x_position=100.0, y_shift=-40.0, noise=0.0)
    assert sd.special_rows == (29,)
    x, y = sd.data["x"].to_numpy(), sd.data["y"].to_numpy()
    assert x[-1] == 100.0 and x[:-1].max() <= 10.0
    assert_allclose(y[-1], 1.0 + 2.0 * 100.0 - 40.0)
    X = np.column_stack([np.ones(30), x])
    leverage = np.sum(np.linalg.qr(X)[0] ** 2, axis=1)
    assert leverage.argmax() == 29 and leverage[-1] > 0.8


@pytest.mark.parametrize("rho", [0.0, 0.5, 0.95])
def test_collinear_correlation_is_as_chosen(rho):
    sd = make_data("collinear", n=20_000, seed=1, p=3, correlation=rho)
    corr = np.corrcoef(sd.data[["x1", "x2", "x3"]].to_numpy(), rowvar=False)
    off_diagonal = corr[~np.eye(3, dtype=bool)]
    assert_allclose(off_diagonal, rho, atol=0.03)


def test_collinear_at_one_is_exactly_collinear():
    sd = make_data("collinear", n=20, seed=0, correlation=1.0)
    assert_allclose(sd.data["x1"], sd.data["x2"], rtol=0, atol=0)


def test_categorical_groups_all_present_and_effects():
    sd = make_data("categorical", n=7, seed=0, groups=7, group_effect=1.0, effects=None)
    assert sorted(sd.data["group"]) == list("abcdefg")
    assert sd.coef["group[g]"] == 6.0
    custom = make_data("categorical", n=20, seed=0, groups=3, effects=[-1.0, 5.0])
    assert custom.coef == {"Intercept": 1.0, "x": 1.5, "group[b]": -1.0, "group[c]": 5.0}
    assert pd.api.types.is_string_dtype(custom.data["group"])
    assert custom.spec_hint["categorical"] == ("group",)


def test_generator_params_are_well_formed_and_defaults_work():
    assert set(GENERATOR_PARAMS) == set(GENERATORS) == {
        "linear", "polynomial", "heteroscedastic", "outliers", "leverage", "collinear", "categorical",
    }
    for kind, knobs in GENERATOR_PARAMS.items():
        for name, (default, low, high, help_text) in knobs.items():
            assert type(default) is type(low) is type(high), (kind, name)
            assert low <= default <= high and help_text, (kind, name)
        defaults = {name: spec[0] for name, spec in knobs.items()}
        assert len(make_data(kind, seed=0, **defaults).data) == defaults["n"]


@pytest.mark.parametrize("kind", KINDS)
def test_signature_defaults_are_the_table_defaults(kind):
    # A generator's explicit keywords (for help() and editors) repeat the table's defaults:
    # the two must not drift apart, or the app and a script would draw different data.
    params = inspect.signature(GENERATORS[kind]).parameters
    for name, (default, *_rest) in GENERATOR_PARAMS[kind].items():
        assert params[name].default == default and type(params[name].default) is type(default), (kind, name)


@pytest.mark.parametrize("kind", KINDS)
def test_every_knob_accepts_its_bounds(kind):
    for name, (_, low, high, _) in GENERATOR_PARAMS[kind].items():
        if name == "n":
            continue
        for value in (low, high):
            sd = make_data(kind, n=20, seed=0, **{name: value})
            assert sd.params[name] == value
            assert np.isfinite(sd.data.select_dtypes("number").to_numpy()).all()


# ---------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------

def test_unknown_kind_lists_the_kinds():
    with pytest.raises(ModelError, match=r"kind must be one of \('linear', 'polynomial'.*'categorical'\); got 'spline'"):
        make_data("spline")


@pytest.mark.parametrize(
    ("kind", "params", "match"),
    [
        ("linear", {"n": 4}, r"n must be between 5 and 1000000 for linear data; got 4"),
        ("linear", {"n": 2_000_000}, r"n must be between 5 and 1000000"),
        ("linear", {"p": 11}, r"p must be between 1 and 10"),
        ("linear", {"p": 2.5}, r"p must be a whole number; got 2.5"),
        ("linear", {"noise": -1.0}, r"noise must be between 0.0 and 100.0"),
        ("linear", {"noise": float("nan")}, r"noise must be a finite number"),
        ("linear", {"noise": "loud"}, r"noise must be a number; got 'loud'"),
        ("linear", {"noise": True}, r"noise must be a number"),
        ("linear", {"p": 2, "coef": [1.0]}, r"coef for linear data must have 2 values; got 1"),
        ("linear", {"coef": ["a"]}, r"coef must be a sequence of 1 numbers"),
        ("linear", {"coef": [np.inf]}, r"coef must be finite numbers"),
        ("linear", {"degree": 2}, r"linear data has no parameter 'degree'; its parameters are \['coef', 'intercept', 'n'"),
        ("polynomial", {"degree": 0}, r"degree must be between 1 and 6"),
        ("polynomial", {"degree": 2, "coef": [1, 2, 3]}, r"coef for polynomial data must have 2 values"),
        ("outliers", {"fraction": 0.6}, r"fraction must be between 0.0 and 0.5"),
        ("collinear", {"correlation": 1.5}, r"correlation must be between 0.0 and 1.0"),
        ("collinear", {"correlation": -0.5}, r"correlation must be between 0.0 and 1.0"),
        ("categorical", {"groups": 1}, r"groups must be between 2 and 10"),
        ("categorical", {"n": 5, "groups": 6}, r"at least one row per group: n = 5 < groups = 6; raise n"),
        ("categorical", {"groups": 3, "effects": [1.0]}, r"effects for categorical data must have 2 values"),
        ("leverage", {"x_position": 5.0}, r"x_position must be between 10.0 and 1000.0"),
        ("heteroscedastic", {"growth": 11.0}, r"growth must be between 0.0 and 10.0"),
    ],
)
def test_bad_parameters_raise_model_error(kind, params, match):
    with pytest.raises(ModelError, match=match):
        make_data(kind, seed=0, **params)


def test_integral_floats_are_accepted_for_int_knobs():
    sd = make_data("linear", n=10.0, seed=0, p=2.0)
    assert sd.data.shape == (10, 3) and isinstance(sd.params["p"], int)


@pytest.mark.parametrize("kind", list(GENERATORS))
def test_a_call_without_a_seed_uses_the_default_seed_0(kind):
    from linreg.synthetic import DEFAULT_SEED

    assert DEFAULT_SEED == 0
    a, b = make_data(kind, n=30), make_data(kind, n=30, seed=0)
    pd.testing.assert_frame_equal(a.data, b.data)
    assert a.params["seed"] == 0
    assert GENERATORS[kind](30).params["seed"] == 0
    pd.testing.assert_frame_equal(GENERATORS[kind](30).data, b.data)
    # Fresh entropy only when asked for by name.
    assert make_data(kind, n=30, seed=None).params["seed"] is None
