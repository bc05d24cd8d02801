"""The out-of-core fit: passes over the partitions, then the inference of :mod:`linreg.ols` on the small pieces."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import replace

import numpy as np
import scipy.linalg
from scipy import stats

from .. import ols as _ols
from .._rows import _one_blas_thread
from .._solvers import ALIAS_TOL, REFINE_AGAIN, REFINE_ROUNDS, _cond, _householder_ld, _pow2_scale
from ..design import ModelSpec
from ..diagnostics import TestResult, _p_text
from ..exceptions import DataError, ModelError
from . import _kernels as K
from . import _terms
from ._engine import Piece, Runner, columns_of, partitions
from ._result import ResidualSummary, ScaleResult

_LD = np.longdouble
# Extremes kept per partition (and overall) for the influential rows.
TOP_ROWS = 20
# Rows of a partition turned into design rows at a time by the fit and refinement passes:
# the design, its working block and their longdouble slices then cost a few MB, not
# several copies of the partition.
CHUNK_ROWS = 1 << 15


def fit(source: object, spec: ModelSpec, *, alpha: float, client: object, refine: str | int, diagnostics: bool,
        sample: int, seed: int, progress: Callable | None) -> ScaleResult:
    runner = Runner(client, progress)
    plan = _terms.resolve(columns_of(source), spec)
    parts = partitions(source, plan.used)
    passes = 0
    if plan.needs_facts:
        facts = [f for chunks in runner.map("facts", _facts_task, parts, plan) for f in chunks]
        plan = _terms.combine_facts(facts, plan)
        passes += 1
    else:
        plan = _terms._with_terms(plan)
    k = plan.k
    first, shift, cy = _tsqr_pass(runner, parts, plan)
    passes += 1
    n = sum(p["n"] for p in first)
    n_rows = [p["n_rows"] for p in first]
    _ols._check_magnitude(np.array([[max(p["xmax"] for p in first)]]), np.array([max(p["ymax"] for p in first)]))
    if n == 0:
        raise DataError(
            f"no rows left after dropping rows with a missing value in {', '.join(plan.used)}; "
            "fill the missing values or use fewer columns"
        )
    if n <= k:
        raise ModelError(
            f"only n={n} rows for k={k} parameters: least squares needs more rows than parameters "
            "(n > k) to leave residual degrees of freedom; add rows or drop terms"
        )
    R = K.combine_r([p["R"] for p in first])
    kept = _kept_columns(R[:k, :k])
    if plan.M is not None and len(kept) < k:
        # Dropping a basis column is not dropping the same raw term: fit the raw terms (as fit_ols does).
        plan = replace(plan, M=None, recipes=None)
        first, shift, cy = _tsqr_pass(runner, parts, plan)
        passes += 1
        R = K.combine_r([p["R"] for p in first])
        kept = _kept_columns(R[:k, :k])
    r = len(kept)
    Rk = K._qr_r(R[:, list(kept) + [k]])
    Rkk, qty, corner = Rk[:r, :r], Rk[:r, r], Rk[r, r]
    B = scipy.linalg.solve_triangular(Rkk, np.eye(r), check_finite=False)
    coef_w = np.asarray(B @ qty, dtype=_LD)
    Bl = np.asarray(B, dtype=_LD)
    cov_w = Bl @ Bl.T
    rss_l = _LD(corner) ** 2
    rounds = 0
    limit = REFINE_ROUNDS if refine == "auto" else int(refine)
    while rounds < limit:
        parts_g = runner.map("refine", _refine_task, parts, plan, shift, kept, cy, coef_w)
        passes += 1
        rounds += 1
        g = sum((p[0] for p in parts_g), np.zeros(r, dtype=_LD))
        rss_prev = sum((p[1] for p in parts_g), _LD(0))
        d = cov_w @ g
        coef_w = coef_w + d
        # The RSS at the corrected coefficients: ||r - W d||^2 = ||r||^2 - g^T d for d = (W^T W)^{-1} g.
        rss_l = max(rss_prev - g @ d, _LD(0))
        if refine == "auto" and not np.any(np.abs(d) > REFINE_AGAIN * np.abs(coef_w)):
            break
    s1 = sum((p["s1"] for p in first), _LD(0))
    s2 = sum((p["s2"] for p in first), _LD(0))
    tss_l = s2 - s1 * s1 / n if plan.spec.intercept else s2
    ymax = max(p["ymax"] for p in first)
    res = _assemble(plan, kept, coef_w, cov_w, Rkk, shift, cy, rss_l, tss_l, n, ymax, alpha)
    fit_info = {"kept": kept, "shift": shift, "cy": cy, "coef_w": coef_w, "B": B, "sigma": res.sigma,
                "rss": res.rss, "df_resid": res.df_resid, "rank": res.rank}
    offsets = np.concatenate([[0], np.cumsum(n_rows)])[:-1].tolist()
    summary = table = None
    if diagnostics:
        rate = min(1.0, sample / n) if sample else 0.0
        diag = runner.map("diagnostics", _diag_task, parts, plan, fit_info, offsets, rate, seed)
        passes += 1
        summary, table = _residual_summary(diag, res, plan, Rkk, ymax, n)

    def residuals():
        import dask.dataframe as dd
        from dask import delayed

        meta = _residual_meta(plan)
        pieces = [delayed(_residual_task)(p, plan, fit_info, off) for p, off in zip(parts, offsets)]
        return dd.from_delayed(pieces, meta=meta, verify_meta=False)

    return replace(res, n_dropped=sum(n_rows) - n, n_partitions=len(parts), passes=passes, refine_rounds=rounds,
                   diagnostics=summary, sample=table, _residuals=residuals)


# ---------------------------------------------------------------------------
# tasks (one partition each; module-level so distributed can pickle them)
# ---------------------------------------------------------------------------
# Each task holds BLAS to one thread: the partitions already run in parallel, and BLAS
# threads on small panels cost more to wake than they save (as in linreg._rows).
def _facts_task(part, index, plan):
    return [_terms.facts_of_partition(_terms.as_frame(chunk), plan) for chunk in _chunks(part)]


def _chunks(part):
    """The partition's rows in slices of at most CHUNK_ROWS (at least one, maybe empty).

    The design's copies are built a slice at a time; a :class:`~linreg.scale._engine.Piece`
    is read a batch at a time and gives Arrow batches (:func:`_terms.build_block` takes
    both), other partitions pandas frames.
    """
    if isinstance(part, Piece):
        yield from part.batches(CHUNK_ROWS)
        return
    for start in range(0, max(len(part), 1), CHUNK_ROWS):
        yield part.iloc[start : start + CHUNK_ROWS]


def _tsqr_pass(runner, parts, plan) -> tuple[list[dict], np.ndarray, float]:
    """The first pass: each partition's R and sums, moved to one shared shift (c, c_y)."""
    first = runner.map("fit", _tsqr_task, parts, plan)
    filled = [p for p in first if p["n"]]
    shift, cy = (filled[0]["shift"], filled[0]["cy"]) if filled else (np.zeros(plan.k), 0.0)
    return [K.rebase(p, shift, cy) for p in first], shift, cy


def _tsqr_task(part, index, plan):
    # Each partition takes its shift from its own first rows, so no pass or read comes
    # before this one; the driver then moves every R to one shared shift (K.rebase).
    out = None
    skipped = 0  # rows of leading chunks that kept none
    with _one_blas_thread():
        for chunk in _chunks(part):
            block = _terms.build_block(chunk, plan)
            if out is not None:
                out = K.tsqr(block, out["shift"], out["cy"], into=out)
            elif len(block.y):
                out = K.tsqr(block, *_shift_of(block, plan))
            else:
                skipped += block.n_rows
    if out is None:  # no row kept: the empty block's zero R
        out = K.tsqr(block, np.zeros(plan.k), 0.0)
        out["n_rows"] = 0
    out["n_rows"] += skipped
    return out


def _refine_task(part, index, plan, shift, kept, cy, coef_w):
    with _one_blas_thread():
        pieces = [K.refine(_terms.build_block(chunk, plan), plan, shift, kept, cy, coef_w) for chunk in _chunks(part)]
    return sum(q[0] for q in pieces), sum(q[1] for q in pieces)


def _diag_task(part, index, plan, fit_info, offsets, rate, seed):
    # One generator per partition, drawn from chunk after chunk: the sample does not depend
    # on how the partition is cut into chunks.
    rng = np.random.default_rng([seed, index])
    pieces = []
    start = offsets[index]
    with _one_blas_thread():
        for chunk in _chunks(part):
            pieces.append(K.diagnostics(_terms.build_block(chunk, plan), plan, fit_info, start, TOP_ROWS, rate, rng))
            start += len(chunk)
    return K.merge_diagnostics(pieces, TOP_ROWS)


def _residual_task(part, plan, fit_info, offset):
    import pandas as pd

    tables = []
    for chunk in _chunks(part):
        block = _terms.build_block(chunk, plan)
        rows = K.per_row(block, plan, fit_info)
        table = pd.DataFrame({"row": offset + block.kept_rows})
        for c in plan.used:
            table[c] = block.column(c, plan)
        for key, v in rows.items():
            table[key] = v
        tables.append(table)
        offset += len(chunk)
    return pd.concat(tables, ignore_index=True) if len(tables) > 1 else tables[0]


def _residual_meta(plan):
    import pandas as pd

    cols = {"row": np.int64}
    cols.update({c: object if c in plan.spec.categorical else np.float64 for c in plan.used})
    cols.update({c: np.float64 for c in ("fitted", "resid", "leverage", "standardized_resid", "studentized_resid",
                                         "cooks_distance")})
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in cols.items()})


def _shift_of(block, plan) -> tuple[np.ndarray, float]:
    """The shift c (0 on the ones column) and c_y: column means of a block's rows.

    Only columns whose mean is large against their spread are shifted (the rule of
    linreg's in-memory CholeskyQR2): the ones column stays in the design, so the
    shift has only to make the working columns well conditioned. Without an
    intercept nothing is shifted.
    """
    shift = np.zeros(plan.k)
    if not plan.spec.intercept:
        return shift, 0.0
    V = block.V[:, 1:]
    mean, sd = V.mean(axis=0), V.std(axis=0)
    big = np.abs(mean) > sd
    shift[1:][big] = mean[big]
    return shift, float(block.y.mean())


def _kept_columns(R: np.ndarray) -> np.ndarray:
    """Non-aliased columns from the working R, by R's limited pivoting (as fit_ols decides them)."""
    k = R.shape[0]
    D = np.sqrt(np.einsum("ij,ij->j", R, R))
    if np.any(D == 0):
        D = np.where(D == 0, 1.0, D)
    D = np.exp2(np.round(np.log2(D)))
    Rs = R / D
    if np.min(np.abs(np.diag(Rs))) > 1e3 * ALIAS_TOL:
        return np.arange(k)
    return _householder_ld(np.asarray(Rs, dtype=_LD))[2]


# ---------------------------------------------------------------------------
# inference from R, RSS, TSS and n
# ---------------------------------------------------------------------------
def _assemble(plan, kept, coef_w, cov_w, Rkk, shift, cy, rss_l, tss_l, n, ymax, alpha) -> ScaleResult:
    """The statistics of :func:`linreg.ols._assemble`, from the small pieces instead of the residual vector."""
    k = plan.k
    intercept = plan.spec.intercept
    terms = (("Intercept",) if intercept else ()) + plan.terms
    r = len(kept)
    df_resid = n - r
    if df_resid <= 0:
        raise ModelError(
            f"no residual degrees of freedom: n={n} rows but the design has rank {r}; add rows or drop terms"
        )
    # Back from W = V - 1 c^T to V = W T, T = [[1, c^T], [0, I]] (kept columns).
    c = np.asarray(shift, dtype=_LD)[kept]
    coef_v = np.array(coef_w, dtype=_LD)
    Tinv = np.eye(r, dtype=_LD)
    T = np.eye(r)
    if intercept:
        coef_v[0] += _LD(cy) - c[1:] @ coef_w[1:]
        Tinv[0, 1:] = -c[1:]
        T[0, 1:] = np.asarray(shift, dtype=np.float64)[kept][1:]
    cov_v = Tinv @ cov_w @ Tinv.T
    r_factor = Rkk @ T
    coef = np.full(k, np.nan, dtype=_LD)
    cov_u = np.full((k, k), np.nan, dtype=_LD)
    coef[kept] = coef_v
    cov_u[np.ix_(kept, kept)] = cov_v
    M = plan.M
    if M is not None:
        coef, cov_u = _ols._map_coef(M, coef, cov_u)
    rss, tss, sigma, cov, std_err, r_squared, df_model, f_stat = _ols._classical(rss_l, tss_l, cov_u, df_resid, r,
                                                                                  intercept, kept)
    aliased_mask = np.ones(k, dtype=bool)
    aliased_mask[kept] = False
    aliased = tuple(t for t, a in zip(terms, aliased_mask) if a)
    cond_number = _ols._raw_condition_number(r_factor, M, aliased_mask)
    cond_scaled = _cond(r_factor / _pow2_scale(r_factor))
    notes = _ols.fit_notes(aliased, cond_scaled, rss_l, tss_l, np.array([ymax]), n)
    return ScaleResult(
        terms=terms, coef=np.asarray(coef, dtype=np.float64), std_err=std_err, cov_params=cov, sigma=sigma,
        rss=rss, tss=tss, r_squared=r_squared, f_statistic=f_stat, df_model=df_model, df_resid=df_resid, n=n,
        rank=r, aliased=aliased, condition_number=cond_number, method="qr", alpha=float(alpha),
        intercept=bool(intercept), warnings=tuple(notes),
    )


# ---------------------------------------------------------------------------
# streamed diagnostics
# ---------------------------------------------------------------------------
def _residual_summary(diag: list[dict], res: ScaleResult, plan, Rkk: np.ndarray, ymax: float, n: int):
    import pandas as pd

    sums = {key: sum((d[key] for d in diag), _LD(0)) for key in ("s1", "s2", "s3", "s4", "su", "su2")}
    wtu = sum(d["wtu"] for d in diag)
    wsum = sum(d["wsum"] for d in diag)
    # Durbin-Watson: within partitions, plus the step across each boundary between non-empty partitions.
    dw_num = sum(d["dw"] for d in diag)
    ends = [(d["first"], d["last"]) for d in diag if d["n"]]
    dw_num += sum((b[0] - a[1]) ** 2 for a, b in itertools.pairwise(ends))
    exact = (math.sqrt(res.rss / n) <= 8.0 * np.finfo(np.float64).eps * ymax
             or math.sqrt(res.rss) <= 1e-12 * math.sqrt(res.tss))
    alpha = res.alpha
    undefined = "Not defined here: the residuals are all zero up to rounding (an exact fit)."
    # Jarque-Bera from power sums about 0, moved to the mean.
    mu = sums["s1"] / n
    m2 = sums["s2"] / n - mu * mu
    m3 = sums["s3"] / n - 3 * mu * sums["s2"] / n + 2 * mu**3
    m4 = sums["s4"] / n - 4 * mu * sums["s3"] / n + 6 * mu * mu * sums["s2"] / n - 3 * mu**4
    if m2 <= 0 or exact:
        jb = TestResult("Jarque-Bera", math.nan, None, 2.0, undefined)
    else:
        skew, kurt = float(m3 / m2**1.5), float(m4 / m2**2)
        stat = n / 6.0 * (skew**2 + (kurt - 3.0) ** 2 / 4.0)
        p = float(stats.chi2.sf(stat, 2))
        shape = f"skewness {skew:.2f}, kurtosis {kurt:.2f} against 0 and 3 for a normal"
        reading = (f"{_p_text(p, alpha)}: the residuals are not normally distributed ({shape}); with small samples, "
                   "t-based p-values and intervals are approximate." if p < alpha
                   else f"{_p_text(p, alpha)}: no evidence against normally distributed residuals ({shape}).")
        jb = TestResult("Jarque-Bera", stat, p, 2.0, reading)
    ss = float(sums["s2"])
    if ss == 0.0 or exact:
        dw = TestResult("Durbin-Watson", math.nan, None, None, undefined)
    else:
        v = float(dw_num) / ss
        if v < 1.5:
            reading = (f"DW = {v:.2f} (below 2): consecutive residuals are positively correlated, so the rows are "
                       "not independent (check the row order, e.g. time).")
        elif v > 2.5:
            reading = f"DW = {v:.2f} (above 2): consecutive residuals alternate in sign (negative autocorrelation)."
        else:
            reading = f"DW = {v:.2f} (about 2): no sign of correlation between consecutive residuals."
        dw = TestResult("Durbin-Watson", v, None, None, reading)
    bp = _breusch_pagan(res, plan, Rkk, wtu, wsum, sums, n, exact)
    top = pd.concat([d["top"] for d in diag], ignore_index=True) if diag else pd.DataFrame()
    sample = pd.concat([d["sample"] for d in diag], ignore_index=True) if diag else pd.DataFrame()
    if len(top):
        cook = top["cooks_distance"].fillna(-np.inf).to_numpy()
        stud = top["studentized_resid"].abs().fillna(-np.inf).to_numpy()
        pick = sorted(set(np.argsort(-cook, kind="stable")[:TOP_ROWS].tolist())
                      | set(np.argsort(-stud, kind="stable")[:TOP_ROWS].tolist()))
        top = top.iloc[pick].sort_values("cooks_distance", ascending=False, kind="stable").reset_index(drop=True)
        sample = (pd.concat([sample, top], ignore_index=True).drop_duplicates("row")
                  .sort_values("row", kind="stable").reset_index(drop=True))
    summary = ResidualSummary(
        breusch_pagan=bp, jarque_bera=jb, durbin_watson=dw,
        leverage_sum=float(sum(d["hsum"] for d in diag)), leverage_max=float(max(d["hmax"] for d in diag)),
        n_studentized_over_3=int(sum(d["over3"] for d in diag)),
        cooks_max=float(top["cooks_distance"].max()) if len(top) else math.nan, top=top,
    )
    return summary, sample


def _breusch_pagan(res, plan, Rkk, wtu, wsum, sums, n, exact) -> TestResult:
    """Koenker's LM = n R^2 of e^2 on [1, kept terms], from W^T e^2 and the fit's own R."""
    q = Rkk.shape[0] - int(plan.spec.intercept)
    if q == 0 or exact:
        return TestResult("Breusch-Pagan", math.nan, None, float(q),
                          "Not defined here: the model has no predictor, or the residuals are all zero up to "
                          "rounding (an exact fit).")
    tss_u = sums["su2"] - sums["su"] ** 2 / n
    if plan.spec.intercept:
        # W's first column is the ones column, so the first component of Q^T u is the mean's:
        # the explained sum of squares of u is the rest of Q^T u = R^{-T} W^T u.
        z = scipy.linalg.solve_triangular(Rkk, np.asarray(wtu, dtype=np.float64), trans="T", check_finite=False)
        ess = float(np.sum(z[1:] ** 2))
    else:
        G = Rkk.T @ Rkk
        A = np.block([[np.array([[float(n)]]), np.asarray(wsum, dtype=np.float64)[None, :]],
                      [np.asarray(wsum, dtype=np.float64)[:, None], G]])
        b = np.concatenate([[float(sums["su"])], np.asarray(wtu, dtype=np.float64)])
        beta = np.linalg.solve(A, b)
        ess = float(b @ beta - float(sums["su"]) ** 2 / n)
    r2 = ess / float(tss_u) if tss_u > 0 else math.nan
    if not math.isfinite(r2):
        return TestResult("Breusch-Pagan", math.nan, None, float(q),
                          "Not defined here: the model has no predictor, or the residuals are all zero up to "
                          "rounding (an exact fit).")
    lm = n * r2
    p = float(stats.chi2.sf(lm, q))
    alpha = res.alpha
    if p < alpha:
        reading = (f"{_p_text(p, alpha)}: the residual spread changes with the predictors (heteroscedasticity), so "
                   "the standard errors are not reliable.")
    else:
        reading = (f"{_p_text(p, alpha)}: no evidence that the residual spread changes with the predictors "
                   "(constant variance is plausible).")
    return TestResult("Breusch-Pagan", float(lm), p, float(q), reading)
