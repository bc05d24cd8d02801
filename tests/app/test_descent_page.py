"""Gradient descent page: the stepper's history holds the stored run's numbers, and moving never reruns it."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import linreg.descent
from linreg.descent import gradient_descent
from linreg.design import ModelSpec, build_design, fit_design
from linreg.plots import animation
from linreg.plots.descent import descent_summary, gradient_arrow, step_view
from linreg.format import fmt
from linreg.quadratic import step_arithmetic

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGE = "pages/descent.py"


def _page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30).run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _expected(at: AppTest):
    """The run the page should show, recomputed from the app's state with linreg."""
    design = build_design(at.session_state["lr_data"], at.session_state["lr_spec"])
    s = at.session_state["lr_gd_settings"]
    g = gradient_descent(design.X, design.y, learning_rate=s.learning_rate, n_iter=s.n_iter,
                         intercept=design.intercept, standardize=s.standardize, batch_size=s.batch_size,
                         momentum=s.momentum, seed=s.seed)
    return design, g


def _arr(value) -> np.ndarray:
    if isinstance(value, dict) and "bdata" in value:
        return np.frombuffer(base64.b64decode(value["bdata"]), value["dtype"])
    return np.asarray(value, dtype=float)


def _history(at: AppTest) -> dict:
    """The stepper's data: the run's history as the browser gets it."""
    stepper = at.main.get("bidi_component")  # the sidebar holds the share link's component
    assert len(stepper) == 1
    return json.loads(stepper[0].proto.json)


def _texts(at: AppTest) -> list[str]:
    out = [e.value for kind in ("markdown", "caption", "latex", "error", "info", "success", "warning")
           for e in getattr(at, kind)]
    out += [str(e.label) for e in at.button]
    if at.main.get("bidi_component"):
        text = _history(at)["text"]
        out += [t for key in ("caption", "summary", "loss") for t in text[key]]
    return out


def _check_step(history: dict, g, k: int, terms=None, i: int = 0, j: int = 1) -> None:
    """The history's numbers at iteration k are linreg's."""
    pos = history["iterations"].index(k)
    text = history["text"]
    assert text["caption"][pos] == descent_summary(g, k, terms=terms, i=i, j=j)
    assert text["caption"][pos].startswith(f"Iteration {k} of {g.n_iter}")
    assert text["loss"][pos] == fmt(g.history.loss[k])
    rows = np.arange(len(history["table"]["static"][0]))
    yhat, err, dl = history["table"]["moving"][pos]
    assert yhat == [fmt(v) for v in g.X_work[rows] @ g.history.coef[k]]
    arith = step_arithmetic(g.X_work, g.y, g.history.coef[k], g.learning_rate, rows, ridge=g.ridge,
                            intercept=g.intercept)
    assert dl == [fmt(v) for v in arith.dL_dyhat]
    assert err == [fmt(v) for v in arith.yhat - arith.y_rows]
    assert text["w"][pos] == [fmt(v) for v in g.history.coef[k]]
    assert text["grad"][pos] == [fmt(v) for v in arith.grad] == [fmt(v) for v in g.history.grad[k]]
    if not g.momentum:
        assert text["w_next"][pos] == [fmt(v) for v in arith.w_next]
    assert text["summary"][pos] == step_view(g, k, rows, terms=terms).summary
    # The moving marks: the loss marker and the gradient arrow at k.
    assert _arr(history["point"]["y"])[pos] == pytest.approx(max(g.history.loss[k], np.finfo(float).tiny))
    if g.history.coef.shape[1] == 2:
        arrow = _arr(history["arrow"]["x"]).reshape(-1, 2)[pos], _arr(history["arrow"]["y"]).reshape(-1, 2)[pos]
        assert arrow[0][0] == pytest.approx(g.history.coef[k, 0]) and arrow[1][0] == pytest.approx(g.history.coef[k, 1])


def test_page_shows_the_run_with_its_rates():
    at = _page()
    assert not at.error, [e.value for e in at.error]
    assert at.title[0].value.endswith("Gradient descent")
    design, g = _expected(at)
    history = _history(at)
    for k in (0, 1, 17, g.n_iter):
        _check_step(history, g, k, terms=design.terms)
    labels = [b.label for b in at.button]
    assert f"Use optimal η ({fmt(g.optimal_learning_rate, 3)})" in labels
    assert f"Use 0.9 × max stable ({fmt(0.9 * g.max_stable_learning_rate, 3)})" in labels
    assert any(f"2/λ_max = {fmt(g.max_stable_learning_rate)}" in m.value for m in at.markdown)
    # Every iteration of the run is in the browser; Play and the scrubber are the stepper's, not plotly's.
    assert history["iterations"] == list(range(g.n_iter + 1))
    assert history["k0"] == 0
    assert "frames" not in history["figure"] and "updatemenus" not in history["figure"]["layout"]
    assert len(json.dumps(history)) <= animation.HISTORY_BYTES


def test_the_slider_opens_the_stepper_at_its_iteration():
    at = _page()
    design, g = _expected(at)
    assert g.n_iter > 10
    at.slider(key="gd_k").set_value(5).run()
    history = _history(at)
    assert history["k0"] == 5 and at.session_state["lr_iteration"] == 5
    assert any(c.value.startswith(f"Iteration 5 of {g.n_iter}") for c in at.caption)
    for k in (5, 6, 4, g.n_iter):
        _check_step(history, g, k, terms=design.terms)
    # A rerun that moves nothing keeps the stepper's data as it was, so Streamlit sends it once.
    at.run()
    assert _history(at) == history
    assert not at.exception and not at.error


def test_the_history_sent_is_linregs_own():
    # What reaches the browser is what linreg makes of the run built here from scratch.
    at = _page()
    design, g = _expected(at)
    g = gradient_descent(design.X, design.y, learning_rate=g.learning_rate, n_iter=g.n_iter,
                         intercept=design.intercept, standardize=g.standardize, terms=design.terms)
    ols = fit_design(design)
    for k in (0, 6):
        at.slider(key="gd_k").set_value(k).run()
        built = animation.descent_animation(g, ols_coef=ols.coef, i=0, j=1, terms=design.terms,
                                            row_labels=design.row_labels).history(k)
        sent = _history(at)
        assert sent.pop("run")
        assert sent == json.loads(json.dumps(built))


def test_the_history_stays_small_on_a_long_run_of_many_rows():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(100_000, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + rng.normal(size=100_000)
    g = gradient_descent(X, y, learning_rate=1e-4, n_iter=5_000)
    history = animation.descent_animation(g).history(1234)
    assert len(json.dumps(history)) <= animation.HISTORY_BYTES
    its = history["iterations"]
    assert its[0] == 0 and its[-1] == g.n_iter and 1234 in its and len(its) < g.n_iter + 1
    _check_step(history, g, 1234)
    _check_step(history, g, its[-1])


def test_scrubbing_never_reruns_the_descent(monkeypatch):
    calls = []
    real = linreg.descent.gradient_descent

    def counting(*args, **kwargs):
        calls.append(kwargs.get("learning_rate"))
        return real(*args, **kwargs)

    # ui/descent_cache.py imports gradient_descent from linreg.descent when its cached function runs.
    monkeypatch.setattr(linreg.descent, "gradient_descent", counting)
    at = _page()
    runs = len(calls)
    assert runs >= 1
    for k in (3, 40, 7, 0):
        at.slider(key="gd_k").set_value(k).run()
    assert not at.exception
    assert len(calls) == runs
    # A new setting is a new run, once.
    at.number_input(key="gd_n_iter").set_value(80).run()
    assert len(calls) == runs + 1
    at.slider(key="gd_k").set_value(20).run()
    assert len(calls) == runs + 1


def test_rate_above_the_stable_one_shows_the_divergence_and_no_nan():
    at = _page()
    _, g = _expected(at)
    at.number_input(key="gd_lr").set_value(float(f"{3 * g.max_stable_learning_rate:.4g}")).run()
    assert not at.exception
    _, g = _expected(at)
    assert g.diverged
    assert any("diverged" in e.value for e in at.error)
    assert any("|1 − ηλ_max| > 1" in m.value for m in at.markdown)
    history = _history(at)
    _check_step(history, g, g.n_iter, terms=_expected(at)[0].terms)
    texts = _texts(at)
    assert not any("nan" in t.lower().split() or "NaN" in t for t in texts)
    spec = {key: history[key] for key in ("figure", "model", "path", "arrow", "point")}

    def arrays(node):
        if isinstance(node, dict):
            if "bdata" in node:
                yield _arr(node)
            else:
                for v in node.values():
                    yield from arrays(v)
        elif isinstance(node, list):
            if node and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in node):
                yield np.asarray(node, dtype=float)
            else:
                for v in node:
                    yield from arrays(v)

    # (A plain-text search for "NaN" would trip over base64 array data.)
    assert all(np.all(np.isfinite(a)) for a in arrays(spec))


def test_rate_buttons_set_the_learning_rate_everywhere():
    at = _page()
    _, g = _expected(at)
    at.button(key="gd_use_optimal").click().run()
    optimal = float(f"{g.optimal_learning_rate:.4g}")
    assert at.number_input(key="gd_lr").value == pytest.approx(optimal)
    assert at.session_state["lr_gd_settings"].learning_rate == pytest.approx(optimal)
    at.button(key="gd_use_stable").click().run()
    stable = float(f"{0.9 * g.max_stable_learning_rate:.4g}")
    assert at.session_state["lr_gd_settings"].learning_rate == pytest.approx(stable)
    assert not at.exception and not at.error


def test_settings_survive_a_page_switch():
    at = _page()
    at.number_input(key="gd_lr").set_value(0.05).run()
    at.number_input(key="gd_n_iter").set_value(120).run()
    at.slider(key="gd_momentum").set_value(0.5).run()
    at.checkbox(key="gd_standardize").uncheck().run()
    at.switch_page("pages/compare.py").run()
    assert not at.exception
    at.switch_page(PAGE).run()
    assert at.number_input(key="gd_lr").value == pytest.approx(0.05)
    assert at.number_input(key="gd_n_iter").value == 120
    assert at.slider(key="gd_momentum").value == pytest.approx(0.5)
    assert at.checkbox(key="gd_standardize").value is False
    s = at.session_state["lr_gd_settings"]
    assert (s.learning_rate, s.n_iter, s.momentum, s.standardize) == (0.05, 120, 0.5, False)


def test_a_setting_linreg_refuses_shows_an_error_not_an_exception():
    at = _page()
    n = len(at.session_state["lr_data"])
    at.number_input(key="gd_batch").set_value(n + 10).run()
    assert not at.exception
    assert any("batch_size" in e.value.replace("\\", "") for e in at.error)  # the message is markdown-escaped
    # The settings stay on screen, so the user can fix it.
    at.number_input(key="gd_batch").set_value(5).run()
    assert not at.exception and not at.error


def _several_features(at: AppTest) -> None:
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"a": rng.normal(size=60), "b": rng.normal(5, 2, size=60), "c": rng.normal(size=60)})
    df["y"] = 1 + 2 * df["a"] - df["b"] + 0.5 * df["c"] + rng.normal(0, 0.1, 60)
    at.session_state["lr_data"] = df
    at.session_state["lr_source"] = "test data"
    at.session_state["lr_spec"] = ModelSpec(target="y", features=("a", "b", "c"))


def test_several_features_draw_predicted_against_actual_or_a_partial_line():
    at = AppTest.from_file(APP, default_timeout=30).run()
    _several_features(at)
    at.switch_page(PAGE).run()
    assert not at.exception and not at.error
    _, g = _expected(at)
    assert g.history.coef.shape[1] == 4
    history = _history(at)
    assert history["figure"]["layout"]["xaxis"]["title"]["text"] == "actual y"
    assert history["model"]["cloud"] and history["surface"] is not None  # the slice moves with the iterate
    at.selectbox(key="gd_view").set_value(1).run()
    history = _history(at)
    assert "b (others at their mean)" in history["figure"]["layout"]["xaxis"]["title"]["text"]
    assert not history["model"]["cloud"]
    at.selectbox(key="gd_ci").set_value(2).run()
    at.slider(key="gd_k").set_value(9).run()
    assert not at.exception and not at.error
    _check_step(_history(at), g, 9, terms=("a", "b", "c"), i=2, j=1)


@pytest.mark.parametrize("spec", [
    ModelSpec(target="y", features=("a", "twice_a")),  # rank-deficient: OLS aliases a term
    ModelSpec(target="y", features=("a",), intercept=False),  # one coefficient: no contour to draw
    ModelSpec(target="y", features=("a", "g"), categorical=("g",)),
])
@pytest.mark.parametrize("page", [PAGE, "pages/compare.py"])
def test_awkward_models_run_without_nan(spec, page):
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"a": rng.normal(size=40), "g": rng.choice(["p", "q", "r"], 40)})
    df["twice_a"] = 2 * df["a"]
    df["y"] = 3 * df["a"] + rng.normal(size=40)
    at = AppTest.from_file(APP, default_timeout=30).run()
    at.session_state["lr_data"] = df
    at.session_state["lr_source"] = "test data"
    at.session_state["lr_spec"] = spec
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    if page == PAGE:
        slider = at.slider(key="gd_k")
        slider.set_value(slider.max).run()
        assert not at.exception
    assert not any("nan" in t.lower().split() for t in _texts(at))
