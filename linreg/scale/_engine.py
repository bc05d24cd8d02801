"""Dask plumbing: from a source to partitions, and running one function over them.

Everything that imports Dask is here, and only runs when :mod:`linreg.scale` fits:
``import linreg`` (and ``import linreg.scale``) work without Dask installed.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..exceptions import DataError, LinregError, ModelError

#: Environment variable naming a ``dask.distributed`` scheduler (``tcp://host:8786``).
SCHEDULER_ENV = "DASK_SCHEDULER_ADDRESS"
_URL_PREFIXES = ("s3://", "gs://", "gcs://", "az://", "abfs://", "http://", "https://", "hdfs://", "file://")


def require_dask():
    """Import dask.dataframe, or say how to install it."""
    try:
        import dask
        import dask.dataframe as dd
    except ImportError:  # pragma: no cover - exercised only without the extra
        raise ModelError(
            "fitting data out of core needs Dask; install it with pip install 'dask[dataframe]' distributed "
            "(or the project's extra: pip install 'linreg[scale]')"
        ) from None
    return dask, dd


def is_dask_frame(obj: object) -> bool:
    """A dask DataFrame, recognised without importing Dask."""
    return hasattr(obj, "__dask_graph__") and hasattr(obj, "npartitions") and hasattr(obj, "columns")


def is_out_of_core_path(source: str) -> bool:
    """Whether a CLI data argument names a dataset for linreg.scale: a glob, a directory, a .parquet file or a URL."""
    if source.startswith(_URL_PREFIXES):
        return True
    p = Path(source)
    if p.is_file():  # an existing file is never a pattern, whatever its name holds
        return p.suffix.lower() in (".parquet", ".pq")
    return p.is_dir() or p.suffix.lower() in (".parquet", ".pq") or any(ch in source for ch in "*?[")


def read(source: object, columns: Sequence[str] | None = None):
    """A dask DataFrame from a path, glob, directory, URL, list of paths, or a dask DataFrame."""
    _dask, dd = require_dask()
    if is_dask_frame(source):
        return source if columns is None else source[list(columns)]
    paths = _paths(source)
    kind = _kind(paths)
    cols = None if columns is None else list(columns)
    if kind == "csv":
        ddf = dd.read_csv(paths, usecols=cols, assume_missing=True, blocksize="64MB")
    else:
        ddf = dd.read_parquet(paths, columns=cols)
    return ddf


def columns_of(source: object) -> list[str]:
    """Column names of the dataset (Parquet: from the first file's footer; CSV: the header)."""
    paths = _local_parquet(source)
    if paths:
        import pyarrow.parquet as pq

        try:
            return [str(c) for c in pq.read_schema(paths[0]).names]
        except (OSError, ValueError) as exc:
            raise _unreadable(paths[0], exc) from exc
    return [str(c) for c in read(source).columns]


#: Rows a piece of a Parquet dataset aims at when a file holds several row groups: enough
#: to keep a task's overhead small, few enough that the threads share the work.
PIECE_ROWS = 1 << 19


@dataclass(frozen=True)
class Piece:
    """Consecutive row groups of one local Parquet file: a partition that its task reads itself.

    A task holds a row group decoded by pyarrow and one batch of it at a time, not dask's
    copy of the partition as a DataFrame beside its Arrow table, and reads
    only the columns the model uses.

    Attributes
    ----------
    path : str
    row_groups : tuple of int
    columns : tuple of str
    rows : int
    """

    path: str
    row_groups: tuple[int, ...]
    columns: tuple[str, ...]
    rows: int

    def batches(self, batch_rows: int) -> Iterator:
        """The piece's rows as pyarrow record batches of at most ``batch_rows`` rows (one empty table if none).

        Arrow, not pandas: a plain numeric model copies the columns straight into its
        working block (:func:`linreg.scale._terms.build_block`); other models make the
        frame from the batch.
        """
        import pyarrow.parquet as pq

        try:
            # A buffered stream instead of the row group's bytes read up front: a task then
            # holds the decoded row group, not its encoded copy beside it. One thread per
            # read: the partitions' tasks already keep the cores busy.
            handle = pq.ParquetFile(self.path, buffer_size=1 << 16, pre_buffer=False)
            seen = False
            for batch in handle.iter_batches(batch_size=batch_rows, row_groups=list(self.row_groups),
                                             columns=list(self.columns), use_threads=False):
                seen = True
                yield batch
            if not seen:
                yield handle.schema_arrow.empty_table().select(list(self.columns))
        except (OSError, ValueError, KeyError) as exc:
            if isinstance(exc, LinregError):
                raise
            raise _unreadable(self.path, exc) from exc


def _unreadable(path: str, exc: BaseException) -> DataError:
    return DataError(
        f"cannot read '{path}' as part of the dataset ({' '.join(str(exc).split())[:300]}); check that every file "
        "is Parquet with the same columns and types (python -m linreg convert rewrites CSV files as Parquet)"
    )


def _local_parquet(source: object) -> list[str]:
    """The files of a source made of local Parquet files, else [] (URLs, CSV and dask frames go through dask)."""
    if is_dask_frame(source):
        return []
    paths = _paths(source)
    if _kind(paths) != "parquet" or any(p.startswith(_URL_PREFIXES) for p in paths):
        return []
    return paths


def partitions(source: object, columns: Sequence[str]) -> list:
    """The dataset's partitions in file order, each read only by the task that uses it.

    Local Parquet files give :class:`Piece` objects (a file, or runs of about
    :data:`PIECE_ROWS` rows of its row groups); other sources give dask's delayed
    partitions of :func:`read`.
    """
    paths = _local_parquet(source)
    if not paths:
        return list(read(source, columns=columns).to_delayed())
    import pyarrow.parquet as pq

    out = []
    cols = tuple(columns)
    for path in paths:
        try:
            handle = pq.ParquetFile(path)
        except (OSError, ValueError) as exc:
            raise _unreadable(path, exc) from exc
        missing = [c for c in cols if c not in handle.schema_arrow.names]
        if missing:
            raise DataError(f"'{path}' has no column '{missing[0]}', which the first file has; every file of the "
                            "dataset needs the same columns")
        meta = handle.metadata
        groups: list[int] = []
        rows = 0
        for g in range(meta.num_row_groups):
            groups.append(g)
            rows += meta.row_group(g).num_rows
            if rows >= PIECE_ROWS:
                out.append(Piece(path, tuple(groups), cols, rows))
                groups, rows = [], 0
        if groups or not meta.num_row_groups:
            out.append(Piece(path, tuple(groups), cols, rows))
    return out


def _paths(source: object) -> list[str]:
    if isinstance(source, (str, os.PathLike)):
        items = [os.fspath(source)]
    elif isinstance(source, Sequence) and source and all(isinstance(s, (str, os.PathLike)) for s in source):
        items = [os.fspath(s) for s in source]
    else:
        raise DataError(
            f"expected a path, glob, directory, URL, list of paths or a dask DataFrame; got {type(source).__name__}"
        )
    out: list[str] = []
    for item in items:
        if item.startswith(_URL_PREFIXES):
            out.append(item)
            continue
        p = Path(item)
        if p.is_file():
            out.append(item)
        elif p.is_dir():
            found = sorted(str(f) for f in p.rglob("*") if f.suffix.lower() in (".parquet", ".pq"))
            if not found:
                raise DataError(
                    f"the folder '{item}' holds no .parquet files; point at a Parquet dataset, a file, or a "
                    "quoted glob such as 'folder/*.csv'"
                )
            out.extend(found)
        elif any(ch in item for ch in "*?["):
            found = sorted(glob.glob(item))
            if not found:
                raise DataError(f"no files match '{item}'; check the pattern (quote it so the shell does not expand it)")
            out.extend(found)
        else:
            raise DataError(f"cannot open '{item}': no such file or directory; check the path")
    return out


def _kind(paths: list[str]) -> str:
    kinds = {"csv" if p.lower().endswith((".csv", ".csv.gz")) else "parquet" for p in paths}
    if len(kinds) > 1:
        raise DataError("the dataset mixes CSV and Parquet files; convert the CSV files (python -m linreg convert)")
    return kinds.pop()


def _local_scheduler(name: str) -> Callable:
    """Dask's local scheduler function for a name.

    The function rather than its name: given a name, dask.compute imports distributed
    to look for a default client (half a second on the first fit in a process).
    """
    if name == "threads":
        from dask.threaded import get
    elif name == "processes":
        from dask.multiprocessing import get
    else:
        from dask.local import get_sync as get
    return get


class Runner:
    """Runs a function over the partitions on one scheduler and reports progress per partition.

    Parameters
    ----------
    client : None, str or distributed.Client
        None: the scheduler at $DASK_SCHEDULER_ADDRESS if set, else in-process threads.
        ``"threads"``, ``"sync"`` or ``"processes"``: a local Dask scheduler.
        Any other string: the address of a ``dask.distributed`` scheduler.
    progress : callable, optional
        ``progress(stage, done, total)`` after each partition.
    """

    def __init__(self, client: object = None, progress: Callable[[str, int, int], None] | None = None):
        self.dask, _dd = require_dask()
        if client is None:
            client = os.environ.get(SCHEDULER_ENV) or "threads"
        self.scheduler = None
        self.client = None
        if isinstance(client, str) and client in ("threads", "sync", "synchronous", "processes"):
            self.scheduler = _local_scheduler(client)
        elif isinstance(client, str):
            from distributed import Client

            self.client = Client(client)
        else:
            self.client = client
        self.progress = progress

    def map(self, stage: str, fn: Callable, parts: list, *args) -> list:
        """[fn(part, i, *args) for each partition i], in partition order.

        A file that cannot be read as the dataset's first one (another schema, a
        column missing, a broken file) raises DataError saying so.
        """
        try:
            return self._map(stage, fn, parts, *args)
        except (ValueError, OSError) as exc:
            if isinstance(exc, LinregError):
                raise
            raise DataError(
                f"cannot read the dataset ({' '.join(str(exc).split())[:300]}); check that every file has the "
                "same columns and types (python -m linreg convert rewrites CSV files as Parquet)"
            ) from exc

    def _map(self, stage: str, fn: Callable, parts: list, *args) -> list:
        delayed = self.dask.delayed
        tasks = [delayed(fn, pure=False)(p, i, *args) for i, p in enumerate(parts)]
        total = len(tasks)
        if self.client is not None:
            from distributed import as_completed

            futures = self.client.compute(tasks)
            order = {f.key: i for i, f in enumerate(futures)}
            out: list = [None] * total
            for done, fut in enumerate(as_completed(futures), 1):
                out[order[fut.key]] = fut.result()
                if self.progress:
                    self.progress(stage, done, total)
            return out
        if self.progress is None:
            return list(self.dask.compute(*tasks, scheduler=self.scheduler))
        from dask.callbacks import Callback

        keys = {t.key for t in tasks}
        counter = {"done": 0}
        report = self.progress

        class _Progress(Callback):
            def _posttask(self, key, result, dsk, state, id):
                if key in keys:
                    counter["done"] += 1
                    report(stage, counter["done"], total)

        with _Progress():
            return list(self.dask.compute(*tasks, scheduler=self.scheduler))
