"""Lifecycle marketing: messages and offers aimed at a stage (win-back to dormant)."""

from __future__ import annotations

import numpy as np
import pytest

import scenarios
import sim
from sim.schema import STAGES, Strategy

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
