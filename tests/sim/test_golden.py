"""Golden fingerprints: every shipped scenario, at a small population and fixed seeds, gives
byte-identical output frames to the ones recorded in ``tests/data/golden.json``.

A change that is not meant to change the model (a refactor, a speed-up) must leave every
fingerprint as it is. A change that is meant to change the model updates the fingerprints
of the scenarios it changes, and says why in its commit:

    GROWTHSIM_UPDATE_GOLDEN=1 python -m pytest tests/sim/test_golden.py

The frames are hashed as the CSV files ``growthsim run --out`` writes (``daily.csv``,
``by_channel.csv``, ...), so a change of a column's order or name shows too.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

import scenarios
import sim

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "golden.json"
SIZE, SEEDS = 4000, 2
FRAMES = ("daily", "by_channel", "by_segment", "by_city_tier", "by_promotion", "by_category")
#: shipped strategy files, run on the scenario they were written for
STRATEGIES = {"membership_relaunch+flat_points": ("membership_relaunch",
                                                  "strategies/flat_points.yaml")}
CASES = [*scenarios.names(), *STRATEGIES]


def _fingerprints(case: str) -> dict[str, str]:
    name, strategy_file = STRATEGIES.get(case, (case, None))
    sc = scenarios.load(name).with_population(SIZE)
    strategy = None if strategy_file is None else sim.load_strategy_file(
        scenarios.path(name).parent / strategy_file, sc)
    res = sim.simulate(sc, strategy, seeds=SEEDS)
    return {frame: hashlib.sha256(getattr(res, frame).to_csv(index=False).encode()).hexdigest()
            for frame in FRAMES}


def _recorded() -> dict[str, dict[str, str]]:
    return json.loads(GOLDEN.read_text()) if GOLDEN.exists() else {}


def test_every_shipped_scenario_has_a_fingerprint() -> None:
    if os.environ.get("GROWTHSIM_UPDATE_GOLDEN"):
        pytest.skip("recording fingerprints")
    assert sorted(_recorded()) == sorted(CASES)


@pytest.mark.parametrize("case", CASES)
def test_output_frames_match_their_golden_fingerprints(case: str) -> None:
    got = _fingerprints(case)
    if os.environ.get("GROWTHSIM_UPDATE_GOLDEN"):
        # one file, each case writing its own entry (tests may run in parallel workers)
        import fcntl

        with open(GOLDEN.with_suffix(".lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            data = _recorded()
            data[case] = got
            GOLDEN.write_text(json.dumps(dict(sorted(data.items())), indent=1) + "\n")
        return
    want = _recorded().get(case)
    assert want is not None, f"no fingerprint recorded for {case}"
    changed = [f for f in FRAMES if got[f] != want[f]]
    assert not changed, f"{case}: {', '.join(changed)} changed (see this file's docstring)"
