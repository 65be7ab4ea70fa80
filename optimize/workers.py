"""Trials run by one or many workers on a shared study, to exactly the requested count.

* :func:`run_until` runs trials one at a time until the study has ``total`` finished
  trials, whoever ran them (workers on other machines included); a worker waits, failing
  stale trials, while the others run the last ones.
* :class:`_Claimed` arbitrates by trial number: a trial beyond the count among finished,
  running and queued trials is surplus (FAIL, user attribute ``surplus``), ended unrun or
  discarded; every trial records the ``worker`` (host:pid) that ran it.
* :func:`run_workers` starts worker processes on this machine; the parent stops them
  with SIGTERM, which each takes as an interrupt.
"""

from __future__ import annotations

import os
import signal
import socket
import time
import warnings
from collections.abc import Callable
from typing import Any

import optuna

from optimize.search import pruner, sampler
from optimize.storage import open_storage
from sim.workers import die_with_parent, quiet_sigint, spawn_context

__all__ = ["completed", "run_until", "run_workers"]

Objective = Callable[[optuna.Trial], list[float]]

_FINISHED = (optuna.trial.TrialState.COMPLETE, optuna.trial.TrialState.PRUNED)
_TAKEN = (*_FINISHED, optuna.trial.TrialState.RUNNING)
_QUEUED = (*_TAKEN, optuna.trial.TrialState.WAITING)
#: How often a worker with nothing to start looks again (seconds).
POLL_S = 0.5


def completed(study: optuna.Study) -> int:
    """Finished trials: completed or pruned (a pruned trial was scored, and lost)."""
    return len(study.get_trials(deepcopy=False, states=_FINISHED))


class _Surplus(Exception):
    """Two workers asked at the same instant for the study's last trial."""


class _Claimed:
    """The objective as a worker of a shared study runs it: a trial numbered beyond the
    study's count among finished, running and queued trials is surplus, and raises
    :class:`_Surplus` at its start or, if that became so while it ran, at its end (a
    killed trial's retry, queued meanwhile, goes first). Records the ``worker``."""

    def __init__(self, study: optuna.Study, func: Objective, total: int) -> None:
        self.study, self.func, self.total = study, func, total
        self.worker = f"{socket.gethostname()}:{os.getpid()}"

    def beyond(self, trial: optuna.Trial) -> bool:
        ahead = sum(t.number < trial.number
                    for t in self.study.get_trials(deepcopy=False, states=_QUEUED))
        if ahead >= self.total:
            trial.set_user_attr("surplus", True)
        return ahead >= self.total

    def __call__(self, trial: optuna.Trial) -> list[float]:
        if self.beyond(trial):
            raise _Surplus
        trial.set_user_attr("worker", self.worker)
        try:
            values = self.func(trial)
        except optuna.TrialPruned:
            if self.beyond(trial):
                raise _Surplus from None
            raise
        if self.beyond(trial):
            raise _Surplus
        return values


def run_until(study: optuna.Study, func: Objective, total: int,
               callbacks: list[Callable[[optuna.Study, optuna.trial.FrozenTrial], None]]
               ) -> None:
    """Run trials one at a time until the study has ``total`` finished trials, whoever
    ran them (workers on other machines sharing the study included).

    A trial is started only while finished and running trials are fewer than ``total``;
    otherwise the worker waits, failing stale trials (a killed worker's), whose retry it
    then runs. Two workers can still ask at the same instant, or a killed trial's retry
    be queued while another worker's new trial runs: a trial numbered beyond ``total``
    among finished, running and queued ones is ended, unrun when that is known at its
    start, discarded when it is known at its end. A worker gives up after ``total``
    trials of its own fail (an error in every plan)."""
    claimed = _Claimed(study, func, total)
    failures = []

    def count_failure(_study: optuna.Study, trial: optuna.trial.FrozenTrial) -> None:
        if trial.state == optuna.trial.TrialState.FAIL and not trial.user_attrs.get("surplus"):
            failures.append(trial.number)

    while len(failures) < total:
        trials = study.get_trials(deepcopy=False, states=_TAKEN)
        finished = sum(t.state in _FINISHED for t in trials)
        if finished >= total:
            return
        if len(trials) >= total:  # the others are running the last ones
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
                optuna.storages.fail_stale_trials(study)
            time.sleep(POLL_S)
            continue
        study.optimize(claimed, n_trials=1, catch=(ValueError, _Surplus),
                       callbacks=[count_failure, *callbacks])


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def _worker(spec: str, name: str, objective: Objective, total: int, sampler_seed: int,
            parent: int) -> None:
    die_with_parent(parent)
    # the parent stops a worker with SIGTERM: as an interrupt, so Optuna marks the running
    # trial failed and every lock on the storage is released on the way out
    signal.signal(signal.SIGTERM, _interrupt)
    study = optuna.load_study(study_name=name, storage=open_storage(spec),
                              sampler=sampler(sampler_seed), pruner=pruner())
    try:
        run_until(study, objective, total, [])
    except KeyboardInterrupt:
        pass


def run_workers(study: optuna.Study, spec: str, func: Objective, jobs: int, total: int,
                sampler_seed: int, report: Callable[[], None] | None) -> None:
    """``jobs`` worker processes on the study until it has ``total`` finished trials;
    ``report()`` every half second and at the end. Ctrl-C or an error here stops them,
    each failing its running trial."""
    ctx = spawn_context()
    procs = [ctx.Process(target=_worker, args=(spec, study.study_name, func, total,
                                               sampler_seed, os.getpid()))
             for _ in range(jobs)]
    with quiet_sigint():  # a Ctrl-C is the parent's to handle: the workers ignore it
        for p in procs:
            p.start()
    try:
        while any(p.is_alive() for p in procs):
            time.sleep(0.5)
            if report:
                report()
    except BaseException:
        for p in procs:  # each fails its running trial and ends (see _worker)
            p.terminate()
        for p in procs:
            p.join(timeout=30)
        raise
    for p in procs:
        p.join()
    if report:
        report()
