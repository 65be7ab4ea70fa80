"""Exposure alone: audiences, adstock, reach and awareness on a hand-made population."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import CRM, SOCIAL, population, tiny_scenario

from agents.exposure import Exposure
from agents.streams import AWARENESS


def _bought(**per_channel: float) -> np.ndarray:
    e = np.zeros(6)
    for c, v in per_channel.items():
        e[{"social": SOCIAL, "crm": CRM}[c]] = v
    return e


def test_adstock_after_a_one_day_burst_decays_by_decay_per_day() -> None:
    sc = tiny_scenario()
    pop = population(sc)
    exposure = Exposure(pop)
    burst = _bought(social=20.0)
    exposure.expose(0, pop, burst, exposure.audiences(pop, burst))
    decay = sc.channels["social"].decay
    intensity = exposure.affinity[SOCIAL] * np.float32(20.0 / exposure.affinity[SOCIAL].sum())
    # the burst is spread in proportion to affinity: it adds up to what was bought
    assert intensity.sum() == pytest.approx(20.0, rel=1e-5)
    np.testing.assert_allclose(pop.adstock[SOCIAL], (1 - decay) * intensity, rtol=1e-6)
    day0 = pop.adstock[SOCIAL].copy()
    quiet = _bought()
    for day in (1, 2):
        reached = exposure.expose(day, pop, quiet, exposure.audiences(pop, quiet))
        np.testing.assert_allclose(pop.adstock[SOCIAL], day0 * decay**day, rtol=1e-6)
        assert reached.quiet[SOCIAL] and not reached.quiet[CRM]


def test_reach_is_the_chance_of_at_least_one_poisson_exposure() -> None:
    pop = population(tiny_scenario())
    exposure = Exposure(pop)
    burst = _bought(social=30.0)
    reached = exposure.expose(0, pop, burst, exposure.audiences(pop, burst))
    x = exposure.affinity[SOCIAL].astype(float) * 30.0 / exposure.affinity[SOCIAL].sum()
    assert reached.reach[SOCIAL] == pytest.approx((1 - np.exp(-x)).sum(), rel=1e-5)
    assert reached.reach[CRM] == 0.0 and reached.found.tolist() == [1.0] * 6


def test_a_message_channel_reaches_only_its_alive_subscribers() -> None:
    pop = population(tiny_scenario(), customer=False, alive=False)
    pop.customer[:10] = pop.alive[:10] = True
    pop.alive[0] = False  # churned
    pop.subscribed[0, :10] = True
    pop.subscribed[0, 1] = False  # unsubscribed
    exposure = Exposure(pop)
    audience = exposure.audiences(pop, _bought(crm=8.0))
    assert np.flatnonzero(audience[CRM]).tolist() == list(range(2, 10))
    assert audience[SOCIAL] is None  # not buying today: nobody to work out


def test_exposures_that_find_nobody_are_not_delivered() -> None:
    pop = population(tiny_scenario(), customer=False, alive=False)
    exposure = Exposure(pop)
    burst = _bought(crm=5.0)
    reached = exposure.expose(0, pop, burst, exposure.audiences(pop, burst))
    assert reached.found[CRM] == 0.0 and not pop.adstock[CRM].any()


def test_a_campaign_aimed_at_stages_reaches_only_those_stages() -> None:
    pop = population(tiny_scenario())
    exposure = Exposure(pop)
    codes = np.arange(pop.n) % 3
    audience = exposure.audiences(pop, _bought(social=4.0), {SOCIAL: [2]}, codes)
    assert (audience[SOCIAL] == (codes == 2)).all()


def test_without_discovery_or_forgetting_awareness_changes_only_through_exposures() -> None:
    sc = tiny_scenario(**{"population.discovery_rate": 0.0, "population.forget_rate": 0.0})
    pop = population(sc, customer=False, aware=False, alive=False)
    pop.aware[:5] = True
    exposure = Exposure(pop)
    quiet = _bought()
    exposure.expose(0, pop, quiet, exposure.audiences(pop, quiet))
    assert np.flatnonzero(pop.aware).tolist() == [0, 1, 2, 3, 4]


def test_prospects_learn_with_one_minus_exp_of_discovery_plus_exposures_and_forget() -> None:
    sc = tiny_scenario(n=2000, **{"population.forget_rate": 0.3})
    p = sc.population
    pop = population(sc, customer=False, alive=False)
    pop.customer[:100] = pop.alive[:100] = pop.aware[:100] = True
    before = pop.aware.copy()
    exposure = Exposure(pop)
    burst = _bought(social=500.0)
    exposure.expose(4, pop, burst, exposure.audiences(pop, burst))
    x = exposure.affinity[SOCIAL] * np.float32(500.0 / exposure.affinity[SOCIAL].sum())
    u = pop.streams.uniform(AWARENESS, 4, pop.n)
    learn = 1 - np.exp(-(p.discovery_rate + p.awareness_per_exposure * x))
    forget = before & ~pop.customer & (u < p.forget_rate)
    expected = (before | (u < learn)) & ~forget
    assert (pop.aware == expected).all()
    assert pop.aware[:100].all()  # customers never forget
