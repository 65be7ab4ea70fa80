"""``growthsim incrementality``: the table, the files, the report page, bad input."""

from __future__ import annotations

import io
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pandas as pd
import pytest

from interfaces import cli

SMALL = ["double11", "--population", "2000", "--seeds", "2", "--days", "30"]


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


def test_writes_the_tables_the_plot_and_a_report_page(tmp_path: Path) -> None:
    code, stdout, err = _cli("incrementality", *SMALL, "--channel", "search,crm",
                             "--out", str(tmp_path), "--report")
    assert code == 0, err
    assert "each lever against the plan without it" in stdout
    assert "The parts against the whole" in stdout
    names = {p.name for p in tmp_path.iterdir()}
    assert {"incrementality.csv", "interactions.csv", "incrementality.png", "strategy.yaml",
            "scenario.yaml", "report.html"} <= names
    table = pd.read_csv(tmp_path / "incrementality.csv")
    assert list(table.loc[table["kind"] == "channel", "lever"]) == ["search", "crm"]
    # the two promotions that run in the first 30 days (presale deposits, new-user coupon)
    assert list(table.loc[table["kind"] == "promotion", "lever"]) == [
        "presale 50 counts 100", "new-user 20 off 99"]
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "What each lever really adds" in page and "incremental ROAS" in page


def test_a_channel_the_plan_does_not_spend_on_is_exit_2(tmp_path: Path) -> None:
    code, _, err = _cli("incrementality", *SMALL, "--channel", "tiktok", "--out",
                        str(tmp_path / "x"))
    assert code == 2
    assert err == ("error: command line: --channel: the plan spends nothing on tiktok; it "
                   "spends on search, social, kol, affiliate, crm, content\n")
    assert not (tmp_path / "x").exists()


def test_curves_writes_the_points_the_margins_and_the_plot(tmp_path: Path) -> None:
    code, stdout, err = _cli("curves", *SMALL, "--channel", "search", "--points", "5",
                             "--out", str(tmp_path), "--report")
    assert code == 0, err
    assert "response curves" in stdout and "search: marginal ROAS" in stdout
    points = pd.read_csv(tmp_path / "curves.csv")
    assert points["multiple"].tolist() == [0.0, 0.5, 1.0, 1.5, 2.0]
    assert {"curves_summary.csv", "curves.png", "report.html"} <= {
        p.name for p in tmp_path.iterdir()}
    assert "Response curves" in (tmp_path / "report.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(("args", "message"), [
    (["--points", "2"], "--points: must be at least 3 (got 2)"),
    (["--max", "0.5"], "--max: must be above 1 and at most 10 (got 0.5)"),
    (["--promotion", "nope"], "--promotion: the plan has no promotion with a depth named "
                              "nope; it has new-user 20 off 99, 50 off 300, main day "
                              "sitewide"),
])
def test_curves_bad_options_are_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    code, _, err = _cli("curves", *SMALL, *args, "--out", str(tmp_path / "x"))
    assert code == 2
    assert err == f"error: command line: {message}\n"
    assert not (tmp_path / "x").exists()
