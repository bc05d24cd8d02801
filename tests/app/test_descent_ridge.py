"""Gradient descent page with the ridge penalty in the step-through."""

from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

from linreg.design import build_design
from linreg.penalized import fit_penalized
from linreg.quadratic import gradient

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def test_ridge_in_the_step_through_reaches_fit_penalized():
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/descent.py").run()
    at.number_input(key="gd_ridge").set_value(0.5).run()
    at.number_input(key="gd_n_iter").set_value(5000).run()
    assert not at.exception, [e.value for e in at.exception]
    s = at.session_state["lr_gd_settings"]
    assert s.ridge == 0.5
    d = build_design(at.session_state["lr_data"], at.session_state["lr_spec"])
    f = fit_penalized(d.X, d.y, lam=0.5, l1_ratio=0.0, standardize=s.standardize, intercept=d.intercept)
    from linreg.descent import gradient_descent

    g = gradient_descent(d.X, d.y, learning_rate=s.learning_rate, n_iter=s.n_iter, standardize=s.standardize,
                         ridge=0.5)
    np.testing.assert_allclose(g.coef, f.coef, rtol=1e-6)
    latex = " ".join(el.value for el in at.get("latex"))
    assert "2\\lambda b" in latex
    assert any("ridge penalty" in m.value for m in at.markdown)
    # The step-through's gradient is the penalized one: 2λb on the slopes.
    k = int(at.slider(key="gd_k").value)
    w = g.history.coef[k]
    assert np.allclose(g.history.grad[k][1:] - gradient(g.X_work, g.y, w)[1:], 2 * 0.5 * w[1:])
    # Back to 0: plain least squares again.
    at.number_input(key="gd_ridge").set_value(0.0).run()
    assert not at.exception and at.session_state["lr_gd_settings"].ridge == 0.0
    assert not any("ridge penalty" in m.value for m in at.markdown)
