"""Threshold discounts (满减): baskets move toward the threshold; the saving is booked."""

from __future__ import annotations

import numpy as np
import pytest

import scenarios
import sim
from sim.schema import Strategy

SC = scenarios.load("baseline").with_overrides({"population.size": 20_000, "horizon.days": 14})
OFFER = {"name": "300-50", "kind": "threshold", "threshold": 300, "reduction": 50,
         "start": "2026-01-01", "end": "2026-01-14"}


def _baskets(strategy: Strategy | None) -> tuple[np.ndarray, np.ndarray]:
    model = sim.MarketModel(SC, strategy, seed=5)
    lists, gmvs = [], []
    while model.running:
        model.step()
        lists.append(model.last_outcome.list_value)
        gmvs.append(model.last_outcome.gmv)
    return np.concatenate(lists), np.concatenate(gmvs)


@pytest.fixture(scope="module")
def baskets():
    plan = Strategy.model_validate({**SC.strategy.model_dump(), "promotions": [OFFER]})
    return _baskets(None), _baskets(plan)


def test_baskets_move_to_just_above_the_threshold(baskets) -> None:
    (plain, _), (offer, _) = baskets
    def share(x, lo, hi):
        return ((x >= lo) & (x < hi)).mean()
    assert share(offer, 300, 315) > 3 * share(plain, 300, 315)
    assert share(offer, 240, 300) < share(plain, 240, 300)


def test_every_reached_basket_saves_exactly_off_and_no_other(baskets) -> None:
    _, (lists, gmvs) = baskets
    saving = lists - gmvs
    assert np.allclose(saving[lists >= 300], 50)
    assert np.allclose(saving[lists < 300], 0)


def test_offer_raises_orders_and_costs_discount() -> None:
    plan = Strategy.model_validate({**SC.strategy.model_dump(), "promotions": [OFFER]})
    cmp = sim.compare(SC, {"none": None, "offer": plan}, seeds=3)
    t = cmp.table().set_index(["kpi", "strategy"])
    assert t.loc[("orders", "offer"), "diff_ci_low"] > 0
    assert t.loc[("discount_cost", "offer"), "diff_ci_low"] > 0
    # topped-up baskets: list value per order rises on every seed
    per_order = {k: r.totals()["list_value"] / r.totals()["orders"]
                 for k, r in cmp.results.items()}
    assert (per_order["offer"] > per_order["none"]).all()


def test_threshold_needs_its_fields_and_off_below_threshold() -> None:
    with pytest.raises(ValueError, match="threshold"):
        Strategy.model_validate({"promotions": [{**OFFER, "reduction": None}]})
    with pytest.raises(ValueError, match="below threshold"):
        Strategy.model_validate({"promotions": [{**OFFER, "reduction": 400}]})
