"""``sim.incrementality``: each lever against the plan without it on the same seeds,
beside what last touch credits it with."""

from __future__ import annotations

import numpy as np
import pytest

import scenarios
import sim
from sim.calendar import build_calendar
from sim.incrementality import Incrementality, Lever, incrementality, without
from sim.plan import daily_budgets
from sim.schema import Scenario


def test_removing_a_channel_leaves_every_other_channels_spend_as_planned() -> None:
    sc = scenarios.load("double11")
    cal = build_calendar(sc)
    plan = daily_budgets(sc, sc.strategy, cal)
    gone = without(sc.strategy, Lever("channel", "kol"))
    after = daily_budgets(sc, gone, cal)
    kol = list(sc.channels).index("kol")
    assert after[:, kol].sum() == 0
    others = [i for i in range(len(sc.channels)) if i != kol]
    np.testing.assert_allclose(after[:, others], plan[:, others])
    assert without(sc.strategy, "channels").budget == 0
    names = [p.name for p in without(sc.strategy, Lever("promotion", "50 off 300")).promotions]
    assert "50 off 300" not in names and len(names) == len(sc.strategy.promotions) - 1


@pytest.fixture(scope="module")
def d11() -> Incrementality:
    sc = scenarios.load("double11").with_population(5000)
    return incrementality(sc, seeds=4, channels=["search", "crm"], jobs=2)


def test_increments_are_the_paired_differences_of_the_same_seeds(d11: Incrementality) -> None:
    sc, plan = d11.scenario, d11.plan
    cmp = sim.compare(sc, {"plan": plan, "no crm": without(plan, Lever("channel", "crm"))},
                      seeds=4)
    row = d11.table().set_index("lever").loc["crm"]
    assert row["incremental_gmv"] == pytest.approx(cmp.paired("plan", "no crm", "gmv")["mean"])
    inter = d11.interactions()
    np.testing.assert_allclose(inter["interaction"], inter["whole"] - inter["sum_of_parts"],
                               rtol=1e-9, atol=1e-6)
    assert set(inter["kind"]) == {"channel", "promotion"}


def test_crm_gets_far_more_credit_than_it_adds(d11: Incrementality) -> None:
    """E-mail and SMS reach customers who buy anyway: last touch credits crm with
    several times the GMV it really adds; search earns most of its credit."""
    t = d11.table().set_index("lever")
    crm, search = t.loc["crm"], t.loc["search"]
    assert crm["attributed_gmv"] > 4 * crm["incremental_gmv"], crm.to_dict()
    assert crm["gmv_ratio"] < 0.3
    assert 0.6 < search["gmv_ratio"] < 1.1, search.to_dict()
    assert search["gmv_low"] > 0  # search's lift is told from noise
    assert search["incremental_roas"] < search["attributed_roas"]


def _two_audiences() -> Scenario:
    """Baseline's feed channel twice: once aimed at customers, once at prospects."""
    sc = scenarios.load("baseline").with_population(4000).with_first_days(120)
    feed = sc.channels["social"].model_dump()
    data = sc.model_dump(mode="python", exclude_none=True)
    data["channels"] = {"retarget": {**feed, "audience": "customers"},
                        "prospecting": {**feed, "audience": "prospects"}}
    for seg in data["population"]["segments"].values():
        seg["channel_affinity"] = {}
    data["strategy"] = {"budget": 4_000_000, "shares": {"retarget": 0.5, "prospecting": 0.5}}
    return type(sc).model_validate(data)


@pytest.mark.slow
def test_a_channel_reaching_prospects_adds_more_than_last_touch_credits() -> None:
    """Prospecting wins new customers who go on buying on their own (credited organic):
    its true GMV is well above its last-touch credit and it is the one that brings new
    customers; retargeting customers brings none."""
    t = incrementality(_two_audiences(), seeds=6, jobs=2).table().set_index("lever")
    pro, ret = t.loc["prospecting"], t.loc["retarget"]
    assert pro["gmv_ratio"] > 1.8, pro.to_dict()
    assert pro["incremental_new_customers"] > 1.3 * pro["attributed_new_customers"]
    assert pro["new_customers_low"] > 0
    assert ret["attributed_new_customers"] == 0
    assert abs(ret["incremental_new_customers"]) < 0.05 * pro["incremental_new_customers"]
    assert pro["gmv_ratio"] > 1.5 * ret["gmv_ratio"]


def test_unknown_channel_is_refused_naming_the_spending_ones() -> None:
    sc = scenarios.load("double11").with_population(2000)
    with pytest.raises(ValueError, match="spends nothing on tiktok; it spends on search"):
        incrementality(sc, seeds=1, channels=["tiktok"])


@pytest.mark.slow
def test_the_readme_figures() -> None:
    """README, "What each channel really adds": the first command's figures."""
    sc = scenarios.load("double11").with_population(20000)
    inc = incrementality(sc, seeds=8, jobs=2)
    t = inc.table().set_index("lever")
    crm, search = t.loc["crm"], t.loc["search"]
    assert (round(crm["attributed_gmv"] / 1e6, 1), round(crm["incremental_gmv"] / 1e6, 2),
            round(crm["gmv_ratio"], 2)) == (5.9, 0.42, 0.07)
    assert (round(search["gmv_ratio"], 2), round(search["incremental_gmv"] / 1e6, 1),
            round(search["attributed_gmv"] / 1e6, 1)) == (0.82, 9.4, 11.6)
    gmv = inc.interactions().set_index(["kind", "kpi"]).loc[("channel", "gmv")]
    assert (round(gmv["whole"] / 1e6, 1), round(gmv["sum_of_parts"] / 1e6, 1)) == (29.6, 18.8)
