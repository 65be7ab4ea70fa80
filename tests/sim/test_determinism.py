"""Reproducibility contract: same scenario, strategy and seeds give identical results in any
process and with any number of workers (DESIGN.md, "Randomness and reproducibility")."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import scenarios
import sim

ROOT = Path(__file__).resolve().parents[2]
SIZE, DAYS = 3000, 30


@pytest.fixture(scope="module")
def market() -> sim.Scenario:
    return scenarios.load("baseline").with_overrides(
        {"population.size": SIZE, "horizon.days": DAYS})


@pytest.fixture(scope="module")
def three(market: sim.Scenario) -> sim.Results:
    return sim.simulate(market, seeds=3)


def _checksum(totals: pd.DataFrame) -> str:
    """A digest of every number in the per-seed totals (exact float bits)."""
    values = np.ascontiguousarray(totals.sort_index(axis=1).to_numpy(dtype=np.float64))
    return hashlib.sha256(values.tobytes()).hexdigest()


def _seed_rows(frame: pd.DataFrame, seed: int) -> pd.DataFrame:
    return frame[frame["seed"] == seed].reset_index(drop=True)


def test_replications_are_not_copies_of_each_other(three: sim.Results) -> None:
    # Guards the tests below: identical frames must come from determinism, not from a
    # market that draws nothing at random.
    gmv = three.daily.pivot(index="day", columns="seed", values="gmv")
    assert gmv.shape == (DAYS, 3)
    assert (gmv > 0).all().all()
    assert not gmv[0].equals(gmv[1]) and not gmv[1].equals(gmv[2])


def test_same_scenario_and_seeds_give_identical_frames(market, three) -> None:
    again = sim.simulate(market, seeds=3)
    pd.testing.assert_frame_equal(three.daily, again.daily, check_exact=True)
    pd.testing.assert_frame_equal(three.by_channel, again.by_channel, check_exact=True)
    pd.testing.assert_frame_equal(three.by_segment, again.by_segment, check_exact=True)
    pd.testing.assert_frame_equal(three.by_city_tier, again.by_city_tier, check_exact=True)


def test_explicit_root_seed_equals_scenario_seed(market, three) -> None:
    explicit = sim.simulate(market, seeds=3, seed=market.seed)
    pd.testing.assert_frame_equal(three.daily, explicit.daily, check_exact=True)


def test_worker_processes_give_the_same_numbers(market, three) -> None:
    parallel = sim.simulate(market, seeds=3, jobs=2)
    pd.testing.assert_frame_equal(three.daily, parallel.daily, check_exact=True)
    pd.testing.assert_frame_equal(three.by_channel, parallel.by_channel, check_exact=True)
    pd.testing.assert_frame_equal(three.by_segment, parallel.by_segment, check_exact=True)


def test_different_root_seeds_differ(market) -> None:
    a = sim.simulate(market, seeds=2, seed=1).daily
    b = sim.simulate(market, seeds=2, seed=2).daily
    for col in ("orders", "gmv", "visitors", "new_customers"):
        assert not np.array_equal(a[col].to_numpy(), b[col].to_numpy()), col
    # a different seed is a different sample of the same market, not a different market
    ratio = a["gmv"].sum() / b["gmv"].sum()
    assert 0.8 < ratio < 1.25


def test_replication_i_does_not_depend_on_how_many_are_run(market, three) -> None:
    two = sim.simulate(market, seeds=2)
    for i in range(2):
        for key in ("daily", "by_channel", "by_segment", "by_city_tier"):
            pd.testing.assert_frame_equal(_seed_rows(getattr(two, key), i),
                                          _seed_rows(getattr(three, key), i),
                                          check_exact=True)


def test_single_model_equals_the_runners_replication(market, three) -> None:
    child = np.random.SeedSequence(market.seed).spawn(3)[1]
    model = sim.MarketModel(market, None, child).run()
    frame = model.ledger.frames(model.calendar.dates, 1)["daily"]
    expected = _seed_rows(three.daily, 1)[frame.columns]
    pd.testing.assert_frame_equal(frame, expected, check_exact=True)


_SCRIPT = textwrap.dedent(f"""
    import hashlib
    import numpy as np
    import scenarios, sim
    sc = scenarios.load("baseline").with_overrides(
        {{"population.size": {SIZE}, "horizon.days": {DAYS}}})
    totals = sim.simulate(sc, seeds=3).totals()
    values = np.ascontiguousarray(totals.sort_index(axis=1).to_numpy(dtype=np.float64))
    print(hashlib.sha256(values.tobytes()).hexdigest())
""")


def test_fresh_process_gives_the_same_totals(three) -> None:
    # A different hash seed in the child catches any dependence on set or str-hash order.
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    proc = subprocess.run([sys.executable, "-c", _SCRIPT], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == _checksum(three.totals())
