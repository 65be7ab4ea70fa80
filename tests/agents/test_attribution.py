"""Attribution alone: visits and orders split over their sources in proportion to hazards."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import population, tiny_scenario

from agents.attribution import order_sources, visits_by_channel
from agents.demand import Intent
from agents.population import ShopperPopulation

SOCIAL = 1


def _intent(pop: ShopperPopulation, own: float, channel: float,
            contacts: float | None = None) -> Intent:
    """Every shopper visits and buys; own hazard ``own`` (contacts' part included), one
    live channel with ``ctr * sat * response = channel``."""
    n = pop.n
    everyone = np.arange(n)
    return Intent(
        visitors=everyone, buyers=everyone, base=np.full(n, own, dtype=np.float32),
        contacts=0.0 if contacts is None else np.full(n, contacts, dtype=np.float32),
        lift=1.0, lift_k=None, tier_price=None, conv=None, live=np.array([SOCIAL]),
        ctr_sat=np.array([1.0], dtype=np.float32),
        response=np.full((1, n), channel, dtype=np.float32),
        visit_hazard=np.full(n, own + channel, dtype=np.float32),
        churned=np.zeros(n, dtype=bool))


def test_last_touch_splits_orders_in_proportion_to_the_sources_hazards() -> None:
    pop = population(tiny_scenario(n=40_000))
    conversion = np.zeros(6)
    conversion[SOCIAL] = 1.0
    source, by_word = order_sources(0, pop, _intent(pop, own=1.0, channel=3.0), conversion)
    organic = len(pop.channels)
    assert by_word is None
    assert set(np.unique(source)) == {SOCIAL, organic}
    assert (source == organic).mean() == pytest.approx(0.25, abs=0.01)


def test_a_referral_programme_makes_word_of_mouth_a_source_of_its_own() -> None:
    pop = population(tiny_scenario(n=40_000))
    conversion = np.zeros(6)
    conversion[SOCIAL] = 1.0
    intent = _intent(pop, own=1.0, channel=1.0, contacts=0.5)
    source, by_word = order_sources(0, pop, intent, conversion, word_of_mouth=True)
    assert by_word is not None
    # own 0.5, word of mouth 0.5, channel 1.0; word of mouth's orders count as organic
    assert by_word.mean() == pytest.approx(0.25, abs=0.01)
    assert (source[by_word] == len(pop.channels)).all()
    assert (source == SOCIAL).mean() == pytest.approx(0.5, abs=0.01)


def test_churned_customers_do_not_come_back_through_a_channel() -> None:
    pop = population(tiny_scenario(n=1000))
    intent = _intent(pop, own=1.0, channel=3.0)
    intent.churned[:] = True
    source, _ = order_sources(0, pop, intent, np.ones(6))
    assert (source == len(pop.channels)).all()


def test_visits_split_over_sources_in_proportion_to_visit_hazards() -> None:
    pop = population(tiny_scenario(n=100))
    visits = visits_by_channel(_intent(pop, own=1.0, channel=3.0), len(pop.channels))
    assert visits[SOCIAL] == pytest.approx(0.75 * pop.n)
    assert visits.sum() == pytest.approx(visits[SOCIAL])
