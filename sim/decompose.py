"""A promotion plan's effect, decomposed against the same plan without promotions."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim import kpis
from sim.plan import promotion_window
from sim.results import Results, mean_ci
from sim.runner import simulate
from sim.schema import Scenario, Strategy

__all__ = ["Decomposition", "decompose"]


@dataclass
class Decomposition:
    """The plan with its promotions and the counterfactual without them, on the same seeds.

    Attributes:
        with_promotions: results of the plan.
        without: results of the same plan with ``promotions`` emptied.
        in_window: per day, True when any promotion runs.
    """

    with_promotions: Results
    without: Results
    in_window: np.ndarray

    def per_seed(self) -> pd.DataFrame:
        """One row per seed: baseline GMV in the windows, the bump, the pull-forward (GMV
        lost after the promotions start, outside their windows), net incremental GMV,
        orders and profit, and the discount cost."""
        def pivot(res: Results, col: str) -> pd.DataFrame:
            return res.daily.pivot(index="day", columns="seed", values=col)

        win = pd.Series(self.in_window, index=pivot(self.without, "gmv").index)
        after = win.cummax() & ~win  # days after the first promotion began, outside windows
        diff = {c: pivot(self.with_promotions, c) - pivot(self.without, c)
                for c in ("gmv", "orders", "profit", "discount_cost")}
        return pd.DataFrame({
            "baseline_gmv_in_window": pivot(self.without, "gmv")[win].sum(),
            "bump_gmv": diff["gmv"][win].sum(),
            "pulled_forward_gmv": -diff["gmv"][after].sum(),
            "net_incremental_gmv": diff["gmv"].sum(),
            "net_incremental_orders": diff["orders"].sum(),
            "net_incremental_profit": diff["profit"].sum(),
            "discount_cost": diff["discount_cost"].sum(),
        })[list(kpis.DECOMPOSITION)]

    def table(self, level: float = 0.95) -> pd.DataFrame:
        """Each component: mean and CI over seeds, and its share of the bump."""
        t = mean_ci(self.per_seed(), level)
        t["share_of_bump"] = t["mean"] / float(t["mean"]["bump_gmv"])
        return t


def decompose(scenario: Scenario, strategy: Strategy | None = None, seeds: int = 8, *,
              seed: int | None = None, jobs: int = 1) -> Decomposition:
    """Run a plan with and without its promotions on the same seeds.

    Args:
        scenario: the validated scenario.
        strategy: the plan (None: the scenario's own); it must have promotions.
        seeds: replications shared by both runs.
        seed: root seed; None uses the scenario's.
        jobs: worker processes.
    """
    plan = scenario.strategy if strategy is None else strategy
    if not plan.promotions:
        raise ValueError("the plan has no promotions to decompose")
    bare = plan.model_copy(update={"promotions": []})
    window = promotion_window(scenario, plan, scenario.horizon.n_days)
    return Decomposition(simulate(scenario, plan, seeds, seed=seed, jobs=jobs),
                         simulate(scenario, bare, seeds, seed=seed, jobs=jobs), window)
