"""Comparing strategies on common random numbers: paired differences with intervals."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from sim import kpis
from sim.results import Results, mean_ci
from sim.runner import simulate_many
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
        rows = []
        for name, res in self.results.items():
            own = mean_ci(res.totals()[list(kpis.SUMMARY)], level)
            for kpi in kpis.SUMMARY:
                row = {"kpi": kpi, "strategy": name, **own.loc[kpi].to_dict()}
                if name != self.reference:
                    d = self.paired(name, self.reference, kpi, level)
                    row |= {"diff_mean": d["mean"], "diff_ci_low": d["low"],
                            "diff_ci_high": d["high"], "significant": d["significant"]}
                rows.append(row)
        return pd.DataFrame(rows)

    def paired(self, a: str, b: str, kpi: str, level: float = 0.95) -> dict[str, float]:
        """Strategy ``a`` minus ``b`` on ``kpi``, seed by seed: ``mean``, ``low``, ``high``
        (the CI) and ``significant`` (the CI excludes 0)."""
        diff = self.results[a].totals()[[kpi]] - self.results[b].totals()[[kpi]]
        mean, low, high = (float(v) for v in mean_ci(diff, level).to_numpy(dtype=float)[0])
        return {"mean": mean, "low": low, "high": high,
                "significant": bool(low > 0 or high < 0)}


def compare(scenario: Scenario, strategies: dict[str, Strategy | None], seeds: int = 8, *,
            seed: int | None = None, jobs: int = 1) -> Comparison:
    """Run every strategy on the same ``seeds`` replications (common random numbers).

    Args:
        scenario: the validated scenario.
        strategies: name -> strategy (None: the scenario's own plan); the first is the
            reference.
        seeds: replications, shared by all strategies.
        seed: root seed; None uses the scenario's.
        jobs: worker processes (one pool for every strategy and seed).
    """
    if not strategies:
        raise ValueError("compare needs at least one strategy")
    return Comparison(scenario, simulate_many(scenario, strategies, seeds, seed=seed, jobs=jobs))
