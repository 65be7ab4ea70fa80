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
    # net = bump - what is lost after (nothing changes before the first promotion day);
    # the 21 days after the week all lie within the 28 counted
    assert per_seed["net_incremental_gmv"].to_numpy() == pytest.approx(
        (per_seed["bump_gmv"] - per_seed["pulled_forward_gmv"]).to_numpy(), rel=1e-9)
    assert (per_seed["lost_gmv_later"] == 0).all()
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


def test_the_dip_is_counted_over_the_days_after_and_week_by_week(dec) -> None:
    """``after`` days: the weekly columns add up to the dip, what lies beyond is 'later',
    and bump - dip - later is the net over the run, for any window."""
    short = sim.Decomposition(dec.with_promotions, dec.without, dec.in_window, after=10)
    assert dec.weeks() == [f"lost_gmv_week_{w}" for w in (1, 2, 3, 4)]
    assert short.weeks() == ["lost_gmv_week_1", "lost_gmv_week_2"]  # days 1-7 and 8-10
    for d in (dec, short):
        p = d.per_seed()
        assert p[d.weeks()].sum(axis=1).to_numpy() == pytest.approx(
            p["pulled_forward_gmv"].to_numpy(), rel=1e-9)
        assert p["net_incremental_gmv"].to_numpy() == pytest.approx(
            (p["bump_gmv"] - p["pulled_forward_gmv"] - p["lost_gmv_later"]).to_numpy(),
            rel=1e-9)
    long, cut = dec.per_seed(), short.per_seed()
    assert (cut["lost_gmv_week_1"] == long["lost_gmv_week_1"]).all()
    assert (cut["lost_gmv_later"] > 0).all()  # days 11-21 after the week still lose GMV
    # the first week after the discount loses more than the third (shoppers stocked up,
    # lower reference prices), on average over the seeds
    assert long["lost_gmv_week_1"].mean() > 1.3 * long["lost_gmv_week_3"].mean()
    assert list(dec.since_window()[12:23]) == [-1, -1, 0, 0, 0, 0, 0, 0, 0, 1, 2]


def test_after_must_be_a_day_or_more() -> None:
    with pytest.raises(ValueError, match="from 1 to 36600"):
        sim.decompose(SC, PLAN, seeds=1, after=0)
