"""Every page keeps its elements in place from the run that computes to the runs that find it stored.

Were an element at another index in the next run (a job's progress placeholder drawn only while
it computes), the browser would mount what follows it anew, and a browser component there (the GD
stepper, a lesson's plot) would lose its state.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def _layout(at: AppTest) -> list[tuple[int, str]]:
    """The main area's top-level elements: index and kind (a block by its id)."""
    return [(i, getattr(node.proto, "id", "") if type(node).__name__ == "Block" else type(node).__name__)
            for i, node in at.main.children.items()]


# Each page with settings no other test uses, so that its first visit computes.
@pytest.mark.parametrize(("page", "query"), [
    ("pages/fit.py", {"iters": "418", "method": "gd"}),
    ("pages/residuals.py", {"alpha": "0.07"}),
    ("pages/descent.py", {"iters": "417"}),
    ("pages/compare.py", {"iters": "421"}),
    ("pages/regularization.py", {"ridge": "0.37"}),
    ("pages/learn.py", {"lesson": "2"}),
])
def test_the_next_run_draws_every_element_where_the_first_did(page, query):
    at = AppTest.from_file(APP, default_timeout=60)
    for name, value in query.items():
        at.query_params[name] = value
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    first = _layout(at)
    at.run()
    assert not at.exception
    assert _layout(at) == first
