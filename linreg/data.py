"""Reading a CSV the way people actually save them, and checking values before a fit.

``load_csv`` takes a path, the bytes of an upload, or a binary file object (what
``st.file_uploader`` returns) and gives a DataFrame whose numeric-looking columns
are float64 and whose other columns stay text. Every failure is a ``DataError``
whose message says what is wrong and how to fix it; nothing a user supplies is
ever evaluated or unpickled.

Decisions worth knowing:

* The first line is always the header.
* Empty column names become ``column_<position>`` (1-based) and repeated names
  get a suffix ``_2``, ``_3``, ... in order of appearance. This is silent and
  deterministic, so the same file always gives the same names.
* Missing values (empty cells, ``NA``, ``NaN``, ``null``, ...) stay NaN: the design
  step drops the rows it uses and counts them.
* Thousands separators and decimal commas are read when unambiguous: ``1,234.5``
  and ``1.234,5`` are clear; a column whose only comma values look like
  ``1,234`` is read as a thousands separator in a comma-delimited file and as a
  decimal comma in a semicolon-delimited one (the European convention); in a
  tab-delimited file it stays text.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import itertools
import os
import re
import warnings
from collections.abc import Iterable, Sequence
from typing import BinaryIO

import numpy as np
import pandas as pd

from .exceptions import DataError

__all__ = ["load_csv", "check_finite", "digest", "DELIMITERS"]

#: Delimiters the sniffer chooses between, in order of preference on a tie.
DELIMITERS: tuple[str, ...] = (",", ";", "\t")

_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}
# How much of the file the sniffer looks at: enough for a 10,000-column header.
_SNIFF_BYTES = 1 << 20
_SNIFF_RECORDS = 50
# Python's csv module refuses longer fields by default; we only use it to sniff.
_MAX_SNIFF_FIELD = 131072

# Numbers with a thousands separator and/or a decimal separator.
# [0-9], not \d: \d also matches other scripts' digits, which float() would then reject.
_US_NUMBER = re.compile(r"[+-]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]*)?")
_EU_NUMBER = re.compile(r"[+-]?(?:[0-9]{1,3}(?:\.[0-9]{3})+|[0-9]+)(?:,[0-9]*)?")
_LEADING_BLANK_LINES = re.compile(rb"(?:[ \t]*(?:\r\n|\n|\r))*")


def load_csv(
    source: str | os.PathLike | bytes | bytearray | memoryview | BinaryIO,
    *,
    max_rows: int | None = None,
    max_cols: int | None = None,
) -> pd.DataFrame:
    """Read a delimited text file into a DataFrame.

    Parameters
    ----------
    source : str, os.PathLike, bytes or binary file object
        A path, the raw bytes, or an object with ``read()`` returning bytes
        (``st.file_uploader`` gives one).
    max_rows, max_cols : int, optional
        Caps on the number of data rows and of columns. ``None`` means no cap.

    Returns
    -------
    pandas.DataFrame, shape (n_rows, n_cols)
        Numeric-looking columns are float64, other columns text; missing values
        are NaN. The index is 0..n_rows-1.

    Raises
    ------
    DataError
        If the source cannot be read, is empty, has a header but no rows, is
        binary, has rows longer than its header, or exceeds a cap.

    Notes
    -----
    The delimiter (comma, semicolon or tab) is the one that splits the first
    lines into the same number of fields as the header. The encoding is UTF-8
    (a BOM is dropped), UTF-16 when the file starts with its BOM (or, without
    one, when every other byte is zero), else Windows-1252 (what Excel saves as
    "CSV" on Windows) when it decodes, else Latin-1, which can decode any byte.

    Examples
    --------
    >>> df = load_csv(b"x;y\\n1,5;2\\n3,25;4\\n")
    >>> df
          x    y
    0  1.50  2.0
    1  3.25  4.0
    >>> df.dtypes.tolist()
    [dtype('float64'), dtype('float64')]
    """
    _check_cap("max_rows", max_rows)
    _check_cap("max_cols", max_cols)
    data = _read_bytes(source)
    data, encoding = _decode_check(data)
    sample = data[:_SNIFF_BYTES].decode(encoding, errors="replace")
    truncated = len(data) > _SNIFF_BYTES
    delimiter, records = _sniff(sample, truncated)
    names = _clean_names(records[0])
    if max_cols is not None and len(names) > max_cols:
        raise DataError(
            f"the file has {len(names):,} columns but the limit is {_plural(max_cols, 'column')}; "
            "keep only the columns you need and upload again"
        )
    for i, record in enumerate(records[1:], start=2):
        if len(record) > len(names):
            raise DataError(
                f"data row {i - 1} has {len(record)} fields but the header names {len(names)} columns; "
                f"check the {_DELIMITER_NAMES[delimiter]} delimiters and quoting on that line"
            )
    opener = _unclosed_quote(data, delimiter)
    if opener is not None:
        newline = b"\n" if b"\n" in data else b"\r"
        line = data.count(newline, 0, opener) + 1
        raise DataError(
            f"line {line:,} opens a quoted value that is never closed, so the rest of the file would be one value; "
            'close the quote (a quote inside a quoted value is written twice: "") and check that quotes are closed'
        )
    df = _parse(data, encoding, delimiter, names)
    if len(df) == 0:
        raise DataError(
            "the file has a header but no data rows; add at least one row of values below the header"
        )
    if max_rows is not None and len(df) > max_rows:
        raise DataError(
            f"the file has {len(df):,} rows but the limit is {_plural(max_rows, 'row')}; "
            "upload a sample or the first rows of the file"
        )
    return _convert_columns(df, delimiter)


def _convert_columns(df: pd.DataFrame, delimiter: str) -> pd.DataFrame:
    """Numeric columns to float64 in one step; the others through ``_to_number``.

    Building a new frame once, rather than assigning column by column, keeps a
    10,000-column file fast (each assignment into a wide frame costs O(columns)).
    """
    numeric = [
        pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype) for dtype in df.dtypes
    ]
    if all(numeric):
        return df.astype(np.float64)
    columns = {
        name: df.iloc[:, j].astype(np.float64) if numeric[j] else _to_number(df.iloc[:, j], delimiter)
        for j, name in enumerate(df.columns)
    }
    return pd.DataFrame(columns, index=df.index)


def check_finite(df: pd.DataFrame, columns: Iterable[str] | None = None) -> None:
    """Raise ``DataError`` if a numeric column holds +inf or -inf.

    NaN (missing) values are allowed: the design step drops them.

    Parameters
    ----------
    df : pandas.DataFrame, shape (n_rows, n_cols)
    columns : iterable of str, optional
        Columns to check; default every numeric column.

    Raises
    ------
    DataError
        Naming the first column with infinite values and up to five of its row
        labels.

    Examples
    --------
    >>> df = pd.DataFrame({"x": [1.0, float("inf"), 3.0]})
    >>> check_finite(df)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    linreg.exceptions.DataError: column 'x' has infinite values at rows [1]; ...
    """
    if columns is None:
        columns = [c for c in df.columns if pd.api.types.is_numeric_dtype(df[c])]
    for name in columns:
        if name not in df.columns:
            raise DataError(f"no column named {name!r}; the columns are {list(df.columns)!r}")
        col = df[name]
        if not pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col):
            continue
        bad = np.isinf(col.to_numpy(dtype=np.float64, na_value=np.nan))
        if bad.any():
            rows = df.index[bad]
            shown = rows[:5].tolist()
            more = f" and {len(rows) - 5} more" if len(rows) > 5 else ""
            raise DataError(
                f"column {name!r} has infinite values at rows {shown}{more}; "
                "fix or remove those values (numbers beyond about 1.8e308 overflow to infinity)"
            )


def digest(df: pd.DataFrame) -> str:
    """A SHA-256 digest of the exact content of ``df``: a cache key that cannot be forged.

    Two frames have the same digest only if they have the same column names (and
    their types), in the same order, the same dtypes, the same index and the same
    values bit for bit: ``1`` (int) and ``1.0`` (float), ``0.0`` and ``-0.0``,
    ``None`` and ``NaN``, ``["ab", "c"]`` and ``["a", "bc"]`` all differ.

    Parameters
    ----------
    df : pandas.DataFrame, shape (n_rows, n_columns)

    Returns
    -------
    str
        64 hexadecimal characters.

    Notes
    -----
    Every field is written with its length first, so no two different frames give
    the same byte stream. Numeric, boolean and datetime columns are hashed as the
    bytes of their arrays (about 600 MB/s here); text columns as the UTF-8 bytes of
    each value with their lengths; other objects by type and ``repr``;
    categoricals by their categories and codes; nullable columns by their mask and
    values.

    Examples
    --------
    >>> a = pd.DataFrame({"s": ["ab", "c"]})
    >>> digest(a) == digest(pd.DataFrame({"s": ["ab", "c"]})), digest(a) == digest(pd.DataFrame({"s": ["a", "bc"]}))
    (True, False)
    >>> len(digest(a))
    64
    """
    if not isinstance(df, pd.DataFrame):
        raise DataError(f"expected a pandas DataFrame; got {type(df).__name__}")
    h = hashlib.sha256(b"linreg.data.digest 1\0")
    _put_int(h, df.shape[0])
    _put_int(h, df.shape[1])
    _hash_values(h, "index", df.index.to_series(), df.index.name)
    for j in range(df.shape[1]):
        _hash_values(h, "column", df.iloc[:, j], df.columns[j])
    return h.hexdigest()


def _put_int(h, value: int) -> None:
    h.update(int(value).to_bytes(8, "little", signed=True))


def _put_bytes(h, data: bytes | memoryview) -> None:
    _put_int(h, len(data))
    h.update(data)


def _put_text(h, text: str) -> None:
    _put_bytes(h, text.encode("utf-8", "surrogatepass"))


def _tagged(value: object) -> bytes:
    """A value as type and repr: ``1`` and ``'1'``, ``None`` and ``nan`` differ."""
    kind = type(value)
    return f"{kind.__module__}.{kind.__qualname__}:{value!r}".encode("utf-8", "surrogatepass")


def _hash_values(h, role: str, col: pd.Series, name: object) -> None:
    """Feed one column (its name, dtype and values) into ``h``."""
    _put_text(h, role)
    _put_bytes(h, _tagged(name))
    dtype = col.dtype
    _put_text(h, str(dtype))
    if isinstance(dtype, pd.CategoricalDtype):
        _put_int(h, int(bool(dtype.ordered)))
        _hash_values(h, "categories", pd.Series(dtype.categories), None)
        _hash_array(h, np.asarray(col.cat.codes))
        return
    if isinstance(dtype, np.dtype) and dtype.kind in "biufcmM":
        _hash_array(h, col.to_numpy())
        return
    if isinstance(dtype, pd.DatetimeTZDtype):
        _hash_array(h, col.array.asi8)
        return
    numpy_dtype = getattr(dtype, "numpy_dtype", None)
    if numpy_dtype is not None and numpy_dtype.kind in "biufc" and not isinstance(dtype, pd.ArrowDtype):
        # Nullable ints, floats and booleans: which values are missing, then the others.
        mask = col.isna().to_numpy()
        _hash_array(h, mask)
        _hash_array(h, col.to_numpy(dtype=numpy_dtype, na_value=0))
        return
    values = col.to_numpy(dtype=object)
    missing = pd.isna(values)
    _hash_array(h, missing)
    _put_bytes(h, b"".join(_tagged(v) + b"\0" for v in values[missing]))
    present = values[~missing]
    if pd.api.types.infer_dtype(present, skipna=False) in ("string", "empty"):
        _put_text(h, "str")
        encoded = [v.encode("utf-8", "surrogatepass") for v in present]
    else:
        _put_text(h, "objects")
        encoded = [_tagged(v) for v in present]
    _hash_array(h, np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded)))
    h.update(b"".join(encoded))


def _hash_array(h, a: np.ndarray) -> None:
    a = np.ascontiguousarray(a)
    _put_text(h, a.dtype.str)
    _put_int(h, a.size)
    h.update(a.reshape(-1).view(np.uint8))


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}" + ("" if count == 1 else "s")


def _check_cap(name: str, value: int | None) -> None:
    if value is not None and (not isinstance(value, (int, np.integer)) or value < 1):
        raise DataError(f"{name} must be a positive integer or None; got {value!r}")


def _read_bytes(source: object) -> bytes:
    """The raw bytes of ``source``, whatever kind it is."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source)
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        try:
            with open(path, "rb") as f:
                return f.read()
        except FileNotFoundError:
            raise DataError(f"no file at {path!r}; check the path") from None
        except IsADirectoryError:
            raise DataError(f"{path!r} is a folder, not a file; give the path of a CSV file") from None
        except OSError as exc:
            raise DataError(f"cannot read {path!r} ({exc.strerror}); check the path and its permissions") from None
    read = getattr(source, "read", None)
    if callable(read):
        if hasattr(source, "seek"):
            # An upload may already have been read once (Streamlit reruns); start from the top.
            try:
                source.seek(0)
            except (OSError, ValueError):
                pass
        content = read()
        if isinstance(content, str):
            return content.encode("utf-8")
        if isinstance(content, (bytes, bytearray, memoryview)):
            return bytes(content)
    raise DataError(
        f"cannot read a CSV from a {type(source).__name__}; give a path, bytes or a binary file object"
    )


def _decode_check(data: bytes) -> tuple[bytes, str]:
    """Reject empty and binary content; return the bytes to parse and their encoding."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Excel's "Unicode text" export is UTF-16 with a BOM: transcode once.
        try:
            data = data.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError:
            raise DataError(
                "the file starts like UTF-16 text but does not decode as UTF-16; save it as CSV UTF-8"
            ) from None
    else:
        bomless = _utf16_without_bom(data[:8192])
        if bomless is not None:
            # Some tools write UTF-16 without a BOM; ASCII text then has a zero byte in every pair.
            try:
                data = data.decode(bomless).encode("utf-8")
            except UnicodeDecodeError:
                raise DataError(
                    "the file looks like UTF-16 text without a byte-order mark but does not decode as UTF-16; "
                    "save it as CSV UTF-8"
                ) from None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    # Blank lines above the header: the engines count them differently, so drop them here.
    lead = _LEADING_BLANK_LINES.match(data).end()
    if lead:
        data = data[lead:]
    if re.search(rb"\S", data) is None:  # (not data.strip(): that copies a big file)
        raise DataError("the file is empty; upload a CSV with a header line and at least one row")
    head = data[:8192]
    if head.startswith(b"PK\x03\x04") or head.startswith(b"\xd0\xcf\x11\xe0"):
        raise DataError(
            "this looks like an Excel workbook or a zip archive, not a CSV; "
            "in Excel use File > Save As > CSV and upload that file"
        )
    controls = sum(head.count(bytes([b])) for b in range(32) if b not in (9, 10, 12, 13))
    if b"\x00" in head or controls > max(8, len(head) // 100):
        raise DataError(
            "this looks like binary data, not a text CSV; upload a comma-, semicolon- or tab-separated text file"
        )
    if data.isascii() or _decodes(data, "utf-8"):
        return data, "utf-8"
    # Excel on Windows saves "CSV" in Windows-1252: the same letters as Latin-1 in 0xA0-0xFF, and
    # quotes, dashes and the euro sign in 0x80-0x9F, where Latin-1 has invisible control codes.
    if _decodes(data, "cp1252"):
        return data, "cp1252"
    # Latin-1 decodes any byte, so it is the last resort, never an error.
    return data, "latin-1"


def _utf16_without_bom(head: bytes) -> str | None:
    r"""The codec ("utf-16-le" or "utf-16-be") when ``head`` looks like mostly-ASCII UTF-16 without a BOM, else None.

    >>> _utf16_without_bom("x,y\n1,2\n".encode("utf-16-le")), _utf16_without_bom(b"x,y\n1,2\n")
    ('utf-16-le', None)
    """
    head = head[: len(head) // 2 * 2]
    if len(head) < 4 or b"\x00" not in head:
        return None
    pairs = len(head) // 2
    even, odd = head[0::2].count(0), head[1::2].count(0)
    # Text in UTF-16: (nearly) every high byte is zero and (nearly) no low byte is.
    if odd >= 0.9 * pairs and even <= 0.05 * pairs:
        return "utf-16-le"
    if even >= 0.9 * pairs and odd <= 0.05 * pairs:
        return "utf-16-be"
    return None


def _decodes(data: bytes, encoding: str, chunk: int = 1 << 20) -> bool:
    """Whether ``data`` decodes in ``encoding``, a chunk at a time: no second, decoded copy of a big file."""
    decoder = codecs.getincrementaldecoder(encoding)()
    view = memoryview(data)
    try:
        for start in range(0, len(data), chunk):
            decoder.decode(view[start : start + chunk], final=start + chunk >= len(data))
    except UnicodeDecodeError:
        return False
    return True


def _sniff(sample: str, truncated: bool) -> tuple[str, list[list[str]]]:
    """Choose the delimiter that splits the first records most consistently."""
    best: tuple[tuple, str, list[list[str]]] | None = None
    for delimiter in DELIMITERS:
        records = _first_records(sample, delimiter, truncated)
        if not records:
            continue
        width = len(records[0])
        rest = records[1:]
        same = sum(len(r) == width for r in rest) / len(rest) if rest else 1.0
        # Splitting the header at all beats not splitting it; then consistency; then width.
        score = (width > 1, same, width)
        if best is None or score > best[0]:
            best = (score, delimiter, records)
    if best is None:
        raise DataError(
            f"the header line has a field longer than {_MAX_SNIFF_FIELD:,} characters or unbalanced quotes; "
            "check the first line of the file"
        )
    return best[1], best[2]


def _first_records(sample: str, delimiter: str, truncated: bool) -> list[list[str]]:
    reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
    records: list[list[str]] = []
    try:
        for record in itertools.islice(reader, _SNIFF_RECORDS + 1):
            # The first line is the header even if every name is empty; later blank lines are skipped.
            # A line of delimiters only (", ") is not blank: pandas reads it as a row of missing values.
            if not records or len(record) > 1 or (record and record[0].strip()):
                records.append(record)
    except csv.Error:
        # A very long field: pandas reads it fine, the sniffer just stops here. In the header it
        # rules this delimiter out (a wide comma-separated header is one huge field for ';').
        return records
    if truncated and len(records) == 1:
        # The header did not fit in the sample, so its names would be cut short.
        raise DataError(
            f"the first line is longer than {_SNIFF_BYTES:,} bytes; a CSV's first line names its columns, "
            "so keep fewer columns (or check that the file has line breaks)"
        )
    if truncated and len(records) > 1:
        records.pop()  # the sample may have cut the last record short
    return records


_QUOTE = ord('"')
# Bytes scanned at a time for quotes: bounds the scan's memory (8 bytes per quote found).
_QUOTE_CHUNK = 1 << 20


def _unclosed_quote(data: bytes, delimiter: str) -> int | None:
    r"""Offset of the quote that opens a value never closed, or None when every quoted value is closed.

    The rules are the C engine's: a quote opens a quoted value only at the start of
    a field (after a delimiter, a line break or at the start of the file); inside,
    ``""`` is a literal quote and any other quote closes the value; elsewhere a
    quote is a literal character. So in a run of quotes only its parity matters, a
    run of even length never changes the state, and an odd run toggles it when
    inside a value or at the start of a field. With s_i "odd run i starts a
    field", the state after it is ``inside_i = s_i and not inside_(i-1)``: the file
    ends inside a value exactly when the trailing block of consecutive field-start
    odd runs (plus the state it was entered with, for a block that reaches the
    start of a chunk) has odd length. The scan is vectorized, a chunk at a time.

    >>> _unclosed_quote(b'x,y\n1,"2\n3,4\n', ","), _unclosed_quote(b'x,y\n1,"2\n""\n3",4\n', ",")
    (6, None)
    >>> _unclosed_quote(b'x,y\n5",1\n"a,""b",2\n', ","), _unclosed_quote(b'x,y\n5",1\n"a,2\n', ",")
    (None, 9)
    """
    if data.find(b'"') < 0:
        return None
    arr = np.frombuffer(data, dtype=np.uint8)
    n = arr.size
    starts_field = {ord(delimiter), ord("\n"), ord("\r")}
    inside, opener, start = False, None, 0
    while start < n:
        end = min(start + _QUOTE_CHUNK, n)
        while 0 < end < n and arr[end - 1] == _QUOTE and arr[end] == _QUOTE:  # never split a run of quotes
            rest = np.flatnonzero(arr[end:end + 65536] != _QUOTE)
            end = end + int(rest[0]) if rest.size else min(end + 65536, n)
        pos = np.flatnonzero(arr[start:end] == _QUOTE)
        start_of_run = np.flatnonzero(np.diff(pos) != 1) + 1
        first = np.concatenate([[0], start_of_run]) if pos.size else np.empty(0, dtype=np.intp)
        length = np.diff(np.concatenate([first, [pos.size]])) if pos.size else first
        odd = pos[first[length % 2 == 1]] + start
        if odd.size:
            before = arr[np.maximum(odd - 1, 0)]
            field = (odd == 0) | np.isin(before, list(starts_field))
            not_field = np.flatnonzero(~field)
            if not_field.size:
                inside = (odd.size - 1 - int(not_field[-1])) % 2 == 1
            else:
                inside = (odd.size % 2 == 1) != inside
            if inside:
                opener = int(odd[-1])
        start = end
    return opener if inside else None


def _clean_names(raw: Sequence[str]) -> list[str]:
    """Strip names, name empty ones by position and number repeats: deterministic, never fails.

    >>> _clean_names(["a", " ", "a", "b ", "a_2"])
    ['a', 'column_2', 'a_3', 'b', 'a_2']
    """
    names = [name.strip() or f"column_{i}" for i, name in enumerate(raw, start=1)]
    taken = set(names)
    seen: set[str] = set()
    out = []
    for name in names:
        if name in seen:
            k = 2
            while f"{name}_{k}" in taken:
                k += 1
            name = f"{name}_{k}"
            taken.add(name)
        seen.add(name)
        out.append(name)
    return out


def _parse(data: bytes, encoding: str, delimiter: str, names: list[str]) -> pd.DataFrame:
    """Parse with pyarrow when it pays, otherwise with pandas' C engine (which keeps dates as text)."""
    df = _parse_pyarrow(data, encoding, delimiter, names) if _use_pyarrow() else None
    if df is not None:
        return df
    try:
        with warnings.catch_warnings():
            # pandas only warns when a row has more fields than the header; that loses data, so it is an error.
            warnings.simplefilter("error", pd.errors.ParserWarning)
            # index_col=False: never turn a first column into the index behind the user's back.
            return pd.read_csv(
                io.BytesIO(data),
                sep=delimiter,
                header=0,
                names=names,
                index_col=False,
                encoding=encoding,
                engine="c",
                skip_blank_lines=True,
            )
    except pd.errors.ParserWarning:
        raise DataError(
            f"a data row has more fields than the header names columns; check the {_DELIMITER_NAMES[delimiter]} "
            "delimiters and quoting, or name every column in the first line"
        ) from None
    except pd.errors.ParserError as exc:
        detail = str(exc).replace("Error tokenizing data. C error: ", "").strip()
        raise DataError(
            f"cannot parse the file as {_DELIMITER_NAMES[delimiter]}-separated values ({detail}); "
            "check that every line has the same number of fields and that quotes are closed"
        ) from None
    except (UnicodeDecodeError, ValueError, MemoryError, OverflowError) as exc:
        raise DataError(f"cannot parse the file ({exc}); save it as CSV UTF-8 and try again") from None


# pyarrow is not a declared dependency of linreg, but streamlit depends on it, so in practice it is
# there. Its gain is parallel parsing. Measured on our 2-core machines with a 1,000,000 x 21 numeric
# CSV (204 MB): pandas' C engine 1.3 s wall when idle and 1.3-1.5 s CPU; pyarrow 0.85 s wall when
# idle but 2.4 s CPU, and 7.5-10 s wall against 3.4-5.5 s for C when the machine is busy. A public
# demo runs many sessions at once, so below 4 cores pyarrow costs more than it saves.
_PYARROW_MIN_CPUS = 4


def _use_pyarrow() -> bool:
    """True when pyarrow is importable and this process may use at least ``_PYARROW_MIN_CPUS`` cores."""
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return False
    try:
        cpus = len(os.sched_getaffinity(0))  # respects container CPU limits
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return cpus >= _PYARROW_MIN_CPUS


def _parse_pyarrow(data: bytes, encoding: str, delimiter: str, names: list[str]) -> pd.DataFrame | None:
    """pyarrow's parse, or None when it fails on the file (ragged rows, odd quoting: the C engine
    then gives the error message) or infers a type we would have to turn back into text (dates,
    booleans), because pyarrow has already lost the original spelling."""
    try:
        df = pd.read_csv(
            io.BytesIO(data),
            sep=delimiter,
            header=0,
            names=names,
            encoding=encoding,
            engine="pyarrow",
        )
    except Exception:  # noqa: BLE001 - any pyarrow failure means "use the C engine", which reports it
        return None
    finally:
        # Arrow's allocator keeps freed blocks for reuse (the parsed table, 3x the frame here);
        # on a shared server hand them back now.
        _release_arrow_memory()
    for j, dtype in enumerate(df.dtypes):
        if dtype == object:
            # pyarrow dates arrive as Python objects; only plain strings are safe to keep.
            if not df.iloc[:, j].map(lambda v: isinstance(v, str), na_action="ignore").all():
                return None
        elif pd.api.types.is_bool_dtype(dtype) or not (
            pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_string_dtype(dtype)
        ):
            return None
    return df


def _release_arrow_memory() -> None:
    import pyarrow

    pyarrow.default_memory_pool().release_unused()


def _to_number(col: pd.Series, delimiter: str) -> pd.Series:
    """float64 if every non-missing value reads as a number, else the values as text."""
    if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
        return col.astype(np.float64)
    present = col.dropna()
    text = present.astype(str)  # booleans the C engine inferred become 'True'/'False' again
    stripped = text.str.strip()
    blank = stripped == ""
    values = stripped[~blank]
    if values.empty:
        # No values at all: an all-missing column, which is numeric NaN.
        return pd.Series(np.nan, index=col.index, dtype=np.float64, name=col.name)
    plain = pd.to_numeric(values, errors="coerce")
    if plain.notna().all():
        return _fill(col, plain)
    us = values.str.fullmatch(_US_NUMBER).all()
    eu = values.str.fullmatch(_EU_NUMBER).all()
    if us and eu:
        # Only values like 1,234: the delimiter tells which convention the file follows.
        us, eu = delimiter == ",", delimiter == ";"
    converted = None
    if us:
        converted = pd.to_numeric(values.str.replace(",", "", regex=False), errors="coerce")
    elif eu:
        converted = pd.to_numeric(
            values.str.replace(".", "", regex=False).str.replace(",", ".", regex=False), errors="coerce"
        )
    if converted is not None and converted.notna().all():  # never turn a value into NaN silently
        return _fill(col, converted)
    # Text column; a cell holding only spaces is missing, as an empty cell is.
    out = pd.Series(np.nan, index=col.index, dtype="str", name=col.name)
    kept = text[~blank]
    out[kept.index] = kept
    return out


def _fill(col: pd.Series, numbers: pd.Series) -> pd.Series:
    out = pd.Series(np.nan, index=col.index, dtype=np.float64, name=col.name)
    out[numbers.index] = numbers.to_numpy(dtype=np.float64)
    return out
