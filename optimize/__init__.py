"""The optimiser: an Optuna search over a scenario's levers.

``optimize.optimize(scenario, objective="gmv", trials=100, seeds=3)`` returns an
``Optimization`` with the best plan (re-checked on more seeds against the scenario's
plan and an equal split), the Pareto front for two objectives, and the study.
"""

from optimize.levers import Levers, ScenarioWithLevers, levers_of
from optimize.objectives import OBJECTIVES, Constraint, parse_constraint, parse_objectives
from optimize.space import equal_split, params_of, suggest_strategy
from optimize.storage import check_storage
from optimize.study import Optimization, StudyInterrupted, non_dominated, optimize

__all__ = ["OBJECTIVES", "Constraint", "Levers", "Optimization", "ScenarioWithLevers",
           "StudyInterrupted", "check_storage", "equal_split", "levers_of", "non_dominated",
           "optimize", "params_of", "parse_constraint", "parse_objectives",
           "suggest_strategy"]
