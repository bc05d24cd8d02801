"""Cached model-complexity studies: every polynomial degree's fit, and bootstrap refits.

On synthetic polynomial data (whose true curve is known) or on the current single-feature
design. The synthetic data are small and stay in Streamlit's cache; the studies live in
``ui.cache``'s shared store (see there). The functions raise ``linreg.exceptions.LinregError``.
"""

from __future__ import annotations

import streamlit as st

from linreg import budget

from .cache import CACHE_TTL, current, design_of, stored
from .config import CONFIG


@st.cache_data(show_spinner=False, max_entries=16, ttl=CACHE_TTL)
def polynomial_data(n: int, degree: int, noise: float, seed: int):
    """``linreg.synthetic.make_polynomial`` data (x, y and the true coefficients)."""
    from linreg.synthetic import make_polynomial

    budget.check(budget.generator_cost("polynomial", n), CONFIG.limits)
    return make_polynomial(n, seed=seed, degree=degree, noise=noise)


def degree_explorer(n: int, degree: int, noise: float, seed: int, max_degree: int, test_fraction: float,
                    split_seed: int):
    """``linreg.complexity.degree_explorer`` on ``polynomial_data(n, degree, noise, seed)``."""
    from linreg.complexity import degree_explorer as _explore

    data = polynomial_data(n=n, degree=degree, noise=noise, seed=seed).data
    parts = (n, degree, noise, seed, max_degree, test_fraction, split_seed)
    return stored("synthetic_degrees", parts, "the fit of every degree",
                   lambda: budget.degree_explorer_cost(n, max_degree),
                   lambda hooks: _explore(data["x"].to_numpy(), data["y"].to_numpy(), max_degree=max_degree,
                                          test_fraction=test_fraction, seed=split_seed, **hooks))


def bootstrap_fits(n: int, degree: int, noise: float, seed: int, fit_degree: int, n_boot: int, boot_seed: int):
    """``linreg.complexity.bootstrap_fits`` on ``polynomial_data(...)``, against its true curve."""
    from linreg.complexity import bootstrap_fits as _bootstrap
    from linreg.complexity import polynomial_truth

    synth = polynomial_data(n=n, degree=degree, noise=noise, seed=seed)
    x, y = synth.data["x"].to_numpy(), synth.data["y"].to_numpy()
    parts = (n, degree, noise, seed, fit_degree, n_boot, boot_seed)
    return stored("synthetic_bootstrap", parts, "the bootstrap refits",
                   lambda: budget.bootstrap_cost(n, fit_degree, n_boot),
                   lambda hooks: _bootstrap(x, y, degree=fit_degree, n_boot=n_boot, seed=boot_seed,
                                            truth=lambda g: polynomial_truth(synth.coef, g), **hooks))


def current_degree_explorer(max_degree: int, test_fraction: float, split_seed: int):
    """``linreg.complexity.degree_explorer`` on the current single-feature design (its one column and y)."""
    from linreg.complexity import degree_explorer as _explore

    key, spec, df = current()
    d = design_of(key, spec, df)
    parts = (key, spec, int(max_degree), float(test_fraction), int(split_seed))
    return stored("degrees", parts, "the fit of every degree",
                   lambda: budget.degree_explorer_cost(d.X.shape[0], int(max_degree)),
                   lambda hooks: _explore(d.X[:, 0], d.y, max_degree=int(max_degree),
                                          test_fraction=float(test_fraction), seed=int(split_seed), **hooks))


def current_bootstrap_fits(fit_degree: int, n_boot: int, boot_seed: int):
    """``linreg.complexity.bootstrap_fits`` on the current single-feature design (no known truth)."""
    from linreg.complexity import bootstrap_fits as _bootstrap

    key, spec, df = current()
    d = design_of(key, spec, df)
    return stored("bootstrap", (key, spec, int(fit_degree), int(n_boot), int(boot_seed)),
                   "the bootstrap refits",
                   lambda: budget.bootstrap_cost(d.X.shape[0], int(fit_degree), int(n_boot)),
                   lambda hooks: _bootstrap(d.X[:, 0], d.y, degree=int(fit_degree), n_boot=int(n_boot),
                                            seed=int(boot_seed), **hooks))
