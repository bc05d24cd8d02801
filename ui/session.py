"""The session's state: the plain ``lr_*`` session keys and their typed accessors.

The state lives in *plain* session keys, not widget keys, because Streamlit forgets a
widget's value as soon as its page is not rendered: a page seeds its widgets from here and
writes the user's choices back here. Only this module touches these keys.

``app.py`` calls :func:`init` first on every run, and every page runs inside app.py
(``ui.legacy.through_app``), so the getters can rely on the keys being there. A getter
never writes.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st

from linreg.data import digest
from linreg.datasets import DATASETS
from linreg.sources import DataSource

from .settings import FitSettings, GDSettings, RegSettings

# The app opens with the first of these that linreg.datasets provides.
_DEFAULT_DATASETS = ("cars", "anscombe_1")
DEFAULT_SOURCE = DataSource("builtin", next((n for n in _DEFAULT_DATASETS if n in DATASETS), next(iter(DATASETS))))

# Plain session keys.
DATA = "lr_data"  # pandas.DataFrame: the current dataset
DATA_KEY = "lr_data_key"  # str: linreg.data.digest of the dataset, the cache key of everything computed from it
LABEL = "lr_source"  # str: where the data came from, e.g. "Built-in: Anscombe I"
SPEC = "lr_spec"  # linreg.design.ModelSpec
FIT = "lr_fit_settings"  # FitSettings
GD = "lr_gd_settings"  # GDSettings
REG = "lr_reg_settings"  # RegSettings: the Regularization page's penalty controls
TRUTH = "lr_truth"  # dict[str, float] | None: true coefficients of synthetic data
VERSION = "lr_data_version"  # int: bumped on every set_data, so pages can reset per-dataset widgets
DATA_SOURCE = "lr_data_source"  # linreg.sources.DataSource: how the current data was made, for shareable links
EXCLUDED = "lr_excluded"  # ((column, reason), ...): text columns the default model of the data left out
ITERATION = "lr_iteration"  # int: the gradient-descent iteration on show
LESSON = "lr_lesson"  # int: the Learn page's lesson on show
REG_LAMBDA = "lr_reg_lambda"  # (grid tag, λ) | None: the λ chosen there, and for which grid (see reg_lambda)
LINK_ERROR = "lr_link_error"  # str | None: why the link this session opened with was not followed, or not all of it
LAST_GOOD = "lr_last_good"  # (label, target, tiles, coefficient table): the last fit that worked, kept in view
UPLOAD_SEEN = "lr_upload_seen"  # identity of the last upload read, so a rerun does not read it again
UPLOAD_ERROR = "lr_upload_error"  # str | None: why the last upload was rejected
LESSON_DATASET = "lr_lesson_dataset"  # str: the lesson dataset shared by lessons 1-3, 5 and 6
LESSON_LINE = "lr_lesson_line"  # {dataset: (intercept, slope)}: the user's line shared by lessons 1-3
LESSON_POINTS = "lr_lesson_points"  # {dataset: (x, y) tuples}: lesson 1's points as the user moved them


def init() -> None:
    """Fill in any missing state: the data and settings of the link the session opened with, or the defaults.

    Called by ``app.py`` on every run; it only writes keys that are absent.
    """
    if DATA not in st.session_state:
        from . import links

        links.restore()


def start(shared, df: pd.DataFrame, label: str, spec, truth_: dict[str, float] | None, source: DataSource) -> None:
    """The first state of a session: the data, then every setting from ``shared`` (a ``ui.share.Shared``)."""
    ss = st.session_state
    ss[VERSION] = 0
    _store_data(df, label, spec, truth_, source, ())
    ss[FIT] = replace(FitSettings(), **shared.fit)
    ss[GD] = replace(GDSettings(), **shared.gd)
    ss[REG] = replace(RegSettings(), **shared.reg)
    ss[ITERATION] = shared.iteration or 0
    ss[LESSON] = shared.lesson or 1
    # The grid is rebuilt from the restored data, model and settings; the page snaps λ onto it.
    ss[REG_LAMBDA] = None if shared.reg_lambda is None else (_reg_grid_tag(), shared.reg_lambda)


def set_link_error(message: str | None) -> None:
    st.session_state[LINK_ERROR] = message


def link_error() -> str | None:
    """Why the link this session opened with was not followed, or which of its parameters were left out; or None."""
    return st.session_state.get(LINK_ERROR)


# --------------------------------------------------------------------------- the data


def current_data() -> tuple[pd.DataFrame, str]:
    """The current dataset and a label saying where it came from."""
    return st.session_state[DATA], st.session_state[LABEL]


def data_and_key() -> tuple[str, pd.DataFrame]:
    """The data's content key and the data: the arguments every cached call takes."""
    return st.session_state[DATA_KEY], st.session_state[DATA]


def data_version() -> int:
    """A counter bumped by every ``set_data``: widgets tied to one dataset can key on it."""
    return st.session_state[VERSION]


def set_data(df: pd.DataFrame, source_label: str, spec, *, source: DataSource,
             truth: dict[str, float] | None = None, excluded: tuple[tuple[str, str], ...] = ()) -> None:
    """Replace the dataset and its model spec.

    ``source``: how to make the data again, for shareable links (an upload's only names the file).
    ``truth``: the true coefficients keyed by term name, when the data is synthetic.
    ``excluded``: the (column, reason) pairs of the text columns its default model left out.
    """
    _store_data(df, source_label, spec, truth, source, excluded)
    st.session_state[UPLOAD_ERROR] = None
    st.session_state[VERSION] = st.session_state[VERSION] + 1


def use_source(source: DataSource) -> None:
    """Replace the dataset by the one ``source`` makes, with its default model. Raises LinregError."""
    df, label, spec, truth_ = source.load()
    set_data(df, label, spec, source=source, truth=truth_)


def _store_data(df: pd.DataFrame, label: str, spec, truth_: dict[str, float] | None, source: DataSource,
                excluded: tuple[tuple[str, str], ...]) -> None:
    ss = st.session_state
    ss[DATA] = df
    ss[DATA_KEY] = digest(df)
    ss[LABEL] = label
    ss[SPEC] = spec
    ss[TRUTH] = dict(truth_) if truth_ else None
    ss[DATA_SOURCE] = source
    ss[EXCLUDED] = tuple(excluded)
    ss[ITERATION] = 0


def source() -> DataSource:
    """How the current data was made (an upload's source only names the file)."""
    return st.session_state[DATA_SOURCE]


def is_large() -> bool:
    """Whether the current data is a registered dataset fitted out of core (the session holds its first rows only)."""
    return st.session_state[DATA_SOURCE].is_large


def data_is_shareable() -> bool:
    """False when the data was uploaded: a link cannot carry it."""
    return st.session_state[DATA_SOURCE].kind != "csv"


def excluded() -> tuple[tuple[str, str], ...]:
    """(column, reason) for each text column the current data's default model left out."""
    return st.session_state[EXCLUDED]


def truth() -> dict[str, float] | None:
    """The true coefficients (term name -> value) of synthetic data, else None."""
    return st.session_state.get(TRUTH)


def upload_seen() -> object:
    """Identity (name, size, file id) of the last upload the Data page read, or None."""
    return st.session_state.get(UPLOAD_SEEN)


def set_upload_seen(ident: object) -> None:
    st.session_state[UPLOAD_SEEN] = ident


def upload_error() -> str | None:
    """Why the last upload was rejected (shown until the next upload or dataset), or None."""
    return st.session_state.get(UPLOAD_ERROR)


def set_upload_error(message: str | None) -> None:
    st.session_state[UPLOAD_ERROR] = message


# --------------------------------------------------------------------------- the model and its settings


def current_spec():
    """The current ``linreg.design.ModelSpec``."""
    return st.session_state[SPEC]


def set_spec(spec) -> None:
    """Replace the model spec (a frozen ``ModelSpec``)."""
    st.session_state[SPEC] = spec


def fit_settings() -> FitSettings:
    """The Fit page's method and alpha."""
    return st.session_state[FIT]


def set_fit_settings(settings: FitSettings | None = None, **changes) -> None:
    """Replace the fit settings, or change some fields: ``set_fit_settings(method="svd")``."""
    st.session_state[FIT] = replace(settings if settings is not None else fit_settings(), **changes)


def gd_settings() -> GDSettings:
    """The gradient-descent settings."""
    return st.session_state[GD]


def set_gd_settings(settings: GDSettings | None = None, **changes) -> None:
    """Replace the GD settings, or change some fields: ``set_gd_settings(learning_rate=0.01)``."""
    st.session_state[GD] = replace(settings if settings is not None else gd_settings(), **changes)


def reg_settings() -> RegSettings:
    """The Regularization page's penalty, elastic-net mix, standardization and CV seed."""
    return st.session_state[REG]


def set_reg_settings(settings: RegSettings | None = None, **changes) -> None:
    """Replace the Regularization settings, or change some fields: ``set_reg_settings(penalty="ridge")``."""
    st.session_state[REG] = replace(settings if settings is not None else reg_settings(), **changes)


def _reg_grid_tag() -> tuple:
    """What the Regularization page's λ grid is built from: data, model, mix and standardization."""
    ss, reg = st.session_state, reg_settings()
    return ss[DATA_KEY], ss[SPEC], reg.l1_ratio, reg.standardize


def reg_lambda() -> float | None:
    """The λ chosen on the Regularization page, or None when none was chosen on the current grid.

    The grid changes with the data, the model, the penalty's mix and the standardization; a λ
    chosen on another grid means nothing on this one, so the page then starts afresh (and a link
    leaves λ out) rather than carrying a stale choice.
    """
    stored = st.session_state.get(REG_LAMBDA)
    return stored[1] if stored is not None and stored[0] == _reg_grid_tag() else None


def set_reg_lambda(lam: float | None) -> None:
    """Keep λ (a point of the current grid, so set ``reg_settings`` first), or forget it with None."""
    st.session_state[REG_LAMBDA] = None if lam is None else (_reg_grid_tag(), float(lam))


def last_good_fit():
    """(source label, target, tiles, coefficient table) of the last closed-form fit that worked, or None.

    When a change breaks the model, the Fit page shows this below the error, so nothing is lost.
    """
    return st.session_state.get(LAST_GOOD)


def set_last_good_fit(tiles: tuple, coef: pd.DataFrame) -> None:
    """Keep the current data's closed-form fit, as its tiles' text and its coefficient table, as the last that worked."""
    st.session_state[LAST_GOOD] = (st.session_state[LABEL], current_spec().target, tiles, coef)


# --------------------------------------------------------------------------- where the user is


def iteration() -> int:
    """The gradient-descent iteration on show (kept across pages and in the link)."""
    return int(st.session_state[ITERATION])


def set_iteration(k: int) -> None:
    st.session_state[ITERATION] = int(k)


def lesson() -> int:
    """The Learn page's lesson on show (1 to ``ui.settings.N_LESSONS``)."""
    return int(st.session_state[LESSON])


def set_lesson(n: int) -> None:
    st.session_state[LESSON] = int(n)


def lesson_dataset(default: str) -> str:
    """The lesson dataset lessons 1-3, 5 and 6 share (``default`` until one is chosen)."""
    return st.session_state.get(LESSON_DATASET, default)


def set_lesson_dataset(name: str) -> None:
    st.session_state[LESSON_DATASET] = name


def lesson_line(dataset: str) -> tuple[float, float] | None:
    """The user's line (intercept, slope) on a lesson dataset, shared by lessons 1-3; None before one is drawn."""
    return st.session_state.get(LESSON_LINE, {}).get(dataset)


def set_lesson_line(dataset: str, line: tuple[float, float]) -> None:
    st.session_state[LESSON_LINE] = {**st.session_state.get(LESSON_LINE, {}), dataset: tuple(map(float, line))}


def lesson_points(dataset: str) -> tuple[tuple[float, ...], tuple[float, ...]] | None:
    """Lesson 1's points (x, y) on a lesson dataset as the user left them; None while they are the dataset's."""
    return st.session_state.get(LESSON_POINTS, {}).get(dataset)


def set_lesson_points(dataset: str, points: tuple[object, object] | None) -> None:
    """Keep lesson 1's moved points (checked by ``linreg.lessons.moved_points``); None: the dataset's own."""
    kept = {k: v for k, v in st.session_state.get(LESSON_POINTS, {}).items() if k != dataset}
    if points is not None:
        kept[dataset] = (tuple(map(float, points[0])), tuple(map(float, points[1])))
    st.session_state[LESSON_POINTS] = kept
