"""Every promotion kind at checkout: who gets it, what each order saves, what it costs."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

import scenarios
import sim
from agents._config import STAGES
from sim.schema import Strategy

SC = scenarios.load("baseline").with_overrides({"population.size": 20_000, "horizon.days": 21})
WINDOW = {"start": "2026-01-08", "end": "2026-01-14"}  # days 7-13


def _plan(promos: list[dict], **extra) -> Strategy:
    return Strategy.model_validate({**SC.strategy.model_dump(), "promotions": promos, **extra})


@dataclass
class Orders:
    """Every order of one run, one row each, with the shopper's state at the start of the day."""

    frame: pd.DataFrame
    model: sim.MarketModel


def _orders(strategy: Strategy, seed: int = 3) -> Orders:
    model = sim.MarketModel(SC, strategy, seed=seed)
    rows = []
    while model.running:
        day = model.day
        pop = model.population
        stage = model.lifecycle.stages(day)
        model.step()
        out = model.last_outcome
        rows.append(pd.DataFrame({
            "day": day, "shopper": out.buyers, "category": out.category, "new": out.new,
            "list_value": out.list_value, "gmv": out.gmv, "cogs": out.cogs,
            "segment": pop.segment[out.buyers], "stage": stage[out.buyers]}))
    f = pd.concat(rows, ignore_index=True)
    f["saving"] = f["list_value"] - f["gmv"]
    f["in_window"] = f["day"].between(7, 13)
    return Orders(f, model)


def _ledger(o: Orders, key: str) -> np.ndarray:
    return o.model.ledger.daily[key]


FASHION = list(SC.catalog.categories).index("fashion")


def test_best_single_offer_takes_the_largest_saving() -> None:
    promos = [{"name": "ten", "discount": 0.10, **WINDOW},
              {"name": "fashion", "discount": 0.30, "categories": ["fashion"], **WINDOW}]
    f = _orders(_plan(promos)).frame
    w = f[f.in_window]
    share = w.saving / w.list_value
    assert np.allclose(share[w.category == FASHION], 0.30)
    assert np.allclose(share[w.category != FASHION], 0.10)
    assert (f[~f.in_window].saving == 0).all()


def test_stacked_offers_add_up_to_the_cap() -> None:
    promos = [{"name": "ten", "discount": 0.10, **WINDOW},
              {"name": "fashion", "discount": 0.30, "categories": ["fashion"], **WINDOW}]
    o = _orders(_plan(promos, stacking={"rule": "stack", "cap": 0.35}))
    w = o.frame[o.frame.in_window]
    share = w.saving / w.list_value
    assert np.allclose(share[w.category == FASHION], 0.35)  # 10% + 30% capped at 35%
    assert np.allclose(share[w.category != FASHION], 0.10)
    # the capped saving is credited to both offers in proportion (1:3)
    by = o.model.ledger.by_promotion["discount_cost"].sum(axis=0)
    fashion_saving = w.saving[w.category == FASHION].sum() * SC.population.scale
    assert by[1] == pytest.approx(0.75 * fashion_saving, rel=1e-9)
    assert by.sum() == pytest.approx(w.saving.sum() * SC.population.scale, rel=1e-9)


def test_fixed_discount_takes_its_amount_off_every_order_never_below_zero() -> None:
    f = _orders(_plan([{"name": "30 off", "kind": "fixed", "reduction": 30, **WINDOW}])).frame
    w = f[f.in_window]
    assert np.allclose(w.saving, np.minimum(30, w.list_value))
    assert (w.gmv >= 0).all() and w.saving.max() == pytest.approx(30)


def test_new_user_coupon_only_on_first_orders_above_its_minimum() -> None:
    o = _orders(_plan([{"name": "new", "kind": "coupon", "reduction": 20, "threshold": 99,
                        **WINDOW}]))
    w = o.frame[o.frame.in_window]
    gets = w.new & (w.list_value >= 99)
    assert gets.sum() > 20
    assert np.allclose(w.saving[gets], 20) and (w.saving[~gets] == 0).all()
    booked = _ledger(o, "coupon_cost").sum()
    assert booked == pytest.approx(w.saving.sum() * SC.population.scale)
    assert booked == pytest.approx(_ledger(o, "list_value").sum() - _ledger(o, "gmv").sum())


def test_gift_costs_loyalty_not_price() -> None:
    o = _orders(_plan([{"name": "gift", "kind": "gift", "gift_cost": 30, "gift_value": 60,
                        "threshold": 500, **WINDOW}]))
    f = o.frame
    assert (f.saving == 0).all()  # the price is untouched
    per_day = f[f.list_value >= 500].groupby("day").size().reindex(range(21), fill_value=0)
    expected = np.where(np.arange(21) // 7 == 1, per_day * 30 * SC.population.scale, 0)
    assert np.allclose(_ledger(o, "gift_cost"), expected)
    assert np.allclose(_ledger(o, "loyalty_cost"), _ledger(o, "gift_cost"))
    assert expected.sum() > 0


def test_points_cost_their_expected_redemption() -> None:
    o = _orders(_plan([{"name": "x2", "kind": "points", "points_rate": 0.01, "multiplier": 2,
                        "redemption_rate": 0.5, **WINDOW}]))
    w = o.frame[o.frame.in_window]
    assert _ledger(o, "points_cost").sum() == pytest.approx(
        w.gmv.sum() * 0.01 * 2 * 0.5 * SC.population.scale)
    assert (o.frame.saving == 0).all()


def test_member_day_is_for_customers_on_its_day_only() -> None:
    o = _orders(_plan([{"name": "md", "kind": "member_day", "discount": 0.15,
                        "day_of_month": 10, "start": "2026-01-01", "end": "2026-01-21"}]))
    f = o.frame
    got = f.saving > 0
    assert set(f[got].day) == {9}
    members = f.stage.isin([STAGES.index(s) for s in ("new", "active", "high_value",
                                                      "dormant")])
    day = f[f.day == 9]
    assert np.allclose(day.saving[members], 0.15 * day.list_value[members])
    assert (day.saving[~members] == 0).all() and (~members).any()


@pytest.mark.parametrize(("target", "column", "values"), [
    ({"segments": ["premium"]}, "segment", [2]),
    ({"stages": ["dormant"]}, "stage", [STAGES.index("dormant")]),
    ({"stages": ["prospect", "aware"]}, "stage", [0, 1]),
])
def test_targeting_limits_an_offer_to_its_segment_or_stage(target, column, values) -> None:
    f = _orders(_plan([{"name": "t", "discount": 0.25, **WINDOW, **target}])).frame
    w = f[f.in_window]
    aimed = w[column].isin(values)
    assert aimed.sum() > 5 and (~aimed).sum() > 5
    assert np.allclose(w.saving[aimed], 0.25 * w.list_value[aimed])
    assert (w.saving[~aimed] == 0).all()


@pytest.mark.parametrize("units", [80, 400, 2000])
@pytest.mark.parametrize("rule", ["best", "stack"])
def test_flash_sale_never_sells_more_than_its_units(units: int, rule: str) -> None:
    promos = [{"name": "flash", "kind": "flash_sale", "discount": 0.4, "units": units,
               "hours": 6, **WINDOW},
              {"name": "ten", "discount": 0.10, **WINDOW}]
    o = _orders(_plan(promos, stacking={"rule": rule, "cap": 0.5}))
    sold = _ledger(o, "flash_units")
    used = o.model.ledger.by_promotion["orders"][:, 0]
    assert (sold <= units + 1e-9).all() and (used <= units + 1e-9).all()
    assert np.allclose(sold, used)
    assert sold[7:14].sum() > 0 and sold[:7].sum() == 0 and sold[14:].sum() == 0
    if units == 80:  # a small lot sells out every day
        assert np.allclose(sold[7:14], 80)


def test_sold_out_flash_sale_loses_the_orders_it_alone_brought() -> None:
    # 40 real units are one simulated unit a day: the flash price lures shoppers, but
    # those who come too late buy only if they would have bought at the ordinary price
    flash = {"name": "flash", "kind": "flash_sale", "discount": 0.4, "hours": 12, **WINDOW}
    counts = {}
    for name, plan in (("none", []), ("scarce", [{**flash, "units": 40}]),
                       ("plenty", [{**flash, "units": 10**6}])):
        f = pd.concat([_orders(_plan(plan), seed).frame for seed in (1, 2, 3)])
        counts[name] = int(f.in_window.sum())
    assert counts["plenty"] - counts["none"] > 200
    assert abs(counts["scarce"] - counts["none"]) < 0.15 * (counts["plenty"] - counts["none"])


@pytest.mark.parametrize("promo", [
    {"name": "f", "kind": "flash_sale", "discount": 0.0, "units": 100, **WINDOW},
    {"name": "m", "kind": "member_day", "discount": 0.0, "day_of_month": 9,
     "start": "2026-01-01", "end": "2026-01-21"},
    {"name": "p", "discount": 0.0, "segments": ["premium"], **WINDOW},
])
def test_depth_zero_is_no_promotion_exactly(promo) -> None:
    a = sim.simulate(SC, _plan([]), seeds=2)
    b = sim.simulate(SC, _plan([promo]), seeds=2)
    pd.testing.assert_frame_equal(a.daily, b.daily)
