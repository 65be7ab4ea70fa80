"""Presale (定金膨胀) on double11: deposits in the warm-up, completions on the main day."""

from __future__ import annotations

import numpy as np
import pytest

import scenarios
import sim

SC = scenarios.load("double11").with_population(20_000)
PRESALE = SC.strategy.promotions[0]


@pytest.fixture(scope="module")
def res() -> sim.Results:
    assert PRESALE.kind == "presale"
    return sim.simulate(SC, seeds=3)


def _by_date(res: sim.Results, col: str):
    return res.daily.pivot(index="date", columns="seed", values=col)


def test_deposits_come_in_the_deposit_window_only(res) -> None:
    dep = _by_date(res, "deposits")
    window = (dep.index >= "2026-10-20") & (dep.index <= "2026-10-31")
    assert (dep[window] > 0).all().all()  # every day of the window, every seed
    assert (dep[~window] == 0).all().all()
    np.testing.assert_allclose(_by_date(res, "deposit_value"), dep * PRESALE.deposit)


def test_completions_and_forfeits_on_the_main_day_balance_the_deposits(res) -> None:
    done, lost = _by_date(res, "presale_orders"), _by_date(res, "forfeits")
    main = done.index == "2026-11-11"
    assert (done[~main] == 0).all().all() and (lost[~main] == 0).all().all()
    t = res.totals()
    np.testing.assert_allclose(t["presale_orders"] + t["forfeits"], t["deposits"])
    # forfeits follow forfeit_share (binomial, 3 sigma)
    n, share = t["deposits"] / SC.population.scale, PRESALE.forfeit_share
    sigma = np.sqrt(n * share * (1 - share))
    assert (np.abs(t["forfeits"] / SC.population.scale - n * share) < 3 * sigma).all()
    np.testing.assert_allclose(t["forfeited_deposits"], t["forfeits"] * PRESALE.deposit)


def test_each_completed_order_saves_the_deposit_bonus_and_forfeits_are_income(res) -> None:
    per = res.by_promotion.query("promotion == @PRESALE.name").groupby("seed")[
        ["orders", "discount_cost"]].sum()
    t = res.totals()
    np.testing.assert_allclose(per["orders"], t["presale_orders"])
    bonus = (PRESALE.multiplier - 1) * PRESALE.deposit  # 50 paid counts 100: 50 off
    np.testing.assert_allclose(per["discount_cost"], t["presale_orders"] * bonus)
    np.testing.assert_allclose(
        t["gross_profit"],
        t["gmv"] + t["forfeited_deposits"] - t["cogs"] - t["loyalty_cost"] - t["holding_cost"])


def test_a_presale_locks_orders_early() -> None:
    # without the presale, the warm-up has more ordinary orders and the main day fewer
    bare = SC.strategy.model_copy(update={"promotions": SC.strategy.promotions[1:]})
    cmp = sim.compare(SC, {"with": None, "without": bare}, seeds=3)
    w, wo = (_by_date(cmp.results[k], "orders") for k in ("with", "without"))
    warm = (w.index >= "2026-10-20") & (w.index <= "2026-10-31")
    assert (w[warm].sum() < wo[warm].sum()).all()
    assert (w.loc["2026-11-11"] > wo.loc["2026-11-11"]).all()
