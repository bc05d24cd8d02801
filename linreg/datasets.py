"""Small classic regression datasets, shipped as typed-in values (they are facts, not code).

Sources
-------
Anscombe's quartet
    F. J. Anscombe (1973), "Graphs in Statistical Analysis", *The American
    Statistician* 27(1): 17-21, Table 1. The four sets share mean x = 9,
    mean y = 7.50, the fitted line y = 3.00 + 0.500 x and R^2 = 0.67, yet look
    nothing alike when plotted. Also R's ``datasets::anscombe``.
cars
    M. Ezekiel (1930), *Methods of Correlation Analysis*, Wiley: speed of cars
    (mph) and the distance taken to stop (ft), recorded in the 1920s. As R's
    ``datasets::cars``; ``lm(dist ~ speed)`` gives -17.579 + 3.932 speed.
stackloss
    K. A. Brownlee (1965), *Statistical Theory and Methodology in Science and
    Engineering*, 2nd ed., Wiley, pp. 491-500: 21 days of operation of a plant
    oxidising ammonia to nitric acid. As R's ``datasets::stackloss``;
    ``lm(stack.loss ~ .)`` gives -39.920 + 0.716 Air.Flow + 1.295 Water.Temp
    - 0.152 Acid.Conc.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ._validation import check_option

__all__ = ["DatasetInfo", "DATASETS", "load_dataset"]


@dataclass(frozen=True)
class DatasetInfo:
    """What a built-in dataset is and how to model it.

    Attributes
    ----------
    name : str
        Key in ``DATASETS``.
    title : str
        Short human title.
    description : str
        One or two sentences on what it shows.
    source : str
        Citation of the published values.
    target : str
        Suggested response column.
    features : tuple of str
        Suggested predictor columns.
    """

    name: str
    title: str
    description: str
    source: str
    target: str
    features: tuple[str, ...]


_ANSCOMBE_SOURCE = (
    "F. J. Anscombe (1973), Graphs in Statistical Analysis, The American Statistician 27(1): 17-21, Table 1"
)
_X123 = (10.0, 8.0, 13.0, 9.0, 11.0, 14.0, 6.0, 4.0, 12.0, 7.0, 5.0)
_ANSCOMBE = {
    1: (_X123, (8.04, 6.95, 7.58, 8.81, 8.33, 9.96, 7.24, 4.26, 10.84, 4.82, 5.68)),
    2: (_X123, (9.14, 8.14, 8.74, 8.77, 9.26, 8.10, 6.13, 3.10, 9.13, 7.26, 4.74)),
    3: (_X123, (7.46, 6.77, 12.74, 7.11, 7.81, 8.84, 6.08, 5.39, 8.15, 6.42, 5.73)),
    4: (
        (8.0, 8.0, 8.0, 8.0, 8.0, 8.0, 8.0, 19.0, 8.0, 8.0, 8.0),
        (6.58, 5.76, 7.71, 8.84, 8.47, 7.04, 5.25, 12.50, 5.56, 7.91, 6.89),
    ),
}
_ANSCOMBE_STORY = {
    1: "a straight line with ordinary scatter: the case the summary numbers describe well.",
    2: "a smooth curve: a straight line is the wrong model (try x^2).",
    3: "a perfect line except for one outlier that tilts the fit.",
    4: "x is constant except for one point, which alone decides the slope (maximal leverage).",
}

_CARS_SPEED = (
    4, 4, 7, 7, 8, 9, 10, 10, 10, 11, 11, 12, 12, 12, 12, 13, 13, 13, 13, 14, 14, 14, 14, 15, 15,
    15, 16, 16, 17, 17, 17, 18, 18, 18, 18, 19, 19, 19, 20, 20, 20, 20, 20, 22, 23, 24, 24, 24, 24, 25,
)  # fmt: skip
_CARS_DIST = (
    2, 10, 4, 22, 16, 10, 18, 26, 34, 17, 28, 14, 20, 24, 28, 26, 34, 34, 46, 26, 36, 60, 80, 20, 26,
    54, 32, 40, 32, 40, 50, 42, 56, 76, 84, 36, 46, 68, 32, 48, 52, 56, 64, 66, 54, 70, 92, 93, 120, 85,
)  # fmt: skip

# Columns: air_flow, water_temp, acid_conc, stack_loss (R's Air.Flow, Water.Temp, Acid.Conc., stack.loss).
_STACKLOSS = (
    (80, 27, 89, 42), (80, 27, 88, 37), (75, 25, 90, 37), (62, 24, 87, 28), (62, 22, 87, 18),
    (62, 23, 87, 18), (62, 24, 93, 19), (62, 24, 93, 20), (58, 23, 87, 15), (58, 18, 80, 14),
    (58, 18, 89, 14), (58, 17, 88, 13), (58, 18, 82, 11), (58, 19, 93, 12), (50, 18, 89, 8),
    (50, 18, 86, 7), (50, 19, 72, 8), (50, 19, 79, 8), (50, 20, 80, 9), (56, 20, 82, 15),
    (70, 20, 91, 15),
)  # fmt: skip

DATASETS: dict[str, DatasetInfo] = {
    **{
        f"anscombe_{k}": DatasetInfo(
            name=f"anscombe_{k}",
            title=f"Anscombe's quartet, set {['I', 'II', 'III', 'IV'][k - 1]}",
            description=(
                "Eleven points with the same means, variances, correlation and fitted line "
                f"(y = 3.00 + 0.500 x, R^2 = 0.67) as the other three sets; this one is {_ANSCOMBE_STORY[k]}"
            ),
            source=_ANSCOMBE_SOURCE,
            target="y",
            features=("x",),
        )
        for k in (1, 2, 3, 4)
    },
    "cars": DatasetInfo(
        name="cars",
        title="Speed and stopping distance of cars (1920s)",
        description=(
            "50 cars: speed (mph) and the distance (ft) taken to stop. The straight-line fit is "
            "dist = -17.58 + 3.93 speed; the spread of the residuals grows with speed."
        ),
        source="M. Ezekiel (1930), Methods of Correlation Analysis, Wiley; R datasets::cars",
        target="dist",
        features=("speed",),
    ),
    "stackloss": DatasetInfo(
        name="stackloss",
        title="Brownlee's stack loss (ammonia plant, 21 days)",
        description=(
            "21 days of an ammonia-oxidation plant: air flow, cooling-water temperature and acid "
            "concentration against stack loss (ammonia lost, x10). A classic for multiple regression "
            "and for outliers (days 1, 3, 4 and 21)."
        ),
        source=(
            "K. A. Brownlee (1965), Statistical Theory and Methodology in Science and Engineering, "
            "2nd ed., Wiley, pp. 491-500; R datasets::stackloss"
        ),
        target="stack_loss",
        features=("air_flow", "water_temp", "acid_conc"),
    ),
}


def load_dataset(name: str) -> tuple[pd.DataFrame, DatasetInfo]:
    """Return a built-in dataset as a fresh float64 DataFrame with its description.

    Parameters
    ----------
    name : str
        One of ``DATASETS``: "anscombe_1" .. "anscombe_4", "cars", "stackloss".

    Returns
    -------
    df : pandas.DataFrame, shape (n_rows, n_cols)
        A new copy each call, so callers may modify it.
    info : DatasetInfo

    Raises
    ------
    ModelError
        If ``name`` is not a built-in dataset (the message lists them).

    Examples
    --------
    >>> df, info = load_dataset("anscombe_1")
    >>> df.shape, info.target, info.features
    ((11, 2), 'y', ('x',))
    >>> round(float(df["y"].mean()), 2)
    7.5
    """
    check_option("dataset", name, DATASETS)
    if name.startswith("anscombe_"):
        x, y = _ANSCOMBE[int(name[-1])]
        df = pd.DataFrame({"x": x, "y": y})
    elif name == "cars":
        df = pd.DataFrame({"speed": _CARS_SPEED, "dist": _CARS_DIST})
    else:  # stackloss
        df = pd.DataFrame(_STACKLOSS, columns=["air_flow", "water_temp", "acid_conc", "stack_loss"])
    return df.astype("float64"), DATASETS[name]
