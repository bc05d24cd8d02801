"""What the Learn page's AppTests share: opening a lesson, reading what it shows, and settling a
lesson component's state as the browser would."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

from linreg.datasets import load_dataset

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def open_lesson(n: int) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30).run()
    at.switch_page("pages/learn.py").run()
    at.selectbox(key="learn_lesson").set_value(n).run()
    assert_clean(at)
    return at


def shown_texts(at: AppTest) -> list[str]:
    out = [e.value for e in at.markdown] + [e.value for e in at.caption] + [e.value for e in at.latex]
    out += [m.value for m in at.metric] + [e.value for e in at.success] + [e.value for e in at.info]
    for df in at.dataframe:
        out += [str(v) for v in df.value.to_numpy().ravel()]
    return [str(t) for t in out]


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    for text in shown_texts(at):
        assert "nan" not in text.lower().replace("nanc", ""), text


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def reveal(at: AppTest, n: int, guess: str) -> AppTest:
    at.radio(key=f"learn_guess_{n}").set_value(guess).run()
    at.button(key=f"learn_reveal_{n}").click().run()
    assert_clean(at)
    return at


def figure(at: AppTest, i: int = 0) -> dict:
    return json.loads(at.get("plotly_chart")[i].proto.spec)


def decode(d):
    if isinstance(d, dict) and "bdata" in d:
        return np.frombuffer(base64.b64decode(d["bdata"]), d["dtype"])
    return np.asarray(d, dtype=float)


def anscombe_1():
    df, _ = load_dataset("anscombe_1")
    return df["x"].to_numpy(), df["y"].to_numpy()


def settle(state: dict, lesson: str = "l01_line") -> AppTest:
    """What Streamlit does when a lesson's browser component settles: its state, then its callback."""

    def script(state, lesson):
        import importlib

        import streamlit as st

        from ui.lessons import common

        module = importlib.import_module(f"ui.lessons.{lesson}")
        st.session_state[module.KEY] = {"settled": state}
        common.take_settled(module.KEY, module.ERROR, module._keep)  # the callback common.mount gives

    at = AppTest.from_function(script, args=(state, lesson), default_timeout=30).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def component_view(at: AppTest) -> dict:
    """The payload of the main area's one browser component."""
    views = at.main.get("bidi_component")  # the sidebar holds the share link's component
    assert len(views) == 1
    return json.loads(views[0].proto.json)


def open_at(lesson: int, kept, keys: tuple[str, ...] = ("lr_lesson_line",)) -> AppTest:
    """The Learn page at ``lesson`` in a session holding the ``keys`` a component's callback ``kept``."""
    at = AppTest.from_file(APP, default_timeout=30).run()
    for key in keys:
        at.session_state[key] = kept[key]
    at.switch_page("pages/learn.py").run()
    at.selectbox(key="learn_lesson").set_value(lesson).run()
    assert_clean(at)
    return at
