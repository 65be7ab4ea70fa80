"""Comparing strategies on common random numbers: paired differences with intervals."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from sim.results import SUMMARY_KPIS, Results, mean_ci
from sim.runner import simulate
from sim.schema import Scenario, Strategy

__all__ = ["Comparison", "compare"]


@dataclass
class Comparison:
    """Results of several strategies run on the same seeds.

    Attributes:
        scenario: the scenario.
        results: one ``Results`` per strategy name, in the order given; the first is the
            reference the others are compared with.
    """

    scenario: Scenario
    results: dict[str, Results]

    @property
    def reference(self) -> str:
        return next(iter(self.results))

    def table(self, level: float = 0.95) -> pd.DataFrame:
        """One row per (KPI, strategy): mean and CI over seeds, and the paired difference
        against the reference with its CI (``diff_*``; NaN for the reference itself).

        The difference is taken seed by seed, so the randomness every strategy shares
        (common random numbers) cancels and the interval is narrow.
        """
        ref = self.results[self.reference].totals()[SUMMARY_KPIS]
        rows = []
        for name, res in self.results.items():
            tot = res.totals()[SUMMARY_KPIS]
            own = mean_ci(tot, level)
            diff = mean_ci(tot - ref, level) if name != self.reference else None
            for kpi in SUMMARY_KPIS:
                row = {"kpi": kpi, "strategy": name, **own.loc[kpi].to_dict()}
                if diff is not None:
                    d = diff.loc[kpi]
                    row |= {"diff_mean": d["mean"], "diff_ci_low": d["ci_low"],
                            "diff_ci_high": d["ci_high"],
                            "significant": bool(d["ci_low"] > 0 or d["ci_high"] < 0)}
                rows.append(row)
        return pd.DataFrame(rows)


def compare(scenario: Scenario, strategies: dict[str, Strategy | None], seeds: int = 8, *,
            seed: int | None = None, jobs: int = 1) -> Comparison:
    """Run every strategy on the same ``seeds`` replications (common random numbers).

    Args:
        scenario: the validated scenario.
        strategies: name -> strategy (None: the scenario's own plan); the first is the
            reference.
        seeds: replications, shared by all strategies.
        seed: root seed; None uses the scenario's.
        jobs: worker processes per strategy run.
    """
    if not strategies:
        raise ValueError("compare needs at least one strategy")
    return Comparison(scenario, {name: simulate(scenario, plan, seeds, seed=seed, jobs=jobs)
                                 for name, plan in strategies.items()})
