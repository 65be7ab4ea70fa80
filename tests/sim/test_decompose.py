"""Decomposing a promotion's effect on the same seeds."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import scenarios
import sim
from sim.schema import Strategy

SC = scenarios.load("baseline").with_overrides({"population.size": 8000, "horizon.days": 42})
WEEK = {"name": "week", "discount": 0.2, "start": "2026-01-15", "end": "2026-01-21"}
PLAN = Strategy.model_validate({**SC.strategy.model_dump(), "promotions": [WEEK]})


@pytest.fixture(scope="module")
def dec() -> sim.Decomposition:
    return sim.decompose(SC, PLAN, seeds=4)


def test_components_add_up_and_have_signs(dec) -> None:
    per_seed = dec.per_seed()
    # net = bump - what is lost after (nothing changes before the first promotion day)
    assert per_seed["net_incremental_gmv"].to_numpy() == pytest.approx(
        (per_seed["bump_gmv"] - per_seed["pulled_forward_gmv"]).to_numpy(), rel=1e-9)
    t = dec.table()
    assert t.loc["bump_gmv", "ci_low"] > 0
    assert t.loc["pulled_forward_gmv", "ci_low"] > 0
    assert t.loc["discount_cost", "mean"] > 0
    # profit: incremental gross profit minus the margin given away on orders that would
    # have happened anyway; with these elasticities the week loses money
    assert t.loc["net_incremental_profit", "mean"] < t.loc["net_incremental_gmv", "mean"]
    assert dec.in_window.sum() == 7


def test_plan_without_promotions_is_refused() -> None:
    with pytest.raises(ValueError, match="no promotions"):
        sim.decompose(SC, SC.strategy, seeds=2)


def test_cli_decompose_writes_table_and_plot(tmp_path: Path) -> None:
    plan = tmp_path / "week.yaml"
    plan.write_text(sim.strategy_to_yaml(PLAN))
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "sim.cli", "decompose", "baseline", "--strategy", str(plan),
         "--population", "3000", "--days", "35", "--seeds", "2", "--out", str(out)],
        capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "bump_gmv" in proc.stdout
    table = pd.read_csv(out / "decomposition.csv", index_col="component")
    assert {"bump_gmv", "pulled_forward_gmv", "net_incremental_profit"} <= set(table.index)
    assert (out / "decomposition.png").read_bytes()[:4] == b"\x89PNG"


def test_cli_decompose_without_promotions_is_exit_2(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "sim.cli", "decompose", "baseline", "--out", str(tmp_path / "o")],
        capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "promotions" in proc.stderr and proc.stderr.strip().count("\n") == 0
    assert not (tmp_path / "o").exists()
