"""Searching a scenario's levers with Optuna (budget split, discount depth, timing).

The optimiser arrives with issue 5; this package exists so that the layout is fixed.
"""

__all__: list[str] = []
