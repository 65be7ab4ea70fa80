"""The loyalty programme: tiers keep customers, thresholds pull buying forward, points
balance, and every cost is in the ledger."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import scenarios
import sim
from sim.schema import Strategy

RELAUNCH = scenarios.load("membership_relaunch")


def _with_loyalty(sc, loyalty) -> Strategy:
    return Strategy.model_validate({**sc.strategy.model_dump(), "loyalty": loyalty})


@pytest.fixture(scope="module")
def year() -> sim.Comparison:
    sc = RELAUNCH.with_population(20_000)
    return sim.compare(sc, {"none": _with_loyalty(sc, None), "tiers": None}, seeds=4)


@pytest.mark.slow
def test_tiers_lower_churn_over_a_year(year) -> None:
    d = year.paired("tiers", "none", "churned")
    assert d["high"] < 0, d  # fewer churned customers, CI excluding zero
    assert year.paired("tiers", "none", "active_customers")["low"] > 0


@pytest.mark.slow
def test_every_cost_of_the_programme_is_in_the_ledger(year) -> None:
    t = year.results["tiers"].totals()
    assert (t["tier_discount"] > 0).all() and (t["points_redeemed"] > 0).all()
    assert (t["birthday_gifts"] > 0).all()
    # no promotions run: member prices are the whole discount, points and gifts the
    # whole loyalty cost
    np.testing.assert_allclose(t["discount_cost"], t["tier_discount"], rtol=1e-9)
    np.testing.assert_allclose(t["loyalty_cost"], t["points_redeemed"] + t["birthday_gifts"],
                               rtol=1e-9)
    np.testing.assert_allclose(
        t["gross_profit"], t["gmv"] - t["cogs"] - t["loyalty_cost"] - t["holding_cost"],
        rtol=1e-9)
    none = year.results["none"].totals()
    assert (none[["tier_discount", "points_redeemed", "loyalty_cost"]] == 0).all().all()


def test_points_earned_minus_redeemed_is_the_liability_every_day() -> None:
    sc = RELAUNCH.with_population(5000).with_overrides({"horizon.days": 120})
    d = sim.simulate(sc, seeds=2).daily
    for _, g in d.groupby("seed"):
        balance = (g["points_issued"] - g["points_redeemed"]).cumsum()
        np.testing.assert_allclose(g["points_liability"], balance, rtol=1e-9, atol=1e-6)
        assert g["points_redeemed"].sum() > 0 and (g["points_liability"] >= -1e-9).all()


def test_tiers_follow_spend_and_reviews_move_members_down() -> None:
    sc = RELAUNCH.with_population(5000).with_overrides({"horizon.days": 100})
    model = sim.MarketModel(sc, seed=3)
    loyalty = model.loyalty
    assert loyalty is not None
    upgraded = False
    while model.running:
        before = loyalty.tier.copy()
        model.step()
        t = model.day - 1
        basis = model.population.spend
        earned = loyalty._tier_of(basis)
        members = model.population.customer
        if (t + 1) % 90 == 0:  # review day: every member sits in the tier their spend earns
            assert (loyalty.tier[members] == earned[members]).all()
            assert (loyalty.tier < before).any()  # someone moved down
        else:  # between reviews tiers only go up, and only to what spend earned
            assert (loyalty.tier >= before).all()
            assert (loyalty.tier[loyalty.tier > before] <= earned[loyalty.tier > before]).all()
            upgraded |= bool((loyalty.tier > before).any())
    assert upgraded


def test_members_just_below_a_threshold_buy_more_before_the_review() -> None:
    # a gold tier that gives nothing but status: only the goal gradient differs from a
    # programme without it (the threshold removed)
    sc = RELAUNCH.with_population(20_000).with_overrides({"horizon.days": 60})
    silver = {"name": "silver", "threshold": 0}
    base = {"basis": "spend", "review_every_days": 90, "point_value": 0.0,
            "goal_gradient": 0.5, "goal_range": 0.2}
    with_goal = _with_loyalty(sc, {**base, "tiers": [silver, {"name": "gold",
                                                              "threshold": 2000}]})
    without = _with_loyalty(sc, {**base, "tiers": [silver]})
    ratios = []
    for seed in (1, 2, 3):
        counts = []
        for plan in (with_goal, without):
            model = sim.MarketModel(sc, plan, seed=seed)
            spend = model.population.spend
            near = model.population.customer & (spend >= 1600) & (spend < 2000)
            orders = 0
            while model.running:
                model.step()
                orders += int(near[model.last_outcome.buyers].sum())
            counts.append(orders)
        ratios.append(counts[0] / counts[1])
    assert min(ratios) > 1.15, ratios


def test_tier_thresholds_must_rise_from_zero() -> None:
    with pytest.raises(ValueError, match="threshold must be 0"):
        _with_loyalty(RELAUNCH, {"tiers": [{"name": "a", "threshold": 10}]})
    with pytest.raises(ValueError, match="must rise"):
        _with_loyalty(RELAUNCH, {"tiers": [{"name": "a", "threshold": 0},
                                           {"name": "b", "threshold": 0}]})


def test_by_tier_counts_every_member() -> None:
    sc = RELAUNCH.with_population(3000).with_overrides({"horizon.days": 20})
    res = sim.simulate(sc, seeds=1)
    members = res.by_tier.groupby("day")["members"].sum()
    customers = res.daily.set_index("day")["customers"]  # alive, dormant included
    pd.testing.assert_series_equal(members, customers, check_names=False)


def test_an_offer_for_gold_and_diamond_members_reaches_only_them() -> None:
    sc = RELAUNCH.with_population(5000).with_overrides({"horizon.days": 20})
    promo = {"name": "vip week", "discount": 0.1, "tiers": ["gold", "diamond"],
             "start": "2026-01-05", "end": "2026-01-18"}
    plan = Strategy.model_validate({**sc.strategy.model_dump(), "promotions": [promo]})
    model = sim.MarketModel(sc, plan, seed=4)
    got = 0
    while model.running:
        tier = model.loyalty.tier.copy()
        member = model.population.customer.copy()
        model.step()
        out = model.last_outcome
        saving = out.list_value - out.gmv / model.loyalty.price[tier[out.buyers]]
        vip = member[out.buyers] & (tier[out.buyers] >= 1)
        in_window = 4 <= model.day - 1 <= 17
        assert np.allclose(saving[~vip], 0, atol=1e-6)
        if in_window:
            assert np.allclose(saving[vip], 0.1 * out.list_value[vip])
            got += int(vip.sum())
    assert got > 20
    with pytest.raises(ValueError, match="unknown tier 'platinum'"):
        RELAUNCH.with_overrides({"strategy.promotions": [{**promo, "tiers": ["platinum"]}]})


def test_priority_shipping_raises_the_conversion_of_members_visits() -> None:
    sc = RELAUNCH.with_population(20_000).with_overrides({"horizon.days": 30})
    loyalty = sc.strategy.loyalty.model_dump()
    fast = [{**t, "conversion": 2.0} for t in loyalty["tiers"]]
    plans = {"plain": _with_loyalty(sc, {**loyalty, "tiers": [
                 {**t, "conversion": 1.0} for t in loyalty["tiers"]]}),
             "priority": _with_loyalty(sc, {**loyalty, "tiers": fast})}
    cmp = sim.compare(sc, plans, seeds=3)

    def channel_orders(name: str) -> pd.Series:
        c = cmp.results[name].by_channel
        return c[c["channel"] != "organic"].groupby("seed")["orders"].sum()

    ratio = channel_orders("priority") / channel_orders("plain")
    assert (ratio > 1.3).all(), ratio  # members' channel visits convert twice as often
