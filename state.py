"""The app's session state and cached computations: the one app-side helper module.

Every page reads and writes the app's state through this module, never through raw
``st.session_state`` keys. The state lives in *plain* session keys (not widget keys),
because Streamlit forgets a widget's value as soon as its page is not rendered: a page
seeds its widgets from here and writes the user's choices back here.

Heavy results are cached on pure functions of hashable arguments (the data's content
key and frozen settings), so a cached function never reads a global that its cache key
does not cover. Those functions call ``linreg`` and nothing else: no numerics live here.
The design, the least-squares fit and the descent run are shared by every session with
read-only arrays (``st.cache_resource``); the rest is copied per call (``st.cache_data``).

Every accessor that computes (``design``, ``ols``, ``gd``) raises
``linreg.exceptions.LinregError`` when the data or model cannot be used; pages catch
it and show ``st.error``.
"""

from __future__ import annotations

import hashlib
import re
import warnings
from dataclasses import asdict, dataclass, fields, is_dataclass, replace
from types import MappingProxyType
from typing import Literal

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from linreg.datasets import DATASETS, load_dataset
from linreg.exceptions import LinregError, LinregWarning
from share import Recipe, Shared, decode, encode

__all__ = [
    "FitSettings",
    "GDSettings",
    "RegSettings",
    "Method",
    "METHOD_LABELS",
    "init",
    "through_app",
    "current_data",
    "set_data",
    "data_version",
    "truth",
    "upload_seen",
    "set_upload_seen",
    "upload_error",
    "set_upload_error",
    "current_spec",
    "set_spec",
    "default_spec",
    "fit_settings",
    "set_fit_settings",
    "gd_settings",
    "set_gd_settings",
    "reg_settings",
    "set_reg_settings",
    "reg_lambda",
    "set_reg_lambda",
    "lesson",
    "set_lesson",
    "design",
    "ols",
    "gd",
    "text_columns",
    "data_key",
    "column_summary",
    "target_scatter",
    "fit_figure",
    "chart",
    "fingerprint",
    "residual_plots",
    "descent_figure",
    "step_view",
    "rate_bounds",
    "conditioning_figure",
    "penalty_path",
    "penalty_cv",
    "penalized",
    "polynomial_data",
    "degree_explorer",
    "bootstrap_fits",
    "md_escape",
    "md_code",
    "load_recipe",
    "use_recipe",
    "iteration",
    "set_iteration",
    "recipe",
    "last_good_fit",
    "link_error",
    "link_query",
    "data_is_shareable",
    "sync_link",
]

# Plain session keys. Only this module touches them.
_DATA = "lr_data"  # pandas.DataFrame: the current dataset
_DATA_KEY = "lr_data_key"  # str: content hash of the dataset, the cache key of everything computed from it
_SOURCE = "lr_source"  # str: where it came from, e.g. "Built-in: Anscombe I"
_SPEC = "lr_spec"  # linreg.design.ModelSpec
_FIT = "lr_fit_settings"  # FitSettings
_GD = "lr_gd_settings"  # GDSettings
_TRUTH = "lr_truth"  # dict[str, float] | None: true coefficients of synthetic data
_VERSION = "lr_data_version"  # int: bumped on every set_data, so pages can reset per-dataset widgets
_RECIPE = "lr_recipe"  # share.Recipe: how the current data was made, for shareable links
_ITERATION = "lr_iteration"  # int: the gradient-descent iteration on show
_LINK_ERROR = "lr_link_error"  # str | None: why the link this session opened with could not be followed
_LAST_GOOD = "lr_last_good"  # (label, target, OLSResult): the last fit that worked, kept in view after a failure
_UPLOAD_SEEN = "lr_upload_seen"  # identity of the last upload read, so a rerun does not read it again
_UPLOAD_ERROR = "lr_upload_error"  # str | None: why the last upload was rejected
_REG = "lr_reg_settings"  # RegSettings: the Regularization page's penalty controls
_REG_LAMBDA = "lr_reg_lambda"  # (grid tag, λ) | None: the λ chosen there, and for which grid (see reg_lambda)
_LESSON = "lr_lesson"  # int: the Learn page's lesson on show

# The app opens with the first of these that linreg.datasets provides.
DEFAULT_DATASETS = ("cars", "anscombe_1")

Method = Literal["qr", "svd", "normal", "gd"]
METHOD_LABELS: dict[str, str] = {
    "qr": "QR (Householder)",
    "svd": "SVD",
    "normal": "Normal equations",
    "gd": "Gradient descent",
}


@dataclass(frozen=True)
class FitSettings:
    """How the Fit page fits: a closed-form method or gradient descent, and the CI level 1 - alpha."""

    method: Method = "qr"
    alpha: float = 0.05


@dataclass(frozen=True)
class GDSettings:
    """Gradient-descent settings shared by the Fit, Gradient descent and Compare pages.

    ``batch_size`` None means full batch. Standardizing by default keeps the default
    learning rate stable on any dataset: the Hessian of standardized columns has
    eigenvalues of order 2, so 0.1 is well below the stable limit 2/lambda_max.
    """

    learning_rate: float = 0.1
    n_iter: int = 500
    batch_size: int | None = None
    momentum: float = 0.0
    standardize: bool = True
    seed: int = 0
    ridge: float = 0.0  # λ of the ridge penalty λ||b||² on the (working) slopes; 0 is plain least squares


Penalty = Literal["ridge", "lasso", "elasticnet"]  # share.PENALTIES, the values a link may name


@dataclass(frozen=True)
class RegSettings:
    """The Regularization page's penalty controls, kept across pages and carried by links.

    ``alpha`` is the elastic-net mix, kept while another penalty is on show so that going
    back to the elastic net finds it again.
    """

    penalty: Penalty = "lasso"
    alpha: float = 0.5
    standardize: bool = True
    cv_seed: int = 0

    @property
    def l1_ratio(self) -> float:
        """The mix the fits use: 0 for ridge, 1 for the lasso, ``alpha`` for the elastic net."""
        return {"ridge": 0.0, "lasso": 1.0}.get(self.penalty, self.alpha)


# ---------------------------------------------------------------------------
# Initialisation and plain-state accessors
# ---------------------------------------------------------------------------


def through_app() -> None:
    """Make sure app.py (navigation, sidebar, shareable link) runs around the page being shown.

    Every page calls this first. With a folder named ``pages/`` beside app.py, Streamlit starts
    in its old multipage mode, and until some run has called ``st.navigation`` it serves a deep
    link (``/fit`` on a server that has just started, e.g. a shared link waking a hosted demo) by
    running the page file alone. This turns that mode off, as ``st.navigation`` does, and reruns,
    so the same URL goes through app.py. Streamlit keeps the flag on a private class; if it ever
    moves, this does nothing and the page still runs (without the sidebar).
    """
    from streamlit.runtime.pages_manager import PagesManager

    if getattr(PagesManager, "uses_pages_directory", False):
        PagesManager.uses_pages_directory = False
        st.rerun()


def init() -> None:
    """Fill in any missing state: the default dataset, its model, and the default settings.

    Called by ``app.py`` on every run; it only writes keys that are absent.
    """
    ss = st.session_state
    if _FIT not in ss:
        ss[_FIT] = FitSettings()
    if _GD not in ss:
        ss[_GD] = GDSettings()
    if _DATA not in ss:
        ss[_VERSION] = 0
        if not _restore_link():
            name = next((n for n in DEFAULT_DATASETS if n in DATASETS), next(iter(DATASETS)))
            _store_data(*load_recipe(Recipe("builtin", name)), Recipe("builtin", name))


def load_recipe(recipe: Recipe):
    """Make the data a recipe describes: (DataFrame, source label, default ModelSpec, truth or None).

    Raises
    ------
    LinregError
        If the dataset or generator is unknown or a parameter is out of range.
    """
    from linreg.design import ModelSpec
    from linreg.synthetic import make_data

    if recipe.kind == "builtin":
        df, info = load_dataset(recipe.name)
        return df, f"Built-in: {info.title}", default_spec(df, info.target, info.features), None
    if recipe.kind == "synthetic":
        params = dict(recipe.params)
        sd = make_data(recipe.name, **params)
        spec = ModelSpec(**{"target": sd.target, **(sd.spec_hint or {})})
        label = f"Synthetic: {recipe.name} (n={len(sd.data):,}, seed {params.get('seed', 0)})"
        return sd.data, label, spec, dict(sd.coef)
    raise LinregError("uploaded data cannot be made again from a recipe; upload the file again")


def use_recipe(recipe: Recipe) -> None:
    """Replace the dataset by the one ``recipe`` makes, with its default model."""
    df, label, spec, truth_ = load_recipe(recipe)
    set_data(df, label, spec, truth=truth_, recipe=recipe)


def current_data() -> tuple[pd.DataFrame, str]:
    """The current dataset and a label saying where it came from."""
    init()
    return st.session_state[_DATA], st.session_state[_SOURCE]


def data_version() -> int:
    """A counter bumped by every ``set_data``: widgets tied to one dataset can key on it."""
    init()
    return st.session_state[_VERSION]


def set_data(df: pd.DataFrame, source_label: str, spec=None, truth: dict[str, float] | None = None,
             recipe: Recipe | None = None) -> None:
    """Replace the dataset (and its model spec; a default one when ``spec`` is None).

    ``truth``: the true coefficients keyed by term name, when the data is synthetic.
    ``recipe``: how to make the data again, for shareable links; None for an upload.
    """
    init()
    _store_data(df, source_label, spec if spec is not None else default_spec(df), truth,
                recipe or Recipe("upload", source_label))
    st.session_state[_UPLOAD_ERROR] = None
    st.session_state[_VERSION] = st.session_state[_VERSION] + 1


def _store_data(df: pd.DataFrame, label: str, spec, truth_: dict[str, float] | None, recipe: Recipe) -> None:
    ss = st.session_state
    ss[_DATA] = df
    ss[_DATA_KEY] = data_key(df)
    ss[_SOURCE] = label
    ss[_SPEC] = spec
    ss[_TRUTH] = dict(truth_) if truth_ else None
    ss[_RECIPE] = recipe
    ss[_ITERATION] = 0


def upload_seen() -> object:
    """Identity (name, size, file id) of the last upload the Data page read, or None."""
    return st.session_state.get(_UPLOAD_SEEN)


def set_upload_seen(ident: object) -> None:
    st.session_state[_UPLOAD_SEEN] = ident


def upload_error() -> str | None:
    """Why the last upload was rejected (shown until the next upload or dataset), or None."""
    return st.session_state.get(_UPLOAD_ERROR)


def set_upload_error(message: str | None) -> None:
    st.session_state[_UPLOAD_ERROR] = message


def truth() -> dict[str, float] | None:
    """The true coefficients (term name -> value) of synthetic data, else None."""
    init()
    return st.session_state.get(_TRUTH)


def current_spec():
    """The current ``linreg.design.ModelSpec``."""
    init()
    return st.session_state[_SPEC]


def set_spec(spec) -> None:
    """Replace the model spec (a frozen ``ModelSpec``)."""
    init()
    st.session_state[_SPEC] = spec


def fit_settings() -> FitSettings:
    """The Fit page's method and alpha."""
    init()
    return st.session_state[_FIT]


def set_fit_settings(settings: FitSettings | None = None, **changes) -> None:
    """Replace the fit settings, or change some fields: ``set_fit_settings(method="svd")``."""
    init()
    base = settings if settings is not None else st.session_state[_FIT]
    st.session_state[_FIT] = replace(base, **changes)


def gd_settings() -> GDSettings:
    """The gradient-descent settings."""
    init()
    return st.session_state[_GD]


def set_gd_settings(settings: GDSettings | None = None, **changes) -> None:
    """Replace the GD settings, or change some fields: ``set_gd_settings(learning_rate=0.01)``."""
    init()
    base = settings if settings is not None else st.session_state[_GD]
    st.session_state[_GD] = replace(base, **changes)


def reg_settings() -> RegSettings:
    """The Regularization page's penalty, elastic-net mix, standardization and CV seed."""
    init()
    return st.session_state.get(_REG, RegSettings())


def set_reg_settings(settings: RegSettings | None = None, **changes) -> None:
    """Replace the Regularization settings, or change some fields: ``set_reg_settings(penalty="ridge")``."""
    init()
    st.session_state[_REG] = replace(settings if settings is not None else reg_settings(), **changes)


def _reg_grid_tag() -> tuple:
    """What the Regularization page's λ grid is built from: data, model, mix and standardization."""
    ss, reg = st.session_state, reg_settings()
    return ss[_DATA_KEY], ss[_SPEC], reg.l1_ratio, reg.standardize


def reg_lambda() -> float | None:
    """The λ chosen on the Regularization page, or None when none was chosen on the current grid.

    The grid changes with the data, the model, the penalty's mix and the standardization; a λ
    chosen on another grid means nothing on this one, so the page then starts afresh (and a link
    leaves λ out) rather than carrying a stale choice.
    """
    init()
    stored = st.session_state.get(_REG_LAMBDA)
    return stored[1] if stored is not None and stored[0] == _reg_grid_tag() else None


def set_reg_lambda(lam: float | None) -> None:
    """Keep λ (a point of the current grid, so set ``reg_settings`` first), or forget it with None."""
    init()
    st.session_state[_REG_LAMBDA] = None if lam is None else (_reg_grid_tag(), float(lam))


def lesson() -> int:
    """The Learn page's lesson on show (1 to ``share.N_LESSONS``)."""
    return int(st.session_state.get(_LESSON, 1))


def set_lesson(n: int) -> None:
    st.session_state[_LESSON] = int(n)


def iteration() -> int:
    """The gradient-descent iteration on show (kept across pages and in the link)."""
    init()
    return int(st.session_state.get(_ITERATION, 0))


def set_iteration(k: int) -> None:
    st.session_state[_ITERATION] = int(k)


# ---------------------------------------------------------------------------
# Shareable links: the state in the URL's query parameters (encoding in share.py)
# ---------------------------------------------------------------------------


def _restore_link() -> bool:
    """Take the data and settings from the URL this session opened with; False if there are none.

    A link that cannot be followed leaves the defaults in place and says why (``link_error``).
    """
    ss = st.session_state
    ss[_LINK_ERROR] = None
    try:
        shared = decode(st.query_params.to_dict())
        if shared is None:
            return False
        df, label, spec, truth_ = load_recipe(shared.recipe)
        if shared.spec is not None:
            from linreg.design import build_design

            build_design(df, shared.spec)  # a spec naming missing columns is refused here, not on every page
            spec = shared.spec
    except LinregError as err:
        ss[_LINK_ERROR] = f"This link could not be followed, so the app opened with its default data: {err}"
        return False
    _store_data(df, label, spec, truth_, shared.recipe)
    ss[_FIT] = replace(FitSettings(), **shared.fit)
    ss[_GD] = replace(GDSettings(), **shared.gd)
    ss[_ITERATION] = shared.iteration or 0
    ss[_REG] = replace(RegSettings(), **shared.reg)
    # The grid is rebuilt from the restored data, model and settings; the page snaps λ onto it.
    ss[_REG_LAMBDA] = None if shared.reg_lambda is None else (_reg_grid_tag(), shared.reg_lambda)
    ss[_LESSON] = shared.lesson or 1
    return True


def recipe() -> Recipe:
    """How the current data was made (an upload's recipe only names the file)."""
    init()
    return st.session_state[_RECIPE]


def link_error() -> str | None:
    """Why the link this session opened with could not be followed, or None."""
    return st.session_state.get(_LINK_ERROR)


def link_query() -> dict[str, str]:
    """The query parameters that describe the current state."""
    init()
    ss = st.session_state
    shared = Shared(ss[_RECIPE], ss[_SPEC], asdict(ss[_FIT]), asdict(ss[_GD]), ss.get(_ITERATION, 0),
                    reg=asdict(reg_settings()), reg_lambda=reg_lambda(), lesson=lesson())
    return encode(shared)


def data_is_shareable() -> bool:
    """False when the data was uploaded: a link cannot carry it."""
    init()
    return st.session_state[_RECIPE].kind != "upload"


def sync_link() -> dict[str, str]:
    """Write the current state into the URL (only when it changed, so the browser history stays calm)."""
    query = link_query()
    if st.query_params.to_dict() != query:
        st.query_params.from_dict(query)
    return query


# ---------------------------------------------------------------------------
# Model-spec helpers (bookkeeping on column names, no numerics)
# ---------------------------------------------------------------------------


def text_columns(df: pd.DataFrame) -> list[str]:
    """Columns that do not hold numbers (text, categories, booleans): candidates for categorical."""
    return [str(c) for c in df.columns if not pd.api.types.is_numeric_dtype(df[c]) or pd.api.types.is_bool_dtype(df[c])]


def default_spec(df: pd.DataFrame, target: str | None = None, features=None):
    """A sensible ModelSpec for ``df``: the last numeric column as target, every other column a feature.

    Text columns among the features are made categorical, since they cannot be used as numbers.
    """
    from linreg.design import ModelSpec

    columns = [str(c) for c in df.columns]
    text = set(text_columns(df))
    if target is None:
        numeric = [c for c in columns if c not in text]
        target = numeric[-1] if numeric else columns[-1]
    if not features:
        features = [c for c in columns if c != target]
    features = tuple(str(f) for f in features)
    categorical = tuple(f for f in features if f in text)
    return ModelSpec(target=str(target), features=features, categorical=categorical)


# ---------------------------------------------------------------------------
# Cached computations: pure functions of their (hashable) arguments
# ---------------------------------------------------------------------------


def data_key(df: pd.DataFrame) -> str:
    """A content hash of every cell, column name and dtype of ``df``.

    Cached functions take this key and the DataFrame as ``_df`` (not hashed by
    Streamlit): Streamlit hashes a DataFrame of 50,000 rows or more by a 10,000-row
    sample, so two large datasets differing in one cell would share cache entries.
    Hashing once here, when the data is set, is also cheaper than on every call.
    """
    h = hashlib.sha256()
    h.update(repr([(str(c), str(t)) for c, t in df.dtypes.items()]).encode())
    h.update(pd.util.hash_pandas_object(df, index=True).to_numpy().tobytes())
    return h.hexdigest()


def _data() -> tuple[str, pd.DataFrame]:
    init()
    return st.session_state[_DATA_KEY], st.session_state[_DATA]


# The caches are shared by every session of the server. On a public demo one large upload's fit can
# weigh ~100 MB, so entries expire a while after their last use and each cache holds a few: memory
# comes back after the visitors leave.
CACHE_TTL = "20m"
# Streamlit hashes a dataclass argument by ``dataclasses.asdict``, a deep copy walked value by value:
# a few ms a rerun over the cached calls of a page. The model and the GD settings are frozen, made of
# strings, numbers and tuples of those, so their repr is the same exactly when they are.
CACHE_HASH = MappingProxyType({"linreg.design.ModelSpec": repr, GDSettings: repr})

# Each cached function is pure: its result depends only on its arguments, and the
# unhashed ``_df`` is determined by ``key`` (its content hash). They are called with keyword
# arguments: for each positional one Streamlit looks up the parameter's name with
# inspect.signature, uncached, which cost a few ms on every rerun of a page.


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


# The design, the fit and the descent run hold arrays of N rows. st.cache_data would unpickle a
# copy of them on every call, several times a rerun: ~90 ms a rerun at N = 1e6. They are
# shared instead (st.cache_resource), with read-only arrays.
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
            design_.X,
            design_.y,
            learning_rate=settings.learning_rate,
            n_iter=settings.n_iter,
            intercept=design_.intercept,
            standardize=settings.standardize,
            batch_size=settings.batch_size,
            momentum=settings.momentum,
            seed=settings.seed,
            ridge=settings.ridge,
            terms=design_.terms,
        ))


@st.cache_data(show_spinner=False, max_entries=16, ttl=CACHE_TTL)
def _cached_column_table(key: str, _df: pd.DataFrame):
    from linreg.plots.fit import column_table, missing_summary

    return column_table(_df), missing_summary(_df)


def _fit_figure(key: str, spec, method: str, alpha: float, settings: GDSettings | None, df: pd.DataFrame):
    from linreg.plots.fit import fit_figure as _build

    closed = "qr" if method == "gd" else method
    design_ = _cached_design(key=key, spec=spec, _df=df)
    result = _cached_ols(key=key, spec=spec, method=closed, alpha=alpha, _df=df)
    gd_result = _cached_gd(key=key, spec=spec, settings=settings, _df=df) if settings is not None else None
    return _build(df, design_, result, gd_result=gd_result)


def column_summary() -> tuple[pd.DataFrame, str]:
    """The current data's column table (type, distinct, missing) and missing-values sentence."""
    key, df = _data()
    return _cached_column_table(key=key, _df=df)


def target_scatter(x: str, *, key: str) -> tuple[str, str | None]:
    """Draw the target against column ``x`` of the current data; return (summary, sample note)."""
    from linreg.plots.fit import target_scatter as _build

    data_key_, df = _data()
    target = current_spec().target
    return chart(("target_scatter", data_key_, x, target), lambda: _build(df, x, target), key=key)


def fit_figure(method: str, *, key: str) -> tuple[str, str | None]:
    """Draw the current fit by ``method`` ("gd" draws GD's line too); return (summary, sample note)."""
    data_key_, df = _data()
    spec, alpha = current_spec(), fit_settings().alpha
    settings = gd_settings() if method == "gd" else None
    return chart(("fit", data_key_, spec, method, alpha, settings),
                 lambda: _fit_figure(data_key_, spec, method, alpha, settings, df), key=key)


def design():
    """The ``linreg.design.Design`` of the current data and spec.

    Raises
    ------
    LinregError
        If the spec does not fit the data (unknown column, text used as a number, ...).
    """
    key, df = _data()
    return _cached_design(key=key, spec=current_spec(), _df=df)


def ols(method: str = "qr"):
    """The closed-form ``OLSResult`` of the current model (QR unless ``method`` says otherwise).

    Uses the alpha of ``fit_settings()`` for confidence intervals.

    Raises
    ------
    LinregError
        If the design cannot be built or fitted (e.g. no residual degrees of freedom).
    """
    if method == "gd":
        raise LinregError("ols() fits in closed form; use gd() for gradient descent")
    key, df = _data()
    result = _cached_ols(key=key, spec=current_spec(), method=method, alpha=fit_settings().alpha, _df=df)
    st.session_state[_LAST_GOOD] = (st.session_state[_SOURCE], current_spec().target, result)
    return result


def last_good_fit():
    """(source label, target, OLSResult) of the last closed-form fit that worked, or None.

    When a change breaks the model, the Fit page shows this below the error, so nothing is lost.
    """
    init()
    return st.session_state.get(_LAST_GOOD)


def gd(settings: GDSettings | None = None):
    """The ``GDResult`` of gradient descent on the current design, with ``gd_settings()`` by default.

    Raises
    ------
    LinregError
        If the design cannot be built or a setting is invalid.
    """
    key, df = _data()
    settings = settings if settings is not None else gd_settings()
    return _cached_gd(key=key, spec=current_spec(), settings=settings, _df=df)


# ---------------------------------------------------------------------------
# Charts: built and encoded once per figure, replayed after (issue 5)
# ---------------------------------------------------------------------------
# st.plotly_chart deep-copies a figure and encodes it as JSON on every call: from a few ms to a few
# hundred for this app's figures, on every rerun, even when the figure itself comes from a cache.
# Streamlit records the elements a cached function draws and, on a cache hit, replays the recorded
# messages without running the function. Drawing inside st.cache_resource therefore pays for building
# and encoding a figure once; a rerun that changes nothing about it only resends the stored message.
# Replay draws into whatever container is active (``with col:``), as a first call would.


@st.cache_resource(show_spinner="Drawing…", max_entries=64, ttl=CACHE_TTL)
def _cached_chart(ident: str, key: str, config: tuple, _build):
    out = _build()
    figure, rest = (out[0], tuple(out[1:])) if isinstance(out, tuple) else (out, ())
    st.plotly_chart(_Encoded(figure) if isinstance(figure, dict) else figure, key=key, config=dict(config))
    return rest


class _Encoded(go.Figure):
    """A figure already in plotly's JSON form (a ``to_dict()``), sent to st.plotly_chart as it is.

    st.plotly_chart sends a Figure as its ``to_dict()``, and turns a dict into a Figure first,
    validating every value. The GD animation's spec at a step (``DescentAnimation.spec``) is put
    together from parts plotly validated and encoded when the animation was built; going through a
    Figure again costs ~25 ms a scrubber move. ``tests/app/test_descent_page.py`` checks the chart
    the page sends is plotly's own JSON of the figure, so a Streamlit that sends figures another
    way fails there.
    """

    def __init__(self, spec: dict):
        super().__init__()
        self._spec = spec

    def to_dict(self) -> dict:
        return self._spec


def chart(ident: tuple, build, *, key: str, config: dict | None = None) -> tuple:
    """Draw the figure ``build()`` makes, building and encoding it once per ``ident``.

    Parameters
    ----------
    ident : tuple of hashable
        Everything the figure depends on, small and cheap to hash: a name for the figure and the
        data key, model and settings behind it (``fingerprint()`` holds all of those), plus any
        widget values it uses. Two calls with the same ``ident`` and ``key`` draw the same chart.
    build : callable
        ``build() -> Figure`` or ``build() -> (Figure, *rest)``; called only on a cache miss. The Figure
        may also be a dict already in plotly's JSON form (``DescentAnimation.spec``), sent as it is.
    key : str
        The element key of the chart.
    config : dict, optional
        plotly's ``config`` (e.g. ``{"displayModeBar": False}``).

    Returns
    -------
    tuple
        ``rest``: what ``build`` returned after the figure (summaries, notes); empty for a bare figure.
    """
    # repr, not the tuple: Streamlit hashes a dataclass in the ident (the model, the settings) field by
    # field on every call, several ms a rerun; for these values (str, numbers, None, frozen dataclasses
    # of those) equal reprs mean equal idents.
    return _cached_chart(ident=repr(ident), key=key, config=tuple(sorted((config or {}).items())), _build=build)


def fingerprint() -> tuple:
    """What every computed result depends on: the data's content key, the model spec and both settings.

    Part of a ``chart`` ident when a figure is drawn from ``ols()``, ``gd()`` or ``design()``.
    """
    init()
    ss = st.session_state
    return ss[_DATA_KEY], ss[_SPEC], ss[_FIT], ss[_GD]


# ---------------------------------------------------------------------------
# Rendering helpers shared by pages
# ---------------------------------------------------------------------------

# Characters that change meaning anywhere in a line (emphasis, code, links, HTML, tables, math).
_MD_INLINE = set("\\`*_{}[]<>|~$")
# A line starting like a heading, list, quote or numbered list must have that start escaped.
_MD_LINE_START = re.compile(r"^(\s*)([#>+\-=]|\d+[.)])")


def md_escape(text: object) -> str:
    r"""Escape markdown (and Streamlit's ``:color[...]``/``$math$``) metacharacters in user text.

    Column names, values and file names come from the user; they must render literally.

    >>> md_escape("a_b *c* [d](e) $x$")
    'a\\_b \\*c\\* \\[d\\](e) \\$x\\$'
    >>> md_escape("# title")
    '\\# title'
    """
    out = "".join("\\" + ch if ch in _MD_INLINE else ch for ch in str(text).replace("\n", " "))
    return _MD_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), out, count=1)


def md_code(text: object) -> str:
    """User text as inline code (backticks inside are replaced, since they cannot be escaped there)."""
    return "`" + str(text).replace("`", "ʼ") + "`"


# ---------------------------------------------------------------------------
# Regularization page: penalized fits, paths, CV and
# model complexity. Cached pure functions of hashable arguments calling linreg.
# ---------------------------------------------------------------------------


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
    key, df = _data()
    return _cached_penalty_path(key=key, spec=current_spec(), l1_ratio=float(l1_ratio),
                                standardize=bool(standardize), _df=df)


def penalty_cv(l1_ratio: float, standardize: bool, k: int = 5, seed: int = 0):
    """``linreg.penalized.CVResult`` (k-fold, seeded) of the current design. Raises LinregError."""
    key, df = _data()
    return _cached_penalty_cv(key=key, spec=current_spec(), l1_ratio=float(l1_ratio), standardize=bool(standardize),
                              k=int(k), seed=int(seed), _df=df)


def penalized(lam: float, l1_ratio: float, standardize: bool):
    """``linreg.penalized.PenalizedResult`` of the current design at λ = ``lam``. Raises LinregError."""
    key, df = _data()
    return _cached_penalized(key=key, spec=current_spec(), lam=float(lam), l1_ratio=float(l1_ratio),
                             standardize=bool(standardize), _df=df)


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


# ---------------------------------------------------------------------------
# Residuals page (issue 5): its figures, tests, VIF and influential rows, built once per fit.
# ---------------------------------------------------------------------------

# st.cache_resource, not st.cache_data: cache_data pickles its value on every hit, and unpickling a
# plotly figure re-validates all of its arrays. With four 4,000-row scatters that made a rerun at
# N = 1e5 cost 165 ms of CPU instead of 105 ms, over the page's 150 ms budget. The value is only
# read, by the page and by st.plotly_chart (which copies a figure before serializing it), so one
# shared copy is safe. Same key, limits and expiry as the cache_data wrappers above.
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
    ``top`` rows of ``linreg.plots.residuals.influential_rows``.

    Raises
    ------
    LinregError
        If the model cannot be fitted.
    """
    key, df = _data()
    return _cached_residual_plots(key=key, spec=current_spec(), alpha=fit_settings().alpha, top=int(top), _df=df)


# ---------------------------------------------------------------------------
# Gradient descent and Compare pages (issue 5, performance): the animated descent
# figure, the learning-rate bounds and the conditioning contours, drawn once per run and view.
# ---------------------------------------------------------------------------


# The animation holds everything but the iteration on show (frames, surfaces, layout); moving the
# scrubber only asks it for the figure at k, a few ms instead of building the whole figure again.
@st.cache_resource(show_spinner="Drawing…", max_entries=8, ttl=CACHE_TTL, hash_funcs=CACHE_HASH)
def _cached_descent_animation(key: str, spec, settings: GDSettings, alpha: float, feature: int | None,
                              i: int, j: int, _df: pd.DataFrame):
    from linreg.plots.animation import descent_animation

    design_ = _cached_design(key=key, spec=spec, _df=_df)
    result = _cached_gd(key=key, spec=spec, settings=settings, _df=_df)
    ols_ = _cached_ols(key=key, spec=spec, method="qr", alpha=alpha, _df=_df)
    return descent_animation(result, ols_coef=ols_.coef, feature=feature, i=i, j=j, terms=design_.terms,
                             row_labels=design_.row_labels)


# The arithmetic of a step is a pass over every row (N = 1e6: ~80 ms): once per step on show.
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


def _conditioning_figure(key: str, spec, runs: tuple[tuple[str, GDSettings], ...], i: int, j: int,
                         df: pd.DataFrame):
    from linreg.plots.descent import conditioning_figure as _build

    design_ = _cached_design(key=key, spec=spec, _df=df)
    results = {title: _cached_gd(key=key, spec=spec, settings=settings, _df=df) for title, settings in runs}
    return _build(results, i=i, j=j, terms=design_.terms)


def descent_figure(k: int, feature: int | None = None, i: int = 0, j: int = 1, *, key: str) -> None:
    """Draw ``linreg.plots.animation.descent_figure`` of ``gd()`` at iteration ``k`` against ``ols()``.

    Raises
    ------
    LinregError
        If the model cannot be fitted.
    """
    data_key_, df = _data()
    spec, settings, alpha = current_spec(), gd_settings(), fit_settings().alpha
    view = {"feature": None if feature is None else int(feature), "i": int(i), "j": int(j)}
    chart(("descent", data_key_, spec, settings, alpha, int(k)) + tuple(view.values()),
          lambda: _cached_descent_animation(key=data_key_, spec=spec, settings=settings, alpha=alpha, **view,
                                            _df=df).spec(k), key=key)


def step_view(k: int, rows: int):
    """``linreg.plots.descent.step_view`` of ``gd()`` at iteration ``k``, its first ``rows`` rows shown.

    Raises
    ------
    LinregError
        If the model cannot be fitted.
    """
    key, df = _data()
    return _cached_step_view(key=key, spec=current_spec(), settings=gd_settings(), k=int(k), rows=int(rows), _df=df)


def rate_bounds(standardize: bool) -> tuple[float, float]:
    """(largest stable, optimal) full-batch learning rates of the current design. Raises LinregError."""
    key, df = _data()
    return _cached_rate_bounds(key=key, spec=current_spec(), standardize=bool(standardize), _df=df)


def conditioning_figure(runs: dict[str, GDSettings], i: int = 0, j: int = 1, *, key: str) -> str:
    """Draw ``linreg.plots.descent.conditioning_figure`` for the runs ``gd(settings)`` gives with each
    title's settings; return its text. Raises LinregError."""
    data_key_, df = _data()
    spec, runs_, view = current_spec(), tuple(runs.items()), (int(i), int(j))
    text, = chart(("conditioning", data_key_, spec, runs_) + view,
                  lambda: _conditioning_figure(data_key_, spec, runs_, *view, df), key=key)
    return text
