"""Promotion dynamics: the post-promotion dip (pull-forward) and reference prices."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import scenarios
import sim
from sim.schema import Strategy


def _plan(sc, promos: list[dict]) -> Strategy:
    return Strategy.model_validate({**sc.strategy.model_dump(), "promotions": promos})


def _orders(res) -> np.ndarray:
    return res.daily.pivot(index="day", columns="seed", values="orders")


@pytest.mark.slow
def test_one_week_20pct_discount_bumps_then_dips_4_to_25pct_of_the_bump() -> None:
    sc = scenarios.load("baseline").with_overrides(
        {"population.size": 30_000, "horizon.days": 49})
    week = {"name": "week", "discount": 0.2, "start": "2026-01-15", "end": "2026-01-21"}
    cmp = sim.compare(sc, {"base": None, "promo": _plan(sc, [week])}, seeds=6)
    diff = _orders(cmp.results["promo"]) - _orders(cmp.results["base"])
    assert (diff.loc[:13] == 0).all().all()  # nothing changes before the promotion
    bump = diff.loc[14:20].sum().to_numpy()
    dip = -diff.loc[21:34].sum().to_numpy()  # the two weeks after
    n = dip.size
    half = stats.t.ppf(0.975, n - 1) * dip.std(ddof=1) / np.sqrt(n)
    assert (bump > 0).all()
    assert dip.mean() - half > 0, "the dip's CI must exclude zero"
    ratio = dip.mean() / bump.mean()
    assert 0.04 <= ratio <= 0.25


@pytest.mark.slow
def test_repeated_deep_discounts_lower_the_lift_of_a_later_one() -> None:
    sc = scenarios.load("baseline").with_overrides(
        {"population.size": 20_000, "horizon.days": 70})
    deep = [{"name": f"deep{i}", "discount": 0.4, "start": f"2026-01-{3 + 7 * i:02d}",
             "end": f"2026-01-{4 + 7 * i:02d}"} for i in range(4)]
    later = {"name": "later", "discount": 0.2, "start": "2026-02-20", "end": "2026-02-26"}
    cmp = sim.compare(sc, {"none": None, "fresh": _plan(sc, [later]),
                           "trained": _plan(sc, [*deep, later])}, seeds=4)
    o = {k: _orders(r) for k, r in cmp.results.items()}
    window, between = slice(50, 56), slice(35, 49)
    fresh = o["fresh"].loc[window].sum() / o["none"].loc[window].sum()
    trained = o["trained"].loc[window].sum() / o["none"].loc[window].sum()
    assert (trained < fresh).all()
    full_price = o["trained"].loc[between].sum() / o["none"].loc[between].sum()
    assert (full_price < 0.97).all()


def test_without_discounts_reference_and_owed_stay_neutral() -> None:
    sc = scenarios.load("double11").with_overrides({"population.size": 3000, "levers": None,
                                                    "strategy.promotions": []})
    model = sim.MarketModel(sc, seed=1).run()
    assert (model.population.reference == 1.0).all()
    assert (model.population.owed == 0.0).all()


def test_discount_lowers_reference_of_visitors_only() -> None:
    sc = scenarios.load("baseline").with_overrides(
        {"population.size": 3000, "horizon.days": 10})
    promo = {"name": "d", "discount": 0.3, "start": "2026-01-01", "end": "2026-01-10"}
    model = sim.MarketModel(sc, _plan(sc, [promo]), seed=1).run()
    ref = model.population.reference
    assert ref.min() >= 0.7 - 1e-6 and ref.max() <= 1.0
    assert 0 < (ref < 1).mean() < 1  # visitors moved, others did not
    assert (model.population.owed >= 0).all() and model.population.owed.max() > 0
