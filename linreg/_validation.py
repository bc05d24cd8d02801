"""Checks made once, at the public boundary; private code assumes clean input."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from .exceptions import DataError, ModelError


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
