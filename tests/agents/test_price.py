"""Percentage discounts and the constant-elasticity price response."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import scenarios
import sim
from sim.schema import Strategy


@pytest.fixture(scope="module")
def market():
    return scenarios.load("baseline").with_overrides(
        {"population.size": 20_000, "horizon.days": 42})


def _with_discount(sc, depth: float) -> Strategy:
    promo = {"name": "week", "kind": "percent", "discount": depth,
             "start": "2026-01-15", "end": "2026-01-21", "categories": "all"}
    return Strategy.model_validate({**sc.strategy.model_dump(), "promotions": [promo]})


def test_zero_discount_equals_no_promotion_exactly(market) -> None:
    a = sim.simulate(market, None, seeds=2)
    b = sim.simulate(market, _with_discount(market, 0.0), seeds=2)
    pd.testing.assert_frame_equal(a.daily, b.daily)


@pytest.mark.slow
def test_discount_raises_orders_in_window_and_costs_margin(market) -> None:
    base = sim.simulate(market, None, seeds=3)
    promo = sim.simulate(market, _with_discount(market, 0.2), seeds=3)
    window = slice(14, 20)

    def orders(res):
        return res.daily.pivot(index="day", columns="seed", values="orders")

    lift = orders(promo).loc[window].sum() / orders(base).loc[window].sum()
    # elasticities of 1.8-3 give (0.8)^-e = 1.5-1.95x on the discounted share of demand
    assert lift.min() > 1.3
    before = slice(0, 13)
    assert (orders(promo).loc[before] == orders(base).loc[before]).all().all()
    t = promo.totals()
    assert (t["discount_cost"] > 0).all()
    assert t["discount_cost"].to_numpy() == pytest.approx(
        (t["list_value"] - t["gmv"]).to_numpy())
    assert (promo.totals()["gross_margin"] < base.totals()["gross_margin"]).all()


def test_implied_elasticity_of_orders_matches_price_sensitivity(market) -> None:
    # Each hazard scales by (1 - d)^-e, so orders respond with elasticity about -e,
    # averaged over segments in proportion to their orders (the shipped 1.8 to 3.0).
    short = market.with_overrides({"horizon.days": 14})
    promo = {"name": "all", "discount": 0.1, "start": "2026-01-01", "end": "2026-01-14"}
    plan = Strategy.model_validate({**short.strategy.model_dump(), "promotions": [promo]})
    base = sim.simulate(short, None, seeds=4).totals()["orders"].sum()
    cut = sim.simulate(short, plan, seeds=4).totals()["orders"].sum()
    implied = np.log(cut / base) / np.log(1 - 0.1)
    segs = short.population.segments.values()
    lo, hi = min(s.price_sensitivity for s in segs), max(s.price_sensitivity for s in segs)
    assert -hi <= implied <= -lo
    assert -4.0 <= implied <= -1.5
