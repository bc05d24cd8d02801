"""Checks made once, at the public boundary; private code assumes clean input."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from numbers import Integral, Real

import numpy as np

from .exceptions import Cancelled, DataError, ModelError


def check_option(name: str, value: object, allowed: Iterable[object]) -> None:
    """Raise ``ModelError`` unless ``value`` is one of ``allowed``.

    Examples
    --------
    >>> check_option("method", "qr", ("qr", "svd"))
    >>> check_option("method", "lu", ("qr", "svd"))
    Traceback (most recent call last):
    ...
    linreg.exceptions.ModelError: method must be one of ('qr', 'svd'); got 'lu'
    """
    allowed = tuple(allowed)
    if value not in allowed:
        raise ModelError(f"{name} must be one of {allowed!r}; got {value!r}")


def as_xy(X: object, y: object) -> tuple[np.ndarray, np.ndarray]:
    """Convert ``X`` and ``y`` to float64 arrays of shapes (n, p) and (n,), checking them.

    Parameters
    ----------
    X : array-like, shape (n_samples, n_features) or (n_samples,)
        A 1-d ``X`` is taken as a single feature.
    y : array-like, shape (n_samples,)

    Returns
    -------
    X : ndarray, shape (n_samples, n_features)
    y : ndarray, shape (n_samples,)

    Raises
    ------
    DataError
        If either is not numeric, has the wrong number of dimensions, the
        lengths differ, or a value is NaN or infinite.
    """
    X = _as_float("X", X)
    y = _as_float("y", y)
    if X.ndim == 1:
        X = X[:, None]
    if X.ndim != 2:
        raise DataError(f"X must be 2-dimensional (n_samples, n_features); got {X.ndim} dimensions")
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1:
        raise DataError(f"y must be 1-dimensional (n_samples,); got shape {y.shape}")
    if X.shape[0] != y.shape[0]:
        raise DataError(f"X has {X.shape[0]} rows but y has {y.shape[0]}; give one target value per row")
    for name, a in (("X", X), ("y", y)):
        bad = ~np.isfinite(a)
        if bad.any():
            rows = np.unique(np.nonzero(bad)[0])[:5] if a.ndim == 2 else np.nonzero(bad)[0][:5]
            raise DataError(
                f"{name} has NaN or infinite values (first at rows {rows.tolist()}); "
                "drop or fill those rows before fitting"
            )
    return X, y


def _as_float(name: str, a: object) -> np.ndarray:
    try:
        return np.asarray(a, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise DataError(f"{name} must be numeric; could not convert it to numbers ({exc})") from None


# --------------------------------------------------------------------------- ranges


def check_real(name: str, value: object, low: float | None = None, high: float | None = None, *,
               low_open: bool = False, high_open: bool = False, hint: str = "", must: str | None = None) -> float:
    """``value`` as a float, or ``ModelError`` unless it is a finite real number in the range.

    Parameters
    ----------
    name : str
        The parameter's name, as the caller spells it.
    value : object
    low, high : float, optional
        Bounds (None: unbounded on that side).
    low_open, high_open : bool, default False
        Exclude the bound itself.
    hint : str
        Appended to the message, e.g. ``" (try 0.01)"``.
    must : str, optional
        What the value must be, in words, for both kinds of failure; default: "a finite
        number" for a wrong type or a non-finite value, the bounds (``> 0 and < 1``) otherwise.

    Examples
    --------
    >>> check_real("momentum", 0.5, 0.0, 1.0, high_open=True)
    0.5
    >>> check_real("momentum", 1, 0.0, 1.0, high_open=True)
    Traceback (most recent call last):
    ...
    linreg.exceptions.ModelError: momentum must be >= 0 and < 1; got 1
    >>> check_real("tol", "small", 0.0, low_open=True, must="a positive number")
    Traceback (most recent call last):
    ...
    linreg.exceptions.ModelError: tol must be a positive number; got 'small'
    """
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(float(value)):
        raise ModelError(f"{name} must be {must or 'a finite number'}; got {value!r}{hint}")
    v = float(value)
    too_low = low is not None and (v <= low if low_open else v < low)
    too_high = high is not None and (v >= high if high_open else v > high)
    if too_low or too_high:
        raise ModelError(f"{name} must be {must or _bounds_text(low, high, low_open, high_open)}; got {value!r}{hint}")
    return v


def check_int(name: str, value: object, low: int | None = None, high: int | None = None, *,
              hint: str = "", must: str | None = None) -> int:
    """``value`` as an int, or ``ModelError`` unless it is a whole number from ``low`` to ``high``.

    Parameters
    ----------
    name, hint, must
        As for :func:`check_real`; the default wording is "a whole number" for a wrong
        type and ``>= low`` or ``between low and high`` for a value out of range.
    low, high : int, optional
        Inclusive bounds (None: unbounded on that side).

    Examples
    --------
    >>> check_int("batch_size", 4, 1, 20)
    4
    >>> check_int("batch_size", 0, 1, 20)
    Traceback (most recent call last):
    ...
    linreg.exceptions.ModelError: batch_size must be between 1 and 20; got 0
    """
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise ModelError(f"{name} must be {must or 'a whole number'}; got {value!r}{hint}")
    v = int(value)
    if (low is not None and v < low) or (high is not None and v > high):
        if must is None:
            must = (f">= {low}" if high is None else f"<= {high}" if low is None
                    else f"between {low} and {high}")
        raise ModelError(f"{name} must be {must}; got {v}{hint}")
    return v


def _bounds_text(low: float | None, high: float | None, low_open: bool, high_open: bool) -> str:
    parts = []
    if low is not None:
        parts.append(f"{'>' if low_open else '>='} {low:g}")
    if high is not None:
        parts.append(f"{'<' if high_open else '<='} {high:g}")
    return " and ".join(parts) or "a finite number"


#: ``should_stop() -> bool``, asked between chunks of a long computation: True stops it
#: with :class:`linreg.exceptions.Cancelled`. The app passes "has the visitor moved on".
StopHook = Callable[[], bool] | None
#: ``progress(fraction)``, told the fraction (0..1) of the work done at the same points.
ProgressHook = Callable[[float], None] | None


def check_hooks(should_stop: object, progress: object) -> None:
    """``ModelError`` unless both hooks are None or callable; see :data:`StopHook`, :data:`ProgressHook`."""
    for name, fn in (("should_stop", should_stop), ("progress", progress)):
        if fn is not None and not callable(fn):
            raise ModelError(f"{name} must be a function or None; got {fn!r}")


def checkpoint(should_stop: StopHook, progress: ProgressHook, fraction: float, doing: str) -> None:
    """Between two chunks of work: raise :class:`Cancelled` if asked to stop, else report progress.

    Parameters
    ----------
    should_stop : callable or None
        Returns True when the caller no longer wants the result.
    progress : callable or None
        Called with ``fraction`` (0..1 of the work done).
    fraction : float
    doing : str
        What was under way, for the message: "stopped before it finished: <doing>".
    """
    if should_stop is not None and should_stop():
        raise Cancelled(f"stopped before it finished: {doing}")
    if progress is not None:
        progress(min(max(float(fraction), 0.0), 1.0))
