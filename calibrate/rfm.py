"""From an order log to one row per customer: frequency, recency, age and spend.

The summary BG/NBD and Gamma-Gamma are fitted on (Fader, Hardie & Lee 2005): several
rows of one customer on one day are one order, ``frequency`` counts the repeat purchase
days, and ``monetary`` is the mean value of the repeat days only (the first purchase is
left out, as in the Gamma-Gamma literature, because it is not a draw of the same spend
process).

Two steps, each in one place: ``customer_days`` merges the rows of a customer on a day
(the order log reader ``calibrate.orders`` applies it chunk by chunk), and
``summarise_days`` turns those customer-days into the per-customer summary.
``summarise`` does both on a frame of order lines.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["COLUMNS", "DayKeys", "customer_days", "summarise", "summarise_days"]

COLUMNS = ("frequency", "recency", "T", "monetary", "n_orders", "first", "last")

DateLike = str | dt.date | np.datetime64

# a customer-day packed into one int64: the customer's code above _DAY_BITS bits of day
# number (days since 1970, shifted to be positive: dates 535 to 3405 fit)
_DAY_BITS = 20
_DAY_SHIFT = 1 << (_DAY_BITS - 1)


@dataclass(frozen=True)
class DayKeys:
    """Rows packed by customer-day: ``key`` (int64, customer then day), ``value`` and an
    optional ``promotion`` flag, one entry per row; ``merged`` when the keys are unique
    and sorted. The order log reader keeps its partial merges in this form."""

    key: np.ndarray
    value: np.ndarray
    promotion: np.ndarray | None = None

    @classmethod
    def of(cls, customer: np.ndarray, date: np.ndarray, value: np.ndarray,
           promotion: np.ndarray | None = None) -> DayKeys:
        """Pack rows: integer customer codes (0 or more), days (datetime64), values."""
        days = np.asarray(date).astype("datetime64[D]").astype(np.int64)
        key = (np.asarray(customer, dtype=np.int64) << _DAY_BITS) | (days + _DAY_SHIFT)
        flags = None if promotion is None else np.asarray(promotion, dtype=bool)
        return cls(key, np.asarray(value, dtype=np.float64), flags)

    @classmethod
    def concat(cls, parts: list[DayKeys]) -> DayKeys:
        flags = None if parts[0].promotion is None else np.concatenate(
            [p.promotion for p in parts if p.promotion is not None])
        return cls(np.concatenate([p.key for p in parts]),
                   np.concatenate([p.value for p in parts]), flags)

    def __len__(self) -> int:
        return len(self.key)

    def merged(self) -> DayKeys:
        """One entry per customer-day, sorted: values summed, flags any."""
        # a stable sort: already sorted runs (earlier merges) are merged in linear time
        order = np.argsort(self.key, kind="stable")
        key = self.key[order]
        starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
        flags = None if self.promotion is None else np.logical_or.reduceat(
            self.promotion[order], starts)
        return DayKeys(key[starts], np.add.reduceat(self.value[order], starts), flags)

    def customer(self) -> np.ndarray:
        return self.key >> _DAY_BITS

    def frame(self) -> pd.DataFrame:
        """The entries as columns ``customer``, ``date`` (datetime64[ns]), ``value`` and,
        when flagged, ``promotion``."""
        days = (self.key & ((1 << _DAY_BITS) - 1)) - _DAY_SHIFT
        out = pd.DataFrame({"customer": self.customer(),
                            "date": days.astype("datetime64[D]").astype("datetime64[ns]"),
                            "value": self.value})
        if self.promotion is not None:
            out["promotion"] = self.promotion
        return out


def customer_days(customer: np.ndarray, date: np.ndarray, value: np.ndarray,
                  promotion: np.ndarray | None = None) -> pd.DataFrame:
    """Merge the rows of one customer on one day into one order.

    Args:
        customer: integer customer codes (0 or more), one per row.
        date: the day of each row (datetime64, times already dropped).
        value: the value of each row (currency).
        promotion: optional flag of each row (bool); a day is flagged if any row is.

    Returns:
        One row per (customer, day), sorted by customer then day, with columns
        ``customer`` (int64), ``date`` (datetime64[ns]), ``value`` (float64, summed in
        row order) and, when given, ``promotion`` (bool).
    """
    return DayKeys.of(customer, date, value, promotion).merged().frame()


def summarise_days(days: pd.DataFrame, until: DateLike, *,
                   freq_days: float = 1.0) -> pd.DataFrame:
    """Summarise customer-days per customer for the calibration period.

    Args:
        days: one row per customer and purchase day, sorted by customer then day, with
            columns ``customer``, ``date`` (days) and ``value`` (currency), as
            ``customer_days`` returns them.
        until: last day of the calibration period, included (date-like).
        freq_days: length of the time unit in days (7 for weeks).

    Returns:
        A frame indexed by customer (named ``customer``) with the columns of
        ``summarise``; customers whose first order is after ``until`` are left out.
    """
    end = pd.Timestamp(until).normalize()
    log = days[days["date"] <= end]
    per = log.groupby("customer", sort=True)
    first, last = per["date"].min(), per["date"].max()
    n_orders = per["date"].size()
    total, first_value = per["value"].sum(), per["value"].first()  # sorted: first = day one
    repeats = n_orders - 1
    monetary = np.where(repeats > 0, (total - first_value) / repeats.clip(lower=1), 0.0)
    out = pd.DataFrame({
        "frequency": repeats.astype(int),
        "recency": (last - first).dt.days / freq_days,  # whole days: times are dropped
        "T": (end - first).dt.days / freq_days,
        "monetary": monetary,
        "n_orders": n_orders.astype(int),
        "first": first,
        "last": last,
    })
    out.index.name = "customer"
    return out


def summarise(orders: pd.DataFrame, customer: str, date: str, value: str,
              until: DateLike, *, freq_days: float = 1.0) -> pd.DataFrame:
    """Summarise an order log per customer for the calibration period.

    Args:
        orders: one row per order line; the columns named below are read.
        customer: column with the customer id.
        date: column with the order time (anything ``pd.to_datetime`` reads); the time
            of day is dropped.
        value: column with the order value (currency).
        until: last day of the calibration period, included (date-like).
        freq_days: length of the time unit in days (7 for weeks).

    Returns:
        A frame indexed by customer id with ``frequency`` (repeat purchase days),
        ``recency`` (time of the last purchase after the first), ``T`` (time from the
        first purchase to ``until``), both in units of ``freq_days`` days,
        ``monetary`` (mean value of the repeat days, currency; 0 without repeats),
        ``n_orders`` (purchase days), ``first`` and ``last`` (days). Customers whose
        first order is after ``until`` are left out; rows without a customer id too.
    """
    end = pd.Timestamp(until).normalize()
    days = pd.to_datetime(orders[date]).dt.normalize()
    codes, ids = pd.factorize(orders[customer], sort=True)
    keep = (codes >= 0) & (days <= end).to_numpy()
    merged = customer_days(codes[keep], days.to_numpy()[keep],
                           orders[value].to_numpy(dtype=float)[keep])
    out = summarise_days(merged, end, freq_days=freq_days)
    out.index = ids[out.index.to_numpy()]
    out.index.name = customer
    return out
