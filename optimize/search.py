"""How a study searches: the sampler that proposes plans and the pruner that stops
the hopeless ones early."""

from __future__ import annotations

from typing import Any

import numpy as np
import optuna

__all__ = ["PRUNE_PERCENTILE", "pruner", "sampler"]


class _TrialSeededTPE(optuna.samplers.TPESampler):
    """TPE whose random state is set from (seed, trial number) before each trial."""

    def __init__(self, seed: int, **kwargs: Any) -> None:
        super().__init__(seed=seed, **kwargs)
        self._base_seed = seed

    def before_trial(self, study: optuna.Study, trial: optuna.trial.FrozenTrial) -> None:
        state = np.random.SeedSequence([self._base_seed, trial.number]).generate_state(1)
        self._rng.rng.seed(int(state[0]))
        self._random_sampler._rng.rng.seed(int(state[0]) ^ 0x5EED)
        super().before_trial(study, trial)


def sampler(seed: int) -> optuna.samplers.BaseSampler:
    """Multivariate TPE (one and two objectives), seeded per trial number; the constant
    liar keeps parallel workers from proposing the same plan."""
    return _TrialSeededTPE(seed, multivariate=True, constant_liar=True, n_startup_trials=10)


#: A trial is kept only while its running mean after a seed stays in this top percentile
#: of the earlier trials at the same seed (Optuna's ``PercentilePruner``): with common
#: random numbers the first seed already ranks plans well, so most of a study's budget
#: goes to the plans that could be best.
PRUNE_PERCENTILE = 25.0


def pruner() -> optuna.pruners.BasePruner:
    return optuna.pruners.PercentilePruner(PRUNE_PERCENTILE, n_startup_trials=8,
                                           n_warmup_steps=0)
