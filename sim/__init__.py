"""growthsim's engine: the scenario schema, the market model, replications and KPIs.

>>> import scenarios, sim
>>> sc = scenarios.load("double11").with_overrides({"population.size": 5_000})
>>> res = sim.simulate(sc, seeds=2)
>>> res.summary().loc["gmv", "mean"] > 0
True
"""

from agents._config import STAGES
from sim import kpis
from sim._io import InputError, load_strategy_file, strategy_to_yaml
from sim.compare import Comparison, compare
from sim.curves import ResponseCurve, response_curves
from sim.decompose import Decomposition, decompose
from sim.incrementality import Incrementality, incrementality
from sim.ledger import derive
from sim.model import MarketModel
from sim.results import Results
from sim.runner import simulate
from sim.schema import Scenario, Strategy

__all__ = [
    "STAGES",
    "Comparison",
    "Decomposition",
    "Incrementality",
    "InputError",
    "MarketModel",
    "ResponseCurve",
    "Results",
    "Scenario",
    "Strategy",
    "compare",
    "decompose",
    "derive",
    "incrementality",
    "kpis",
    "load_strategy_file",
    "response_curves",
    "simulate",
    "strategy_to_yaml",
]
