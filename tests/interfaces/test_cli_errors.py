"""`growthsim` on bad input: exit code 2, one line on stderr naming the file and the field,
no traceback, and nothing written to --out.

Every broken file in tests/data/bad/ (table: tests/data/bad/EXPECTED.yaml) goes through the
CLI's own entry point ``interfaces.cli.main`` in this process, which keeps the test fast; a few go
through real processes (``python -m interfaces.cli`` and the installed ``growthsim`` script) to
check what the shell sees.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

import scenarios
import sim
from interfaces import cli

ROOT = Path(__file__).resolve().parents[2]
BAD = ROOT / "tests" / "data" / "bad"
EXPECTED: dict[str, dict[str, Any]] = yaml.safe_load((BAD / "EXPECTED.yaml").read_text())
SCENARIO_FILES = sorted(n for n, e in EXPECTED.items() if e["kind"] == "scenario")
STRATEGY_FILES = sorted(n for n, e in EXPECTED.items() if e["kind"] == "strategy")
DAILY = "seed,day,gmv\n0,0,123.5\n"  # a previous run's output that bad input must not touch


def _validate_args(name: str) -> list[str]:
    args = ["validate", str(BAD / name)]
    return args if EXPECTED[name]["kind"] == "scenario" else [*args, "--scenario", "double11"]


def _run_args(strategy: Path, out: Path) -> list[str]:
    return ["run", "double11", "--strategy", str(strategy), "--out", str(out),
            "--population", "1000", "--days", "5", "--seeds", "1"]


def _main(args: list[str], capsys: pytest.CaptureFixture[str],
          monkeypatch: pytest.MonkeyPatch) -> tuple[int, str, str]:
    """Run ``growthsim ARGS`` in this process: exit code, stdout, stderr."""
    monkeypatch.setattr(sys, "argv", ["growthsim", *args])
    try:
        cli.main()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except Exception as exc:  # the user would see this as a traceback
        pytest.fail(f"growthsim {' '.join(args)}: uncaught {type(exc).__name__}: {exc}")
    else:
        code = 0
    out, err = capsys.readouterr()
    return code, out, err


def _check_error_line(stderr: str, name: str) -> None:
    expected = EXPECTED[name]
    path = str(BAD / name)
    assert "Traceback" not in stderr, stderr
    lines = stderr.splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got {len(lines)}: {stderr!r}"
    line = lines[0]
    assert line.strip(), "empty error line"
    assert path in line, f"file not named: {line!r}"
    if expected["field"]:
        assert f"{path}: {expected['field']}" in line, f"field not named: {line!r}"
    for part in expected["contains"]:
        assert part in line, f"{part!r} not in {line!r}"


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() if p.is_file() else b"<dir>"
            for p in sorted(folder.rglob("*"))}


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    out.mkdir()
    (out / "daily.csv").write_text(DAILY, encoding="utf-8")
    return out


def test_table_covers_scenarios_and_strategies() -> None:
    assert len(SCENARIO_FILES) >= 5 and len(STRATEGY_FILES) >= 5


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_validate_bad_file_exits_2_with_one_line(name: str, capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    code, _, err = _main(_validate_args(name), capsys, monkeypatch)
    assert code == 2, f"exit code {code}, stderr {err!r}"
    _check_error_line(err, name)


@pytest.mark.parametrize("name", STRATEGY_FILES)
def test_run_with_bad_strategy_exits_2_and_writes_nothing(
        name: str, out_dir: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    before = _snapshot(out_dir)
    code, _, err = _main(_run_args(BAD / name, out_dir), capsys, monkeypatch)
    assert code == 2, f"exit code {code}, stderr {err!r}"
    _check_error_line(err, name)
    assert _snapshot(out_dir) == before
    assert (out_dir / "daily.csv").read_text(encoding="utf-8") == DAILY


@pytest.mark.parametrize("name", SCENARIO_FILES)
def test_run_bad_scenario_exits_2_and_writes_nothing(
        name: str, out_dir: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    before = _snapshot(out_dir)
    args = ["run", str(BAD / name), "--out", str(out_dir), "--population", "1000", "--days",
            "5", "--seeds", "1"]
    code, _, err = _main(args, capsys, monkeypatch)
    assert code == 2, f"exit code {code}, stderr {err!r}"
    _check_error_line(err, name)
    assert _snapshot(out_dir) == before


def test_run_into_a_new_folder_with_bad_strategy_creates_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "fresh"
    code, _, _ = _main(_run_args(BAD / "strategy_unknown_channel.yaml", out), capsys,
                       monkeypatch)
    assert code == 2
    assert not out.exists()


def test_validate_accepts_good_files(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = _main(["validate", str(ROOT / "scenarios" / "double11.yaml")], capsys,
                           monkeypatch)
    assert (code, err) == (0, "")
    assert "valid scenario" in out
    plan = tmp_path / "plan.yaml"
    plan.write_text(sim.strategy_to_yaml(scenarios.load(
        ROOT / "scenarios" / "double11.yaml").strategy), encoding="utf-8")
    code, out, err = _main(["validate", str(plan), "--scenario", "double11"], capsys,
                           monkeypatch)
    assert (code, err) == (0, "")
    assert "valid strategy" in out


# --- real processes: what the shell sees ------------------------------------------------

def _script() -> list[str]:
    script = Path(sys.executable).with_name("growthsim")
    return [str(script)] if script.exists() else [sys.executable, "-m", "interfaces.cli"]


@pytest.fixture(scope="module")
def processes(tmp_path_factory: pytest.TempPathFactory
              ) -> dict[str, tuple[subprocess.CompletedProcess[str], Path | None]]:
    """Start every process at once (each spends ~2 s importing), then collect them."""
    module = [sys.executable, "-m", "interfaces.cli"]
    out = tmp_path_factory.mktemp("proc") / "out"
    out.mkdir()
    (out / "daily.csv").write_text(DAILY, encoding="utf-8")
    jobs: dict[str, tuple[list[str], Path | None]] = {
        "scenario_typo_budjet.yaml": ([*module, *_validate_args("scenario_typo_budjet.yaml")],
                                      None),
        "not_yaml.yaml": ([*module, *_validate_args("not_yaml.yaml")], None),
        "strategy_unknown_channel.yaml": (
            [*_script(), *_validate_args("strategy_unknown_channel.yaml")], None),
        "strategy_impossible_date.yaml": (
            [*module, *_validate_args("strategy_impossible_date.yaml")], None),
        "strategy_discount_over_100.yaml": (
            [*module, *_run_args(BAD / "strategy_discount_over_100.yaml", out)], out),
    }
    # a narrow terminal must not wrap the sentence onto several lines
    env = {**os.environ, "COLUMNS": "60"}
    started = {name: (subprocess.Popen(args, cwd=ROOT, env=env, text=True,
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE), folder)
               for name, (args, folder) in jobs.items()}
    done = {}
    for name, (proc, folder) in started.items():
        stdout, stderr = proc.communicate(timeout=120)
        done[name] = (subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr),
                      folder)
    return done


@pytest.mark.parametrize("name", ["scenario_typo_budjet.yaml", "not_yaml.yaml",
                                  "strategy_unknown_channel.yaml",
                                  "strategy_impossible_date.yaml",
                                  "strategy_discount_over_100.yaml"])
def test_process_exits_2_with_one_line(
        name: str,
        processes: dict[str, tuple[subprocess.CompletedProcess[str], Path | None]]) -> None:
    proc, folder = processes[name]
    assert proc.returncode == 2, f"exit code {proc.returncode}, stderr {proc.stderr!r}"
    _check_error_line(proc.stderr, name)
    if folder is not None:
        assert sorted(p.name for p in folder.iterdir()) == ["daily.csv"]
        assert (folder / "daily.csv").read_text(encoding="utf-8") == DAILY


@pytest.mark.parametrize(("args", "words"), [
    (["run", "double11", "--seed", "-7"], ["--seed", "-7", "0 or more"]),
    (["optimize", "double11", "--sampler-seed", "-1", "--trials", "2"],
     ["--sampler-seed", "0 or more"]),
    (["optimize", "double11", "--check-seeds", "0", "--trials", "2"],
     ["--check-seeds", "at least 1"]),
    (["run", "double11", "--seed", "-3", "--days", "3"], ["--seed"]),
    (["decompose", "double11", "--after", "0"], ["--after", "from 1 to 36600 (got 0)"]),
])
def test_bad_seeds_are_refused_before_the_run(args: list[str], words: list[str],
                                              tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    code, _, err = _main([*args, "--out", str(out)], capsys, monkeypatch)
    assert code == 2 and err.count("\n") == 1, err
    assert all(w in err for w in words), err
    assert not out.exists()


@pytest.mark.parametrize("command", [["run", "double11"],
                                     ["compare", "membership_relaunch", "--strategy",
                                      str(ROOT / "scenarios" / "strategies" / "flat_points.yaml")],
                                     ["decompose", "double11"],
                                     ["optimize", "double11", "--trials", "2"]])
def test_an_out_that_is_a_file_is_refused_before_the_run_and_kept(
        command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "daily.csv"
    target.write_text(DAILY)
    code, _, err = _main([*command, "--out", str(target), "--days", "3"], capsys, monkeypatch)
    assert code == 2 and "--out" in err and "is a file" in err, err
    assert target.read_text() == DAILY
