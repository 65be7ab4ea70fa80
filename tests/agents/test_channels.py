"""Channels: saturation, adstock carry-over, audience targeting and owned outreach.

All comparisons run the same seeds (common random numbers), so a difference between two
runs comes from the lever, not from sampling noise.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import scenarios
import sim
from agents import NEVER, ChannelAgent

SEEDS = 4


@pytest.fixture(scope="module")
def market() -> sim.Scenario:
    # 20,000 simulated shoppers standing for the baseline's 2 million real ones, so that
    # exposure per shopper (and therefore saturation) is the shipped market's.
    return scenarios.load("baseline").with_population(20_000).with_overrides(
        {"horizon.days": 42})


def _plan(budget: float, shares: dict[str, float], **extra) -> sim.Strategy:
    return sim.Strategy.model_validate({"budget": budget, "shares": shares, **extra})


def _channel(res: sim.Results, name: str) -> pd.DataFrame:
    return res.by_channel[res.by_channel["channel"] == name]


def _per_day(res: sim.Results, name: str, col: str) -> np.ndarray:
    return _channel(res, name).groupby("day")[col].sum().to_numpy()


# ------------------------------------------------------------------------ saturation
def _doubling(market, budget: float) -> tuple[pd.Series, pd.Series]:
    cols = ["spend", "visits", "new_customers"]
    one = _channel(sim.simulate(market, _plan(budget, {"social": 1.0}), SEEDS), "social")
    two = _channel(sim.simulate(market, _plan(2 * budget, {"social": 1.0}), SEEDS), "social")
    return one[cols].sum(), two[cols].sum()


def test_doubling_a_heavy_channel_budget_gives_clearly_less_than_double(market) -> None:
    # 2M CNY over 42 days buys ~0.6 impressions per shopper a day: 1 - exp(-A/sat) is
    # well into its curve (doubling exposure gives ~1.55x visits).
    one, two = _doubling(market, 2e6)
    assert two["spend"] / one["spend"] == pytest.approx(2.0, rel=1e-9)
    assert one["new_customers"] >= 100 * 150  # >= 150 simulated customers (scale 100)
    ratio = two["new_customers"] / one["new_customers"]
    assert 1.0 < ratio < 1.8, f"new customers x{ratio:.3f} for 2x budget"
    assert 1.0 < two["visits"] / one["visits"] < 1.7


def test_light_exposure_is_nearly_linear(market) -> None:
    # the same channel at a twentieth of the budget is on the linear part of the curve:
    # the diminishing returns above come from exposure, not from a flat discount on spend
    one, two = _doubling(market, 1e5)
    assert two["spend"] / one["spend"] == pytest.approx(2.0, rel=1e-9)
    assert two["visits"] / one["visits"] > 1.85


# -------------------------------------------------------------------------- adstock
BURST = ("2026-01-11", "2026-01-17")  # days 10-16
BURST_END = 16


def _burst_runs(market, decay: float) -> tuple[np.ndarray, np.ndarray]:
    sc = market.with_overrides({"horizon.days": 30, "channels.social.decay": decay})
    burst = _plan(3e5, {"search": 0.5, "social": 0.5},
                  flighting={"social": [{"start": BURST[0], "end": BURST[1]}]})
    quiet = _plan(1.5e5, {"search": 1.0})  # the same search plan, no social burst
    with_burst = sim.simulate(sc, burst, seeds=3)
    without = sim.simulate(sc, quiet, seeds=3)
    spend = _per_day(with_burst, "social", "spend")
    assert (spend[10:BURST_END + 1] > 0).all() and (spend[BURST_END + 1:] == 0).all()
    assert (spend[:10] == 0).all()
    return _per_day(with_burst, "social", "visits"), _per_day(without, "social", "visits")


def test_burst_keeps_bringing_visits_after_it_ends(market) -> None:
    decay = market.channels["social"].decay  # 0.6
    burst, quiet = _burst_runs(market, decay)
    after = burst[BURST_END + 1:BURST_END + 4]
    assert (after > quiet[BURST_END + 1:BURST_END + 4]).all()
    # carry-over fades geometrically with the channel's decay: A <- decay * A once spend
    # stops, and the concave response keeps each day at or above decay^k of the last
    # burst day (half of it, for sampling noise)
    last = burst[BURST_END]
    for k, v in enumerate(after, start=1):
        assert v >= 0.5 * decay**k * last, (k, v, last)
    assert after[0] > after[1] > after[2]
    assert after[0] < 0.9 * last


def test_without_adstock_the_burst_stops_with_its_spend(market) -> None:
    burst, _ = _burst_runs(market, 0.0)
    assert burst[BURST_END] > 0
    assert (burst[BURST_END + 1:] == 0).all()


# ------------------------------------------------------------------------ targeting
def _premium_share_of_social_customers(market, affinity: float) -> tuple[float, float]:
    segs = list(market.population.segments)
    sc = market.with_population(50_000).with_overrides({
        "channels.social.city_tier_affinity": {},
        **{f"population.segments.{s}.channel_affinity.social":
           (affinity if s == "premium" else 1.0) for s in segs},
    })
    plan = _plan(3e6, {"social": 1.0})
    social, premium = list(sc.channels).index("social"), segs.index("premium")
    acquired = from_premium = prospects = premium_prospects = 0
    for seed in range(SEEDS):
        pop = sim.MarketModel(sc, plan, seed).run().population
        by_social = pop.acquired_by == social
        acquired += by_social.sum()
        from_premium += (by_social & (pop.segment == premium)).sum()
        # not a customer when the horizon began: never bought, or first bought in it
        start_prospect = (pop.first_day == NEVER) | (pop.first_day >= 0)
        prospects += start_prospect.sum()
        premium_prospects += (start_prospect & (pop.segment == premium)).sum()
    assert acquired >= 500
    return from_premium / acquired, premium_prospects / prospects


def test_affinity_targets_a_channels_new_customers(market) -> None:
    equal, pool = _premium_share_of_social_customers(market, 1.0)
    targeted, _ = _premium_share_of_social_customers(market, 5.0)
    # equal affinity: social recruits premium shoppers at about their share of the pool
    assert abs(equal - pool) < 0.06, (equal, pool)
    # 5x affinity: premium shoppers get 5x the exposure (saturating), ~0.45 of recruits
    assert targeted > equal + 0.12, (targeted, equal)
    assert targeted > 1.5 * pool


# --------------------------------------------------------------------- owned channel
def test_owned_channel_never_acquires_and_over_contact_unsubscribes(market) -> None:
    crm = list(market.channels).index("crm")
    light = _plan(2e4, {"crm": 1.0})   # ~0.04 messages a customer a day: below tolerance
    heavy = _plan(4e5, {"crm": 1.0})   # ~0.8 a day: fatigue far above tolerance 1.5
    res = {name: sim.simulate(market, plan, seeds=2) for name, plan in
           (("light", light), ("heavy", heavy))}
    for r in res.values():
        ch = _channel(r, "crm")
        assert ch["orders"].sum() > 0  # it does bring orders from customers
        assert (ch["new_customers"] == 0).all()
    pop = sim.MarketModel(market, heavy, 0).run().population
    assert pop.acquired_by.max() < len(market.channels)
    assert not (pop.acquired_by == crm).any()
    unsub = {k: r.totals()["unsubscribes"] for k, r in res.items()}
    assert (unsub["light"] == 0).all()
    initial_subscribers = market.population.initial_customer_share * 2_000_000
    assert (unsub["heavy"] > 0.2 * initial_subscribers).all()
    # fatigue above tolerance lowers every purchase hazard: over-contact costs GMV
    assert (res["heavy"].totals()["gmv"] < res["light"].totals()["gmv"]).all()


# ------------------------------------------------------------------ engine defects
def test_market_without_channels_runs() -> None:
    # the schema allows `channels: {}` (its default), and a market with no channels is
    # the plain BG/NBD world
    sc = scenarios.load("tests/data/bgnbd_cohort.yaml").with_overrides(
        {"channels": {}, "population.size": 500, "horizon.days": 10})
    res = sim.simulate(sc, seeds=1)
    assert res.daily["orders"].sum() > 0


def test_exposures_never_fall_when_a_day_budget_rises(market) -> None:
    kol = market.channels["kol"]  # fee_per_day 2000
    model = sim.MarketModel(market.with_overrides({"horizon.days": 1}), None, 0)
    budgets = np.array([500, 1000, 1999, 2000, 2001, 2500, 4000, 8000], dtype=float)
    exposures = [ChannelAgent(model, "kol", kol, np.array([b])).buy(0) for b in budgets]
    assert (np.diff(exposures) >= 0).all(), dict(zip(budgets, exposures, strict=True))


def test_owned_channel_spends_nothing_without_an_audience(market) -> None:
    sc = market.with_overrides({"population.initial_customer_share": 0.0,
                                "horizon.days": 3})
    res = sim.simulate(sc, _plan(3e4, {"crm": 1.0}), seeds=1)
    crm = _channel(res, "crm")
    assert crm["reach"].iloc[0] == 0  # nobody to message on day 0
    assert crm["spend"].iloc[0] == 0
