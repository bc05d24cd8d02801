"""linreg.plots.descent: the figures show the run's own numbers, frame by frame."""

from __future__ import annotations

import base64
import json
import math

import numpy as np
import plotly.io
import pytest
from numpy.testing import assert_allclose

from linreg.descent import gradient_descent
from linreg.format import fmt
from linreg.plots import animation
from linreg.plots import descent as plots
from linreg.plots._tex import tex_number
from linreg.quadratic import condition_number, convergence_rate, heavy_ball_rate, hessian_eigenvalues, loss, plain_rate
from linreg.quadratic import step_arithmetic


def _arr(value) -> np.ndarray:
    """A plotly array as numpy: typed-array dicts ({"dtype", "bdata"}) or plain lists."""
    if isinstance(value, dict) and "bdata" in value:
        out = np.frombuffer(base64.b64decode(value["bdata"]), value["dtype"])
        if "shape" in value:
            out = out.reshape([int(n) for n in str(value["shape"]).split(",")])
        return out
    return np.asarray(value, dtype=float)


def _spec(fig) -> dict:
    """The figure as the browser gets it."""
    return json.loads(fig.to_json())


def _trace(spec: dict, name: str) -> tuple[int, dict]:
    for index, trace in enumerate(spec["data"]):
        if trace.get("name") == name:
            return index, trace
    raise AssertionError(f"no trace named {name!r}: {[t.get('name') for t in spec['data']]}")


def _frame_trace(spec: dict, frame: dict, index: int) -> dict:
    """Trace ``index`` as the browser shows it at ``frame``: plotly.js merges the frame's
    entries (only what changes) into the figure's trace."""
    return {**spec["data"][index], **frame["data"][spec["layout"]["meta"]["frame_traces"].index(index)]}


def _all_arrays(node):
    if isinstance(node, dict):
        if "bdata" in node:
            yield _arr(node)
            return
        for value in node.values():
            yield from _all_arrays(value)
    elif isinstance(node, list):
        if node and all(isinstance(v, (int, float)) for v in node):
            yield np.asarray(node, dtype=float)
        else:
            for value in node:
                yield from _all_arrays(value)


@pytest.fixture(scope="module")
def line_run():
    rng = np.random.default_rng(3)
    X = rng.normal(5.0, 2.0, (60, 1))
    y = 1.5 + 0.8 * X[:, 0] + rng.normal(0.0, 0.5, 60)
    return gradient_descent(X, y, learning_rate=0.02, n_iter=400, terms=["x"])


@pytest.fixture(scope="module")
def plane_run():
    rng = np.random.default_rng(4)
    X = rng.normal(0.0, 1.0, (80, 3)) * [1.0, 3.0, 0.5] + [2.0, -1.0, 4.0]
    y = X @ [1.0, -2.0, 0.5] + 3.0 + rng.normal(0.0, 0.3, 80)
    return gradient_descent(X, y, learning_rate=0.1, n_iter=250, standardize=True, terms=["a", "b", "c"])


# --------------------------------------------------------------------------- which iterations


@pytest.mark.parametrize("n_iter", [0, 1, 5, 99, 100, 101, 12_345])
def test_frame_indices_cover_the_run_within_budget(n_iter):
    idx = plots.frame_indices(n_iter, max_frames=100, include=n_iter // 3)
    assert idx[0] == 0 and idx[-1] == n_iter
    assert n_iter // 3 in idx
    assert len(idx) <= 101
    assert np.all(np.diff(idx) > 0)


def test_path_indices_keep_every_early_step():
    idx = plots.path_indices(50_000, max_points=600)
    assert idx[:300].tolist() == list(range(300))
    assert idx[-1] == 50_000 and len(idx) <= 600


# --------------------------------------------------------------------------- the animated figure


def test_frames_hold_the_history_rows(line_run):
    r = line_run
    spec = _spec(animation.descent_figure(r, 7))
    frames = spec["frames"]
    names = [int(f["name"]) for f in frames]
    assert names == plots.frame_indices(r.n_iter, include=7).tolist()
    path_i, _ = _trace(spec, "path so far")
    point_i, _ = _trace(spec, "this step")
    line_i, _ = _trace(spec, "gradient descent")
    arrow_i, _ = _trace(spec, "−∇L (downhill, to scale across steps)")
    x = r.X_work[:, 1]
    for frame in frames:
        m = int(frame["name"])
        # The path so far: exactly the stored iterates up to m.
        path = _frame_trace(spec, frame, path_i)
        steps = _arr(path["customdata"]).astype(int)
        assert steps[-1] == m and np.all(steps <= m)
        assert_allclose(_arr(path["x"]), r.history.coef[steps, 0], rtol=0, atol=0)
        assert_allclose(_arr(path["y"]), r.history.coef[steps, 1], rtol=0, atol=0)
        # The loss point is the stored loss.
        point = _frame_trace(spec, frame, point_i)
        assert _arr(point["x"]).tolist() == [m]
        assert_allclose(_arr(point["y"]), [r.history.loss[m]], rtol=1e-15)
        # The line is the model at step m, evaluated at the ends of the data.
        line = _frame_trace(spec, frame, line_i)
        ends = np.array([x.min(), x.max()])
        assert_allclose(_arr(line["x"]), ends)
        assert_allclose(_arr(line["y"]), r.history.coef_original[m, 0] + r.history.coef_original[m, 1] * ends,
                        rtol=1e-6, atol=1e-12)  # float32 in frames: display only
        # The arrow starts at w_m and points down the gradient.
        arrow = _frame_trace(spec, frame, arrow_i)
        tail = np.array([_arr(arrow["x"])[0], _arr(arrow["y"])[0]])
        head = np.array([_arr(arrow["x"])[1], _arr(arrow["y"])[1]])
        assert_allclose(tail, r.history.coef[m], rtol=1e-15)
        step = head - tail
        g = r.history.grad[m]
        if np.linalg.norm(g) > 0:
            cos = -(step @ g) / (np.linalg.norm(step) * np.linalg.norm(g))
            assert cos == pytest.approx(1.0, abs=1e-9)


def test_figure_opens_at_the_scrubbed_iteration(line_run):
    r, k = line_run, 123
    spec = _spec(animation.descent_figure(r, k))
    _, point = _trace(spec, "this step")
    assert _arr(point["x"]).tolist() == [k]
    slider = spec["layout"]["sliders"][0]
    assert slider["steps"][slider["active"]]["label"] == str(k)
    # Play animates in the browser, from the current frame.
    play = spec["layout"]["updatemenus"][0]["buttons"][0]
    assert play["method"] == "animate" and play["args"][1]["fromcurrent"] is True


def test_one_animation_serves_every_iteration(plane_run):
    # The scrubber asks one cached animation for many iterations: each answer must be the
    # figure built from scratch, and asking must not change the animation.
    r = plane_run
    built = animation.descent_animation(r, i=1, j=2)
    first = _spec(built.at(7))
    for k in (0, 7, 123, r.n_iter, 10 * r.n_iter):
        assert _spec(built.at(k)) == _spec(animation.descent_figure(r, k, i=1, j=2))
    assert _spec(built.at(7)) == first
    # An iteration between frames gets a frame of its own, and the slider opens on it.
    k = next(m for m in range(r.n_iter) if m not in set(built.frames_at.tolist()))
    spec = _spec(built.at(k))
    slider = spec["layout"]["sliders"][0]
    assert [f["name"] for f in spec["frames"]] == [step["label"] for step in slider["steps"]]
    assert slider["steps"][slider["active"]]["label"] == str(k)
    assert len(spec["frames"]) == len(built.frames) + 1


@pytest.mark.parametrize("view", [dict(i=1, j=2), dict(feature=0), dict(feature=None)])
def test_spec_is_plotlys_own_json_of_the_figure(plane_run, view):
    # The app sends spec(k) without a Figure; it must be what plotly itself makes of at(k),
    # byte for byte in the encoded arrays (plotly narrows integers: row numbers go as i2).
    r = plane_run
    built = animation.descent_animation(r, **view)
    between = next(m for m in range(r.n_iter) if m not in set(built.frames_at.tolist()))
    for k in (0, 1, between, r.n_iter):
        assert json.loads(plotly.io.to_json(built.spec(k), validate=False)) == _spec(built.at(k))
    assert _spec(built.at(7)) == _spec(animation.descent_figure(r, 7, **view))


def test_contour_is_the_loss_at_the_grid_points(line_run):
    r = line_run
    spec = _spec(animation.descent_figure(r, 10))
    contour = next(t for t in spec["data"] if t["type"] == "contour")
    gi, gj, z = _arr(contour["x"]), _arr(contour["y"]), _arr(contour["z"])
    assert z.shape == (len(gj), len(gi))
    for q in (0, 7, len(gj) - 1):
        for p in (0, 13, len(gi) - 1):
            w = np.array([gi[p], gj[q]])
            assert z[q, p] == pytest.approx(loss(r.X_work, r.y, w), rel=1e-10)
    # The window holds the whole path and the optimum.
    assert gi.min() <= r.history.coef[:, 0].min() and gi.max() >= r.history.coef[:, 0].max()
    assert gj.min() <= r.optimum[1] <= gj.max()


def test_contour_slice_moves_with_the_other_coefficients(plane_run):
    r = plane_run
    spec = _spec(animation.descent_figure(r, 3, i=1, j=2))
    index = next(n for n, t in enumerate(spec["data"]) if t["type"] == "contour")
    assert index in spec["layout"]["meta"]["frame_traces"]
    frame = spec["frames"][5]
    m = int(frame["name"])
    contour = _frame_trace(spec, frame, index)
    gi, gj, z = _arr(contour["x"]), _arr(contour["y"]), _arr(contour["z"])
    w = r.history.coef[m].copy()
    w[1], w[2] = gi[4], gj[9]
    assert z[9, 4] == pytest.approx(loss(r.X_work, r.y, w), rel=1e-6)  # float32 in frames: display only


def test_several_features_show_predicted_against_actual(plane_run):
    r = plane_run
    spec = _spec(animation.descent_figure(r, 20, ols_coef=r.optimum_original, row_labels=np.arange(80) + 1000))
    index, trace = _trace(spec, "gradient descent")
    rows = np.asarray(trace["customdata"]).astype(int) - 1000  # hover shows the user's row labels
    assert_allclose(_arr(trace["x"]), r.y[rows])
    assert_allclose(_arr(trace["y"]), r.X_work[rows] @ r.history.coef[20], rtol=1e-12)
    frame = spec["frames"][-1]
    assert_allclose(_arr(_frame_trace(spec, frame, index)["y"]),
                    r.X_work[rows] @ r.history.coef[int(frame["name"])], rtol=1e-6)  # float32 in frames
    assert spec["layout"]["xaxis"]["title"]["text"] == "actual y"


def test_partial_line_holds_the_other_features_at_their_mean(plane_run):
    r = plane_run
    X = r.X_work[:, 1:] * r.x_scale + r.x_mean
    spec = _spec(animation.descent_figure(r, 30, feature=1, terms=("a", "b", "c")))
    _, trace = _trace(spec, "gradient descent")
    c = r.history.coef_original[30]
    xs = _arr(trace["x"])
    expected = c[0] + c[1] * X[:, 0].mean() + c[3] * X[:, 2].mean() + c[2] * xs
    assert_allclose(_arr(trace["y"]), expected, rtol=1e-10)
    assert "b (others at their mean)" in spec["layout"]["xaxis"]["title"]["text"]


def _axis_titles(spec: dict) -> dict[str, str]:
    return {key: (value.get("title") or {}).get("text", "") for key, value in spec["layout"].items()
            if key.startswith(("xaxis", "yaxis")) and value.get("visible", True)}


def test_every_chart_has_axis_titles(line_run, plane_run):
    figures = [
        animation.descent_figure(line_run, 5),
        animation.descent_figure(plane_run, 5, feature=0),
        plots.learning_rate_figure(0.1, 0.2, 0.3)[0],
        plots.convergence_figure(line_run)[0],
        plots.conditioning_figure({"raw": line_run, "again": line_run})[0],
    ]
    for fig in figures:
        titles = _axis_titles(_spec(fig))
        assert titles and all(titles.values()), titles


def test_divergence_draws_only_finite_numbers():
    X = np.linspace(0.0, 10.0, 30)[:, None]
    y = 2.0 + 3.0 * X[:, 0]
    probe = gradient_descent(X, y, learning_rate=1e-3, n_iter=1)
    r = gradient_descent(X, y, learning_rate=3 * probe.max_stable_learning_rate, n_iter=500)
    assert r.diverged
    for fig in (animation.descent_figure(r, r.n_iter), plots.convergence_figure(r)[0]):
        spec = _spec(fig)
        for array in _all_arrays({"data": spec["data"], "frames": spec.get("frames", [])}):
            assert np.all(np.isfinite(array))
    text = plots.divergence_explanation(r)
    lam_max = hessian_eigenvalues(r.X_work)[-1]
    assert fmt(1 - r.learning_rate * lam_max) in text and "|1 − ηλ_max| > 1" in text
    for line in (text, plots.descent_summary(r, r.n_iter), plots.convergence_figure(r)[1]):
        assert "nan" not in line.lower()


# --------------------------------------------------------------------------- the arithmetic of a step


def test_step_view_is_step_arithmetic_and_the_stored_next_iterate(line_run):
    r, k = line_run, 17
    view = plots.step_view(r, k, rows=(0, 1, 2))
    expected = step_arithmetic(r.X_work, r.y, r.history.coef[k], r.learning_rate, [0, 1, 2])
    assert view.table["ŷ = x·w"].tolist() == [fmt(v) for v in expected.yhat]
    assert view.table["∂(ŷ−y)²/∂ŷ = 2(ŷ − y)"].tolist() == [fmt(v) for v in expected.dL_dyhat]
    assert_allclose(view.grad, expected.grad)
    assert_allclose(view.w_next, r.history.coef[k + 1], rtol=1e-12)
    assert any(r"\nabla L" in line for line in view.latex)
    assert tex_number(expected.grad[1]) in view.latex[2]


def test_step_view_with_momentum_carries_the_velocity():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(40, 2))
    y = X @ [1.0, 2.0] + rng.normal(size=40)
    r = gradient_descent(X, y, learning_rate=0.05, momentum=0.8, n_iter=60)
    k = 9
    view = plots.step_view(r, k)
    assert_allclose(view.velocity, r.history.coef[k] - r.history.coef[k - 1])
    assert_allclose(view.w_next, r.history.coef[k + 1], rtol=1e-12)
    assert any(line.startswith("v_{10}") for line in view.latex)


# --------------------------------------------------------------------------- rates and conditioning


def test_rate_line_uses_the_largest_contraction_over_the_eigenvalues(line_run):
    r = line_run
    fig, text = plots.convergence_figure(r)
    spec = _spec(fig)
    lam = hessian_eigenvalues(r.X_work)
    rho = float(np.max(np.abs(1.0 - r.learning_rate * lam)))
    assert rho == pytest.approx(convergence_rate(r.X_work, r.learning_rate), rel=1e-12)
    err0 = np.linalg.norm(r.history.coef[0] - r.optimum)
    _, predicted = _trace(spec, "predicted c·ρ^k")
    k = _arr(predicted["x"])
    assert_allclose(_arr(predicted["y"]), err0 * rho**k, rtol=1e-10)
    _, measured = _trace(spec, "measured ‖w_k − w*‖")
    km = _arr(measured["x"]).astype(int)
    assert_allclose(_arr(measured["y"]), np.linalg.norm(r.history.coef[km] - r.optimum, axis=1), rtol=1e-12)
    # Plain GD never beats the bound.
    assert np.all(_arr(measured["y"])[: len(k)] <= err0 * rho ** km[: len(k)] * (1 + 1e-9) + 1e-12)
    assert fmt(rho) in text
    assert spec["layout"]["yaxis"]["type"] == "log"


def test_heavy_ball_rate_reduces_to_plain_gd():
    lam = np.array([0.3, 1.0, 4.0])
    assert heavy_ball_rate(lam, 0.2, 0.0) == pytest.approx(float(np.max(np.abs(1 - 0.2 * lam))))
    # Optimal heavy ball on a 2-eigenvalue problem: rate (sqrt(kappa)-1)/(sqrt(kappa)+1).
    kappa = 4.0 / 0.3
    lr = 4.0 / (math.sqrt(4.0) + math.sqrt(0.3)) ** 2
    mu = ((math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)) ** 2
    assert heavy_ball_rate(np.array([0.3, 4.0]), lr, mu) == pytest.approx(math.sqrt(mu), rel=1e-6)


def test_conditioning_raw_against_standardized():
    rng = np.random.default_rng(6)
    X = np.column_stack([rng.normal(1000.0, 50.0, 100), rng.normal(0.0, 0.01, 100)])
    y = X @ [0.01, 30.0] + rng.normal(size=100)
    runs = {}
    for title, standardize in (("raw features", False), ("standardized", True)):
        probe = gradient_descent(X, y, learning_rate=1e-12, n_iter=0, standardize=standardize)
        runs[title] = gradient_descent(X, y, learning_rate=probe.optimal_learning_rate, n_iter=2000,
                                       standardize=standardize)
    table = plots.conditioning_table(runs).set_index("quantity")
    raw_cond = condition_number(runs["raw features"])
    std_cond = condition_number(runs["standardized"])
    assert raw_cond > 1e6 > 10 > std_cond
    assert table.loc["condition number of H = λ_max/λ_min", "raw features"] == fmt(raw_cond)
    assert table.loc["converged", "standardized"] == "yes"
    fig, text = plots.conditioning_figure(runs, i=1, j=2)
    spec = _spec(fig)
    assert spec["layout"]["yaxis"]["scaleanchor"] == "x" and spec["layout"]["yaxis2"]["scaleanchor"] == "x2"
    contour = [t for t in spec["data"] if t["type"] == "contour"][1]
    gi, gj, z = _arr(contour["x"]), _arr(contour["y"]), _arr(contour["z"])
    w = runs["standardized"].optimum.copy()
    w[1], w[2] = gi[3], gj[50]
    assert z[50, 3] == pytest.approx(loss(runs["standardized"].X_work, y, w), rel=1e-10)
    assert fmt(raw_cond) in text


def test_learning_rate_ruler_marks_the_rates():
    fig, text = plots.learning_rate_figure(0.9, 0.4, 0.8)
    spec = _spec(fig)
    marks = {t["name"]: _arr(t["x"])[0] for t in spec["data"]}
    assert marks == {"optimal 2/(λmax+λmin)": 0.4, "largest stable 2/λmax": 0.8, "your rate η": 0.9}
    assert text.endswith("unstable: the descent diverges.")
    _, text = plots.learning_rate_figure(0.9, 0.4, 0.8, momentum=0.5)
    assert "1.2" in text and text.endswith(": stable.")


def test_rank_deficient_rate_leaves_out_the_unidentified_direction():
    rng = np.random.default_rng(7)
    a = rng.normal(size=50)
    X = np.column_stack([a, 2 * a])  # the second column says nothing new
    y = 3 * a + rng.normal(size=50)
    r = gradient_descent(X, y, learning_rate=0.1, n_iter=300)
    assert r.eigenvalues[0] == pytest.approx(0.0, abs=1e-12)
    lam = r.eigenvalues[1:]
    assert plain_rate(r) == pytest.approx(float(np.max(np.abs(1 - 0.1 * lam))))
    assert plain_rate(r) < 1
    fig, text = plots.convergence_figure(r)
    assert fmt(plain_rate(r)) in text
    table = plots.conditioning_table({"run": r}).set_index("quantity")
    assert table.loc["predicted steps to shrink the error 10⁸×", "run"] != "never (ρ ≥ 1)"
    assert table.loc["condition number of H = λ_max/λ_min", "run"] == "∞"


def test_step_summary_says_what_the_step_does(line_run):
    r, k = line_run, 0
    view = plots.step_view(r, k, rows=(0,))
    arith = step_arithmetic(r.X_work, r.y, r.history.coef[k], r.learning_rate, [0])
    assert view.summary.startswith("Step 0: row 0 is predicted 0 against ")
    assert f"from {fmt(arith.loss)} to {fmt(arith.loss_next)}" in view.summary
    assert arith.loss_next == pytest.approx(r.history.loss[1])


@pytest.mark.parametrize("ridge", [0.0, 0.3])
@pytest.mark.parametrize("standardize", [False, True])
def test_plain_rate_from_the_runs_eigenvalues_matches_a_pass_over_the_data(ridge, standardize):
    rng = np.random.default_rng(5)
    X = rng.normal(size=(200, 3)) * [1.0, 10.0, 0.1] + [0.0, 50.0, 2.0]
    y = X @ np.array([1.0, -0.2, 3.0]) + rng.normal(size=200)
    probe = gradient_descent(X, y, learning_rate=1e-6, n_iter=1, standardize=standardize, ridge=ridge)
    r = gradient_descent(X, y, learning_rate=0.5 * probe.max_stable_learning_rate, n_iter=50,
                         standardize=standardize, ridge=ridge)
    assert plain_rate(r) == pytest.approx(
        convergence_rate(r.X_work, r.learning_rate, ridge=r.ridge, intercept=r.intercept), rel=1e-10)


def test_convergence_figure_names_the_optimum_it_measures_to(line_run):
    X = np.linspace(0.0, 3.0, 40)[:, None]
    y = 1.0 + 2.0 * X[:, 0]
    ridged = gradient_descent(X, y, learning_rate=0.1, n_iter=50, standardize=True, ridge=0.5)
    titles = [json.loads(plots.convergence_figure(r)[0].to_json())["layout"]["annotations"][0]["text"]
              for r in (line_run, ridged)]
    assert titles == ["Distance to the OLS solution ‖w_k − w*‖", "Distance to the ridge solution ‖w_k − w*‖"]


def test_a_history_opened_elsewhere_among_the_same_iterations_reuses_the_step_views(plane_run, monkeypatch):
    built = animation.descent_animation(plane_run, i=1, j=2)
    first = built.history(3)
    calls = []
    real = animation.step_view
    monkeypatch.setattr(animation, "step_view", lambda *a, **k: calls.append(a[1]) or real(*a, **k))
    again = built.history(120)  # every iteration of this run is stored: the same iterations
    assert calls == [] and again["k0"] == 120 and again["iterations"] == first["iterations"]
    fresh = animation.descent_animation(plane_run, i=1, j=2).history(120)
    assert json.dumps(again, sort_keys=True) == json.dumps(fresh, sort_keys=True)
    calls.clear()
    built.history(3, rows=2)  # other rows shown: built anew
    assert len(calls) == len(first["iterations"])
