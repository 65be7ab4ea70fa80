"""Replications: run a scenario on several seeds, in this process or in worker processes."""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed

import numpy as np
import pandas as pd

from sim.model import MarketModel
from sim.results import Results
from sim.schema import Scenario, Strategy
from sim.streams import replication_seeds

__all__ = ["simulate"]


def _run_one(scenario: Scenario, strategy: Strategy, seed_seq: np.random.SeedSequence,
             index: int, on_day: Callable[[int], None] | None = None
             ) -> dict[str, pd.DataFrame]:
    model = MarketModel(scenario, strategy, seed_seq).run(on_day)
    return model.ledger.frames(model.calendar.dates, index)


def simulate(scenario: Scenario, strategy: Strategy | None = None, seeds: int = 4, *,
             seed: int | None = None, jobs: int = 1,
             progress: Callable[[int], None] | None = None) -> Results:
    """Run ``scenario`` under ``strategy`` on ``seeds`` replications.

    Replication *i* uses the *i*-th child of ``SeedSequence(seed)``, so the numbers do
    not depend on ``jobs`` or on the process that runs them.

    Args:
        scenario: the validated scenario.
        strategy: the plan; None runs the scenario's own strategy.
        seeds: number of replications (at least 1).
        seed: root seed; None uses the scenario's ``seed``.
        jobs: worker processes (1 runs in this process).
        progress: called with a number of simulated days each time some finish.

    Returns:
        Results with daily, per-channel, per-segment and per-city-tier KPIs.
    """
    if seeds < 1:
        raise ValueError(f"seeds must be at least 1, got {seeds}")
    strategy = scenario.strategy if strategy is None else strategy
    children = replication_seeds(scenario.seed if seed is None else seed, seeds)
    parts: list[dict[str, pd.DataFrame] | None] = [None] * seeds
    if jobs <= 1 or seeds == 1:
        step = (lambda _day: progress(1)) if progress else None
        for i, child in enumerate(children):
            parts[i] = _run_one(scenario, strategy, child, i, step)
    else:
        ctx = mp.get_context("spawn")  # no state inherited from the parent: same numbers
        with ProcessPoolExecutor(max_workers=min(jobs, seeds), mp_context=ctx) as pool:
            futures = {pool.submit(_run_one, scenario, strategy, child, i): i
                       for i, child in enumerate(children)}
            for fut in as_completed(futures):
                parts[futures[fut]] = fut.result()
                if progress:
                    progress(scenario.horizon.n_days)
    frames = {key: pd.concat([p[key] for p in parts if p is not None], ignore_index=True)
              for key in ("daily", "by_channel", "by_segment", "by_city_tier",
                          "by_promotion")}
    return Results(scenario, strategy, frames)
