"""One channel alone: the exposures a daily budget buys under each pricing, the fee, the
commission reserve, content stock, and what the day really costs (no market model)."""

from __future__ import annotations

from typing import Any

import mesa
import numpy as np
import pydantic
import pytest

from agents.channels import Channel, ChannelAgent


def _channel(budgets: list[float], **config: Any) -> ChannelAgent:
    cfg = Channel.model_validate({"kind": "feed", **config})
    return ChannelAgent(mesa.Model(), "test", cfg, np.array(budgets, dtype=float))


# ---------------------------------------------------------------------- exposures
def test_cpm_buys_budget_over_rate_thousand_impressions() -> None:
    ch = _channel([2000.0, 500.0], pricing="cpm", rate=40.0)
    assert ch.buy(0) == pytest.approx(2000 / 40 * 1000)  # 50,000
    assert ch.buy(1) == pytest.approx(500 / 40 * 1000)


def test_cpc_buys_visits_and_the_impressions_that_bring_them() -> None:
    ch = _channel([600.0], kind="search", pricing="cpc", rate=2.0, ctr=0.03)
    # 300 visits at 2 each, from 300 / 0.03 = 10,000 impressions
    assert ch.buy(0) == pytest.approx(600 / 2 / 0.03)


def test_per_message_buys_budget_over_rate_messages() -> None:
    ch = _channel([100.0], kind="owned", pricing="per_message", rate=0.05,
                  audience="customers")
    assert ch.buy(0) == pytest.approx(2000.0)


def test_a_commission_channel_is_sized_by_its_effective_cpm_on_the_whole_budget() -> None:
    ch = _channel([1000.0], kind="affiliate", pricing="commission", rate=20.0,
                  commission=0.08)
    assert ch.buy(0) == pytest.approx(1000 / 20 * 1000)


def test_a_channel_that_also_pays_commission_keeps_that_share_of_its_budget() -> None:
    ch = _channel([8000.0], kind="kol", pricing="cpm", rate=60.0, fee_per_day=2000.0,
                  commission=0.1)
    # 8000 - 2000 fee = 6000, 10% of it in reserve: 5400 of media at 60 per 1000
    assert ch.buy(0) == pytest.approx(5400 / 60 * 1000)


def test_content_builds_a_stock_that_decays_and_brings_impressions_per_unit() -> None:
    ch = _channel([8000.0, 0.0, 0.0, 1600.0], kind="organic", pricing="content", rate=800.0,
                  content_decay=0.995, impressions_per_content=400.0)
    stock = [10.0, 10.0 * 0.995, 10.0 * 0.995**2, 10.0 * 0.995**3 + 2.0]
    for day, units in enumerate(stock):
        assert ch.buy(day) == pytest.approx(units * 400.0), day
        assert ch.content_stock == pytest.approx(units)


def test_a_day_whose_budget_cannot_pay_the_fee_does_not_run() -> None:
    ch = _channel([1500.0, 0.0, 2500.0], kind="kol", pricing="cpm", rate=60.0,
                  fee_per_day=2000.0, commission=0.1)
    for day in (0, 1):
        assert ch.buy(day) == 0.0
        assert ch.settle(attributed_gmv=10_000.0) == 0.0  # no fee, media or commission
    assert ch.buy(2) == pytest.approx(500 * 0.9 / 60 * 1000)
    assert ch.settle(0.0) == pytest.approx(2000.0 + 450.0)


# -------------------------------------------------------------------------- spend
def test_media_is_paid_for_the_delivered_share_and_the_fee_in_full() -> None:
    ch = _channel([8000.0], kind="kol", pricing="cpm", rate=60.0, fee_per_day=2000.0,
                  commission=0.1)
    ch.buy(0)
    assert ch.settle(5000.0) == pytest.approx(2000 + 5400 + 0.1 * 5000)
    assert ch.settle(5000.0, delivered=0.5) == pytest.approx(2000 + 2700 + 0.1 * 5000)
    assert ch.settle(0.0, delivered=0.0) == pytest.approx(2000.0)


def test_messages_sent_to_nobody_cost_nothing() -> None:
    ch = _channel([100.0], kind="owned", pricing="per_message", rate=0.05,
                  audience="customers")
    ch.buy(0)
    assert ch.settle(0.0, delivered=0.4) == pytest.approx(40.0)
    assert ch.settle(0.0, delivered=0.0) == 0.0


def test_a_commission_channel_pays_commission_on_attributed_gmv_only() -> None:
    ch = _channel([1000.0], kind="affiliate", pricing="commission", rate=20.0,
                  commission=0.08)
    ch.buy(0)
    assert ch.settle(0.0) == 0.0
    assert ch.settle(5000.0) == pytest.approx(400.0)
    assert ch.settle(5000.0, delivered=0.1) == pytest.approx(400.0)


def test_content_is_paid_in_full_whoever_reads_it() -> None:
    ch = _channel([1600.0, 0.0], kind="organic", pricing="content", rate=800.0)
    ch.buy(0)
    assert ch.settle(0.0, delivered=0.2) == pytest.approx(1600.0)
    ch.buy(1)  # the stock still brings impressions, and costs nothing today
    assert ch.settle(0.0) == 0.0


@pytest.mark.parametrize("config", [
    {"pricing": "cpm", "rate": 40.0},
    {"pricing": "cpm", "rate": 60.0, "fee_per_day": 2000.0, "commission": 0.1},
    {"pricing": "cpc", "rate": 2.0, "commission": 0.05},
    {"pricing": "commission", "rate": 20.0, "commission": 0.08},
    {"pricing": "content", "rate": 800.0, "commission": 0.2},
])
def test_spend_never_exceeds_the_days_budget(config: dict[str, Any]) -> None:
    budgets = [0.0, 1000.0, 3000.0, 8000.0]
    ch = _channel(budgets, **config)
    for day, budget in enumerate(budgets):
        ch.buy(day)
        spends = [ch.settle(gmv, d) for gmv in (0.0, 1e4, 1e6) for d in (0.0, 1.0)]
        assert max(spends) <= budget
    # a big attributed GMV makes commission the binding term: spend is the plan
    assert ch.settle(1e6) == pytest.approx(budgets[-1])


def test_a_commission_channel_needs_a_commission_and_messages_go_to_customers() -> None:
    with pytest.raises(pydantic.ValidationError, match="commission above 0"):
        Channel(kind="affiliate", pricing="commission", rate=20.0)
    with pytest.raises(pydantic.ValidationError, match="audience: customers"):
        Channel(kind="owned", pricing="per_message", rate=0.05)
