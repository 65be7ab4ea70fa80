"""Outreach alone: delivery cap, fatigue, unsubscribes and the fatigue penalty."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import CRM, population, tiny_scenario

from agents.exposure import Reached
from agents.outreach import Outreach


def _reached(n: int, intensity: dict[int, np.ndarray] | None = None,
             quiet: tuple[int, ...] = ()) -> Reached:
    q = np.zeros(6, dtype=bool)
    q[list(quiet)] = True
    return Reached(np.zeros(6), np.ones(6), intensity or {}, q)


def test_a_message_channel_sends_at_most_its_cap_per_subscriber() -> None:
    sc = tiny_scenario(**{"channels.crm.max_messages_per_day": 2})
    pop = population(sc)
    outreach = Outreach(pop)
    bought = np.zeros(6)
    bought[CRM], bought[0] = 100.0, 7.0
    audience = [None] * 6
    audience[CRM] = np.arange(pop.n) < 10  # ten subscribers
    sent, share = outreach.deliver(bought, audience)
    assert sent[CRM] == 20.0 and share[CRM] == pytest.approx(0.2)
    assert sent[0] == 7.0 and share[0] == 1.0  # a paid channel is not capped


def test_fatigue_adds_messages_and_decays_on_live_quiet_days() -> None:
    sc = tiny_scenario()
    pop = population(sc)
    outreach = Outreach(pop)
    fd = sc.channels["crm"].fatigue_decay
    msgs = np.full(pop.n, 0.5, dtype=np.float32)
    outreach.tire(0, pop, _reached(pop.n, {CRM: msgs}))
    np.testing.assert_allclose(pop.fatigue[0], 0.5)
    outreach.tire(1, pop, _reached(pop.n, {CRM: msgs}))
    np.testing.assert_allclose(pop.fatigue[0], 0.5 * fd + 0.5, rtol=1e-6)
    outreach.tire(2, pop, _reached(pop.n, quiet=(CRM,)))
    np.testing.assert_allclose(pop.fatigue[0], (0.5 * fd + 0.5) * fd, rtol=1e-6)
    before = pop.fatigue[0].copy()
    outreach.tire(3, pop, _reached(pop.n))  # adstock no longer live: fatigue is kept
    np.testing.assert_array_equal(pop.fatigue[0], before)


def test_only_fatigue_above_tolerance_unsubscribes_and_lowers_buying() -> None:
    sc = tiny_scenario(n=4000, **{"channels.crm.unsubscribe_rate": 0.5,
                                  "channels.crm.fatigue_penalty": 0.3})
    ch = sc.channels["crm"]
    pop = population(sc, customer=True, alive=True, subscribed=True)
    outreach = Outreach(pop)
    low = np.float32(ch.fatigue_tolerance * 0.5)
    assert outreach.tire(0, pop, _reached(pop.n, {CRM: np.full(pop.n, low)})) == 0
    assert outreach.rate_multiplier(pop) == 1.0 and pop.subscribed.all()
    pop.fatigue[:] = 0.0
    excess = np.float32(1.0)
    heavy = np.full(pop.n, np.float32(ch.fatigue_tolerance) + excess, dtype=np.float32)
    left = outreach.tire(1, pop, _reached(pop.n, {CRM: heavy}))
    # each unit of excess fatigue is a 0.5 chance to leave
    assert left == pop.n - pop.subscribed[0].sum()
    assert left / pop.n == pytest.approx(0.5 * float(excess), abs=0.04)
    np.testing.assert_allclose(outreach.rate_multiplier(pop), np.exp(-0.3 * excess), rtol=1e-5)
