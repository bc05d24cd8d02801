"""Short links: a link naming only some settings applies them to the default data, and says nothing is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from linreg.sources import DataSource
from linreg.synthetic import make_data

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def _open(query: dict[str, str]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(query)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.warning, [w.value for w in at.warning]  # a short link is not a broken one
    assert at.session_state["lr_data_source"].name == "cars"  # the default data
    return at


def _query(at: AppTest) -> dict[str, str]:
    return {k: v[0] if isinstance(v, list) else v for k, v in at.query_params.items()}


@pytest.mark.parametrize("n", [3, 10])
def test_a_lesson_link_opens_that_lesson(n):
    at = _open({"lesson": str(n)})
    at.switch_page("pages/learn.py").run()
    assert at.selectbox(key="learn_lesson").value == n
    assert at.header[0].value.startswith(f"{n}. ")
    assert _query(at)["lesson"] == str(n) and _query(at)["data"] == "cars"


def test_an_iteration_link_opens_the_descent_at_that_step():
    at = _open({"k": "20"})
    at.switch_page("pages/descent.py").run()
    assert at.slider(key="gd_k").value == 20
    assert any(c.value.startswith("Iteration 20 of") for c in at.caption)
    assert _query(at)["k"] == "20"


def test_a_learning_rate_link_sets_the_rate_on_both_pages():
    at = _open({"lr": "0.05"})
    assert at.session_state["lr_gd_settings"].learning_rate == 0.05
    at.switch_page("pages/descent.py").run()
    assert at.number_input(key="gd_lr").value == 0.05
    at.switch_page("pages/fit.py").run()
    at.radio(key="fit_method").set_value("gd").run()
    assert at.number_input(key="fit_gd_lr").value == 0.05
    assert _query(at)["lr"] == "0.05"


def test_an_iteration_and_a_rate_together():
    at = _open({"k": "20", "lr": "0.05"})
    at.switch_page("pages/descent.py").run()
    assert at.slider(key="gd_k").value == 20
    assert at.number_input(key="gd_lr").value == 0.05
    assert {k: _query(at)[k] for k in ("k", "lr")} == {"k": "20", "lr": "0.05"}


def test_an_iteration_past_the_run_says_so():
    at = _open({"k": "5000"})  # the default run has at most 500 iterations
    at.switch_page("pages/descent.py").run()
    n_iter = at.slider(key="gd_k").value
    assert n_iter <= 500
    assert any("past this run's last iteration" in w.value for w in at.warning)


def test_a_generator_link_without_a_seed_uses_seed_0_and_says_so():
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update({"gen": "linear", "g_n": "30"})
    at.run()
    assert not at.exception and not at.warning
    assert at.session_state["lr_source"] == "Synthetic: linear (n=30, seed 0)"
    assert at.session_state["lr_data"].equals(make_data("linear", n=30, seed=0).data)
    assert _query(at)["g_seed"] == "0"
    at.switch_page("pages/fit.py").run()
    assert not at.exception and not at.error
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Python script" in labels


def test_a_parameter_the_app_does_not_read_is_named_and_the_rest_followed():
    # p is the collinear generator's knob, but a link writes it g_p: the data is drawn with the
    # default p, and the visitor is told why rather than seeing p vanish from the URL.
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update({"gen": "collinear", "p": "4", "lesson": "3"})
    at.run()
    assert not at.exception
    assert [w.value for w in at.warning] == [  # Markdown source, escaped: the page shows it as plain text
        "This link's parameter 'p' is not a parameter the app reads, so it was left out (a generator's settings are "
        "written g\\_\\<name\\>: g\\_p); the rest of the link was followed."]
    assert at.session_state["lr_data_source"] == DataSource("synthetic", "collinear", (), seed=0)
    assert at.session_state["lr_lesson"] == 3
    assert "p" not in _query(at)
