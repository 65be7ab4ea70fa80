"""The CDNOW sample and its weekly summary to 1997-09-30 (FHL 2005's calibration period).

Plain cached functions rather than fixtures in a conftest: the tests run with rootdir
imports, where a second ``conftest`` module would shadow ``tests/agents/conftest.py``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pandas as pd

import calibrate

CDNOW = Path(__file__).resolve().parents[1] / "data" / "cdnow" / "CDNOW_sample.txt"
CALIBRATION_END, HOLDOUT_END = "1997-09-30", "1998-06-30"


@cache
def orders() -> pd.DataFrame:
    """The order log: customer, date, number of CDs, dollar value (do not modify)."""
    log = pd.read_csv(CDNOW, sep=r"\s+", header=None,
                      names=["customer", "sample_id", "date", "cds", "value"],
                      dtype={"customer": str, "sample_id": str, "date": str})
    log["date"] = pd.to_datetime(log["date"], format="%Y%m%d")
    return log


@cache
def weekly() -> pd.DataFrame:
    """One row per customer, in weeks, calibration period to 1997-09-30."""
    return calibrate.summarise(orders(), "customer", "date", "value", CALIBRATION_END,
                               freq_days=7)


@cache
def bgnbd_fit() -> calibrate.BGNBDFit:
    """BG/NBD fitted to the weekly summary."""
    s = weekly()
    return calibrate.fit_bgnbd(s["frequency"], s["recency"], s["T"])
