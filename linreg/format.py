"""Numbers and p-values as the app's tables, captions and summaries show them.

One rule for every display (the figures' summaries, the Data, Fit, Residuals, Gradient
descent and Compare tables):

- a number is shown to 4 significant digits by default (:func:`fmt`); callers ask for more
  (estimates, 5 or 6) or fewer (3, in running text); an undefined value (None, NaN) is an em
  dash and an infinite one is "∞" or "−∞", so no "nan" ever reaches the screen;
- a p-value is shown to 3 significant digits (:func:`fmt_p`): the third digit is already
  below what a test's approximations (normal errors, large samples) can vouch for. Below
  1e-16 it is "< 1e-16": double precision cannot tell such a p-value from 0.

The command line keeps R's own layout (``format.pval``, ``< 2e-16``) in :mod:`linreg.cli`,
so that its output matches R's ``summary.lm`` character for character.
"""

from __future__ import annotations

import math

__all__ = ["fmt", "fmt_p", "P_FLOOR"]

# Below this a p-value is rounding noise in double precision (about 1e-16 relative to 1).
P_FLOOR = 1e-16


def fmt(value: float | None, digits: int = 4, *, na: str = "—", inf: str = "∞", neg_inf: str = "−∞") -> str:
    """A number to ``digits`` significant digits for people; None/NaN become an em dash.

    Parameters
    ----------
    value : float or None
    digits : int
        Significant digits (``format(value, ".{digits}g")``).
    na, inf, neg_inf : str
        What None or NaN, +inf and -inf are shown as (R's text output says "NA", "Inf", "-Inf").

    Returns
    -------
    str

    Examples
    --------
    >>> fmt(3.14159), fmt(1234567.0), fmt(float("nan")), fmt(2.5e-7)
    ('3.142', '1.235e+06', '—', '2.5e-07')
    >>> fmt(None), fmt(float("-inf")), fmt(2.0, 3)
    ('—', '−∞', '2')
    """
    if value is None:
        return na
    value = float(value)
    if math.isnan(value):
        return na
    if math.isinf(value):
        return inf if value > 0 else neg_inf
    return f"{value:.{digits}g}"


def fmt_p(p: float | None) -> str:
    """A p-value for people: 3 significant digits, "< 1e-16" below double precision, "—" when undefined.

    Parameters
    ----------
    p : float or None
        A probability; None, NaN and infinities (a test not defined here) show as "—".

    Returns
    -------
    str

    Examples
    --------
    >>> fmt_p(0.0123456), fmt_p(0.5), fmt_p(0.0), fmt_p(None), fmt_p(float("nan"))
    ('0.0123', '0.5', '< 1e-16', '—', '—')
    """
    if p is None or not math.isfinite(float(p)):
        return "—"
    return f"< {P_FLOOR:g}" if p < P_FLOOR else fmt(p, 3)
