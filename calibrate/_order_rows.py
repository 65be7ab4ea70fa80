"""Checking the rows of an order log chunk by chunk: each bad value is one sentence.

Dates: the calendar day as written. A time of day is dropped; a time zone is dropped
too, keeping the local day (``2026-11-11T00:30:00+08:00`` is 11 November, whatever the
day in UTC). Text dates are read in one format for the whole log: ISO 8601
(``2026-09-30``, with an optional time and zone) when the first date looks like it,
otherwise the format pandas guesses from the first date; when that date reads both
month-first and day-first (``05/01/2026``) the reading that fits more of the first
rows wins, month-first on a tie. Dates must lie in the years 1900 to 2200.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pandas.api import types
from pandas.tseries.api import guess_datetime_format

from agents._config import CITY_TIERS
from calibrate._order_file import OPTIONS, Chunk, OrderFile
from sim.errors import InputError

__all__ = ["Checked", "RowChecker"]

ISO = "ISO8601"
_ISO_START = re.compile(r"\d{4}-\d{2}-\d{2}")
# an ISO time followed by a zone: keep the date and time, drop the zone
_ZONE = r"^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)\s*(?:Z|[+-]\d{2}(?::?\d{2})?)$"
_OLDEST, _NEWEST = np.datetime64("1900-01-01"), np.datetime64("2200-12-31")
_FORMAT_SAMPLE = 100_000
_YES, _NO = ("1", "true", "yes"), ("0", "false", "no", "")
_NUMBER = ("a number of 0 or more, with a dot for decimals and no currency sign or "
           "thousands separator")
_FREE = {"category": "category", "channel": "channel", "segment": "segment"}


@dataclass(frozen=True)
class Checked:
    """The checked rows of a chunk, in file order.

    Attributes:
        customer: the customer ids (text, spaces around them dropped).
        date: the day of each row (datetime64[D]).
        value: the value of each row (currency, finite, 0 or more).
        text: the optional text columns given (``category``, ``channel``, ``segment``,
            ``city_tier``, the latter as tier1..tier4).
        promotion: the promotion flag of each row, when the option is given.
    """

    customer: pd.Series
    date: np.ndarray
    value: np.ndarray
    text: dict[str, pd.Series] = field(default_factory=dict)
    promotion: np.ndarray | None = None


def _as_text(col: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """A column as stripped text, and where it is missing or empty."""
    if types.is_float_dtype(col.dtype):
        whole = col.dropna()
        if bool((whole == np.floor(whole)).all()):  # ids stored as floats: 123.0 -> 123
            col = col.astype("Int64")
    missing = col.isna().to_numpy()
    text = col.astype(str).str.strip()
    return text, missing | (text == "").to_numpy()


def _numbers(col: pd.Series) -> np.ndarray:
    """Text as numbers, NaN where it is none: Arrow's cast when every value is a plain
    number (25 times faster), else pandas' reading of each value, spaces dropped."""
    try:
        cast = pc.cast(pa.array(col.array, from_pandas=True), pa.float64())
        return np.asarray(cast.to_numpy(zero_copy_only=False), dtype=np.float64)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return pd.to_numeric(col.astype(str).str.strip(), errors="coerce").to_numpy(
            dtype=np.float64, na_value=np.nan)


class RowChecker:
    """Checks the chunks of one order log; the date format is fixed by its first chunk."""

    def __init__(self, file: OrderFile) -> None:
        self.file = file
        self.date_format: str | None = None

    def _bad(self, option: str, row: int, what: str) -> InputError:
        column = self.file.columns[option]
        return InputError(self.file.name, f"column '{column}' ({OPTIONS[option]})",
                          f"{self.file.row(row)} {what}")

    def check(self, chunk: Chunk) -> Checked:
        """The checked rows of ``chunk``.

        Raises:
            InputError: at the first bad value, naming its column, row and what is allowed.
        """
        rows, first = chunk.rows, chunk.first_row
        customer, missing = _as_text(rows["customer"])
        if missing.any():
            raise self._bad("customer", first + int(np.argmax(missing)),
                            "has no customer id; every row needs one")
        date = self._dates(rows["date"], first)
        value = self._values(rows["value"], first)
        text = {opt: self._free(rows[opt], opt, first) for opt in _FREE if opt in rows}
        if "city_tier" in rows:
            text["city_tier"] = self._tiers(rows["city_tier"], first)
        promotion = self._flags(rows["promotion"], first) if "promotion" in rows else None
        return Checked(customer, date, value, text, promotion)

    def _choose_format(self, text: pd.Series, first: int) -> str:
        given = text[text != ""]
        if given.empty or _ISO_START.match(str(given.iloc[0])):
            return ISO
        sample, head = given.iloc[:_FORMAT_SAMPLE], str(given.iloc[0])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            guesses = [f for f in dict.fromkeys((guess_datetime_format(head),
                                                 guess_datetime_format(head, dayfirst=True)))
                       if f is not None]
        if not guesses:
            raise self._bad("date", first + int(given.index[0]),
                            f"has '{head}', which is not a date; write dates such as "
                            f"2026-09-30 or 2026-09-30 14:05:00+08:00")
        fails = [int(pd.to_datetime(sample, format=f, errors="coerce").isna().sum())
                 for f in guesses]
        return guesses[int(np.argmin(fails))]

    def _parse(self, text: pd.Series, first: int) -> pd.Series:
        if self.date_format is None:
            self.date_format = self._choose_format(text, first)
        try:
            parsed = pd.to_datetime(text, format=self.date_format, errors="coerce")
        except ValueError:  # time zones that differ between rows: keep the local times
            if self.date_format != ISO:
                raise
            parsed = pd.to_datetime(text.str.replace(_ZONE, r"\1", regex=True),
                                    format=ISO, errors="coerce")
        if isinstance(parsed.dtype, pd.DatetimeTZDtype):
            parsed = parsed.dt.tz_localize(None)
        return parsed

    def _dates(self, col: pd.Series, first: int) -> np.ndarray:
        if isinstance(col.dtype, pd.DatetimeTZDtype):
            parsed = col.dt.tz_localize(None)  # the local wall time
        elif types.is_datetime64_dtype(col.dtype):
            parsed = col
        else:
            parsed = self._parse(col.astype(str).str.strip(), first)
        days = parsed.to_numpy(dtype="datetime64[us]").astype("datetime64[D]")
        bad = np.isnat(days) | (days < _OLDEST) | (days > _NEWEST)
        if not bad.any():
            return days
        i = int(np.argmax(bad))
        given = col.iloc[i]
        if pd.isna(given) or str(given).strip() == "":
            raise self._bad("date", first + i, "has no date; every row needs one")
        if not np.isnat(days[i]):
            raise self._bad("date", first + i, f"has {days[i]}, outside the years 1900 "
                                               f"to 2200")
        shown = ("ISO 8601 such as 2026-09-30 or 2026-09-30 14:05:00+08:00"
                 if self.date_format == ISO else f"{self.date_format}, as the first date")
        raise self._bad("date", first + i, f"has '{str(given).strip()}', which is not a "
                                           f"date in the log's format ({shown})")

    def _values(self, col: pd.Series, first: int) -> np.ndarray:
        if types.is_numeric_dtype(col.dtype) and not types.is_bool_dtype(col.dtype):
            value = col.to_numpy(dtype=np.float64, na_value=np.nan)
        else:
            value = _numbers(col)
        bad = ~np.isfinite(value) | (value < 0)
        if not bad.any():
            return value
        i = int(np.argmax(bad))
        given = col.iloc[i]
        shown = "" if pd.isna(given) else str(given).strip()
        if shown == "":
            what = f"has no order value; every row needs one, {_NUMBER}"
        elif np.isnan(value[i]):
            what = f"has '{shown}', which is not a number; allowed: {_NUMBER}"
        elif not np.isfinite(value[i]):
            what = f"has '{shown}', which is not a finite number; allowed: {_NUMBER}"
        else:
            what = (f"has {shown}, a negative order value; allowed: {_NUMBER} (returns and "
                    f"refunds are not read)")
        raise self._bad("value", first + i, what)

    def _free(self, col: pd.Series, option: str, first: int) -> pd.Series:
        text, missing = _as_text(col)
        if missing.any():
            raise self._bad(option, first + int(np.argmax(missing)),
                            f"has no {_FREE[option]}; every row needs one (any text)")
        return text

    def _tiers(self, col: pd.Series, first: int) -> pd.Series:
        text, _ = _as_text(col)
        text = text.fillna("").str.lower()
        bad = ~text.isin(CITY_TIERS).to_numpy()
        if bad.any():
            i = int(np.argmax(bad))
            given = "no city tier" if text.iloc[i] == "" else f"'{col.iloc[i]}'"
            raise self._bad("city_tier", first + i,
                            f"has {given}, which is not a city tier; allowed: "
                            f"{', '.join(CITY_TIERS)} (regions cannot be mapped to tiers yet)")
        return text

    def _flags(self, col: pd.Series, first: int) -> np.ndarray:
        if types.is_bool_dtype(col.dtype):
            return col.fillna(False).to_numpy(dtype=bool)
        if types.is_numeric_dtype(col.dtype):
            flag = col.to_numpy(dtype=np.float64, na_value=0.0)
            bad = (flag != 0) & (flag != 1)
            text = col.astype(str)
        else:
            text = col.astype(str).fillna("").str.strip().str.lower()
            bad = ~text.isin(_YES + _NO).to_numpy()
            flag = text.isin(_YES).to_numpy()
        if bad.any():
            i = int(np.argmax(bad))
            raise self._bad("promotion", first + i,
                            f"has '{str(col.iloc[i]).strip()}', which is not a promotion "
                            f"flag; allowed: 1/0, true/false, yes/no, or empty for no")
        return np.asarray(flag, dtype=bool)
