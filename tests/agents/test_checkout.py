"""Checkout alone: stock hook, member prices, presale completions, costs."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
from conftest import population, tiny_scenario

from agents.checkout import Checkout
from agents.demand import Intent
from agents.population import ShopperPopulation


def _intent(pop: ShopperPopulation, buyers: np.ndarray,
            tier_price: np.ndarray | None = None) -> Intent:
    n = pop.n
    return Intent(visitors=buyers, buyers=buyers, base=np.ones(n, dtype=np.float32),
                  contacts=0.0, lift=1.0, lift_k=None, tier_price=tier_price, conv=None,
                  live=np.zeros(0, dtype=np.int64), ctr_sat=np.zeros(0, dtype=np.float32),
                  response=np.zeros((0, n), dtype=np.float32),
                  visit_hazard=np.ones(n, dtype=np.float32), churned=np.zeros(n, dtype=bool))


class _SoldOut:
    """Stock that cannot serve the first order, whose buyer leaves disappointed."""

    def fulfil(self, day: int, pop: ShopperPopulation, buyers: np.ndarray,
               category: np.ndarray, list_value: np.ndarray, keep: np.ndarray,
               value: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        out = keep.copy()
        out[0] = False
        return out, buyers[:1]


@dataclass
class _Presale:
    shoppers: np.ndarray
    channel: np.ndarray
    category: np.ndarray
    list_value: np.ndarray
    gmv: np.ndarray


def test_a_stock_out_drops_the_order_and_returns_the_disappointed_customer() -> None:
    sc = tiny_scenario()
    pop = population(sc, customer=True, alive=True)
    buyers = np.array([3, 5, 8])
    orders = Checkout(sc, stock=_SoldOut()).run(0, pop, _intent(pop, buyers), np.ones(6))
    assert orders.buyers.tolist() == [5, 8] and orders.n_own == 2
    assert orders.departed.tolist() == [3]
    assert pop.alive.all()  # checkout decides, the lifecycle stage applies


def test_orders_pay_list_value_without_offers_and_cost_their_categorys_ratio() -> None:
    sc = tiny_scenario()
    pop = population(sc)
    orders = Checkout(sc).run(0, pop, _intent(pop, np.arange(10)), np.ones(6))
    np.testing.assert_array_equal(orders.gmv, orders.list_value)
    ratio = np.array([c.unit_cost / c.price for c in sc.catalog.categories.values()])
    np.testing.assert_allclose(orders.cogs, orders.list_value * ratio[orders.category])
    assert orders.offer_gmv is None and orders.referrals is None


def test_members_pay_their_tiers_share_of_the_price() -> None:
    sc = tiny_scenario()
    pop = population(sc)
    tier = np.full(pop.n, 0.9, dtype=np.float32)
    orders = Checkout(sc).run(0, pop, _intent(pop, np.arange(10), tier), np.ones(6))
    np.testing.assert_allclose(orders.gmv, 0.9 * orders.list_value, rtol=1e-6)
    assert orders.tally["tier_discount"] == pytest.approx(0.1 * orders.list_value.sum())


def test_presale_completions_join_the_days_orders_after_the_own_ones() -> None:
    sc = tiny_scenario()
    pop = population(sc)
    done = _Presale(np.array([30, 31]), np.array([6, 6]), np.array([1, 2]),
                    np.array([200.0, 300.0]), np.array([180.0, 270.0]))
    orders = Checkout(sc).run(0, pop, _intent(pop, np.arange(4)), np.ones(6), None, done)
    assert orders.n_own == 4 and orders.buyers[4:].tolist() == [30, 31]
    assert orders.gmv[4:].tolist() == [180.0, 270.0]
    assert orders.tally["presale_orders"] == 2.0
