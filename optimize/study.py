"""``optimize``: an Optuna study over a scenario's levers, resumable and parallel.

* Every trial scores its plan on the same seeds (common random numbers), so two trials
  differ by their plans, not by luck.
* Warm start: the scenario's own plan and an equal split are the first two trials.
* Constraints go through ``trial.set_constraint``; the reported best is feasible.
* Storage: an append-only journal file (default ``OUT/study.journal``) or a database
  URL (``optimize.storage``). Running the same command again continues the study. A
  trial whose worker was killed stops sending heartbeats; once they are older than the
  grace period, the next worker that starts a trial or waits for the last ones fails it
  and enqueues its plan again (``RetryHeartbeatStaleTrialCallback``), so completed trials
  are never lost and a live worker's trial is never failed. ``jobs`` worker processes
  (and commands on other machines) share one study until it has exactly the requested
  number of finished trials (``optimize.workers``: a trial beyond the count is ended as
  ``surplus`` and left out of ``trials.csv``). Each trial records the ``worker``
  (host:pid) that ran it.
* Sampling: the TPE sampler's random state is set from the sampler seed and the trial's
  number before each trial, so the same number draws alike in any worker and no two
  workers (on one machine or many, same seed or not) propose the same random plan.
* Ctrl-C: :class:`StudyInterrupted` with the number of finished trials; no re-check.
* The best few plans are re-run on more seeds, next to the scenario's plan and an equal
  split (paired differences with CIs), before one is named best.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import optuna
import pandas as pd

import sim
from optimize.objectives import Constraint, Evaluator, Simulated, parse_constraint, parse_objectives
from optimize.search import pruner, sampler
from optimize.space import equal_split, params_of, suggest_strategy
from optimize.storage import open_storage
from optimize.workers import completed, run_until, run_workers
from sim.schema import Scenario, Strategy

__all__ = ["Optimization", "StudyInterrupted", "non_dominated", "optimize", "pick_trial"]

# failed trials are in trials.csv (state FAIL); Optuna would also print their tracebacks
optuna.logging.set_verbosity(optuna.logging.ERROR)


@dataclass
class Optimization:
    """What ``optimize`` returns.

    Attributes:
        study: the Optuna study (all trials, in its storage).
        scenario: the scenario optimised.
        objectives: the KPIs maximised.
        constraints: the constraints every reported plan satisfies.
        front: the feasible completed trials that no other feasible trial beats on every
            objective (single objective: the best few, best first).
        best_strategy: the plan named best (after re-evaluation on more seeds).
        best_trial: the trial that proposed it.
        check: the re-evaluation: best, the scenario's plan and an equal split on more
            seeds (None when ``check_seeds`` is 0).
    """

    study: optuna.Study
    scenario: Scenario
    objectives: list[str]
    constraints: list[Constraint]
    front: list[optuna.trial.FrozenTrial]
    best_strategy: Strategy
    best_trial: optuna.trial.FrozenTrial
    check: sim.Comparison | None = None
    candidates: dict[str, Strategy] = field(default_factory=dict)

    def trials_frame(self) -> pd.DataFrame:
        """One row per trial run: number, state, objective values, feasibility, the seeds
        it ran (``seeds_run``), the worker (host:pid) that ran it, KPIs, params; for a
        pruned trial its running mean of the first objective when it was stopped
        (``stopped_at``)."""
        rows = []
        for t in self.study.get_trials(deepcopy=False):
            if t.user_attrs.get("surplus"):
                continue
            row: dict[str, Any] = {"trial": t.number, "state": t.state.name}
            for name, value in zip(self.objectives, t.values or [np.nan] * len(self.objectives),
                                   strict=True):
                row[name] = value
            row["feasible"] = _feasible(t)
            row["seeds_run"] = t.user_attrs.get("seeds_run", 0)
            row["worker"] = t.user_attrs.get("worker", "")
            if t.state == optuna.trial.TrialState.PRUNED and t.intermediate_values:
                row["stopped_at"] = t.intermediate_values[max(t.intermediate_values)]
            row |= {f"kpi:{k}": v for k, v in t.user_attrs.get("kpis", {}).items()}
            row |= {f"param:{k}": v for k, v in t.params.items()}
            rows.append(row)
        return pd.DataFrame(rows)

    def strategy_of(self, trial: optuna.trial.FrozenTrial) -> Strategy:
        """The plan a trial proposed."""
        return suggest_strategy(optuna.trial.FixedTrial(trial.params), self.scenario)

    def pick(self, index: int | None = None, rule: str | None = None) -> Strategy:
        """A plan from the front: by position (sorted by the first objective, highest
        first) or by a rule such as ``"max gmv with roi>=1.5"``.

        Raises:
            ValueError: no point of the front satisfies the rule, or no such position.
        """
        return self.strategy_of(pick_trial(self.front, index, rule))


def pick_trial(front: list[optuna.trial.FrozenTrial], index: int | None = None,
               rule: str | None = None) -> optuna.trial.FrozenTrial:
    """The front point at ``index`` (highest first objective first) or chosen by ``rule``."""
    ordered = sorted(front, key=lambda t: -t.values[0])
    if rule is None:
        i = index or 0
        if not 0 <= i < len(ordered):
            raise ValueError(f"the front has {len(ordered)} points: pick 0 to "
                             f"{len(ordered) - 1}")
        return ordered[i]
    import re

    m = re.fullmatch(r"\s*(max|min)\s+([a-z_]+)(?:\s+with\s+(.+))?\s*", rule)
    if m is None:
        raise ValueError(f"'{rule}' is not a rule; write e.g. 'max gmv with roi>=1.5'")
    sense, kpi, cond = m.groups()
    conds = [parse_constraint(c) for c in (cond or "").split(" and ") if c.strip()]
    ok = [t for t in ordered if all(
        c.violation(t.user_attrs["kpis"].get(c.kpi, np.nan)) <= 0 for c in conds)]
    if not ok:
        raise ValueError(f"no plan on the front satisfies '{rule}'")
    if kpi not in ok[0].user_attrs["kpis"]:
        raise ValueError(f"unknown KPI '{kpi}' in '{rule}'")
    choose = max if sense == "max" else min
    return choose(ok, key=lambda t: t.user_attrs["kpis"][kpi])


def _feasible(trial: optuna.trial.FrozenTrial) -> bool:
    return all(v <= 0 for v in trial.constraints.values())


def _dominates(a: list[float], b: list[float]) -> bool:
    return all(x >= y for x, y in zip(a, b, strict=True)) and any(
        x > y for x, y in zip(a, b, strict=True))


def non_dominated(trials: list[optuna.trial.FrozenTrial]) -> list[optuna.trial.FrozenTrial]:
    """The trials no other trial beats on every objective (all maximised)."""
    return [t for t in trials
            if not any(_dominates(o.values, t.values) for o in trials if o is not t)]


class _Objective:
    """The function Optuna calls: propose a plan, score it, record KPIs and constraints."""

    def __init__(self, scenario: Scenario, objectives: list[str],
                 constraints: list[Constraint], evaluate: Evaluator) -> None:
        self.scenario, self.objectives = scenario, objectives
        self.constraints, self.evaluate = constraints, evaluate

    def __call__(self, trial: optuna.Trial) -> list[float]:
        strategy = suggest_strategy(trial, self.scenario)
        totals = self._score(trial, strategy)
        means = {k: float(v) for k, v in totals.mean(numeric_only=True).items()}
        for c in self.constraints:
            trial.set_constraint(c.label, c.violation(means.get(c.kpi, np.nan)))
        trial.set_user_attr("kpis", {k: v for k, v in means.items() if np.isfinite(v)})
        return [means[o] for o in self.objectives]

    def _score(self, trial: optuna.Trial, strategy: Strategy) -> pd.DataFrame:
        """Per-seed totals. A single-objective study scores seed by seed and stops a trial
        whose running mean leaves the top ``PRUNE_PERCENTILE`` percent of earlier trials
        at the same seed."""
        ev = self.evaluate
        if len(self.objectives) > 1 or not isinstance(ev, Simulated) or ev.seeds < 2:
            totals = ev(strategy)
            trial.set_user_attr("seeds_run", len(totals))
            return totals
        parts = []
        for i in range(ev.seeds):
            parts.append(ev.one(strategy, i))
            trial.set_user_attr("seeds_run", i + 1)
            if i < ev.seeds - 1:
                trial.report(float(pd.concat(parts)[self.objectives[0]].mean()), step=i)
                if trial.should_prune():
                    raise optuna.TrialPruned()
        return pd.concat(parts)


class StudyInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped the study; it keeps ``finished`` finished trials."""

    def __init__(self, finished: int) -> None:
        super().__init__(f"the study keeps {finished} finished trials")
        self.finished = finished


def _storage_spec(storage: str | None, out: Path | None) -> str:
    """A database URL, or the path of the journal file (its folder created)."""
    if storage is not None and "://" in storage:
        return storage
    path = Path(storage) if storage else (out or Path(".")) / "study.journal"
    path.parent.mkdir(parents=True, exist_ok=True)
    return str(path)


def optimize(scenario: Scenario, objective: str | list[str] = "gmv", *, trials: int = 100,
             seeds: int = 3, constraints: list[str] | list[Constraint] = (),  # type: ignore[assignment]
             jobs: int = 1, storage: str | None = None, study_name: str | None = None,
             out: str | Path | None = None, sampler_seed: int = 0, seed: int | None = None,
             top: int = 3, check_seeds: int | None = None, evaluate: Evaluator | None = None,
             progress: Callable[[int, float | None], None] | None = None,
             pick: int | str | None = None) -> Optimization:
    """Search the scenario's levers for the plan that maximises ``objective``.

    Args:
        scenario: the validated scenario; its ``levers`` say what may change (without
            them, the channel shares of its plan).
        objective: one KPI (``gmv``, ``profit``, ``roi``, ``roas``, ``new_customers``) or
            two (``"gmv,roi"``) for a Pareto front.
        trials: finished (completed or pruned) trials the study should have when this
            returns (a resumed study runs only the missing ones).
        seeds: replications per trial (the same for every trial).
        constraints: e.g. ``["margin>=0.3", "roi>=1"]`` on the mean over seeds.
        jobs: worker processes sharing the study.
        storage: a journal file path or a database URL (``postgresql://...``); None: a
            journal file ``study.journal`` under ``out`` (or the current folder).
        study_name: the study's name in the storage (default: scenario and objectives).
        out: folder for the default storage.
        sampler_seed: the TPE sampler's seed (with the trial's number, it sets the
            random state of each trial, in any worker).
        seed: root seed of the simulations (None: the scenario's).
        top: how many of the best plans to re-run on more seeds (single objective).
        check_seeds: replications for the re-evaluation (None: ``max(6, 2 x seeds)``;
            0 skips it).
        evaluate: replaces the simulation (``strategy -> per-seed totals``), e.g. with a
            known response curve in a test.
        progress: called with the number of completed trials and the best value so far.
        pick: two objectives: the front point to re-check and name best, by index
            (highest first objective first) or by a rule (``"max gmv with roi>=1.5"``);
            None: the highest first objective.
    """
    names = parse_objectives(objective)
    cons = [c if isinstance(c, Constraint) else parse_constraint(c) for c in constraints]
    multi = len(names) > 1
    evaluate = evaluate or Simulated(scenario, seeds, seed)
    spec = _storage_spec(storage, Path(out) if out is not None else None)
    study = _open_study(scenario, names, spec, study_name, sampler_seed)
    func = _Objective(scenario, names, cons, evaluate)
    remaining = trials - completed(study)
    try:
        if remaining > 0 and jobs <= 1:
            run_until(study, func, trials, [_reporter(progress, multi)] if progress else [])
        elif remaining > 0:
            run_workers(study, spec, func, min(jobs, remaining), trials, sampler_seed,
                        (lambda: progress(completed(study), _best_value(study, multi)))
                        if progress else None)
    except KeyboardInterrupt:
        raise StudyInterrupted(completed(study)) from None
    return _conclude(study, scenario, names, cons, top,
                     check_seeds if check_seeds is not None else max(6, 2 * seeds),
                     seed, not isinstance(evaluate, Simulated), jobs, pick)


def _open_study(scenario: Scenario, names: list[str], spec: str, study_name: str | None,
                sampler_seed: int) -> optuna.Study:
    """Create the study or load it from its storage; a new one starts with the planner's
    plan and an equal split (warm start), queued by the one worker that created it (of
    workers starting together, the storage lets one create the study)."""
    storage = open_storage(spec)
    name = study_name or f"{scenario.name}-{'-'.join(names)}"
    try:
        study = optuna.create_study(storage=storage, study_name=name,
                                    directions=["maximize"] * len(names),
                                    sampler=sampler(sampler_seed), pruner=pruner())
    except optuna.exceptions.DuplicatedStudyError:
        return optuna.load_study(study_name=name, storage=storage,
                                 sampler=sampler(sampler_seed), pruner=pruner())
    study.enqueue_trial(params_of(scenario, scenario.strategy))
    study.enqueue_trial(params_of(scenario, equal_split(scenario)), skip_if_exists=True)
    return study


def _best_value(study: optuna.Study, multi: bool) -> float | None:
    done = [t for t in study.get_trials(deepcopy=False)
            if t.state == optuna.trial.TrialState.COMPLETE and _feasible(t)]
    return None if multi or not done else max(t.values[0] for t in done)


def _reporter(progress: Callable[[int, float | None], None], multi: bool
              ) -> Callable[[optuna.Study, optuna.trial.FrozenTrial], None]:
    def report(study: optuna.Study, _trial: optuna.trial.FrozenTrial) -> None:
        progress(completed(study), _best_value(study, multi))

    return report


def _conclude(study: optuna.Study, scenario: Scenario, names: list[str],
              cons: list[Constraint], top: int, check_seeds: int,
              seed: int | None, custom: bool, jobs: int, pick: int | str | None = None
              ) -> Optimization:
    done = [t for t in study.get_trials(deepcopy=False)
            if t.state == optuna.trial.TrialState.COMPLETE]
    feasible = [t for t in done if _feasible(t)]
    if not feasible:
        raise RuntimeError(f"none of the {len(done)} completed trials satisfies the "
                           f"constraints {', '.join(c.label for c in cons) or '(none)'}")
    if len(names) == 1:
        front = sorted(feasible, key=lambda t: -t.values[0])[:max(top, 1)]
    else:
        front = sorted(non_dominated(feasible), key=lambda t: -t.values[0])
    result = Optimization(study, scenario, names, cons, front, scenario.strategy, front[0])
    if len(names) > 1:
        chosen = pick_trial(front, pick if isinstance(pick, int) else None,
                            pick if isinstance(pick, str) else None)
        result.best_trial = chosen
    result.candidates = {f"trial {t.number}": result.strategy_of(t)
                         for t in (front if len(names) == 1 else [result.best_trial])}
    if check_seeds and not custom:
        plans: dict[str, Strategy | None] = {"scenario plan": None,
                                             "equal split": equal_split(scenario)}
        plans |= result.candidates
        cmp = sim.compare(scenario, plans, seeds=check_seeds, seed=seed, jobs=jobs)
        result.check = cmp
        totals = {k: r.totals().mean(numeric_only=True) for k, r in cmp.results.items()}
        ok = [k for k in result.candidates
              if all(c.violation(float(totals[k].get(c.kpi, np.nan))) <= 0 for c in cons)]
        pool = ok or list(result.candidates)
        best = max(pool, key=lambda k: float(totals[k][names[0]]))
        result.best_trial = next(t for t in front if f"trial {t.number}" == best)
    result.best_strategy = result.strategy_of(result.best_trial)
    return result
