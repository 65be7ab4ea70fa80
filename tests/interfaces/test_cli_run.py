"""The `growthsim run` command as a user runs it: tables on the terminal, files in --out."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

RUN = [sys.executable, "-m", "interfaces.cli", "run", "double11", "--population", "3000",
       "--days", "20", "--seeds", "2"]


def _run(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("run")
    proc = _run([*RUN, "--out", str(out)])
    assert proc.returncode == 0, proc.stderr
    assert "95% confidence intervals" in proc.stdout
    assert "By channel" in proc.stdout
    return out


def test_run_writes_every_output(out_dir: Path) -> None:
    names = {p.name for p in out_dir.iterdir()}
    expected = {"daily.csv", "by_channel.csv", "by_segment.csv", "by_city_tier.csv",
                "summary.json", "strategy.yaml", "gmv_orders.png", "channels.png",
                "lifecycle.png", "funnel.png"}
    assert expected <= names
    assert not [n for n in names if n.startswith(".")], "scratch files left behind"
    for png in out_dir.glob("*.png"):
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert png.stat().st_size > 10_000


def test_daily_csv_has_one_row_per_seed_and_day(out_dir: Path) -> None:
    daily = pd.read_csv(out_dir / "daily.csv")
    assert len(daily) == 2 * 20
    assert sorted(daily["seed"].unique()) == [0, 1]
    assert (daily["gmv"] > 0).all()
    by_channel = pd.read_csv(out_dir / "by_channel.csv")
    per_day = by_channel.groupby(["seed", "day"])["gmv"].sum().to_numpy()
    assert per_day == pytest.approx(daily.sort_values(["seed", "day"])["gmv"].to_numpy(),
                                    rel=1e-9)


def test_summary_json_has_means_and_intervals(out_dir: Path) -> None:
    summary = json.loads((out_dir / "summary.json").read_text())
    assert summary["scenario"] == "double11" and summary["seeds"] == 2
    gmv = summary["kpis"]["gmv"]
    assert gmv["ci_low"] < gmv["mean"] < gmv["ci_high"]
    assert summary["population"]["size"] == 3000
    # --population keeps the real market: 3000 shoppers x scale == 50,000 x 40
    assert summary["population"]["size"] * summary["population"]["scale"] == pytest.approx(
        50_000 * 40)


def test_written_strategy_runs_again_to_the_same_numbers(out_dir: Path, tmp_path: Path) -> None:
    proc = _run([*RUN, "--strategy", str(out_dir / "strategy.yaml"), "--out", str(tmp_path)])
    assert proc.returncode == 0, proc.stderr
    a = pd.read_csv(out_dir / "daily.csv")
    b = pd.read_csv(tmp_path / "daily.csv")
    pd.testing.assert_frame_equal(a, b)


@pytest.mark.slow
def test_jobs_two_writes_the_same_daily_csv(out_dir: Path, tmp_path: Path) -> None:
    proc = _run([*RUN, "--jobs", "2", "--out", str(tmp_path)])
    assert proc.returncode == 0, proc.stderr
    pd.testing.assert_frame_equal(pd.read_csv(out_dir / "daily.csv"),
                                  pd.read_csv(tmp_path / "daily.csv"))


def test_option_out_of_range_is_one_sentence_and_exit_2(tmp_path: Path) -> None:
    proc = _run([*RUN[:-1], "0", "--out", str(tmp_path / "x")])
    assert proc.returncode == 2
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "--seeds" in lines[0] and "at least 1" in lines[0]
    assert not (tmp_path / "x").exists()


def test_validate_reports_a_valid_scenario() -> None:
    proc = _run([sys.executable, "-m", "interfaces.cli", "validate", "scenarios/baseline.yaml"])
    assert proc.returncode == 0, proc.stderr
    assert "valid scenario 'baseline'" in proc.stdout


def test_summary_json_is_strict_json_with_null_for_undefined_ratios(out_dir: Path) -> None:
    """An undefined ratio (organic has no spend, so no ROAS) is null, not NaN."""
    def refuse(constant: str) -> float:
        raise AssertionError(f"summary.json holds {constant}, which JSON does not allow")

    summary = json.loads((out_dir / "summary.json").read_text(), parse_constant=refuse)
    assert summary["channels"]["organic"]["roas"] is None
    assert isinstance(summary["kpis"]["gmv"]["mean"], float)
