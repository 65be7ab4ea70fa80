"""Decomposing a promotion's effect on the same seeds."""

from __future__ import annotations

import pytest

import scenarios
import sim
from sim.schema import Strategy

SC = scenarios.load("baseline").with_overrides({"population.size": 8000, "horizon.days": 42})
WEEK = {"name": "week", "discount": 0.2, "start": "2026-01-15", "end": "2026-01-21"}
PLAN = Strategy.model_validate({**SC.strategy.model_dump(), "promotions": [WEEK]})


@pytest.fixture(scope="module")
def dec() -> sim.Decomposition:
    return sim.decompose(SC, PLAN, seeds=4)


def test_components_add_up_and_have_signs(dec) -> None:
    per_seed = dec.per_seed()
    # net = bump - what is lost after (nothing changes before the first promotion day)
    assert per_seed["net_incremental_gmv"].to_numpy() == pytest.approx(
        (per_seed["bump_gmv"] - per_seed["pulled_forward_gmv"]).to_numpy(), rel=1e-9)
    t = dec.table()
    assert t.loc["bump_gmv", "ci_low"] > 0
    assert t.loc["pulled_forward_gmv", "ci_low"] > 0
    assert t.loc["discount_cost", "mean"] > 0
    # profit: incremental gross profit minus the margin given away on orders that would
    # have happened anyway; with these elasticities the week loses money
    assert t.loc["net_incremental_profit", "mean"] < t.loc["net_incremental_gmv", "mean"]
    assert dec.in_window.sum() == 7


def test_plan_without_promotions_is_refused() -> None:
    with pytest.raises(ValueError, match="no promotions"):
        sim.decompose(SC, SC.strategy, seeds=2)
