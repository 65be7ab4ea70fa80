"""`growthsim compare` and `growthsim decompose` as a user runs them: the tables on the
terminal, the files in --out, and bad input (exit code 2, one line, nothing written)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd

import scenarios
import sim
from sim.schema import Strategy

BASE = scenarios.load("baseline")
WEEK = {"name": "week", "discount": 0.2, "start": "2026-01-15", "end": "2026-01-21"}
PLAN = Strategy.model_validate({**BASE.strategy.model_dump(), "promotions": [WEEK]})


def _bigger_budget(factor: float) -> sim.Strategy:
    return BASE.strategy.model_copy(update={"budget": BASE.strategy.budget * factor})


def test_cli_compare_writes_table_and_plot(tmp_path: Path) -> None:
    plan = tmp_path / "bigger.yaml"
    plan.write_text(sim.strategy_to_yaml(_bigger_budget(2.0)))
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "interfaces.cli", "compare", "baseline", "--strategy", str(plan),
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
        [sys.executable, "-m", "interfaces.cli", "compare", "baseline", "--strategy", str(bad),
         "--out", str(tmp_path / "out")], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "shares.tiktok" in proc.stderr
    assert not (tmp_path / "out").exists()


def test_cli_decompose_writes_table_and_plot(tmp_path: Path) -> None:
    plan = tmp_path / "week.yaml"
    plan.write_text(sim.strategy_to_yaml(PLAN))
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "interfaces.cli", "decompose", "baseline", "--strategy", str(plan),
         "--population", "3000", "--days", "35", "--seeds", "2", "--out", str(out)],
        capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "bump_gmv" in proc.stdout
    table = pd.read_csv(out / "decomposition.csv", index_col="component")
    assert {"bump_gmv", "pulled_forward_gmv", "net_incremental_profit"} <= set(table.index)
    assert (out / "decomposition.png").read_bytes()[:4] == b"\x89PNG"


def test_cli_decompose_without_promotions_is_exit_2(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "interfaces.cli", "decompose", "baseline", "--out",
         str(tmp_path / "o")],
        capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "promotions" in proc.stderr and proc.stderr.strip().count("\n") == 0
    assert not (tmp_path / "o").exists()
