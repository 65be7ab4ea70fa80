"""What a trial is scored on: objectives (maximised KPIs) and constraints on KPIs."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

import sim
from sim import kpis
from sim.schema import Scenario, Strategy

__all__ = ["OBJECTIVES", "Constraint", "Evaluator", "Simulated", "kpi_names",
           "parse_constraint", "parse_objectives"]

#: KPIs the optimiser can maximise (``sim.kpis.OBJECTIVES``).
OBJECTIVES = kpis.OBJECTIVES
#: Short names a planner may write in a constraint.
_ALIASES = {"margin": "gross_margin"}

#: ``evaluate(strategy)``: per-seed totals (one row per seed, one column per KPI).
Evaluator = Callable[[Strategy], pd.DataFrame]


def kpi_names() -> list[str]:
    """KPIs a constraint may bound (every KPI of ``Results.totals()``), sorted."""
    return sorted({*kpis.ADDITIVE, *kpis.LEVELS, *kpis.DERIVED})


@dataclass(frozen=True)
class Constraint:
    """``kpi >= bound`` or ``kpi <= bound`` on the mean over a trial's seeds."""

    kpi: str
    op: str
    bound: float

    @property
    def label(self) -> str:
        return f"{self.kpi}{self.op}{self.bound:g}"

    def violation(self, value: float) -> float:
        """Optuna's convention: <= 0 when the constraint holds, the shortfall otherwise."""
        if not np.isfinite(value):
            return float("inf")
        return self.bound - value if self.op == ">=" else value - self.bound


def parse_constraint(text: str) -> Constraint:
    """Parse ``"margin>=0.3"``, ``"roi >= 1"``, ``"stockout_rate<=0.05"``.

    Raises:
        ValueError: one sentence saying what is wrong and what is allowed.
    """
    m = re.fullmatch(r"\s*([a-z_]+)\s*(>=|<=)\s*([-+0-9.eE]+)\s*", text)
    if m is None:
        raise ValueError(f"'{text}' is not a constraint; write KPI>=NUMBER or KPI<=NUMBER, "
                         "e.g. margin>=0.3")
    name, op, number = m.groups()
    kpi = _ALIASES.get(name, name)
    known = kpi_names()
    if kpi not in known:
        import difflib

        hint = difflib.get_close_matches(kpi, known + list(_ALIASES), n=1)
        did = f"; did you mean '{hint[0]}'?" if hint else "."
        raise ValueError(f"unknown KPI '{name}' in '{text}'{did} Allowed: margin, "
                         f"{', '.join(known)}")
    try:
        bound = float(number)
    except ValueError:
        raise ValueError(f"'{number}' in '{text}' is not a number") from None
    return Constraint(kpi, op, bound)


def parse_objectives(objective: str | list[str]) -> list[str]:
    """``"gmv"``, ``"gmv,roi"`` or ``["gmv", "roi"]`` -> the KPIs to maximise."""
    names = objective.split(",") if isinstance(objective, str) else list(objective)
    names = [n.strip() for n in names if n.strip()]
    if not names or len(names) > 2:
        raise ValueError("give one objective, or two separated by a comma "
                         f"(e.g. gmv,roi); allowed: {', '.join(OBJECTIVES)}")
    for n in names:
        if n not in OBJECTIVES:
            raise ValueError(f"unknown objective '{n}'; allowed: {', '.join(OBJECTIVES)}")
    if len(set(names)) != len(names):
        raise ValueError(f"the objectives repeat '{names[0]}'")
    return names


@dataclass(frozen=True)
class Simulated:
    """The usual evaluator: the plan simulated on ``seeds`` replications of root ``seed``
    (the same ones for every trial: common random numbers). Picklable, so worker
    processes can use it."""

    scenario: Scenario
    seeds: int
    seed: int | None = None

    def __call__(self, strategy: Strategy) -> pd.DataFrame:
        return sim.simulate(self.scenario, strategy, seeds=self.seeds, seed=self.seed).totals()

    def one(self, strategy: Strategy, replication: int) -> pd.DataFrame:
        """Replication ``replication`` alone (the same numbers it gives among the others)."""
        return sim.simulate(self.scenario, strategy, seeds=1, seed=self.seed,
                            first=replication).totals()
