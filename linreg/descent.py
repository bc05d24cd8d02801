"""Gradient descent on the least-squares loss, with its full history, the numbers to teach it.

Descent minimises exactly the loss we teach, with no 1/2 factor::

    L(w)      = (1/N) ||y - X1 w||^2
    grad L(w) = (2/N) X1^T (X1 w - y)

where ``X1`` is the design with the column of ones first when there is an
intercept, optionally with a ridge penalty ``λ ||b||^2`` on the slopes (in the
parametrisation descent runs on: standardized columns when standardizing, as
:func:`linreg.penalized.fit_penalized` with ``l1_ratio=0``). The bowl's own maths (loss,
gradient, Hessian eigenvalues, learning-rate bounds, convergence rates, the loss surface)
lives in :mod:`linreg.quadratic`.

Public names: :func:`gradient_descent`, returning a :class:`GDResult` with a
:class:`GDHistory`. :func:`gradient_descent` is cut into its stages: :func:`_validate`
(the options, once), :func:`_precompute` (the one pass over the data), :func:`_full_batch_steps`
and :func:`_minibatch_steps` (the updates), :func:`_first_stop` (the stop rule) and
:func:`_message`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ._preprocess import term_names, working_design
from ._repr import short_repr
from ._validation import ProgressHook, StopHook, as_xy, check_hooks, check_int, check_option, check_real, checkpoint
from .exceptions import DataError, ModelError
from .quadratic import (
    _as_w,
    _bounds_from_eig,
    _check_ridge,
    _check_shape,
    _eig_of_gram,
    _eigen_summary,
    _pen_mask,
    _ridge_gram,
    condition_from_eigenvalues,
)

__all__ = [
    "GDHistory",
    "GDResult",
    "gradient_descent",
]

# A loss this many times the starting loss (or the mean of y^2, whichever is
# larger) only happens when the iterates run away: call it divergence before
# the numbers overflow.
_DIVERGENCE_FACTOR = 1e6
# Iterations run between the vectorised convergence/divergence checks: large
# enough that the checks cost nothing per step, small enough that a diverging
# run wastes little work after it blows up.
_CHUNK = 512
# Within a chunk, ``should_stop`` and ``progress`` are consulted about every this many
# row-by-column products (~10 ms of work), so a mini-batch run over a million rows still
# stops promptly.
_TICK_WORK = 1 << 21
# A batch's rows are gathered and summed this many at a time: a batch of a million rows
# never copies them all at once, and can be stopped between blocks.
_BLOCK = 1 << 16


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, eq=False)
class GDHistory:
    """Every iterate of a gradient-descent run, index 0 being the start.

    Attributes
    ----------
    coef : ndarray, shape (m + 1, k)
        Iterates in the working parametrisation (standardized columns when the
        run standardized), intercept first.
    loss : ndarray, shape (m + 1,)
        Full-data loss ``L(w) = (1/N)||y - X1 w||^2`` at each iterate, also for
        mini-batch runs (plus ``λ||slopes||^2`` with a ridge penalty).
    grad : ndarray, shape (m + 1, k)
        Full-data gradient ``(2/N) X1^T (X1 w - y)`` at each iterate (plus ``2λ D w``).
    transform : ndarray, shape (k, k)
        Linear map from working to original units: ``coef_original = T @ coef``.
    """

    coef: np.ndarray
    loss: np.ndarray
    grad: np.ndarray
    transform: np.ndarray

    @cached_property
    def coef_original(self) -> np.ndarray:
        """Iterates in the original units of X, shape (m + 1, k)."""
        return self.coef @ self.transform.T

    @cached_property
    def grad_norm(self) -> np.ndarray:
        """Euclidean norm of the full-data gradient at each iterate, shape (m + 1,)."""
        return np.sqrt(np.einsum("ij,ij->i", self.grad, self.grad))


    def __repr__(self) -> str:
        return short_repr("GDHistory", {"n_iter": self.coef.shape[0] - 1, "k": self.coef.shape[1],
                                        "loss": self.loss, "grad_norm": self.grad_norm})


@dataclass(frozen=True, eq=False)
class _GDRun:
    """The leading fields of every gradient-descent result and the statistics that follow from them.

    :class:`GDResult` and ``linreg.scale.ScaleGDResult`` share them, so that the two keep the
    same names, order, meaning and :meth:`to_dict` keys (see :class:`GDResult`). A subclass adds
    ``terms``, ``x_mean``, ``x_scale``, ``ridge`` and ``n``, ``rss``, ``tss`` (as fields, or
    computed from the rows it keeps).
    """

    coef: np.ndarray
    history: GDHistory
    n_iter: int
    converged: bool
    diverged: bool
    message: str
    learning_rate: float
    momentum: float
    batch_size: int | None
    standardize: bool
    intercept: bool
    tol: float
    max_stable_learning_rate: float
    optimal_learning_rate: float
    eigenvalues: np.ndarray
    optimum: np.ndarray
    loss_min: float

    @cached_property
    def final_loss(self) -> float:
        """Full-data loss at the last iterate."""
        return float(self.history.loss[-1])

    @cached_property
    def optimum_original(self) -> np.ndarray:
        """The minimiser ``optimum`` in original units, shape (k,)."""
        return self.history.transform @ self.optimum

    @cached_property
    def coef_work(self) -> np.ndarray:
        """Final coefficients in the working parametrisation, shape (k,)."""
        return self.history.coef[-1].copy()

    @cached_property
    def condition_number(self) -> float:
        """λ_max/λ_min of the (penalized) Hessian the run descended (inf when singular)."""
        return condition_from_eigenvalues(self.eigenvalues)

    @cached_property
    def df_resid(self) -> int:
        """Residual degrees of freedom ``n - k``."""
        return self.n - len(self.terms)

    @cached_property
    def sigma(self) -> float:
        """Residual standard error ``sqrt(rss / (n - k))`` (NaN when n <= k)."""
        return math.sqrt(self.rss / self.df_resid) if self.df_resid > 0 else math.nan

    @cached_property
    def r_squared(self) -> float:
        """``1 - rss / tss``, centred with an intercept, uncentred without (NaN when tss = 0)."""
        return 1.0 - self.rss / self.tss if self.tss > 0 else math.nan

    @cached_property
    def adj_r_squared(self) -> float:
        """``1 - (rss / (n - k)) / (tss / (n - intercept))`` (NaN when undefined)."""
        if not (self.tss > 0 and self.df_resid > 0):
            return math.nan
        return 1.0 - (self.rss / self.df_resid) / (self.tss / (self.n - int(self.intercept)))

    def to_dict(self) -> dict:
        """JSON-ready summary: coefficients, outcome, settings, losses and fit statistics.

        No per-row arrays (the history and the data stay on the result). A statistic that
        is not defined (``sigma`` with n <= k, R² with a constant y, an infinite condition
        number) is None, JSON null.
        """
        return {
            "terms": list(self.terms),
            "coef": [float(c) for c in self.coef],
            "converged": bool(self.converged),
            "diverged": bool(self.diverged),
            "n_iter": int(self.n_iter),
            "message": self.message,
            "settings": {
                "learning_rate": float(self.learning_rate), "momentum": float(self.momentum),
                "batch_size": None if self.batch_size is None else int(self.batch_size),
                "standardize": bool(self.standardize), "intercept": bool(self.intercept),
                "tol": float(self.tol), "ridge": float(self.ridge),
            },
            "final_loss": _finite_or_none(self.final_loss),
            "loss_min": _finite_or_none(self.loss_min),
            "max_stable_learning_rate": _finite_or_none(self.max_stable_learning_rate),
            "optimal_learning_rate": _finite_or_none(self.optimal_learning_rate),
            "condition_number": _finite_or_none(self.condition_number),
            "n": self.n,
            "df_resid": self.df_resid,
            "rss": _finite_or_none(self.rss),
            "sigma": _finite_or_none(self.sigma),
            "r_squared": _finite_or_none(self.r_squared),
            "adj_r_squared": _finite_or_none(self.adj_r_squared),
        }


@dataclass(frozen=True, eq=False)
class GDResult(_GDRun):
    """The outcome of :func:`gradient_descent`.

    Attributes
    ----------
    coef : ndarray, shape (k,)
        Final coefficients in ORIGINAL units, intercept first.
    history : GDHistory
        Every iterate, in the working parametrisation (see ``history.coef_original``).
    n_iter : int
        Iterations run (updates made); ``history.coef`` has ``n_iter + 1`` rows.
    converged : bool
        The full-data gradient norm fell below ``tol``.
    diverged : bool
        The loss became non-finite or exceeded 1e6 times its reference; the run
        stopped there and kept only finite iterates.
    message : str
        One plain sentence saying what happened and what to try.
    learning_rate, momentum, tol : float
    batch_size : int or None
        ``None`` for full batch.
    standardize, intercept : bool
    max_stable_learning_rate : float
        ``2 / lambda_max`` of ``H = (2/N) X_work^T X_work`` (full batch, no momentum).
    optimal_learning_rate : float
        ``2 / (lambda_max + lambda_min)``, lambda_min the smallest NON-ZERO eigenvalue.
    eigenvalues : ndarray, shape (k,)
        Eigenvalues of ``H``, ascending.
    optimum : ndarray, shape (k,)
        A minimiser of the loss in the working parametrisation (the minimum-norm
        one when the design is rank-deficient).
    loss_min : float
        The minimum of the loss, ``L(optimum)``.
    X_work : ndarray, shape (n, k)
        The design GD ran on, ones column first when ``intercept``.
    y : ndarray, shape (n,)
    terms : tuple of str
        Names of the k coefficients, ``"Intercept"`` first when ``intercept``.
    x_mean, x_scale : ndarray, shape (p,)
        Standardization constants: working column ``(x - x_mean) / x_scale``
        (zeros and ones when not standardized).
    ridge : float
        λ of the ridge penalty ``λ||b||^2`` on the working slopes (0: plain least squares).
        When > 0, ``history.loss``/``history.grad``, ``eigenvalues``, the learning-rate
        bounds, ``optimum`` and ``loss_min`` are those of the penalized loss.
    """

    # After _GDRun's fields (coef ... loss_min), in this order:
    X_work: np.ndarray
    y: np.ndarray
    terms: tuple[str, ...]
    x_mean: np.ndarray
    x_scale: np.ndarray
    ridge: float = 0.0

    @property
    def resid(self) -> np.ndarray:
        """Residuals ``y - X1 coef`` at the final coefficients, shape (n,); computed on each access.

        Evaluated on the working design (``X_work @ coef_work``), the same fitted values as
        the original columns with ``coef`` up to rounding.
        """
        return self.y - self.X_work @ self.history.coef[-1]

    @cached_property
    def n(self) -> int:
        """Number of observations."""
        return int(self.y.shape[0])

    @cached_property
    def rss(self) -> float:
        """Sum of squared residuals at the final coefficients."""
        r = self.resid
        return float(r @ r)

    @cached_property
    def tss(self) -> float:
        """Total sum of squares: about the mean with an intercept, about 0 without."""
        y = self.y
        return float(np.sum((y - y.mean()) ** 2) if self.intercept else np.sum(y**2))

    def summary(self, *, target: str = "y", n_dropped: int = 0, call: str | None = None) -> str:
        """The fit as text, in the style of R's ``summary.lm`` (what ``python -m linreg fit`` prints).

        Same parameters as ``OLSResult.summary``; see :func:`linreg.report.summary_text`.
        """
        from .report import summary_text

        return summary_text(self, target=target, n_dropped=n_dropped, call=call)

    def __repr__(self) -> str:
        return short_repr("GDResult", {
            "terms": self.terms, "coef": self.coef, "n": self.n, "n_iter": self.n_iter,
            "converged": self.converged, "diverged": self.diverged, "final_loss": self.final_loss,
            "learning_rate": self.learning_rate, "momentum": self.momentum, "batch_size": self.batch_size,
            "standardize": self.standardize, "ridge": self.ridge, "message": self.message,
        })

    def _repr_html_(self) -> str:
        """A small HTML table for notebooks (:func:`linreg.report.html_summary`)."""
        from .report import html_summary

        return html_summary(self)


def _finite_or_none(x: float) -> float | None:
    x = float(x)
    return x if math.isfinite(x) else None


# --------------------------------------------------------------------------- validation


@dataclass(frozen=True, eq=False)
class _Settings:
    """The options of one run, validated."""

    lr: float
    max_iter: int
    mu: float
    tol: float
    lam: float
    batch_size: int | None
    rng: np.random.Generator
    intercept: bool
    standardize: bool
    terms: tuple[str, ...]


def _validate(X: object, y: object, *, learning_rate, n_iter, intercept, standardize, batch_size, momentum,
              seed, tol, terms, ridge, should_stop, progress) -> tuple[np.ndarray, np.ndarray, _Settings]:
    """Check every option once; the stages below assume clean input."""
    X, y = as_xy(X, y)
    check_option("intercept", intercept, (True, False))
    check_option("standardize", standardize, (True, False))
    intercept, standardize = bool(intercept), bool(standardize)
    _check_shape(X, intercept)
    n, p = X.shape
    lr, m_max, mu, tol, lam, batch_size = _check_steps(learning_rate, n_iter, momentum, tol, ridge, batch_size, n)
    try:
        rng = np.random.default_rng(seed)
    except (TypeError, ValueError):
        raise ModelError(f"seed must be an integer, a numpy Generator or None; got {seed!r}") from None
    check_hooks(should_stop, progress)
    return X, y, _Settings(lr=lr, max_iter=m_max, mu=mu, tol=tol, lam=lam, batch_size=batch_size, rng=rng,
                           intercept=intercept, standardize=standardize, terms=term_names(terms, p, intercept))


def _check_steps(learning_rate, n_iter, momentum, tol, ridge, batch_size,
                 n_rows: int | None) -> tuple[float, int, float, float, float, int | None]:
    """The step options, checked in this order: (lr, max_iter, mu, tol, lam, batch_size).

    ``n_rows`` bounds the batch size (None: only the caller knows the rows, and checks).
    """
    lr = check_real("learning_rate", learning_rate, 0.0, low_open=True, hint=" (try 0.01)")
    m_max = check_int("n_iter", n_iter, 0, hint=" (the number of updates)")
    mu = check_real("momentum", momentum, 0.0, 1.0, high_open=True, hint=" (0 means no momentum)")
    tol = check_real("tol", tol, 0.0)
    lam = _check_ridge(ridge)
    if batch_size is not None:
        batch_size = check_int("batch_size", batch_size, 1, n_rows,
                               hint=" (rows per mini-batch; None for full batch)")
    return lr, m_max, mu, tol, lam, batch_size


# --------------------------------------------------------------------------- the one pass over the data


@dataclass(frozen=True, eq=False)
class _Quadratic:
    """Everything the steps need, from one pass over the data.

    With G = X1^T X1 and a minimiser v (computed once), exactly for any w::

        grad L(w) = grad L(v) + (2/N) G (w - v)
        L(w)      = L(v) + grad L(v).(w - v) + (w - v)^T (G/N) (w - v)

    (with a ridge penalty, G becomes G + NλD and v the penalized minimiser). L(v) and
    grad L(v) come from residuals, and grad L(v) ~ 0, so this is
    ``L(w*) + (w - w*)^T (G/N) (w - w*)`` without the cancellation of expanding
    ``||y - X1 w||^2``. For a rank-deficient design v is the minimum-norm minimiser;
    L(v) is still the minimum.
    """

    X_work: np.ndarray  # (n, k)
    y: np.ndarray  # (n,)
    T: np.ndarray  # (k, k): original = T @ working
    T_inv: np.ndarray
    x_mean: np.ndarray  # (p,)
    x_scale: np.ndarray  # (p,)
    G: np.ndarray  # (k, k), penalized
    sG: np.ndarray  # (2/N) G
    v: np.ndarray  # (k,) minimiser
    loss_v: float
    grad_v: np.ndarray  # (k,)
    eig: np.ndarray  # (k,) of H, ascending
    max_stable: float
    optimal: float
    pen2: np.ndarray  # (k,): the penalty's gradient is pen2 * w

    def losses(self, W: np.ndarray) -> np.ndarray:
        """Full-data loss at each row of W (m, k), shape (m,)."""
        D = W - self.v
        return self.loss_v + D @ self.grad_v + np.einsum("ij,ij->i", D @ self.G, D) / self.y.shape[0]

    def grads(self, W: np.ndarray) -> np.ndarray:
        """Full-data gradient at each row of W (m, k), shape (m, k)."""
        return (W - self.v) @ self.sG + self.grad_v

    def data_sum(self, w: np.ndarray) -> np.ndarray:
        """``X1^T (X1 w - y)`` over all rows, from G (no pass over the data), shape (k,)."""
        return (0.5 * self.y.shape[0]) * (self.grads(w[None, :])[0] - self.pen2 * w)


def _precompute(X: np.ndarray, y: np.ndarray, s: _Settings) -> _Quadratic:
    """The working design, G, its eigenvalues and a minimiser: the only full passes over the data."""
    n = X.shape[0]
    k = len(s.terms)
    # y rides along as the last column so that one product gives X1^T X1, X1^T y (and y^T y)
    # in a single pass over the data.
    wd = working_design(X, s.intercept, s.standardize, extra_cols=1)
    aug = wd.buffer
    aug[:, k] = y
    with np.errstate(over="ignore", invalid="ignore"):
        G_aug = aug.T @ aug
    if not np.isfinite(G_aug).all():
        raise DataError(
            "the data's sums of squares overflow double precision (values beyond about 1e150 square past "
            "1.8e308), so the loss cannot be computed; rescale the data (express it in bigger units) or "
            "standardize the features, and run again"
        )
    pen = _pen_mask(k, s.intercept)
    # With a ridge penalty everything below works on G + NλD: the loss stays an exact quadratic.
    G = np.ascontiguousarray(_ridge_gram(G_aug[:k, :k], n, s.lam, pen))
    c = G_aug[:k, k].copy()
    eig = _eig_of_gram(G, n)
    max_stable, optimal = _bounds_from_eig(eig)
    v, loss_v, grad_v = _reference_point(wd.X_work, y, G, c, eig, s.lam * pen)
    return _Quadratic(X_work=wd.X_work, y=y, T=wd.T, T_inv=wd.T_inv, x_mean=wd.mean, x_scale=wd.scale, G=G,
                      sG=(2.0 / n) * G, v=v, loss_v=loss_v, grad_v=grad_v, eig=eig, max_stable=max_stable,
                      optimal=optimal, pen2=2.0 * s.lam * pen)


def _reference_point(X1: np.ndarray, y: np.ndarray, G: np.ndarray, c: np.ndarray, eig: np.ndarray,
                     pen: np.ndarray | None = None):
    """A minimiser v of the loss, with L(v) and grad L(v) computed from residuals.

    ``pen`` (k,): ridge weights λ D; then G is ``X1^T X1 + N λ D`` and v, L(v) and
    grad L(v) are those of the penalized loss ``L(w) + w^T (λD) w``.

    Well-conditioned: v solves G v = c (k x k). Moderately ill-conditioned (cond(H) > 1e6):
    refined once with residuals from the data, so that v does not inherit the squared
    condition number of G. Singular or cond(H) > 1e12: G cannot separate signal from its
    own rounding, so v is the minimum-norm least-squares solution on the data itself
    (numpy lstsq, SVD). Whatever rounding is left in v, the expansion used in
    :func:`gradient_descent` stays exact because it carries grad L(v) explicitly; v only
    has to be close for the terms of that expansion not to cancel.
    """
    n, k = X1.shape
    pen = np.zeros(k) if pen is None else pen

    def residuals(v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        # g = c - G v computed from the data: X1^T r minus the penalty's N λ D v.
        r = y - X1 @ v
        return r, X1.T @ r - n * pen * v

    lam_max, _, zero = _eigen_summary(eig)
    smallest = float(eig[0]) if eig.size else 0.0
    if smallest <= zero or lam_max > 1e12 * smallest:
        if pen.any():
            # Ridge as least squares on the augmented data [X1; sqrt(Nλ) D] v ≈ [y; 0].
            rows = np.flatnonzero(pen)
            A = np.zeros((rows.size, k))
            A[np.arange(rows.size), rows] = np.sqrt(n * pen[rows])
            v = np.linalg.lstsq(np.vstack([X1, A]), np.concatenate([y, np.zeros(rows.size)]), rcond=None)[0]
        else:
            v = np.linalg.lstsq(X1, y, rcond=None)[0]
        r, g = residuals(v)
    else:
        v = np.linalg.solve(G, c)
        r, g = residuals(v)
        if lam_max > 1e6 * smallest:
            v = v + np.linalg.solve(G, g)
            r, g = residuals(v)
    return v, float(r @ r / n + (pen * v) @ v), -(2.0 / n) * g



# --------------------------------------------------------------------------- the steps


def _full_batch_steps(q: _Quadratic, W: np.ndarray, Gr: np.ndarray, r0: int, w: np.ndarray, vel: np.ndarray,
                      s: _Settings, tick: Callable[[int], None] | None, every: int) -> np.ndarray:
    """Fill ``W[r0:]`` with full-batch iterates from ``w`` and ``Gr`` with their gradients; return the last.

    The gradient used in each step is the one recorded (``Gr[r0 - 1]`` is that of ``w``
    when ``r0 = 1``). Written with out= into the history rows: at k ~ 20 the cost is numpy
    call overhead, not flops. ``vel`` (the momentum) is updated in place.
    """
    lr, mu = s.lr, s.mu
    v, sG, grad_v = q.v, q.sG, q.grad_v
    k = w.shape[0]
    d, gd, step = np.empty(k), np.empty(k), np.empty(k)
    np.subtract(w, v, out=d)
    np.matmul(sG, d, out=gd)
    g = gd + grad_v
    if r0:
        Gr[0] = g
    subtract, multiply, matmul, add = np.subtract, np.multiply, np.matmul, np.add
    for t in range(r0, W.shape[0]):
        wt, gt = W[t], Gr[t]
        if mu:
            vel *= mu
            multiply(g, lr, out=step)
            vel -= step
            add(w, vel, out=wt)
        else:
            multiply(g, lr, out=step)
            subtract(w, step, out=wt)
        subtract(wt, v, out=d)
        matmul(sG, d, out=gd)
        add(gd, grad_v, out=gt)
        w, g = wt, gt
        if tick is not None and (t - r0 + 1) % every == 0:
            tick(t - r0 + 1)
    return w.copy()


class _Batches:
    """The seeded batches: each epoch shuffles the rows and cuts them into consecutive slices."""

    def __init__(self, rng: np.random.Generator, n: int, size: int):
        self.rng, self.n, self.size = rng, n, size
        self.perm = np.empty(0, dtype=np.intp)
        self.pos = 0

    def next(self) -> tuple[np.ndarray, np.ndarray | None]:
        """(rows of the next batch, the rows left out when the batch holds more than half of them)."""
        if self.pos >= self.perm.size:
            self.perm = self.rng.permutation(self.n)
            self.pos = 0
        a = self.pos
        b = min(a + self.size, self.n)
        self.pos += self.size
        idx = self.perm[a:b]
        if 2 * idx.size <= self.n:
            return idx, None
        return idx, np.concatenate([self.perm[:a], self.perm[b:]])

    def rows_per_step(self) -> int:
        """Rows a step touches, with the epoch's shuffle shared among its steps."""
        steps_per_epoch = -(-self.n // self.size)
        return min(self.size, self.n - self.size) + 1 + self.n // steps_per_epoch


def _rows_sum(X_work: np.ndarray, y: np.ndarray, idx: np.ndarray, w: np.ndarray,
              halt: Callable[[], None] | None) -> np.ndarray:
    """``X_b^T (X_b w - y_b)`` over the rows ``idx``, gathered ``_BLOCK`` rows at a time, shape (k,)."""
    if idx.size <= _BLOCK:
        Xb = X_work[idx]
        return Xb.T @ (Xb @ w - y[idx])
    total = np.zeros(w.shape[0])
    for a in range(0, idx.size, _BLOCK):
        if halt is not None:
            halt()
        part = idx[a:a + _BLOCK]
        Xb = X_work[part]
        total += Xb.T @ (Xb @ w - y[part])
    return total


def _minibatch_steps(q: _Quadratic, W: np.ndarray, r0: int, w: np.ndarray, vel: np.ndarray, s: _Settings,
                     batches: _Batches, tick: Callable[[int], None] | None, every: int,
                     halt: Callable[[], None] | None = None) -> np.ndarray:
    """Fill ``W[r0:]`` with mini-batch iterates from ``w``; return the last. ``vel`` is updated in place.

    The batch gradient ``(2/B) X_b^T (X_b w - y_b)`` is summed over the batch's rows; a batch of
    more than half the rows is the full-data sum (from G) minus the rows left out, so no step
    touches more than half of the data. ``halt()`` may stop a step between blocks of rows.
    """
    lr, mu = s.lr, s.mu
    X_work, y = q.X_work, q.y
    for t in range(r0, W.shape[0]):
        idx, rest = batches.next()
        if rest is None:
            gb = (2.0 / idx.size) * _rows_sum(X_work, y, idx, w, halt) + q.pen2 * w
        else:
            gb = (2.0 / idx.size) * (q.data_sum(w) - _rows_sum(X_work, y, rest, w, halt)) + q.pen2 * w
        if mu:
            vel *= mu
            vel -= lr * gb
            w = w + vel
        else:
            w = w - lr * gb
        W[t] = w
        if tick is not None and (t - r0 + 1) % every == 0:
            tick(t - r0 + 1)
    return w


# --------------------------------------------------------------------------- the stop rule


def _first_stop(W: np.ndarray, Lc: np.ndarray, Gr: np.ndarray, T: np.ndarray, limit: float,
                tol: float) -> tuple[int, str | None, int]:
    """Where a chunk ends: (rows to keep, "diverged"/"converged"/None, position of the stop).

    Everything handed back must be finite: the iterate, its original units, the loss, the
    gradient and its norm. A non-finite iterate is dropped; a finite but runaway one (loss
    above ``limit``) is kept, it is worth showing; a converged one (gradient norm < tol) ends the run.
    """
    gnorm = np.sqrt(np.einsum("ij,ij->i", Gr, Gr))
    bad_nonfinite = ~(np.isfinite(Lc) & np.isfinite(gnorm) & np.isfinite(W @ T.T).all(axis=1)
                      & np.isfinite(W).all(axis=1) & np.isfinite(Gr).all(axis=1))
    bad_big = Lc > limit
    hit = np.flatnonzero(bad_nonfinite | bad_big | (gnorm < tol))
    if not hit.size:
        return W.shape[0], None, -1
    t = int(hit[0])
    if bad_nonfinite[t]:
        return t, "diverged", t
    return t + 1, "diverged" if bad_big[t] else "converged", t


# --------------------------------------------------------------------------- the run


def _run(q: _Quadratic, s: _Settings, w0: np.ndarray, should_stop, progress
         ) -> tuple[GDHistory, bool, bool, int | None]:
    """Iterate in chunks of ``_CHUNK`` steps: (history, converged, diverged, first bad iteration)."""
    n, k = q.X_work.shape
    m_max = s.max_iter
    L0 = float(q.losses(w0[None, :])[0])
    ref = max(L0, float(q.y @ q.y) / n)
    limit = _DIVERGENCE_FACTOR * ref if ref > 0 else math.inf
    batches = None if s.batch_size is None else _Batches(s.rng, n, s.batch_size)
    work = (k * k) if batches is None else k * batches.rows_per_step()
    every = max(1, min(_CHUNK, _TICK_WORK // max(work, 1)))
    hooks = should_stop is not None or progress is not None

    coef_chunks: list[np.ndarray] = []
    loss_chunks: list[np.ndarray] = []
    grad_chunks: list[np.ndarray] = []
    w = w0.copy()
    vel = np.zeros(k)
    done = 0  # iterations whose resulting iterate is already recorded
    converged = diverged = False
    stop_at = None  # position of the first bad iterate, for the message
    first = True

    def tick(steps: int) -> None:
        checkpoint(should_stop, progress, (done + steps) / m_max if m_max else 0.0,
                   f"gradient descent had run {done + steps:,} of {m_max:,} iterations")

    def halt() -> None:
        checkpoint(should_stop, None, 0.0, f"gradient descent had run {done:,} of {m_max:,} iterations")

    inner = tick if hooks and every < _CHUNK else None
    with np.errstate(over="ignore", invalid="ignore"):
        while True:
            # iterates in this chunk: the current w (only in the first chunk) plus up to _CHUNK steps
            steps = min(_CHUNK, m_max - done)
            rows = steps + (1 if first else 0)
            W = np.empty((rows, k))
            Gr = np.empty((rows, k))
            r0 = 0
            if first:
                W[0] = w
                r0 = 1
            if batches is None:
                w = _full_batch_steps(q, W, Gr, r0, w, vel, s, inner, every)
            else:
                if first:
                    Gr[0] = q.grads(W[:1])[0]
                w = _minibatch_steps(q, W, r0, w, vel, s, batches, inner, every,
                                     halt if should_stop is not None else None)
                Gr[r0:] = q.grads(W[r0:])
            Lc = q.losses(W)
            end, verdict, t = _first_stop(W, Lc, Gr, q.T, limit, s.tol)
            if verdict is not None:
                converged, diverged = verdict == "converged", verdict == "diverged"
                stop_at = done + t - (1 if first else 0) + 1 if diverged else None
            coef_chunks.append(W[:end])
            loss_chunks.append(Lc[:end])
            grad_chunks.append(Gr[:end])
            done += end - (1 if first else 0)
            first = False
            if converged or diverged or done >= m_max:
                break
            if hooks:
                tick(0)

    hist = GDHistory(
        coef=np.concatenate(coef_chunks),
        loss=np.concatenate(loss_chunks),
        grad=np.concatenate(grad_chunks),
        transform=q.T,
    )
    if hist.coef.shape[0] == 0:  # the starting point itself overflowed: impossible with finite data, kept safe
        hist = GDHistory(w0[None, :], np.array([L0]), q.grads(w0[None, :]), q.T)
    return hist, converged, diverged, stop_at


# --------------------------------------------------------------------------- gradient descent


def _nice_below(x: float) -> float:
    """A round number strictly below x (0.21 -> 0.2, 0.0198 -> 0.019), for messages."""
    if not math.isfinite(x) or x <= 0:
        return x
    target = x * (1 - 1e-9)
    for digits in (1, 2, 3):
        e = math.floor(math.log10(target)) - (digits - 1)
        nice = math.floor(target / 10.0**e) * 10.0**e
        if nice >= 0.5 * x:
            return float(f"{nice:.{digits}g}")
    return float(f"{target:.3g}")



def gradient_descent(
    X: object,
    y: object,
    *,
    learning_rate: float,
    n_iter: int,
    intercept: bool = True,
    standardize: bool = False,
    batch_size: int | None = None,
    momentum: float = 0.0,
    seed: int | np.random.Generator | None = None,
    tol: float = 1e-8,
    init: object = None,
    terms: object = None,
    ridge: float = 0.0,
    should_stop: StopHook = None,
    progress: ProgressHook = None,
) -> GDResult:
    """Minimise ``L(w) = (1/N)||y - X1 w||^2`` (+ ``ridge ||b||^2``) by gradient descent, recording every iterate.

    Parameters
    ----------
    X : array-like, shape (n, p)
        Numeric features WITHOUT a column of ones.
    y : array-like, shape (n,)
    learning_rate : float
        Step size, > 0.
    n_iter : int
        Maximum number of iterations, >= 0. One iteration is ONE update of w: a full-data step
        for full batch, one batch for mini-batch (an epoch is ceil(n / batch_size) iterations).
    intercept : bool
        Prepend a column of ones (its coefficient comes first).
    standardize : bool
        Run on standardized columns (``(x - mean) / sd``; without an intercept only ``x / rms``), report
        ``coef`` in original units. ``history`` stays in working units; ``history.coef_original`` converts it.
    batch_size : int or None
        None: full batch. Otherwise 1 <= batch_size <= n: each epoch shuffles the rows
        (``rng.permutation(n)``, ``rng = numpy.random.default_rng(seed)``) and cuts them into
        consecutive batches; the last batch of an epoch holds the ``n mod batch_size`` left.
    momentum : float
        Heavy-ball momentum, 0 <= momentum < 1 (0 is plain GD).
    seed : int, numpy.random.Generator or None
        For the mini-batch shuffling.
    tol : float
        Converged when the full-data gradient norm ``||grad L(w)||`` < tol (>= 0).
    init : array-like, shape (k,), optional
        Starting point in ORIGINAL units (intercept first). Default zeros (in working units).
    terms : sequence of str, optional
        Names of X's p columns (default x1..xp); ``"Intercept"`` is prepended.
    ridge : float, default 0
        λ >= 0: minimise ``L(w) + λ Σ_j b_j^2`` over the slopes b (not the intercept), in working units:
        with ``standardize`` on the standardized slopes, as :func:`linreg.penalized.fit_penalized` with
        ``l1_ratio=0``. The gradient gains ``2λ b``; history, bounds (``H + 2λ D``) and ``optimum`` follow it.
    should_stop : callable, optional
        ``should_stop() -> bool``, asked between chunks of work (every few hundred iterations, more
        often when a step touches many rows: about every 10 ms of work); True raises ``Cancelled``.
    progress : callable, optional
        ``progress(fraction)`` with the fraction of the ``n_iter`` iterations done, called at
        the same points, non-decreasing, and with 1.0 at the end.

    Returns
    -------
    GDResult
        ``coef`` (k,) in original units, ``history`` with (n_iter + 1) rows, flags and bounds.

    Raises
    ------
    DataError
        Bad X or y (see ``linreg._validation.as_xy``), or no rows.
    ModelError
        An option out of range, or an ``init`` of the wrong shape.
    Cancelled
        ``should_stop()`` returned True.

    Notes
    -----
    Gradient and update (plain, then heavy-ball momentum with v_0 = 0)::

        grad L(w) = (2/N) X1^T (X1 w - y)
        w_{t+1} = w_t - lr * grad L(w_t)
        v_{t+1} = momentum * v_t - lr * g_t ;  w_{t+1} = w_t + v_{t+1}

    Mini-batch uses the batch gradient ``g_t = (2/B) X_b^T (X_b w_t - y_b)``; history still records
    the FULL-data loss and gradient. A batch of more than half of the rows is summed as the
    full-data sum (from G, below) minus the rows left out: a step costs ``min(B, n - B)`` rows.

    Full batch never revisits the data after one pass: the loss and gradient at any w are exact
    expansions about a minimiser, from G = X1^T X1 (see ``_Quadratic``): O(k^2) a step, whatever N.

    Stability (full batch): lr < 2 / lambda_max of H = (2/N) X1^T X1; with momentum mu the bound
    is 2 (1 + mu) / lambda_max. Divergence (a non-finite loss, or a loss above 1e6 times
    max(L(w_0), mean(y^2))) stops the run with ``diverged=True``; only finite iterates are kept.
    Non-convergence is reported in ``converged`` and ``message``, not by a warning.

    Examples
    --------
    >>> res = gradient_descent([[1.0], [2.0]], [2.0, 4.0], learning_rate=0.1, n_iter=2, intercept=False)
    >>> res.history.coef[:, 0], res.history.loss
    (array([0. , 1. , 1.5]), array([10.   ,  2.5  ,  0.625]))
    >>> res.max_stable_learning_rate
    0.4
    >>> gradient_descent([[1.0], [2.0]], [2.0, 4.0], learning_rate=0.2, n_iter=200, intercept=False,
    ...                  ridge=0.5).coef   # (x.y/N) / (x.x/N + λ) = 5 / 3
    array([1.66666667])
    """
    X, y, s = _validate(X, y, learning_rate=learning_rate, n_iter=n_iter, intercept=intercept,
                        standardize=standardize, batch_size=batch_size, momentum=momentum, seed=seed, tol=tol,
                        terms=terms, ridge=ridge, should_stop=should_stop, progress=progress)
    k = len(s.terms)
    w_init = None if init is None else _as_w("init", init, k)
    doing = f"gradient descent had run 0 of {s.max_iter:,} iterations"
    checkpoint(should_stop, progress, 0.0, doing)
    q = _precompute(X, y, s)
    w0 = np.zeros(k) if w_init is None else q.T_inv @ w_init
    checkpoint(should_stop, progress, 0.0, doing)
    hist, converged, diverged, stop_at = _run(q, s, w0, should_stop, progress)
    if progress is not None:
        progress(1.0)
    return _result(q, s, y, hist, converged, diverged, stop_at)


def _result(q: _Quadratic, s: _Settings, y: np.ndarray, hist: GDHistory, converged: bool, diverged: bool,
            stop_at: int | None) -> GDResult:
    """The run's result, with its verdict and message."""
    m = hist.coef.shape[0] - 1
    if (not converged and not diverged and s.batch_size is None and s.lr * q.eig[-1] > 2.0 * (1.0 + s.mu)
            and hist.loss[-1] > hist.loss[0]):
        # Above the bound full-batch GD grows geometrically along the top eigenvector: a
        # loss above its start is already that growth, even if the run ended before 1e6x.
        diverged = True
    message = _message(
        converged=converged, diverged=diverged, m=m, stop_at=stop_at, lr=s.lr, mu=s.mu, batch_size=s.batch_size,
        max_stable=q.max_stable, optimal=q.optimal, eig=q.eig, tol=s.tol, gnorm=float(hist.grad_norm[-1]),
        loss_last=float(hist.loss[-1]), loss_min=q.loss_v, standardize=s.standardize,
    )
    return GDResult(
        coef=q.T @ hist.coef[-1], history=hist, n_iter=m, converged=converged, diverged=diverged, message=message,
        learning_rate=s.lr, momentum=s.mu, batch_size=s.batch_size, standardize=s.standardize,
        intercept=s.intercept, tol=s.tol, max_stable_learning_rate=q.max_stable, optimal_learning_rate=q.optimal,
        eigenvalues=q.eig, optimum=q.v, loss_min=q.loss_v, X_work=q.X_work, y=y, terms=s.terms,
        x_mean=q.x_mean, x_scale=q.x_scale, ridge=s.lam,
    )


def _message(*, converged, diverged, m, stop_at, lr, mu, batch_size, max_stable, optimal, eig, tol, gnorm,
             loss_last, loss_min, standardize) -> str:
    lam_max, lam_min, _ = _eigen_summary(eig)
    rank_note = ""
    if eig.size and lam_max > 0 and eig[0] <= _eigen_summary(eig)[2]:
        rank_note = (" The design is rank-deficient (smallest Hessian eigenvalue 0): the coefficients are not"
                     " unique, and the optimal rate uses the smallest non-zero eigenvalue.")
    if diverged:
        where = f"diverged at iteration {stop_at}" if stop_at is not None else "diverged"
        if batch_size is not None:
            return (f"Mini-batch descent {where}: learning rate {lr:.3g} is too large for batches of"
                    f" {batch_size} rows (the full-batch stable limit is {max_stable:.3g} = 2/λ_max, and a small"
                    f" batch can be steeper than the full data); try {_nice_below(min(lr, max_stable) / 2):g}"
                    " or less, or a larger batch.")
        if mu:
            bound = 2.0 * (1.0 + mu) / lam_max
            return (f"Descent {where}: learning rate {lr:.3g} with momentum {mu:g} is above the largest stable"
                    f" rate {bound:.3g} (2(1+momentum)/λ_max); try {_nice_below(bound):g} or less.")
        return (f"Descent {where}: learning rate {lr:.3g} is above the largest stable rate {max_stable:.3g}"
                f" (2/λ_max); try {_nice_below(max_stable):g} or less.")
    if converged:
        return (f"Converged after {m} iterations: gradient norm {gnorm:.3g} < tol {tol:.3g};"
                f" loss {loss_last:.6g}.{rank_note}")
    msg = (f"Stopped after {m} iterations without converging: gradient norm {gnorm:.3g} >= tol {tol:.3g};"
           f" loss {loss_last:.6g} (minimum {loss_min:.6g}).")
    tips = ["more iterations"]
    if batch_size is None and not mu and math.isfinite(optimal) and lr < 0.9 * optimal:
        tips.append(f"a larger learning rate (optimal {optimal:.3g}, stable below {max_stable:.3g})")
    if batch_size is None and not mu and lr >= max_stable:
        tips.append(f"a learning rate below {max_stable:.3g} (2/λ_max)")
    if batch_size is not None:
        tips.append("full batch or a smaller rate (mini-batch noise keeps the gradient from reaching 0)")
    if not standardize and lam_min > 0 and lam_max / lam_min > 1e3:
        tips.append(f"standardizing the features (the Hessian's condition number is {lam_max / lam_min:.3g})")
    tip = tips[0] if len(tips) == 1 else ", ".join(tips[:-1]) + " or " + tips[-1]
    return msg + " Try " + tip + "." + rank_note
