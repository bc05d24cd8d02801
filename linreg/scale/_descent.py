"""Gradient descent out of core: the iterates of :func:`linreg.descent.gradient_descent` from one pass.

Full-batch descent needs the data only through the Gram matrix of its working design
(ones column first, then the terms, standardized when asked) and a minimiser: every
step is ``grad L(w) = grad L(v) + (2/N) G (w - v)``, O(k^2), whatever N (see
``linreg.descent._Quadratic``). Here

- one pass gives, per partition, n, the column means and the centred scatter matrix of
  [X, y] (two-pass accuracy within a chunk, partitions combined by Chan et al.'s rule),
  from which G, X^T y and y^T y of the exact working columns follow without cancellation;
- the minimiser v is the out-of-core least-squares fit (TSQR and refinement), L(v) its
  RSS / N and grad L(v) = 0 up to its rounding;
- the steps and the stop rule are descent.py's own (``_full_batch_steps``, ``_first_stop``,
  ``_message``), so the iterates equal the in-memory ones to rounding.

Mini-batch descent would need a pass and a global shuffle per epoch: it runs in memory on
a reproducible sample of the rows, and the result says so in ``note``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .. import descent as _gd
from .._preprocess import unit_maps
from .._repr import short_repr
from .._validation import (
    ProgressHook,
    StopHook,
    check_hooks,
    check_int,
    check_option,
    checkpoint,
)
from ..descent import GDHistory, GDResult, _GDRun
from ..exceptions import DataError, ModelError
from ..quadratic import (
    _as_w,
    _bounds_from_eig,
    _check_ridge,
    _eig_of_gram,
    _pen_mask,
    _ridge_gram,
    learning_rate_bounds,
)
from . import _terms
from ._engine import Runner, columns_of, partitions
from ._result import not_kept

_LD = np.longdouble
# GDResult's per-row attributes, which a run out of core does not keep.
_PER_ROW = ("X_work", "y", "resid")


# --------------------------------------------------------------------------- the pass


def _moments_task(part, index, plan):
    """n, the means and the centred scatter matrix of [X, y] over one partition's kept rows (longdouble)."""
    from ._fit import _chunks

    acc = None
    for chunk in _chunks(part):
        block = _terms.build_block(chunk, plan)
        if not len(block.y):
            continue
        A = np.empty((len(block.y), block.X.shape[1] + 1))
        A[:, :-1] = block.X
        A[:, -1] = block.y
        mean = A.mean(axis=0)
        A -= mean
        acc = _combine(acc, (len(block.y), np.asarray(mean, dtype=_LD), np.asarray(A.T @ A, dtype=_LD)))
    return acc


def _combine(a, b):
    """Chan et al.'s pairwise update of (n, mean, centred scatter); None is no rows."""
    if a is None or b is None:
        return b if a is None else a
    na, ma, Ca = a
    nb, mb, Cb = b
    n = na + nb
    d = mb - ma
    return n, ma + d * (_LD(nb) / n), Ca + Cb + np.outer(d, d) * (_LD(na) * nb / n)


@dataclass(frozen=True, eq=False)
class GramMoments:
    """The sums gradient descent needs, over every kept row.

    Attributes
    ----------
    n : int
    mean : ndarray, shape (p + 1,)
        Means of the p terms and of y (last), longdouble.
    scatter : ndarray, shape (p + 1, p + 1)
        Centred cross products sum (a - mean)(a - mean)^T of [X, y], longdouble.
    """

    n: int
    mean: np.ndarray
    scatter: np.ndarray

    def working(self, intercept: bool, standardize: bool):
        """(G, X^T y, y^T y, T, T_inv, x_mean, x_scale) of the working design, as descent.py builds it."""
        n, m, C = self.n, self.mean, self.scatter
        p = len(m) - 1
        mx, my = m[:p], m[p]
        Cxx, Cxy = C[:p, :p], C[:p, p]
        raw_xx = Cxx + n * np.outer(mx, mx)  # sum x x^T: sums of non-negative and exact terms
        raw_xy = Cxy + n * mx * my
        yty = float(C[p, p] + n * my * my)
        off = int(intercept)
        x_mean, x_scale = np.zeros(p), np.ones(p)
        if standardize and p:
            # Population SD of the centred column, or RMS without an intercept (as
            # linreg._preprocess.standardize_columns); a zero spread keeps scale 1.
            spread = np.sqrt((np.diag(Cxx) if intercept else np.diag(raw_xx)) / n)
            x_scale = np.asarray(np.where(spread > 0, spread, 1.0), dtype=np.float64)
            if intercept:
                x_mean = np.asarray(mx, dtype=np.float64)
        s = np.asarray(x_scale, dtype=_LD)
        if standardize and intercept:
            # Centred columns: their sums are 0 and their products the scatter matrix.
            zz, zy, zsum = Cxx / np.outer(s, s), Cxy / s, np.zeros(p, dtype=_LD)
        else:
            zz, zy, zsum = raw_xx / np.outer(s, s), raw_xy / s, n * mx / s
        k = p + off
        G = np.empty((k, k), dtype=_LD)
        c = np.empty(k, dtype=_LD)
        G[off:, off:], c[off:] = zz, zy
        if intercept:
            G[0, 0], G[0, 1:], G[1:, 0], c[0] = n, zsum, zsum, n * my
        T, T_inv = unit_maps(x_mean, x_scale, intercept, standardize)
        return (np.asarray(G, dtype=np.float64), np.asarray(c, dtype=np.float64), yty, T, T_inv, x_mean, x_scale)


def _plan(runner: Runner, source: object, spec) -> tuple[object, list, list | None]:
    """The model's terms plan over ``source``, its partitions, and the facts pass's facts (None: no pass needed)."""
    from ._fit import _facts_task

    plan = _terms.resolve(columns_of(source), spec)
    parts = partitions(source, plan.used)
    if not plan.needs_facts:
        return _terms._with_terms(plan), parts, None
    facts = [f for chunks in runner.map("facts", _facts_task, parts, plan) for f in chunks]
    return _terms.combine_facts(facts, plan), parts, facts


def gram_moments(source: object, spec, *, client: object = None, progress=None) -> tuple[GramMoments, object]:
    """One pass (two with a facts pass) over the data: the :class:`GramMoments` and the model's terms plan."""
    runner = Runner(client, progress)
    plan, parts, _ = _plan(runner, source, spec)
    acc = None
    for part in runner.map("gram", _moments_task, parts, plan):
        acc = _combine(acc, part)
    if acc is None:
        raise DataError(f"no rows left after dropping rows with a missing value in {', '.join(plan.used)}; "
                        "fill the missing values or use fewer columns")
    n, mean, scatter = acc
    if not (np.isfinite(np.asarray(scatter, dtype=np.float64)).all() and np.isfinite(np.float64(n * mean @ mean))):
        raise DataError("the data's sums of squares overflow double precision, so the loss cannot be computed; "
                        "rescale the data (express it in bigger units) or standardize the features")
    return GramMoments(int(n), mean, scatter), plan


# --------------------------------------------------------------------------- the result


@dataclass(frozen=True, eq=False)
class ScaleGDResult(_GDRun):
    """Gradient descent on a dataset read a partition at a time: :class:`~linreg.descent.GDResult` without rows.

    The attributes and :meth:`to_dict` keys are GDResult's, except ``X_work`` and
    ``y``, which are not kept (asking for them, or for ``resid``, raises a ModelError);
    ``rss``, ``sigma`` and the R² come from the Gram matrix.

    Extra attributes
    ----------------
    note : str
        How the run used the data (every row from the Gram matrix, or a sample).
    n_dropped : int
        Rows left out for a missing value in a used column (over the whole dataset).
    """

    # After _GDRun's fields (coef ... loss_min), in this order:
    terms: tuple[str, ...]
    x_mean: np.ndarray
    x_scale: np.ndarray
    ridge: float
    n: int
    rss: float
    tss: float
    note: str = ""
    n_dropped: int = 0
    in_memory: GDResult | None = field(default=None, repr=False)

    def __getattr__(self, name: str):
        # Only reached for attributes the class does not have: the per-row ones among them.
        if name in _PER_ROW and self.in_memory is not None:
            return getattr(self.in_memory, name)
        raise not_kept(self, name, _PER_ROW, "gradient descent out of core",
                       "the loss, gradient and coefficients of every iterate are in result.history, and "
                       "linreg.scale.fit_ols(...).residuals() gives every row's residual at the least-squares fit")

    def summary(self, *, target: str = "y", n_dropped: int = 0, call: str | None = None) -> str:
        """The run as text, as ``GDResult.summary`` prints it, without the residual quantiles (rows are not kept)."""
        from .. import report as r

        terms = r._names(self.terms)
        status = "diverged" if self.diverged else "converged" if self.converged else "not converged"
        lines = [f"Method: {r._method_name('gd')}", f"Formula: {r._formula(target, terms, self.intercept)}",
                 f"Data: {self.note}", "",
                 "Coefficients (gradient descent; no standard errors: they assume the exact least-squares solution,",
                 "use --method qr for inference):",
                 *r._table(["", "Estimate"], [[t, r._fmt(c)] for t, c in zip(terms, self.coef)]), "",
                 f"Gradient descent ({status}, {self.n_iter} iterations): {r.terminal_safe(self.message)}",
                 (f"Learning rate: {r._fmt(self.learning_rate)} (largest stable full-batch rate: "
                  f"{r._fmt(self.max_stable_learning_rate)}); momentum {r._fmt(self.momentum)}; batch size "
                  f"{self.batch_size or 'all rows'}; standardized: {'yes' if self.standardize else 'no'}"),
                 f"Final loss (mean squared residual): {r._fmt(self.final_loss)}", ""]
        lines += r._fit_lines(self.sigma, self.df_resid, self.r_squared, self.adj_r_squared, terms,
                              at=" (at the gradient-descent coefficients)")
        lines += r._notes_block(self.n, n_dropped or self.n_dropped, (), ())
        if call is not None:
            lines.insert(0, f"Call: {r.terminal_safe(call)}")
        return r.terminal_safe("\n".join(lines).rstrip() + "\n", keep_newlines=True)

    def __repr__(self) -> str:
        return short_repr("ScaleGDResult", {
            "terms": self.terms, "coef": self.coef, "n": self.n, "n_iter": self.n_iter, "converged": self.converged,
            "diverged": self.diverged, "final_loss": self.final_loss, "learning_rate": self.learning_rate,
            "batch_size": self.batch_size, "standardize": self.standardize, "note": self.note,
        })


# --------------------------------------------------------------------------- the run


@dataclass(frozen=True, eq=False)
class _GramQuadratic:
    """descent.py's ``_Quadratic`` without the rows: what its step and loss functions read."""

    n: int
    T: np.ndarray
    G: np.ndarray  # (k, k), penalized
    sG: np.ndarray  # (2/N) G
    v: np.ndarray
    loss_v: float
    grad_v: np.ndarray
    eig: np.ndarray
    max_stable: float
    optimal: float
    pen2: np.ndarray
    yty: float

    def losses(self, W: np.ndarray) -> np.ndarray:
        D = W - self.v
        return self.loss_v + D @ self.grad_v + np.einsum("ij,ij->i", D @ self.G, D) / self.n

    def grads(self, W: np.ndarray) -> np.ndarray:
        return (W - self.v) @ self.sG + self.grad_v


def _quadratic(moments: GramMoments, fit, intercept: bool, standardize: bool, lam: float):
    G0, _xty, yty, T, T_inv, x_mean, x_scale = moments.working(intercept, standardize)
    n, k = moments.n, G0.shape[0]
    pen = _pen_mask(k, intercept)
    G = np.ascontiguousarray(_ridge_gram(G0, n, lam, pen))
    eig = _eig_of_gram(G, n)
    max_stable, optimal = _bounds_from_eig(eig)
    # The least-squares minimiser (aliased terms at 0: still a minimiser) in working units.
    v0 = T_inv @ np.nan_to_num(np.asarray(fit.coef, dtype=np.float64), nan=0.0)
    loss_v, grad_v, v = fit.rss / n, np.zeros(k), v0
    if lam > 0:
        # The penalized minimiser solves (G + N lam D) v = X^T y = G v0 (X^T r(v0) = 0); its
        # loss and gradient by the exact expansion about v0, without cancellation.
        v = v0 - np.linalg.lstsq(G, n * lam * pen * v0, rcond=None)[0]
        d = v - v0
        loss_v = fit.rss / n + d @ (G0 @ d) / n + lam * float((pen * v) @ v)
        grad_v = (2.0 / n) * (G0 @ d) + 2.0 * lam * pen * v
    q = _GramQuadratic(n=n, T=T, G=G, sG=(2.0 / n) * G, v=v, loss_v=float(loss_v), grad_v=grad_v, eig=eig,
                       max_stable=max_stable, optimal=optimal, pen2=2.0 * lam * pen, yty=yty)
    return q, T_inv, x_mean, x_scale


def _run(q: _GramQuadratic, s, w0: np.ndarray, should_stop, progress):
    """Full-batch iterations in chunks, with descent.py's steps and stop rule: (history, converged, diverged, stop)."""
    k, m_max = w0.shape[0], s.max_iter
    L0 = float(q.losses(w0[None, :])[0])
    ref = max(L0, q.yty / q.n)
    limit = _gd._DIVERGENCE_FACTOR * ref if ref > 0 else math.inf
    coefs, losses, grads = [], [], []
    w, vel = w0.copy(), np.zeros(k)
    done, first = 0, True
    converged = diverged = False
    stop_at = None
    with np.errstate(over="ignore", invalid="ignore"):
        while True:
            steps = min(_gd._CHUNK, m_max - done)
            W = np.empty((steps + first, k))
            Gr = np.empty((steps + first, k))
            if first:
                W[0] = w
            w = _gd._full_batch_steps(q, W, Gr, int(first), w, vel, s, None, _gd._CHUNK)
            Lc = q.losses(W)
            end, verdict, t = _gd._first_stop(W, Lc, Gr, q.T, limit, s.tol)
            if verdict is not None:
                converged, diverged = verdict == "converged", verdict == "diverged"
                stop_at = done + t - int(first) + 1 if diverged else None
            coefs.append(W[:end])
            losses.append(Lc[:end])
            grads.append(Gr[:end])
            done += end - int(first)
            first = False
            if converged or diverged or done >= m_max:
                break
            checkpoint(should_stop, progress, done / m_max if m_max else 1.0,
                       f"gradient descent had run {done:,} of {m_max:,} iterations")
    hist = GDHistory(coef=np.concatenate(coefs), loss=np.concatenate(losses), grad=np.concatenate(grads),
                     transform=q.T)
    if hist.coef.shape[0] == 0:  # the start itself overflowed: not with finite data, kept safe
        hist = GDHistory(w0[None, :], np.array([L0]), q.grads(w0[None, :]), q.T)
    return hist, converged, diverged, stop_at


def _settings(k_terms: tuple[str, ...], n: int, *, learning_rate, n_iter, intercept, standardize, batch_size,
              momentum, seed, tol, ridge, should_stop, progress):
    check_option("intercept", intercept, (True, False))
    check_option("standardize", standardize, (True, False))
    lr, m_max, mu, tol, lam, batch_size = _gd._check_steps(learning_rate, n_iter, momentum, tol, ridge, batch_size,
                                                           None)
    check_hooks(should_stop, progress)
    return _gd._Settings(lr=lr, max_iter=m_max, mu=mu, tol=tol, lam=lam, batch_size=batch_size,
                         rng=np.random.default_rng(0), intercept=bool(intercept), standardize=bool(standardize),
                         terms=k_terms)


def descend(moments: GramMoments, fit, terms: tuple[str, ...], *, learning_rate: float | None, n_iter: int,
            standardize: bool = False, momentum: float = 0.0, tol: float = 1e-8, init: object = None,
            ridge: float = 0.0, should_stop: StopHook = None,
            progress: ProgressHook = None) -> ScaleGDResult:
    """Full-batch gradient descent from the Gram matrix ``moments`` and the least-squares ``fit`` of the same rows.

    Parameters
    ----------
    moments : GramMoments
        From :func:`gram_moments` on the same rows and terms as ``fit``.
    fit : ScaleResult
        The out-of-core least-squares fit: its coefficients are the minimiser v, its RSS L(v).
    terms : tuple of str
        Coefficient names, ``"Intercept"`` first with an intercept (``fit.terms``).
    learning_rate, n_iter, standardize, momentum, tol, init, ridge, should_stop, progress
        As :func:`linreg.descent.gradient_descent` (full batch); ``learning_rate=None`` is the
        optimal rate 2/(λ_max + λ_min) of the loss descended.

    Returns
    -------
    ScaleGDResult
    """
    intercept = bool(fit.intercept)
    if learning_rate is None:
        check_option("standardize", standardize, (True, False))
        probe = _quadratic(moments, fit, intercept, bool(standardize), _check_ridge(ridge))[0]
        learning_rate = probe.optimal
    s = _settings(tuple(terms), moments.n, learning_rate=learning_rate, n_iter=n_iter, intercept=intercept,
                  standardize=standardize, batch_size=None, momentum=momentum, seed=None, tol=tol, ridge=ridge,
                  should_stop=should_stop, progress=progress)
    k = len(s.terms)
    w_init = None if init is None else _as_w("init", init, k)
    checkpoint(should_stop, progress, 0.0, f"gradient descent had run 0 of {s.max_iter:,} iterations")
    q, T_inv, x_mean, x_scale = _quadratic(moments, fit, s.intercept, s.standardize, s.lam)
    w0 = np.zeros(k) if w_init is None else T_inv @ w_init
    hist, converged, diverged, stop_at = _run(q, s, w0, should_stop, progress)
    if progress is not None:
        progress(1.0)
    m = hist.coef.shape[0] - 1
    if (not converged and not diverged and s.lr * q.eig[-1] > 2.0 * (1.0 + s.mu)
            and hist.loss[-1] > hist.loss[0]):
        diverged = True  # geometric growth along the top eigenvector, as descent.py's verdict
    message = _gd._message(
        converged=converged, diverged=diverged, m=m, stop_at=stop_at, lr=s.lr, mu=s.mu, batch_size=None,
        max_stable=q.max_stable, optimal=q.optimal, eig=q.eig, tol=s.tol, gnorm=float(hist.grad_norm[-1]),
        loss_last=float(hist.loss[-1]), loss_min=q.loss_v, standardize=s.standardize,
    )
    w = hist.coef[-1]
    # RSS at the last iterate: N times its loss without the penalty (the loss is exact at any w).
    rss = max(moments.n * (float(hist.loss[-1]) - s.lam * float((_pen_mask(k, intercept) * w) @ w)), 0.0)
    return ScaleGDResult(
        coef=q.T @ w, history=hist, n_iter=m, converged=converged, diverged=diverged, message=message,
        learning_rate=s.lr, momentum=s.mu, batch_size=None, standardize=s.standardize, intercept=intercept, tol=s.tol,
        max_stable_learning_rate=q.max_stable, optimal_learning_rate=q.optimal, eigenvalues=q.eig, optimum=q.v,
        loss_min=q.loss_v, terms=s.terms, x_mean=x_mean, x_scale=x_scale, ridge=s.lam, n=moments.n, rss=rss,
        tss=float(fit.tss), n_dropped=int(getattr(fit, "n_dropped", 0)),
        note=f"every one of the {moments.n:,} rows, through the Gram matrix of one pass (full batch)",
    )


def from_sample(g: GDResult, rows: int, total: int, n_dropped: int = 0) -> ScaleGDResult:
    """A mini-batch run on an in-memory sample of ``rows`` of the ``total`` rows, as a ScaleGDResult that says so."""
    own = ("n", "rss", "tss", "note", "n_dropped", "in_memory")
    keep = {f: getattr(g, f) for f in ScaleGDResult.__dataclass_fields__ if f not in own}
    return ScaleGDResult(**keep, n=g.n, rss=g.rss, tss=g.tss, in_memory=g, n_dropped=n_dropped,
                         note=f"mini-batch descent on an in-memory sample of {rows:,} of the {total:,} rows: a pass "
                              "per epoch with a global shuffle would be needed to run it on every row")


def _count_task(part, index):
    from ._fit import _chunks

    return sum(len(chunk) for chunk in _chunks(part))


def _sample_task(part, index, plan, rate, seed):
    """Each kept row of the partition with chance ``rate`` (generator seeded by (seed, partition)), as its terms."""
    from ._fit import _chunks

    rng = np.random.default_rng([seed, index])
    Xs, ys, dropped = [], [], 0
    for chunk in _chunks(part):
        block = _terms.build_block(chunk, plan)
        pick = rng.random(len(block.y)) < rate
        Xs.append(block.X[pick])
        ys.append(block.y[pick])
        dropped += block.n_rows - len(block.y)
    return np.concatenate(Xs), np.concatenate(ys), dropped


def minibatch(source, spec, *, learning_rate, n_iter, standardize, batch_size, momentum, seed, tol, init, ridge,
              client, sample, progress, should_stop) -> ScaleGDResult:
    """Mini-batch descent in memory on about ``sample`` rows drawn over the whole dataset (one pass)."""
    sample = check_int("sample", sample, 1, hint=" (rows of the in-memory sample)")
    runner = Runner(client, progress)
    plan, parts, facts = _plan(runner, source, spec)
    total = None if facts is None else sum(f["n"] for f in facts)
    if total is None and all(hasattr(p, "rows") for p in parts):
        total = sum(p.rows for p in parts)  # from the Parquet footers
    if total is None:
        total = sum(runner.map("count", _count_task, parts))
    rate = min(1.0, sample / max(total, 1))
    got = runner.map("sample", _sample_task, parts, plan, rate, 0 if seed is None else int(seed))
    X = np.concatenate([g[0] for g in got])
    y = np.concatenate([g[1] for g in got])
    if not len(y):
        raise DataError("the sample has no rows (every row has a missing value in a used column, or the dataset is "
                        "empty); fill the missing values or use fewer columns")
    if isinstance(batch_size, int) and not isinstance(batch_size, bool) and batch_size > len(y):
        raise ModelError(f"batch_size {batch_size:,} is more than the {len(y):,} rows of the in-memory sample that "
                         "mini-batch descent runs on; use a smaller batch, a larger sample, or full batch (None)")
    if learning_rate is None:
        learning_rate = learning_rate_bounds(X, intercept=spec.intercept, standardize=standardize)[1]
    g = _gd.gradient_descent(X, y, learning_rate=learning_rate, n_iter=n_iter, intercept=spec.intercept,
                             standardize=standardize, batch_size=batch_size, momentum=momentum,
                             seed=seed, tol=tol, init=init, terms=plan.terms, ridge=ridge, should_stop=should_stop)
    return from_sample(g, len(y), total, sum(g_[2] for g_ in got))
