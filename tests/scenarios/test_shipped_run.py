"""Every shipped scenario runs end to end on a small population and makes sense."""

from __future__ import annotations

import numpy as np
import pytest

import scenarios
import sim

SHIPPED = scenarios.names()


def test_the_shipped_set_is_not_empty() -> None:
    assert {"baseline", "double11"} <= set(SHIPPED)


@pytest.fixture(scope="module", params=SHIPPED)
def shipped(request: pytest.FixtureRequest) -> tuple[sim.Scenario, sim.Results]:
    # 3,000 simulated shoppers standing for the scenario's whole market (scale adjusted)
    sc = scenarios.load(request.param).with_population(3000)
    return sc, sim.simulate(sc, seeds=2)


def test_runs_over_its_horizon_with_sales(shipped) -> None:
    sc, res = shipped
    assert res.n_seeds == 2
    assert len(res.daily) == 2 * sc.horizon.n_days
    totals = res.totals()
    assert (totals["gmv"] > 0).all() and (totals["orders"] > 0).all()
    assert (totals["visitors"] >= totals["orders"]).all()
    summary = res.summary()
    assert np.isfinite(summary.loc[["gmv", "orders", "aov", "conversion_rate"]]).all().all()


def test_spends_within_its_budget(shipped) -> None:
    sc, res = shipped
    spend = res.totals()["marketing_spend"]
    assert (spend <= sc.strategy.budget * (1 + 1e-12)).all()
    if sc.strategy.budget > 0:  # and does spend most of it: a plan, not a no-op
        assert (spend >= 0.5 * sc.strategy.budget).all()


def test_double11_main_day_dwarfs_an_ordinary_day() -> None:
    sc = scenarios.load("double11").with_population(3000)
    res = sim.simulate(sc, seeds=2)
    gmv = res.daily.pivot(index="date", columns="seed", values="gmv")
    main_day = gmv.loc["2026-11-11"]
    assert (main_day >= 3 * gmv.median()).all(), (main_day / gmv.median()).to_dict()
    # and it is the biggest day of the horizon
    assert (gmv.idxmax() == gmv.index[gmv.index.get_loc("2026-11-11")]).all()
