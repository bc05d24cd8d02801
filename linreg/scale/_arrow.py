"""A plain numeric model's rows kept as the columns Arrow decoded, not copied into one design array.

The two passes that read every row write the design into their own working
arrays anyway: the first pass into [V - c, y - c_y] for the QR, the refinement
into longdouble slices. :class:`ArrowBlock` lets them copy straight from the
Arrow buffers (:meth:`ArrowBlock.shifted`); the float64 design V is only made
when something asks for it (the partition's first chunk, for its shift, and the
diagnostics), with the same bits the frame path gives.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .._rows import _ExactRows


@dataclass(frozen=True, eq=False)
class ArrowBlock:
    """One chunk of a plain numeric model ([1, X] of the main columns as they are), column by column.

    It has the attributes and methods of :class:`linreg.scale._terms.Block` that the
    kernels use; V and X are made from the columns on first use.

    Attributes
    ----------
    y : ndarray, shape (m,)
    columns : tuple of ndarray, each shape (m,)
        X's columns in design order, float64 (views of the Arrow buffers when the
        column was float64 already).
    intercept : bool
        Whether V starts with the ones column.
    xmax, ymax : float
        max |X| and max |y|.
    lo, hi : ndarray, shape (p,)
        Each column's min and max.
    """

    y: np.ndarray
    columns: tuple[np.ndarray, ...]
    intercept: bool
    xmax: float
    ymax: float
    lo: np.ndarray
    hi: np.ndarray
    # Every row is kept (a chunk with a missing value takes the frame path).
    frame = None

    @property
    def n_rows(self) -> int:
        return len(self.y)

    @property
    def k(self) -> int:
        """Columns of V."""
        return len(self.columns) + int(self.intercept)

    @cached_property
    def kept_rows(self) -> np.ndarray:
        """Positions of the kept rows in the chunk: all of them."""
        return np.arange(len(self.y))

    @cached_property
    def V(self) -> np.ndarray:
        """The working design [1, X], float64, shape (m, k), Fortran order (as the frame path builds it)."""
        V = np.empty((len(self.y), self.k), order="F")
        self.shifted(0, len(self.y), np.zeros(self.k), V)
        return V

    @property
    def X(self) -> np.ndarray:
        """The raw terms, shape (m, p): a view of V."""
        return self.V[:, int(self.intercept) :]

    def shifted(self, i: int, j: int, shift: np.ndarray, out: np.ndarray) -> np.ndarray:
        """Rows i..j of V - shift written into ``out`` (shape (j - i, k)) in its dtype; returns ``out``.

        The same bits as ``np.subtract(V[i:j], shift, out=out)``: one subtraction in the
        dtype of ``shift`` (longdouble in the refinement). Where a column's values and its
        shift are within a factor of 2 (Sterbenz), or the shift is 0, every difference is
        exact in float64 already, so it is taken in float64 and only converted: longdouble
        arithmetic costs ~6 ns an element here, the conversion alone a third of that.
        """
        one = int(self.intercept)
        if one:
            np.subtract(1.0, shift[0], out=out[:, 0])
        c64 = np.asarray(shift[one:], dtype=np.float64)
        # Doubling is exact or overflows to inf, which keeps each comparison's truth.
        exact = ((c64 == 0) | ((c64 > 0) & (2 * self.lo >= c64) & (self.hi <= 2 * c64))
                 | ((c64 < 0) & (2 * self.hi <= c64) & (self.lo >= 2 * c64)))
        for c, col in enumerate(self.columns):
            np.subtract(col[i:j], c64[c] if exact[c] else shift[one + c], out=out[:, one + c])
        return out

    def exact(self, plan) -> _ExactRows:
        """The working design's rows in longdouble."""
        return _ExactRows(self.X, self.intercept, np.arange(self.k))

    def column(self, name: str, plan) -> np.ndarray:
        """The rows' values of one used column, as read (shape (m,))."""
        return self.y if name == plan.spec.target else self.columns[plan.main.index(name)]


def arrow_block(batch, plan) -> ArrowBlock | None:
    """A plain numeric model's chunk from an Arrow record batch, its columns not copied when float64.

    None (the frame path then takes the chunk) when a column is not a number type or
    holds a missing, NaN or infinite value: the frame path drops those rows, or says
    which column is bad, in build_design's words.
    """
    import pyarrow as pa

    m = batch.num_rows
    cols = [batch.column(c) for c in plan.used]
    if not m or any(a.null_count or not (pa.types.is_floating(a.type) or pa.types.is_integer(a.type)) for a in cols):
        return None
    # Other number types are converted once here, so that every later copy is the
    # float64 value the frame path would hold (an int64 taken straight to longdouble
    # would not round as it does through float64).
    y, *xs = (np.asarray(a.to_numpy(), dtype=np.float64) for a in cols)
    # min and max also find a NaN or an infinity (they propagate), at the cost of two fast reductions.
    lo = np.array([np.min(c) for c in xs] + [np.min(y)])
    hi = np.array([np.max(c) for c in xs] + [np.max(y)])
    if not (np.isfinite(lo).all() and np.isfinite(hi).all()):
        return None
    xmax = float(max(hi[:-1].max(), -lo[:-1].min())) if xs else 0.0
    return ArrowBlock(y=y, columns=tuple(xs), intercept=bool(plan.spec.intercept), xmax=xmax,
                      ymax=float(max(hi[-1], -lo[-1])), lo=lo[:-1], hi=hi[:-1])
