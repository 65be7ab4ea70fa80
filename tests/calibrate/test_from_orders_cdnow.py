"""``calibrate.from_orders`` on CDNOW: the published fit in days, the back-test, the files."""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
import pytest
from cdnow_sample import CALIBRATION_END, HOLDOUT_END, orders, weekly

import calibrate
import sim

PUBLISHED_WEEKS = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}

pytestmark = pytest.mark.slow


@cache
def cdnow() -> calibrate.Calibration:
    log = orders()
    log = log[log["date"] <= pd.Timestamp(HOLDOUT_END)]
    return calibrate.from_orders(log, "customer", "date", "value", CALIBRATION_END,
                                 seeds=8, currency="USD", name="cdnow")


def test_the_fit_in_days_is_the_published_fit_in_weeks() -> None:
    fit = cdnow().segments["all"].bgnbd
    assert fit.n == 2357
    for name, value in PUBLISHED_WEEKS.items():
        want = value * 7 if name == "alpha" else value
        assert fit.params[name] == pytest.approx(want, rel=0.01), name
    # the same likelihood: in days each repeat purchase's density is a seventh of weeks'
    repeats = int(weekly()["frequency"].sum())
    assert fit.log_likelihood == pytest.approx(-9582.43 - repeats * np.log(7), abs=0.05)


def test_a_closed_cohort_gets_no_new_customers() -> None:
    cal = cdnow()
    assert cal.arrivals.per_day == 0.0
    assert cal.arrivals.first_orders == 0
    assert cal.scenario.population.arrivals == 0.0


def test_the_back_test_against_the_holdout() -> None:
    bt = cdnow().backtest
    assert bt is not None
    assert bt.days == 273 and len(bt.weekly) == 39
    t = bt.totals.set_index("measure")
    assert t.loc["orders", "actual"] == 1882
    # the closed form: FHL's conditional expectation summed over customers
    assert t.loc["orders", "closed_form"] == pytest.approx(1653.4, abs=1.0)
    # the engine is BG/NBD day by day: it lands with the closed form, 12% below the log
    assert t.loc["orders", "simulated"] == pytest.approx(t.loc["orders", "closed_form"],
                                                         rel=0.06)
    assert t.loc["orders", "simulated"] == pytest.approx(1882, rel=0.2)
    assert t.loc["gmv", "actual"] == pytest.approx(bt.weekly["actual_gmv"].sum())
    # weekly actuals add up to the log's holdout orders of the cohort
    assert bt.weekly["actual_orders"].sum() == 1882
    assert (bt.weekly["low_orders"] <= bt.weekly["simulated_orders"]).all()


def test_the_conditional_expectation_rises_with_calibration_frequency() -> None:
    c = cdnow().backtest.conditional
    assert list(c["frequency"]) == ["0", "1", "2", "3", "4", "5", "6", "7+"]
    assert c["customers"].sum() == 2357
    for col in ("actual", "model", "simulated"):
        assert np.all(np.diff(c[col].to_numpy()[:6]) > 0), col
    # the simulation follows the model bin by bin
    np.testing.assert_allclose(c["simulated"], c["model"], rtol=0.25, atol=0.05)


def test_the_scenario_runs_and_its_files_round_trip(tmp_path) -> None:
    cal = cdnow()
    written = {p.name for p in cal.save(tmp_path)}
    assert {"scenario.yaml", "customers.csv", "fit.csv", "repeat_histogram.csv",
            "backtest.csv", "backtest_totals.csv", "conditional_expectation.csv"} <= written
    import scenarios

    sc = scenarios.load(tmp_path / "scenario.yaml")
    assert sc.population.size >= 2357
    res = sim.simulate(sc.with_overrides({"horizon.days": 30}), seeds=1)
    assert res.daily["orders"].sum() > 0
    fit = pd.read_csv(tmp_path / "fit.csv")
    row = fit[(fit["model"] == "bgnbd") & (fit["parameter"] == "r")].iloc[0]
    assert row["estimate"] == pytest.approx(0.243, rel=0.01) and row["std_error"] > 0
