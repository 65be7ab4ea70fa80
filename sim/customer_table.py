"""Reading a customer table (``population.customers``): one row per real customer.

The table is a CSV or Parquet file with these columns (``agents.customers`` says what
the engine makes of them):

* ``customer``: the customer's id (read as text), each id once;
* ``segment``: a name in ``population.segments`` (may be left out with one segment);
* ``city_tier``: optional, tier1 to tier4, or empty (drawn from the segment's shares);
* ``frequency``: repeat purchase days x, a whole number of at least 0;
* ``recency``: days from the first to the last purchase, a whole number from 0 to T
  (0 when frequency is 0);
* ``T``: days from the first purchase to the as-of date (the day before the horizon
  starts), a whole number of at least 0;
* ``monetary``: mean value of the repeat orders (currency), above 0 when frequency is
  above 0 (not read otherwise);
* ``n_orders``: purchase days, a whole number above frequency;
* ``spend``: trailing spend at the as-of date (``spend_window_days``), at least 0;
* ``categories.<name>``: optional, orders of that catalog category, at least 0.

A file is read once per (resolved path, modification time, size) and kept in memory. A
problem is an ``InputError`` naming the file, the column and the first bad row (rows
counted from 1, the header not counted).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import NoReturn

import numpy as np
import pandas as pd
from pydantic import ValidationError

from agents._config import CITY_TIERS, unknown
from agents.customers import History
from sim.errors import InputError

__all__ = ["CATEGORY_PREFIX", "COLUMNS", "input_error_in", "read_customer_table"]

#: every column a table may have besides ``categories.<name>``, in the order they are checked
COLUMNS = ("customer", "segment", "city_tier", "frequency", "recency", "T", "monetary",
           "n_orders", "spend")
REQUIRED = ("customer", "frequency", "recency", "T", "monetary", "n_orders", "spend")
CATEGORY_PREFIX = "categories."
_TEXT = ("customer", "segment", "city_tier")
_MAX_T = 100_000  # days; a first purchase further back than this is a unit mistake
_SUFFIXES = (".csv", ".parquet", ".pq")


@dataclass(frozen=True)
class _Columns:
    """A table's columns after the checks that need no scenario."""

    ids: np.ndarray
    segment: np.ndarray | None
    city_tier: np.ndarray
    numbers: dict[str, np.ndarray]
    categories: dict[str, np.ndarray]


def read_customer_table(file: str | Path, segments: list[str],
                        categories: list[str]) -> History:
    """Read and check a customer table for a scenario with ``segments`` and ``categories``.

    Args:
        file: the table (CSV or Parquet), an absolute path.
        segments: the population's segment names, in order.
        categories: the catalog's category names, in order.

    Returns:
        The table's rows (read-only arrays, shared by every scenario that reads the
        same unchanged file).

    Raises:
        InputError: the file is missing, unreadable or breaks a rule of the columns.
    """
    path = Path(file).resolve()
    try:
        st = path.stat()
    except OSError:
        raise InputError(str(path), None, "no such file; population.customers.file names "
                                          "a customer table (CSV or Parquet)") from None
    return _history(str(path), st.st_mtime_ns, st.st_size, tuple(segments), tuple(categories))


def input_error_in(exc: ValidationError) -> InputError | None:
    """The ``InputError`` a validator raised inside ``exc`` (a customer table's), if any."""
    for err in exc.errors(include_url=False):
        inner = (err.get("ctx") or {}).get("error")
        if isinstance(inner, InputError):
            return inner
    return None


@lru_cache(maxsize=8)
def _history(source: str, mtime_ns: int, size: int, segments: tuple[str, ...],
             categories: tuple[str, ...]) -> History:
    cols = _columns(source, mtime_ns, size)
    for name in cols.categories:
        if name not in categories:
            raise InputError(source, CATEGORY_PREFIX + name,
                             unknown(name, list(categories), "catalog category"))
    if cols.segment is None and len(segments) > 1:
        raise InputError(source, "segment", f"this column is missing; with {len(segments)} "
                                            f"segments ({', '.join(segments)}) each customer "
                                            "needs one")
    seg = np.zeros(cols.ids.size, dtype=np.int8)
    if cols.segment is not None:
        code = pd.Index(segments).get_indexer(pd.Index(cols.segment))
        bad = code < 0
        if bad.any():
            name = str(cols.segment[np.flatnonzero(bad)[0]])
            hint = difflib.get_close_matches(name, segments, n=1)
            did = f" (did you mean '{hint[0]}'?)" if hint else ""
            _fail(source, "segment", bad, cols.segment, cols.ids,
                  f"a segment is one of the scenario's: {', '.join(segments)}{did}")
        seg = code.astype(np.int8)
    counts = None
    if cols.categories:
        counts = np.zeros((cols.ids.size, len(categories)))
        for name, values in cols.categories.items():
            counts[:, categories.index(name)] = values
    n = cols.numbers
    hist = History(source=source, ids=cols.ids, segment=seg, city_tier=cols.city_tier,
                   frequency=n["frequency"].astype(np.int64), recency=n["recency"], T=n["T"],
                   monetary=n["monetary"], n_orders=n["n_orders"].astype(np.int32),
                   spend=n["spend"], categories=counts)
    for value in vars(hist).values():
        if isinstance(value, np.ndarray):
            value.flags.writeable = False
    return hist


@lru_cache(maxsize=4)
def _columns(source: str, mtime_ns: int, size: int) -> _Columns:
    """The file's columns, read and checked (cached by path, modification time, size)."""
    frame = _read(source)
    names = [str(c) for c in frame.columns]
    for col in names:
        if col not in COLUMNS and not (col.startswith(CATEGORY_PREFIX)
                                       and len(col) > len(CATEGORY_PREFIX)):
            raise InputError(source, col, unknown(col, [*COLUMNS, "categories.<name>"],
                                                  "column"))
    for col in REQUIRED:
        if col not in names:
            raise InputError(source, col, "this required column is missing; a customer "
                                          f"table has the columns {', '.join(REQUIRED)}, "
                                          "and may have segment, city_tier and "
                                          "categories.<name>")
    if frame.empty:
        raise InputError(source, None, "the table has no customers (no rows after the header)")
    ids = _ids(source, frame["customer"])
    numbers = _numbers(source, frame, ids)
    segment = None
    if "segment" in names:
        segment = _text(frame["segment"])
        _fail_where(source, "segment", segment == "", segment, ids,
                    "each customer needs a segment")
    return _Columns(ids=ids, segment=segment,
                    city_tier=_tiers(source, frame, ids), numbers=numbers,
                    categories={c.removeprefix(CATEGORY_PREFIX): _number(source, frame, c, ids)
                                for c in names if c.startswith(CATEGORY_PREFIX)})


def _read(source: str) -> pd.DataFrame:
    """The file as a frame; text columns as text (missing values as empty text)."""
    suffix = Path(source).suffix.lower()
    if suffix not in _SUFFIXES:
        raise InputError(source, None, f"a customer table is a .csv or .parquet file, not "
                                       f"'{suffix or 'no suffix'}'")
    try:
        if suffix == ".csv":
            return pd.read_csv(source, dtype=dict.fromkeys(_TEXT, str), na_filter=False)
        return pd.read_parquet(source)
    except pd.errors.EmptyDataError:
        raise InputError(source, None, "the file is empty; a customer table has a header "
                                       "row and one row per customer") from None
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        kind = "CSV" if suffix == ".csv" else "Parquet"
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(source, None, f"cannot be read as {kind} ({first})") from None


def _text(column: pd.Series) -> np.ndarray:
    """A text column as str, missing values (Parquet nulls) as ''."""
    missing = column.isna().to_numpy()
    values = column.astype(str).to_numpy(dtype=str)
    return np.where(missing, "", values)


def _ids(source: str, column: pd.Series) -> np.ndarray:
    ids = _text(column)
    _fail_where(source, "customer", ids == "", ids, ids, "every customer needs an id")
    dup = pd.Index(ids).duplicated()
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        j = int(np.flatnonzero(ids == ids[i])[0])
        raise InputError(source, "customer", f"row {i + 1} repeats the id {str(ids[i])!r} of row "
                                             f"{j + 1}; each customer appears once")
    return ids


def _tiers(source: str, frame: pd.DataFrame, ids: np.ndarray) -> np.ndarray:
    """City tier index per customer, -1 where not given."""
    if "city_tier" not in frame.columns:
        return np.full(ids.size, -1, dtype=np.int8)
    tiers = _text(frame["city_tier"])
    code = pd.Index(CITY_TIERS).get_indexer(pd.Index(tiers))
    _fail_where(source, "city_tier", (code < 0) & (tiers != ""), tiers, ids,
                f"a city tier is one of {', '.join(CITY_TIERS)}, or empty")
    return code.astype(np.int8)


def _number(source: str, frame: pd.DataFrame, column: str, ids: np.ndarray,
            whole: bool = False) -> np.ndarray:
    """A numeric column as float64: finite, at least 0 (and whole numbers if ``whole``)."""
    raw = frame[column]
    values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    shown = raw.to_numpy()
    _fail_where(source, column, ~np.isfinite(values), shown, ids, "it must be a number")
    _fail_where(source, column, values < 0, shown, ids, "it must be at least 0")
    if whole:
        _fail_where(source, column, values != np.floor(values), shown, ids,
                    "it must be a whole number")
    return values


def _numbers(source: str, frame: pd.DataFrame, ids: np.ndarray) -> dict[str, np.ndarray]:
    """The numeric columns, each checked and then against the others."""
    n = {c: _number(source, frame, c, ids, whole=c in ("frequency", "recency", "T",
                                                        "n_orders"))
         for c in ("frequency", "recency", "T", "monetary", "n_orders", "spend")}
    x, rec, age = n["frequency"], n["recency"], n["T"]
    _fail_where(source, "T", age > _MAX_T, age, ids,
                f"T is in days and must be at most {_MAX_T}")
    _fail_where(source, "recency", rec > age, rec, ids, "recency (days from the first to "
                "the last purchase) must be at most T (days from the first purchase to the "
                "as-of date)")
    _fail_where(source, "recency", (x == 0) & (rec > 0), rec, ids,
                "with frequency 0 (no repeat purchase) recency must be 0")
    _fail_where(source, "monetary", (x > 0) & (n["monetary"] <= 0), n["monetary"], ids,
                "with repeat purchases (frequency above 0) their mean value must be above 0")
    _fail_where(source, "n_orders", n["n_orders"] < x + 1, n["n_orders"], ids,
                "purchase days must be more than frequency (repeat purchase days)")
    return n


def _fail_where(source: str, column: str, bad: np.ndarray, values: np.ndarray,
                ids: np.ndarray, rule: str) -> None:
    if bad.any():
        _fail(source, column, bad, values, ids, rule)


def _fail(source: str, column: str, bad: np.ndarray, values: np.ndarray, ids: np.ndarray,
          rule: str) -> NoReturn:
    """Raise for the first ``bad`` row: its number, customer and value, and ``rule``."""
    i = int(np.flatnonzero(bad)[0])
    value = values[i]
    if isinstance(value, str):
        shown = repr(str(value)) if value else "an empty cell"
    elif value is None or pd.isna(value):
        shown = "an empty cell"
    else:
        shown = f"{float(value):g}"
    who = f" (customer {str(ids[i])!r})" if ids[i] != "" else ""
    raise InputError(source, column, f"row {i + 1}{who} has {shown}; {rule}")
