"""Large datasets: the operator registers Parquet data in linreg.toml; the app lists, fits and links it by name."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from linreg.design import ModelSpec, build_design, fit_design
from linreg.format import fmt
from linreg.sources import registered_source

APP = str(Path(__file__).resolve().parents[2] / "app.py")
SPEC = ModelSpec("y", ("x", "g"), categorical=("g",))


def _rows(n: int, rng) -> pd.DataFrame:
    x = rng.normal(size=n)
    g = rng.choice(["a", "b", "c"], size=n)
    y = 1.0 + 2.0 * x + np.where(g == "b", 0.5, 0.0) + rng.normal(scale=0.3, size=n)
    return pd.DataFrame({"x": x, "g": g, "y": y})


@pytest.fixture
def flights(tmp_path, monkeypatch):
    """A three-file Parquet dataset registered as 'flights', and the same rows in memory."""
    rng = np.random.default_rng(1)
    folder = tmp_path / "flights"
    folder.mkdir()
    frames = [_rows(n, rng) for n in (400, 300, 500)]
    frames[2].loc[150, ["x", "y"]] = [3.5, -4.0]  # row 850 of the dataset: the most influential
    for i, frame in enumerate(frames):
        frame.to_parquet(folder / f"part-{i}.parquet")
    config = tmp_path / "linreg.toml"
    config.write_text(f'[datasets]\nflights = "{folder}"\n')
    monkeypatch.setenv("LINREG_CONFIG", str(config))
    monkeypatch.delenv("DASK_SCHEDULER_ADDRESS", raising=False)
    monkeypatch.delenv("LINREG_DASK_SCHEDULER", raising=False)
    return pd.concat(frames, ignore_index=True)


def _open(query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at.run()


def _use_flights() -> AppTest:
    at = _open()
    at.selectbox(key="large_name").set_value("flights")
    return at.button(key="load_large").click().run()


def _metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label.startswith(label))


def _page(at: AppTest, path: str) -> AppTest:
    return at.switch_page(path).run()


def _in_memory(df: pd.DataFrame, spec: ModelSpec = SPEC):
    return fit_design(build_design(df, spec))


def test_the_tab_appears_only_when_the_operator_registers_datasets(tmp_path, monkeypatch):
    monkeypatch.setenv("LINREG_CONFIG", str(tmp_path / "absent.toml"))
    at = _open()
    assert not at.exception
    assert [t.label for t in at.tabs] == ["Built-in dataset", "Generate synthetic data", "Upload a CSV"]


def test_the_tab_lists_the_datasets_with_their_files_rows_and_columns(flights):
    at = _open()
    assert not at.exception
    assert at.tabs[-1].label == "Large dataset"
    assert at.selectbox(key="large_name").options == ["flights"]
    assert any("**flights**: 3 Parquet files, 1,200 rows, 3 columns" in m.value for m in at.markdown)
    columns = next(d.value for d in at.dataframe if list(d.value.columns) == ["column", "type"])
    assert columns["column"].tolist() == ["x", "g", "y"]
    assert columns["type"].tolist()[0] == "double"


def test_the_whole_dataset_is_fitted_out_of_core_as_in_memory(flights):
    at = _use_flights()
    assert not at.exception and not at.error
    assert at.session_state["lr_data_source"] == registered_source("flights")
    assert at.session_state["lr_source"].startswith("Large dataset: flights (1,200 rows")
    at.multiselect(key="categorical").set_value(["g"]).run()
    assert at.session_state["lr_spec"] == SPEC
    # The sidebar counts every row, not the first rows the session holds for a look.
    assert any("1,200 rows (read a partition at a time; plots draw a sample) × 3 columns" in m.value
               for m in at.sidebar.markdown)
    at = _page(at, "pages/fit.py")
    assert not at.exception and not at.error
    ref = _in_memory(flights)
    assert _metric(at, "R²") == fmt(ref.r_squared)
    assert _metric(at, "σ") == fmt(ref.sigma)
    assert _metric(at, "AIC") == fmt(ref.aic)
    table = at.dataframe[0].value
    assert table["term"].tolist() == list(ref.terms)
    assert any("every row of **flights**: 1,200 rows in 3 Parquet files" in m.value for m in at.markdown)
    assert any("this server's threads" in m.value for m in at.markdown)
    assert at.query_params["large"] == ["flights"] or at.query_params["large"] == "flights"


def test_the_fit_is_cached_by_the_fingerprint_and_refits_when_a_file_changes(flights, tmp_path):
    at = _page(_use_flights(), "pages/fit.py")
    first = _metric(at, "R²")
    at.run()  # unchanged files: the stored fit
    assert _metric(at, "R²") == first
    changed = flights.iloc[:700].copy()
    part = flights.iloc[700:].copy()
    part["y"] = part["y"] + 5 * part["x"] ** 2  # the last file now bends
    part.reset_index(drop=True).to_parquet(tmp_path / "flights" / "part-2.parquet")
    from ui import large

    large._facts.clear()  # the fingerprint is trusted for a few seconds; a test does not wait
    at.run()
    ref = _in_memory(pd.concat([changed, part], ignore_index=True))
    assert _metric(at, "R²") == fmt(ref.r_squared) != first


def test_residuals_print_the_streamed_tests_and_influential_rows_by_global_row(flights, monkeypatch):
    from ui import large

    monkeypatch.setattr(large, "FIT_SAMPLE", 200)  # the plots draw a sample, not every row
    at = _page(_use_flights(), "pages/residuals.py")
    assert not at.exception and not at.error
    assert at.session_state["lr_spec"] == SPEC  # the default model: g is text, so categorical
    ref = _in_memory(flights)
    tests = at.table[0].value
    assert tests["test"].tolist() == ["Breusch-Pagan", "Jarque-Bera", "Durbin-Watson"]
    from linreg.diagnostics import durbin_watson

    assert tests["statistic"].iloc[2] == fmt(durbin_watson(ref).statistic)
    influence = at.dataframe[0].value
    cook = np.asarray(ref.cooks_distance)
    order = np.argsort(-cook)
    assert influence["row"].tolist()[:3] == [str(i) for i in order[:3]]  # rows count across files
    assert order[0] == 850  # the third file's row 150: numbered across the files
    # The plots label their points by the same global row numbers.
    assert any(f"the largest Cook's distance is {cook[order[0]]:.3g} (row {order[0]})" in c.value
               for c in at.caption)
    assert len(at.get("plotly_chart")) == 5
    drawn = next(c.value for c in at.caption if c.value.startswith("Residuals vs fitted:"))
    assert 150 < int(drawn.split(": ")[1].split(" points")[0].replace(",", "")) < 300
    assert any("The tests and extremes below are computed over all 1,200 rows" in c.value for c in at.caption)


def test_gradient_descent_and_the_others_say_why_and_offer_a_sample(flights):
    at = _use_flights()
    for page, words in (("pages/descent.py", "The step-by-step view draws the model against every point"),
                        ("pages/compare.py", "Compare runs gradient descent"),
                        ("pages/regularization.py", "Ridge, lasso and elastic net"),
                        ("pages/learn.py", "The lessons draw every point")):
        at = _page(at, page)
        assert not at.exception
        assert any(words in i.value for i in at.info), page
        assert at.button(key="large_load_sample")
    at = at.button(key="large_load_sample").click().run()
    assert not at.exception
    src = at.session_state["lr_data_source"]
    assert src == registered_source("flights", sample=100_000, seed=0) and not src.is_large
    df = at.session_state["lr_data"]
    assert len(df) == 1200  # fewer rows than the sample asks for: every row, as ordinary data
    assert at.session_state["lr_spec"].target == "y"
    assert at.selectbox(key="learn_lesson")  # the Learn page itself now runs


def test_gradient_descent_runs_on_every_row_from_the_gram_matrix(flights):
    from linreg.descent import gradient_descent

    at = _page(_use_flights(), "pages/descent.py")
    assert not at.exception and not at.error
    s = at.session_state["lr_gd_settings"]
    d = build_design(flights, SPEC)
    ref = gradient_descent(d.X, d.y, learning_rate=s.learning_rate, n_iter=s.n_iter, standardize=s.standardize,
                           batch_size=s.batch_size, momentum=s.momentum, ridge=s.ridge, terms=d.terms)
    assert any("every one of the 1,200 rows, through the Gram matrix of one pass" in c.value for c in at.caption)
    from ui.text import md_escape

    assert any(md_escape(ref.message) == m.value for m in (*at.success, *at.info))
    assert _metric(at, "Iterations") == f"{ref.n_iter:,}"
    coef = at.dataframe[0].value
    assert coef["term"].tolist() == list(ref.terms)
    assert coef["gradient descent"].tolist() == [fmt(v) for v in ref.coef]
    assert _metric(at, "Final loss") == fmt(ref.final_loss)
    assert len(at.get("plotly_chart")) == 2
    assert at.button(key="large_load_sample")  # the stepper with the data panel runs on a sample
    from dataclasses import replace

    at.session_state["lr_gd_settings"] = replace(s, batch_size=32, n_iter=60)
    at.run()
    assert not at.exception and not at.error
    assert any("mini-batch descent on an in-memory sample of 1,200 of the 1,200 rows" in c.value for c in at.caption)


def test_a_link_carries_the_name_and_rebuilds_the_same_fit(flights):
    query = {"large": "flights", "target": "y", "features": "x,g", "cat": "g"}
    at = _page(_open(query), "pages/fit.py")
    assert not at.exception and not at.error
    assert at.session_state["lr_link_error"] is None
    assert _metric(at, "R²") == fmt(_in_memory(flights).r_squared)


def test_a_link_to_a_dataset_the_server_does_not_have_falls_back_with_a_message(flights):
    at = _open({"large": "taxi", "target": "y", "features": "x"})
    assert not at.exception
    message = at.session_state["lr_link_error"]
    assert "large dataset 'taxi' that this server does not have; its datasets are ['flights']" in message
    assert at.session_state["lr_data_source"].kind == "builtin"


def test_a_sample_link_draws_the_same_sample(flights):
    at = _open({"large": "flights", "large_n": "500", "large_seed": "2"})
    assert not at.exception and at.session_state["lr_link_error"] is None
    df = at.session_state["lr_data"]
    assert at.session_state["lr_source"] == f"Sample of flights: {len(df):,} rows (seed 2)"
    again = _open({"large": "flights", "large_n": "500", "large_seed": "2"}).session_state["lr_data"]
    assert df.equals(again) and 300 < len(df) <= 500
    assert set(df["x"]) <= set(flights["x"])


def test_the_fit_runs_on_the_operators_scheduler(flights, tmp_path, monkeypatch):
    import linreg.scale

    config = tmp_path / "linreg.toml"
    config.write_text(config.read_text() + '[dask]\nscheduler = "sync"\n')  # a scheduler linreg.scale knows
    clients = []
    real = linreg.scale.fit_ols

    def spy(*args, **kwargs):
        clients.append(kwargs["client"])
        return real(*args, **kwargs)

    monkeypatch.setattr(linreg.scale, "fit_ols", spy)
    at = _page(_use_flights(), "pages/fit.py")
    assert not at.exception and not at.error
    assert clients == ["sync"]
    assert any("the operator's Dask cluster" in m.value for m in at.markdown)
    assert _metric(at, "R²") == fmt(_in_memory(flights).r_squared)


def test_progress_reaches_the_job_and_a_stop_ends_the_fit():
    from linreg.exceptions import Cancelled
    from ui import large

    seen, stop = [], []
    report = large._progress({"progress": seen.append, "should_stop": lambda: bool(stop)})
    report("fit", 1, 2)
    report("diagnostics", 2, 2)
    assert seen == [(1 + 0.5) / 4, 1.0]
    stop.append(True)
    with pytest.raises(Cancelled, match="the visitor left"):
        report("refine", 1, 2)


def test_the_data_page_loads_a_sample_as_ordinary_data(flights):
    at = _open()
    at.selectbox(key="large_name").set_value("flights")
    at = at.button(key="load_large_sample").click().run()
    assert not at.exception and not at.error
    assert at.session_state["lr_data_source"] == registered_source("flights", sample=100_000, seed=0)
    assert len(at.session_state["lr_data"]) == 1200
    assert any(s.value.startswith("Loaded Sample of flights: 1,200 rows (seed 0)") for s in at.success)
    at = _page(at, "pages/regularization.py")  # an ordinary page again
    assert not at.exception and not any("a partition at a time" in i.value for i in at.info)


def test_a_registered_dataset_that_cannot_be_read_is_an_error_not_a_crash(flights, tmp_path):
    config = tmp_path / "linreg.toml"
    config.write_text(config.read_text() + f'gone = "{tmp_path / "nowhere"}"\n')
    at = _open()
    at.selectbox(key="large_name").set_value("gone")
    at.run()
    assert not at.exception
    assert any("gone cannot be read" in e.value and "has no Parquet files" in e.value for e in at.error)
