"""A promotion plan's effect, decomposed against the same plan without promotions."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from agents._config import MAX_DAYS
from sim import kpis
from sim.plan import promotion_window
from sim.results import Results, mean_ci
from sim.runner import simulate
from sim.schema import Scenario, Strategy

__all__ = ["AFTER_DAYS", "Decomposition", "check_after", "decompose"]

#: Days after each promotion window over which the GMV lost afterwards is counted.
AFTER_DAYS = 28


@dataclass
class Decomposition:
    """The plan with its promotions and the counterfactual without them, on the same seeds.

    Attributes:
        with_promotions: results of the plan.
        without: results of the same plan with ``promotions`` emptied.
        in_window: per day, True when any promotion runs.
        after: days after each window over which the GMV lost afterwards is counted.
    """

    with_promotions: Results
    without: Results
    in_window: np.ndarray
    after: int = AFTER_DAYS

    def since_window(self) -> np.ndarray:
        """Per day: days since the last promotion day (0 inside a window, -1 before the
        first)."""
        day = np.arange(len(self.in_window))
        last = np.maximum.accumulate(np.where(self.in_window, day, -1))
        return np.where(last < 0, -1, day - last)

    def weeks(self) -> list[str]:
        """The names of the weekly dip columns: ``lost_gmv_week_1`` ..."""
        return [f"lost_gmv_week_{w}" for w in range(1, -(-self.after // 7) + 1)]

    def per_seed(self) -> pd.DataFrame:
        """One row per seed: baseline GMV in the windows, the bump, the GMV lost in the
        ``after`` days that follow the windows (pull-forward and lower reference prices,
        also week by week: ``lost_gmv_week_1`` ...), the GMV lost later to the end of the
        run (``lost_gmv_later``), net incremental GMV, orders and profit over the whole
        run, and the discount cost. Unless the plan changes the days before its first
        promotion, net GMV = bump - pulled forward - lost later."""
        def pivot(res: Results, col: str) -> pd.DataFrame:
            return res.daily.pivot(index="day", columns="seed", values=col)

        base = pivot(self.without, "gmv")
        since = pd.Series(self.since_window(), index=base.index)
        win = since == 0
        diff = {c: pivot(self.with_promotions, c) - pivot(self.without, c)
                for c in ("gmv", "orders", "profit", "discount_cost")}
        frame = pd.DataFrame({
            "baseline_gmv_in_window": base[win].sum(),
            "bump_gmv": diff["gmv"][win].sum(),
            "pulled_forward_gmv": -diff["gmv"][(since > 0) & (since <= self.after)].sum(),
            "net_incremental_gmv": diff["gmv"].sum(),
            "net_incremental_orders": diff["orders"].sum(),
            "net_incremental_profit": diff["profit"].sum(),
            "discount_cost": diff["discount_cost"].sum(),
        })[list(kpis.DECOMPOSITION)]
        at = list(frame.columns).index("pulled_forward_gmv") + 1
        for w, name in enumerate(self.weeks()):  # week by week, after the lost total
            days = (since > 7 * w) & (since <= min(7 * (w + 1), self.after))
            frame.insert(at + w, name, -diff["gmv"][days].sum())
        frame.insert(at + len(self.weeks()), "lost_gmv_later", -diff["gmv"][since > self.after]
                     .sum())
        return frame

    def table(self, level: float = 0.95) -> pd.DataFrame:
        """Each component: mean and CI over seeds, and its share of the bump (money
        components only: NaN for the orders)."""
        t = mean_ci(self.per_seed(), level)
        t["share_of_bump"] = t["mean"] / float(t["mean"]["bump_gmv"])
        t.loc["net_incremental_orders", "share_of_bump"] = np.nan
        return t


def check_after(after: int) -> None:
    """``after`` is a whole number of days from 1 to ``MAX_DAYS``."""
    if not 1 <= after <= MAX_DAYS:
        raise ValueError(f"must be a whole number of days from 1 to {MAX_DAYS} (got {after})")


def decompose(scenario: Scenario, strategy: Strategy | None = None, seeds: int = 8, *,
              seed: int | None = None, jobs: int = 1, after: int = AFTER_DAYS
              ) -> Decomposition:
    """Run a plan with and without its promotions on the same seeds.

    Args:
        scenario: the validated scenario.
        strategy: the plan (None: the scenario's own); it must have promotions.
        seeds: replications shared by both runs.
        seed: root seed; None uses the scenario's.
        jobs: worker processes.
        after: days after each promotion window over which the GMV lost afterwards is
            counted (and reported week by week).
    """
    plan = scenario.strategy if strategy is None else strategy
    if not plan.promotions:
        raise ValueError("the plan has no promotions to decompose")
    check_after(after)
    bare = plan.model_copy(update={"promotions": []})
    window = promotion_window(scenario, plan, scenario.horizon.n_days)
    return Decomposition(simulate(scenario, plan, seeds, seed=seed, jobs=jobs),
                         simulate(scenario, bare, seeds, seed=seed, jobs=jobs), window, after)
