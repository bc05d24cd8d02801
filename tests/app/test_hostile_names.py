"""Hostile column and file names on every page: none of it is ever rendered as markup.

The names carry a Markdown link and image, HTML, LaTeX ``\\href``, a bare URL, Streamlit's
``:color[...]`` and ``:material/...:`` shortcodes, ``$`` math and a 10,000-character name. Every
piece of Markdown the pages send is read as Streamlit's renderer reads it, in two passes:

* the parser's view (inline code removed, each backslash escape a neutral character): no link or
  image syntax, no HTML tag, no math, no directive may come from the names;
* the text view (escapes resolved, as the text nodes that autolinks and shortcodes search):
  no ``http://``, ``www.``, e-mail or ``:name:`` shortcode may survive.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from linreg.design import ModelSpec

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGES = ["pages/data.py", "pages/fit.py", "pages/residuals.py", "pages/descent.py", "pages/compare.py",
         "pages/regularization.py", "pages/learn.py"]

LINK = "[evil](http://example.com/a)"
IMAGE = "![img](http://example.com/i.png)"
BOLD = "<b>x</b>"
IMG = "<img src=x>"
HREF = r"\href{http://example.com}{x}"
BARE = "http://x.y"
WWW = "www.example.com"
MATH = "$x^2$"
ICON = ":material/warning:"
COLOR = ":red[y]"
LONG = ("[a](http://b.c) " * 700)[:10_000]
NUMERIC = [LINK, IMAGE, BOLD, IMG, HREF, BARE, WWW, MATH, LONG, ICON]  # the last is the default target
TEXT = COLOR  # a text column: categorical by default
FILE_NAME = "[f](http://example.com/f) <img src=x> http://x.y.csv"


def _frame() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    n = 40
    df = pd.DataFrame({name: rng.normal(size=n) for name in NUMERIC[:-1]})
    df[TEXT] = np.array(["[c](http://x.y)", "<b>d</b>", ":blue[e]"])[np.arange(n) % 3]
    df[ICON] = 1 + df[LINK] - 2 * df[BARE] + rng.normal(scale=0.5, size=n)
    return df


_CODE = re.compile(r"(`+)(.+?)\1", re.S)
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
# What Markdown would make into an element, seen by the parser. (The pages' own text has math of its
# own, so math is looked for as the hostile name's.)
_PARSED = [re.compile(p) for p in (r"\]\(", r"<[A-Za-z/!]", r"\$x\^2\$", r":[A-Za-z]+\[", r"\\href")]
# What the text-level passes (autolinks, shortcodes) would find, seen in the text.
_TEXTUAL = [re.compile(p, re.I) for p in (r"https?://", r"www\.", r"[\w.+-]+@[\w-]+\.\w", r":material[/_]\w+:",
                                          r":(?:red|blue|green|orange|violet|gray|rainbow|primary)\[",
                                          r":streamlit:")]


def live_markup(markdown: str) -> list[str]:
    """What in ``markdown`` Streamlit would render as a link, image, HTML, math, directive or shortcode."""
    body = _CODE.sub("", markdown)
    parsed = _ESCAPE.sub("\x00", body)
    text = _ESCAPE.sub(r"\1", body)
    return [p.pattern for p in _PARSED if p.search(parsed)] + [p.pattern for p in _TEXTUAL if p.search(text)]


def test_the_checker_finds_what_it_looks_for():
    from ui.text import md_escape

    for raw in (LINK, IMAGE, BOLD, IMG, HREF, BARE, WWW, MATH, ICON, COLOR, "a@b.co"):
        assert live_markup(raw), raw
        assert not live_markup(md_escape(raw)), (raw, md_escape(raw), live_markup(md_escape(raw)))
        assert not live_markup(f"`{raw}`")


def _markdown_sent(at: AppTest) -> list[str]:
    """Every string the last run sent that Streamlit renders as Markdown."""
    out = []
    for kind in ("markdown", "caption", "error", "warning", "info", "success", "title", "header", "subheader"):
        out += [e.value for e in getattr(at, kind)]
    for kind in ("radio", "number_input", "slider", "select_slider", "checkbox", "selectbox", "multiselect",
                 "text_input", "toggle", "button"):
        for w in getattr(at, kind):
            out.append(str(w.label))
            if kind == "radio":
                out += [str(o) for o in w.options]
    out += [m.label for m in at.metric]
    for table in at.table:  # st.table renders each cell as Markdown
        out += table.value.astype(str).to_numpy().ravel().tolist() + [str(c) for c in table.value.columns]
    return out


def _assert_nothing_live(at: AppTest, where: str) -> None:
    assert not at.exception, (where, [e.value for e in at.exception])
    for text in _markdown_sent(at):
        assert not live_markup(text), (where, live_markup(text), text[:300])
    for latex in at.latex:
        assert r"\href" not in latex.value, (where, latex.value[:300])
        assert ":material/" not in latex.value, (where, latex.value[:300])


def _uploaded() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.file_uploader(key="upload").set_value((FILE_NAME, _frame().to_csv(index=False).encode(), "text/csv")).run()
    assert at.session_state["lr_source"] == f"Upload: {FILE_NAME}"
    assert at.session_state["lr_spec"].target == ICON
    return at


@pytest.mark.parametrize("page", PAGES)
def test_hostile_names_render_literally_on_every_page(page):
    at = _uploaded()
    _assert_nothing_live(at, "data page after the upload")
    at.switch_page(page).run()
    _assert_nothing_live(at, page)
    if page == "pages/fit.py":
        # Streamlit would rewrite ":material/" into an underscore, which KaTeX refuses inside \text.
        assert at.latex and ":material/" not in at.latex[0].value
        at.radio(key="fit_method").set_value("gd").run()
        _assert_nothing_live(at, "fit page, gradient descent")


@pytest.mark.parametrize("page", PAGES[1:6])
def test_a_text_column_left_out_of_categorical_gives_an_escaped_error_everywhere(page):
    at = _uploaded()
    at.session_state["lr_spec"] = ModelSpec(ICON, (LINK, TEXT))  # text used as a number: linreg refuses
    at.switch_page(page).run()
    _assert_nothing_live(at, page)
    shown = " ".join(e.value for e in at.error).replace("\\", "")
    assert "red[y]" in shown, shown[:500]


def test_a_single_hostile_feature_names_the_complexity_section_literally():
    at = _uploaded()
    at.session_state["lr_spec"] = ModelSpec(ICON, (BARE,))
    at.switch_page("pages/regularization.py").run()
    _assert_nothing_live(at, "regularization, one feature")
    options = at.radio(key="cx_source").options
    assert any("Current data" in o for o in options)
    at.radio(key="cx_source").set_value("current").run()
    _assert_nothing_live(at, "regularization, current data")


def test_a_rejected_hostile_upload_is_reported_literally():
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.file_uploader(key="upload").set_value((FILE_NAME, b"\xff\xfe\x00not a csv", "text/csv")).run()
    assert at.error
    _assert_nothing_live(at, "rejected upload")


def test_a_hostile_link_value_is_reported_literally():
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update({"data": f"{LINK} {BOLD} {BARE}", "pen": IMG})
    at.run()
    assert at.warning
    _assert_nothing_live(at, "link error banner")
