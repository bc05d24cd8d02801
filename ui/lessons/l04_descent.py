"""Lesson 4: Gradient descent, step by step."""

from __future__ import annotations

import streamlit as st

from linreg import lessons
from linreg.format import fmt
from linreg.sources import DataSource

from .. import lesson_cache, session
from ..settings import GDSettings
from . import common

TITLE = "Gradient descent, step by step"


def _prepare_gd() -> None:
    """Load the lesson's dataset and settings into the app state (for the Gradient descent page).

    Through a built-in data source, so that a shareable link of the prepared state works.
    """
    session.use_source(DataSource("builtin", str(lessons.GD_LESSON["dataset"])))
    session.set_gd_settings(GDSettings(
        learning_rate=float(lessons.GD_LESSON["learning_rate"]), n_iter=int(lessons.GD_LESSON["n_iter"]),
        batch_size=None, momentum=0.0, standardize=bool(lessons.GD_LESSON["standardize"]), seed=0,
    ))


def show() -> None:
    g = lessons.GD_LESSON
    st.markdown(
        "Gradient descent starts from w = 0 and repeats one step, w ← w − η∇L: compute the gradient of lesson 3 "
        "at the current line and move a little (the **learning rate** η) against it. The Gradient descent page "
        "lets you step through a run, with the arithmetic of every step."
    )
    st.markdown(
        f"This lesson opens it on the **cars** data (stopping distance against speed) with a deliberately small "
        f"learning rate η = {g['learning_rate']}, {g['n_iter']} iterations, full batches and standardized "
        "features, so that every step shows. Use **Next ›** to step, or ▶ Play under the chart."
    )
    run = lesson_cache.gd_lesson()
    excess = run.final_loss / run.loss_min - 1 if run.loss_min > 0 else run.final_loss
    options = ["at the minimum to 4 digits", "within 1% of it", "more than 1% above it"]
    common.question(4, f"After {g['n_iter']} steps with η = {g['learning_rate']}, how far is the loss from its minimum?",
                  options, options[0] if excess <= 1e-4 else options[1] if excess <= 0.01 else options[2],
                  f"After {run.n_iter} steps the loss is {fmt(run.final_loss, 6)} against the minimum "
                  f"{fmt(run.loss_min, 6)} ({fmt(100 * (run.final_loss / run.loss_min - 1), 3)}% above); the "
                  f"coefficients are ({fmt(run.coef[0])}, {fmt(run.coef[1])}) against least squares "
                  f"({fmt(run.optimum_original[0])}, {fmt(run.optimum_original[1])}).")
    st.warning("The button replaces the app's current data and gradient-descent settings with the lesson's.")
    if st.button("Open the Gradient descent page at this state", key="learn_open_gd", type="primary"):
        _prepare_gd()
        st.switch_page("pages/descent.py")
    common.try_it("pages/descent.py", "the Gradient descent page, on your current data and settings", "⛰️")
