"""Dask plumbing: from a source to partitions, and running one function over them.

Everything that imports Dask is here, and only runs when :mod:`linreg.scale` fits:
``import linreg`` (and ``import linreg.scale``) work without Dask installed.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Callable, Sequence
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
    """Column names of the dataset (Parquet: from the footers; CSV: the header)."""
    return [str(c) for c in read(source).columns]


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
            self.scheduler = client
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
