"""Drawing figures: each one built and encoded once, and replayed after.

st.plotly_chart deep-copies a figure and encodes it as JSON on every call, even when the
figure itself comes from a cache. Streamlit records the elements a cached function draws
and, on a cache hit, replays the recorded messages without running the function; so
:func:`chart` draws inside ``st.cache_resource``, and a rerun that changes nothing about a
figure only resends the stored message. Replay draws into whatever container is active
(``with col:``), as a first call would.

A chart's ``ident`` must cover everything its ``build`` reads. The named accessors below
build their idents themselves, from :func:`fingerprint` and their arguments.
"""

from __future__ import annotations

import hashlib

import streamlit as st

from . import cache, descent_cache, session
from .cache import CACHE_TTL
from .settings import GDSettings


# Per session: a chart's encoded figure (up to ~2 MB) is cheap to build again from the shared
# results, and a session's charts then go with it when its browser goes away.
@st.cache_resource(show_spinner="Drawing…", max_entries=16, ttl=CACHE_TTL, scope="session")
def _cached_chart(ident: str, key: str, config: tuple, alt: str | None, _build):
    out = _build()
    figure, rest = (out[0], tuple(out[1:])) if isinstance(out, tuple) else (out, ())
    st.plotly_chart(figure, key=key, config=dict(config), alt=alt_text(figure, rest, alt))
    return rest


def alt_text(figure, rest: tuple = (), alt: str | None = None) -> str:
    """What a screen reader says for a chart: ``alt``, else the builder's one-line summary, else its title.

    The summary is the first string a builder returns after the figure (every builder in
    ``linreg.plots`` returns one). It is plain text, user's column names included, and stays
    so: Streamlit sets it as the chart's ``aria-label`` attribute, never as markup.
    """
    for text in (alt, *(r for r in rest if isinstance(r, str))):
        if text and text.strip():
            return text.strip()
    title = getattr(getattr(figure.layout, "title", None), "text", None)
    if title and str(title).strip():
        return str(title).strip()
    raise ValueError("a chart needs alt text: give chart() alt=, or return a summary from its build")


def chart(ident: tuple, build, *, key: str, config: dict | None = None, alt: str | None = None) -> tuple:
    """Draw the figure ``build()`` makes, building and encoding it once per ``ident``.

    Parameters
    ----------
    ident : tuple of hashable
        Everything the figure depends on, small and cheap to hash: a name for the figure and the
        data key, model and settings behind it (``fingerprint()`` holds all of those), plus any
        widget values it uses. Two calls with the same ``ident`` and ``key`` draw the same chart.
    build : callable
        ``build() -> Figure`` or ``build() -> (Figure, *rest)``; called only on a cache miss.
    key : str
        The element key of the chart.
    config : dict, optional
        plotly's ``config`` (e.g. ``{"displayModeBar": False}``).
    alt : str, optional
        The chart's text for screen readers (``st.plotly_chart(alt=...)``); by default the
        one-line summary ``build`` returns after the figure (see :func:`alt_text`).

    Returns
    -------
    tuple
        ``rest``: what ``build`` returned after the figure (summaries, notes); empty for a bare figure.
    """
    # The repr, not the tuple, is the key: Streamlit would hash each dataclass in the ident field by
    # field; for these values (str, numbers, None, frozen dataclasses of those) equal reprs mean
    # equal idents.
    return _cached_chart(ident=repr(ident), key=key, config=tuple(sorted((config or {}).items())), alt=alt,
                         _build=build)


def fingerprint() -> tuple:
    """What every computed result depends on: the data's content key, the model spec and both settings."""
    key, _ = session.data_and_key()
    return key, session.current_spec(), session.fit_settings(), session.gd_settings()


# --------------------------------------------------------------------------- named figures of the current data


def target_scatter(x: str, *, key: str) -> tuple[str, str | None]:
    """Draw the target against column ``x`` of the current data; return (summary, sample note)."""
    from linreg.plots.fit import target_scatter as _build

    data_key, df = session.data_and_key()
    target = session.current_spec().target
    return chart(("target_scatter", data_key, x, target), lambda: _build(df, x, target), key=key)


def fit_figure(method: str, *, key: str) -> tuple[str, str | None]:
    """Draw the current fit by ``method`` ("gd" draws GD's line too); return (summary, sample note)."""
    from linreg.plots.fit import fit_figure as _build

    data_key, df = session.data_and_key()
    spec, alpha = session.current_spec(), session.fit_settings().alpha
    settings = session.gd_settings() if method == "gd" else None
    # The results first, outside the chart's cache: a long computation shows its progress there.
    design, result = cache.design(), cache.ols("qr" if method == "gd" else method)
    gd_result = descent_cache.gd(settings) if settings is not None else None
    return chart(("fit", data_key, spec, method, alpha, settings),
                 lambda: _build(df, design, result, gd_result=gd_result), key=key)


def conditioning_figure(runs: dict[str, GDSettings], i: int = 0, j: int = 1, *, key: str) -> str:
    """Draw ``linreg.plots.descent.conditioning_figure`` for the runs with each title's settings; return its text.

    Raises LinregError.
    """
    from linreg.plots.descent import conditioning_figure as _build

    data_key, _ = session.data_and_key()
    spec, runs_, view = session.current_spec(), tuple(runs.items()), (int(i), int(j))
    terms, results = cache.design().terms, {title: descent_cache.gd(settings) for title, settings in runs_}
    text, = chart(("conditioning", data_key, spec, runs_) + view,
                  lambda: _build(results, i=view[0], j=view[1], terms=terms), key=key)
    return text


@st.cache_resource(show_spinner="Preparing the steps…", max_entries=16, ttl=CACHE_TTL)
def _cached_history(ident: str, k: int, rows: int, _animation) -> dict:
    payload = _animation.history(k, rows)
    payload["run"] = hashlib.sha1(ident.encode()).hexdigest()[:16]
    return payload


def descent_history(k: int, feature: int | None = None, i: int = 0, j: int = 1, *, rows: int = 5) -> dict:
    """``DescentAnimation.history`` of the current run against OLS, opened at ``k``, with a ``run`` id.

    Built once per run, view and ``k`` (the browser steps through it; the same dict comes back
    while nothing changes, so Streamlit sends it once). Raises LinregError.
    """
    data_key, _ = session.data_and_key()
    spec, settings, alpha = session.current_spec(), session.gd_settings(), session.fit_settings().alpha
    view = (None if feature is None else int(feature), int(i), int(j))
    animation = descent_cache.descent_animation(settings, alpha, *view)
    ident = repr(("history", data_key, spec, settings, alpha) + view)
    return _cached_history(ident, int(k), int(rows), _animation=animation)
