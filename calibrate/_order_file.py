"""Opening an order log (CSV, gzip CSV, Parquet or a DataFrame) and reading it in chunks.

Only the columns named by the options are read, as text from a CSV (so that every bad
value can be named with its row) and as stored from Parquet. A CSV is told from its
first bytes: gzip is unpacked, the separator is the comma unless the header has none
and has semicolons or tabs, a UTF-8 byte order mark is dropped and blank lines are not
rows. pyarrow's CSV reader is used because it refuses a row with more fields than the
header (pandas' reader drops the extra fields of the columns it does not read, so that
``12,50`` would silently be 12). ``calibrate._order_rows`` checks
each chunk.
"""

from __future__ import annotations

import difflib
import gzip
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pv
import pyarrow.parquet as pq

from sim.errors import InputError

__all__ = ["FRAME_SOURCE", "OPTIONS", "Chunk", "OrderFile", "columns_of", "open_orders"]

FRAME_SOURCE = "orders"
# the command-line option that names each column, for messages
OPTIONS = {"customer": "--customer", "date": "--date", "value": "--value",
           "category": "--category", "channel": "--channel", "city_tier": "--city-tier",
           "segment": "--segment", "promotion": "--promotion"}
PARQUET_SUFFIXES = (".parquet", ".pq", ".parq")
_SAVE_AS = "save it as CSV (UTF-8) or Parquet"
_SNIFF_BYTES = 1 << 16


@dataclass(frozen=True)
class Chunk:
    """Consecutive rows of an order log.

    Attributes:
        rows: one column per option given (named by the option: ``customer``, ``date``,
            ...), positions 0, 1, ... from the chunk's first row.
        first_row: the 1-based number of the chunk's first row in the log.
    """

    rows: pd.DataFrame
    first_row: int


@dataclass(frozen=True)
class OrderFile:
    """An opened order log: its name for messages, how its rows are counted, its chunks.

    Attributes:
        name: the file's path as given, or ``orders`` for a DataFrame.
        columns: option -> column name, for the options given.
        has_header: a CSV, whose rows are counted after the header.
        chunks: the rows, chunk by chunk (read lazily, once).
    """

    name: str
    columns: dict[str, str]
    has_header: bool
    chunks: Iterator[Chunk]

    def row(self, number: int) -> str:
        """How a message names row ``number`` (1-based)."""
        return f"data row {number} (header excluded)" if self.has_header else f"row {number}"

    def no_rows(self) -> InputError:
        """The error for a log without a single order."""
        what = "only a header" if self.has_header else "no rows"
        return InputError(self.name, None, f"the order log has no data rows ({what}); it "
                                           "needs one row per order or order line")


def _missing(name: str, columns: dict[str, str], present: list[str]) -> None:
    """Raise for the first option whose column the source does not have."""
    for option, column in columns.items():
        if column in present:
            continue
        shown = ", ".join(map(str, present[:30])) + (
            f" and {len(present) - 30} more" if len(present) > 30 else "")
        lower = {str(c).lower(): str(c) for c in present}
        hint = difflib.get_close_matches(str(column).lower(), list(lower), n=1)
        did = f" (did you mean '{lower[hint[0]]}'?)" if hint else ""
        raise InputError(name, OPTIONS[option],
                         f"there is no column '{column}'{did}; the columns are {shown}")


def _frame_chunks(frame: pd.DataFrame, columns: dict[str, str],
                  chunk_rows: int) -> Iterator[Chunk]:
    for start in range(0, len(frame), chunk_rows):
        yield _roles(frame.iloc[start:start + chunk_rows], columns, start + 1)


def _roles(raw: pd.DataFrame, columns: dict[str, str], first_row: int) -> Chunk:
    raw = raw.reset_index(drop=True)
    return Chunk(pd.DataFrame({opt: raw[col] for opt, col in columns.items()}), first_row)


def _head(path: Path, name: str) -> tuple[bytes, bool]:
    """The first bytes of a file, unpacked if it is gzip, and whether it is."""
    if not path.exists():
        raise InputError(name, None, "there is no such file")
    if path.is_dir():
        raise InputError(name, None, "is a directory; give one CSV or Parquet file")
    try:
        with path.open("rb") as fh:
            head = fh.read(_SNIFF_BYTES)
        packed = head[:2] == b"\x1f\x8b"
        if packed:
            with gzip.open(path, "rb") as gz:
                head = gz.read(_SNIFF_BYTES)
    except (OSError, EOFError) as exc:
        raise InputError(name, None, f"cannot be read ({exc})") from None
    return head, packed


def _separator(head: bytes, name: str) -> str:
    """The CSV separator, from the header line; refuses what is not UTF-8 CSV text."""
    if not head.strip():
        raise InputError(name, None, "the file is empty; an order log is a CSV or Parquet "
                                     "file with a header and one row per order")
    if head[:2] == b"PK":
        raise InputError(name, None, f"is a ZIP archive (an Excel workbook?), not a CSV "
                                     f"or Parquet file; {_SAVE_AS}")
    if b"\x00" in head:
        raise InputError(name, None, f"holds binary data, not CSV text or Parquet; {_SAVE_AS}")
    try:
        header = head.split(b"\n", 1)[0].decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(name, None, f"is not UTF-8 text; {_SAVE_AS}") from None
    if "," not in header:
        for sep in (";", "\t"):
            if sep in header:
                return sep
    return ","


def _tables(batches: Iterable[pa.RecordBatch], rows: int) -> Iterator[pa.Table]:
    """The batches regrouped into tables of ``rows`` rows (the last may be shorter)."""
    held: list[pa.RecordBatch] = []
    count = 0
    for batch in batches:
        held.append(batch)
        count += batch.num_rows
        while count >= rows:
            table = pa.Table.from_batches(held)
            yield table.slice(0, rows)
            rest = table.slice(rows)
            held, count = rest.to_batches(), rest.num_rows
    if count:
        yield pa.Table.from_batches(held)


def _csv_chunks(path: Path, name: str, columns: dict[str, str], names: list[str], sep: str,
                packed: bool, chunk_rows: int) -> Iterator[Chunk]:
    bad: list[pv.InvalidRow] = []

    def refuse(row: pv.InvalidRow) -> str:
        bad.append(row)
        return "error"

    wanted = list(dict.fromkeys(columns.values()))
    read = 0
    try:
        # one thread: the parser then numbers the rows of a ragged line
        reader = pv.open_csv(
            pa.input_stream(str(path), compression="gzip" if packed else None),
            read_options=pv.ReadOptions(column_names=names, skip_rows=1, use_threads=False,
                                        block_size=1 << 24),
            parse_options=pv.ParseOptions(delimiter=sep, newlines_in_values=True,
                                          invalid_row_handler=refuse),
            convert_options=pv.ConvertOptions(include_columns=wanted,
                                              column_types=dict.fromkeys(wanted, pa.string())))
        for table in _tables(reader, chunk_rows):
            yield _roles(table.to_pandas(), columns, read + 1)
            read += table.num_rows
    except (pa.ArrowException, OSError, EOFError) as exc:
        raise _unreadable(name, exc, bad, read) from None


def _unreadable(name: str, exc: Exception, bad: list[pv.InvalidRow], read: int) -> InputError:
    """The sentence for a CSV that stops being readable after ``read`` rows."""
    if bad:
        row = bad[0]
        where = f"data row {row.number - 1} (header excluded)" if row.number else "a row"
        return InputError(name, None, f"{where} has {row.actual_columns} fields where the "
                          f"header has {row.expected_columns} (a separator inside a value, "
                          f"such as a decimal comma, needs quotes): {row.text[:80]!r}")
    if "UTF8" in str(exc):
        return InputError(name, None, f"is not UTF-8 text after data row {read}; {_SAVE_AS}")
    return InputError(name, None, f"cannot be read as CSV after data row {read} ({exc})")


def _csv_header(path: Path, name: str) -> tuple[list[str], str, bool]:
    """The column names of a CSV, its separator and whether it is gzip."""
    head, packed = _head(path, name)
    sep = _separator(head, name)
    try:
        header = pd.read_csv(path, sep=sep, nrows=0, encoding="utf-8-sig",
                             skipinitialspace=True, compression="gzip" if packed else None)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, OSError, ValueError) as exc:
        raise InputError(name, None, f"cannot be read as CSV ({exc})") from None
    return [str(c).strip() for c in header.columns], sep, packed


def _open_csv(path: Path, name: str, columns: dict[str, str], chunk_rows: int) -> OrderFile:
    names, sep, packed = _csv_header(path, name)
    _missing(name, columns, names)
    return OrderFile(name, columns, True,
                     _csv_chunks(path, name, columns, names, sep, packed, chunk_rows))


def _parquet(path: Path, name: str) -> pq.ParquetFile:
    try:
        return pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as exc:
        raise InputError(name, None, f"cannot be read as Parquet ({exc})") from None


def _is_parquet(path: Path, name: str) -> bool:
    """A Parquet file by its suffix or its first bytes (else it is read as CSV)."""
    return path.suffix.lower() in PARQUET_SUFFIXES or _head(path, name)[0][:4] == b"PAR1"


def _open_parquet(path: Path, name: str, columns: dict[str, str],
                  chunk_rows: int) -> OrderFile:
    file = _parquet(path, name)
    _missing(name, columns, list(file.schema_arrow.names))

    def chunks() -> Iterator[Chunk]:
        read = 0
        try:
            batches = file.iter_batches(batch_size=chunk_rows,
                                        columns=list(dict.fromkeys(columns.values())))
            for batch in batches:
                yield _roles(batch.to_pandas(date_as_object=False), columns, read + 1)
                read += batch.num_rows
        except (pa.ArrowException, OSError) as exc:
            raise InputError(name, None, f"cannot be read as Parquet after row {read} "
                                         f"({exc})") from None

    return OrderFile(name, columns, False, chunks())


def open_orders(source: str | Path | pd.DataFrame, columns: dict[str, str],
                chunk_rows: int) -> OrderFile:
    """Open an order log for reading the named columns in chunks of ``chunk_rows`` rows.

    Raises:
        InputError: no such file, not CSV or Parquet, unreadable, or a named column is
            missing (the message names its option and lists the columns there are).
    """
    if isinstance(source, pd.DataFrame):
        _missing(FRAME_SOURCE, columns, list(source.columns))
        return OrderFile(FRAME_SOURCE, columns, False,
                         _frame_chunks(source, columns, chunk_rows))
    path, name = Path(source), str(source)
    if _is_parquet(path, name):
        return _open_parquet(path, name, columns, chunk_rows)
    return _open_csv(path, name, columns, chunk_rows)


def columns_of(path: str | Path) -> list[str]:
    """The column names of an order log: a CSV's header, a Parquet file's schema.

    Raises:
        InputError: no such file, not CSV or Parquet, or unreadable.
    """
    file, name = Path(path), str(path)
    if _is_parquet(file, name):
        return [str(c) for c in _parquet(file, name).schema_arrow.names]
    return _csv_header(file, name)[0]
