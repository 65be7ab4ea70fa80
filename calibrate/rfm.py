"""From an order log to one row per customer: frequency, recency, age and spend.

The summary BG/NBD and Gamma-Gamma are fitted on (Fader, Hardie & Lee 2005): several
rows of one customer on one day are one order, ``frequency`` counts the repeat purchase
days, and ``monetary`` is the mean value of the repeat days only (the first purchase is
left out, as in the Gamma-Gamma literature, because it is not a draw of the same spend
process).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

__all__ = ["COLUMNS", "summarise"]

COLUMNS = ("frequency", "recency", "T", "monetary", "n_orders", "first", "last")

DateLike = str | dt.date | np.datetime64


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
        first order is after ``until`` are left out.
    """
    end = pd.Timestamp(until).normalize()
    days = pd.to_datetime(orders[date]).dt.normalize()
    log = pd.DataFrame({"c": orders[customer].to_numpy(), "d": days.to_numpy(),
                        "v": orders[value].to_numpy(dtype=float)})
    log = log[log["d"] <= end]
    daily = log.groupby(["c", "d"], sort=True)["v"].sum().reset_index()
    per = daily.groupby("c", sort=True)
    first, last = per["d"].min(), per["d"].max()
    n_orders = per["d"].size()
    total, first_value = per["v"].sum(), per["v"].first()  # sorted by day: first = day one
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
    out.index.name = customer
    return out
