"""Each promotion kind on its own, on a small hand-made set of shoppers and orders; the
registry; and a kind added in a test that runs with no change anywhere else."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace
from typing import ClassVar, Literal

import mesa
import numpy as np
import pytest

import scenarios
import sim
from agents.promotions import (
    DiscountOff,
    Offers,
    Promotion,
    PromotionAgent,
    Stacking,
    kinds,
    register,
)
from agents.promotions import registry as reg
from agents.promotions.registry import DEPTH_FIELD
from agents.streams import Streams
from sim.calendar import Horizon
from sim.schema import Strategy

START = dt.date(2026, 1, 1)
WINDOW = {"start": "2026-01-01", "end": "2026-01-10"}
KINDS = ["percent", "fixed", "threshold", "coupon", "presale", "flash_sale", "gift",
         "member_day", "points", "group_buy"]


class _Pop:
    """The parts of a shopper population the offers read: ``n`` shoppers alike."""

    def __init__(self, n: int, basket: float = 200.0, customer: bool = False) -> None:
        self.n = n
        self.customer = np.full(n, customer)
        self.segment = np.zeros(n, dtype=np.int64)
        self.basket_mean = np.full(n, basket, dtype=np.float32)
        self.basket_sigma = np.full(n, 0.4, dtype=np.float32)
        self.price_sensitivity = np.full(n, 2.0, dtype=np.float32)
        self.channels = ["search"]
        self.streams = Streams(np.random.SeedSequence(7))


class Config(mesa.Model):
    """A market with nothing but a horizon, no loyalty programme, fully mixed contacts."""

    def __init__(self) -> None:
        super().__init__(rng=np.random.default_rng(0))
        self.strategy = Strategy()
        self.scenario = SimpleNamespace(horizon=Horizon(start=START, days=30))
        self.word_of_mouth = SimpleNamespace(owner=None, degree=None, contact=None,
                                             config=SimpleNamespace(mean_degree=5))


def _agents(*promos: dict) -> list[PromotionAgent]:
    model = Config()
    return [PromotionAgent(model, i, Promotion.model_validate({"name": f"p{i}", **WINDOW, **p}),
                           np.ones(30, dtype=bool), ["things"], ["everyone"], scale=1.0)
            for i, p in enumerate(promos)]


def _checkout(agents: list[PromotionAgent], pop: _Pop, list_value, day: int = 0,
              stacking: Stacking | None = None):
    """Every shopper orders once, with these list values; returns the checkout and the
    list values after it (top-ups)."""
    stages = np.full(pop.n, 3)  # active customers
    today = [o for a in agents if (o := a.offer(day, pop, stages)) is not None]
    offers = Offers(today, pop.n, stacking or Stacking(), len(agents))
    lv = np.broadcast_to(np.asarray(list_value, dtype=float), (pop.n,)).copy()
    zeros = np.zeros(pop.n, dtype=np.int64)
    return offers.checkout(day, pop, np.arange(pop.n), zeros, zeros, lv), lv


# ---------------------------------------------------------------- the registry
def test_the_registry_lists_every_kind_exactly_once() -> None:
    found = kinds()
    assert list(found) == KINDS
    assert len(set(found.values())) == len(KINDS)
    for kind, cls in found.items():
        assert cls.model_fields["kind"].default == kind
        assert type(Promotion.model_validate(_some(kind))) is cls


def _minimal(kind: str) -> dict:
    need = {"percent": {"discount": 0.1}, "threshold": {"threshold": 300, "reduction": 50},
            "presale": {"deposit": 100, "final_day": "2026-01-20"},
            "flash_sale": {"discount": 0.3, "units": 5},
            "member_day": {"discount": 0.1, "day_of_month": 5},
            "group_buy": {"discount": 0.2, "group_size": 2}, "points": {"points_rate": 0.01}}
    return {"name": "x", "kind": kind, **WINDOW, **need[kind]}


@pytest.mark.parametrize(("kind", "fields", "needs", "defaults", "depth"), [
    ("percent", ("discount",), ("discount",), {}, "discount"),
    ("fixed", ("reduction",), ("reduction",), {}, "reduction"),
    ("threshold", ("threshold", "reduction", "top_up_range", "top_up_share"),
     ("threshold", "reduction"), {"top_up_range": 0.2, "top_up_share": 0.5}, "reduction"),
    ("coupon", ("reduction", "threshold"), ("reduction",), {"threshold": 0.0}, "reduction"),
    ("presale", ("deposit", "final_day", "multiplier", "forfeit_share", "uptake",
                 "max_deposits"), ("deposit", "final_day"),
     {"multiplier": 2.0, "forfeit_share": 0.1, "uptake": 0.3}, None),
    ("flash_sale", ("discount", "units", "hours"), ("discount", "units"), {"hours": 2.0},
     "discount"),
    ("gift", ("gift_cost", "gift_value", "threshold"), ("gift_cost",), {"threshold": 0.0},
     None),
    ("member_day", ("discount", "day_of_month"), ("discount", "day_of_month"), {},
     "discount"),
    ("points", ("points_rate", "multiplier", "redemption_rate"), ("points_rate",),
     {"multiplier": 2.0, "redemption_rate": 0.6}, None),
    ("group_buy", ("discount", "group_size", "join_rate", "uptake"),
     ("discount", "group_size"), {"join_rate": 0.3, "uptake": 0.3}, "discount"),
])
def test_every_kind_owns_its_fields_defaults_and_depth(kind, fields, needs, defaults,
                                                       depth) -> None:
    cls = kinds()[kind]
    assert cls.listed_fields() == fields
    assert set(cls.kind_fields()) == set(fields)
    assert cls.needs == needs and cls.defaults == defaults and cls.depth_field == depth
    assert DEPTH_FIELD.get(kind) == depth
    for f in fields:  # a field of another kind is refused with the kind's own fields named
        others = [k for k in KINDS if f not in kinds()[k].kind_fields()]
        with pytest.raises(ValueError, match=f"'{f}' does not apply to a {others[0]} "):
            Promotion.model_validate({**_some(others[0]), f: _value(f)})


def _some(kind: str) -> dict:
    return _minimal(kind) if kind in ("percent", "threshold", "presale", "flash_sale",
                                      "member_day", "group_buy", "points") else {
        "name": "x", "kind": kind, **WINDOW,
        **{"fixed": {"reduction": 10}, "coupon": {"reduction": 10},
           "gift": {"gift_cost": 10}}[kind]}


def _value(field: str) -> object:
    return {"final_day": "2026-01-20", "group_size": 2, "units": 3, "max_deposits": 3,
            "day_of_month": 3, "multiplier": 2, "hours": 3, "points_rate": 0.01}.get(field, 0.1)


def test_a_promotion_without_kind_is_a_percent_discount() -> None:
    p = Strategy.model_validate({"promotions": [{"name": "x", "discount": 0.1, **WINDOW}]})
    assert type(p.promotions[0]).__name__ == "Percent"
    with pytest.raises(ValueError, match="a threshold promotion needs 'threshold' and "
                                         "'reduction'"):
        Promotion.model_validate({"name": "x", "kind": "threshold", **WINDOW})


# ------------------------------------------------------------- each kind alone
def test_percent_saves_its_share_of_every_order() -> None:
    chk, _ = _checkout(_agents({"discount": 0.2}), _Pop(4), [100, 200, 50, 0])
    assert chk.gmv.tolist() == [80, 160, 40, 0]
    assert chk.per_promotion[0].tolist() == [3, 70, 0]  # orders that saved, cost, loyalty


def test_fixed_saves_its_amount_but_never_more_than_the_order() -> None:
    chk, _ = _checkout(_agents({"kind": "fixed", "reduction": 30}), _Pop(3), [100, 20, 30])
    assert chk.gmv.tolist() == [70, 0, 0]


def test_threshold_saves_on_baskets_that_reach_it() -> None:
    (a,) = _agents({"kind": "threshold", "threshold": 300, "reduction": 50})
    takes = np.ones(3, dtype=bool)
    assert a.promo.saving(takes, np.array([320.0, 250.0, 300.0]), takes).tolist() == [50, 0, 50]


def test_a_basket_within_top_up_range_tops_up_with_probability_top_up_share() -> None:
    agents = _agents({"kind": "threshold", "threshold": 300, "reduction": 50,
                      "top_up_range": 0.2, "top_up_share": 0.4})
    chk, lv = _checkout(agents, _Pop(4000), 260)  # 260 >= 300 x (1 - 0.2)
    topped = lv == 300
    assert abs(topped.mean() - 0.4) < 3 * np.sqrt(0.4 * 0.6 / 4000)
    assert (chk.gmv[topped] == 250).all() and (chk.gmv[~topped] == 260).all()
    _, lv = _checkout(agents, _Pop(4000), 230)  # below the range: never
    assert (lv == 230).all()


def test_coupon_is_for_first_orders_only() -> None:
    pop = _Pop(4)
    pop.customer[:2] = True
    chk, _ = _checkout(_agents({"kind": "coupon", "reduction": 20, "threshold": 99}), pop,
                       [150, 150, 150, 90])
    assert chk.gmv.tolist() == [150, 150, 130, 90]
    assert chk.tally["coupon_cost"] == 20


def test_a_presale_deposit_of_100_with_multiplier_2_saves_100_at_completion() -> None:
    (a,) = _agents({"kind": "presale", "deposit": 100, "multiplier": 2, "uptake": 1.0,
                    "forfeit_share": 0.0, "final_day": "2026-01-20"})
    pop = _Pop(3)
    chk, _ = _checkout([a], pop, [250, 300, 150])  # 150 is below 2 x 100: an order now
    assert chk.keep.tolist() == [False, False, True]
    assert chk.tally["deposits"] == 2 and chk.tally["deposit_value"] == 200
    assert a.booked()[1].tolist() == [250, 300]
    assert a.offer(19, pop, None) is None  # the final day takes no deposits
    done, forfeited, lost = a.complete(19, pop)
    assert (done.list_value - done.gmv).tolist() == [100, 100]
    assert done.shoppers.tolist() == [0, 1] and (forfeited, lost) == (0.0, 0)
    assert a.booked()[1].size == 0


def test_a_presale_takes_no_more_deposits_than_max_deposits() -> None:
    agents = _agents({"kind": "presale", "deposit": 100, "uptake": 1.0, "max_deposits": 3,
                      "final_day": "2026-01-20"})
    chk, _ = _checkout(agents, _Pop(10), 400)
    assert chk.tally["deposits"] == 3 and (~chk.keep).sum() == 3


def test_a_flash_sale_sells_no_more_than_its_units() -> None:
    (a,) = _agents({"kind": "flash_sale", "discount": 0.3, "units": 5, "hours": 24})
    pop = _Pop(50)
    chk, _ = _checkout([a], pop, 100)
    assert chk.per_promotion[0, 0] == 5 and chk.tally["flash_units"] == 5
    assert np.count_nonzero(chk.gmv[chk.keep] == 70) == 5
    assert a.units_left == 0 and a.offer(0, pop, None) is None  # sold out for today
    assert a.offer(1, pop, None) is not None  # the next day has its units again


def test_a_gift_comes_with_orders_that_reach_its_threshold_as_loyalty_cost() -> None:
    chk, _ = _checkout(_agents({"kind": "gift", "gift_cost": 30, "threshold": 500}), _Pop(3),
                       [600, 400, 500])
    assert chk.gmv.tolist() == [600, 400, 500]  # no price offer
    assert chk.tally["gift_cost"] == 60 and chk.per_promotion[0].tolist() == [2, 0, 60]


def test_points_cost_their_expected_redemption_of_what_is_paid() -> None:
    agents = _agents({"discount": 0.5}, {"kind": "points", "points_rate": 0.01,
                                         "multiplier": 3, "redemption_rate": 0.5})
    chk, _ = _checkout(agents, _Pop(2), [200, 400])
    assert chk.tally["points_cost"] == pytest.approx((100 + 200) * 0.015)


def test_member_day_is_for_customers_on_its_day_of_the_month() -> None:
    (a,) = _agents({"kind": "member_day", "discount": 0.1, "day_of_month": 5})
    assert a.needs_stages() and a.promo.month_days() == [5]
    stages = np.array([0, 1, 2, 3, 4, 5])  # prospect, aware, new, active, high_value, dormant
    offer = a.offer(0, _Pop(6), stages)
    assert offer is not None and offer.eligible.tolist() == [False, False, True, True, True,
                                                             True]


def test_a_group_deal_completes_with_group_size_and_its_joiners_pay_the_group_price() -> None:
    (a,) = _agents({"kind": "group_buy", "discount": 0.2, "group_size": 2, "uptake": 1.0,
                    "join_rate": 1.0})
    pop = _Pop(200)
    chk, _ = _checkout([a], pop, 100)
    assert chk.tally["group_deals"] == 200 and chk.tally["group_failed"] == 0
    assert (chk.gmv == 80).all()
    assert chk.extra.shoppers.size == 200  # one joiner each (group_size - 1)
    assert np.allclose(chk.extra.gmv, 0.8 * chk.extra.list_value)


def test_stacked_offers_are_capped_and_the_best_single_offer_wins_otherwise() -> None:
    agents = _agents({"discount": 0.3}, {"kind": "fixed", "reduction": 40})
    best, _ = _checkout(agents, _Pop(2), [100, 200])
    assert best.gmv.tolist() == [60, 140]
    stacked, _ = _checkout(agents, _Pop(2), [100, 200], stacking=Stacking(rule="stack", cap=0.5))
    assert stacked.gmv.tolist() == [50, 100]


# -------------------------------------------------------------- a new kind
@pytest.fixture
def toy_kind():
    """A kind registered by the test only, removed after it."""
    saved = dict(reg._KINDS)

    @register
    class Clearance(DiscountOff):
        """``discount`` off for dormant customers only."""

        kind: Literal["clearance"] = "clearance"
        needs: ClassVar[tuple[str, ...]] = ("discount",)
        default_stages: ClassVar[tuple[str, ...] | None] = ("dormant",)

    yield Clearance
    reg._KINDS.clear()
    reg._KINDS.update(saved)
    reg._CACHE.clear()


def test_a_kind_added_in_a_test_validates_from_yaml_and_runs(toy_kind, tmp_path: Path) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text("promotions:\n  - {name: last call, kind: clearance, discount: 0.25,\n"
                    "     start: 2026-01-01, end: 2026-01-10}\n")
    plan = sim.load_strategy_file(path)
    assert isinstance(plan.promotions[0], toy_kind) and DEPTH_FIELD["clearance"] == "discount"
    assert Strategy.model_validate(plan.model_dump()) == plan  # round trip
    path.write_text("promotions:\n  - {name: c, kind: clearance, discount: 0.2, units: 3,\n"
                    "     start: 2026-01-01, end: 2026-01-10}\n")
    with pytest.raises(sim.InputError, match=r"'units' does not apply to a clearance "
                                             r"promotion \(its fields: discount\)"):
        sim.load_strategy_file(path)
    # at checkout: dormant shoppers only (stage 5) save a quarter
    (a,) = _agents({"kind": "clearance", "discount": 0.25})
    stages = np.array([3, 5])
    offers = Offers([a.offer(0, _Pop(2), stages)], 2, Stacking(), 1)
    lv = np.array([100.0, 100.0])
    zeros = np.zeros(2, dtype=np.int64)
    assert offers.checkout(0, _Pop(2), np.arange(2), zeros, zeros, lv).gmv.tolist() == [100, 75]
    # and in the whole market
    sc = scenarios.load("baseline").with_overrides({"population.size": 3_000,
                                                    "horizon.days": 14})
    res = sim.simulate(sc, Strategy.model_validate(
        {**sc.strategy.model_dump(), "promotions": [plan.promotions[0].model_dump()]}), seeds=1)
    assert res.by_promotion["discount_cost"].sum() > 0
