"""Reference prices alone: adaptation toward the price seen, and its effect on the lift."""

from __future__ import annotations

import numpy as np
from conftest import population, tiny_scenario

from agents.reference_price import ReferencePrice


def test_reference_moves_reference_adaptation_of_the_way_to_the_price_seen() -> None:
    sc = tiny_scenario(**{"population.reference_adaptation": 0.25})
    pop = population(sc)
    rule = ReferencePrice(pop)
    share = np.full((pop.n, 4), 0.2, dtype=np.float32)
    visitors = np.array([0, 3, 7])
    rule.see(pop, visitors, share)
    # list price 1, price seen 0.8: a quarter of the way
    np.testing.assert_allclose(pop.reference[visitors], 0.95, rtol=1e-6)
    others = np.setdiff1d(np.arange(pop.n), visitors)
    assert (pop.reference[others] == 1.0).all()
    rule.see(pop, visitors, share)
    np.testing.assert_allclose(pop.reference[visitors], 0.95 + 0.25 * (0.8 - 0.95), rtol=1e-6)


def test_a_lower_reference_lowers_the_lift_by_r_to_the_price_sensitivity() -> None:
    pop = population(tiny_scenario(), price_sensitivity=2.0)
    rule = ReferencePrice(pop)
    assert rule.lift(pop, 1.5) == 1.5  # references at list price: no change, no work
    rule.see(pop, np.arange(pop.n), np.full((pop.n, 4), 0.5, dtype=np.float32))
    r = pop.reference
    np.testing.assert_allclose(rule.lift(pop, 1.5), 1.5 * r**2.0, rtol=1e-6)


def test_list_prices_bring_references_back_to_one() -> None:
    sc = tiny_scenario(**{"population.reference_adaptation": 1.0})
    pop = population(sc)
    rule = ReferencePrice(pop)
    rule.see(pop, np.arange(pop.n), np.full((pop.n, 4), 0.3, dtype=np.float32))
    assert rule.moved
    rule.see(pop, np.arange(pop.n), None)
    assert not rule.moved and (pop.reference == 1.0).all()
