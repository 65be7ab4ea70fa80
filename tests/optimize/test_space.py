"""The search space: every suggestion is a valid plan within the levers' bounds."""

from __future__ import annotations

import datetime as dt

import numpy as np
import optuna
import pytest

import optimize
import scenarios
from optimize.levers import Levers

D11 = scenarios.load("double11")


def _random_plans(sc, n: int = 300, seed: int = 1):
    rng = np.random.default_rng(seed)
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=seed))
    for _ in range(n):
        trial = study.ask()
        yield optimize.suggest_strategy(trial, sc)
        study.tell(trial, float(rng.random()))


def test_every_suggestion_is_a_valid_plan_within_the_levers() -> None:
    lv = D11.levers
    assert lv is not None and lv.shares is not None
    for plan in _random_plans(D11):
        assert sum(plan.shares.values()) == pytest.approx(1.0, abs=1e-9)
        for name, share in plan.shares.items():
            assert lv.shares.min.get(name, 0.0) - 1e-9 <= share <= lv.shares.max.get(name, 1) + 1e-9
        assert sum(plan.phasing.values()) == pytest.approx(1.0, abs=1e-9)
        promos = {p.name: p for p in plan.promotions}
        sitewide = promos["main day sitewide"].discount
        assert 0.0 <= sitewide <= 0.3 and round(sitewide / 0.05, 9) % 1 == 0
        assert promos["50 off 300"].reduction in {20, 30, 40, 50, 60, 70, 80}
        coupon = promos["new-user 20 off 99"]
        t = lv.timing["new-user 20 off 99"]
        assert t.earliest <= coupon.start <= t.latest
        assert t.min_days <= (coupon.end - coupon.start).days + 1 <= t.max_days


def test_shares_spread_over_the_whole_simplex() -> None:
    sc = D11.with_overrides({"levers": {"shares": {}}})
    shares = np.array([[p.shares[c] for c in sc.channels] for p in _random_plans(sc, 400)])
    # a uniform Dirichlet(1,...,1) over 6 channels: each share has mean 1/6
    assert np.allclose(shares.mean(axis=0), 1 / 6, atol=0.03)
    assert (shares.max(axis=0) > 0.5).all() and (shares.min(axis=0) < 0.01).all()


def test_known_plans_round_trip_through_their_parameters() -> None:
    for plan in (D11.strategy, optimize.equal_split(D11)):
        params = optimize.params_of(D11, plan)
        again = optimize.suggest_strategy(optuna.trial.FixedTrial(params), D11)
        for c in D11.channels:
            assert again.shares.get(c, 0.0) == pytest.approx(plan.shares.get(c, 0.0), abs=1e-6)
        for phase, v in (plan.phasing or {}).items():
            assert again.phasing[phase] == pytest.approx(v, abs=1e-6)
        assert [(p.start, p.end, p.discount, p.reduction) for p in again.promotions] == [
            (p.start, p.end, p.discount, p.reduction) for p in plan.promotions]


def test_equal_split_respects_the_share_bounds() -> None:
    plan = optimize.equal_split(D11)
    assert plan.shares["crm"] == pytest.approx(0.05)  # capped; the rest split evenly
    others = [v for k, v in plan.shares.items() if k != "crm"]
    assert np.allclose(others, 0.19)


def test_levers_must_name_what_the_plan_has() -> None:
    with pytest.raises(ValueError, match="unknown promotion 'main day sitewid'"):
        D11.with_overrides({"levers.depth": {"main day sitewid": {"min": 0, "max": 0.2}}})
    with pytest.raises(ValueError, match="no depth to search"):
        D11.with_overrides({"levers.depth": {"main day gift 500+": {"min": 0, "max": 1}}})
    with pytest.raises(ValueError, match="unknown channel 'tiktok'"):
        D11.with_overrides({"levers.shares": {"min": {"tiktok": 0.1}}})
    with pytest.raises(ValueError, match="above 1"):
        Levers.model_validate({"shares": {"min": {"a": 0.6, "b": 0.6}}})
    with pytest.raises(ValueError, match="before earliest"):
        Levers.model_validate({"timing": {"x": {"earliest": dt.date(2026, 1, 5),
                                                "latest": dt.date(2026, 1, 1)}}})


def test_loyalty_levers_give_valid_programmes_and_round_trip() -> None:
    sc = scenarios.load("membership_relaunch")
    lv = sc.levers.loyalty
    for plan in _random_plans(sc, 200):
        tiers = plan.loyalty.tiers
        assert [t.threshold for t in tiers] == sorted(t.threshold for t in tiers)
        assert tiers[0].threshold == 0 and tiers[1].threshold < tiers[2].threshold
        assert lv.price["gold"].min <= tiers[1].price <= lv.price["gold"].max
        assert 0 <= plan.loyalty.points_per_currency <= 3
    again = optimize.suggest_strategy(
        optuna.trial.FixedTrial(optimize.params_of(sc, sc.strategy)), sc)
    assert again.loyalty == sc.strategy.loyalty


def test_loyalty_levers_must_name_tiers_of_the_plan() -> None:
    sc = scenarios.load("membership_relaunch")
    with pytest.raises(ValueError, match="unknown tier 'platinum'"):
        sc.with_overrides({"levers.loyalty.price": {"platinum": {"min": 0.8, "max": 0.9}}})
    with pytest.raises(ValueError, match="no loyalty programme"):
        D11.with_overrides({"levers.loyalty": {"points_per_currency": {"min": 0, "max": 2}}})


def test_referral_reward_levers_stay_in_bounds_and_round_trip() -> None:
    sc = scenarios.load("launch")
    for plan in _random_plans(sc, 100):
        assert 0 <= plan.referral.reward_referrer <= 60
        assert 0 <= plan.referral.reward_friend <= 60
    again = optimize.suggest_strategy(
        optuna.trial.FixedTrial(optimize.params_of(sc, sc.strategy)), sc)
    assert again.referral == sc.strategy.referral
    with pytest.raises(ValueError, match="no referral programme"):
        D11.with_overrides({"levers.referral": {"reward_friend": {"min": 0, "max": 10}}})


def test_stock_levers_stay_in_bounds_and_round_trip() -> None:
    lv = D11.levers.stock
    for plan in _random_plans(D11, 150):
        for name, lever in lv.items():
            stock = plan.stock[name]
            units = sum(d.units for d in stock.deliveries)
            assert lever.deliveries.min - 1e-6 <= units <= lever.deliveries.max + 1e-6
            # the deliveries keep their dates and their split
            assert [d.date for d in stock.deliveries] == [
                d.date for d in D11.strategy.stock[name].deliveries]
            for key in ("reorder_point", "level"):
                if (b := getattr(lever, key)) is not None:
                    assert b.min <= getattr(stock.replenishment, key) <= b.max
    again = optimize.suggest_strategy(
        optuna.trial.FixedTrial(optimize.params_of(D11, D11.strategy)), D11)
    assert again.stock == D11.strategy.stock


def test_stock_levers_must_name_what_the_plan_has() -> None:
    with pytest.raises(ValueError, match="unknown category with a stock plan 'shoes'"):
        D11.with_overrides({"levers.stock": {"shoes": {"initial": {"min": 0, "max": 1}}}})
    with pytest.raises(ValueError, match="a level applies to an order_up_to policy"):
        D11.with_overrides({"levers.stock": {"home": {"level": {"min": 0, "max": 1}}}})
    plan = D11.strategy.model_dump()
    plan["stock"]["home"].pop("deliveries")
    with pytest.raises(ValueError, match="no deliveries"):
        D11.with_overrides({"strategy": plan,
                            "levers.stock": {"home": {"deliveries": {"min": 0, "max": 1}}}})
