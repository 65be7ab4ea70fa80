"""Comparing strategies on common random numbers."""

from __future__ import annotations

import numpy as np
from scipy import stats

import scenarios
import sim

SC = scenarios.load("baseline").with_overrides({"population.size": 5000, "horizon.days": 30})


def _bigger_budget(factor: float) -> sim.Strategy:
    return SC.strategy.model_copy(update={"budget": SC.strategy.budget * factor})


def test_identical_strategies_differ_by_exactly_zero() -> None:
    cmp = sim.compare(SC, {"a": None, "b": SC.strategy}, seeds=3)
    t = cmp.table().query("strategy == 'b'").set_index("kpi")
    assert (t["diff_mean"].fillna(0) == 0).all()
    assert not t["significant"].any()
    assert cmp.table().query("strategy == 'a'")["diff_mean"].isna().all()


def test_paired_interval_is_much_narrower_than_independent_runs() -> None:
    seeds = 6
    plan = _bigger_budget(1.5)
    cmp = sim.compare(SC, {"base": None, "more": plan}, seeds=seeds)
    paired = cmp.table().query("strategy == 'more' and kpi == 'gmv'").iloc[0]
    paired_width = paired["diff_ci_high"] - paired["diff_ci_low"]
    # the same comparison without common random numbers: "more" on other seeds
    a = cmp.results["base"].totals()["gmv"].to_numpy()
    b = sim.simulate(SC, plan, seeds=seeds, seed=SC.seed + 1).totals()["gmv"].to_numpy()
    se = np.sqrt(a.var(ddof=1) / seeds + b.var(ddof=1) / seeds)
    independent_width = 2 * stats.t.ppf(0.975, 2 * seeds - 2) * se
    assert paired_width < 0.35 * independent_width
    # and the extra budget is a real effect: more new customers, CI above zero
    new = cmp.table().query("strategy == 'more' and kpi == 'new_customers'").iloc[0]
    assert new["diff_ci_low"] > 0 and new["significant"]
