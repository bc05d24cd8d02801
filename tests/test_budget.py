"""linreg.budget: the limits, the cost model and check()'s messages naming what fits."""

from __future__ import annotations

import itertools
import time
import tracemalloc
from dataclasses import replace

import numpy as np
import pytest

from linreg.budget import (
    DEFAULT_LIMITS,
    Limits,
    bootstrap_cost,
    check,
    cv_cost,
    degree_explorer_cost,
    descent_cost,
    design_cost,
    format_bytes,
    generator_cost,
    ols_cost,
    path_cost,
)
from linreg.exceptions import BudgetError, LinregError, ModelError

ESTIMATES = {
    "design": lambda v: design_cost(v, 20, n_used=21),
    "ols": lambda v: ols_cost(v, 50),
    "descent-full": lambda v: descent_cost(1_000_000, 11, v),
    "descent-mini": lambda v: descent_cost(1_000_000, 11, v, batch_size=500_000),
    "path": lambda v: path_cost(1_000_000, 20, v),
    "cv": lambda v: cv_cost(1_000_000, 20, v),
    "bootstrap": lambda v: bootstrap_cost(1_000_000, 5, v),
    "degree": lambda v: degree_explorer_cost(2_000_000, v),
    "generator": lambda v: generator_cost("collinear", v, 10),
}


def test_default_limits_are_stated_and_checked():
    assert DEFAULT_LIMITS == Limits()
    assert (DEFAULT_LIMITS.max_seconds, DEFAULT_LIMITS.max_bytes) == (10.0, 300_000_000)
    assert (DEFAULT_LIMITS.max_levels, DEFAULT_LIMITS.max_terms, DEFAULT_LIMITS.max_interactions,
            DEFAULT_LIMITS.max_poly_degree) == (50, 200, 100, 10)
    assert hash(replace(DEFAULT_LIMITS, max_seconds=2.0)) != hash(DEFAULT_LIMITS)
    with pytest.raises(ValueError, match="max_levels must be a whole number >= 1; got 0"):
        Limits(max_levels=0)
    with pytest.raises(ValueError, match="max_seconds must be a number > 0"):
        Limits(max_seconds=-1)
    assert issubclass(BudgetError, ModelError) and issubclass(BudgetError, LinregError)


def test_the_mini_batch_link_of_the_issue_is_refused_naming_the_steps_that_fit():
    cost = descent_cost(1_000_000, 2, n_iter=100_000, batch_size=999_000)
    with pytest.raises(BudgetError) as info:
        check(cost)
    message = str(info.value)
    assert message.startswith("gradient descent with 100,000 steps of batch 999,000 on 1,000,000 rows exceeds the "
                              "server's budget (about ")
    assert message.endswith(" steps fit, or use full batch")
    steps = int(message.split("at most ")[1].split(" steps")[0].replace(",", ""))
    assert check(descent_cost(1_000_000, 2, steps, batch_size=999_000)).seconds <= 10
    with pytest.raises(BudgetError):
        check(descent_cost(1_000_000, 2, steps + 1, batch_size=999_000))
    # Full batch at the same size and the link's maximum of steps fits.
    assert check(descent_cost(1_000_000, 2, 100_000)).seconds < 2


@pytest.mark.parametrize("name", list(ESTIMATES))
def test_costs_grow_with_their_setting_and_check_names_the_largest_that_fits(name):
    make = ESTIMATES[name]
    values = [2, 3, 10, 100, 10_000]
    costs = [make(v) for v in values]
    assert all(a.seconds <= b.seconds and a.bytes <= b.bytes for a, b in itertools.pairwise(costs))
    tight = Limits(max_seconds=costs[2].seconds * 1.0001, max_bytes=max(costs[2].bytes * 2, 10**6))
    check(costs[2], tight)
    with pytest.raises(BudgetError) as info:
        check(costs[-1], tight)
    message = str(info.value)
    assert costs[-1].what in message and "exceeds the server's budget" in message
    if "at most" in message:
        best = int(message.split("at most ")[1].split(" ")[0].replace(",", ""))
        assert best >= 10
        check(costs[-1].with_setting(best), tight)
        with pytest.raises(BudgetError):
            check(costs[-1].with_setting(best + 1), tight)
    else:
        assert "would not fit" in message


def test_a_job_that_fits_at_no_setting_says_so():
    with pytest.raises(BudgetError, match=r"against a limit of 1e-09 s per job\); even 1 row would not fit$"):
        check(ols_cost(10, 3), Limits(max_seconds=1e-9))
    with pytest.raises(BudgetError, match=r"against a limit of 10 s per job and about 8 GB of memory against a limit "
                                          r"of 300 MB\); at most 3,750,000 rows fit$"):
        check(ols_cost(100_000_000, 50))


def test_format_bytes():
    assert [format_bytes(v) for v in (0, 999, 1_000, 1_234_567, 3e9)] == ["0 bytes", "999 bytes", "1 kB", "1.23 MB",
                                                                          "3 GB"]


# ---- the model against this machine (loose: the contract is the right order, erring high) -----

def _cpu(f) -> float:
    best = np.inf
    for _ in range(3):
        t0 = time.process_time()
        f()
        best = min(best, time.process_time() - t0)
    return best


def test_the_time_model_is_of_the_right_order():
    from linreg.descent import gradient_descent
    from linreg.ols import fit_ols

    rng = np.random.default_rng(0)
    X = rng.normal(size=(200_000, 4))
    y = X.sum(axis=1)
    # Within ten times either way: the CPU time of a small fit doubles on a busy 2-core machine
    # (BLAS threads waiting for a core still count), and the model is for refusing jobs, not timing them.
    measured = _cpu(lambda: gradient_descent(X, y, learning_rate=1e-3, n_iter=300, batch_size=20_000, tol=0))
    model = descent_cost(200_000, 5, 300, batch_size=20_000).seconds
    assert measured / 10 < model < measured * 10, (measured, model)
    measured = _cpu(lambda: fit_ols(X, y))
    model = ols_cost(200_000, 5).seconds
    assert measured / 10 < model < measured * 10, (measured, model)


def test_the_memory_model_covers_the_traced_peak():
    from linreg.penalized import penalty_path

    rng = np.random.default_rng(0)
    X = rng.normal(size=(100_000, 10))
    y = X[:, 0] + rng.normal(size=100_000)
    tracemalloc.start()
    penalty_path(X, y, l1_ratio=1.0)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    model = path_cost(100_000, 10).bytes
    assert peak * 0.8 < model < peak * 3, (peak, model)
