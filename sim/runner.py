"""Replications: run a scenario on several seeds, in this process or in worker processes."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from agents.streams import replication_seeds
from sim.model import MarketModel
from sim.order_log import concat
from sim.results import Results
from sim.schema import Scenario, Strategy
from sim.workers import map_unordered

__all__ = ["simulate", "simulate_many"]


#: The frames of a run, in the order ``Results`` takes them.
_FRAMES = ("daily", "by_channel", "by_segment", "by_city_tier", "by_promotion", "by_tier",
           "by_cohort", "by_source", "by_category")


def _run_one(scenario: Scenario, strategy: Strategy, seed_seq: np.random.SeedSequence,
             index: int, on_day: Callable[[int], None] | None = None, orders: bool = False
             ) -> dict[str, pd.DataFrame]:
    model = MarketModel(scenario, strategy, seed_seq, orders=orders).run(on_day)
    frames = model.ledger.frames(model.calendar.dates, index)
    if (log := model.orders_frame(index)) is not None:
        frames["orders"] = log
    return frames


def simulate(scenario: Scenario, strategy: Strategy | None = None, seeds: int = 4, *,
             seed: int | None = None, jobs: int = 1,
             progress: Callable[[int], None] | None = None, first: int = 0,
             orders: bool = False) -> Results:
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
        first: index of the first replication: ``first=2, seeds=1`` runs replication 2
            alone, exactly as it runs among others (results keep its index as ``seed``).
        orders: also return every simulated order, ``Results.orders`` (one row per order
            at simulated scale; columns ``sim.order_log.COLUMNS``); no number changes.

    Returns:
        Results with daily, per-channel, per-segment and per-city-tier KPIs (and with
        ``orders`` the order log).
    """
    return simulate_many(scenario, {"plan": strategy}, seeds, seed=seed, jobs=jobs,
                         progress=progress, first=first, orders=orders)["plan"]


def simulate_many(scenario: Scenario, strategies: dict[str, Strategy | None], seeds: int = 4,
                  *, seed: int | None = None, jobs: int = 1,
                  progress: Callable[[int], None] | None = None, first: int = 0,
                  orders: bool = False) -> dict[str, Results]:
    """``simulate`` for several strategies on the same replications, sharing one pool of
    ``jobs`` worker processes (arguments as for ``simulate``)."""
    if seeds < 1:
        raise ValueError(f"seeds must be at least 1, got {seeds}")
    plans = {k: scenario.strategy if v is None else v for k, v in strategies.items()}
    children = replication_seeds(scenario.seed if seed is None else seed, first + seeds)[first:]
    tasks = [(name, i, child) for name in plans for i, child in enumerate(children)]
    parts: dict[tuple[str, int], dict[str, pd.DataFrame]] = {}
    if jobs <= 1 or len(tasks) == 1:
        step = (lambda _day: progress(1)) if progress else None
        for name, i, child in tasks:
            parts[name, i] = _run_one(scenario, plans[name], child, first + i, step, orders)
    else:
        args = [(scenario, plans[name], child, first + i, None, orders)
                for name, i, child in tasks]
        for k, frames in map_unordered(_run_one, args, jobs):
            name, i, _ = tasks[k]
            parts[name, i] = frames
            if progress:
                progress(scenario.horizon.n_days)
    out = {}
    for name, plan in plans.items():
        frames = {key: pd.concat([parts[name, i][key] for i in range(seeds)],
                                 ignore_index=True) for key in _FRAMES}
        if orders:
            frames["orders"] = concat([parts[name, i].pop("orders") for i in range(seeds)])
        out[name] = Results(scenario, plan, frames)
    return out
