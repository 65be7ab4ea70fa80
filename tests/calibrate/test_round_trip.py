"""Round trip: a shop simulated from known parameters, its order log written by the
simulator, calibrated back; the parameters come back within their standard errors."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

import calibrate
import scenarios
import sim

pytestmark = pytest.mark.slow

TRUE = {"r": 0.6, "alpha": 80.0, "a": 0.8, "b": 4.0, "p": 4.0, "q": 5.0, "gamma": 300.0}
ARRIVALS = 40.0
SHOP = {
    "name": "known_shop", "currency": "CNY", "seed": 11,
    "horizon": {"start": "2025-01-01", "days": 640},
    "population": {
        "size": 40_000, "scale": 1.0, "initial_customer_share": 0.0,
        "initial_aware_share": 0.0, "discovery_rate": 0.0, "arrivals": ARRIVALS,
        "segments": {"all": {
            "share": 1.0,
            "purchase": {"r": TRUE["r"], "alpha": TRUE["alpha"]},
            "dropout": {"a": TRUE["a"], "b": TRUE["b"]},
            "basket": {"mean": 400.0, "shape": 3.0, "cv": 0.5},
            "spend": {"p": TRUE["p"], "q": TRUE["q"], "gamma": TRUE["gamma"]}}}},
    "catalog": {"categories": {"goods": {"price": 100.0, "unit_cost": 60.0}}},
}
UNTIL = "2026-06-30"  # day 545: the last 94 days are the back-test's


@cache
def round_trip(folder: str) -> tuple[pd.DataFrame, calibrate.Calibration]:
    path = Path(folder) / "shop.yaml"
    path.write_text(yaml.safe_dump(SHOP))
    res = sim.simulate(scenarios.load(path), seeds=1, orders=True)
    assert res.orders is not None
    log = Path(folder) / "orders.csv"
    res.orders.to_csv(log, index=False)
    cal = calibrate.from_orders(log, "customer", "date", "gmv", UNTIL, seeds=4)
    return res.orders, cal


@pytest.fixture(scope="module")
def trip(tmp_path_factory: pytest.TempPathFactory) -> tuple[pd.DataFrame,
                                                              calibrate.Calibration]:
    return round_trip(str(tmp_path_factory.mktemp("round_trip")))


def test_bgnbd_comes_back_within_its_standard_errors(trip) -> None:
    _, cal = trip
    fit = cal.segments["all"].bgnbd
    assert fit.n > 15_000
    for name in ("r", "alpha", "a", "b"):
        z = (fit.params[name] - TRUE[name]) / fit.std_errors[name]
        assert abs(z) < 3, (name, fit.params[name], fit.std_errors[name])


def test_gamma_gamma_comes_back_within_its_standard_errors(trip) -> None:
    _, cal = trip
    fit = cal.segments["all"].spend
    for name in ("p", "q", "gamma"):
        z = (fit.params[name] - TRUE[name]) / fit.std_errors[name]
        assert abs(z) < 3, (name, fit.params[name], fit.std_errors[name])


def test_arrivals_and_a_flat_calendar_come_back(trip) -> None:
    _, cal = trip
    a = cal.arrivals
    assert abs(a.per_day - ARRIVALS) < 3 * a.std_error + 1.0
    assert np.allclose(cal.calendar.weekly, 1.0, atol=0.06)
    assert len(cal.calendar.events) == 0


def test_the_calibrated_shop_forecasts_the_rest_of_its_own_log(trip) -> None:
    orders, cal = trip
    bt = cal.backtest
    assert bt is not None and bt.days == 94
    t = bt.totals.set_index("measure")
    for m in ("orders", "gmv", "buyers"):
        assert t.loc[m, "low"] <= t.loc[m, "actual"] <= t.loc[m, "high"], m
    # the log's ids are the simulator's: calibrated customers keep them
    assert set(cal.customers["customer"]) <= set(orders["customer"])


def test_new_shoppers_never_take_an_own_id() -> None:
    from sim.order_log import other_prefix

    assert other_prefix(None) == "s"
    assert other_prefix(np.array(["00004", "u7"])) == "s"
    assert other_prefix(np.array(["s1", "x"])) == "ss"
    assert other_prefix(np.array(["ss1", "s2"])) == "sss"
