"""The loyalty programme alone: tiers, member prices, goal gradient, points, reviews and
birthday gifts on a hand-made population (no market model)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import mesa
import numpy as np
import pydantic
import pytest
from conftest import population, tiny_scenario

from agents.loyalty import Loyalty, LoyaltyProgramme
from agents.population import ShopperPopulation

SILVER, GOLD, DIAMOND = 0, 1, 2
TIERS: list[dict[str, Any]] = [
    {"name": "silver", "threshold": 0},
    {"name": "gold", "threshold": 1000, "price": 0.95, "points_multiplier": 1.5,
     "purchase": 1.1, "dropout": 0.7},
    {"name": "diamond", "threshold": 4000, "price": 0.88, "points_multiplier": 2.0,
     "purchase": 1.2, "dropout": 0.5, "birthday_gift": 60},
]


def _config(tiers: list[dict[str, Any]] = TIERS, **settings: Any) -> Loyalty:
    return Loyalty.model_validate({"tiers": tiers, **settings})


def _model(start: dt.date = dt.date(2026, 1, 1), days: int = 365) -> mesa.Model:
    """What the programme reads of the market model: the calendar's dates."""
    model = mesa.Model()
    model.calendar = SimpleNamespace(dates=[start + dt.timedelta(d) for d in range(days)])
    return model


def _members(spend: list[float], n: int = 40, **state: Any) -> ShopperPopulation:
    """Shoppers 0..len(spend)-1 alive customers with that trailing spend; the rest
    non-customers with no spend."""
    pop = population(tiny_scenario(n), customer=False, alive=False, spend=0.0, **state)
    k = len(spend)
    pop.customer[:k] = pop.alive[:k] = True
    pop.spend[:k] = spend
    return pop


def _programme(pop: ShopperPopulation, model: mesa.Model | None = None,
               **settings: Any) -> LoyaltyProgramme:
    return LoyaltyProgramme(model or _model(), _config(**settings), pop)


# ------------------------------------------------------------------------------ tiers
def test_a_members_tier_is_the_highest_threshold_their_trailing_spend_reaches() -> None:
    pop = _members([0.0, 999.0, 1000.0, 3999.0, 4000.0, 25_000.0])
    pop.spend[6] = 9000.0  # a non-customer's spend earns nothing
    lp = _programme(pop)
    assert lp.tier[:7].tolist() == [SILVER, SILVER, GOLD, GOLD, DIAMOND, DIAMOND, SILVER]
    assert lp.counts(pop).tolist() == [2, 2, 2]
    pop.alive[4] = False  # a churned member is no longer counted
    assert lp.counts(pop).tolist() == [2, 2, 1]


def test_with_basis_orders_the_tier_follows_trailing_orders_not_spend() -> None:
    pop = _members([50_000.0] * 3)
    window = pop.params.spend_window_days
    pop.lam[:3] = np.array([1.0, 3.5, 7.0]) / window  # expected orders over the window
    tiers = [{"name": "a", "threshold": 0}, {"name": "b", "threshold": 3},
             {"name": "c", "threshold": 6}]
    lp = LoyaltyProgramme(_model(), _config(tiers, basis="orders"), pop)
    np.testing.assert_allclose(lp.order_basis[:3], [1.0, 3.5, 7.0], rtol=1e-5)
    assert lp.order_basis[3:].sum() == 0.0
    assert lp.tier[:4].tolist() == [0, 1, 2, 0]


def test_tier_thresholds_must_start_at_zero_rise_and_have_distinct_names() -> None:
    with pytest.raises(pydantic.ValidationError, match="threshold must be 0"):
        _config([{"name": "a", "threshold": 10}])
    with pytest.raises(pydantic.ValidationError, match="must rise"):
        _config([{"name": "a", "threshold": 0}, {"name": "b", "threshold": 0}])
    with pytest.raises(pydantic.ValidationError, match="tiers 0 and 1 are both named 'a'"):
        _config([{"name": "a", "threshold": 0}, {"name": "a", "threshold": 5}])


# ---------------------------------------------------------------------------- effects
def test_price_index_is_the_tiers_price_for_customers_and_one_for_others() -> None:
    pop = _members([10.0, 1500.0, 4500.0])
    lp = _programme(pop)
    np.testing.assert_allclose(lp.price_index(pop)[:4], [1.0, 0.95, 0.88, 1.0], rtol=1e-6)
    assert (lp.price_index(pop)[3:] == 1.0).all()


def test_points_share_is_the_value_of_the_points_earned_per_currency() -> None:
    pop = _members([10.0, 1500.0, 4500.0])
    lp = _programme(pop, points_per_currency=2.0, point_value=0.01)
    # 2 points per CNY x the tier's multiplier x 0.01 CNY a point; nothing for others
    np.testing.assert_allclose(lp.points_share(pop)[:4], [0.02, 0.03, 0.04, 0.0], rtol=1e-6)


def test_rate_multiplier_is_the_tiers_purchase_times_the_goal_gradient_near_the_next() -> None:
    #          silver: far, at 80%, near | gold: far, near | diamond (top) | non-customer
    spend = [500.0, 800.0, 999.0, 1000.0, 3500.0, 9000.0]
    pop = _members(spend)
    pop.spend[6] = 900.0
    lp = _programme(pop, goal_gradient=0.3, goal_range=0.2)
    expected = [1.0, 1.3, 1.3, 1.1, 1.1 * 1.3, 1.2, 1.0]
    np.testing.assert_allclose(lp.rate_multiplier(pop)[:7], expected, rtol=1e-6)
    flat = _programme(pop, goal_gradient=0.0)
    np.testing.assert_allclose(flat.rate_multiplier(pop)[:7], [1.0, 1.0, 1.0, 1.1, 1.1, 1.2,
                                                              1.0], rtol=1e-6)


def test_dropout_multiplier_is_the_buyers_tiers() -> None:
    pop = _members([10.0, 1500.0, 4500.0])
    lp = _programme(pop)
    np.testing.assert_allclose(lp.dropout_multiplier(np.array([2, 0, 1, 2])),
                               [0.5, 1.0, 0.7, 0.5], rtol=1e-6)


def test_conversion_multiplier_is_none_unless_a_tier_changes_conversion() -> None:
    pop = _members([10.0, 1500.0, 4500.0])
    assert _programme(pop).conversion_multiplier(pop) is None
    tiers = [*TIERS[:2], {**TIERS[2], "conversion": 1.25}]
    lp = LoyaltyProgramme(_model(), _config(tiers), pop)
    np.testing.assert_allclose(lp.conversion_multiplier(pop)[:4], [1.0, 1.0, 1.25, 1.0])


# ----------------------------------------------------------------------------- orders
def test_orders_earn_points_by_tier_and_redeem_at_most_a_share_once_enough_are_held() -> None:
    pop = _members([10.0, 1500.0, 4500.0])
    lp = _programme(pop, points_per_currency=1.0, point_value=0.01, redeem_min_points=1000,
                    redeem_max_share=0.3)
    lp.points[:3] = [0.0, 2000.0, 5000.0]
    buyers = np.array([0, 1, 2, 5])  # shopper 5 is not a member: no points
    out = lp.after_orders(pop, buyers, np.array([200.0, 100.0, 100.0, 300.0]))
    # earned 200 x 1, 100 x 1.5, 100 x 2 points, worth 0.01 each
    assert out["points_issued"] == pytest.approx((200 + 150 + 200) * 0.01)
    # silver holds 200 < 1000: no redemption; gold holds 2150 points = 21.5 < 30% of 100:
    # all of them; diamond holds 5200 = 52 > 30: pays 30, keeps 2200 points
    assert out["points_redeemed"] == pytest.approx(21.5 + 30.0)
    np.testing.assert_allclose(lp.points[:6], [200.0, 0.0, 2200.0, 0.0, 0.0, 0.0])
    assert lp.liability == pytest.approx(2400 * 0.01)


def test_a_member_redeems_on_their_first_order_of_the_day_only() -> None:
    pop = _members([10.0, 1500.0, 4500.0])
    lp = _programme(pop, redeem_min_points=1000, redeem_max_share=0.3, point_value=0.01)
    lp.points[2] = 5000.0
    out = lp.after_orders(pop, np.array([2, 2]), np.array([100.0, 100.0]))
    assert out["points_issued"] == pytest.approx(400 * 0.01)
    assert out["points_redeemed"] == pytest.approx(30.0)  # not 60
    assert lp.points[2] == pytest.approx(5400.0 - 3000.0)


def test_without_a_point_value_points_pile_up_and_nothing_is_redeemed() -> None:
    pop = _members([4500.0])
    lp = _programme(pop, point_value=0.0, redeem_min_points=0)
    out = lp.after_orders(pop, np.array([0]), np.array([100.0]))
    assert out == {"points_issued": 0.0, "points_redeemed": 0.0}
    assert lp.points[0] == pytest.approx(200.0)


def test_an_order_that_crosses_a_threshold_upgrades_at_once_and_none_downgrades() -> None:
    pop = _members([900.0, 4500.0, 900.0])
    lp = _programme(pop)
    assert lp.tier[:3].tolist() == [SILVER, DIAMOND, SILVER]
    # the lifecycle booked today's orders: 0 now has 1200, 1 fell to 500, 2 did not buy
    pop.spend[:3] = [1200.0, 500.0, 4200.0]
    lp.after_orders(pop, np.array([0, 1]), np.array([300.0, 50.0]))
    assert lp.tier[:3].tolist() == [GOLD, DIAMOND, SILVER]


def test_trailing_orders_decay_by_the_window_and_count_each_order() -> None:
    tiers = [{"name": "a", "threshold": 0}, {"name": "b", "threshold": 3}]
    pop = _members([0.0, 0.0])
    window = pop.params.spend_window_days
    pop.lam[:2] = 2.5 / window
    lp = LoyaltyProgramme(_model(), _config(tiers, basis="orders"), pop)
    keep = np.exp(-1.0 / window)
    lp.after_orders(pop, np.array([0]), np.array([10.0]))
    np.testing.assert_allclose(lp.order_basis[:2], [2.5 * keep + 1, 2.5 * keep], rtol=1e-5)
    assert lp.tier[:2].tolist() == [1, 0]


# ------------------------------------------------------------- reviews and birthdays
def test_a_review_day_moves_a_member_whose_spend_fell_below_their_tier_down() -> None:
    pop = _members([4500.0, 1500.0, 4500.0])
    lp = _programme(pop, review_every_days=90)
    pop.spend[:3] = [1200.0, 100.0, 4100.0]
    lp.end_of_day(88, pop)  # day 89 of the horizon: no review yet
    assert lp.tier[:3].tolist() == [DIAMOND, GOLD, DIAMOND]
    lp.end_of_day(89, pop)  # the 90th day: review
    assert lp.tier[:3].tolist() == [GOLD, SILVER, DIAMOND]
    pop.spend[:3] = 0.0
    lp.end_of_day(90, pop)
    assert lp.tier[:3].tolist() == [GOLD, SILVER, DIAMOND]  # next review on day 179
    lp.end_of_day(179, pop)
    assert lp.tier[:3].tolist() == [SILVER, SILVER, SILVER]


def test_birthday_gifts_are_charged_only_on_alive_members_birthdays() -> None:
    tiers = [TIERS[0], {**TIERS[1], "birthday_gift": 10}, TIERS[2]]
    pop = _members([4500.0, 1500.0, 4500.0, 10.0, 4500.0])
    pop.alive[4] = False  # churned
    # the horizon starts on 1 March 2026: day 0 is day 59 of the year (from 0)
    model = _model(dt.date(2026, 3, 1), days=30)
    lp = LoyaltyProgramme(model, _config(tiers, review_every_days=1000), pop)
    lp.birthday[:] = 300
    lp.birthday[:6] = [59 + 10, 59 + 10, 59 + 11, 59 + 10, 59 + 10, 59 + 10]
    # 5 is a non-customer
    gifts = [lp.end_of_day(d, pop)["birthday_gifts"] for d in range(30)]
    assert gifts[10] == pytest.approx(60.0 + 10.0)  # diamond 0 and gold 1 (silver 3: none)
    assert gifts[11] == pytest.approx(60.0)
    assert sum(gifts) == pytest.approx(130.0)


def test_over_a_year_every_alive_member_gets_exactly_one_gift() -> None:
    pop = _members([5000.0] * 40)
    lp = _programme(pop, review_every_days=1000)
    assert 0 <= lp.birthday.min() and lp.birthday.max() <= 364
    total = sum(lp.end_of_day(d, pop)["birthday_gifts"] for d in range(365))
    assert total == pytest.approx(40 * 60.0)


def test_no_gift_in_the_programme_charges_nothing() -> None:
    tiers = [TIERS[0], TIERS[1], {**TIERS[2], "birthday_gift": 0}]
    pop = _members([5000.0] * 40)
    lp = LoyaltyProgramme(_model(), _config(tiers), pop)
    assert sum(lp.end_of_day(d, pop)["birthday_gifts"] for d in range(365)) == 0.0
