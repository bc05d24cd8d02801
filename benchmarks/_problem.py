"""The shared regression problem and the "fit with full inference" used by every section.

Kept free of scikit-learn/statsmodels imports so the memory child process stays lean.
"""

from __future__ import annotations

import numpy as np

# Statistics that need only the (k, k) pieces of the fit: what statsmodels' bse/pvalues give.
INFERENCE = (
    "coef", "std_err", "t", "p_value", "ci_low", "ci_high", "sigma", "r_squared",
    "adj_r_squared", "f_statistic", "f_p_value", "cov_params", "condition_number",
)
# Everything else in the contract, including the n-length residual diagnostics.
DIAGNOSTICS = (
    "fitted", "resid", "rss", "log_likelihood", "aic", "bic",
    "leverage", "standardized_resid", "studentized_resid", "cooks_distance",
)
FULL = INFERENCE + DIAGNOSTICS


def make_problem(n: int, p: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Return X (n, p) standard normal and y = 1 + X beta + N(0, 1) noise, both float64.

    Built in place so the only large allocation is X itself: the memory benchmark's
    baseline is then "X, y and the interpreter", nothing left over from generation.
    """
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    beta = np.linspace(-1.0, 1.0, p)
    y = X @ beta
    y += 1.0
    y += rng.standard_normal(n)
    return X, y


def fit_ols_touching(X: np.ndarray, y: np.ndarray, names: tuple[str, ...] = FULL, **kwargs):
    """Call ``linreg.ols.fit_ols`` and read ``names`` so lazily computed statistics are timed too."""
    from linreg.ols import fit_ols

    res = fit_ols(X, y, **kwargs)
    for name in names:
        getattr(res, name)
    return res
