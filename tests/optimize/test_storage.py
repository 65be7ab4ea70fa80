"""``--storage`` is checked before any work, never appended to unless it is a journal;
trials record the seeds they ran; the sampler draws by trial number."""

from __future__ import annotations

import io
import sys
import time
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import optuna
import pandas as pd
import pytest

from interfaces import cli
from optimize.search import sampler

SMALL = ["double11", "--population", "2000", "--days", "14", "--seeds", "2", "--trials", "4",
         "--check-seeds", "1"]


def _cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as mp, redirect_stdout(out), redirect_stderr(err):
        mp.setattr(sys, "argv", ["growthsim", *args])
        try:
            cli.main()
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


def _refused(tmp_path: Path, storage: str, message: str) -> None:
    out = tmp_path / "out"
    code, _, err = _cli("optimize", *SMALL, "--storage", storage, "--out", str(out))
    assert code == 2, err
    assert err == f"error: command line: --storage: {message}\n"
    assert not out.exists()


def test_a_folder_is_refused(tmp_path: Path) -> None:
    _refused(tmp_path, str(tmp_path), f"{tmp_path} is a folder; give a journal file, e.g. "
                                      f"{tmp_path / 'study.journal'}, or a database URL")


def test_a_users_text_file_is_refused_and_left_as_it_was(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes\n")
    _refused(tmp_path, str(notes), f"{notes} is not an Optuna journal (a study's file); give "
                                   "a new file name, an existing study.journal, or a "
                                   "database URL")
    assert notes.read_text() == "my notes\n"


def test_an_unsupported_database_is_refused(tmp_path: Path) -> None:
    _refused(tmp_path, "mysql://u:p@localhost/db", "'mysql://' is not a supported database; "
                                                   "use postgresql://... (many machines) or "
                                                   "sqlite:///FILE, or a journal file path")


def test_a_database_that_does_not_answer_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, _, err = _cli("optimize", *SMALL, "--out", str(out), "--storage",
                        "postgresql://nobody:x@127.0.0.1:1/none")
    assert code == 2
    assert err.startswith("error: command line: --storage: the database does not answer (")
    assert err.endswith("); start it, or check the URL's host, port, user and database\n")
    assert err.count("\n") == 1 and not out.exists()


def test_a_journal_continues_and_trials_record_the_seeds_they_ran(tmp_path: Path) -> None:
    journal = tmp_path / "shared.journal"
    for out in ("a", "b"):
        code, _, err = _cli("optimize", *SMALL, "--storage", str(journal), "--out",
                            str(tmp_path / out))
        assert code == 0, err
    trials = pd.read_csv(tmp_path / "b" / "trials.csv")
    assert len(trials) == 4  # the second run found the study finished
    done = trials[trials["state"] == "COMPLETE"]
    assert (done["seeds_run"] == 2).all(), trials[["state", "seeds_run"]]
    pruned = trials[trials["state"] == "PRUNED"]
    assert (pruned["seeds_run"] == 1).all()


def test_the_same_trial_number_draws_alike_in_any_worker() -> None:
    """Two workers with the same sampler seed (two machines, one command each) draw the
    same for the same trial number and differently for different numbers."""
    def draws() -> list[float]:
        study = optuna.create_study(sampler=sampler(0))
        out = []
        for _ in range(3):
            trial = study.ask()
            out.append(trial.suggest_float("x", 0, 1))
            study.tell(trial, 0.0)
        return out

    a, b = draws(), draws()
    assert a == b
    assert len(set(a)) == 3


@pytest.mark.parametrize("ours", [True, False])
def test_a_trial_killed_before_its_first_heartbeat_is_failed_and_retried(
        tmp_path: Path, ours: bool) -> None:
    """A worker killed between asking for a trial and its first heartbeat leaves a RUNNING
    trial with none; Optuna's storage never calls it stale (it would hold the study's
    count for ever), ours does once it has gone without one for the grace period."""
    import warnings

    from optimize.storage import _RDBWithHeartbeat

    kind = _RDBWithHeartbeat if ours else optuna.storages.RDBStorage
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        storage = kind(f"sqlite:///{tmp_path / 'study.db'}", heartbeat_interval=1,
                       grace_period=1, heartbeat_stale_trial_callback=optuna.storages.
                       RetryHeartbeatStaleTrialCallback())
        study = optuna.create_study(storage=storage)
        trial = study.ask()  # RUNNING, and no heartbeat: as if killed at once
        trial.suggest_float("x", 0, 1)
        optuna.storages.fail_stale_trials(study)
        assert [t.state for t in study.get_trials()] == [optuna.trial.TrialState.RUNNING]
        time.sleep(1.3)
        optuna.storages.fail_stale_trials(study)
    states = [t.state.name for t in study.get_trials()]
    if ours:
        assert states == ["FAIL", "WAITING"]  # failed, and its plan queued again
        assert study.get_trials()[1].params == study.get_trials()[0].params
    else:
        assert states == ["RUNNING"]
