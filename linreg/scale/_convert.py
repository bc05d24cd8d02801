"""CSV to Parquet, streamed (bounded memory), for :func:`linreg.scale.convert` and ``python -m linreg convert``."""

from __future__ import annotations

import glob
from pathlib import Path

from ..exceptions import DataError


def convert_csv(source: str, dest: str, *, rows_per_file: int = 1_000_000) -> list[str]:
    """Write the rows of the CSV file(s) at ``source`` to Parquet at ``dest``; return the files written.

    ``dest`` ending in ``.parquet`` is one file (row groups of ``rows_per_file``);
    anything else is a folder of ``part-00000.parquet``, ... of ``rows_per_file`` rows
    each. Column types are inferred from the first block of each file and must agree.
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    files = sorted(glob.glob(source)) if any(ch in source for ch in "*?[") else [source]
    if not files or not all(Path(f).is_file() for f in files):
        raise DataError(f"cannot open '{source}': no such CSV file; check the path")
    single = dest.lower().endswith((".parquet", ".pq"))
    out = Path(dest)
    if not single:
        out.mkdir(parents=True, exist_ok=True)
    written: list[str] = []
    writer = None
    schema = None
    pending: list = []
    pending_rows = 0

    def flush(final: bool = False) -> None:
        nonlocal writer, pending, pending_rows
        while pending_rows >= rows_per_file or (final and pending_rows):
            table = pa.Table.from_batches(pending)
            head, rest = table.slice(0, rows_per_file), table.slice(rows_per_file)
            if single:
                if writer is None:
                    writer = pq.ParquetWriter(str(out), head.schema)
                    written.append(str(out))
                writer.write_table(head, row_group_size=rows_per_file)
            else:
                path = out / f"part-{len(written):05d}.parquet"
                pq.write_table(head, path)
                written.append(str(path))
            pending = rest.to_batches()
            pending_rows = rest.num_rows

    try:
        for f in files:
            reader = pacsv.open_csv(f)
            for batch in reader:
                if schema is None:
                    schema = batch.schema
                elif batch.schema != schema:
                    batch = batch.cast(schema) if batch.schema.names == schema.names else None
                    if batch is None:
                        raise DataError(f"'{f}' has columns {reader.schema.names}, unlike the first file's {schema.names}")
                pending.append(batch)
                pending_rows += batch.num_rows
                flush()
        flush(final=True)
    finally:
        if writer is not None:
            writer.close()
    if not written:
        raise DataError(f"'{source}' holds no rows to convert")
    return written
