"""The working design: the columns the iterative and penalized solvers actually see.

One copy of the preprocessing that :mod:`linreg.descent`, :mod:`linreg.penalized` and
:mod:`linreg.complexity` share:

- :func:`standardize_columns` centres and scales the feature columns (population SD,
  ddof = 0; without centring, the root mean square);
- :func:`working_design` puts the ones column first and returns the linear map between
  working and original coefficients (:func:`unit_maps`);
- :func:`with_ones` prepends the ones column to a design;
- :func:`term_names` names the coefficients, ``"Intercept"`` first;
- :func:`interval_map` maps one predictor's range onto [-1, 1] (the polynomial basis's domain).

``linreg.design.ModelSpec.standardize`` is a different thing: it rescales terms before
an OLS fit with the sample SD (ddof = 1), as R's ``scale()`` does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .exceptions import DataError, ModelError


def with_ones(X: np.ndarray, intercept: bool) -> np.ndarray:
    """The design with a column of ones first when ``intercept``, else ``X`` itself.

    Parameters
    ----------
    X : ndarray, shape (n, p)
    intercept : bool

    Returns
    -------
    ndarray, shape (n, p + intercept)

    Examples
    --------
    >>> with_ones(np.array([[2.0], [3.0]]), True)
    array([[1., 2.],
           [1., 3.]])
    """
    if not intercept:
        return X
    out = np.empty((X.shape[0], X.shape[1] + 1))
    out[:, 0] = 1.0
    out[:, 1:] = X
    return out


def term_names(terms: object, p: int, intercept: bool) -> tuple[str, ...]:
    """Names of the coefficients: ``terms`` (default ``x1..xp``), ``"Intercept"`` first.

    Raises
    ------
    ModelError
        ``terms`` does not hold exactly p names.

    Examples
    --------
    >>> term_names(None, 2, True)
    ('Intercept', 'x1', 'x2')
    """
    names = tuple(f"x{j + 1}" for j in range(p)) if terms is None else tuple(str(t) for t in terms)
    if len(names) != p:
        m = len(names)
        raise ModelError(f"terms must name the {p} columns of X; got {m} names "
                         f"(terms has {m} names but X has {p} columns: give one name per column)")
    return (("Intercept",) + names) if intercept else names


def standardize_columns(X: np.ndarray, *, center: bool, scale: bool,
                        out: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Columns ``(x - mean) / sd``: centred when ``center``, divided by their spread when ``scale``.

    Parameters
    ----------
    X : ndarray, shape (n, p)
    center : bool
        Subtract the column means. Without it a column is only divided by its root mean
        square (centring would change a model that has no intercept).
    scale : bool
        Divide by the population SD (ddof = 0) of the centred column. A constant (or
        all-zero) column keeps scale 1 instead of dividing by zero.
    out : ndarray, shape (n, p), optional
        Where to write the result (it may be a column slice of a larger buffer).

    Returns
    -------
    Z : ndarray, shape (n, p)
        The working columns (``out`` when given).
    mean : ndarray, shape (p,)
        Zeros without ``center``.
    scale : ndarray, shape (p,)
        Ones without ``scale``.

    Examples
    --------
    >>> Z, m, s = standardize_columns(np.array([[1.0], [3.0]]), center=True, scale=True)
    >>> Z.ravel().tolist(), m.tolist(), s.tolist()
    ([-1.0, 1.0], [2.0], [1.0])
    """
    n, p = X.shape
    Z = np.empty((n, p)) if out is None else out
    mean = X.mean(axis=0) if center and p else np.zeros(p)
    if center and p:
        np.subtract(X, mean, out=Z)
    else:
        Z[...] = X
    spread = np.ones(p)
    if scale and p:
        # The spread comes from the centred copy: two-pass variance (no cancellation),
        # with no (n, p) temporary.
        spread = np.sqrt(np.einsum("ij,ij->j", Z, Z) / n)
        # Exactly zero spread: the column carries no information to rescale.
        spread = np.where(spread > 0, spread, 1.0)
        Z /= spread
    return Z, mean, spread


@dataclass(frozen=True, eq=False)
class WorkingDesign:
    """The design gradient descent runs on, and the map back to original units.

    Attributes
    ----------
    X_work : ndarray, shape (n, k)
        Ones column first when there is an intercept, then the working feature columns.
    buffer : ndarray, shape (n, k + extra_cols)
        ``X_work`` is its first k columns; the caller fills the others.
    T, T_inv : ndarray, shape (k, k)
        ``w_original = T @ w_work`` and ``w_work = T_inv @ w_original``.
    mean, scale : ndarray, shape (p,)
        Working column ``(x - mean) / scale`` (zeros and ones when not standardized).
    """

    X_work: np.ndarray
    buffer: np.ndarray
    T: np.ndarray
    T_inv: np.ndarray
    mean: np.ndarray
    scale: np.ndarray


def working_design(X: np.ndarray, intercept: bool, standardize: bool, extra_cols: int = 0) -> WorkingDesign:
    """Build the working design (ones column first) and the map between working and original units.

    With an intercept, standardization centres and divides by the population SD; without
    one, columns are only divided by their root mean square (see :func:`standardize_columns`).

    Parameters
    ----------
    X : ndarray, shape (n, p)
        Features, without the ones column.
    intercept, standardize : bool
    extra_cols : int, default 0
        Columns to leave free after the k working ones, in the same buffer (gradient
        descent puts y there, so that one product gives X^T X, X^T y and y^T y).

    Returns
    -------
    WorkingDesign

    Notes
    -----
    With ``Z_j = (x_j - m_j) / s_j`` the model ``a + Σ b_j Z_j`` is, in original units,
    slope ``b_j / s_j`` and intercept ``a - Σ m_j b_j / s_j``: that is ``T``.

    Examples
    --------
    >>> wd = working_design(np.array([[1.0], [3.0]]), True, True)
    >>> wd.X_work.tolist(), wd.T.tolist()
    ([[1.0, -1.0], [1.0, 1.0]], [[1.0, -2.0], [0.0, 1.0]])
    """
    n, p = X.shape
    off = int(intercept)
    k = p + off
    buf = np.empty((n, k + extra_cols))
    X_work = buf[:, :k]
    if intercept:
        X_work[:, 0] = 1.0
    _, mean, scale = standardize_columns(X, center=intercept and standardize, scale=standardize,
                                         out=X_work[:, off:])
    T, T_inv = unit_maps(mean, scale, intercept, standardize)
    return WorkingDesign(X_work=X_work, buffer=buf, T=T, T_inv=T_inv, mean=mean, scale=scale)


def unit_maps(mean: np.ndarray, scale: np.ndarray, intercept: bool,
              standardize: bool) -> tuple[np.ndarray, np.ndarray]:
    """The maps between coefficients: ``w_original = T @ w_work`` and ``w_work = T_inv @ w_original``.

    Parameters
    ----------
    mean, scale : ndarray, shape (p,)
        Working column ``(x - mean) / scale``; ``mean`` is only read with an intercept.
    intercept, standardize : bool

    Returns
    -------
    T, T_inv : ndarray, shape (p + intercept, p + intercept)
        Identities when not standardizing.

    Examples
    --------
    >>> T, T_inv = unit_maps(np.array([2.0]), np.array([4.0]), True, True)
    >>> T.tolist(), T_inv.tolist()
    ([[1.0, -0.5], [0.0, 0.25]], [[1.0, 2.0], [0.0, 4.0]])
    """
    p = scale.shape[0]
    off = int(intercept)
    T = np.eye(p + off)
    T_inv = np.eye(p + off)
    if standardize and p:
        T[off:, off:] = np.diag(1.0 / scale)
        T_inv[off:, off:] = np.diag(scale)
        if intercept:
            T[0, 1:] = -mean / scale
            T_inv[0, 1:] = mean
    return T, T_inv


def interval_map(x: np.ndarray) -> tuple[float, float]:
    """Centre and half-width that map the range of ``x`` onto [-1, 1]: ``t = (x - center) / half``.

    The domain of an orthogonal-polynomial basis (Legendre), where high degrees stay well
    conditioned.

    Raises
    ------
    DataError
        ``x`` takes a single value.

    Examples
    --------
    >>> interval_map(np.array([2.0, 6.0, 3.0]))
    (4.0, 2.0)
    """
    lo, hi = float(x.min()), float(x.max())
    half = (hi - lo) / 2.0
    if half <= 0:
        raise DataError("x takes a single value, so no curve can be fitted; use data where x varies")
    return (lo + hi) / 2.0, half
