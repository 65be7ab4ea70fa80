"""Reading a shop's order log: streamed, checked, merged to one order per customer and day.

``read_orders`` reads a CSV (plain or gzip), a Parquet file or a DataFrame, only the
columns the options name, chunk by chunk: each chunk is checked (one sentence naming the
file, column and row of the first bad value) and merged to customer-days before the next
is read, so memory grows with the distinct customer-days, not with the file. Several
rows of one customer on one day are one order, their values summed (as in the BTYD
literature, Fader, Hardie & Lee 2005). How dates, times and time zones are read is told
in ``calibrate._order_rows``: the day is the calendar day as written. ``columns_of``
lists the columns of a file (a CSV's header, a Parquet file's schema), for asking which
column is which.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path
from typing import Generic, TypeVar

import numpy as np
import pandas as pd

from calibrate._order_file import columns_of, open_orders
from calibrate._order_rows import Checked, RowChecker
from calibrate.rfm import DateLike, DayKeys, summarise_days
from sim.errors import InputError

__all__ = ["MAX_CUSTOMER_DAYS", "OrderLog", "columns_of", "read_orders"]

# customer-days are held in memory: a 2 GB CSV of 40 million customer-days peaked at
# 4.7 GiB (about 120 bytes each, with the ids and the chunk being read), so 100 million
# stay well inside a 24 GiB machine (benchmarks/calibrate_read.py --big)
MAX_CUSTOMER_DAYS = 100_000_000
P = TypeVar("P", DayKeys, pd.DataFrame)
_ATTRIBUTES = ("segment", "city_tier", "channel")


@dataclass(frozen=True, eq=False)
class OrderLog:
    """A shop's orders, one row per customer and day.

    Attributes:
        source: the file's path as given, or ``orders`` for a DataFrame.
        days: one row per (customer, day), sorted by customer then day: ``customer``
            (int code), ``date`` (datetime64[ns], a day), ``value`` (float64, the day's
            lines summed, currency) and, with the promotion option, ``promotion`` (bool:
            any line of the day flagged).
        ids: the customer ids (str) by code, in the order of first appearance.
        first: the day of the first order.
        last: the day of the last order.
        categories: with the category option, one row per (customer, category) over the
            whole log: ``customer``, ``category`` (str), ``orders`` (customer-days with a
            line of that category) and ``value`` (the value of those lines); else None.
        segment: with the option, each customer's segment (str, by code) on her first
            order day (the first row of that day); else None.
        city_tier: likewise, tier1..tier4.
        channel: likewise.
    """

    source: str
    days: pd.DataFrame
    ids: np.ndarray
    first: pd.Timestamp
    last: pd.Timestamp
    categories: pd.DataFrame | None = None
    segment: np.ndarray | None = None
    city_tier: np.ndarray | None = None
    channel: np.ndarray | None = None

    @property
    def n_customers(self) -> int:
        """Number of customers in the log."""
        return len(self.ids)

    def until_problem(self, until: DateLike) -> str | None:
        """Why ``until`` cannot end the calibration period, as one sentence; None if it can.

        It must be a day from the first order to the last one (the last day itself is
        allowed: then nothing is left for a holdout).
        """
        day = pd.Timestamp(until).normalize()
        span = f"give a day from {self.first.date()} to {self.last.date()}"
        if day < self.first:
            return f"{day.date()} is before the first order ({self.first.date()}); {span}"
        if day > self.last:
            return (f"{day.date()} is after the last order ({self.last.date()}), so the log "
                    f"does not cover the calibration period; {span}")
        return None

    def _per_day(self, dates: pd.Series, until: DateLike | None) -> pd.Series:
        end = self.last if until is None else pd.Timestamp(until).normalize()
        index = pd.date_range(self.first, end, freq="D", name="date")
        counts = dates.value_counts().reindex(index, fill_value=0).astype(np.int64)
        return counts.rename("orders")

    def daily(self, until: DateLike | None = None) -> pd.Series:
        """Orders (customer-days) per calendar day, all customers, from the first order
        through ``until`` (default: the last order), days without orders as 0."""
        return self._per_day(self.days["date"], until)

    def first_orders_per_day(self, until: DateLike | None = None) -> pd.Series:
        """New customers (first orders) per calendar day, as ``daily``."""
        firsts = self.days["date"][~self.days["customer"].duplicated()]
        return self._per_day(firsts, until)

    def summary(self, until: DateLike, *, freq_days: float = 1.0) -> pd.DataFrame:
        """The per-customer summary of ``calibrate.summarise`` for the period to ``until``.

        Indexed by customer code (``ids[code]`` is the id), in code order; customers whose
        first order is after ``until`` are left out. ``freq_days``: 7 for weeks.
        """
        return summarise_days(self.days, until, freq_days=freq_days)

    def holdout(self, until: DateLike, end: DateLike | None = None) -> pd.DataFrame:
        """What the customers of the calibration period did after it.

        Args:
            until: last day of the calibration period.
            end: last day of the holdout, included (default: the last order).

        Returns:
            Per customer whose first order is on or before ``until`` (indexed by code, as
            ``summary``): ``orders``, the order days after ``until`` (all repeat orders),
            and ``value``, their value (currency); 0 for those who did not come back.
        """
        cut = pd.Timestamp(until).normalize()
        stop = self.last if end is None else pd.Timestamp(end).normalize()
        days = self.days
        firsts = days["date"][~days["customer"].duplicated()]
        known = np.sort(days["customer"][firsts.index[firsts <= cut]].to_numpy())
        after = days[(days["date"] > cut) & (days["date"] <= stop)]
        per = after.groupby("customer")["value"].agg(["size", "sum"])
        out = pd.DataFrame({"orders": per["size"], "value": per["sum"]})
        out = out.reindex(pd.Index(known, name="customer"), fill_value=0)
        return out.astype({"orders": np.int64, "value": np.float64})


class _Pile(Generic[P]):
    """Partial aggregates, merged again once the new parts are as large as the merged
    one: each row is merged about twice, and the pile never holds much more than twice
    the distinct keys."""

    def __init__(self, merge: Callable[[list[P]], P], floor: int,
                 check: Callable[[int], None]) -> None:
        self._merge: Callable[[list[P]], P] = merge
        self._floor, self._check = floor, check
        self._parts: list[P] = []
        self._merged = self._pending = 0

    def add(self, part: P) -> None:
        self._parts.append(part)
        self._pending += len(part)
        if self._pending > max(self._merged, self._floor):
            self.result()

    def result(self) -> P:
        merged = self._merge(self._parts)
        self._parts, self._merged, self._pending = [merged], len(merged), 0
        self._check(len(merged))
        return merged


class _Codes:
    """Text mapped to integer codes in the order of first appearance, across chunks."""

    def __init__(self) -> None:
        self.of: dict[str, int] = {}

    def encode(self, text: pd.Series) -> np.ndarray:
        codes, uniques = pd.factorize(text)
        known, ids = self.of, uniques.tolist()
        # dict.get through map runs in C; only ids not seen before are added
        mapped = np.fromiter(map(known.get, ids, repeat(-1, len(ids))), dtype=np.int64,
                             count=len(ids))
        new = np.flatnonzero(mapped < 0)
        mapped[new] = np.arange(len(known), len(known) + len(new))
        known.update(zip(uniques[new].tolist(), mapped[new].tolist(), strict=True))
        return mapped[codes]

    def names(self) -> np.ndarray:
        return np.array(list(self.of), dtype=object)


def _merge_days(parts: list[DayKeys]) -> DayKeys:
    return DayKeys.concat(parts).merged()


def _merge_categories(parts: list[pd.DataFrame]) -> pd.DataFrame:
    part = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    return part.groupby(["customer", "date", "category"], sort=False)["value"].sum() \
        .reset_index()


class _Builder:
    """Accumulates the checked chunks of one log into an ``OrderLog``."""

    def __init__(self, source: str, options: set[str], chunk_rows: int) -> None:
        self.source, self.rows = source, 0
        self.customers = _Codes()
        self.texts = {opt: _Codes() for opt in options & {"category", *_ATTRIBUTES}}
        self.days = _Pile(_merge_days, chunk_rows, self._check)
        self.categories = _Pile(_merge_categories, chunk_rows, lambda n: None)
        self.first_day = np.empty(0, dtype="datetime64[D]")
        self.attributes = {opt: np.empty(0, dtype=np.int64)
                           for opt in options & set(_ATTRIBUTES)}

    def _check(self, n: int) -> None:
        if n > MAX_CUSTOMER_DAYS:
            raise InputError(self.source, None, f"the log has more than "
                             f"{MAX_CUSTOMER_DAYS:,} distinct customer-days (a customer "
                             f"buying on a day), which are refused because they would not "
                             f"fit in memory; read a shorter period or a sample of customers")

    def add(self, rows: Checked) -> None:
        self.rows += len(rows.value)
        customer = self.customers.encode(rows.customer)
        self.days.add(DayKeys.of(customer, rows.date, rows.value, rows.promotion).merged())
        codes = {opt: self.texts[opt].encode(rows.text[opt]) for opt in self.texts}
        if "category" in codes:
            self.categories.add(_merge_categories([pd.DataFrame({
                "customer": customer, "date": rows.date, "category": codes["category"],
                "value": rows.value})]))
        if self.attributes:
            self._first_rows(customer, rows.date, codes)

    def _first_rows(self, customer: np.ndarray, date: np.ndarray,
                    codes: dict[str, np.ndarray]) -> None:
        """Keep each customer's attributes from the first row of her first order day."""
        grow = len(self.customers.of) - len(self.first_day)
        self.first_day = np.concatenate([self.first_day,
                                         np.full(grow, np.datetime64("9999-12-31", "D"))])
        for opt in self.attributes:
            self.attributes[opt] = np.concatenate([self.attributes[opt],
                                                   np.full(grow, -1, dtype=np.int64)])
        order = np.lexsort((date, customer))  # stable: the first row of a day comes first
        sorted_customer = customer[order]
        head = order[np.r_[True, sorted_customer[1:] != sorted_customer[:-1]]]
        who, day = customer[head], date[head]
        earlier = day < self.first_day[who]  # a tie keeps the earlier chunk's row
        self.first_day[who[earlier]] = day[earlier]
        for opt, values in self.attributes.items():
            values[who[earlier]] = codes[opt][head[earlier]]

    def log(self) -> OrderLog:
        days = self.days.result().frame()
        categories = None
        if "category" in self.texts:
            per = self.categories.result().groupby(["customer", "category"], sort=True)
            categories = per["value"].agg(orders="size", value="sum").reset_index()
            categories["category"] = self.texts["category"].names()[
                categories["category"].to_numpy()].astype(str)
        attrs = {opt: self.texts[opt].names()[codes]
                 for opt, codes in self.attributes.items()}
        return OrderLog(self.source, days, self.customers.names(), days["date"].min(),
                        days["date"].max(), categories, **attrs)


def read_orders(source: str | Path | pd.DataFrame, customer: str, date: str, value: str, *,
                category: str | None = None, channel: str | None = None,
                city_tier: str | None = None, segment: str | None = None,
                promotion: str | None = None, chunk_rows: int = 2_000_000) -> OrderLog:
    """Read an order log, streamed, checked and merged to customer-days.

    Args:
        source: a CSV file (plain or gzip), a Parquet file, or a DataFrame (named
            ``orders`` in messages). One row per order or order line.
        customer: column of the customer id (read as text).
        date: column of the order date or time (the calendar day as written is kept).
        value: column of the order value (currency, a number of 0 or more).
        category: optional column of the product category of each line (any text).
        channel: optional column of the customer's channel (any text).
        city_tier: optional column of the customer's city tier (tier1..tier4).
        segment: optional column of the customer's segment (any text).
        promotion: optional column flagging lines bought on promotion (1/0, true/false,
            yes/no, empty for no).
        chunk_rows: rows read and merged at a time (CSV chunks, Parquet batches).

    Returns:
        The log, one row per customer and day; see ``OrderLog``.

    Raises:
        InputError: a missing file or column, a file that is not CSV or Parquet, no data
            rows, a bad value (the message names the file, column and 1-based row), or
            more than ``MAX_CUSTOMER_DAYS`` customer-days.
    """
    named = {"customer": customer, "date": date, "value": value, "category": category,
             "channel": channel, "city_tier": city_tier, "segment": segment,
             "promotion": promotion}
    columns = {opt: col for opt, col in named.items() if col is not None}
    if chunk_rows < 1:
        raise ValueError(f"chunk_rows must be at least 1, not {chunk_rows}")
    file = open_orders(source, columns, chunk_rows)
    checker, builder = RowChecker(file), _Builder(file.name, set(columns), chunk_rows)
    for chunk in file.chunks:
        builder.add(checker.check(chunk))
    if builder.rows == 0:
        raise file.no_rows()
    return builder.log()
