"""The Learn page's ten lessons, one module each: ``TITLE`` and ``show()``.

Each lesson is prose, a few widgets, ``linreg.lessons`` calls (through ``ui.lesson_cache``) and
a predict-then-reveal question (``common.reveal``), ending with a link into the page where the
same thing runs on the user's own data (``common.try_it``).
"""

from __future__ import annotations

from . import (
    l01_line,
    l02_bowl,
    l03_chain_rule,
    l04_descent,
    l05_learning_rate,
    l06_scaling,
    l07_residuals,
    l08_terms,
    l09_bias_variance,
    l10_penalties,
)

# Lesson number -> its module, in teaching order.
LESSONS = dict(enumerate((l01_line, l02_bowl, l03_chain_rule, l04_descent, l05_learning_rate, l06_scaling,
                          l07_residuals, l08_terms, l09_bias_variance, l10_penalties), start=1))
