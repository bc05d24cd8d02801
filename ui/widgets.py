"""The controls written once: a widget per setting from the settings table, the GD settings,
seeds, and showing user text and errors (always escaped).

A widget's bounds and help come from its ``ui.settings.Field``, the same that checks a link,
so a value one accepts the other shows unchanged: Streamlit would reset a value outside a
widget's range to its minimum without a word.
"""

from __future__ import annotations

import zlib

import streamlit as st

from linreg.exceptions import Cancelled

from . import jobs, session
from .settings import FIELDS, SEED, Field, GDSettings
from .text import latex_safe, md_code, md_escape

__all__ = ["seed", "field_input", "seed_input", "gd_settings_controls", "GD_CONTROLS", "in_range", "Code",
           "markdown", "escaped", "latex", "show_error", "download", "download_gd_trace"]


def seed(key: str, value) -> None:
    """Give a widget its value from the app state when the page is (re)entered.

    Streamlit forgets a widget's value once its page is not drawn; the plain state remembers.
    """
    if key not in st.session_state:
        st.session_state[key] = value


def in_range(f: Field, value) -> bool:
    """Whether ``value`` is one the widget of ``f`` can show (a number within its range)."""
    return f.low is None or (value is not None and f.low <= value <= f.high)


def to_widget(f: Field, value):
    """A setting's value as its widget holds it (0 for "no batch size")."""
    if f.kind == "bool":
        return bool(value)
    if f.kind == "int":
        return int(value or 0)
    if f.kind == "float":
        return float(value)
    return value


def from_widget(f: Field, value):
    """A widget's value as the setting holds it (None for "no batch size")."""
    if f.kind == "int":
        return None if f.default is None and int(value) == 0 else int(value)
    return to_widget(f, value)


def field_input(f: Field, key: str, *, where=st, label: str | None = None, step=None, format_func=None,
                on_change=None, args: tuple = ()):
    """The widget of field ``f`` under ``key``: a checkbox, radio, slider or number box within its range."""
    kw = {"key": key, "help": f.help or None, "on_change": on_change, "args": args}
    label = label or f.label
    if f.kind == "bool":
        return where.checkbox(label, **kw)
    if f.kind == "choice":
        return where.radio(label, list(f.options), format_func=format_func or str, horizontal=True, **kw)
    if f.slider:
        return where.slider(label, f.low, f.high, step=f.step, **kw)
    if f.kind == "int":
        return where.number_input(label, min_value=int(f.low), max_value=int(f.high), step=int(step or f.step or 1),
                                  **kw)
    return where.number_input(label, min_value=float(f.low), max_value=float(f.high), step=step or f.step,
                              format="%.4g", **kw)


def seed_input(label: str, key: str, *, where=st, default: int = 0, help: str | None = SEED.help) -> int:
    """A random seed: a whole number from 0 to 2**31 - 1, starting at ``default``."""
    seed(key, int(default))
    return int(where.number_input(label, min_value=SEED.low, max_value=SEED.high, step=1, key=key, help=help))


# --------------------------------------------------------------------------- gradient-descent settings

GD_CONTROLS = ("learning_rate", "n_iter", "batch_size", "momentum", "seed", "standardize", "ridge")


def _store_gd(prefix: str, names: tuple[str, ...]) -> None:
    """Widget callback: copy the settings widgets into the state before the page reruns,
    so the run the page draws always has the settings on screen."""
    gd = FIELDS["gd"]
    session.set_gd_settings(**{name: from_widget(gd[name], st.session_state[f"{prefix}_{gd[name].key}"])
                               for name in names})


def gd_settings_controls(prefix: str, title: str, names: tuple[str, ...] = GD_CONTROLS, widths=None):
    """The gradient-descent settings in a bordered box, seeded from and written back to the state.

    One copy for the Fit and Gradient descent pages: each field's widget key is
    ``f"{prefix}_{field.key}"``. Settings not in ``names`` keep their value (the Fit page has
    no ridge control). Returns the box, for the page to add to it.
    """
    g: GDSettings = session.gd_settings()
    gd = FIELDS["gd"]
    for name in names:
        seed(f"{prefix}_{gd[name].key}", to_widget(gd[name], getattr(g, name)))
    box = st.container(border=True)
    with box:
        st.markdown(title)
        columns = st.columns(widths or len(names))
        for column, name in zip(columns, names, strict=True):
            field_input(gd[name], f"{prefix}_{gd[name].key}", where=column, on_change=_store_gd,
                        args=(prefix, tuple(names)))
    return box


# --------------------------------------------------------------------------- user text


class Code(str):
    """User text to show as inline code in :func:`markdown`."""


def _safe(value) -> str:
    return md_code(value) if isinstance(value, Code) else md_escape(value)


def markdown(template: str, *, element=None, **user) -> None:
    """Show the trusted Markdown ``template`` with each ``{name}`` filled by escaped user text.

    ``element`` is the Streamlit call (``st.markdown`` by default; ``st.caption``, ``st.info``, ...).
    A value wrapped in :class:`Code` is shown as inline code.
    """
    (element or st.markdown)(template.format(**{name: _safe(v) for name, v in user.items()}))


def escaped(text: object, *, element=None) -> None:
    """Show user text (or text quoting it, as linreg's summaries do) exactly as written."""
    (element or st.caption)(md_escape(text))


def show_error(prefix: str, err: object, *, element=None) -> None:
    """An error (or, with ``element``, a warning or note): our ``prefix``, then the escaped message.

    A computation the visitor stopped is a note in its own words, with a button that starts it again.
    """
    if isinstance(err, Cancelled):
        st.info(md_escape(err))
        st.button("Run it again", key=f"lr_run_again_{zlib.crc32(prefix.encode())}", on_click=jobs.forget_stop)
        return
    (element or st.error)(f"{prefix} {md_escape(err)}" if prefix else md_escape(err))


def latex(tex: str) -> None:
    """Show LaTeX that quotes user names (escaped as text by linreg), safe from Streamlit's rewrites."""
    st.latex(latex_safe(tex))


def download(label: str, make, file_name: str, *, key: str, mime: str = "text/csv", help: str | None = None,
             where=None) -> None:
    """A download button whose file ``make()`` builds only when it is clicked, in ``where`` (default: here).

    The click does not rerun the page: the rerun would give the file a new id while the browser is
    still fetching the old one, and on a busy server the download would fail.
    """
    (where or st).download_button(label, data=make, file_name=file_name, mime=mime, key=key, help=help,
                                  on_click="ignore")


def download_gd_trace(result, *, key: str) -> None:
    """The whole gradient-descent run as a CSV, one row per iteration (``linreg.export.gd_trace_csv``)."""
    from linreg import export  # here, not at import: the pages without a run need not load it
    download("Download the whole run (CSV)", lambda: export.gd_trace_csv(result), "gd_trace.csv", key=key,
             help="iteration, loss, gradient norm and the coefficients (original units) at every step")
