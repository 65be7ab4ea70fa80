"""The per-customer summary: same-day rows merge, hand-checked numbers, late customers out."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest
from cdnow_sample import weekly

import calibrate

ORDERS = pd.DataFrame({
    "cust": ["a", "a", "a", "a", "b", "c", "c", "d"],
    "when": pd.to_datetime(["2024-01-01", "2024-01-01 18:30", "2024-01-08", "2024-01-15",
                            "2024-01-10", "2024-01-03", "2024-01-31", "2024-02-01"],
                           format="ISO8601"),
    "amount": [10.0, 5.0, 20.0, 40.0, 7.0, 3.0, 99.0, 50.0],
})


def _summary(freq_days: float = 1.0) -> pd.DataFrame:
    return calibrate.summarise(ORDERS, "cust", "when", "amount", "2024-01-29",
                               freq_days=freq_days)


def test_same_day_rows_are_one_order_and_late_customers_are_left_out() -> None:
    s = _summary()
    assert list(s.index) == ["a", "b", "c"]  # d first bought after `until`
    assert s.loc["a", "n_orders"] == 3  # two rows on 1 January are one order
    assert s.loc["c", "n_orders"] == 1  # the order of 31 January is after `until`


def test_frequency_recency_age_and_monetary_by_hand() -> None:
    s = _summary()
    a, b = s.loc["a"], s.loc["b"]
    assert (a["frequency"], a["recency"], a["T"]) == (2, 14.0, 28.0)
    assert a["monetary"] == pytest.approx(30.0)  # mean of the repeat days 20 and 40
    assert (b["frequency"], b["recency"], b["T"], b["monetary"]) == (0, 0.0, 19.0, 0.0)
    assert a["first"] == pd.Timestamp("2024-01-01") and a["last"] == pd.Timestamp("2024-01-15")
    weekly = _summary(freq_days=7)
    assert (weekly.loc["a", "recency"], weekly.loc["a", "T"]) == (2.0, 4.0)


def test_cdnow_summary() -> None:
    cdnow_weekly = weekly()
    assert len(cdnow_weekly) == 2357
    assert cdnow_weekly["frequency"].sum() == 2457
    assert cdnow_weekly["T"].max() == pytest.approx(272 / 7)  # 1 January to 30 September
    assert (cdnow_weekly["frequency"] > 0).sum() == 946


def test_a_million_orders_in_a_few_seconds() -> None:
    rng = np.random.default_rng(0)
    n = 1_000_000
    orders = pd.DataFrame({
        "c": rng.integers(0, 200_000, n),
        "d": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 365, n), unit="D"),
        "v": rng.gamma(2.0, 20.0, n),
    })
    start = time.perf_counter()
    s = calibrate.summarise(orders, "c", "d", "v", "2024-12-31", freq_days=7)
    assert time.perf_counter() - start < 5.0
    assert len(s) == orders["c"].nunique()
    assert s["n_orders"].sum() == len(orders.drop_duplicates(["c", "d"]))
