"""What each partition computes, and how the partitions' pieces are combined.

Every function here runs on one partition's :class:`~linreg.scale._terms.Block`
(in a worker thread or process) and returns a few small arrays; the driver
combines them in file order (a fixed tree for the R factors), so the result is
the same bits on any scheduler and worker count for a fixed partitioning.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .._rows import _LD_SLICE
from ._arrow import ArrowBlock
from ._terms import Block, Plan

_LD = np.longdouble
# Householder runs on sub-blocks of this many rows: a (1024, k + 1) panel stays in
# cache, where one dgeqrf on a whole partition is memory bound (measured 15-20x slower
# for 5e5 rows).
SUB_ROWS = 1024
# R factors combined per node of the reduction tree.
FAN_IN = 8


def _qr_r(A: np.ndarray) -> np.ndarray:
    """The (m, m) R of the Householder QR of A (rows >= m or not), Q not formed.

    numpy's QR (LAPACK dgeqrf) rather than scipy's wrapper: it lets go of the GIL, so the
    partitions' tasks factor in parallel on the threaded scheduler.
    """
    m = A.shape[1]
    if A.shape[0] < m:
        A = np.vstack([A, np.zeros((m - A.shape[0], m))])
    return np.linalg.qr(A, mode="r")


def tsqr(block: Block | ArrowBlock, shift: np.ndarray, cy: float, into: dict | None = None) -> dict:
    """The first pass on one chunk: R of [V - c, y - c_y] and the sums for TSS and checks.

    ``into``: the result of the partition's earlier chunks (same shift), continued. The
    chunk's working block is cut into SUB_ROWS-row sub-blocks, all factored by one
    batched QR call, and their R's are stacked under the running R and factored again.
    """
    m = block.k + 1
    n = len(block.y)
    stack = [np.zeros((m, m)) if into is None else into["R"]]
    if n:
        # Fortran order like V, so that the subtractions run down contiguous columns; the
        # sub-blocks are a strided view of it (numpy's QR copies each into LAPACK's layout).
        w = np.empty((m, n)).T
        block.shifted(0, n, shift, w[:, :-1])
        np.subtract(block.y, cy, out=w[:, -1])
        full = n - n % SUB_ROWS
        if full:
            subs = as_strided(w, shape=(full // SUB_ROWS, SUB_ROWS, m), strides=(SUB_ROWS * 8, 8, n * 8),
                              writeable=False)
            stack.append(np.linalg.qr(subs, mode="r").reshape(-1, m))
        stack.append(w[full:])
    R = _qr_r(np.vstack(stack)) if len(stack) > 1 else stack[0]
    dy = np.asarray(block.y, dtype=_LD) - _LD(cy)
    xmax, ymax = block.xmax, block.ymax
    if xmax is None:
        xmax = float(max(block.X.max(), -block.X.min())) if block.X.size else 0.0
    if ymax is None:
        ymax = float(max(block.y.max(), -block.y.min())) if n else 0.0
    out = {"R": R, "n": n, "n_rows": block.n_rows, "s1": dy.sum(), "s2": dy @ dy, "ymax": ymax,
           "xmax": xmax, "shift": shift, "cy": cy}
    if into is not None:
        for key in ("n", "n_rows", "s1", "s2"):
            out[key] += into[key]
        out["ymax"], out["xmax"] = max(ymax, into["ymax"]), max(xmax, into["xmax"])
    return out


def combine_r(Rs: list[np.ndarray]) -> np.ndarray:
    """R of the stacked R's, reduced in a fixed tree (FAN_IN per node, in order)."""
    level = list(Rs)
    while len(level) > 1:
        level = [_qr_r(np.vstack(level[i : i + FAN_IN])) for i in range(0, len(level), FAN_IN)]
    return level[0]


def rebase(part: dict, shift: np.ndarray, cy: float) -> dict:
    """A partition's first-pass result moved from its own shift to (shift, cy), exactly but for one rounding.

    With the ones column first, [1, V - c'] = [1, V - c_p] E where E is the identity
    plus the row (0, c_p - c') on top; so R' = R E differs from R in its first row
    only (R's first column is (R_00, 0, ..., 0)), and the rows that carry the centred
    information are untouched. The sums of y - c_y move the same way.
    """
    d = float(part["cy"]) - float(cy)
    dc = np.asarray(part["shift"], dtype=np.float64) - shift
    if not part["n"] or (d == 0.0 and not dc.any()):
        return {**part, "shift": shift, "cy": cy}
    R = part["R"].copy()
    R[0, 1:-1] += R[0, 0] * dc[1:]
    R[0, -1] += R[0, 0] * d
    n, s1 = _LD(part["n"]), part["s1"]
    dl = _LD(part["cy"]) - _LD(cy)
    return {**part, "R": R, "s1": s1 + n * dl, "s2": part["s2"] + 2 * dl * s1 + n * dl * dl, "shift": shift,
            "cy": cy}


def refine(block: Block | ArrowBlock, plan: Plan, shift: np.ndarray, kept: np.ndarray, cy: float,
           coef: np.ndarray) -> tuple:
    """W^T r and r^T r in longdouble, r = (y - c_y) - W coef with W = V - c rebuilt exactly."""
    n = len(block.y)
    g = np.zeros(len(kept), dtype=_LD)
    rss = _LD(0)
    if not n:
        return g, rss
    rows = block.exact(plan) if plan.recipes is not None else None
    sl = np.asarray(shift, dtype=_LD)
    every = len(kept) == plan.k
    size = min(_LD_SLICE, n)
    Wb, rb = np.empty((size, plan.k), dtype=_LD), np.empty(size, dtype=_LD)
    for i in range(0, n, _LD_SLICE):
        j = min(i + _LD_SLICE, n)
        W, r = Wb[: j - i], rb[: j - i]
        # Without a basis V is [1, X] in float64, so V - c is exact in longdouble.
        if rows is None:
            block.shifted(i, j, sl, W)
        else:
            W[...] = rows.block(i, j)
            W -= sl
        if not every:
            W = W[:, kept]
        r[...] = block.y[i:j]
        r -= _LD(cy)
        r -= np.einsum("ij,j->i", W, coef)
        g += np.einsum("i,ij->j", r, W)
        rss += r @ r
    return g, rss


def per_row(block: Block, plan: Plan, fit: dict) -> dict:
    """Fitted values, residuals, leverage and influence of one partition's rows (float64 arrays)."""
    kept = fit["kept"]
    rows = block.exact(plan)
    sl = np.asarray(fit["shift"], dtype=_LD)[kept]
    n = len(block.y)
    resid = np.empty(n)
    lev = np.empty(n)
    for i in range(0, n, _LD_SLICE):
        j = min(i + _LD_SLICE, n)
        W = rows.block(i, j)[:, kept] - sl
        resid[i:j] = (np.asarray(block.y[i:j], dtype=_LD) - _LD(fit["cy"])) - W @ fit["coef_w"]
        q = np.asarray(W, dtype=np.float64) @ fit["B"]
        lev[i:j] = np.einsum("ij,ij->i", q, q)
    fitted = block.y - resid
    one_minus_h = 1.0 - lev
    sigma, rss, df_resid, rank = fit["sigma"], fit["rss"], fit["df_resid"], fit["rank"]
    with np.errstate(divide="ignore", invalid="ignore"):
        std = resid / (sigma * np.sqrt(one_minus_h))
        if df_resid > 1:
            s_i = np.sqrt(np.maximum((rss - resid**2 / one_minus_h) / (df_resid - 1), 0.0) * one_minus_h)
            stud = resid / s_i
        else:
            stud = np.full(n, np.nan)
        cooks = resid**2 * lev / one_minus_h**2 / (rank * np.float64(sigma) ** 2)
    bad = one_minus_h <= 0.0
    for a in (std, stud, cooks):
        a[bad] = np.nan
    return {"fitted": fitted, "resid": resid, "leverage": lev, "standardized_resid": std,
            "studentized_resid": stud, "cooks_distance": cooks}


def diagnostics(block: Block, plan: Plan, fit: dict, offset: int, top: int, rate: float,
                rng: np.random.Generator) -> dict:
    """One chunk's part of the diagnostics pass: sums for the tests, extremes and a sample.

    ``offset`` is the global row number of the chunk's first row; ``rng`` draws the
    sample (one generator per partition, used chunk after chunk).
    """
    rows = per_row(block, plan, fit)
    e, h = rows["resid"], rows["leverage"]
    el = np.asarray(e, dtype=_LD)
    kept = fit["kept"]
    Wl = np.asarray(block.V[:, kept] - fit["shift"][kept], dtype=_LD)
    u = np.asarray(e**2, dtype=_LD)
    out = {
        "n": len(e), "s1": el.sum(), "s2": el @ el, "s3": (el**2) @ el, "s4": (el**2) @ (el**2),
        "wtu": u @ Wl, "su": u.sum(), "su2": u @ u, "wsum": Wl.sum(axis=0),
        "dw": float(np.sum(np.diff(e) ** 2)) if len(e) > 1 else 0.0,
        "first": float(e[0]) if len(e) else math.nan, "last": float(e[-1]) if len(e) else math.nan,
        "hsum": float(h.sum()), "hmax": float(h.max()) if len(h) else -math.inf,
        "over3": int(np.sum(np.abs(rows["studentized_resid"]) > 3)),
    }
    # Only the rows kept (the extremes and the sample) are copied out, as columns that
    # merge_diagnostics makes one frame of per partition: a frame of every row, or one
    # per chunk, would cost more than the arithmetic above.
    out["top"] = _rows_at(block, plan, rows, offset, _top_rows(rows["cooks_distance"], rows["studentized_resid"], top))
    pick = rng.random(len(e)) < rate if len(e) else np.zeros(0, dtype=bool)
    out["sample"] = _rows_at(block, plan, rows, offset, np.nonzero(pick)[0])
    return out


def _rows_at(block: Block, plan: Plan, rows: dict, offset: int, idx: np.ndarray) -> dict:
    """The rows ``idx`` of a chunk, column by column: global row number, the used columns, the per-row values."""
    data = {"row": offset + block.kept_rows[idx]}
    data.update({c: block.column(c, plan)[idx] for c in plan.used})
    data.update({key: v[idx] for key, v in rows.items()})
    return data


def _largest(v: np.ndarray, top: int) -> np.ndarray:
    """Positions of the ``top`` largest values, ties to the earlier row (a stable sort's first ``top``)."""
    if len(v) > top:
        # Only rows at or above the top-th largest value can be among them: sort those.
        cut = np.partition(v, len(v) - top)[len(v) - top]
        cand = np.nonzero(v >= cut)[0]
        return cand[np.argsort(-v[cand], kind="stable")[:top]]
    return np.argsort(-v, kind="stable")


def _top_rows(cooks: np.ndarray, stud: np.ndarray, top: int) -> np.ndarray:
    """The rows among the ``top`` largest Cook's distances or |studentized residuals|, in row order."""
    cook = np.nan_to_num(cooks, nan=-np.inf)
    st = np.nan_to_num(np.abs(stud), nan=-np.inf)
    return np.union1d(_largest(cook, top), _largest(st, top))


def _top(table, top: int):
    """The rows among the ``top`` largest Cook's distances or |studentized residuals|, in table order."""
    if not len(table):
        return table
    return table.iloc[_top_rows(table["cooks_distance"].to_numpy(), table["studentized_resid"].to_numpy(), top)]


def merge_diagnostics(pieces: list[dict], top: int) -> dict:
    """One partition's diagnostics from its chunks' (in row order): as if computed on the whole partition.

    The chunks' extremes and sample rows become the partition's two frames here.
    """
    import pandas as pd

    out = {key: sum(p[key] for p in pieces) for key in ("n", "s1", "s2", "s3", "s4", "wtu", "su", "su2", "wsum",
                                                        "dw", "hsum", "over3")}
    filled = [p for p in pieces if p["n"]]
    # Durbin-Watson also steps across the boundary between consecutive chunks with rows.
    out["dw"] += sum((b["first"] - a["last"]) ** 2 for a, b in itertools.pairwise(filled))
    out["first"] = filled[0]["first"] if filled else math.nan
    out["last"] = filled[-1]["last"] if filled else math.nan
    out["hmax"] = max(p["hmax"] for p in pieces)
    for key in ("top", "sample"):
        out[key] = pd.DataFrame({c: np.concatenate([p[key][c] for p in pieces]) for c in pieces[0][key]})
    out["top"] = _top(out["top"], top)
    return out
