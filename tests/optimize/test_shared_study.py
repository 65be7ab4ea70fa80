"""Two and three ``growthsim optimize`` commands on one PostgreSQL study, started together
or a few seconds apart, one of them killed (SIGKILL) in the middle of a trial.

After each: the study holds exactly ``--trials`` finished trials, no trial number twice,
no plan finished twice, nothing left running, and every surviving command exits 0 with a
``trials.csv`` of the whole study. Heartbeats every second here (``GROWTHSIM_HEARTBEAT_S``),
so a killed worker's trial is failed and retried after 3 s.

``GROWTHSIM_FAULT_REPEATS=10`` repeats each case ten times and prints one line per case
(run with ``-s`` to see them).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import optuna
import pandas as pd
import pytest
from _postgres import pg_url  # noqa: F401 (a fixture)

ROOT = Path(__file__).resolve().parents[2]
TRIALS = 24
REPEATS = int(os.environ.get("GROWTHSIM_FAULT_REPEATS", "1"))
WORKER = ["optimize", "double11", "--population", "20000", "--days", "45", "--seeds", "1",
          "--trials", str(TRIALS), "--check-seeds", "1"]
State = optuna.trial.TrialState


def _trials(url: str, name: str) -> list[optuna.trial.FrozenTrial]:
    storage = optuna.storages.RDBStorage(url)
    try:
        study_id = storage.get_study_id_from_name(name)
    except KeyError:
        return []
    finally:
        storage.remove_session()
    trials = storage.get_all_trials(study_id, deepcopy=False)
    storage.engine.dispose()
    return trials


def _wait(ready: Callable[[], bool], what: str, procs: list[subprocess.Popen[str]],
          timeout: float = 180.0) -> None:
    end = time.monotonic() + timeout
    while not ready():
        ended = [p for p in procs if p.poll() is not None]
        assert not ended, f"a worker ended before {what}: {ended[0].communicate()}"
        assert time.monotonic() < end, f"{what} never happened"
        time.sleep(0.1)


def _one_kill(url: str, tmp: Path, workers: int, staggered: bool, rng: random.Random
              ) -> dict[str, float]:
    """Start ``workers`` commands on a new study, SIGKILL one mid-trial, check the study.
    Returns the figures of this repetition."""
    name = f"faults-{workers}-{int(staggered)}-{time.time_ns()}"
    env = os.environ | {"GROWTHSIM_HEARTBEAT_S": "1", "PYTHONHASHSEED": "0"}
    procs: list[subprocess.Popen[str]] = []
    start = time.monotonic()

    def launch(k: int) -> None:
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "interfaces.cli", *WORKER, "--storage", url, "--study",
             name, "--out", str(tmp / f"{name}-{k}")], cwd=ROOT, env=env, text=True,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))

    def running_by(pid: int) -> list[int]:
        return [t.number for t in _trials(url, name) if t.state == State.RUNNING
                and t.user_attrs.get("worker", "").endswith(f":{pid}")]

    try:
        launch(0)
        for k in range(1, workers):
            if staggered:  # the next one joins a study that is under way
                time.sleep(rng.uniform(1.5, 4.0))
            launch(k)
        victim, after = procs[rng.randrange(workers)], rng.randint(0, TRIALS // 2)
        _wait(lambda: bool(running_by(victim.pid)) and sum(
            t.state in (State.COMPLETE, State.PRUNED) for t in _trials(url, name)) >= after,
            f"a trial of the victim after {after} finished", procs)
        victim.send_signal(signal.SIGKILL)
        at_kill = _trials(url, name)
        # the victim's trial, or one it had just asked for and not yet begun
        hit = [t.number for t in at_kill if t.state == State.RUNNING and t.user_attrs.get(
            "worker", f":{victim.pid}").endswith(f":{victim.pid}")]
        codes = [p.wait(timeout=600) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    seconds = time.monotonic() - start
    trials = _trials(url, name)
    finished = [t for t in trials if t.state in (State.COMPLETE, State.PRUNED)]
    survivors = [(p, c) for p, c in zip(procs, codes, strict=True) if p is not victim]
    assert victim.returncode == -signal.SIGKILL
    for p, code in survivors:
        err = p.stderr.read() if p.stderr else ""
        assert code == 0 and not err, err  # and not a word on stderr
    assert len(finished) == TRIALS, [(t.number, t.state.name) for t in trials]
    assert sorted(t.number for t in trials) == list(range(len(trials)))
    plans = {tuple(sorted(t.params.items())) for t in finished}
    assert len(plans) == TRIALS, "a plan was finished twice"
    assert not [t for t in trials if t.state == State.RUNNING]
    killed = [t for t in trials if t.state == State.FAIL and not t.user_attrs.get("surplus")]
    # only the trial the kill interrupted failed
    assert len(killed) <= 1 and {t.number for t in killed} <= set(hit), (killed, hit)
    for t in killed:  # and its plan was run again, to the end (the parameters it had drawn
        # when it was killed; the rest drawn anew)
        again = [r for r in finished if r.system_attrs.get("failed_trial") == t.number]
        assert len(again) == 1 and t.params.items() <= again[0].params.items(), t.number
    assert not [t for t in trials if t.state == State.WAITING]
    for k, (p, _) in enumerate(survivors):
        out = tmp / f"{name}-{procs.index(p)}" / "trials.csv"
        frame = pd.read_csv(out)
        assert frame["state"].isin(["COMPLETE", "PRUNED"]).sum() == TRIALS, (k, frame)
    return {"seconds": seconds, "finished": len(finished), "trials": len(trials),
            "retried": sum(r.system_attrs.get("failed_trial") is not None for r in finished),
            "killed": len(killed), "surplus": sum(bool(t.user_attrs.get("surplus"))
                                                  for t in trials),
            "finished_at_kill": sum(t.state in (State.COMPLETE, State.PRUNED)
                                    for t in at_kill)}


@pytest.mark.slow
@pytest.mark.parametrize(("workers", "staggered"), [(2, False), (2, True), (3, False),
                                                    (3, True)])
def test_workers_on_one_postgresql_study_survive_a_kill(pg_url: str, tmp_path: Path,  # noqa: F811
                                                        workers: int, staggered: bool) -> None:
    rng = random.Random(1000 * workers + staggered)
    rows = [_one_kill(pg_url, tmp_path, workers, staggered, rng) for _ in range(REPEATS)]
    figures = pd.DataFrame(rows)
    print(f"\n{workers} workers, {'staggered' if staggered else 'together'}, "
          f"{REPEATS} repetitions: finished {figures['finished'].min()}-"
          f"{figures['finished'].max()} of {TRIALS}, trials in the study "
          f"{figures['trials'].min()}-{figures['trials'].max()}, killed trials "
          f"{figures['killed'].sum()} ({figures['retried'].sum()} run again), surplus "
          f"{figures['surplus'].sum()}, killed after "
          f"{figures['finished_at_kill'].min()}-{figures['finished_at_kill'].max()} finished, "
          f"median {figures['seconds'].median():.0f} s")
