"""Comparing strategies on common random numbers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
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


def test_cli_compare_writes_table_and_plot(tmp_path: Path) -> None:
    plan = tmp_path / "bigger.yaml"
    plan.write_text(sim.strategy_to_yaml(_bigger_budget(2.0)))
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "sim.cli", "compare", "baseline", "--strategy", str(plan),
         "--population", "3000", "--days", "20", "--seeds", "3", "--out", str(out)],
        capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "paired differences against 'scenario plan'" in proc.stdout
    table = pd.read_csv(out / "compare.csv")
    assert set(table["strategy"]) == {"scenario plan", "bigger"}
    spend = table.query("strategy == 'bigger' and kpi == 'marketing_spend'").iloc[0]
    assert spend["diff_mean"] > 0
    assert (out / "compare_gmv.png").read_bytes()[:4] == b"\x89PNG"
    daily = pd.read_csv(out / "compare_daily.csv")
    assert len(daily) == 2 * 3 * 20


def test_cli_compare_bad_strategy_is_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("budget: 100\nshares: {tiktok: 1.0}\n")
    proc = subprocess.run(
        [sys.executable, "-m", "sim.cli", "compare", "baseline", "--strategy", str(bad),
         "--out", str(tmp_path / "out")], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "shares.tiktok" in proc.stderr
    assert not (tmp_path / "out").exists()
