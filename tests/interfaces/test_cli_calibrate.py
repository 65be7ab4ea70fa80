"""``growthsim calibrate``: the files it writes, and one sentence for every bad input."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
CDNOW = ROOT / "tests" / "data" / "cdnow" / "CDNOW_sample.txt"


def growthsim(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "interfaces.cli", *args], cwd=cwd,
                          capture_output=True, text=True,
                          env=os.environ | {"PYTHONPATH": str(ROOT), "COLUMNS": "120"})


@pytest.fixture(scope="module")
def cdnow_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    raw = pd.read_csv(CDNOW, sep=r"\s+", header=None,
                      names=["user_id", "sample", "paid_at", "cds", "amount"])
    raw["paid_at"] = pd.to_datetime(raw["paid_at"].astype(str), format="%Y%m%d")
    path = tmp_path_factory.mktemp("logs") / "orders.csv"
    raw[["user_id", "paid_at", "amount"]].to_csv(path, index=False)
    return path


@pytest.mark.slow
def test_calibrate_writes_the_shop_and_run_runs_it(cdnow_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "my_shop"
    done = growthsim("calibrate", str(cdnow_csv), "--customer", "user_id", "--date",
                     "paid_at", "--value", "amount", "--until", "1997-09-30", "--out",
                     str(out), "--seeds", "4", "--report", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Back-test" in done.stdout and "1,882" in done.stdout
    names = {p.name for p in out.iterdir()}
    assert {"scenario.yaml", "customers.csv", "fit.csv", "backtest.csv", "backtest.png",
            "diagnostics.png", "report.html"} <= names
    assert "Calibration" in (out / "report.html").read_text()
    run = growthsim("run", str(out / "scenario.yaml"), "--seeds", "2", "--days", "30",
                    "--out", str(tmp_path / "run"), cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "run" / "daily.csv").is_file()


def _log(tmp_path: Path, rows: list[str], name: str = "log.csv") -> Path:
    path = tmp_path / name
    path.write_text("user_id,paid_at,amount\n" + "".join(r + "\n" for r in rows))
    return path


GOOD = ["a,2025-01-03,10", "a,2025-02-03,12", "b,2025-01-05,8", "b,2025-03-01,9",
        "c,2025-01-09,20", "a,2025-04-01,11"]


@pytest.mark.parametrize(("rows", "args", "words"), [
    (GOOD, ["--customer", "user_id", "--value", "amount"],
     ["--date", "user_id, paid_at, amount"]),
    (GOOD, ["--customer", "user_id", "--date", "when", "--value", "amount"],
     ["when", "user_id, paid_at, amount"]),
    ([*GOOD[:3], "b,not a date,9"], None, ["row 4", "not a date", "paid_at"]),
    ([*GOOD[:2], "b,2025-01-05,-8"], None, ["row 3", "amount"]),
    ([*GOOD[:2], "b,2025-01-05,eight"], None, ["row 3", "amount"]),
    ([], None, ["no data rows"]),
    (["a,2025-01-03,10", "a,2025-02-03,12", "a,2025-04-03,5"], None,
     ["BG/NBD", "1 customer"]),
    (["a,2025-01-03,10", "b,2025-02-03,12", "c,2025-04-03,5"], None, ["BG/NBD", "repeat"]),
])
def test_bad_input_gets_one_sentence_and_writes_nothing(tmp_path: Path, rows: list[str],
                                                        args: list[str] | None,
                                                        words: list[str]) -> None:
    path = _log(tmp_path, rows)
    out = tmp_path / "out"
    cols = args if args is not None else ["--customer", "user_id", "--date", "paid_at",
                                          "--value", "amount"]
    done = growthsim("calibrate", str(path), *cols, "--until", "2025-03-31", "--out",
                     str(out), cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.count("\n") == 1, done.stderr
    for w in words:
        assert w in done.stderr, (w, done.stderr)
    assert not out.exists()


@pytest.mark.parametrize(("until", "words"), [("2024-12-01", "before the first order"),
                                              ("2025-06-01", "after the last order")])
def test_an_until_outside_the_log_is_refused(tmp_path: Path, until: str, words: str) -> None:
    path = _log(tmp_path, GOOD)
    done = growthsim("calibrate", str(path), "--customer", "user_id", "--date", "paid_at",
                     "--value", "amount", "--until", until, "--out", str(tmp_path / "o"),
                     cwd=tmp_path)
    assert done.returncode == 2
    assert (words in done.stderr and "--until" in done.stderr) or "until" in done.stderr
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(("extra", "words"), [
    (["--template", "nosuch"], ["--template", "nosuch", "baseline"]),
    (["--margin", "1.5"], ["--margin"]),
    (["--seeds", "0"], ["--seeds"]),
    (["--until", "1997-13-01"], ["--until"]),
])
def test_bad_options_are_refused_before_the_log_is_read(tmp_path: Path, extra: list[str],
                                                        words: list[str]) -> None:
    path = _log(tmp_path, GOOD)
    args = ["--customer", "user_id", "--date", "paid_at", "--value", "amount",
            "--until", "2025-03-31", "--out", str(tmp_path / "o")]
    done = growthsim("calibrate", str(path), *args, *extra, cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert all(w in done.stderr for w in words), done.stderr
    assert not (tmp_path / "o").exists()


def test_an_out_that_is_a_file_is_refused_and_kept(tmp_path: Path) -> None:
    path = _log(tmp_path, GOOD)
    target = tmp_path / "notes.txt"
    target.write_text("keep me")
    done = growthsim("calibrate", str(path), "--customer", "user_id", "--date", "paid_at",
                     "--value", "amount", "--until", "2025-03-31", "--out", str(target),
                     cwd=tmp_path)
    assert done.returncode == 2 and "is a file" in done.stderr
    assert target.read_text() == "keep me"
