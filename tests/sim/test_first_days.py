"""``--days N`` (``Scenario.with_first_days``) runs the first N days of the plan: each day
spends what the plan over the whole horizon gives it, so the run is the full run cut
after N days, to the cent."""

from __future__ import annotations

import io
import sys
from contextlib import redirect_stderr, redirect_stdout

import numpy as np
import pytest

import scenarios
import sim
from interfaces import cli
from sim.calendar import build_calendar
from sim.plan import daily_budgets


@pytest.mark.parametrize("name", ["baseline", "double11", "618", "launch"])
def test_first_days_are_the_full_run_cut(name: str) -> None:
    sc = scenarios.load(name).with_population(2000)
    full = sim.simulate(sc, seeds=2)
    first = sim.simulate(sc.with_first_days(20), seeds=2)
    cut = full.daily[full.daily["day"] < 20].reset_index(drop=True)
    assert first.daily.shape == cut.shape
    numbers = [c for c in cut.columns if cut[c].dtype.kind in "fiu"]
    np.testing.assert_array_equal(first.daily[numbers].to_numpy(), cut[numbers].to_numpy())


def test_a_short_run_spends_the_plans_daily_rate() -> None:
    """42 days of baseline's year-long plan spend about 42/365 of its budget (the phases
    and flights decide the exact days), not the whole budget."""
    sc = scenarios.load("baseline")
    short = sc.with_first_days(42)
    plan = daily_budgets(short, short.strategy, build_calendar(short))
    whole = daily_budgets(sc, sc.strategy, build_calendar(sc))
    assert plan.shape == (42, len(sc.channels))
    np.testing.assert_allclose(plan, whole[:42])
    assert whole.sum() == pytest.approx(sc.strategy.budget)
    assert plan.sum() == pytest.approx(sc.strategy.budget * 42 / 365, rel=0.25)


def test_days_beyond_the_horizon_are_refused() -> None:
    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as mp, redirect_stdout(out), redirect_stderr(err):
        mp.setattr(sys, "argv", ["growthsim", "run", "double11", "--days", "90"])
        with pytest.raises(SystemExit) as done:
            cli.main()
    assert done.value.code == 2
    assert err.getvalue() == ("error: command line: --days: must be at most the 61 days of "
                              "double11's horizon (got 90)\n")
