"""Where the data of a fit comes from, described so that it can be made again.

A :class:`DataSource` is a built-in dataset (by name), a generator of
:mod:`linreg.synthetic` (its kind, parameters and seed) or a CSV file. It is small,
frozen and hashable, so it can travel in a link, key a cache or be written into a
script; :meth:`DataSource.load` makes the data it describes, with a label saying where
it came from, the default model for it and, for generated data, the true coefficients.

- :func:`builtin_source`, :func:`synthetic_source`, :func:`csv_source` build one;
- :func:`source_from_synthetic` reads the source back from generated data.

The app keeps one of these for the current data (an upload is a ``"csv"`` source with
the file's name) and a link carries it; the model it starts with is
:func:`linreg.design.default_spec`'s policy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal, NamedTuple

import numpy as np
import pandas as pd

from ._validation import check_option
from .design import ModelSpec, default_spec
from .exceptions import ModelError

__all__ = [
    "DataSource",
    "LoadedData",
    "SourceKind",
    "SOURCE_KINDS",
    "DEFAULT_CSV_NAME",
    "builtin_source",
    "synthetic_source",
    "csv_source",
    "source_from_synthetic",
]

SourceKind = Literal["builtin", "synthetic", "csv"]
SOURCE_KINDS: tuple[str, ...] = ("builtin", "synthetic", "csv")
#: File name the reproduction script reads for uploaded data (saved next to the script).
DEFAULT_CSV_NAME = "data.csv"


class LoadedData(NamedTuple):
    """What :meth:`DataSource.load` returns; unpacks as ``df, label, spec, truth``.

    Attributes
    ----------
    df : DataFrame, shape (n_rows, n_columns)
    label : str
        Where the data came from, for a reader ("Built-in: ...", "Synthetic: ...", "Upload: ...").
    spec : ModelSpec
        The default model for this data.
    truth : dict of str to float, or None
        The generator's true coefficients by term; None for real data.
    """

    df: pd.DataFrame
    label: str
    spec: ModelSpec
    truth: dict[str, float] | None


@dataclass(frozen=True)
class DataSource:
    """Where the data of a fit comes from, so that it can be made again.

    Attributes
    ----------
    kind : {"builtin", "synthetic", "csv"}
    name : str
        Built-in dataset name (a key of ``linreg.datasets.DATASETS``), generator kind
        (a key of ``linreg.synthetic.GENERATORS``), or CSV file name.
    params : tuple of (str, value)
        Generator keyword arguments, ``n`` included and ``seed`` not, sorted by name
        (sequences as tuples, so the source stays hashable); empty otherwise.
    seed : int or None
        The generator's seed: required for ``"synthetic"`` (generated data is always
        seeded, so it can be drawn again), None otherwise.

    Raises
    ------
    ModelError
        An unknown kind, dataset or generator; a synthetic source without a whole-number
        seed (or with ``seed`` among its params); a CSV name that is empty or not one line.

    Examples
    --------
    >>> DataSource("synthetic", "linear", (("noise", 0.5), ("n", 20)), seed=3)
    DataSource(kind='synthetic', name='linear', params=(('n', 20), ('noise', 0.5)), seed=3)
    """

    kind: SourceKind
    name: str
    params: tuple[tuple[str, Any], ...] = field(default=())
    seed: int | None = None

    def __post_init__(self) -> None:
        check_option("kind", self.kind, SOURCE_KINDS)
        params = {str(k): _hashable(v) for k, v in dict(self.params).items()}
        if self.kind == "builtin":
            from .datasets import DATASETS

            check_option("dataset", self.name, DATASETS)
        elif self.kind == "synthetic":
            from .synthetic import GENERATORS

            check_option("kind", self.name, GENERATORS)
            if "seed" in params:
                raise ModelError("give a synthetic source's seed as seed=..., not among its params")
            seed = self.seed
            if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
                raise ModelError(f"seed must be a whole number so the same data can be drawn again; got {seed!r}")
            object.__setattr__(self, "seed", int(seed))
        else:
            name = str(self.name)
            if not name or "\n" in name or "\r" in name:
                raise ModelError(f"the CSV file name must be a non-empty single line; got {name!r}")
            object.__setattr__(self, "name", name)
        object.__setattr__(self, "params", tuple(sorted(params.items())))

    @property
    def generator_kwargs(self) -> dict[str, Any]:
        """The keyword arguments of ``make_data(name, ...)``: ``params`` with ``seed`` (synthetic only)."""
        return {**dict(self.params), "seed": self.seed}

    def load(self, file: str | Path | bytes | IO[bytes] | None = None) -> LoadedData:
        """Make the data this source describes, with its label, default model and truth.

        Parameters
        ----------
        file : path, bytes or binary file, optional
            Where a ``"csv"`` source's content is (default: the file ``name`` in the
            working folder). Not used by the other kinds.

        Returns
        -------
        LoadedData
            ``(df, label, spec, truth)``. A built-in dataset gets its documented target
            and features; generated data the generator's target and hinted terms; a CSV
            the last numeric column as target and every other column as a feature
            (:func:`linreg.design.default_spec`: text features are made categorical,
            except ID-like ones with too many distinct values, which are left out).

        Raises
        ------
        LinregError
            A parameter out of range (``make_data``), or a CSV that cannot be read
            (``load_csv``).

        Examples
        --------
        >>> df, label, spec, truth = builtin_source("cars").load()
        >>> label, spec.target, spec.features, truth
        ('Built-in: Speed and stopping distance of cars (1920s)', 'dist', ('speed',), None)
        >>> loaded = synthetic_source("linear", 4, n=30).load()
        >>> loaded.label, sorted(loaded.truth)
        ('Synthetic: linear (n=30, seed 4)', ['Intercept', 'x'])
        """
        if self.kind == "builtin":
            from .datasets import load_dataset

            df, info = load_dataset(self.name)
            return LoadedData(df, f"Built-in: {info.title}", default_spec(df, info.target, info.features), None)
        if self.kind == "synthetic":
            from .synthetic import make_data

            sd = make_data(self.name, **self.generator_kwargs)
            spec = ModelSpec(**{"target": sd.target, **(sd.spec_hint or {})})
            label = f"Synthetic: {self.name} (n={len(sd.data):,}, seed {self.seed})"
            return LoadedData(sd.data, label, spec, dict(sd.coef))
        from .data import load_csv

        df = load_csv(Path(self.name) if file is None else file)
        return LoadedData(df, f"Upload: {self.name}", default_spec(df), None)


def _hashable(value: Any) -> Any:
    # Vector parameters of a generator arrive as lists or arrays; a tuple keeps the source hashable.
    if isinstance(value, (list, tuple, np.ndarray)):
        return tuple(_hashable(v) for v in value)
    return value


# ---------------------------------------------------------------------------
# Builders
# ---------------------------------------------------------------------------

def builtin_source(name: str) -> DataSource:
    """A built-in dataset of :mod:`linreg.datasets` by name.

    Examples
    --------
    >>> builtin_source("cars")
    DataSource(kind='builtin', name='cars', params=(), seed=None)
    """
    return DataSource("builtin", name)


def synthetic_source(kind: str, seed: int, **params: Any) -> DataSource:
    """A generator of :mod:`linreg.synthetic` with its parameters and seed.

    Examples
    --------
    >>> synthetic_source("linear", 3, n=20, noise=0.5).params
    (('n', 20), ('noise', 0.5))
    """
    return DataSource("synthetic", kind, tuple(params.items()), seed)


def csv_source(filename: str = DEFAULT_CSV_NAME) -> DataSource:
    """A CSV file (for a script: saved next to it, since uploaded data cannot travel inside).

    Examples
    --------
    >>> csv_source().name
    'data.csv'
    """
    return DataSource("csv", str(filename))


def source_from_synthetic(kind: str, data) -> DataSource:
    """The source of generated data: its kind and the parameters and seed it recorded.

    Parameters
    ----------
    kind : str
        The generator that made it (a key of ``linreg.synthetic.GENERATORS``).
    data : SyntheticData
        Its ``params`` hold every parameter used, ``seed`` included.

    Examples
    --------
    >>> from linreg.synthetic import make_data
    >>> src = source_from_synthetic("linear", make_data("linear", n=5, seed=2))
    >>> src.name, src.seed, dict(src.params)["n"]
    ('linear', 2, 5)
    """
    params = dict(data.params)
    seed = params.pop("seed", None)
    if seed is None or isinstance(seed, str):
        raise ModelError("this synthetic data was drawn without an integer seed, so it cannot be drawn again; "
                         "generate it again with a seed")
    return synthetic_source(kind, seed, **params)
