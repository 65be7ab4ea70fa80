"""Inventory: stock, replenishment, stock-outs, substitution, presale fulfilment, costs."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import scenarios
import sim
from sim.model import MarketModel
from sim.schema import Strategy

D11 = scenarios.load("double11").with_population(10_000)
BURST = ["2026-11-01", "2026-11-02", "2026-11-03", "2026-11-11"]


def _plan(sc, stock: dict[str, Any], **changes: Any) -> Strategy:
    plan = sc.strategy.model_dump() | changes
    plan["stock"] = stock
    return Strategy.model_validate(plan)


def _cat(res: sim.Results, col: str, category: str | None = None) -> pd.DataFrame:
    f = res.by_category if category is None else \
        res.by_category[res.by_category["category"] == category]
    return f.pivot_table(index="date", columns="category" if category is None else "seed",
                         values=col, aggfunc="mean")


# ------------------------------------------------------------------ invariants
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(initial=st.floats(0, 60_000), point=st.floats(0, 40_000), qty=st.floats(1_000, 50_000),
       level=st.floats(1_000, 90_000), review=st.sampled_from([1, 3, 7]),
       lead=st.integers(1, 10), capacity=st.sampled_from([None, 5_000.0, 30_000.0]),
       policy=st.sampled_from(["reorder_point", "order_up_to"]), seed=st.integers(0, 50))
def test_stock_never_negative_sales_within_stock_and_arrivals_come_lead_time_later(
        initial, point, qty, level, review, lead, capacity, policy, seed) -> None:
    sc = D11.with_overrides({"population.size": 3_000, "population.scale": 160,
                             "horizon.days": 45, "catalog.categories.beauty.lead_time_days": lead,
                             "catalog.categories.beauty.capacity": capacity})
    rule = {"policy": policy, "review_every_days": review} | (
        {"reorder_point": point, "quantity": qty} if policy == "reorder_point"
        else {"level": level})
    stock = {"beauty": {"initial": initial, "replenishment": rule,
                        "deliveries": [{"date": "2026-10-20", "units": 20_000}]},
             "food": {"initial": initial / 2}}
    model = MarketModel(sc, _plan(sc, stock), seed=seed).run()
    inv = model.inventory
    led = model.ledger.by_category
    cats = model.ledger.categories
    for c, name in enumerate(cats):
        if name not in stock:
            continue
        on_hand = led["stock_units"][:, c]
        assert (on_hand >= -1e-6).all()
        out = led["served_units"][:, c] + led["substituted_units"][:, c] \
            + led["backorders_shipped"][:, c]
        opening = np.r_[stock[name]["initial"], on_hand[:-1]]
        # what leaves each day is never more than what was there, and stock balances
        assert (out <= opening + led["arrivals"][:, c] + 1e-6).all()
        np.testing.assert_allclose(on_hand, opening + led["arrivals"][:, c] - out, atol=1e-6)
    orders = [o for o in inv.orders if o.category == "beauty"]
    assert all(o.arrival - o.day == lead for o in orders)
    assert all(o.units <= (capacity or np.inf) * inv.share[inv.sku_names.index(o.sku)]
               + 1e-6 for o in orders)
    arrived = led["arrivals"][:, cats.index("beauty")]
    expected = np.zeros(arrived.size)
    for o in orders:
        if o.arrival < expected.size:
            expected[o.arrival] += o.units
    expected[sc.horizon.day_of(pd.Timestamp("2026-10-20").date())] += 20_000
    np.testing.assert_allclose(arrived, expected, atol=1e-6)
    if policy == "reorder_point" and orders:
        step = qty * inv.share[0]
        assert all(abs(o.units / step - round(o.units / step)) < 1e-6 or
                   o.units == pytest.approx(capacity * inv.share[0]) for o in orders
                   if o.sku == inv.sku_names[0])


def test_holding_cost_is_units_on_hand_times_the_rate_summed_over_days() -> None:
    sc = D11.with_overrides({"population.size": 5_000, "population.scale": 80})
    res = sim.simulate(sc, seeds=2)
    rates = pd.Series({n: c.holding_cost for n, c in sc.catalog.categories.items()})
    f = res.by_category
    expected = (f["stock_units"] * f["category"].map(rates)).groupby(f["seed"]).sum()
    got = res.totals()["holding_cost"]
    np.testing.assert_allclose(got.to_numpy(), expected.to_numpy(), rtol=1e-9)
    assert (got > 1e6).all()  # double11 holds stock: the cost is real money
    t = res.totals()
    np.testing.assert_allclose(t["gross_profit"], t["gmv"] + t["forfeited_deposits"]
                               - t["cogs"] - t["loyalty_cost"] - t["holding_cost"])


def test_ample_stock_changes_nothing() -> None:
    """A stock plan that never binds gives exactly the run without one."""
    sc = D11.with_overrides({"horizon.days": 45})
    ample = _plan(sc, {c: {"initial": 1e12} for c in sc.catalog.categories})
    a, b = sim.simulate(sc, strategy=ample, seeds=2), sim.simulate(
        sc, strategy=_plan(sc, {}), seeds=2)
    np.testing.assert_array_equal(a.daily["gmv"], b.daily["gmv"])
    assert a.totals()["lost_units"].sum() == 0
    assert (a.totals()["fill_rate"] == 1).all()


# ----------------------------------------------------------- stock-outs on a burst
@pytest.fixture(scope="module")
def half_stock() -> tuple[sim.Results, sim.Results, pd.Series]:
    """double11 with ample stock, and with stock cut to half the burst's demand."""
    ample_plan = _plan(D11, {c: {"initial": 1e12} for c in D11.catalog.categories})
    ample = sim.simulate(D11, strategy=ample_plan, seeds=3)
    demand = _cat(ample, "demand_units")
    before = demand[demand.index < BURST[0]].sum()
    burst = demand.loc[BURST].sum()
    # enough for everything before the burst, half of what the burst asks for, no reorders
    owed = ample.by_category.groupby("category")["backorders_shipped"].sum() / 3
    short = _plan(D11, {c: {"initial": float(before[c] + 0.5 * burst[c] + owed[c])}
                        for c in D11.catalog.categories})
    return ample, sim.simulate(D11, strategy=short, seeds=3), burst


def test_half_the_burst_stock_runs_out_on_the_burst_days(half_stock) -> None:
    ample, short, _ = half_stock
    lost = short.daily.pivot(index="date", columns="seed", values="lost_units")
    lost_days = lost.index[(lost > 0).all(axis=1)]
    assert pd.Timestamp("2026-11-11") in lost_days  # every seed loses sales on the main day
    assert lost.loc[lost.index < "2026-10-25"].sum().sum() == 0  # none well before the burst
    burst_lost = short.daily.set_index("date").loc[BURST, "lost_units"].sum() / 3
    burst_demand = short.daily.set_index("date").loc[BURST, "demand_units"].sum() / 3
    assert burst_lost / burst_demand > 0.2
    assert (ample.totals()["lost_units"] == 0).all()


def test_lower_gmv_with_half_stock_and_lost_gmv_accounts_for_the_difference(half_stock
                                                                            ) -> None:
    ample, short, _ = half_stock
    gap = ample.totals()["gmv"] - short.totals()["gmv"]  # same seeds: paired
    lost = short.totals()["lost_gmv"]
    assert (gap > 0).all()
    # lost GMV is the orders not served; the rest of the gap is the disappointed
    # customers who dropped out and the offers (flash units, thresholds) they changed
    np.testing.assert_allclose(lost.to_numpy(), gap.to_numpy(), rtol=0.15)


def test_substitution_one_with_a_substitute_in_stock_loses_nothing() -> None:
    sc = D11.with_overrides({"horizon.days": 20,
                             "catalog.categories.beauty.skus": {"a": 0.5, "b": 0.5},
                             "catalog.categories.beauty.substitution": 1.0})
    # group a is nearly empty; group b holds plenty: every shopper of a switches to b
    model = MarketModel(sc, _plan(sc, {"beauty": {"initial": 2_000}}), seed=3)
    model.inventory.on_hand[:] = [500.0, 1e9]
    model.run()
    led = model.ledger.by_category
    b = model.ledger.categories.index("beauty")
    assert led["lost_units"][:, b].sum() == 0
    assert led["substituted_units"][:, b].sum() > 10 * 500  # the switching really happened
    # and without substitution the same shoppers are lost
    sc0 = sc.with_overrides({"catalog.categories.beauty.substitution": 0.0})
    m0 = MarketModel(sc0, _plan(sc0, {"beauty": {"initial": 2_000}}), seed=3)
    m0.inventory.on_hand[:] = [500.0, 1e9]
    m0.run()
    assert m0.ledger.by_category["lost_units"][:, b].sum() > 10 * 500


def test_a_stockout_makes_some_disappointed_customers_drop_out() -> None:
    sc = D11.with_overrides({"horizon.days": 30})
    empty = _plan(sc, {c: {"initial": 0.0} for c in sc.catalog.categories})
    runs = {p: sim.simulate(sc.with_overrides({"catalog.stockout_dropout": p}),
                            strategy=empty, seeds=2) for p in (0.0, 0.5)}
    churned = {p: r.totals()["churned"] for p, r in runs.items()}
    lost = runs[0.0].totals()["lost_orders"]
    assert (lost > 0).all() and (runs[0.0].totals()["orders"] == 0).all()
    # roughly half of the disappointed customers drop out (each loses once or more)
    assert (churned[0.5] - churned[0.0] > 0.1 * runs[0.0].totals()["customers"]).all()


# ------------------------------------------------------------------ presale
def test_presale_orders_ship_on_the_arrival_day_never_before() -> None:
    """beauty and home sell on presale; their stock arrives three days after the final
    payment: the completed orders wait and ship on the arrival day."""
    arrival = "2026-11-14"
    stock = {c: {"initial": 0.0, "deliveries": [{"date": arrival, "units": 1e9}]}
             for c in ("beauty", "home")}
    res = sim.simulate(D11, strategy=_plan(D11, stock), seeds=2)
    shipped = res.daily.pivot(index="date", columns="seed", values="backorders_shipped")
    owed = res.daily.pivot(index="date", columns="seed", values="backlog_units")
    assert (shipped[shipped.index != arrival] == 0).all().all()
    assert (shipped.loc[arrival] > 0).all()
    # what shipped is all that was owed the evening before
    np.testing.assert_allclose(shipped.loc[arrival], owed.loc["2026-11-13"])
    assert (owed.loc[arrival:] == 0).all().all()
    # the main day's final payments are booked on the main day (GMV), goods later
    assert (res.daily.pivot(index="date", columns="seed", values="presale_orders")
            .loc["2026-11-11"] > 0).all()


def test_a_presale_sized_to_stock_takes_no_more_deposits_than_its_cap() -> None:
    plan = D11.strategy.model_dump()
    plan["promotions"][0]["max_deposits"] = 4_000
    capped = sim.simulate(D11, strategy=Strategy.model_validate(plan), seeds=2)
    free = sim.simulate(D11, seeds=2)
    assert (free.totals()["deposits"] > 8_000).all()
    assert (capped.totals()["deposits"] <= 4_000).all()
    assert (capped.totals()["deposits"] >= 4_000 - D11.population.scale).all()


def test_presale_deposits_reserve_stock_for_the_reorder_policy() -> None:
    """Open deposits count against the inventory position: the policy reorders while
    the shelf still holds more than the reorder point, which it never does without a
    presale."""
    rule = {"policy": "reorder_point", "reorder_point": 40_000, "quantity": 40_000}
    stock = {"beauty": {"initial": 150_000, "replenishment": rule}}
    plan = D11.strategy.model_dump()
    runs = {"presale": MarketModel(D11, _plan(D11, stock), seed=1).run(),
            "none": MarketModel(D11, _plan(D11, stock, promotions=plan["promotions"][1:]),
                                seed=1).run()}
    early = {}
    for name, m in runs.items():
        on_hand = m.ledger.by_category["stock_units"][:, m.ledger.categories.index("beauty")]
        first = min(o.day for o in m.inventory.orders)
        early[name] = on_hand[first] > 40_000 + 1e-6
    assert early == {"presale": True, "none": False}


# ------------------------------------------------------------------ flash sale
def test_a_flash_sale_never_sells_more_than_the_stock() -> None:
    sc = D11.with_overrides({"horizon.days": 45})
    plan = sc.strategy.model_dump()
    plan["promotions"] = [{"name": "beauty flash", "kind": "flash_sale", "discount": 0.4,
                           "units": 100_000, "hours": 24, "categories": ["beauty"],
                           "start": "2026-11-01", "end": "2026-11-03"}]
    plan["stock"] = {"beauty": {"initial": 0.0,
                                "deliveries": [{"date": "2026-11-01", "units": 3_000}]}}
    res = sim.simulate(sc, strategy=Strategy.model_validate(plan), seeds=2)
    t = res.totals()
    assert (t["flash_units"] > 0).all()
    sold = res.by_category[res.by_category["category"] == "beauty"].groupby("seed")[
        ["served_units", "substituted_units"]].sum().sum(axis=1)
    assert (sold <= 3_000 + 1e-6).all()
    assert (t["flash_units"] <= 3_000).all()  # an order is at least one unit


# ------------------------------------------------------------------ seasonality
def test_seasonality_moves_a_category_share_of_orders() -> None:
    sc = D11.with_overrides({"horizon.days": 30})
    season = [1.0] * 12
    season[9] = 2.0  # October
    hot = sc.with_overrides({"catalog.categories.home.seasonality": season})
    flat = sc.with_overrides({"catalog.categories.home.seasonality": None,
                              "catalog.categories.fashion.seasonality": None})
    shares = {}
    for name, s in (("hot", hot), ("flat", flat)):
        r = sim.simulate(s, strategy=_plan(s, {}), seeds=2)  # stock never binds
        orders = r.by_category.groupby("category")["orders"].sum()
        shares[name] = orders["home"] / orders.sum()
    assert shares["hot"] > 1.4 * shares["flat"]


# -------------------------------------------------------------- reporting
def test_inventory_summary_reads_like_the_ledger() -> None:
    res = sim.simulate(D11, seeds=2)
    tab = res.inventory_summary()
    assert list(tab.index) == list(D11.strategy.stock)
    np.testing.assert_allclose(tab["fill_rate"] + tab["substitution_rate"]
                               + tab["stockout_rate"], 1.0)
    t = res.totals()
    assert tab["lost_gmv"].sum() == pytest.approx(t["lost_gmv"].mean())
    np.testing.assert_allclose(t["stockout_rate"], t["lost_units"] / t["demand_units"])
    assert (tab["turns"] > 0).all() and (tab["days_of_cover"] >= 0).all()


def test_a_stock_out_returns_the_disappointed_customers_instead_of_writing_state() -> None:
    sc = D11.with_overrides({"population.size": 500, "horizon.days": 30,
                             "catalog.stockout_dropout": 1.0})
    model = MarketModel(sc, _plan(sc, {"beauty": {"initial": 0.0}}), seed=0)
    inv, pop = model.inventory, model.population
    beauty = model.ledger.categories.index("beauty")
    buyers = np.flatnonzero(pop.customer & pop.alive)[:6]
    category = np.full(buyers.size, beauty)
    category[0] = (beauty + 1) % len(model.ledger.categories)  # never runs out
    list_value = np.full(buyers.size, 100.0)
    alive = pop.alive.copy()
    keep, departed = inv.fulfil(0, pop, buyers, category, list_value,
                                np.ones(buyers.size, dtype=bool), list_value)
    assert keep.tolist() == [True] + [False] * 5
    # stockout_dropout = 1: every disappointed customer leaves, and the inventory only says so
    assert sorted(departed.tolist()) == sorted(buyers[1:].tolist())
    np.testing.assert_array_equal(pop.alive, alive)
