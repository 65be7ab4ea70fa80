"""A Ctrl-C or a kill never leaves a half-written output folder.

Ctrl-C (SIGINT to the whole process group, as a terminal sends it): exit code 130, one
line, no worker traceback, nothing written. SIGKILL at random moments of ``run`` (while
simulating, while writing): the folder holds the previous run's files or the new run's,
and the next run into it finishes or removes what the killed one left.
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

import pytest

from sim._folder import SCRATCH_PREFIX

ROOT = Path(__file__).resolve().parents[2]
TINY = ["baseline", "--population", "2000", "--days", "14", "--seeds", "2"]


def _start(*args: str) -> subprocess.Popen[str]:
    """``growthsim ARGS`` in a session of its own, with Ctrl-C handled as at a terminal."""
    return subprocess.Popen(
        [sys.executable, "-m", "interfaces.cli", *args], cwd=ROOT, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def _session(sid: int) -> list[int]:
    """The live processes of session ``sid``."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == sid and fields[0] != "Z":  # fields: state ppid pgrp session
            pids.append(int(entry.name))
    return pids


def _wait_until(ready: Callable[[], bool], proc: subprocess.Popen[str],
                timeout: float = 120.0) -> None:
    end = time.monotonic() + timeout
    while not ready():
        assert proc.poll() is None, f"ended before the moment came: {proc.communicate()}"
        assert time.monotonic() < end, "the moment never came"
        time.sleep(0.02)


def _gone(sid: int, timeout: float = 15.0) -> bool:
    end = time.monotonic() + timeout
    while _session(sid):
        if time.monotonic() > end:
            for pid in _session(sid):
                os.kill(pid, signal.SIGKILL)
            return False
        time.sleep(0.05)
    return True


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


def _filled(folder: Path, files: dict[str, bytes]) -> Path:
    """A new folder holding ``files``."""
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


def _scratch(folder: Path) -> list[Path]:
    return sorted(folder.glob(f"{SCRATCH_PREFIX}*"))


def test_ctrl_c_while_workers_simulate_is_one_line_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "new"
    proc = _start("run", "baseline", "--population", "20000", "--seeds", "4", "--jobs", "2",
                  "--out", str(out))
    # both workers started and simulating for a moment
    _wait_until(lambda: len(_session(proc.pid)) >= 3, proc)
    time.sleep(1.0)
    os.killpg(proc.pid, signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert stderr == "interrupted; nothing written\n"
    assert "Traceback" not in stdout
    assert not out.exists()
    assert _gone(proc.pid), "worker processes outlived the command"


def test_ctrl_c_while_loading_is_the_same_line(tmp_path: Path) -> None:
    proc = _start("run", *TINY, "--out", str(tmp_path / "new"))
    time.sleep(0.3)  # python is up, the libraries are loading
    os.killpg(proc.pid, signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert (proc.returncode, stderr) == (130, "interrupted; nothing written\n")
    assert not (tmp_path / "new").exists()


def test_ctrl_c_of_a_run_into_a_folder_keeps_its_files(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert subprocess.run([sys.executable, "-m", "interfaces.cli", "run", *TINY, "--out",
                           str(out)], cwd=ROOT, capture_output=True).returncode == 0
    before = _files(out)
    proc = _start("run", "baseline", "--population", "20000", "--seeds", "2", "--seed", "9",
                  "--out", str(out))
    time.sleep(3.0)
    os.killpg(proc.pid, signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert (proc.returncode, stderr) == (130, "interrupted; nothing written\n")
    assert _files(out) == before
    assert not _scratch(out)


@pytest.mark.slow
def test_run_killed_at_random_moments_leaves_old_or_new_files(tmp_path: Path) -> None:
    """Eight SIGKILLs of ``run`` into a folder holding an earlier run's files, half of
    them while the command writes (a scratch folder is there), the others at random
    moments of the run; some with two worker processes. After each kill the folder holds
    the old files, the new ones, or (killed while moving committed files) a mix with the
    committed scratch folder that the next run finishes; the next run leaves exactly its
    files and no scratch folder."""
    rng = random.Random(16)
    old, new = tmp_path / "old", tmp_path / "new"
    for folder, seed in ((old, "1"), (new, "2")):
        done = subprocess.run([sys.executable, "-m", "interfaces.cli", "run", *TINY, "--seed",
                               seed, "--out", str(folder)], cwd=ROOT, capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 0, done.stderr
    old_files, new_files = _files(old), _files(new)
    assert old_files.keys() == new_files.keys() and old_files != new_files
    # how long a run takes, and how long its writing (from the scratch folder on)
    timing = tmp_path / "timing"
    start = time.monotonic()
    proc = _start("run", *TINY, "--seed", "2", "--out", str(timing))
    _wait_until(lambda: timing.exists() and bool(_scratch(timing)), proc)
    writing = time.monotonic()
    assert proc.wait(timeout=300) == 0
    whole, writing = time.monotonic() - start, time.monotonic() - writing
    outcomes = []
    for k in range(8):
        out = _filled(tmp_path / f"kill{k}", old_files)
        jobs = ["--jobs", "2"] if k % 3 == 2 else []
        proc = _start("run", *TINY, "--seed", "2", *jobs, "--out", str(out))
        if k % 2:  # while writing: the scratch folder exists
            _wait_until(lambda out=out: bool(_scratch(out)), proc)
            time.sleep(rng.uniform(0.0, 1.2) * writing)
        else:
            time.sleep(rng.uniform(0.2, 1.0) * whole)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        assert _gone(proc.pid), f"kill {k}: worker processes outlived the command"
        files = _files(out)
        committed = [s for s in _scratch(out) if (s / ".commit").exists()]
        if files == old_files:
            outcomes.append("old")
        elif files == new_files:
            outcomes.append("new")
        else:
            assert committed, f"kill {k}: a mix of old and new files with nothing to finish it"
            assert all(files[n] in (old_files[n], new_files[n]) for n in files)
            outcomes.append("mix")
        again = subprocess.run([sys.executable, "-m", "interfaces.cli", "run", *TINY, "--seed",
                                "2", "--out", str(out)], cwd=ROOT, capture_output=True,
                               text=True, timeout=300)
        assert again.returncode == 0, again.stderr
        assert _files(out) == new_files, f"kill {k}"
        assert not _scratch(out), f"kill {k}: {_scratch(out)} left"
    assert "old" in outcomes, outcomes


def _finished_trials(journal: Path) -> list[int]:
    """The numbers of the finished trials in a study journal (none while it is absent)."""
    import optuna

    if not journal.exists():
        return []
    storage = optuna.storages.JournalStorage(
        optuna.storages.journal.JournalFileBackend(str(journal)))
    summaries = optuna.study.get_all_study_summaries(storage)
    if not summaries:
        return []
    trials = storage.get_all_trials(summaries[0]._study_id, deepcopy=False, states=(
        optuna.trial.TrialState.COMPLETE, optuna.trial.TrialState.PRUNED))
    return sorted(t.number for t in trials)


@pytest.mark.slow
def test_optimize_killed_at_random_moments_resumes_to_the_count(tmp_path: Path) -> None:
    """Six SIGKILLs of ``optimize`` continuing a study in a folder that holds an earlier,
    shorter study's files: two while trials run, two during the re-check of the best
    plans, two while the files are written. After each kill the folder's files are the
    old ones or a complete new set (or a committed mix the next run finishes); the next
    run ends the study with exactly ``--trials`` finished trials, none lost or run twice,
    and leaves a complete set of files and no scratch folder."""
    import pandas as pd

    rng = random.Random(17)
    small = ["optimize", "double11", "--population", "3000", "--days", "30", "--seeds", "1",
             "--check-seeds", "2"]
    base = tmp_path / "base"
    proc = _start(*small, "--trials", "5", "--out", str(base))
    _wait_until(lambda: base.exists() and bool(_scratch(base)), proc)
    writing = time.monotonic()
    assert proc.wait(timeout=300) == 0, proc.communicate()
    writing = time.monotonic() - writing  # how long the files take to write
    old_files = _files(base)
    outcomes = []
    for k in range(6):
        out = _filled(tmp_path / f"kill{k}", old_files)
        journal = out / "study.journal"
        proc = _start(*small, "--trials", "12", "--out", str(out))
        moment = ("trials", "re-check", "writing")[k % 3]
        if moment == "trials":
            _wait_until(lambda j=journal: len(_finished_trials(j)) >= 6, proc)
        elif moment == "re-check":
            _wait_until(lambda j=journal: len(_finished_trials(j)) >= 12, proc)
            time.sleep(rng.uniform(0.0, 0.5))
        else:
            _wait_until(lambda out=out: bool(_scratch(out)), proc)
            time.sleep(rng.uniform(0.3, 1.0) * writing)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        assert _gone(proc.pid), f"kill {k}: worker processes outlived the command"
        files = {n: d for n, d in _files(out).items() if n != "study.journal"}
        old = {n: d for n, d in old_files.items() if n != "study.journal"}
        committed = [s for s in _scratch(out) if (s / ".commit").exists()]
        if files == old:
            outcomes.append(f"{moment}: old")
        elif committed:
            outcomes.append(f"{moment}: mix")
        else:
            assert files.keys() == old.keys(), f"kill {k}: {sorted(files)}"
            trials = pd.read_csv(out / "trials.csv")
            assert trials["state"].isin(["COMPLETE", "PRUNED"]).sum() == 12, f"kill {k}"
            outcomes.append(f"{moment}: new")
        again = subprocess.run([sys.executable, "-m", "interfaces.cli", *small, "--trials", "12",
                                "--out", str(out)], cwd=ROOT, capture_output=True, text=True,
                               timeout=300)
        assert again.returncode == 0, again.stderr
        finished = _finished_trials(journal)
        assert len(finished) == 12 == len(set(finished)), f"kill {k}: {finished}"
        trials = pd.read_csv(out / "trials.csv")
        assert trials["state"].isin(["COMPLETE", "PRUNED"]).sum() == 12, f"kill {k}"
        assert trials["trial"].is_unique
        assert set(_files(out)) == set(old_files), f"kill {k}"
        assert not _scratch(out), f"kill {k}: {_scratch(out)} left"
    # nothing is written before the study and its re-check are over
    assert all(o.endswith("old") for o in outcomes if not o.startswith("writing")), outcomes
    print(outcomes)
