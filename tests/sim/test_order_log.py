"""The simulated order log (``simulate(..., orders=True)``): one row per order, and every
row adds up to the ledger: orders, GMV, new customers, each promotion's orders, the units
the inventory served and owed."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import scenarios
import sim
from calibrate import summarise
from sim.order_log import COLUMNS, split_promotions
from sim.runner import simulate_many
from sim.schema import Strategy

SIZE = 3000
#: double11 to 14 November: the presale's deposits (from 20 October), its final day (11
#: November, day 41), the main day's offers, and stock
D11 = scenarios.load("double11").with_population(SIZE).with_overrides({"horizon.days": 45})
BASE = scenarios.load("baseline").with_population(SIZE).with_overrides({"horizon.days": 30})
PRESALE = "presale 50 counts 100"  # deposit 50 counting twice: 50 off at completion
FINAL_DAY = 41


def _tight_stock(sc: sim.Scenario) -> Strategy:
    """double11's plan with too little stock: sales are lost and presale orders wait."""
    plan = sc.strategy.model_dump()
    plan["stock"] = {"beauty": {"initial": 30_000}, "fashion": {"initial": 60_000,
                     "replenishment": {"policy": "reorder_point", "reorder_point": 20_000,
                                       "quantity": 30_000}}}
    return Strategy.model_validate(plan)


@pytest.fixture(scope="module")
def d11() -> sim.Results:
    return sim.simulate(D11, seeds=2, orders=True)


@pytest.fixture(scope="module")
def tight() -> sim.Results:
    return sim.simulate(D11, _tight_stock(D11), seeds=2, orders=True)


def _per_day(res: sim.Results) -> pd.DataFrame:
    """The log per (seed, day) beside the ledger's KPIs over the scale."""
    assert res.orders is not None
    g = res.orders.groupby(["seed", "day"]).agg(
        rows=("gmv", "size"), gmv=("gmv", "sum"), list_value=("list_value", "sum"),
        new=("new", "sum"))
    d = res.daily.set_index(["seed", "day"])
    g = g.reindex(d.index, fill_value=0)  # a day without orders has no rows
    s = res.scenario.population.scale
    return g.join(pd.DataFrame({"k_orders": d["orders"] / s, "k_gmv": d["gmv"] / s,
                                "k_list": d["list_value"] / s,
                                "k_new": d["new_customers"] / s}))


def test_columns_in_order_with_their_types(d11: sim.Results) -> None:
    o = d11.orders
    assert o is not None
    assert tuple(o.columns) == COLUMNS == (
        "seed", "day", "date", "customer", "channel", "promotion", "category", "units",
        "list_value", "gmv", "new")
    assert sorted(o["seed"].unique()) == [0, 1]
    assert o["day"].between(0, 44).all()
    assert o.sort_values(["seed", "day"], kind="stable").index.equals(o.index)
    assert (o["date"] == pd.Timestamp("2026-10-01") + pd.to_timedelta(o["day"], "D")).all()
    assert all(isinstance(c, str) and c.startswith("s") for c in o["customer"].unique())
    assert set(o["channel"].unique()) <= {*D11.channels, "organic"}
    assert set(o["category"].unique()) == set(D11.catalog.categories)
    assert o["units"].dtype == np.int64 and (o["units"] >= 1).all()
    assert o["new"].dtype == bool
    assert o["day"].dtype == d11.daily["day"].dtype == np.int64
    assert o["date"].dtype == d11.daily["date"].dtype
    for label in ("customer", "channel", "promotion", "category"):
        assert isinstance(o[label].dtype, pd.CategoricalDtype), label
    assert (o["gmv"] <= o["list_value"] + 1e-9).all() and (o["gmv"] >= 0).all()


@pytest.mark.parametrize("name", ["double11", "baseline"])
def test_every_day_adds_up_to_the_ledger(name: str, d11: sim.Results) -> None:
    res = d11 if name == "double11" else sim.simulate(BASE, seeds=2, orders=True)
    f = _per_day(res)
    assert f["rows"].sum() > 800
    np.testing.assert_array_equal(f["rows"], f["k_orders"].round())
    assert f["rows"].to_numpy() == pytest.approx(f["k_orders"].to_numpy(), abs=1e-9)
    assert np.abs(f["gmv"] - f["k_gmv"]).max() < 0.005  # to the cent
    assert np.abs(f["list_value"] - f["k_list"]).max() < 0.005
    np.testing.assert_array_equal(f["new"], f["k_new"].round())


@pytest.mark.parametrize("name", [n for n in scenarios.names()
                                  if n not in ("double11", "baseline")])
def test_every_shipped_scenario_adds_up_to_the_ledger(name: str) -> None:
    """Member prices, referral rewards, group deals, flash sales, points: still the ledger."""
    sc = scenarios.load(name).with_population(2000).with_overrides({"horizon.days": 90})
    res = sim.simulate(sc, seeds=1, orders=True)
    f = _per_day(res)
    assert f["rows"].sum() > 300
    np.testing.assert_array_equal(f["rows"], f["k_orders"].round())
    assert np.abs(f["gmv"] - f["k_gmv"]).max() < 0.005
    np.testing.assert_array_equal(f["new"], f["k_new"].round())
    _promotions_add_up(res)


def _promotions_add_up(res: sim.Results) -> None:
    """Per (seed, day, promotion), the rows naming it are the orders by_promotion counts."""
    assert res.orders is not None
    s = res.scenario.population.scale
    names = [p.name for p in res.strategy.promotions]
    labels = res.orders["promotion"]
    parts = {c: split_promotions(c, names) for c in labels.cat.categories}
    for name in names:
        used = labels.map(lambda c, n=name: n in parts[c]).astype(bool)
        counted = res.orders[used.to_numpy()].groupby(["seed", "day"]).size()
        ledger = res.by_promotion[res.by_promotion["promotion"] == name].set_index(
            ["seed", "day"])["orders"] / s
        counted = counted.reindex(ledger.index, fill_value=0)
        np.testing.assert_array_equal(counted.to_numpy(), ledger.round().to_numpy(),
                                      err_msg=name)


def test_each_promotion_names_the_orders_it_gave_an_offer(d11: sim.Results) -> None:
    _promotions_add_up(d11)
    o = d11.orders
    assert o is not None
    counts = o["promotion"].value_counts()
    assert counts[""] > counts.drop("").sum()  # most orders of these 45 days pay full price
    # best single offer: one price offer per order; the gift (a perk) comes on top of it
    names = [p.name for p in d11.strategy.promotions]
    combos = [split_promotions(c, names) for c in counts.index[counts > 0]]
    stacked = [c for c in combos if len(c) > 1]
    assert stacked and all(len(c) == 2 and c[1] == "main day gift 500+" for c in stacked)
    sitewide = o[o["promotion"] == "main day sitewide"]
    assert len(sitewide) > 50
    assert sitewide["gmv"].to_numpy() == pytest.approx(0.9 * sitewide["list_value"].to_numpy(),
                                                       rel=1e-9)


def test_presale_completions_are_rows_of_the_final_day(d11: sim.Results) -> None:
    o = d11.orders
    assert o is not None
    done = o[o["promotion"] == PRESALE]
    assert len(done) > 20
    assert (done["day"] == FINAL_DAY).all()
    # the deposit of 50 counts 100: each completion pays 50 less than its list value
    assert (done["list_value"] - done["gmv"]).to_numpy() == pytest.approx(50.0, abs=1e-9)
    assert (done["list_value"] >= 100.0).all()  # deposits are taken on orders >= 100
    final = d11.daily[d11.daily["day"] == FINAL_DAY].set_index("seed")["presale_orders"]
    per_seed = done.groupby("seed").size()
    np.testing.assert_array_equal(per_seed.to_numpy(),
                                  (final / D11.population.scale).round().to_numpy())


def test_units_are_what_the_inventory_served_and_owed(tight: sim.Results) -> None:
    """Own orders' units are the units served (or substituted) that day; presale
    completions' units are owed: shipped over the days after, or still owed at the end."""
    o, s = tight.orders, D11.population.scale
    assert o is not None
    cat = tight.by_category
    tracked = cat[cat["category"].isin(["beauty", "fashion"])]
    assert tracked["lost_units"].sum() > 0  # the stock was tight
    own = o[o["promotion"] != PRESALE]
    units = own.groupby(["seed", "day", "category"], observed=True)["units"].sum() * s
    served = tracked.set_index(["seed", "day", "category"])
    served = served["served_units"] + served["substituted_units"]
    np.testing.assert_allclose(units.reindex(served.index, fill_value=0).to_numpy(),
                               served.to_numpy(), rtol=1e-12)
    owed = o[(o["promotion"] == PRESALE) & o["category"].isin(["beauty", "fashion"])]
    owed_units = owed.groupby("seed")["units"].sum() * s
    shipped = tracked.groupby("seed")["backorders_shipped"].sum() + tracked[
        tracked["day"] == tracked["day"].max()].groupby("seed")["backlog_units"].sum()
    assert owed_units.to_numpy() == pytest.approx(shipped.to_numpy(), rel=1e-12)
    assert (owed_units > 0).all()
    # a unit is a category's price worth of list value, at least one
    price = o["category"].map({n: c.price for n, c in D11.catalog.categories.items()})
    expected = np.maximum(1, np.rint(o["list_value"] / price.astype(float)))
    np.testing.assert_array_equal(o["units"].to_numpy(), expected.to_numpy())
    _promotions_add_up(tight)


def test_asking_for_orders_changes_no_number(d11: sim.Results) -> None:
    plain = sim.simulate(D11, seeds=2)
    assert plain.orders is None
    for key in ("daily", "by_channel", "by_promotion", "by_category", "by_cohort"):
        pd.testing.assert_frame_equal(getattr(plain, key), getattr(d11, key))


def test_stacked_offers_name_every_promotion_in_the_plans_order() -> None:
    window = {"start": "2026-01-08", "end": "2026-01-14"}
    plan = Strategy.model_validate({
        **BASE.strategy.model_dump(), "stacking": {"rule": "stack", "cap": 0.5},
        "promotions": [{"name": "ten off", "discount": 0.10, **window},
                       {"name": "fashion", "discount": 0.20, "categories": ["fashion"],
                        **window}]})
    res = sim.simulate(BASE, plan, seeds=1, orders=True)
    o = res.orders
    assert o is not None
    both = o[o["promotion"] == "ten off+fashion"]
    assert len(both) > 20 and (both["category"] == "fashion").all()
    assert both["gmv"].to_numpy() == pytest.approx(0.7 * both["list_value"].to_numpy(),
                                                   rel=1e-9)
    assert set(o.loc[o["promotion"] == "ten off", "category"]) == {"beauty", "home", "food"}
    _promotions_add_up(res)


def test_first_replication_alone_is_its_rows_among_others(d11: sim.Results) -> None:
    alone = sim.simulate(D11, seeds=1, first=1, orders=True).orders
    assert alone is not None and d11.orders is not None
    among = d11.orders[d11.orders["seed"] == 1].reset_index(drop=True)
    pd.testing.assert_frame_equal(alone.astype({c: str for c in ("customer", "promotion")}),
                                  among.astype({c: str for c in ("customer", "promotion")}))


def test_calibrated_customers_keep_the_shops_ids() -> None:
    def run(ids: np.ndarray | None) -> pd.DataFrame:
        model = sim.MarketModel(BASE, seed=4, orders=True)
        if ids is not None:
            model.population.ids = ids  # calibrated customers: the shop's own ids
        frame = model.run().orders_frame()
        assert frame is not None
        return frame

    ids = np.array([f"C-{i:05d}" for i in range(500)])
    plain, named = run(None), run(ids)
    shopper = plain["customer"].astype(str).str[1:].astype(int).to_numpy()
    own = shopper < ids.size
    assert own.sum() > 20 and (~own).sum() > 20
    np.testing.assert_array_equal(named["customer"].astype(str).to_numpy()[own], ids[shopper[own]])
    np.testing.assert_array_equal(named["customer"].astype(str).to_numpy()[~own],
                                  plain["customer"].astype(str).to_numpy()[~own])
    pd.testing.assert_frame_equal(named.drop(columns="customer"), plain.drop(columns="customer"))


def test_a_label_splits_by_the_plans_names() -> None:
    names = ["sitewide", "gift 500+", "gift 500+ vip", "b"]
    assert split_promotions("", names) == []
    assert split_promotions("sitewide+gift 500+", names) == ["sitewide", "gift 500+"]
    assert split_promotions("gift 500++b", names) == ["gift 500+", "b"]
    assert split_promotions("gift 500+ vip+b", names) == ["gift 500+ vip", "b"]
    with pytest.raises(ValueError, match="not promotions of the plan"):
        split_promotions("b+sitewide", names)  # not in the plan's order


def test_the_log_is_what_calibration_reads(d11: sim.Results) -> None:
    o = d11.orders
    assert o is not None
    one = o[o["seed"] == 0]
    rfm = summarise(one, "customer", "date", "gmv", until="2026-11-14")
    assert len(rfm) == one["customer"].nunique()
    assert rfm["n_orders"].sum() == one.groupby(["customer", "day"], observed=True).ngroups
    assert rfm["frequency"].max() >= 1


@pytest.mark.slow
def test_jobs_two_gives_the_same_log(d11: sim.Results) -> None:
    two = sim.simulate(D11, seeds=2, orders=True, jobs=2)
    assert two.orders is not None and d11.orders is not None
    pd.testing.assert_frame_equal(two.orders, d11.orders)
    pd.testing.assert_frame_equal(two.daily, d11.daily)


def test_simulate_many_gives_each_plan_its_own_log() -> None:
    window = {"start": "2026-01-08", "end": "2026-01-14"}
    sale = Strategy.model_validate({**BASE.strategy.model_dump(), "promotions": [
        {"name": "week off", "discount": 0.15, **window}]})
    many = simulate_many(BASE, {"plan": None, "sale": sale}, seeds=2, orders=True)
    for name, plan in (("plan", None), ("sale", sale)):
        alone = sim.simulate(BASE, plan, seeds=2, orders=True).orders
        got = many[name].orders
        assert alone is not None and got is not None
        pd.testing.assert_frame_equal(got, alone)
    o = many["sale"].orders
    assert o is not None
    off = o[o["promotion"] == "week off"]
    assert len(off) > 50 and off["date"].between("2026-01-08", "2026-01-14").all()
    assert off["gmv"].to_numpy() == pytest.approx(0.85 * off["list_value"].to_numpy())
    plain = many["plan"].orders
    assert plain is not None and set(plain["promotion"].unique()) == {""}
