"""Every cached call into linreg for the current data: designs, fits, descents, penalties, diagnostics.

Each cached function is pure: its result depends only on its arguments, and the unhashed
``_df`` is determined by ``key`` (its content hash, ``ui.sources.data_key``), so a cached
function never reads anything its cache key does not cover. They call ``linreg`` and
nothing else. The public functions below read the session's data, model and settings and
call them; they raise ``linreg.exceptions.LinregError`` when the data or model cannot be
used, and pages show it with ``ui.widgets.show_error``.

The Learn page's own cached calls are in ``ui.lesson_cache``.
"""

from __future__ import annotations

import warnings
from dataclasses import fields, is_dataclass
from types import MappingProxyType

import numpy as np
import pandas as pd
import streamlit as st

from linreg.exceptions import LinregError, LinregWarning

from . import session
from .settings import GDSettings

# The caches are shared by every session of the server. On a public demo one large upload's fit can
# weigh ~100 MB, so entries expire a while after their last use and each cache holds a few: memory
# comes back after the visitors leave.
CACHE_TTL = "20m"
# Streamlit hashes a dataclass argument field by field, a deep copy walked value by value. The model
# and the GD settings are frozen, made of strings, numbers and tuples of those, so their repr is the
# same exactly when they are.
CACHE_HASH = MappingProxyType({"linreg.design.ModelSpec": repr, GDSettings: repr})

# Cached functions are called with keyword arguments: for a positional one Streamlit looks up the
# parameter's name with inspect.signature, uncached, on every call.


def _read_only(value):
    """``value`` with every numpy array in it (fields of dataclasses, items of containers) read-only.

    A result in st.cache_resource is one object that every session reads: a page writing into
    one of its arrays would change it for everyone, so such a write raises instead.
    """
    if isinstance(value, np.ndarray):
        value.flags.writeable = False
    elif is_dataclass(value) and not isinstance(value, type):
        for f in fields(value):
            _read_only(getattr(value, f.name))
    elif isinstance(value, (tuple, list)):
        for item in value:
            _read_only(item)
    elif isinstance(value, dict):
        for item in value.values():
            _read_only(item)
    return value


# The design, the fit and the descent run hold arrays of N rows, read several times a rerun:
# st.cache_data would unpickle a copy at every call, so they are shared (st.cache_resource),
# with read-only arrays.
@st.cache_resource(show_spinner=False, max_entries=8, ttl=CACHE_TTL, hash_funcs=CACHE_HASH)
def _cached_design(key: str, spec, _df: pd.DataFrame):
    from linreg.design import build_design

    return _read_only(build_design(_df, spec))


@st.cache_resource(show_spinner="Fitting…", max_entries=8, ttl=CACHE_TTL, hash_funcs=CACHE_HASH)
def _cached_ols(key: str, spec, method: str, alpha: float, _df: pd.DataFrame):
    from linreg.design import fit_design

    design_ = _cached_design(key=key, spec=spec, _df=_df)
    # The plain-language warnings travel in result.warnings, which the pages show inline;
    # the Python warning would only reach the server log (or fail a strict test run).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LinregWarning)
        return _read_only(fit_design(design_, method=method, alpha=alpha))


@st.cache_resource(show_spinner="Running gradient descent…", max_entries=8, ttl=CACHE_TTL, hash_funcs=CACHE_HASH)
def _cached_gd(key: str, spec, settings: GDSettings, _df: pd.DataFrame):
    from linreg.descent import gradient_descent

    design_ = _cached_design(key=key, spec=spec, _df=_df)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LinregWarning)
        return _read_only(gradient_descent(
            design_.X, design_.y, learning_rate=settings.learning_rate, n_iter=settings.n_iter,
            intercept=design_.intercept, standardize=settings.standardize, batch_size=settings.batch_size,
            momentum=settings.momentum, seed=settings.seed, ridge=settings.ridge, terms=design_.terms,
        ))


@st.cache_data(show_spinner=False, max_entries=16, ttl=CACHE_TTL)
def _cached_column_table(key: str, _df: pd.DataFrame):
    from linreg.plots.fit import column_table, missing_summary

    return column_table(_df), missing_summary(_df)


def design():
    """The ``linreg.design.Design`` of the current data and spec.

    Raises
    ------
    LinregError
        If the spec does not fit the data (unknown column, text used as a number, ...).
    """
    key, df = session.data_and_key()
    return _cached_design(key=key, spec=session.current_spec(), _df=df)


def ols(method: str = "qr"):
    """The closed-form ``OLSResult`` of the current model (QR unless ``method`` says otherwise).

    Uses the alpha of ``session.fit_settings()`` for confidence intervals.

    Raises
    ------
    LinregError
        If the design cannot be built or fitted (e.g. no residual degrees of freedom).
    """
    if method == "gd":
        raise LinregError("ols() fits in closed form; use gd() for gradient descent")
    key, df = session.data_and_key()
    return _cached_ols(key=key, spec=session.current_spec(), method=method, alpha=session.fit_settings().alpha,
                       _df=df)


def gd(settings: GDSettings | None = None):
    """The ``GDResult`` of gradient descent on the current design, with ``session.gd_settings()`` by default.

    Raises
    ------
    LinregError
        If the design cannot be built or a setting is invalid.
    """
    key, df = session.data_and_key()
    settings = settings if settings is not None else session.gd_settings()
    return _cached_gd(key=key, spec=session.current_spec(), settings=settings, _df=df)


def column_summary() -> tuple[pd.DataFrame, str]:
    """The current data's column table (type, distinct, missing) and missing-values sentence."""
    key, df = session.data_and_key()
    return _cached_column_table(key=key, _df=df)


# --------------------------------------------------------------------------- residual diagnostics


# st.cache_resource, not st.cache_data: cache_data pickles its value on every hit, and unpickling a
# plotly figure re-validates all of its arrays. The value is only read, by the page and by
# st.plotly_chart (which copies a figure before serializing it), so one shared copy is safe.
@st.cache_resource(show_spinner="Drawing…", max_entries=8, ttl=CACHE_TTL, hash_funcs=CACHE_HASH)
def _cached_residual_plots(key: str, spec, alpha: float, top: int, _df: pd.DataFrame):
    from linreg import diagnostics
    from linreg.plots import residuals as plots

    design_ = _cached_design(key=key, spec=spec, _df=_df)
    result = _cached_ols(key=key, spec=spec, method="qr", alpha=alpha, _df=_df)
    figures = plots.diagnostic_figures(result, design_.row_labels, hover=plots.hover_frame(_df, design_))
    tests = (diagnostics.breusch_pagan(result), diagnostics.jarque_bera(result), diagnostics.durbin_watson(result))
    influence = plots.influential_rows(result, design_.row_labels, top=top)
    return figures, tests, diagnostics.vif(result), influence


def residual_plots(top: int = 10):
    """The Residuals page's content for the current QR fit; read-only, shared by every session.

    Returns ``(figures, tests, vif, influence)``: ``linreg.plots.residuals.diagnostic_figures``,
    the Breusch-Pagan, Jarque-Bera and Durbin-Watson results, ``linreg.diagnostics.vif`` and the
    ``top`` rows of ``linreg.plots.residuals.influential_rows``. Raises LinregError.
    """
    key, df = session.data_and_key()
    return _cached_residual_plots(key=key, spec=session.current_spec(), alpha=session.fit_settings().alpha,
                                  top=int(top), _df=df)


# --------------------------------------------------------------------------- gradient descent views


# The arithmetic of a step is a pass over every row: computed once per step on show.
@st.cache_data(show_spinner=False, max_entries=32, ttl=CACHE_TTL, hash_funcs=CACHE_HASH)
def _cached_step_view(key: str, spec, settings: GDSettings, k: int, rows: int, _df: pd.DataFrame):
    from linreg.plots.descent import step_view as _step_view

    design_ = _cached_design(key=key, spec=spec, _df=_df)
    result = _cached_gd(key=key, spec=spec, settings=settings, _df=_df)
    return _step_view(result, k, range(rows), row_labels=design_.row_labels, terms=design_.terms)


@st.cache_data(show_spinner=False, max_entries=8, ttl=CACHE_TTL, hash_funcs=CACHE_HASH)
def _cached_rate_bounds(key: str, spec, standardize: bool, _df: pd.DataFrame) -> tuple[float, float]:
    from linreg.descent import learning_rate_bounds

    design_ = _cached_design(key=key, spec=spec, _df=_df)
    return learning_rate_bounds(design_.X, intercept=design_.intercept, standardize=standardize)


def step_view(k: int, rows: int):
    """``linreg.plots.descent.step_view`` of ``gd()`` at iteration ``k``, its first ``rows`` rows. Raises LinregError."""
    key, df = session.data_and_key()
    return _cached_step_view(key=key, spec=session.current_spec(), settings=session.gd_settings(), k=int(k),
                             rows=int(rows), _df=df)


def rate_bounds(standardize: bool) -> tuple[float, float]:
    """(largest stable, optimal) full-batch learning rates of the current design. Raises LinregError."""
    key, df = session.data_and_key()
    return _cached_rate_bounds(key=key, spec=session.current_spec(), standardize=bool(standardize), _df=df)


# --------------------------------------------------------------------------- penalized fits


@st.cache_data(show_spinner="Computing the penalty path…", max_entries=16, ttl=CACHE_TTL, hash_funcs=CACHE_HASH)
def _cached_penalty_path(key: str, spec, l1_ratio: float, standardize: bool, _df: pd.DataFrame):
    from linreg.penalized import penalty_path as _penalty_path

    d = _cached_design(key=key, spec=spec, _df=_df)
    return _penalty_path(d.X, d.y, l1_ratio=l1_ratio, standardize=standardize, intercept=d.intercept, terms=d.terms)


@st.cache_data(show_spinner="Cross-validating…", max_entries=16, ttl=CACHE_TTL, hash_funcs=CACHE_HASH)
def _cached_penalty_cv(key: str, spec, l1_ratio: float, standardize: bool, k: int, seed: int, _df: pd.DataFrame):
    from linreg.penalized import cross_validate

    d = _cached_design(key=key, spec=spec, _df=_df)
    return cross_validate(d.X, d.y, l1_ratio=l1_ratio, standardize=standardize, intercept=d.intercept,
                          terms=d.terms, k=k, seed=seed)


@st.cache_data(show_spinner=False, max_entries=16, ttl=CACHE_TTL, hash_funcs=CACHE_HASH)
def _cached_penalized(key: str, spec, lam: float, l1_ratio: float, standardize: bool, _df: pd.DataFrame):
    from linreg.penalized import fit_penalized

    d = _cached_design(key=key, spec=spec, _df=_df)
    return fit_penalized(d.X, d.y, lam=lam, l1_ratio=l1_ratio, intercept=d.intercept, standardize=standardize,
                         terms=d.terms)


def penalty_path(l1_ratio: float, standardize: bool):
    """``linreg.penalized.PenaltyPath`` of the current design (default λ grid). Raises LinregError."""
    key, df = session.data_and_key()
    return _cached_penalty_path(key=key, spec=session.current_spec(), l1_ratio=float(l1_ratio),
                                standardize=bool(standardize), _df=df)


def penalty_cv(l1_ratio: float, standardize: bool, k: int = 5, seed: int = 0):
    """``linreg.penalized.CVResult`` (k-fold, seeded) of the current design. Raises LinregError."""
    key, df = session.data_and_key()
    return _cached_penalty_cv(key=key, spec=session.current_spec(), l1_ratio=float(l1_ratio),
                              standardize=bool(standardize), k=int(k), seed=int(seed), _df=df)


def penalized(lam: float, l1_ratio: float, standardize: bool):
    """``linreg.penalized.PenalizedResult`` of the current design at λ = ``lam``. Raises LinregError."""
    key, df = session.data_and_key()
    return _cached_penalized(key=key, spec=session.current_spec(), lam=float(lam), l1_ratio=float(l1_ratio),
                             standardize=bool(standardize), _df=df)


# --------------------------------------------------------------------------- model complexity


@st.cache_data(show_spinner=False, max_entries=16, ttl=CACHE_TTL)
def polynomial_data(n: int, degree: int, noise: float, seed: int):
    """``linreg.synthetic.make_polynomial`` data (x, y and the true coefficients)."""
    from linreg.synthetic import make_polynomial

    return make_polynomial(n, seed=seed, degree=degree, noise=noise)


@st.cache_data(show_spinner="Fitting every degree…", max_entries=16, ttl=CACHE_TTL)
def degree_explorer(n: int, degree: int, noise: float, seed: int, max_degree: int, test_fraction: float,
                    split_seed: int):
    """``linreg.complexity.degree_explorer`` on ``polynomial_data(n, degree, noise, seed)``."""
    from linreg.complexity import degree_explorer as _explore

    data = polynomial_data(n=n, degree=degree, noise=noise, seed=seed).data
    return _explore(data["x"].to_numpy(), data["y"].to_numpy(), max_degree=max_degree,
                    test_fraction=test_fraction, seed=split_seed)


@st.cache_data(show_spinner="Refitting on bootstrap resamples…", max_entries=16, ttl=CACHE_TTL)
def bootstrap_fits(n: int, degree: int, noise: float, seed: int, fit_degree: int, n_boot: int, boot_seed: int):
    """``linreg.complexity.bootstrap_fits`` on ``polynomial_data(...)``, against its true curve."""
    from linreg.complexity import bootstrap_fits as _bootstrap
    from linreg.complexity import polynomial_truth

    synth = polynomial_data(n=n, degree=degree, noise=noise, seed=seed)
    x, y = synth.data["x"].to_numpy(), synth.data["y"].to_numpy()
    return _bootstrap(x, y, degree=fit_degree, n_boot=n_boot, seed=boot_seed,
                      truth=lambda g: polynomial_truth(synth.coef, g))


@st.cache_data(show_spinner="Fitting every degree…", max_entries=8, ttl=CACHE_TTL, hash_funcs=CACHE_HASH)
def _cached_current_degrees(key: str, spec, max_degree: int, test_fraction: float, split_seed: int,
                            _df: pd.DataFrame):
    from linreg.complexity import degree_explorer as _explore

    d = _cached_design(key=key, spec=spec, _df=_df)
    return _explore(d.X[:, 0], d.y, max_degree=max_degree, test_fraction=test_fraction, seed=split_seed)


@st.cache_data(show_spinner="Refitting on bootstrap resamples…", max_entries=8, ttl=CACHE_TTL,
               hash_funcs=CACHE_HASH)
def _cached_current_bootstrap(key: str, spec, fit_degree: int, n_boot: int, boot_seed: int, _df: pd.DataFrame):
    from linreg.complexity import bootstrap_fits as _bootstrap

    d = _cached_design(key=key, spec=spec, _df=_df)
    return _bootstrap(d.X[:, 0], d.y, degree=fit_degree, n_boot=n_boot, seed=boot_seed)


def current_degree_explorer(max_degree: int, test_fraction: float, split_seed: int):
    """``linreg.complexity.degree_explorer`` on the current single-feature design (its one column and y)."""
    key, df = session.data_and_key()
    return _cached_current_degrees(key=key, spec=session.current_spec(), max_degree=int(max_degree),
                                   test_fraction=float(test_fraction), split_seed=int(split_seed), _df=df)


def current_bootstrap_fits(fit_degree: int, n_boot: int, boot_seed: int):
    """``linreg.complexity.bootstrap_fits`` on the current single-feature design (no known truth)."""
    key, df = session.data_and_key()
    return _cached_current_bootstrap(key=key, spec=session.current_spec(), fit_degree=int(fit_degree),
                                     n_boot=int(n_boot), boot_seed=int(boot_seed), _df=df)
