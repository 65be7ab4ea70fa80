"""Pull-forward alone: orders borrowed under offers, repaid out of later hazard."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import population, tiny_scenario

from agents.pull_forward import PullForward


def test_a_shopper_owing_half_an_order_has_hazard_cut_by_half_and_owes_nothing_after() -> None:
    pop = population(tiny_scenario())
    rule = PullForward(pop)
    pop.owed[0], rule.owing = 0.5, True
    hazard = np.full(pop.n, 0.8, dtype=np.float32)
    rule.repay(pop, hazard)
    assert hazard[0] == pytest.approx(0.3) and (hazard[1:] == np.float32(0.8)).all()
    assert pop.owed[0] == 0.0 and not rule.owing


def test_owing_more_than_todays_hazard_stops_buying_and_keeps_the_rest_owed() -> None:
    pop = population(tiny_scenario())
    rule = PullForward(pop)
    pop.owed[0], rule.owing = 1.0, True
    hazard = np.full(pop.n, 0.25, dtype=np.float32)
    rule.repay(pop, hazard)
    assert hazard[0] == 0.0 and pop.owed[0] == pytest.approx(0.75) and rule.owing


def test_an_order_saving_20_percent_borrows_share_times_one_minus_1_over_lift() -> None:
    sc = tiny_scenario(**{"population.pull_forward_share": 0.5})
    pop = population(sc, price_sensitivity=2.0, customer=False)
    pop.customer[:2] = True
    rule = PullForward(pop)
    buyers = np.array([0, 1, 2])
    list_value = np.array([100.0, 100.0, 100.0])
    rule.borrow(pop, buyers, list_value, np.array([80.0, 100.0, 80.0]))
    # lift L = 0.8^-2: incremental with probability 1 - 1/L = 1 - 0.64
    assert pop.owed[0] == pytest.approx(0.5 * 0.36, rel=1e-6)
    assert pop.owed[1] == 0.0  # no saving, nothing borrowed
    assert pop.owed[2] == 0.0  # a first order borrows from no household stock
    assert rule.owing
