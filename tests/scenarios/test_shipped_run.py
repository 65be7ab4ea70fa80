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


@pytest.mark.parametrize("name", SHIPPED)
def test_implied_price_elasticity_of_orders_is_in_the_published_range(name: str) -> None:
    # a 10% sitewide cut for two weeks against none, on the same seeds, with the shipped
    # market's own promotions removed; Bijmolt et al. (2005) put most estimates in [-4, -1.5]
    sc = scenarios.load(name).with_population(20_000).with_overrides({"horizon.days": 14})
    plain = sc.strategy.model_copy(update={"promotions": []})
    cut = type(sc.strategy).model_validate({
        **plain.model_dump(), "promotions": [{"name": "cut", "discount": 0.1,
                                              "start": sc.horizon.start,
                                              "end": sc.horizon.day(13)}]})
    cmp = sim.compare(sc, {"plain": plain, "cut": cut}, seeds=4)
    orders = {k: r.totals()["orders"].sum() for k, r in cmp.results.items()}
    implied = np.log(orders["cut"] / orders["plain"]) / np.log(0.9)
    assert -4.0 <= implied <= -1.5, implied


def test_every_plot_draws_for_the_shipped_scenario(shipped, tmp_path) -> None:
    from agents.promotions import kinds, lookup
    from interfaces import plots

    _, res = shipped
    paths = plots.save_all(res, tmp_path)
    assert all(p.stat().st_size > 10_000 for p in paths)
    colours = {lookup(k).colour for k in kinds()}
    assert len(colours) == len(kinds())  # each kind its own colour in the calendar


def test_shipped_strategy_files_fit_their_scenario() -> None:
    flat = scenarios.path("membership_relaunch").parent / "strategies" / "flat_points.yaml"
    plan = sim.load_strategy_file(flat, scenarios.load("membership_relaunch"))
    assert plan.loyalty is not None and len(plan.loyalty.tiers) == 1
