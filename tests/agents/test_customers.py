"""A shop's own customers seed the shoppers; prospects arrive at a rate.

Each test writes a tiny market (no channels, 90 days) and a customer table to tmp_path.
The numbers checked: the BG/NBD posterior (P(alive), the mean rates of the alive and
the dropped out), the Gamma-Gamma basket means, the day-0 state and stages, arrivals
per day at real scale, and that nothing changes without a table.
"""

from __future__ import annotations

import pickle
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml

import scenarios
import sim
from agents.customers import draw_posterior, dropout_odds, p_alive
from agents.lifecycle import STAGE, Lifecycle
from agents.population import EXISTING, ORGANIC, ShopperPopulation
from agents.streams import Streams
from calibrate import bgnbd

R, ALPHA, A, B = 0.24, 30.9, 0.79, 2.43  # BG/NBD per day (CDNOW-like)
P, Q, GAMMA = 6.25, 3.74, 15.44  # Gamma-Gamma


def market(tmp_path: Path, table: pd.DataFrame | None, *, size: int | None = None,
           segments: dict[str, dict[str, Any]] | None = None,
           categories: tuple[str, ...] = ("goods",), **population: Any) -> Path:
    """Write a tiny market (no channels, a flat 90-day horizon) and its customer table;
    return the scenario file."""
    seg = {"share": 1.0, "purchase": {"r": R, "alpha": ALPHA},
           "dropout": {"a": A, "b": B}, "basket": {"mean": 35.0}}
    pop: dict[str, Any] = {
        "size": size or (1000 if table is None else 2 * len(table)), "scale": 1.0,
        "initial_customer_share": 0.0, "initial_aware_share": 0.0, "discovery_rate": 0.0,
        "segments": segments or {"all": seg}, **population}
    if table is not None:
        table.to_csv(tmp_path / "customers.csv", index=False)
        pop["customers"] = {"file": "customers.csv"}
    data = {"name": "tiny", "seed": 7, "horizon": {"start": "2026-01-05", "days": 90},
            "population": pop,
            "catalog": {"categories": {c: {"price": 35.0, "unit_cost": 20.0}
                                       for c in categories}}}
    path = tmp_path / "market.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def table(n: int, frequency: int = 0, recency: int = 0, T: int = 100, **columns: Any
          ) -> pd.DataFrame:
    """``n`` customers with the same history (columns given override the defaults)."""
    base = {"customer": [f"c{i}" for i in range(n)], "frequency": frequency,
            "recency": recency, "T": T, "monetary": 30.0 if frequency else 0.0,
            "n_orders": frequency + 1, "spend": 100.0}
    return pd.DataFrame({**base, **columns})


def shoppers(path: Path, seed: int = 0, **overrides: Any) -> ShopperPopulation:
    sc = scenarios.load(path)
    if overrides:
        sc = sc.with_overrides(overrides)
    return ShopperPopulation(sc, Streams(np.random.SeedSequence(seed)))


# --- the BG/NBD posterior --------------------------------------------------------------

def test_dropout_odds_are_the_formula_and_calibrate_uses_them() -> None:
    x, tx, T = np.array([0, 2, 5]), np.array([0, 30, 200]), np.array([400, 60, 210])
    by_hand = A / (B + x - 1) * ((ALPHA + T) / (ALPHA + tx)) ** (R + x)
    expected = 1 / (1 + np.where(x > 0, by_hand, 0.0))
    assert p_alive(R, ALPHA, A, B, x, tx, T) == pytest.approx(expected, rel=1e-12)
    assert dropout_odds(R, ALPHA, A, B, x, tx, T)[0] == 0.0  # no repeat: cannot have left
    params = {"r": R, "alpha": ALPHA, "a": A, "b": B}
    assert np.array_equal(bgnbd.p_alive(params, x, tx, T), p_alive(R, ALPHA, A, B, x, tx, T))


def test_posterior_draws_match_p_alive_and_the_conditional_rates() -> None:
    g = np.random.default_rng(1)
    n, x, tx, T = 200_000, 1, 40.0, 200.0
    alive, lam, p = draw_posterior(g, R, ALPHA, A, B, np.full(n, x), tx, T)
    pa = float(p_alive(R, ALPHA, A, B, x, tx, T)[()])
    assert 0.2 < pa < 0.8  # a case with both outcomes
    assert alive.mean() == pytest.approx(pa, abs=4 * np.sqrt(pa * (1 - pa) / n))
    assert lam[alive].mean() == pytest.approx((R + x) / (ALPHA + T), rel=0.02)
    assert lam[~alive].mean() == pytest.approx((R + x) / (ALPHA + tx), rel=0.02)
    assert p[alive].mean() == pytest.approx(A / (A + B + x), rel=0.02)
    assert p[~alive].mean() == pytest.approx((A + 1) / (A + B + x), rel=0.02)


def test_one_time_buyer_of_long_ago_is_alive_with_a_low_rate(tmp_path: Path) -> None:
    # BG/NBD drops out only after a repeat purchase: P(alive | x = 0) = 1, while the
    # long silence (T = 700) pulls lambda down to r / (alpha + T)
    pop = shoppers(market(tmp_path, table(20_000, T=700)))
    k = 20_000
    assert p_alive(R, ALPHA, A, B, 0, 0, 700)[()] == 1.0
    assert pop.alive[:k].all()
    assert pop.lam[:k].mean() == pytest.approx(R / (ALPHA + 700), rel=0.03)
    assert pop.p_drop[:k].mean() == pytest.approx(A / (A + B), rel=0.03)


def test_alive_share_of_table_shoppers_matches_p_alive(tmp_path: Path) -> None:
    k, x, tx, T = 20_000, 2, 40, 250
    pop = shoppers(market(tmp_path, table(k, frequency=x, recency=tx, T=T)))
    pa = float(p_alive(R, ALPHA, A, B, x, tx, T)[()])
    assert pop.alive[:k].mean() == pytest.approx(pa, abs=4 * np.sqrt(pa * (1 - pa) / k))


def test_odds_beyond_floating_point_give_p_alive_zero_without_a_warning() -> None:
    # 500 repeat days in the first 500 of ten years, then silence: odds exp(~970)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pa = p_alive(R, ALPHA, A, B, [500, 3], [500, 10], [3650, 20])
    assert pa[0] == 0.0 and 0.5 < pa[1] < 1.0


def test_heavy_recent_buyer_is_alive_and_heavy_lapsed_buyer_is_gone(tmp_path: Path) -> None:
    rows = pd.concat([table(2000, frequency=50, recency=365, T=365),
                      table(2000, frequency=50, recency=100, T=365)], ignore_index=True)
    rows["customer"] = [f"c{i}" for i in range(len(rows))]
    pop = shoppers(market(tmp_path, rows))
    assert p_alive(R, ALPHA, A, B, 50, 365, 365)[()] > 0.98
    assert pop.alive[:2000].mean() > 0.97
    assert p_alive(R, ALPHA, A, B, 50, 100, 365)[()] < 1e-12
    assert not pop.alive[2000:4000].any()
    # alive: about x / T purchases a day, the posterior mean (r + x) / (alpha + T)
    assert pop.lam[:2000][pop.alive[:2000]].mean() == pytest.approx(50.24 / 395.9, rel=0.03)


# --- the state on day 0 ----------------------------------------------------------------

def test_state_of_table_shoppers_is_set_from_the_table(tmp_path: Path) -> None:
    seg = {"purchase": {"r": R, "alpha": ALPHA}, "dropout": {"a": A, "b": B},
           "basket": {"mean": 35.0}}
    rows = pd.DataFrame({
        "customer": ["7", "0042", "x"], "segment": ["b", "a", "b"],
        "city_tier": ["tier3", "", "tier1"], "frequency": [0, 3, 1],
        "recency": [0, 20, 5], "T": [10, 50, 5], "monetary": [0.0, 40.0, 12.5],
        "n_orders": [1, 4, 2], "spend": [35.0, 195.0, 50.0]})
    path = market(tmp_path, rows, size=50,
                  segments={"a": {"share": 0.5, **seg}, "b": {"share": 0.5, **seg}})
    pop = shoppers(path)
    assert pop.ids.tolist() == ["7", "0042", "x"]  # read as text, leading zeros kept
    assert pop.first_day[:3].tolist() == [-11, -51, -6]  # day -1 is the as-of date
    assert pop.last_day[:3].tolist() == [-11, -31, -1]
    assert pop.n_orders[:3].tolist() == [1, 4, 2]
    assert pop.spend[:3].tolist() == [35.0, 195.0, 50.0]
    assert pop.segment[:3].tolist() == [1, 0, 1]
    assert pop.city_tier[0] == 2 and pop.city_tier[2] == 0
    assert pop.customer[:3].all() and pop.aware[:3].all()
    assert (pop.acquired_by[:3] == EXISTING).all()
    assert not pop.customer[3:].any() and (pop.acquired_by[3:] == ORGANIC).all()


def test_stages_on_day_zero_start_where_the_customers_stand(tmp_path: Path) -> None:
    rows = pd.DataFrame({
        "customer": ["dormant", "new", "high", "active", "gone"],
        "frequency": [0, 0, 3, 3, 60], "recency": [0, 0, 150, 150, 10],
        "T": [100, 10, 160, 160, 400], "monetary": [0.0, 0.0, 30.0, 30.0, 30.0],
        "n_orders": [1, 1, 4, 4, 61], "spend": [100.0, 30.0, 5000.0, 100.0, 900.0]})
    path = market(tmp_path, rows, dormant_after_days=90, new_days=30, high_value_spend=3000)
    pop = shoppers(path)
    assert pop.alive[:2].all() and not pop.alive[4]  # P(alive) 1, 1 and 2e-60
    pop.alive[2:4] = True  # P(alive) 0.82: fix the draw to check the stage rules
    stages = Lifecycle(pop).stages(0)
    # last order 100 days before the as-of date, 101 before day 0: dormant after 90
    assert stages[:5].tolist() == [STAGE["dormant"], STAGE["new"], STAGE["high_value"],
                                   STAGE["active"], STAGE["churned"]]
    assert (stages[5:] == STAGE["prospect"]).all()


def test_other_shoppers_are_drawn_exactly_as_without_a_table(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with_table = shoppers(market(tmp_path / "a", table(300, frequency=1, recency=5),
                                 size=1300, initial_customer_share=0.3,
                                 initial_aware_share=0.2))
    without = shoppers(market(tmp_path / "b", None, size=1000, initial_customer_share=0.3,
                              initial_aware_share=0.2))
    for name in ("segment", "city_tier", "lam", "p_drop", "basket_mean", "prefs",
                 "customer", "aware", "alive", "first_day", "last_day", "spend"):
        assert np.array_equal(getattr(with_table, name)[300:], getattr(without, name)), name
    assert without.ids is None and with_table.ids.size == 300


def test_category_counts_tilt_preferences(tmp_path: Path) -> None:
    rows = table(500, frequency=1, recency=5, **{"categories.food": 100, "categories.home": 0})
    pop = shoppers(market(tmp_path, rows, categories=("home", "food"),
                          category_concentration=5.0))
    # Dirichlet(5 x (0.5, 0.5) + (0, 100)): mean share of food (2.5 + 100) / 105
    assert pop.prefs[:500, 1].mean() == pytest.approx(102.5 / 105, abs=0.005)
    assert pop.prefs[500:, 1].mean() == pytest.approx(0.5, abs=0.02)
    assert pop.prefs.sum(axis=1) == pytest.approx(1.0, abs=1e-5)


def test_gamma_gamma_posterior_and_prior_basket_means(tmp_path: Path) -> None:
    seg = {"share": 1.0, "purchase": {"r": R, "alpha": ALPHA}, "dropout": {"a": A, "b": B},
           "basket": {"mean": 35.0}, "spend": {"p": P, "q": Q, "gamma": GAMMA}}
    k, x, m = 20_000, 20, 50.0
    path = market(tmp_path, table(k, frequency=x, recency=50, T=60, monetary=m),
                  size=2 * k, segments={"all": seg})
    pop = shoppers(path)
    # E[p / nu] with nu ~ Gamma(q + p x, rate gamma + x m), and with the prior Gamma(q, gamma)
    assert pop.basket_mean[:k].mean() == pytest.approx(P * (GAMMA + x * m) / (Q + P * x - 1),
                                                       rel=0.01)
    assert pop.basket_mean[k:].mean() == pytest.approx(P * GAMMA / (Q - 1), rel=0.03)


def test_without_spend_model_table_baskets_follow_the_segment(tmp_path: Path) -> None:
    pop = shoppers(market(tmp_path, table(20_000, frequency=20, recency=50, T=60,
                                          monetary=500.0)))
    assert pop.basket_mean[:20_000].mean() == pytest.approx(35.0, rel=0.02)
    assert pop.basket_shape.dtype == np.float32 and not pop.basket_shape.any()


def test_basket_shape_is_the_spend_models_p_per_segment(tmp_path: Path) -> None:
    # checkout draws an order of a spend segment as Gamma(shape p) around the mean basket;
    # a segment without a spend model keeps 0 (log-normal orders with basket.cv)
    seg = {"share": 0.5, "purchase": {"r": R, "alpha": ALPHA}, "dropout": {"a": A, "b": B},
           "basket": {"mean": 35.0}}
    rows = table(400, frequency=2, recency=20, T=40, segment=["gg", "ln"] * 200)
    path = market(tmp_path, rows, size=2000,
                  segments={"gg": {**seg, "spend": {"p": P, "q": Q, "gamma": GAMMA}},
                            "ln": seg})
    pop = shoppers(path)
    assert pop.basket_shape.dtype == np.float32 and pop.basket_shape.shape == (2000,)
    assert (pop.basket_shape[pop.segment == 0] == np.float32(P)).all()
    assert (pop.basket_shape[pop.segment == 1] == 0.0).all()
    assert (pop.segment[:400] == np.tile([0, 1], 200)).all()


# --- scale, sampling and determinism ---------------------------------------------------

def test_scale_samples_the_table_per_seed(tmp_path: Path) -> None:
    path = market(tmp_path, table(2000, frequency=1, recency=5), size=6000)
    half = scenarios.load(path).with_population(3000)
    assert half.population.scale == 2.0
    pops = [ShopperPopulation(half, Streams(np.random.SeedSequence(s))) for s in (0, 1)]
    for pop in pops:
        assert pop.n == 3000 and pop.ids.size == 1000  # round(2000 / 2) table customers
        order = pd.Index([int(i[1:]) for i in pop.ids])
        assert order.is_monotonic_increasing and order.is_unique  # table order, no repeats
        assert pop.customer[:1000].all() and not pop.customer[1000:].any()
    assert set(pops[0].ids) != set(pops[1].ids)
    full = ShopperPopulation(scenarios.load(path), Streams(np.random.SeedSequence(0)))
    assert full.ids.tolist() == [f"c{i}" for i in range(2000)]  # scale 1: every row


def test_half_the_population_gives_the_same_real_orders(tmp_path: Path) -> None:
    seg = {"share": 1.0, "purchase": {"r": 1.0, "alpha": 20.0}, "dropout": {"a": A, "b": B},
           "basket": {"mean": 35.0}}
    path = market(tmp_path, table(4000, frequency=2, recency=50, T=60), size=8000,
                  segments={"all": seg})
    full = scenarios.load(path)
    half = full.with_population(4000)
    res_full, res_half = sim.simulate(full, seeds=3), sim.simulate(half, seeds=3)
    orders = [r.daily.groupby("seed")["orders"].sum().mean() for r in (res_full, res_half)]
    assert orders[0] > 5_000
    assert orders[1] == pytest.approx(orders[0], rel=0.06)


def test_same_seed_same_shoppers_and_pickling_keeps_the_table(tmp_path: Path) -> None:
    path = market(tmp_path, table(500, frequency=3, recency=40, T=80), size=1500)
    sc = scenarios.load(path).with_population(750)
    a, b = (ShopperPopulation(sc, Streams(np.random.SeedSequence(3))) for _ in range(2))
    for name in ("ids", "lam", "p_drop", "alive", "basket_mean", "prefs"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    (tmp_path / "customers.csv").unlink()  # a copy in another process does not read it
    copy = pickle.loads(pickle.dumps(sc))
    assert np.array_equal(copy.customer_history.ids, sc.customer_history.ids)
    c = ShopperPopulation(copy, Streams(np.random.SeedSequence(3)))
    assert np.array_equal(c.lam, a.lam) and np.array_equal(c.ids, a.ids)


@pytest.mark.slow
def test_worker_processes_give_the_same_numbers(tmp_path: Path) -> None:
    path = market(tmp_path, table(400, frequency=2, recency=30, T=60), size=1600,
                  arrivals=3.0)
    sc = scenarios.load(path).with_population(800)
    one, two = sim.simulate(sc, seeds=2, jobs=1), sim.simulate(sc, seeds=2, jobs=2)
    assert one.daily["orders"].sum() > 0
    pd.testing.assert_frame_equal(one.daily, two.daily, check_exact=True)
    pd.testing.assert_frame_equal(one.by_segment, two.by_segment, check_exact=True)


# --- arrivals --------------------------------------------------------------------------

@pytest.mark.parametrize("scale", [1.0, 5.0])
def test_arrivals_bring_that_many_new_customers_a_day(tmp_path: Path, scale: float) -> None:
    # organic_conversion 1: a visitor buys, so prospects leave the pool only by buying
    path = market(tmp_path, None, size=int(40_000 / scale), scale=scale, arrivals=50.0,
                  organic_conversion=1.0, aware_purchase_factor=0.0, forget_rate=0.0)
    sc = scenarios.load(path)
    seeds = 1 if scale == 1.0 else 3
    res = sim.simulate(sc, seeds=seeds)
    per_day = res.daily.groupby("day")["new_customers"].mean()
    # expected 50 x demand (flat calendar: 1) less the pool's shrinking (1 - exp(-h) < h)
    assert per_day.mean() == pytest.approx(50.0, rel=0.03 if scale == 1.0 else 0.05)
    model = sim.MarketModel(sc, None, 0).run()
    new = model.population.customer
    assert (model.population.acquired_by[new] == ORGANIC).all()  # organic acquisitions


def test_arrivals_follow_the_days_demand(tmp_path: Path) -> None:
    path = market(tmp_path, None, size=40_000, arrivals=50.0, organic_conversion=1.0,
                  aware_purchase_factor=0.0)
    sc = scenarios.load(path).with_overrides({"calendar.monthly": [1.0, 2.0] + [1.0] * 10})
    res = sim.simulate(sc, seeds=1)
    month = res.daily["date"].dt.month
    assert res.daily.loc[month == 2, "new_customers"].mean() == pytest.approx(100.0, rel=0.06)
    assert res.daily.loc[month == 1, "new_customers"].mean() == pytest.approx(50.0, rel=0.08)


def test_no_arrivals_and_no_table_change_nothing() -> None:
    sc = scenarios.load("baseline").with_overrides({"population.size": 2000,
                                                    "horizon.days": 20})
    explicit = sc.with_overrides({"population.arrivals": 0.0})
    assert sc.population.customers is None and sc.customer_history is None
    a, b = sim.simulate(sc, seeds=1), sim.simulate(explicit, seeds=1)
    pd.testing.assert_frame_equal(a.daily, b.daily, check_exact=True)
    pop = sim.MarketModel(sc, None, 0).population
    assert pop.ids is None and pop.n_orders.sum() == 0
