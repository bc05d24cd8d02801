"""Gradient descent page: the scrubber shows the stored run's numbers and never reruns it."""

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
from linreg.format import fmt
from linreg.plots._tex import tex_number

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


def _descent_chart(at: AppTest) -> dict:
    specs = [json.loads(el.proto.spec) for el in at.get("plotly_chart")]
    animated = [s for s in specs if s.get("frames")]
    assert len(animated) == 1
    return animated[0]


def _shown_iteration(at: AppTest) -> int:
    spec = _descent_chart(at)
    point = next(t for t in spec["data"] if t.get("name") == "this step")
    return int(_arr(point["x"])[0])


def _texts(at: AppTest) -> list[str]:
    out = [e.value for kind in ("markdown", "caption", "latex", "error", "info", "success", "warning")
           for e in getattr(at, kind)]
    out += [str(e.label) for e in at.button]
    for df in at.dataframe:
        out.append(df.value.to_string())
    return out


def _check_step(at: AppTest, g, k: int) -> None:
    """Everything on screen is iteration k of the stored run."""
    assert at.slider(key="gd_k").value == k
    assert _shown_iteration(at) == k
    assert any(c.value.startswith(f"Iteration {k} of {g.n_iter}") for c in at.caption)
    table = at.dataframe[0].value
    rows = np.arange(len(table))
    assert table["ŷ = x·w"].tolist() == [fmt(v) for v in g.X_work[rows] @ g.history.coef[k]]
    update = next(line.value for line in at.latex if line.value.lstrip("$\n").startswith(f"w_{{{k + 1}}}"))
    for value in g.history.coef[k]:
        assert tex_number(value) in update
    gradient = next(line.value for line in at.latex if r"\nabla L =" in line.value)
    for value in g.history.grad[k]:
        assert tex_number(value) in gradient


def test_page_shows_the_run_with_its_rates():
    at = _page()
    assert not at.error, [e.value for e in at.error]
    assert at.title[0].value.endswith("Gradient descent")
    _, g = _expected(at)
    _check_step(at, g, 0)
    labels = [b.label for b in at.button]
    assert f"Use optimal η ({fmt(g.optimal_learning_rate, 3)})" in labels
    assert f"Use 0.9 × max stable ({fmt(0.9 * g.max_stable_learning_rate, 3)})" in labels
    assert any(f"2/λ_max = {fmt(g.max_stable_learning_rate)}" in m.value for m in at.markdown)
    # The animated chart: frames in the browser, one per sampled iteration, at most ~100.
    spec = _descent_chart(at)
    assert 2 <= len(spec["frames"]) <= 101
    assert spec["layout"]["updatemenus"][0]["buttons"][0]["method"] == "animate"


def test_scrubber_moves_the_shown_iteration_and_numbers():
    at = _page()
    _, g = _expected(at)
    assert g.n_iter > 10
    at.slider(key="gd_k").set_value(5).run()
    _check_step(at, g, 5)
    at.button(key="gd_forward").click().run()
    _check_step(at, g, 6)
    at.button(key="gd_back").click().run()
    at.button(key="gd_back").click().run()
    _check_step(at, g, 4)
    at.button(key="gd_last").click().run()
    _check_step(at, g, g.n_iter)
    at.button(key="gd_forward").click().run()  # already at the end: stays there
    _check_step(at, g, g.n_iter)
    at.button(key="gd_first").click().run()
    _check_step(at, g, 0)
    assert not at.exception and not at.error


def test_the_chart_sent_is_plotlys_own_figure_at_the_step():
    # The page hands Streamlit the animation's JSON without a plotly Figure (ui.charts._Encoded);
    # what reaches the browser must be what plotly makes of the figure built here from scratch,
    # at a step with a frame of its own and at one between frames.
    at = _page()
    design, g = _expected(at)
    g = gradient_descent(design.X, design.y, learning_rate=g.learning_rate, n_iter=g.n_iter,
                         intercept=design.intercept, standardize=g.standardize, terms=design.terms)
    ols = fit_design(design)
    for k in (0, 5, 6):
        at.slider(key="gd_k").set_value(k).run()
        figure = animation.descent_figure(g, k, ols_coef=ols.coef, i=0, j=1, terms=design.terms,
                                          row_labels=design.row_labels)
        assert _descent_chart(at) == json.loads(figure.to_json())


def test_scrubbing_never_reruns_the_descent(monkeypatch):
    calls = []
    real = linreg.descent.gradient_descent

    def counting(*args, **kwargs):
        calls.append(kwargs.get("learning_rate"))
        return real(*args, **kwargs)

    # ui/cache.py imports gradient_descent from linreg.descent when its cached function runs.
    monkeypatch.setattr(linreg.descent, "gradient_descent", counting)
    at = _page()
    runs = len(calls)
    assert runs >= 1
    for k in (3, 40, 7):
        at.slider(key="gd_k").set_value(k).run()
    at.button(key="gd_forward").click().run()
    at.button(key="gd_last").click().run()
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
    at.button(key="gd_last").click().run()
    _check_step(at, g, g.n_iter)
    texts = _texts(at)
    assert not any("nan" in t.lower().split() or "NaN" in t for t in texts)
    spec = _descent_chart(at)

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
    spec = _descent_chart(at)
    assert spec["layout"]["xaxis"]["title"]["text"] == "actual y"
    at.selectbox(key="gd_view").set_value(1).run()
    spec = _descent_chart(at)
    assert "b (others at their mean)" in spec["layout"]["xaxis"]["title"]["text"]
    at.selectbox(key="gd_ci").set_value(2).run()
    at.slider(key="gd_k").set_value(9).run()
    assert not at.exception and not at.error
    _check_step(at, g, 9)


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
        at.button(key="gd_last").click().run()
        assert not at.exception
    assert not any("nan" in t.lower().split() for t in _texts(at))
