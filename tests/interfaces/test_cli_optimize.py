"""`growthsim optimize` from the command line: outputs, the summary, and bad input."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

import scenarios
import sim
from interfaces import cli


def _main(args: list[str], capsys, monkeypatch) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["growthsim", *args])
    try:
        cli.main()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    else:
        code = 0
    out, err = capsys.readouterr()
    return code, out, err


BASE = ["optimize", "double11", "--population", "2000", "--seeds", "1", "--trials", "10",
        "--check-seeds", "3"]


def test_optimize_writes_a_runnable_best_plan_and_the_study(tmp_path: Path, capsys,
                                                           monkeypatch) -> None:
    code, out, err = _main([*BASE, "--out", str(tmp_path)], capsys, monkeypatch)
    assert code == 0, err
    names = {p.name for p in tmp_path.iterdir()}
    assert {"best_strategy.yaml", "trials.csv", "check.csv", "study.journal",
            "optimization_history.png", "importances.png", "allocation.png",
            "promotion_timing.png"} <= names
    assert "vs scenario plan" in out and "vs equal split" in out
    trials = pd.read_csv(tmp_path / "trials.csv")
    assert len(trials) == 10 and set(trials["state"]) <= {"COMPLETE", "PRUNED"}
    sc = scenarios.load("double11")
    plan = sim.load_strategy_file(tmp_path / "best_strategy.yaml", sc)
    assert sum(plan.shares.values()) == pytest.approx(1.0)
    # it runs with `growthsim run --strategy`
    code, out, err = _main(["run", "double11", "--strategy", str(tmp_path / "best_strategy.yaml"),
                            "--population", "1000", "--days", "5", "--seeds", "1",
                            "--out", str(tmp_path / "run")], capsys, monkeypatch)
    assert code == 0, err


def test_two_objectives_write_a_pareto_front_and_pick_by_rule(tmp_path: Path, capsys,
                                                             monkeypatch) -> None:
    code, _, err = _main([*BASE, "--objective", "gmv,roi", "--pick",
                            "max gmv with roi>=0", "--out", str(tmp_path)], capsys, monkeypatch)
    assert code == 0, err
    assert (tmp_path / "pareto_front.png").exists()


@pytest.mark.parametrize(("args", "needle"), [
    (["--constraint", "margn>=0.3"], "--constraint: unknown KPI 'margn' in 'margn>=0.3'; "
                                      "did you mean 'margin'?"),
    (["--constraint", "roi>1"], "--constraint: 'roi>1' is not a constraint"),
    (["--objective", "revenue"], "--objective: unknown objective 'revenue'"),
    (["--objective", "gmv,roi,profit"], "--objective: give one objective, or two"),
    (["--trials", "0"], "--trials: must be a whole number of at least 1"),
    (["--constraint", "gmv>=1e15"], "relax a --constraint"),
])
def test_bad_options_exit_2_with_one_sentence_and_write_nothing(args, needle, tmp_path: Path,
                                                                capsys, monkeypatch) -> None:
    out_dir = tmp_path / "out"
    code, _, err = _main([*BASE, "--trials", "3", *args, "--out", str(out_dir)], capsys,
                         monkeypatch)
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert needle in err, err
    written = {p.name for p in out_dir.iterdir()} if out_dir.exists() else set()
    assert written <= {"study.journal"}  # no output file, at most the study itself
