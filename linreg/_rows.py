"""Row blocks and worker threads for the large-data path of :func:`linreg.ols.fit_ols`.

:func:`linreg._solvers._solve_cholqr2` makes three passes over the rows of a tall
design, a block of ``_CHUNK`` rows at a time, the blocks shared among ``_WORKERS``
threads with BLAS held to one thread. This module holds that scheduling: the
working design's rows (:class:`_Rows`, which never builds the ones column or the
shifted copy of the whole design), the split into blocks, the thread pool and
the BLAS thread limiter. It is apart from the solvers because none of it is
least squares: the solvers read as the algorithm, and this is where to look for
memory and threading.
"""

from __future__ import annotations

import functools
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import numpy as np

# CholeskyQR2 (large, well-conditioned designs): rows per block (a (CHUNK, k)
# buffer stays in cache) and worker threads.
_CHUNK = 1 << 14
_WORKERS = max(1, min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)))


class _Rows:
    """Blocks of rows of the working design W = [1, A - c] (or A) for :func:`~linreg._solvers._solve_cholqr2`.

    Without a shift (``c`` None) the products read A in place: W[i:j] @ B is
    A[i:j] @ B[1:] + B[0]. With one, each block is copied, shifted, into a
    per-thread buffer first.
    """

    def __init__(self, A: np.ndarray, c: np.ndarray | None, intercept: bool):
        self.A, self.c, self.one = A, c, int(intercept)
        self._local = threading.local()

    def _filled(self, i: int, j: int) -> np.ndarray:
        buf = getattr(self._local, "buf", None)
        if buf is None or len(buf) < j - i:
            buf = self._local.buf = np.empty((j - i, self.A.shape[1] + self.one))
            buf[:, 0] = 1.0  # overwritten below when there is no intercept
        w = buf[: j - i]
        np.subtract(self.A[i:j], self.c, out=w[:, self.one :])
        return w

    def _ones(self, m: int) -> np.ndarray:
        ones = getattr(self._local, "ones", None)
        if ones is None or len(ones) < m:
            ones = self._local.ones = np.ones(m)
        return ones[:m]

    def add_gram(self, i: int, j: int, G: np.ndarray) -> None:
        """G += W[i:j]^T W[i:j]."""
        if self.c is not None:
            w = self._filled(i, j)
            G += w.T @ w
            return
        a = self.A[i:j]
        o = self.one
        G[o:, o:] += a.T @ a
        if o:
            s = self._ones(j - i) @ a  # column sums; BLAS gemv is ~4x faster than a.sum(axis=0)
            G[0, 0] += j - i
            G[0, 1:] += s
            G[1:, 0] += s

    def times(self, i: int, j: int, B: np.ndarray, out: np.ndarray) -> np.ndarray:
        """W[i:j] @ B, written into ``out``."""
        if self.c is not None:
            return np.matmul(self._filled(i, j), B, out=out)
        np.matmul(self.A[i:j], B[self.one :], out=out)
        if self.one:
            out += B[0]
        return out


def _row_blocks(n: int) -> list[tuple[int, int]]:
    """Split rows 0..n into one contiguous block per worker thread (fewer for small n)."""
    parts = max(1, min(_WORKERS, n // _CHUNK))
    edges = [n * i // parts for i in range(parts + 1)]
    return list(zip(edges[:-1], edges[1:]))


def _map_blocks(fn, blocks: list[tuple[int, int]]) -> list:
    """fn(a, b) for each block, in threads when there are several (numpy releases the GIL)."""
    if len(blocks) == 1:
        return [fn(*blocks[0])]
    futures = [_pool().submit(fn, *ab) for ab in blocks[1:]]
    first = fn(*blocks[0])  # this thread does a share too
    return [first] + [f.result() for f in futures]


@functools.lru_cache(maxsize=1)
def _pool() -> ThreadPoolExecutor:
    # One pool for the process: starting threads for every pass costs more than
    # the pass on a busy machine.
    return ThreadPoolExecutor(max(1, _WORKERS - 1), thread_name_prefix="linreg-ols")


@functools.lru_cache(maxsize=1)
def _blas_controller():
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # pragma: no cover - optional: without it BLAS keeps its own threads
        return None
    return ThreadpoolController()


_blas_lock = threading.Lock()
_blas_users = 0
_blas_limiter = None


@contextmanager
def _one_blas_thread():
    """Run BLAS single-threaded inside (reference-counted, so overlapping fits restore it once).

    The passes of :func:`~linreg._solvers._solve_cholqr2` are many small (CHUNK x k) products:
    BLAS threads cost more to wake and synchronise than they save (3x the CPU
    time on a busy 2-core machine); we run the row blocks in our own threads instead.
    """
    global _blas_users, _blas_limiter
    ctl = _blas_controller()
    if ctl is None:  # pragma: no cover
        yield
        return
    with _blas_lock:
        if _blas_users == 0:
            _blas_limiter = ctl.limit(limits=1, user_api="blas")
        _blas_users += 1
    try:
        yield
    finally:
        with _blas_lock:
            _blas_users -= 1
            if _blas_users == 0:
                _blas_limiter.restore_original_limits()
                _blas_limiter = None


# Rows per extended-precision slice of the refinement pass: a (4096, k) longdouble block
# (1.4 MB at k = 21) stays in cache; 65,536-row slices ran 1.7x slower.
_LD_SLICE = 1 << 12


class _ExactRows:
    """Slices of the fitted design in longdouble, for the refinement pass of :func:`~linreg._solvers._refine`.

    The columns are those the solver kept, in its parametrisation: the raw design
    [1, X] (or X), or a polynomial basis rebuilt from the raw column x in
    longdouble (``recipes``), because the float64 basis handed to the solver is
    rounded and its map back to the raw terms amplifies that rounding (NIST
    Wampler: by ~1e6). A rebuilt slice that does not match the float64 basis
    ``Z`` to a few units of its last place is not the same basis: ``Z`` is used.

    Parameters
    ----------
    X : ndarray, shape (n, p)
        Raw features, without the ones column.
    intercept : bool
    kept : ndarray of int, shape (r,)
        Columns of the working design in use.
    recipes : list or None
        One entry per working column: ``("raw", q)`` (column q of [1, X]) or
        ``("poly", q, a, b, coefs)``: sum_m coefs[m] t^m with t = a x + b, x = column q.
    Z : ndarray, shape (n, k), optional
        The working design as the solver saw it (with ``recipes``, or when it is not [1, X]).
    shift : ndarray, shape (p,), optional
        Without ``Z``: the columns are [1, X - shift] (exact in longdouble).
    """

    def __init__(self, X: np.ndarray, intercept: bool, kept: np.ndarray, recipes: list | None = None,
                 Z: np.ndarray | None = None, shift: np.ndarray | None = None):
        self.X, self.one, self.kept, self.recipes, self.Z = X, int(intercept), kept, recipes, Z
        self.shift = None if shift is None else np.asarray(shift, dtype=np.longdouble)

    def _raw(self, i: int, j: int, q: int) -> np.ndarray:
        if self.one and q == 0:
            return np.ones(j - i, dtype=np.longdouble)
        return np.asarray(self.X[i:j, q - self.one], dtype=np.longdouble)

    def block(self, i: int, j: int) -> np.ndarray:
        """Rows i..j of the kept working columns, shape (j - i, r), longdouble."""
        if self.Z is not None and self.recipes is None:
            return np.asarray(self.Z[i:j][:, self.kept], dtype=np.longdouble)
        if self.recipes is None:
            # Every column of [1, X] first, then the kept ones: an aliased column leaves fewer.
            out = np.empty((j - i, self.one + self.X.shape[1]), dtype=np.longdouble)
            if self.one:
                out[:, 0] = 1.0
            out[:, self.one :] = self.X[i:j]
            if self.shift is not None:
                out[:, self.one :] -= self.shift
            return out if len(self.kept) == out.shape[1] else out[:, self.kept]
        out = np.empty((j - i, len(self.kept)), dtype=np.longdouble)
        for c, col in enumerate(self.kept):
            recipe = self.recipes[col]
            if recipe[0] == "raw":
                out[:, c] = self._raw(i, j, recipe[1])
                continue
            _, q, a, b, coefs = recipe
            t = self._raw(i, j, q) * a + b
            v = np.full(j - i, coefs[-1], dtype=np.longdouble)
            for m in range(len(coefs) - 2, -1, -1):  # Horner in t, |t| <= 1: no cancellation to speak of
                v *= t
                v += coefs[m]
            out[:, c] = v
        if self.Z is None:  # nothing to check against: the caller builds the basis from these recipes
            return out
        Zs = np.asarray(self.Z[i:j][:, self.kept], dtype=np.float64)
        scale = np.max(np.abs(Zs), axis=0, initial=0.0)
        if np.any(np.abs(out - Zs) > 8 * np.finfo(np.float64).eps * np.maximum(scale, np.finfo(np.float64).tiny)):
            return np.asarray(Zs, dtype=np.longdouble)
        return out
