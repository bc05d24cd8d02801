"""The least-squares solvers behind :func:`linreg.ols.fit_ols`, and the constants that steer them.

Each solver takes the working design ``Z`` (n, k), the design itself or a
well-conditioned basis of it, and ``y`` (n,), and returns a :class:`_Solve`:
coefficients, covariance, fitted values, residuals and leverages in the working
parametrisation, on the kept (non-aliased) columns only. :mod:`linreg.ols`
chooses the solver and turns its answer into an :class:`~linreg.ols.OLSResult`
(the statistics, the notes, the map back to the raw terms); the module
docstring there says which solver runs when.

- :func:`_solve_qr` (``method="qr"``) dispatches by size and conditioning to
  :func:`_solve_qr_fast` (LAPACK Householder in float64, refined when needed)
  or :func:`_solve_qr_precise` (Householder in extended precision);
  :func:`_solve_cholqr2` is tried before it, by ``fit_ols``, for large designs.
- :func:`_solve_svd` (``method="svd"``) and :func:`_solve_normal`
  (``method="normal"``).
- The building blocks they share: exact power-of-two column scaling, aliasing by
  R's limited pivoting, Householder QR in ``np.longdouble``, condition numbers
  and residuals accumulated in extended precision.

They are apart from :mod:`linreg.ols` because they are the numerical core: what
decides the digits of the answer is here, what reports it is there. The row
blocks and threads of the CholeskyQR2 passes are in :mod:`linreg._rows`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

# scipy.linalg is imported in the functions that use it: a second of a cold start otherwise (see linreg.ols).
from ._rows import _CHUNK, _LD_SLICE, _ExactRows, _map_blocks, _one_blas_thread, _row_blocks, _Rows
from .exceptions import ModelError

# A scaled (unit-norm) column whose part orthogonal to the earlier kept columns has
# a norm below this is aliased. R's lm uses 1e-7, which drops a genuine column of
# NIST Filip and x^3 next to x, x^2 for x in [1000, 1001] (a real 1e-10 component);
# float64 rounding of an exactly dependent column leaves ~1e-16, which the decision,
# made in extended precision, sees as such.
ALIAS_TOL = 1e-13
# Above this condition number (of the column-scaled working design) the float64
# solution may lose more than ~4 digits, so we re-solve in extended precision.
PRECISE_COND = 1e4
# Problems this small (n * k) are always solved in extended precision: about a millisecond,
# and the last digits for free (every NIST StRD linear problem is under 1,000). The
# extended-precision Householder runs in Python loops over the columns, so it grows fast:
# 22 ms at n = 1,000, k = 21 and 87 ms at n = 4,000, where float64 LAPACK takes 2-4 ms
# with the same digits to ~5e-15 (and hands over to this path when ill-conditioned).
PRECISE_SIZE = 10_000
# Large problems up to this scaled condition number stay on float64 Householder,
# refined with extended-precision residuals (corrected semi-normal equations,
# which converge while cond^2 * eps < 1); beyond it the slow extended-precision
# Householder takes over.
REFINE_COND = 1e7
# Rounds of iterative refinement with extended-precision residuals.
REFINE_ROUNDS = 3
# The refinement pass of large fits (_refine): one pass of longdouble residuals over the
# rows in the raw parametrisation (or an exact polynomial basis), a correction solved with
# the solver's own R. Above PRECISE_SIZE the float64 solve accumulates rounding over the n
# rows, and a coefficient small against the others (in units of its column's norm) keeps
# fewer digits: NIST Norris repeated to 1e6 rows kept 10.2 digits on its intercept (14.1
# refined), Wampler4 through its polynomial basis 7.4 (13.2). The pass runs when the fit
# went through a basis, or when sqrt(n) eps cond max_j(|D coef|) / (D_j |coef_j|) (D the
# column norms), a bound on a coefficient's relative error when rounding errors add up
# coherently (repeated rows), exceeds REFINE_ABOVE. Standard-normal columns with
# coefficients within a factor 20 of each other stay below it at n = 1e6 (refining moves
# them by ~1e-15) and skip its cost: a pass of longdouble arithmetic, about as long as the fit.
REFINE_ABOVE = 1e-11
# A second (and third) round runs when a correction moved some coefficient by more than
# this relative amount: the first round then started far enough off that one
# contraction may not have reached the longdouble floor.
REFINE_AGAIN = 1e-8
# The bound above assumes rounding errors that add up coherently; on most data they do not, and
# the pass would move nothing that counts (1e6 x 20 standard-normal columns with one coefficient
# 0: by 3e-15, at 0.6x the fit's time). So a fit the bound sends to the pass is first checked in
# float64 (:func:`_float64_settles`): the correction d = (W^T W)^{-1} W^T r from float64 residuals
# is the coefficients' error plus what the residuals' rounding puts into it, and when d and a bound
# on that rounding are both under REFINE_ABOVE / 2 times each |coef_j|, so is the error. The bound
# takes the rounding errors as independent, with SETTLE_SAFETY times room; coherent ones (repeated
# rows) show in d itself, which then sends the fit to the pass. Only for well-conditioned designs
# (SETTLE_COND), where (W^T W)^{-1} from the solver's R is accurate.
SETTLE_COND = 1e3
SETTLE_SAFETY = 10.0
# CholeskyQR2 (large, well-conditioned designs; its row blocks and threads are in
# _rows): ||Q1^T Q1 - I|| is ~cond^2 eps <= 1e-8 when it applies (CholeskyQR2
# still works up to ~0.1), and |trace(Q^T Q) - k| ~ 1e-14 for the final Q: far
# above these tolerances something went wrong, and Householder takes over.
ORTHO_TOL = 1e-4
TRACE_TOL = 1e-8

_LD = np.longdouble


@dataclass(frozen=True, eq=False)
class _Solve:
    """What a solver returns, in the working parametrisation (float64 or longdouble)."""

    coef: np.ndarray  # (r,) kept columns only
    cov_unscaled: np.ndarray  # (r, r) (Z^T Z)^{-1} on the kept columns
    fitted: np.ndarray  # (n,)
    resid: np.ndarray  # (n,)
    leverage: np.ndarray  # (n,)
    kept: np.ndarray  # (r,) indices of kept columns
    cond_scaled: float  # condition number of the column-scaled kept working design
    r_factor: np.ndarray  # (r, r) with the singular values of the unscaled kept working design
    refined: bool = False  # residuals in longdouble already refined coef in this parametrisation
    # CholeskyQR2 solves on W = [1, X - c]: the shift c (p,) and (W^T W)^{-1} (k, k), so
    # that refinement can run where the columns are well conditioned.
    shift: np.ndarray | None = None
    cov_work: np.ndarray | None = None


# =============================================================================
# solvers
# =============================================================================
def _solve_qr(Z: np.ndarray, y: np.ndarray) -> _Solve:
    n, k = Z.shape
    if n * k > PRECISE_SIZE:
        fast = _solve_qr_fast(Z, y)
        if fast is not None:
            return fast
    return _solve_qr_precise(Z, y)


def _solve_cholqr2(A: np.ndarray, y: np.ndarray, *, intercept: bool) -> _Solve | None:
    """CholeskyQR2 for large, well-conditioned designs; None when it does not apply.

    The working design is W = [1, A - c] with an intercept, else W = A. ``c``
    shifts only the columns whose mean (from a sample of rows) is large against
    their spread: centring has only to make W well conditioned, since the ones
    column stays in W. Three passes over the rows, a block at a time (the
    (n, k) Q is never held):

    1. G = W^T W; R1 = chol(G);
    2. Q1 = W R1^{-1}: G2 = Q1^T Q1, R2 = chol(G2), Q1^T y;
    3. Q = W R^{-1} with R = R2 R1: leverage = row sums of Q^2, fitted = Q Q^T y.

    One Cholesky QR leaves Q1 orthogonal only to ~cond(W)^2 eps; the second
    pass restores orthogonality to ~eps, which makes R as accurate as
    Householder's (Yamamoto et al., ETNA 44, 2015) while the work is all
    matrix-matrix products. It needs cond(W)^2 eps << 1, so we return None (the
    Householder path takes over) when the column-scaled condition number of W
    exceeds PRECISE_COND, a Cholesky fails, or Q is far from orthogonal.
    """
    import scipy.linalg
    n, p = A.shape
    k = p + int(intercept)
    c, cy = _offsets(A, y, intercept)
    blocks = _row_blocks(n)
    w = _Rows(A, c if c.any() else None, intercept)
    with _one_blas_thread():
        first = _cholqr_first_pass(w, blocks, k)
        if first is None:
            return None
        R1, cond = first
        B1 = scipy.linalg.solve_triangular(R1, np.eye(k), check_finite=False)
        G2, q1y = _cholqr_second_pass(w, blocks, k, B1, y, cy)
        # ||Q1^T Q1 - I|| ~ cond^2 eps here; far above that the first pass went wrong.
        if not np.linalg.norm(G2 - np.eye(k)) < ORTHO_TOL:
            return None
        try:
            R2 = np.linalg.cholesky(G2).T
        except np.linalg.LinAlgError:  # pragma: no cover - G2 is near I here
            return None
        R = R2 @ R1
        B = scipy.linalg.solve_triangular(R, np.eye(k), check_finite=False)  # rows of Q = rows of W @ B
        qty = scipy.linalg.solve_triangular(R2, q1y, trans="T", check_finite=False)  # Q^T (y - cy)
        g = B @ qty
        leverage, fitted = _cholqr_third_pass(w, blocks, n, k, B, qty)
    # trace(Q^T Q) = k for an orthonormal Q: a last, free check of the whole computation.
    if not abs(float(np.sum(leverage)) - k) < TRACE_TOL * k:
        return None
    fitted += cy
    coef, cov_unscaled, r_factor, cov_work = _unshift(g, B, R, c, cy, intercept)
    return _Solve(
        coef=coef,
        cov_unscaled=cov_unscaled,
        fitted=fitted,
        resid=y - fitted,
        leverage=leverage,
        kept=np.arange(k),
        cond_scaled=_cond(r_factor / _pow2_scale(r_factor)) if c.any() else cond,
        r_factor=r_factor,
        shift=c if c.any() else None,
        cov_work=cov_work if c.any() else None,
    )


def _offsets(A: np.ndarray, y: np.ndarray, intercept: bool) -> tuple[np.ndarray, float]:
    """CholeskyQR2's column shifts c (p,) and the shift of y, from a sample of about 4096 rows.

    Only columns whose mean is large against their spread are shifted, and only with an
    intercept (the ones column absorbs the shift); otherwise c = 0 and the shift of y is 0.
    """
    n, p = A.shape
    c = np.zeros(p)
    cy = 0.0
    if intercept:
        step = max(1, n // 4096)
        sample = A[::step]
        mean = sample.mean(axis=0)
        shift = np.abs(mean) > sample.std(axis=0)
        c[shift] = mean[shift]
        cy = float(y[::step].mean())
    return c, cy


def _cholqr_first_pass(w: _Rows, blocks, k: int) -> tuple[np.ndarray, float] | None:
    """Pass 1: R1 (k, k) with W^T W = R1^T R1, and the column-scaled condition number of W.

    None when the Gram matrix is not finite, a column is 0, the Cholesky fails, or the
    scaled condition number exceeds PRECISE_COND.
    """

    def gram(a: int, b: int) -> np.ndarray:
        G = np.zeros((k, k))
        for i in range(a, b, _CHUNK):
            w.add_gram(i, min(i + _CHUNK, b), G)
        return G

    G = sum(_map_blocks(gram, blocks))
    if not np.all(np.isfinite(G)):
        return None
    d = np.sqrt(np.diagonal(G))
    if np.any(d == 0):
        return None
    D = np.exp2(np.round(np.log2(d)))  # powers of two: scaling G by them is exact
    try:
        R1s = np.linalg.cholesky(G / np.outer(D, D)).T
    except np.linalg.LinAlgError:
        return None
    cond = _cond(R1s)  # of W with unit-norm columns (G is accurate enough to tell)
    if cond > PRECISE_COND:
        return None
    return R1s * D, cond


def _cholqr_second_pass(w: _Rows, blocks, k: int, B1: np.ndarray, y: np.ndarray, cy: float
                        ) -> tuple[np.ndarray, np.ndarray]:
    """Pass 2, with Q1 = W B1: G2 = Q1^T Q1 (k, k) and Q1^T (y - cy) (k,)."""

    def second(a: int, b: int) -> tuple[np.ndarray, np.ndarray]:
        G2, q1y = np.zeros((k, k)), np.zeros(k)
        out = np.empty((min(_CHUNK, b - a), k))
        for i in range(a, b, _CHUNK):
            j = min(i + _CHUNK, b)
            q = w.times(i, j, B1, out[: j - i])
            G2 += q.T @ q
            q1y += (y[i:j] - cy) @ q
        return G2, q1y

    parts = _map_blocks(second, blocks)
    return sum(part[0] for part in parts), sum(part[1] for part in parts)


def _cholqr_third_pass(w: _Rows, blocks, n: int, k: int, B: np.ndarray, qty: np.ndarray
                       ) -> tuple[np.ndarray, np.ndarray]:
    """Pass 3, with Q = W B: leverage (n,) = row sums of Q^2 and Q Q^T (y - cy) (n,)."""
    leverage = np.empty(n)
    fitted = np.empty(n)

    def third(a: int, b: int) -> None:
        out = np.empty((min(_CHUNK, b - a), k))
        for i in range(a, b, _CHUNK):
            j = min(i + _CHUNK, b)
            q = w.times(i, j, B, out[: j - i])
            np.einsum("ij,ij->i", q, q, out=leverage[i:j])
            np.matmul(q, qty, out=fitted[i:j])

    _map_blocks(third, blocks)
    return leverage, fitted


def _unshift(g: np.ndarray, B: np.ndarray, R: np.ndarray, c: np.ndarray, cy: float, intercept: bool):
    """From the shifted W = [1, A - c] back to the raw design X1 = [1, A] = W T, T = [[1, c^T], [0, I]].

    Returns coef = T^{-1} g (cy added to the intercept), (X1^T X1)^{-1} = T^{-1} (W^T W)^{-1} T^{-T},
    X1's R factor R T, and W's own (W^T W)^{-1} = B B^T (coef and both inverses in longdouble).
    """
    k = len(g)
    Tinv = np.eye(k, dtype=_LD)
    T = np.eye(k)
    coef = np.asarray(g, dtype=_LD)
    if intercept:
        Tinv[0, 1:] = -c
        T[0, 1:] = c
        coef[0] += cy
    coef = Tinv @ coef
    Bl = np.asarray(B, dtype=_LD)
    cov_work = Bl @ Bl.T
    return coef, Tinv @ cov_work @ Tinv.T, R @ T, cov_work


def _solve_qr_fast(Z: np.ndarray, y: np.ndarray) -> _Solve | None:
    """Householder QR in float64 for large problems; None when it is not good enough.

    None means a pivot is tiny (maybe aliasing) or the scaled condition number
    exceeds PRECISE_COND: the extended-precision solver then takes over.
    Memory: one (n, k + 1) work array; Q is never formed (leverages come from
    rows of Z R^{-1}, computed in chunks).
    """
    import scipy.linalg
    n, k = Z.shape
    D = _pow2_scale(Z)
    Raug = _r_factor(Z, D, y)
    R, qty = Raug[:k, :k], Raug[:k, k]
    kept = np.arange(k)
    if np.min(np.abs(np.diag(R))) <= 1e3 * ALIAS_TOL:
        # Z/D = QR with Q orthonormal, so R's columns have Z's linear relations:
        # R's limited pivoting on the small R decides aliasing (in longdouble).
        kept = _householder_ld(np.asarray(R, dtype=_LD))[2]
        if len(kept) == k:
            return None
        Z = Z[:, kept]
        k = len(kept)
        D = D[kept]
        Raug = _r_factor(Z, D, y)
        R, qty = Raug[:k, :k], Raug[:k, k]
        if np.min(np.abs(np.diag(R))) <= 1e3 * ALIAS_TOL:
            return None
    cond = _cond(R)
    if cond > REFINE_COND:
        return None
    Rinv = scipy.linalg.solve_triangular(R, np.eye(k), check_finite=False)
    g = Rinv @ qty
    coef = g / D
    Zf = np.asarray(Z, dtype=np.float64)
    B = Rinv / D[:, None]  # rows of Q = Z D^{-1} R^{-1}; (Z^T Z)^{-1} = B B^T
    step = 65536
    if cond > PRECISE_COND:
        # Refine: solve R^T R d = (Z/D)^T r with r = y - Z coef in longdouble.
        coef = np.asarray(coef, dtype=_LD)
        for _ in range(REFINE_ROUNDS):
            ztr = _zt_residual_ld(Zf, y, coef, step)
            coef = coef + np.asarray(B @ (B.T @ ztr), dtype=_LD)
        resid = _residual_ld(Zf, y, coef, step)
        fitted = np.asarray(y, dtype=_LD) - resid
    else:
        fitted = Zf @ coef
        resid = y - fitted
    leverage = np.empty(n)
    for i in range(0, n, step):
        Qi = Zf[i : i + step] @ B
        leverage[i : i + step] = np.einsum("ij,ij->i", Qi, Qi)
    return _Solve(
        coef=coef,
        cov_unscaled=(B @ B.T),
        fitted=fitted,
        resid=resid,
        leverage=leverage,
        kept=kept,
        cond_scaled=cond,
        r_factor=R * D,
        refined=cond > PRECISE_COND,
    )



def _solve_qr_precise(Z: np.ndarray, y: np.ndarray) -> _Solve:
    """Householder QR in extended precision with limited pivoting, plus refinement."""
    n = Z.shape[0]
    D = np.asarray(_pow2_scale(Z), dtype=_LD)
    A = np.asarray(Z, dtype=_LD) / D
    yl = np.asarray(y, dtype=_LD)
    R, refl, kept = _householder_ld(A)
    A = A[:, kept]
    D = D[kept]
    r = len(kept)
    Q = _thin_q(refl, n)
    g = _back_solve(R, Q.T @ yl)
    # Refinement with longdouble residuals (the data are float64, so these
    # products carry ~3 more digits than float64 would).
    for _ in range(REFINE_ROUNDS):
        res = yl - A @ g
        g = g + _back_solve(R, Q.T @ res)
    Rinv = _back_solve(R, np.eye(r, dtype=_LD))
    coef = g / D
    fitted = A @ g
    return _Solve(
        coef=coef,
        cov_unscaled=(Rinv @ Rinv.T) / np.outer(D, D),
        fitted=fitted,
        resid=yl - fitted,
        leverage=np.asarray(np.einsum("ij,ij->i", Q, Q), dtype=np.float64),
        kept=kept,
        cond_scaled=_cond(R),
        r_factor=np.asarray(R * D, dtype=np.float64),
        refined=True,
    )


def _solve_svd(Z: np.ndarray, y: np.ndarray) -> _Solve:
    # Aliasing is decided by QR (earlier column kept), then SVD solves the rest.
    kept = _kept_columns(Z)
    if len(kept) == 0:  # every column aliased (e.g. all zero): nothing for an SVD to solve
        return _solve_qr_precise(Z, y)
    Zk = Z[:, kept]
    D = _pow2_scale(Zk)
    U, s, Vt = np.linalg.svd(np.asarray(Zk / D, dtype=np.float64), full_matrices=False)
    # Same relative cut-off as numpy.linalg.lstsq's default rcond.
    cutoff = s[0] * max(Zk.shape) * np.finfo(np.float64).eps
    if s[-1] <= cutoff:  # pragma: no cover - aliasing was removed above
        raise ModelError("the design is numerically singular after removing aliased terms; use method='qr'")
    g = np.asarray(Vt.T @ ((U.T @ y) / s), dtype=_LD)
    # Refinement (corrected semi-normal equations): d = V S^-2 V^T (Z/D)^T r, with
    # r and (Z/D)^T r accumulated in longdouble.
    Zw = Zk / D
    step = 65536
    for _ in range(REFINE_ROUNDS):
        ztr = _zt_residual_ld(Zw, y, g, step)
        g = g + np.asarray(Vt.T @ ((Vt @ ztr) / s**2), dtype=_LD)
    D = np.asarray(D, dtype=np.float64)
    coef = g / np.asarray(D, dtype=_LD)
    V = Vt.T / s
    resid = _residual_ld(Zk, y, coef, step)
    return _Solve(
        coef=coef,
        cov_unscaled=(V @ V.T) / np.outer(D, D),
        fitted=np.asarray(y, dtype=_LD) - resid,
        resid=resid,
        leverage=np.einsum("ij,ij->i", U, U),
        kept=kept,
        cond_scaled=float(s[0] / s[-1]),
        r_factor=(s[:, None] * Vt) * D,
        refined=True,
    )


def _solve_normal(X1: np.ndarray, y: np.ndarray) -> _Solve:
    import scipy.linalg
    kept = _kept_columns(X1)
    Xk = X1[:, kept]
    # Deliberately the textbook way: form X^T X (no scaling) and solve by Cholesky.
    XtX = Xk.T @ Xk
    try:
        L = np.linalg.cholesky(XtX)
    except np.linalg.LinAlgError:
        raise ModelError(
            "the normal equations broke down: X^T X is numerically singular in float64 "
            "(its condition number is the square of the design's); use method='qr'"
        ) from None
    z = scipy.linalg.solve_triangular(L, Xk.T @ y, lower=True, check_finite=False)
    coef = scipy.linalg.solve_triangular(L.T, z, lower=False, check_finite=False)
    Linv = scipy.linalg.solve_triangular(L, np.eye(L.shape[0]), lower=True, check_finite=False)
    # Rows of X L^{-T} play the role of Q's rows: their squared norms are the leverages.
    B = Xk @ Linv.T
    fitted = Xk @ coef
    D = _pow2_scale(Xk)
    return _Solve(
        coef=coef,
        cov_unscaled=Linv.T @ Linv,
        fitted=fitted,
        resid=y - fitted,
        leverage=np.einsum("ij,ij->i", B, B),
        kept=kept,
        cond_scaled=_cond(np.linalg.cholesky((XtX / np.outer(D, D)))),
        r_factor=L.T,
    )


# =============================================================================
# the refinement pass of large fits
# =============================================================================
def _wants_refinement(sol: _Solve, n: int, k: int, *, basis: bool) -> bool:
    """Whether :func:`_refine` should run after a large fit (see REFINE_ABOVE).

    With a basis the solver saw rounded float64 columns, so refining on the exact
    ones pays even when the solver refined itself.
    """
    if n * k <= PRECISE_SIZE:
        return False
    if basis:
        return True
    if sol.refined:
        return False
    size = np.abs(np.asarray(sol.coef, dtype=np.float64)) * np.sqrt(np.einsum("ij,ij->j", sol.r_factor, sol.r_factor))
    with np.errstate(divide="ignore", invalid="ignore"):
        gain = float(np.max(size) / np.min(size)) if len(size) else 1.0
    return not (math.sqrt(n) * np.finfo(np.float64).eps * sol.cond_scaled * gain <= REFINE_ABOVE)


def _on_working_columns(sol: _Solve, c: np.ndarray | None, dtype) -> tuple[np.ndarray, np.ndarray]:
    """The solve's coefficients (a copy) and (W^T W)^{-1} in ``dtype``, on the columns W it solved on.

    With the shift ``c`` (p,) those are W = [1, X - c] = X1 T^{-1}: coef_W = T coef, the intercept
    taking back the shift (the raw design is ill conditioned when c is large); without, the raw [1, X].
    """
    coef = np.array(sol.coef, dtype=dtype)
    if c is None:
        return coef, np.asarray(sol.cov_unscaled, dtype=dtype)
    coef[0] += np.asarray(c, dtype=dtype) @ coef[1:]
    return coef, np.asarray(sol.cov_work, dtype=dtype)


def _float64_settles(X: np.ndarray, y: np.ndarray, sol: _Solve, *, intercept: bool) -> bool:
    """Whether the float64 solution is already within REFINE_ABOVE / 2 of the exact one, coefficient by
    coefficient, so that :func:`_refine` can be skipped (see SETTLE_COND).

    Parameters
    ----------
    X : ndarray, shape (n, p)
        The raw features the solver saw, without the column of ones.
    y : ndarray, shape (n,)
    sol : _Solve
        A float64 solution in the raw parametrisation (no basis, no weights).
    intercept : bool
        Whether the design has a column of ones first.

    Returns
    -------
    bool
        False when the design is not well conditioned, a column was dropped, or the correction
        or its rounding bound is too large for some coefficient.
    """
    n, one = len(y), int(intercept)
    k = X.shape[1] + one
    if sol.refined or len(sol.kept) != k or not sol.cond_scaled <= SETTLE_COND:
        return False
    raw = np.asarray(sol.coef, dtype=np.float64)
    c = sol.shift if one else None
    coef, cov = _on_working_columns(sol, c, np.float64)  # as _refine works on them

    def one_pass(a: int, b: int) -> tuple:
        g, wr2, wa2 = np.zeros(k), np.zeros(k), np.zeros(k)
        across = np.ones(k - one)
        for i in range(a, b, _CHUNK):
            j = min(i + _CHUNK, b)
            w = X[i:j] if c is None else X[i:j] - c
            r = y[i:j] - w @ coef[one:] - (coef[0] if one else 0.0)
            ww, rr = w * w, r * r
            # a_i^2 = 2 (y_i^2 + ||w_i||^2 ||coef||^2) bounds (|y_i| + sum_l |w_il coef_l|)^2
            aa = 2.0 * (y[i:j] * y[i:j] + (ww @ across + one) * (coef @ coef))
            g[one:] += r @ w
            wr2[one:] += rr @ ww
            wa2[one:] += aa @ ww
            if one:
                g[0], wr2[0], wa2[0] = g[0] + r.sum(), wr2[0] + rr.sum(), wa2[0] + aa.sum()
        return g, wr2, wa2

    parts = _map_blocks(one_pass, _row_blocks(n))
    g, wr2, wa2 = (sum(q[m] for q in parts) for m in range(3))
    eps = np.finfo(np.float64).eps
    # Rounding, taken as independent errors of size eps: each residual is off by about
    # sqrt(k + 1) eps a_i, and the sum over the n rows of w_il r_i by about sqrt(n) eps ||w_l r||.
    # Both reach d through |(W^T W)^{-1}|.
    noise_g = SETTLE_SAFETY * eps * (math.sqrt(k + 1) * np.sqrt(wa2) + math.sqrt(n) * np.sqrt(wr2))
    d, noise = cov @ g, np.abs(cov) @ noise_g
    if c is not None:  # back to the raw intercept: b0 = b0_W - c . b
        d[0] -= c @ d[1:]
        noise[0] += np.abs(c) @ noise[1:]
    tol = 0.5 * REFINE_ABOVE * np.abs(raw)
    return bool(np.all(np.abs(d) <= tol) and np.all(noise <= tol))


def _refine(X: np.ndarray, y: np.ndarray, sol: _Solve, *, intercept: bool,
            Z: np.ndarray | None = None, M: np.ndarray | None = None) -> _Solve:
    """Iterative refinement of a solve with residuals accumulated in longdouble.

    Each round is one pass over the rows, ``_LD_SLICE`` at a time in worker
    threads: r = y - W coef and g = W^T r in longdouble, then the correction
    d = (W^T W)^{-1} g = ``cov_unscaled`` @ g, the solver's own R. W is the
    parametrisation the solver used: the raw design [1, X] when ``Z`` is None,
    else the working basis ``Z`` rebuilt exactly from X when ``M`` (its exact
    map to the raw terms) says how (see :func:`_poly_recipes`). A second round
    runs only when the first moved a coefficient by more than REFINE_AGAIN
    relative, at most REFINE_ROUNDS in all.

    Returns the solve with refined ``coef`` and the residuals of the last pass;
    when the correction still lowers the RSS noticeably (near-exact fits, where
    that is all the RSS there is), the residuals are brought to the refined
    coefficients by one more pass.
    """
    n = len(y)
    recipes = _poly_recipes(M, intercept) if M is not None and Z is not None else None
    c = sol.shift if Z is None and intercept else None
    rows = _ExactRows(X, intercept, sol.kept, recipes, Z, shift=c)
    coef, cov = _on_working_columns(sol, c, _LD)  # coef is updated in place below
    resid = np.empty(n)
    blocks = _row_blocks(n)
    yl_of = lambda i, j: np.asarray(y[i:j], dtype=_LD)

    def one_pass(a: int, b: int, coef: np.ndarray) -> tuple[np.ndarray, np.floating]:
        g = np.zeros(len(coef), dtype=_LD)
        rss = _LD(0)
        for i in range(a, b, _LD_SLICE):
            j = min(i + _LD_SLICE, b)
            W = rows.block(i, j)
            r = yl_of(i, j) - W @ coef
            g += r @ W
            rss += r @ r
            resid[i:j] = r
        return g, rss

    for _ in range(REFINE_ROUNDS):
        parts = _map_blocks(lambda a, b, c=coef: one_pass(a, b, c), blocks)
        g = sum(p[0] for p in parts)
        rss = sum(p[1] for p in parts)
        d = cov @ g
        coef = coef + d
        if not np.any(np.abs(d) > REFINE_AGAIN * np.abs(coef)):
            break
    if g @ d > 1e-16 * rss:
        def shift(a: int, b: int) -> None:
            for i in range(a, b, _LD_SLICE):
                j = min(i + _LD_SLICE, b)
                resid[i:j] -= np.asarray(rows.block(i, j) @ d, dtype=np.float64)

        _map_blocks(shift, blocks)
    if c is not None:
        coef[0] -= np.asarray(c, dtype=_LD) @ coef[1:]
    return _Solve(
        coef=coef,
        cov_unscaled=sol.cov_unscaled,
        fitted=y - resid,
        resid=resid,
        leverage=sol.leverage,
        kept=sol.kept,
        cond_scaled=sol.cond_scaled,
        r_factor=sol.r_factor,
        refined=True,
        shift=sol.shift,
        cov_work=sol.cov_work,
    )


def _poly_recipes(M: np.ndarray, intercept: bool) -> list | None:
    """How to rebuild each working column exactly from the raw ones, read from the exact map M.

    ``M`` (Fractions) maps working coefficients to raw ones, so working column j
    is sum_q M[q, j] X1[:, q]. A column with M[:, j] = e_j is raw column j. Any
    other is taken as a polynomial in one raw column x (the lowest raw index it
    involves), whose own working column t = a x + b is affine, with raw column
    q + i holding x^(i + 1): the layout of :func:`linreg.design.build_design`'s
    Legendre basis. Its power coefficients are rewritten exactly in t, in which
    the basis is evaluated well (|t| <= 1); :class:`~linreg._rows._ExactRows`
    checks every rebuilt slice against the float64 basis and falls back to it
    where they differ. None when M is not exact (no Fractions) or not of this form.
    """
    from fractions import Fraction
    from math import comb

    if M.dtype != object:
        return None
    k = M.shape[0]
    one = int(intercept)
    recipes: list = []
    for j in range(k):
        nz = [q for q in range(k) if M[q, j] != 0]
        if nz == [j] and M[j, j] == 1:
            recipes.append(("raw", j))
            continue
        xs = [q for q in nz if q >= one]
        if not xs:
            return None
        q0 = min(xs)
        a = Fraction(M[q0, q0])
        b = Fraction(M[0, q0]) if one and q0 != 0 else Fraction(0)
        if a == 0 or any(M[q, q0] != 0 for q in range(k) if q != q0 and not (one and q == 0)):
            return None
        # p(x) = sum_e c_e x^e with x = (t - b) / a
        power = {0: Fraction(M[0, j]) if one else Fraction(0)}
        for q in xs:
            power[q - q0 + 1] = Fraction(M[q, j])
        deg = max(power)
        coefs = [Fraction(0)] * (deg + 1)
        for e, c_e in power.items():
            for m in range(e + 1):  # ((t - b) / a)^e = sum_m comb(e, m) t^m (-b)^(e - m) / a^e
                coefs[m] += c_e * comb(e, m) * (-b) ** (e - m) / a**e
        ld = lambda f: _LD(f.numerator) / _LD(f.denominator)
        recipes.append(("poly", q0, ld(a), ld(b), [ld(c) for c in coefs]))
    return recipes


# =============================================================================
# building blocks: scaling, aliasing, Householder in extended precision
# =============================================================================
def _pow2_scale(A: np.ndarray) -> np.ndarray:
    """Column scales that are powers of two near each column's norm (exact to apply).

    A column beyond ~1e154 (its squares overflow) or below ~1e-154 (they underflow)
    gets its norm from the column divided by its largest magnitude, so 1e300 and
    1e-300 columns are scaled like any other instead of looking infinite or zero.
    """
    with np.errstate(over="ignore", under="ignore"):
        norms = np.sqrt(np.einsum("ij,ij->j", A, A)).astype(np.float64)
    log2 = np.zeros(len(norms))
    ok = np.isfinite(norms) & (norms > 1e-150)
    log2[ok] = np.log2(norms[ok])
    for j in np.nonzero(~ok)[0]:
        col = np.asarray(A[:, j], dtype=np.float64)
        big = float(np.max(np.abs(col))) if len(col) else 0.0
        if big > 0:
            log2[j] = math.log2(big) + 0.5 * math.log2(float(np.sum(np.square(col / big))))
    # Keep 2**e a normal float64 (the exponent range is -1022..1023).
    return np.exp2(np.clip(np.round(log2), -1022, 1023))


def _kept_columns(Z: np.ndarray) -> np.ndarray:
    """Indices of non-aliased columns, by Householder QR with R's limited pivoting."""
    D = _pow2_scale(Z)
    n, k = Z.shape
    if n * k > PRECISE_SIZE:
        # Fast screen in float64: without a tiny pivot there is nothing to drop.
        R = _r_factor(Z, D)
        if np.min(np.abs(np.diag(R))) > 1e3 * ALIAS_TOL:
            return np.arange(k)
    return _householder_ld(np.asarray(Z, dtype=_LD) / np.asarray(D, dtype=_LD))[2]


def _r_factor(Z: np.ndarray, D: np.ndarray, y: np.ndarray | None = None) -> np.ndarray:
    """R of the Householder QR of [Z / D, y] in float64 (LAPACK geqrf, Q not formed).

    Returns the (k, k) or, with ``y``, (k + 1, k + 1) upper triangle; its last
    column then holds Q^T y and its corner the residual norm.
    """
    import scipy.linalg
    n, k = Z.shape
    A = np.empty((n, k + (y is not None)), order="F")  # Fortran order: geqrf works in place
    np.divide(Z, D, out=A[:, :k], casting="unsafe")
    if y is not None:
        A[:, k] = y
    qr, _tau, _work, info = scipy.linalg.lapack.dgeqrf(A, overwrite_a=True)
    if info != 0:  # pragma: no cover - LAPACK argument errors only
        raise ModelError(f"QR factorisation failed (LAPACK info={info})")
    m = A.shape[1]
    return np.triu(qr[:m, :m])


def _householder_ld(A: np.ndarray) -> tuple[np.ndarray, list[np.ndarray], np.ndarray]:
    """Householder QR in extended precision with R's limited pivoting.

    Columns are taken in order; a column whose remaining norm is below
    ``ALIAS_TOL`` times its original norm is aliased and skipped, so the
    earlier of two dependent columns is kept.

    Parameters
    ----------
    A : ndarray of longdouble, shape (n, k)

    Returns
    -------
    R : ndarray of longdouble, shape (r, r)
    reflectors : list of r unit vectors (the j-th has length n - j)
    kept : ndarray of int, shape (r,)
    """
    n, k = A.shape
    W = A.copy()
    norm0 = np.sqrt(np.einsum("ij,ij->j", W, W))
    kept: list[int] = []
    refl: list[np.ndarray] = []
    pending = list(range(k))
    j = 0
    while pending:
        c = pending.pop(0)
        x = W[j:, c]
        nx = np.sqrt(x @ x) if j < n else _LD(0)
        if j >= n or nx <= ALIAS_TOL * norm0[c] or norm0[c] == 0:
            continue
        alpha = -nx if x[0] >= 0 else nx
        v = x.copy()
        v[0] -= alpha
        v /= np.sqrt(v @ v)
        cols = [c] + pending
        sub = W[j:, cols]
        sub -= 2 * np.outer(v, v @ sub)
        W[j:, cols] = sub
        refl.append(v)
        kept.append(c)
        j += 1
    r = len(kept)
    R = np.triu(W[:r, kept])
    return R, refl, np.asarray(kept, dtype=np.intp)


def _thin_q(refl: list[np.ndarray], n: int) -> np.ndarray:
    """The first r columns of Q = H_0 H_1 ... H_{r-1}, shape (n, r)."""
    r = len(refl)
    Q = np.zeros((n, r), dtype=refl[0].dtype if refl else np.float64)
    Q[np.arange(r), np.arange(r)] = 1
    for j in range(r - 1, -1, -1):
        v = refl[j]
        Q[j:] -= 2 * np.outer(v, v @ Q[j:])
    return Q


def _back_solve(R: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Solve R x = b for upper-triangular R in R's own dtype (works for longdouble)."""
    x = np.array(b, dtype=R.dtype, copy=True)
    r = R.shape[0]
    for i in range(r - 1, -1, -1):
        if i + 1 < r:
            x[i] -= R[i, i + 1 :] @ x[i + 1 :]
        x[i] /= R[i, i]
    return x


def _cond(R: np.ndarray) -> float:
    """2-norm condition number s_max / s_min of R (inf if singular).

    One-sided Jacobi SVD (LAPACK dgejsv, JOBA='C') finds the small singular values to
    high relative accuracy when the columns merely differ in scale (R = B D with B well
    conditioned), where the usual SVD loses them to rounding: a 1e17 column next to a
    column of ones gives s_min = 0 there, and an infinite "condition number" for a
    full-rank design.
    """
    import scipy.linalg
    A = np.asarray(R, dtype=np.float64)
    if A.size == 0 or not np.isfinite(A).all():
        return math.inf
    s = None
    if A.shape[0] >= A.shape[1]:
        try:
            sva, _u, _v, _work, _iwork, info = scipy.linalg.lapack.dgejsv(A, joba=0, jobu=3, jobv=3)
            if info == 0 and np.all(np.isfinite(sva)):
                s = sva
        except (ValueError, np.linalg.LinAlgError):  # pragma: no cover - LAPACK argument errors only
            s = None
    if s is None:
        s = np.linalg.svd(A, compute_uv=False)
    return float(s[0] / s[-1]) if s[-1] > 0 else math.inf



def _residual_ld(Z: np.ndarray, y: np.ndarray, coef: np.ndarray, step: int) -> np.ndarray:
    """y - Z coef in longdouble, a block of rows at a time (bounded memory)."""
    out = np.empty(len(y), dtype=_LD)
    for i in range(0, len(y), step):
        out[i : i + step] = np.asarray(y[i : i + step], dtype=_LD) - np.asarray(Z[i : i + step], dtype=_LD) @ coef
    return out


def _zt_residual_ld(Z: np.ndarray, y: np.ndarray, coef: np.ndarray, step: int) -> np.ndarray:
    """Z^T (y - Z coef), accumulated in longdouble (its float64 rounding is what limits QR)."""
    acc = np.zeros(Z.shape[1], dtype=_LD)
    for i in range(0, len(y), step):
        Zi = np.asarray(Z[i : i + step], dtype=_LD)
        acc += Zi.T @ (np.asarray(y[i : i + step], dtype=_LD) - Zi @ coef)
    return np.asarray(acc, dtype=np.float64)
