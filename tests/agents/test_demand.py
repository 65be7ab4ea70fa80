"""Demand alone: own buying by state, price response, modifiers, one uniform for both draws."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
from conftest import population, tiny_scenario

from agents.demand import Demand
from agents.population import ShopperPopulation

NO_CHANNEL = np.zeros(6, dtype=bool)
CONVERSION = np.full(6, 0.05)


class _Flat:
    """A rate modifier that changes nothing."""

    def rate_multiplier(self, pop: ShopperPopulation) -> float:
        return 1.0


@dataclass
class _Offers:
    share: np.ndarray | None
    price_share: np.ndarray | None

    def checkout(self, *args: object, **kwargs: object) -> None:  # pragma: no cover
        raise AssertionError("demand does not check out")


class _Member:
    """Members (customers) buy twice as often and pay 90% of the price."""

    def rate_multiplier(self, pop: ShopperPopulation) -> np.ndarray:
        return np.where(pop.customer, np.float32(2.0), np.float32(1.0))

    def price_index(self, pop: ShopperPopulation) -> np.ndarray:
        return np.where(pop.customer, np.float32(0.9), np.float32(1.0))

    def points_share(self, pop: ShopperPopulation) -> np.ndarray:
        return np.zeros(pop.n, dtype=np.float32)

    def conversion_multiplier(self, pop: ShopperPopulation) -> None:
        return None


def _states(pop: ShopperPopulation) -> None:
    """Shoppers 0-9 prospects, 10-19 aware, 20-29 customers, 30-39 churned."""
    pop.aware[:] = np.arange(pop.n) >= 10
    pop.customer[:] = np.arange(pop.n) >= 20
    pop.alive[:] = pop.customer & (np.arange(pop.n) < 30)


def test_own_buying_rate_by_state() -> None:
    sc = tiny_scenario()
    pop = population(sc, lam=0.2)
    _states(pop)
    intent = Demand(pop, sc, _Flat()).run(0, pop, 1.5, CONVERSION, NO_CHANNEL)
    f = sc.population.aware_purchase_factor
    expected = np.repeat([0.0, f * 0.2 * 1.5, 0.2 * 1.5, 0.0], 10)
    np.testing.assert_allclose(intent.base, expected, rtol=1e-6)
    assert set(intent.buyers) <= set(intent.visitors)  # one uniform: a buyer is a visitor
    assert not set(intent.visitors) & set(range(10))  # prospects never come


def test_a_20_percent_saving_with_price_sensitivity_2_lifts_hazard_by_1_5625() -> None:
    sc = tiny_scenario()
    pop = population(sc, lam=0.1, price_sensitivity=2.0, customer=True, alive=True, aware=True)
    share = np.full((pop.n, len(pop.category_names)), 0.2, dtype=np.float32)
    intent = Demand(pop, sc, _Flat()).run(0, pop, 1.0, CONVERSION, NO_CHANNEL,
                                         _Offers(share, share))
    np.testing.assert_allclose(intent.lift, 1.5625, rtol=1e-5)
    np.testing.assert_allclose(intent.base, 0.1 * 1.5625, rtol=1e-5)


def test_a_saving_on_one_category_lifts_in_proportion_to_its_preference() -> None:
    sc = tiny_scenario()
    pop = population(sc, price_sensitivity=2.0)
    pop.prefs[:] = [0.5, 0.5, 0.0, 0.0]
    share = np.zeros((pop.n, 4), dtype=np.float32)
    share[:, 0] = 0.2
    intent = Demand(pop, sc, _Flat()).run(0, pop, 1.0, CONVERSION, NO_CHANNEL,
                                         _Offers(share, share))
    np.testing.assert_allclose(intent.lift, 0.5 * 1.5625 + 0.5, rtol=1e-5)


def test_members_rate_and_price_modifiers_multiply_the_hazard() -> None:
    sc = tiny_scenario()
    pop = population(sc, lam=0.1, price_sensitivity=3.0)
    _states(pop)
    intent = Demand(pop, sc, _Flat(), member=_Member()).run(0, pop, 1.0, CONVERSION,
                                                            NO_CHANNEL)
    alive = slice(20, 30)
    np.testing.assert_allclose(intent.base[alive], 0.1 * 2.0 * 0.9**-3.0, rtol=1e-5)
    np.testing.assert_allclose(intent.tier_price[alive], 0.9)


def test_a_live_channel_adds_visits_at_ctr_times_saturating_response() -> None:
    sc = tiny_scenario()
    pop = population(sc, lam=0.0)
    ch = sc.channels["social"]
    pop.adstock[1] = 2.0
    live = NO_CHANNEL.copy()
    live[1] = True
    intent = Demand(pop, sc, _Flat()).run(0, pop, 1.0, CONVERSION, live)
    visit = ch.ctr * ch.saturation * (1 - np.exp(-2.0 / ch.saturation))
    np.testing.assert_allclose(intent.visit_hazard, visit, rtol=1e-5)
    # its purchase hazard is the visit hazard times conversion (churned excluded)
    assert intent.live.tolist() == [1]


def test_monthly_seasonality_scales_a_categorys_hazard() -> None:
    season = [2.0] * 12
    sc = tiny_scenario(**{"catalog.categories.fashion.seasonality": season})
    pop = population(sc, lam=0.1, customer=True, alive=True, aware=True)
    pop.prefs[:] = [0.25, 0.25, 0.25, 0.25]
    intent = Demand(pop, sc, _Flat()).run(0, pop, 1.0, CONVERSION, NO_CHANNEL)
    np.testing.assert_allclose(intent.base, 0.1 * (0.25 * 2.0 + 0.75), rtol=1e-5)
    assert intent.lift_k is not None and intent.lift_k[0] == pytest.approx(2.0)
