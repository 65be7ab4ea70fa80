"""The CDNOW sample and its weekly summary to 1997-09-30 (FHL 2005's calibration period)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import calibrate

CDNOW = Path(__file__).resolve().parents[1] / "data" / "cdnow" / "CDNOW_sample.txt"
CALIBRATION_END, HOLDOUT_END = "1997-09-30", "1998-06-30"


def read_cdnow() -> pd.DataFrame:
    """The order log: customer, date, number of CDs, dollar value."""
    orders = pd.read_csv(CDNOW, sep=r"\s+", header=None,
                         names=["customer", "sample_id", "date", "cds", "value"],
                         dtype={"customer": str, "sample_id": str, "date": str})
    orders["date"] = pd.to_datetime(orders["date"], format="%Y%m%d")
    return orders


@pytest.fixture(scope="session")
def cdnow_orders() -> pd.DataFrame:
    return read_cdnow()


@pytest.fixture(scope="session")
def cdnow_weekly(cdnow_orders: pd.DataFrame) -> pd.DataFrame:
    return calibrate.summarise(cdnow_orders, "customer", "date", "value", CALIBRATION_END,
                               freq_days=7)


@pytest.fixture(scope="session")
def cdnow_bgnbd(cdnow_weekly: pd.DataFrame) -> calibrate.BGNBDFit:
    return calibrate.fit_bgnbd(cdnow_weekly["frequency"], cdnow_weekly["recency"],
                               cdnow_weekly["T"])
