"""Lifecycle marketing: messages and offers aimed at a stage (win-back to dormant)."""

from __future__ import annotations

import numpy as np
import pytest

import scenarios
import sim
from agents._config import STAGES
from sim.schema import Strategy

SC = scenarios.load("baseline").with_population(20_000).with_overrides({"horizon.days": 60})
DORMANT = STAGES.index("dormant")
WIN_BACK = {"name": "win back 20%", "discount": 0.2, "stages": ["dormant"],
            "start": "2026-01-01", "end": "2026-02-28"}


def _plan(**extra) -> Strategy:
    return Strategy.model_validate({**SC.strategy.model_dump(), **extra})


def _reactivated(plan: Strategy, seed: int, scenario=SC) -> tuple[int, int, float]:
    """Dormant customers at the start who order in the horizon; dormant count; unsubscribes."""
    model = sim.MarketModel(scenario, plan, seed=seed)
    dormant = model.lifecycle.stages(0) == DORMANT
    ordered = np.zeros(model.population.n, dtype=bool)
    while model.running:
        model.step()
        ordered[model.last_outcome.buyers] = True
    return int((ordered & dormant).sum()), int(dormant.sum()), \
        float(model.ledger.daily["unsubscribes"].sum())


def test_messages_aimed_at_dormant_customers_reach_only_them() -> None:
    model = sim.MarketModel(SC, _plan(audiences={"crm": ["dormant"]}), seed=1)
    dormant = model.lifecycle.stages(0) == DORMANT
    model.step()
    crm = list(SC.channels).index("crm")
    reached = model.population.adstock[crm] > 0
    assert reached.any() and (reached <= dormant).all()


@pytest.mark.slow
def test_win_back_reactivates_more_dormant_customers_than_none() -> None:
    campaign = _plan(audiences={"crm": ["dormant"]}, promotions=[WIN_BACK])
    gains = []
    for seed in (1, 2, 3, 4):
        with_it, n, _ = _reactivated(campaign, seed)
        without, n2, _ = _reactivated(SC.strategy, seed)
        assert n == n2 > 1000  # the same dormant customers (same seed)
        gains.append((with_it - without) / n)
    gains = np.array(gains)
    half = 3.182 * gains.std(ddof=1) / 2  # t(0.975, 3) x sd / sqrt(4)
    assert gains.mean() - half > 0.03, gains  # several points more reactivated


@pytest.mark.slow
def test_over_contacting_dormant_customers_raises_unsubscribes() -> None:
    sc = SC.with_overrides({"channels.crm.max_messages_per_day": 3})

    def campaign(crm_share: float) -> Strategy:
        shares = dict(SC.strategy.shares)
        shares["search"] += shares["crm"] - crm_share
        shares["crm"] = crm_share
        return _plan(audiences={"crm": ["dormant"]}, shares=shares)

    light, heavy = campaign(0.002), campaign(0.05)
    for seed in (1, 2):
        back_light, _, calm = _reactivated(light, seed, sc)
        back_heavy, _, pushed = _reactivated(heavy, seed, sc)
        assert pushed > 2 * calm + 1000, (pushed, calm)
        assert back_heavy < back_light  # tired customers also buy less: over-marketing


def test_audiences_must_name_channels() -> None:
    with pytest.raises(ValueError, match="unknown channel 'sms'"):
        SC.with_overrides({"strategy.audiences": {"sms": ["dormant"]}})


# ------------------------------------------------ the lifecycle stage alone
def _orders(buyers, channel, value=100.0, **fields):
    from agents.checkout import Orders

    buyers = np.asarray(buyers)
    n = buyers.size
    return Orders(buyers=buyers, order_channel=np.asarray(channel), category=np.zeros(n, int),
                  list_value=np.full(n, value), gmv=np.full(n, value), cogs=np.zeros(n),
                  n_own=n, **fields)


def _tiny_lifecycle(**state):
    from conftest import population, tiny_scenario

    from agents.lifecycle import Lifecycle

    pop = population(tiny_scenario(), **state)
    return pop, Lifecycle(pop)


def test_dropout_happens_only_after_repeat_orders() -> None:
    pop, life = _tiny_lifecycle(p_drop=1.0, customer=False, alive=False)
    pop.customer[:5] = pop.alive[:5] = True
    new, repeat = life.book(3, _orders(range(10), [0] * 10), np.arange(10))
    assert new.tolist() == [False] * 5 + [True] * 5
    assert repeat.tolist() == [True] * 5 + [False] * 5
    # p = 1: every repeat buyer drops out; a first order never triggers it
    assert not pop.alive[:5].any() and pop.alive[5:10].all() and pop.customer[:10].all()
    assert (pop.first_day[5:10] == 3).all() and (pop.last_day[:10] == 3).all()
    assert pop.subscribed[:, 5:10].all()


def test_a_first_order_is_acquired_by_its_source_and_a_referral_overrides_it() -> None:
    from agents.population import ORGANIC, REFERRAL

    pop, life = _tiny_lifecycle(customer=False, alive=False)
    organic = len(pop.channels)
    friends = (np.array([2]), np.array([30]))
    life.book(0, _orders([0, 1, 2], [1, organic, organic], referrals=friends),
              np.array([0, 1, 2, 9]))
    assert pop.acquired_by[:3].tolist() == [1, ORGANIC, REFERRAL]
    assert pop.aware[9]  # a visit makes a shopper aware


def test_a_stock_out_departure_is_applied_before_the_days_orders() -> None:
    pop, life = _tiny_lifecycle(customer=True, alive=True, p_drop=0.0)
    _, repeat = life.book(0, _orders([4, 5], [0, 0], departed=np.array([4, 20])),
                            np.array([4, 5]))
    assert not pop.alive[[4, 20]].any() and pop.alive[5]
    assert repeat.tolist() == [False, True]  # a customer who left is not repeat-buying


def test_trailing_spend_decays_over_the_window_and_adds_the_days_orders() -> None:
    pop, life = _tiny_lifecycle(spend=100.0)
    window = pop.params.spend_window_days
    life.book(0, _orders([0], [0], value=50.0), np.array([0]))
    keep = np.exp(-1.0 / window)
    assert pop.spend[0] == pytest.approx(100.0 * keep + 50.0, rel=1e-6)
    assert pop.spend[1] == pytest.approx(100.0 * keep, rel=1e-6)


def test_stage_codes_follow_state() -> None:
    pop, life = _tiny_lifecycle(customer=False, alive=False, aware=False)
    p = pop.params
    pop.aware[1] = True
    pop.customer[2:6] = pop.alive[2:5] = pop.aware[2:6] = True
    pop.first_day[2:6], pop.last_day[2:6] = -400, 0
    pop.first_day[2] = 0  # new
    pop.last_day[3] = -p.dormant_after_days  # dormant
    pop.spend[4] = p.high_value_spend  # high value
    codes = life.stages(0)[:6]
    assert [STAGES[c] for c in codes] == ["prospect", "aware", "new", "dormant",
                                          "high_value", "churned"]
