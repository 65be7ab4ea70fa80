"""The optimiser: it finds known optima, keeps its promises on constraints and fronts,
and its studies survive parallel workers and being killed."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import optuna
import pandas as pd
import pytest
from _postgres import pg_url  # noqa: F401 (a fixture)
from scipy.optimize import minimize

import optimize
import scenarios
import sim

NAMES = ["search", "social", "kol", "affiliate", "content"]
A = np.array([3e7, 2e7, 2.5e7, 1e7, 1.5e7])  # saturation level of each channel (GMV)
K = np.array([2e6, 8e6, 5e6, 1e6, 1.2e7])  # spend at which a channel reaches 63% of it


def _curves(budget: float):
    def gmv(s: np.ndarray) -> float:
        return float((A * (1 - np.exp(-budget * s / K))).sum())

    def evaluate(plan: sim.Strategy) -> pd.DataFrame:
        return pd.DataFrame({"gmv": [gmv(np.array([plan.shares.get(n, 0.0) for n in NAMES]))]})

    return gmv, evaluate


def test_reaches_99pct_of_a_known_optimum_within_200_trials(tmp_path: Path) -> None:
    # independent channels with known saturating response curves, no interactions
    sc = scenarios.load("baseline").with_overrides(
        {"levers": {"shares": {"channels": NAMES}}})
    budget = sc.strategy.budget
    gmv, evaluate = _curves(budget)
    res = minimize(lambda s: -gmv(s) / A.sum(), np.full(5, 0.2),
                   jac=lambda s: -(A * budget / K * np.exp(-budget * s / K)) / A.sum(),
                   bounds=[(0, 1)] * 5, constraints=({"type": "eq", "fun": lambda s: s.sum() - 1},),
                   method="SLSQP", options={"ftol": 1e-12})
    optimum = gmv(res.x)
    assert gmv(np.full(5, 0.2)) < 0.96 * optimum  # an equal split is clearly worse
    opt = optimize.optimize(sc, "gmv", trials=200, seeds=1, evaluate=evaluate, sampler_seed=0,
                            storage=str(tmp_path / "s.journal"), check_seeds=0)
    assert opt.best_trial.values[0] >= 0.99 * optimum
    found = np.array([opt.best_strategy.shares[n] for n in NAMES])
    assert np.abs(found - res.x).max() < 0.1


def _spike_scenario():
    # a short steady market with one day of 4x demand (day 17); a one-day 20% discount may
    # start on any of days 3-24: by construction it pays most on the spike day
    return scenarios.load("baseline").with_population(4000).with_overrides({
        "horizon.days": 28,
        "calendar.events": [{"name": "spike", "phases": [
            {"phase": "burst", "start": "2026-01-18", "end": "2026-01-18", "demand": 4.0}]}],
        "strategy.promotions": [{"name": "flash", "discount": 0.2, "start": "2026-01-04",
                                 "end": "2026-01-04"}],
        "levers": {"timing": {"flash": {"earliest": "2026-01-04", "latest": "2026-01-25"}}},
    })


def test_finds_the_best_promotion_start_day(tmp_path: Path) -> None:
    """The spike is a needle: whether TPE's random start-up trials come near it depends on
    the sampler seed (with seeds 0 and 1 none of the first ten does, and the study settles
    on the warm start; seeds 2 and 3 find it). With seed 2 one does, and the study must
    then settle on the spike day, through pruning and the re-check."""
    sc = _spike_scenario()
    opt = optimize.optimize(sc, "gmv", trials=30, seeds=2, out=tmp_path, check_seeds=4,
                            sampler_seed=2)
    promo = opt.best_strategy.promotions[0]
    assert promo.start == promo.end == sc.horizon.day(17)


@pytest.mark.slow
def test_short_double11_study_beats_an_equal_split_on_more_seeds(tmp_path: Path) -> None:
    sc = scenarios.load("double11").with_population(5000)
    opt = optimize.optimize(sc, "gmv", trials=16, seeds=2, out=tmp_path, check_seeds=8)
    assert opt.check is not None and opt.check.results["equal split"].n_seeds == 8
    best = f"trial {opt.best_trial.number}"
    d = opt.check.paired(best, "equal split", "gmv")
    assert d["low"] > 0, d  # the paired CI excludes zero
    assert opt.best_strategy == opt.candidates[best]


@pytest.mark.slow
def test_two_objectives_give_a_feasible_non_dominated_front(tmp_path: Path) -> None:
    sc = scenarios.load("double11").with_population(3000)
    opt = optimize.optimize(sc, "gmv,roi", trials=16, seeds=1, out=tmp_path,
                            constraints=["margin>=0.395"], check_seeds=4)
    frame = opt.trials_frame().query("state == 'COMPLETE'")
    feasible = frame[frame["feasible"]]
    assert 0 < len(feasible) < len(frame)  # the constraint bites
    front = {t.number for t in opt.front}
    for t in opt.front:
        assert t.user_attrs["kpis"]["gross_margin"] >= 0.395
        others = feasible[feasible["trial"] != t.number]
        dominated = (others["gmv"] >= t.values[0]) & (others["roi"] >= t.values[1]) & (
            (others["gmv"] > t.values[0]) | (others["roi"] > t.values[1]))
        assert not dominated.any()
    # every feasible trial off the front is dominated by one on it
    for _, row in feasible[~feasible["trial"].isin(front)].iterrows():
        assert any(t.values[0] >= row["gmv"] and t.values[1] >= row["roi"] for t in opt.front)
    rich = opt.pick(rule="max gmv with roi>=0")
    assert rich == opt.pick(index=0)
    with pytest.raises(ValueError, match="no plan on the front"):
        opt.pick(rule="max gmv with roi>=1000")
    # the same study (nothing left to run), another point picked: that one is re-checked
    again = optimize.optimize(sc, "gmv,roi", trials=16, seeds=1, out=tmp_path,
                              constraints=["margin>=0.405"], check_seeds=2, pick="max roi")
    frugal = max(opt.front, key=lambda t: t.values[1])
    assert again.best_trial.number == frugal.number
    assert list(again.check.results) == ["scenario plan", "equal split",
                                         f"trial {frugal.number}"]


def test_reported_best_satisfies_the_constraints_on_the_recheck(tmp_path: Path) -> None:
    sc = scenarios.load("double11").with_population(3000)
    opt = optimize.optimize(sc, "gmv", trials=10, seeds=1, out=tmp_path,
                            constraints=["margin>=0.395", "roi>=1"], check_seeds=3)
    assert all(v <= 0 for v in opt.best_trial.constraints.values())
    t = opt.check.results[f"trial {opt.best_trial.number}"].totals().mean()
    assert t["gross_margin"] >= 0.395 - 0.005 and t["roi"] >= 1


def test_same_sampler_seed_and_seeds_give_the_same_best_plan(tmp_path: Path) -> None:
    sc = _spike_scenario()
    runs = [optimize.optimize(sc, "gmv", trials=12, seeds=1, out=tmp_path / str(i),
                              sampler_seed=3, check_seeds=0) for i in range(2)]
    assert runs[0].best_strategy == runs[1].best_strategy
    assert [t.params for t in runs[0].study.trials] == [t.params for t in runs[1].study.trials]


def _finished(study: optuna.Study) -> list[optuna.trial.FrozenTrial]:
    return [t for t in study.get_trials() if t.state in (
        optuna.trial.TrialState.COMPLETE, optuna.trial.TrialState.PRUNED)]


def _wait_for_trials(journal: Path, n: int, timeout: float = 120
                     ) -> optuna.storages.BaseStorage | None:
    """Poll a study's journal until it has ``n`` finished trials; return its storage."""
    storage = None
    deadline = time.time() + timeout
    while time.time() < deadline:
        time.sleep(0.5)
        if journal.exists():
            storage = optuna.storages.JournalStorage(
                optuna.storages.journal.JournalFileBackend(str(journal)))
            names = [s.study_name for s in optuna.study.get_all_study_summaries(storage)]
            if names and len(_finished(optuna.load_study(study_name=names[0],
                                                         storage=storage))) >= n:
                break
    return storage


def test_two_worker_processes_share_one_journal_study(tmp_path: Path) -> None:
    sc = _spike_scenario()
    opt = optimize.optimize(sc, "gmv", trials=14, seeds=2, jobs=2, out=tmp_path, check_seeds=0)
    assert len(_finished(opt.study)) == 14 == len(_run(opt.study))
    assert len(opt.trials_frame()) == 14
    # resuming asks only for the missing trials
    more = optimize.optimize(sc, "gmv", trials=18, seeds=2, jobs=2, out=tmp_path,
                             check_seeds=0)
    assert len(_finished(more.study)) == 18 == len(_run(more.study))


def _run(study: optuna.Study) -> list[optuna.trial.FrozenTrial]:
    """The trials run, numbered without a gap or a repeat: all but those ended as surplus
    (two workers asked at the same instant for the last trial)."""
    trials = study.get_trials()
    assert sorted(t.number for t in trials) == list(range(len(trials)))
    surplus = [t for t in trials if t.user_attrs.get("surplus")]
    assert all(t.state == optuna.trial.TrialState.FAIL for t in surplus)
    return [t for t in trials if t not in surplus]


def test_two_workers_share_a_postgresql_study(pg_url: str) -> None:  # noqa: F811 (the fixture)
    sc = _spike_scenario()
    name = f"pg-{os.getpid()}-{time.time_ns()}"
    opt = optimize.optimize(sc, "gmv", trials=10, seeds=1, jobs=2, check_seeds=0,
                            storage=pg_url, study_name=name)
    assert len(_finished(opt.study)) == 10 == len(_run(opt.study))


@pytest.mark.slow
def test_a_study_killed_mid_run_resumes_without_losing_trials(tmp_path: Path) -> None:
    cmd = [sys.executable, "-m", "interfaces.cli", "optimize", "double11", "--population", "3000",
           "--trials", "14", "--seeds", "1", "--check-seeds", "1", "--out", str(tmp_path)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    journal = tmp_path / "study.journal"
    storage = _wait_for_trials(journal, 4)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert storage is not None
    name = optuna.study.get_all_study_summaries(storage)[0].study_name
    before = {t.number: t.params for t in _finished(optuna.load_study(study_name=name,
                                                                      storage=storage))}
    assert 4 <= len(before) < 14
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    after = optuna.load_study(study_name=name, storage=optuna.storages.JournalStorage(
        optuna.storages.journal.JournalFileBackend(str(journal))))
    finished = {t.number: t.params for t in _finished(after)}
    assert len(finished) == 14
    assert all(finished[n] == p for n, p in before.items())  # nothing completed was lost


@pytest.mark.slow
def test_ctrl_c_stops_cleanly_and_keeps_what_is_done(tmp_path: Path) -> None:
    cmd = [sys.executable, "-m", "interfaces.cli", "optimize", "double11", "--population", "3000",
           "--trials", "400", "--seeds", "2", "--jobs", "2", "--check-seeds", "2",
           "--out", str(tmp_path)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True,  # Ctrl-C reaches the whole group
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    _wait_for_trials(tmp_path / "study.journal", 6)
    os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 130, err
    match = re.fullmatch(r"interrupted; the study keeps (\d+) finished trials, run the same "
                         r"command to continue\n", err)
    assert match, err
    assert "Traceback" not in out + err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["study.journal"]  # no re-check
    storage = optuna.storages.JournalStorage(
        optuna.storages.journal.JournalFileBackend(str(tmp_path / "study.journal")))
    name = optuna.study.get_all_study_summaries(storage)[0].study_name
    finished = _finished(optuna.load_study(study_name=name, storage=storage))
    assert 6 <= len(finished) == int(match.group(1)) < 400


def test_depth_and_stock_plan_under_a_stockout_cap_give_a_feasible_plan(tmp_path: Path
                                                                        ) -> None:
    """Discount depth against stock: the plan found keeps stock-outs under the cap on
    the re-check, and its deliveries stay within the levers' bounds."""
    sc = scenarios.load("double11").with_population(3000)
    levers = sc.levers.model_dump(include={"depth", "stock"})
    sc = sc.with_overrides({"levers": levers})
    opt = optimize.optimize(sc, "profit", trials=16, seeds=1, out=tmp_path,
                            constraints=["stockout_rate<=0.04"], check_seeds=3,
                            sampler_seed=1)
    assert all(v <= 0 for v in opt.best_trial.constraints.values())
    best = opt.best_strategy
    for name, lever in sc.levers.stock.items():
        units = sum(d.units for d in best.stock[name].deliveries)
        assert lever.deliveries.min <= units <= lever.deliveries.max
        assert f"deliveries:{name}" in opt.best_trial.params
    t = opt.check.results[f"trial {opt.best_trial.number}"].totals().mean()
    assert t["stockout_rate"] <= 0.04 + 0.01  # the re-check's 3 seeds stay near the cap
    plan = opt.check.results["scenario plan"].totals().mean()
    assert plan["stockout_rate"] > 0.04  # the shipped plan runs out more than allowed
