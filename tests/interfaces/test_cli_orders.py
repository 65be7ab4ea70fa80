"""`growthsim run ... --orders`: the order log as orders.csv in --out, written whole through
the publish step, adding up to daily.csv."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from interfaces import cli

#: double11 to 14 November: deposits from 20 October, the presale's final day (day 41)
RUN = [sys.executable, "-m", "interfaces.cli", "run", "double11", "--population", "3000",
       "--days", "45", "--seeds", "2", "--orders"]
PRESALE = "presale 50 counts 100"
COLUMNS = ["seed", "day", "date", "customer", "channel", "promotion", "category", "units",
           "list_value", "gmv", "new"]


@pytest.fixture(scope="module")
def run_out(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("orders")
    proc = subprocess.run([*RUN, "--out", str(out)], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    return out, proc.stdout


def _orders(out: Path) -> pd.DataFrame:
    # an order without a promotion has an empty field: keep it "", not NaN
    return pd.read_csv(out / "orders.csv", keep_default_na=False,
                       dtype={"customer": str, "promotion": str, "channel": str})


def test_orders_csv_is_written_and_named(run_out: tuple[Path, str]) -> None:
    out, stdout = run_out
    wrote = " ".join(stdout[stdout.index("Wrote "):].split())  # the list wraps on a console
    assert "orders.csv," in wrote or wrote.endswith("orders.csv")
    assert not [p for p in out.iterdir() if p.name.startswith(".")], "scratch left behind"
    o = _orders(out)
    assert list(o.columns) == COLUMNS
    assert len(o) > 1000
    assert o["date"].str.fullmatch(r"2026-1[01]-\d\d").all()  # ISO dates, no time
    assert o["customer"].str.fullmatch(r"s\d+").all()
    assert (o["units"] >= 1).all() and o["new"].isin([True, False]).all()
    assert {"", "main day sitewide", PRESALE} <= set(o["promotion"])


def test_orders_csv_adds_up_to_daily_csv(run_out: tuple[Path, str]) -> None:
    out, _ = run_out
    o = _orders(out)
    scale = json.loads((out / "summary.json").read_text())["population"]["scale"]
    daily = pd.read_csv(out / "daily.csv").set_index(["seed", "day"])
    g = o.groupby(["seed", "day"]).agg(rows=("gmv", "size"), gmv=("gmv", "sum"),
                                       new=("new", "sum")).reindex(daily.index, fill_value=0)
    assert len(g) == 2 * 45
    np.testing.assert_array_equal(g["rows"], (daily["orders"] / scale).round())
    assert np.abs(g["gmv"] - daily["gmv"] / scale).max() < 0.005  # to the cent
    np.testing.assert_array_equal(g["new"], (daily["new_customers"] / scale).round())
    done = o[o["promotion"] == PRESALE]
    assert len(done) > 20 and (done["day"] == 41).all()
    assert (done["list_value"] - done["gmv"]).to_numpy() == pytest.approx(50.0, abs=1e-6)


def _main(args: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "argv", ["growthsim", *args])
    try:
        cli.main()
    except SystemExit as exc:
        assert exc.code in (0, None)


def test_without_orders_there_is_no_orders_csv(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    _main(["run", "baseline", "--population", "1000", "--days", "5", "--seeds", "1",
           "--out", str(tmp_path)], monkeypatch)
    assert (tmp_path / "daily.csv").is_file()
    assert not (tmp_path / "orders.csv").exists()


def test_a_failed_write_leaves_no_orders_csv(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """orders.csv goes through the publish step: written whole with the others, or not."""
    from interfaces import plots

    def broken(*_args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(plots, "save_all", broken)  # fails after orders.csv was written
    with pytest.raises(OSError, match="disk full"):
        _main(["run", "baseline", "--population", "1000", "--days", "5", "--seeds", "1",
               "--orders", "--out", str(tmp_path)], monkeypatch)
    assert list(tmp_path.iterdir()) == []
