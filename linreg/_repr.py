"""Short ``repr`` for result objects: the numbers that identify a result, never its per-row arrays."""

from __future__ import annotations

import numpy as np

# A repr is read in a terminal or a notebook cell: long arrays and messages are cut.
_MAX_ITEMS = 6
_MAX_NAME = 24  # a name in a tuple of names (terms)
_MAX_TEXT = 160
_MAX_TOTAL = 990


def short_value(value: object) -> str:
    """One field's value, shortened: arrays by their first and last items and shape, long text cut.

    Examples
    --------
    >>> short_value(np.arange(100.0))
    'array([ 0.,  1.,  2., ..., 97., 98., 99.], shape=(100,))'
    >>> short_value(("Intercept", "x1"))
    "('Intercept', 'x1')"
    >>> short_value(tuple(f"x{j}" for j in range(10)))
    "('x0', 'x1', 'x2', 'x3', 'x4', 'x5', ... +4 more)"
    """
    if isinstance(value, np.ndarray):
        text = np.array2string(value, precision=6, threshold=_MAX_ITEMS, edgeitems=3, separator=", ",
                               max_line_width=10_000)
        text = " ".join(text.split())
        return f"array({text}, shape={value.shape})" if value.size > _MAX_ITEMS else f"array({text})"
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.6g}"
    if isinstance(value, tuple) and value:
        shown = [repr(v if len(v) <= _MAX_NAME else v[:_MAX_NAME - 3] + "...") if isinstance(v, str)
                 else short_value(v) for v in value[:_MAX_ITEMS]]
        if len(value) > _MAX_ITEMS:
            shown.append(f"... +{len(value) - _MAX_ITEMS} more")
        return "(" + ", ".join(shown) + ("," if len(value) == 1 else "") + ")"
    if isinstance(value, str) and len(value) > _MAX_TEXT:
        return repr(value[:_MAX_TEXT] + "...")
    text = repr(value)
    return text if len(text) <= _MAX_TEXT else text[:_MAX_TEXT] + "...>"


def short_repr(name: str, fields: dict[str, object]) -> str:
    """``Name(field=value, ...)`` with every value shortened, under 1,000 characters in all.

    Examples
    --------
    >>> short_repr("Fit", {"coef": np.array([1.0, 2.0]), "converged": True})
    'Fit(coef=array([1., 2.]), converged=True)'
    """
    text = f"{name}(" + ", ".join(f"{key}={short_value(v)}" for key, v in fields.items()) + ")"
    return text if len(text) <= _MAX_TOTAL else text[:_MAX_TOTAL - 4] + "...)"
