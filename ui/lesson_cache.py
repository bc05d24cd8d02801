"""The Learn page's cached calls into ``linreg.lessons``: pure functions of small hashable arguments.

Each lesson names its dataset by a short key and its settings by numbers, so the cache key
covers everything a result depends on. Nothing here reads the session: the lessons run on
their own data, not the user's.
"""

from __future__ import annotations

import streamlit as st

from linreg import lessons
from linreg.complexity import bootstrap_fits, degree_explorer, polynomial_truth
from linreg.design import ModelSpec
from linreg.plots import lesson_drag

from .cache import CACHE_HASH, CACHE_TTL


@st.cache_data(show_spinner=False, max_entries=8, ttl=CACHE_TTL)
def data(name: str) -> lessons.LessonData:
    """``lessons.lesson_data(name)``."""
    return lessons.lesson_data(name)


@st.cache_data(show_spinner=False, max_entries=32, ttl=CACHE_TTL)
def bowl_view(name: str, b0: float, b1: float) -> dict:
    """Lesson 2's component payload: the loss contour of lesson dataset ``name``, the user's line (b0, b1)."""
    return lesson_drag.bowl_drag_view(data(name), (b0, b1))


@st.cache_data(show_spinner=False, max_entries=32, ttl=CACHE_TTL)
def chain_view(name: str, b0: float, b1: float, i: int) -> dict:
    """Lesson 3's component payload: lesson dataset ``name``, the user's line (b0, b1) and point ``i``."""
    return lesson_drag.chain_drag_view(data(name), (b0, b1), i)


@st.cache_data(show_spinner=False, max_entries=16, ttl=CACHE_TTL)
def normal(name: str, shift: float) -> lessons.NormalEquations:
    """The normal equations of lesson dataset ``name`` with x shifted by ``shift``."""
    return lessons.normal_equations(data(name), shift)


@st.cache_data(show_spinner=False, max_entries=32, ttl=CACHE_TTL)
def lr_run(name: str, factor: float, standardize: bool) -> lessons.LearningRateRun:
    """Gradient descent at ``factor`` × 2/λ_max on lesson dataset ``name``."""
    return lessons.learning_rate_run(data(name), factor, standardize=standardize)


@st.cache_data(show_spinner="Running gradient descent twice…", max_entries=8, ttl=CACHE_TTL)
def scaling(name: str):
    """Raw against standardized runs on lesson dataset ``name``."""
    return lessons.scaling_runs(data(name))


@st.cache_data(show_spinner=False, max_entries=1, ttl=CACHE_TTL)
def gd_lesson():
    """The run lesson 4 prepares."""
    return lessons.gd_lesson_run()


@st.cache_data(show_spinner=False, max_entries=1, ttl=CACHE_TTL)
def anscombe():
    """The four Anscombe fits."""
    return lessons.anscombe_fits()


@st.cache_data(show_spinner=False, max_entries=8, ttl=CACHE_TTL)
def terms_data(kind: str):
    """Lesson 8's data and truth."""
    return lessons.terms_data(kind)


@st.cache_data(show_spinner=False, max_entries=32, ttl=CACHE_TTL, hash_funcs=CACHE_HASH)
def terms_fit(kind: str, spec: ModelSpec) -> lessons.TermsFit:
    """Lesson 8's fit of ``spec``."""
    return lessons.terms_fit(kind, spec)


@st.cache_data(show_spinner=False, max_entries=8, ttl=CACHE_TTL)
def complexity_data(noise: float, seed: int):
    """Lesson 9's sample of the known cubic: (x, y, truth)."""
    return lessons.complexity_data(noise, seed)


@st.cache_data(show_spinner=False, max_entries=16, ttl=CACHE_TTL)
def degrees(noise: float, seed: int):
    """Training and test error by degree on lesson 9's sample (split by the same seed)."""
    x, y, _ = complexity_data(noise, seed)
    return degree_explorer(x, y, max_degree=10, seed=seed)


@st.cache_data(show_spinner="Refitting on 200 resamples…", max_entries=32, ttl=CACHE_TTL)
def bootstrap(noise: float, seed: int, degree: int):
    """200 bootstrap refits of ``degree`` on lesson 9's sample, against the true cubic."""
    x, y, truth = complexity_data(noise, seed)
    return bootstrap_fits(x, y, degree=degree, n_boot=200, seed=seed, truth=lambda g: polynomial_truth(truth, g))


@st.cache_data(show_spinner=False, max_entries=1, ttl=CACHE_TTL)
def penalized_data():
    """Lesson 10's correlated features: (X, y, names, truth)."""
    return lessons.penalized_data()


@st.cache_data(show_spinner=False, max_entries=32, ttl=CACHE_TTL)
def penalized(lam: float):
    """Least squares, ridge and lasso at ``lam`` on lesson 10's data."""
    X, y, names, _ = penalized_data()
    return lessons.penalized_preview(X, y, lam, terms=names)
