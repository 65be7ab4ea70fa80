"""Customer reports: cohorts, acquisition sources, CAC with referral rewards, value per
customer; each adds up to the ledger."""

from __future__ import annotations

import numpy as np
import pytest

import scenarios
import sim


@pytest.fixture(scope="module")
def launch() -> sim.Results:
    return sim.simulate(scenarios.load("launch").with_population(5000).with_overrides(
        {"horizon.days": 75}), seeds=2)


def test_cohorts_and_sources_count_every_customer(launch) -> None:
    d = launch.daily.set_index(["seed", "day"])
    for frame in (launch.by_cohort, launch.by_source):
        g = frame.groupby(["seed", "day"])[["acquired", "alive"]].sum()
        np.testing.assert_allclose(g["alive"], d["customers"], rtol=1e-9)
        np.testing.assert_allclose(g["acquired"], d["customers"] + d["churned"], rtol=1e-9)
        assert (frame["alive"] <= frame["acquired"] + 1e-9).all()
    # a month's cohort starts in its month and only grows until the month ends
    march = launch.by_cohort.query("cohort == '2026-03' and seed == 0")
    assert (np.diff(march["acquired"].to_numpy()) >= 0).all()
    assert (launch.by_cohort.query("cohort == '2026-04' and day < 31")["acquired"] == 0).all()


def test_new_customers_by_source_match_the_ledger(launch) -> None:
    acq = launch.acquisition_summary()
    t = launch.totals().mean()
    assert acq["new_customers"].sum() == pytest.approx(t["new_customers"], rel=1e-9)
    assert acq.loc["referral", "new_customers"] == pytest.approx(t["referrals"], rel=1e-9)
    rewards = t["referral_discount"] + t["referral_credit"]
    assert acq.loc["referral", "cac"] == pytest.approx(rewards / t["referrals"])
    search = launch.channel_summary().loc["search"]
    assert acq.loc["search", "cost"] == pytest.approx(search["spend"])


def test_retention_falls_from_one_and_value_per_customer_is_positive(launch) -> None:
    r = launch.retention("cohort")
    assert 0.95 < r["before"].iloc[0] <= 1.0 and r["before"].iloc[-1] < r["before"].iloc[0]
    # the customers from before the horizon only leave: their retention never rises
    assert (np.diff(r["before"].to_numpy()) <= 1e-12).all()
    clv = launch.clv_by_segment()
    assert (clv["value_per_customer"] > 0).all()
    assert clv.loc["premium", "value_per_customer"] > clv.loc["young_urban",
                                                               "value_per_customer"]
