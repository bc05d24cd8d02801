"""Where the data of a fit comes from, described so that it can be made again.

A :class:`DataSource` is a built-in dataset (by name), a generator of
:mod:`linreg.synthetic` (its kind, parameters and seed), a CSV file, or a dataset that a
server's operator registered under a name (``"registered"``: Parquet files too large for
memory, fitted out of core by :mod:`linreg.scale`). It is small,
frozen and hashable, so it can travel in a link, key a cache or be written into a
script; :meth:`DataSource.load` makes the data it describes, with a label saying where
it came from, the default model for it and, for generated data, the true coefficients.

- :func:`builtin_source`, :func:`synthetic_source`, :func:`csv_source` build one;
- :func:`source_from_synthetic` reads the source back from generated data;
- :func:`registered_source` names a registered dataset, and :func:`dataset_facts` gives its
  fingerprint (files, sizes, versions, rows, schema) from the Parquet footers alone.

A registered source carries its name; its ``location`` (a path, glob, folder or URL) is
the operator's, never compared, hashed, shown or written into a link, so code that builds
one from a visitor's text looks the name up in the operator's table instead.

The app keeps one of these for the current data (an upload is a ``"csv"`` source with
the file's name) and a link carries it; the model it starts with is
:func:`linreg.design.default_spec`'s policy.
"""

from __future__ import annotations

import glob as _glob
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal, NamedTuple

import numpy as np
import pandas as pd

from ._validation import check_option
from .design import ModelSpec, default_spec
from .exceptions import DataError, ModelError

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
    "registered_source",
    "REGISTERED_NAME",
    "MAX_SAMPLE_ROWS",
    "DatasetFacts",
    "FileFacts",
    "dataset_facts",
]

SourceKind = Literal["builtin", "synthetic", "csv", "registered"]
SOURCE_KINDS: tuple[str, ...] = ("builtin", "synthetic", "csv", "registered")
#: What a registered dataset's name may hold: it travels in links and is shown on pages.
REGISTERED_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
#: The largest in-memory sample of a registered dataset.
MAX_SAMPLE_ROWS = 2_000_000
#: Rows of a registered dataset's preview (its first rows: the columns, their types, a look).
PREVIEW_ROWS = 1_000
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
    kind : {"builtin", "synthetic", "csv", "registered"}
    name : str
        Built-in dataset name (a key of ``linreg.datasets.DATASETS``), generator kind
        (a key of ``linreg.synthetic.GENERATORS``), CSV file name, or registered name
        (:data:`REGISTERED_NAME`).
    params : tuple of (str, value)
        Generator keyword arguments, ``n`` included and ``seed`` not, sorted by name
        (sequences as tuples, so the source stays hashable); for a registered dataset
        ``(("sample", n),)`` when it stands for an in-memory sample of about n rows;
        empty otherwise.
    seed : int or None
        The generator's seed: required for ``"synthetic"`` (generated data is always
        seeded, so it can be drawn again) and for a registered sample; None otherwise.
    location : str or None
        Where a registered dataset is (Parquet path, glob, folder or URL), from the
        operator's table; not part of equality, hashing or the repr.

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
    location: str | None = field(default=None, compare=False, repr=False)

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
        elif self.kind == "registered":
            _check_registered(self.name, params, self.seed)
            if params:
                object.__setattr__(self, "seed", int(self.seed))
        else:
            name = str(self.name)
            if not name or "\n" in name or "\r" in name:
                raise ModelError(f"the CSV file name must be a non-empty single line; got {name!r}")
            object.__setattr__(self, "name", name)
        object.__setattr__(self, "params", tuple(sorted(params.items())))

    @property
    def is_large(self) -> bool:
        """Whether this is a registered dataset fitted out of core (not a sample of one in memory)."""
        return self.kind == "registered" and not self.params

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
            working folder); for a ``"registered"`` one, its location (default:
            ``location``). Not used by the other kinds.

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
            (``load_csv``); a registered dataset without a location, or whose files cannot
            be read. A registered dataset gives its first :data:`PREVIEW_ROWS` rows (the
            whole of it is fitted out of core), a registered sample its rows drawn with
            :func:`sample_rows`.

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
        if self.kind == "registered":
            location = file if file is not None else self.location
            if not isinstance(location, (str, Path)):
                raise ModelError(f"the registered dataset '{self.name}' has no location here; a server's operator "
                                 "names it in the [datasets] table of linreg.toml")
            if self.params:
                n = int(dict(self.params)["sample"])
                df = sample_rows(str(location), n, self.seed)
                label = f"Sample of {self.name}: {len(df):,} rows (seed {self.seed})"
            else:
                df = head_rows(str(location), PREVIEW_ROWS)
                rows = dataset_facts(str(location)).rows
                label = f"Large dataset: {self.name} ({rows:,} rows, fitted out of core; the first {len(df):,} in view)"
            return LoadedData(df, label, default_spec(df), None)
        from .data import load_csv

        df = load_csv(Path(self.name) if file is None else file)
        return LoadedData(df, f"Upload: {self.name}", default_spec(df), None)


def _check_registered(name: object, params: dict[str, Any], seed: object) -> None:
    if not isinstance(name, str) or not REGISTERED_NAME.fullmatch(name):
        raise ModelError(f"a registered dataset's name must be 1 to 64 letters, digits, '_', '-' or '.', starting "
                         f"with a letter or digit; got {name!r}")
    if set(params) - {"sample"}:
        raise ModelError(f"a registered dataset takes only a sample size as params, (('sample', n),); "
                         f"got {sorted(params)}")
    if params:
        n = params["sample"]
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 1 <= n <= MAX_SAMPLE_ROWS:
            raise ModelError(f"a sample of a registered dataset needs a whole number of rows from 1 to "
                             f"{MAX_SAMPLE_ROWS:,}; got {n!r}")
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
            raise ModelError(f"a sample needs a whole-number seed so the same rows can be drawn again; got {seed!r}")
    elif seed is not None:
        raise ModelError("a registered dataset takes a seed only with a sample: registered_source(name, sample=n, "
                         "seed=s)")


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


def registered_source(name: str, location: str | None = None, *, sample: int | None = None,
                      seed: int | None = None) -> DataSource:
    """A dataset that a server's operator registered under ``name``, or a sample of it in memory.

    Parameters
    ----------
    name : str
        The registered name (:data:`REGISTERED_NAME`).
    location : str, optional
        Its Parquet path, glob, folder or URL, from the operator's table.
    sample : int, optional
        Stand for about this many of its rows, drawn with ``seed`` (default 0) and held
        in memory as ordinary data.

    Examples
    --------
    >>> registered_source("flights", "/data/flights/*.parquet")
    DataSource(kind='registered', name='flights', params=(), seed=None)
    >>> registered_source("flights", sample=100_000).is_large
    False
    """
    params = () if sample is None else (("sample", sample),)
    return DataSource("registered", name, params, (0 if seed is None else seed) if sample is not None else seed,
                      location=location)


# ---------------------------------------------------------------------------
# Registered datasets: their files, their fingerprint, their first rows, a sample
# ---------------------------------------------------------------------------
_PARQUET = (".parquet", ".pq")


@dataclass(frozen=True)
class FileFacts:
    """One Parquet file of a registered dataset.

    Attributes
    ----------
    path : str
        Its path or URL, as :func:`linreg.scale.fit_ols` reads it.
    size : int
        Bytes.
    version : str
        What changes when the file does: its modification time (local files, in ns) or
        its ETag (object stores that give one).
    rows : int
        Rows, from the file's footer.
    """

    path: str
    size: int
    version: str
    rows: int


@dataclass(frozen=True)
class DatasetFacts:
    """The fingerprint of a registered dataset: equal exactly when nothing a fit reads has changed.

    Attributes
    ----------
    files : tuple of FileFacts
        In the order a fit reads them (sorted by path).
    rows : int
        Rows of all files.
    columns : tuple of (str, str)
        Each column's name and Arrow type, the same in every file.
    """

    files: tuple[FileFacts, ...]
    rows: int
    columns: tuple[tuple[str, str], ...]

    @property
    def paths(self) -> list[str]:
        """The files' paths, for :func:`linreg.scale.fit_ols`."""
        return [f.path for f in self.files]

    @property
    def size(self) -> int:
        """Bytes of all files."""
        return sum(f.size for f in self.files)


def _filesystem(location: str):
    """(fsspec filesystem or None for local paths, the path within it)."""
    if "://" not in location or location.startswith("file://"):
        return None, location.removeprefix("file://")
    try:
        import fsspec
    except ImportError:  # pragma: no cover - fsspec comes with dask
        raise ModelError(f"reading '{location}' needs fsspec (pip install fsspec, with the protocol's package)") from None
    return fsspec.core.url_to_fs(location)


def _files(location: str) -> tuple[object, list[str]]:
    """The filesystem (None: local) and the dataset's Parquet files, sorted."""
    fs, root = _filesystem(location)
    pattern = any(ch in root for ch in "*?[")
    if fs is None:
        p = Path(root)
        if p.is_file():
            found = [root]
        elif p.is_dir():
            found = sorted(str(f) for f in p.rglob("*") if f.is_file() and f.suffix.lower() in _PARQUET)
        else:
            found = sorted(f for f in _glob.glob(root) if Path(f).is_file()) if pattern else []
    elif pattern:
        found = sorted(fs.glob(root))
    elif fs.isdir(root):
        found = sorted(f for f in fs.find(root) if f.lower().endswith(_PARQUET))
    else:
        found = [root] if fs.exists(root) else []
    if not found:
        raise DataError(f"the registered dataset at '{location}' has no Parquet files; the server's operator can "
                        "check the path in linreg.toml")
    return fs, found


def _open(fs, path: str):
    return open(path, "rb") if fs is None else fs.open(path, "rb")


def _url(fs, path: str) -> str:
    return path if fs is None else fs.unstrip_protocol(path)


def dataset_facts(location: str) -> DatasetFacts:
    """The files, sizes, versions, rows and schema of a Parquet dataset, from its footers (no data read).

    Parameters
    ----------
    location : str
        A Parquet file, a glob, a folder (every ``.parquet`` file under it) or a URL.

    Returns
    -------
    DatasetFacts

    Raises
    ------
    DataError
        No Parquet files there, a file that is not Parquet, or files whose columns differ.

    Examples
    --------
    >>> import tempfile, os
    >>> folder = tempfile.mkdtemp()
    >>> pd.DataFrame({"x": [1.0, 2.0], "y": [3.0, 4.0]}).to_parquet(os.path.join(folder, "a.parquet"))
    >>> facts = dataset_facts(folder)
    >>> len(facts.files), facts.rows, facts.columns
    (1, 2, (('x', 'double'), ('y', 'double')))
    """
    import pyarrow.parquet as pq

    fs, found = _files(location)
    files, columns = [], None
    for path in found:
        try:
            if fs is None:
                stat = Path(path).stat()
                size, version = stat.st_size, str(stat.st_mtime_ns)
            else:
                info = fs.info(path)
                size = int(info.get("size") or 0)
                version = str(next((info[k] for k in ("ETag", "etag", "mtime", "LastModified", "last_modified")
                                    if info.get(k)), ""))
            with _open(fs, path) as handle:
                meta = pq.ParquetFile(handle)
                rows = meta.metadata.num_rows
                schema = tuple((f.name, str(f.type)) for f in meta.schema_arrow
                               if not f.name.startswith("__index_level_"))
        except (OSError, ValueError) as exc:
            raise DataError(f"cannot read the Parquet footer of '{path}' ({' '.join(str(exc).split())[:200]}); "
                            "every file of a registered dataset must be Parquet") from None
        if columns is None:
            columns = schema
        elif schema != columns:
            raise DataError(f"'{path}' has other columns or types than '{found[0]}'; every file of a dataset needs "
                            "the same columns")
        files.append(FileFacts(_url(fs, path), int(size), version, int(rows)))
    return DatasetFacts(tuple(files), sum(f.rows for f in files), columns or ())


def _batches(location: str, batch_rows: int = 65_536):
    """(file index, DataFrame) for the dataset's rows, a batch at a time, in file order."""
    import pyarrow.parquet as pq

    fs, found = _files(location)
    for index, path in enumerate(found):
        with _open(fs, path) as handle:
            for batch in pq.ParquetFile(handle).iter_batches(batch_size=batch_rows):
                yield index, batch.to_pandas()


def head_rows(location: str, n: int = PREVIEW_ROWS) -> pd.DataFrame:
    """The dataset's first ``n`` rows (reads only as many batches as it needs).

    Examples
    --------
    >>> import tempfile, os
    >>> folder = tempfile.mkdtemp()
    >>> pd.DataFrame({"x": range(5)}).to_parquet(os.path.join(folder, "a.parquet"))
    >>> head_rows(folder, 2)["x"].tolist()
    [0, 1]
    """
    pieces, have = [], 0
    for _, frame in _batches(location, batch_rows=max(int(n), 1)):
        pieces.append(frame.head(n - have))
        have += len(pieces[-1])
        if have >= n:
            break
    if not pieces:
        raise DataError(f"the registered dataset at '{location}' has no rows")
    return pd.concat(pieces, ignore_index=True)


def sample_rows(location: str, n: int, seed: int = 0) -> pd.DataFrame:
    """About ``n`` rows of the dataset, each kept with the same chance, the same for the same seed.

    One pass over the data, a batch at a time: each file's rows are kept with probability
    n / rows by a generator seeded with (seed, file index), then the first ``n`` kept are
    returned (in file order, with a fresh index).

    Examples
    --------
    >>> import tempfile, os
    >>> folder = tempfile.mkdtemp()
    >>> pd.DataFrame({"x": range(1000)}).to_parquet(os.path.join(folder, "a.parquet"))
    >>> a, b = sample_rows(folder, 100, seed=1), sample_rows(folder, 100, seed=1)
    >>> 50 < len(a) <= 100, a.equals(b)
    (True, True)
    """
    total = dataset_facts(location).rows
    rate = min(1.0, int(n) / max(total, 1))
    pieces, have, rngs = [], 0, {}
    for index, frame in _batches(location):
        rng = rngs.setdefault(index, np.random.default_rng([int(seed), index]))
        kept = frame[rng.random(len(frame)) < rate]
        pieces.append(kept.head(int(n) - have))
        have += len(pieces[-1])
        if have >= n:
            break
    if not pieces or have == 0:
        raise DataError(f"the sample of the registered dataset at '{location}' has no rows")
    return pd.concat(pieces, ignore_index=True)
