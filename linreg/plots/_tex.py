"""Numbers, vectors and user text as LaTeX, for the formulas the pages render with ``st.latex``."""

from __future__ import annotations

import math

import numpy as np

from linreg.format import fmt

__all__ = ["tex_number", "tex_factor", "tex_vector", "tex_matrix", "tex_text"]

# LaTeX's special characters as literal text, for names that come from the user.
_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "#": r"\#",
    "%": r"\%",
    "_": r"\_",
    "^": r"\textasciicircum{}",
    "~": r"\textasciitilde{}",
}


def tex_number(value: float, digits: int = 4) -> str:
    r"""A number for LaTeX to ``digits`` significant digits: 1.2e+06 becomes ``1.2\times10^{6}``.

    Examples
    --------
    >>> tex_number(1234567.0), tex_number(-0.5), tex_number(float("nan"))
    ('1.235\\times10^{6}', '-0.5', '\\text{—}')
    """
    if not math.isfinite(float(value)):
        return r"\text{—}"
    text = fmt(value, digits)
    if "e" in text:
        mantissa, exponent = text.split("e")
        return rf"{mantissa}\times10^{{{int(exponent)}}}"
    return text


def tex_factor(value: float, digits: int = 4) -> str:
    """A number for LaTeX inside a product or after a minus: negatives in parentheses.

    Examples
    --------
    >>> tex_factor(-2.5), tex_factor(2.5)
    ('(-2.5)', '2.5')
    """
    text = tex_number(value, digits)
    return f"({text})" if text.startswith("-") else text


def tex_vector(values: np.ndarray, digits: int = 4) -> str:
    r"""A column vector as a LaTeX ``pmatrix``.

    Examples
    --------
    >>> tex_vector(np.array([1.0, 2.5]))
    '\\begin{pmatrix}1\\\\2.5\\end{pmatrix}'
    """
    return r"\begin{pmatrix}" + r"\\".join(tex_number(v, digits) for v in values) + r"\end{pmatrix}"


def tex_matrix(M: np.ndarray, digits: int = 6) -> str:
    r"""A matrix, shape (r, c), as a LaTeX ``pmatrix``.

    Examples
    --------
    >>> tex_matrix(np.array([[1.0, 2.0], [3.0, 4.0]]))
    '\\begin{pmatrix}1 & 2\\\\3 & 4\\end{pmatrix}'
    """
    rows = (" & ".join(tex_number(v, digits) for v in row) for row in M)
    return r"\begin{pmatrix}" + r"\\".join(rows) + r"\end{pmatrix}"


def tex_text(name: object) -> str:
    r"""User text (a term name) as literal LaTeX text inside ``\text{...}``.

    Examples
    --------
    >>> tex_text("x_1^2")
    '\\text{x\\_1\\textasciicircum{}2}'
    """
    return r"\text{" + "".join(_SPECIAL.get(ch, ch) for ch in str(name)) + "}"
