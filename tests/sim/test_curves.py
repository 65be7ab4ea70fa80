"""``sim.curves``: response curves of a channel's spend and a promotion's depth on
common random numbers."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import scenarios
from sim.calendar import build_calendar
from sim.curves import ResponseCurve, response_curves
from sim.incrementality import Lever, scaled
from sim.plan import daily_budgets


def test_scaling_a_channel_keeps_the_others_spend() -> None:
    sc = scenarios.load("double11")
    cal = build_calendar(sc)
    plan = daily_budgets(sc, sc.strategy, cal)
    double = daily_budgets(sc, scaled(sc.strategy, Lever("channel", "search"), 2.0), cal)
    search = list(sc.channels).index("search")
    np.testing.assert_allclose(double[:, search], 2 * plan[:, search])
    others = [i for i in range(len(sc.channels)) if i != search]
    np.testing.assert_allclose(double[:, others], plan[:, others])
    deeper = scaled(sc.strategy, Lever("promotion", "main day sitewide"), 20.0)
    promo = next(p for p in deeper.promotions if p.name == "main day sitewide")
    assert promo.discount == 0.9  # capped: a discount stays a discount


@pytest.fixture(scope="module")
def search() -> ResponseCurve:
    sc = scenarios.load("double11").with_population(5000)
    return response_curves(sc, seeds=6, channels=["search"], jobs=2)[0]


def test_spend_buys_gmv_with_diminishing_returns(search: ResponseCurve) -> None:
    t = search.table()
    assert t["multiple"].tolist() == [0, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75, 2]
    assert t["spend"].iloc[0] == 0
    assert np.all(np.diff(t["gmv"]) > 0), t["gmv"].tolist()
    slope = search.marginal("gmv")["marginal"].to_numpy()
    assert slope[0] > 2 * slope[-1] > 0, slope  # the first yuan buys far more than the last
    s = search.summary()
    assert s["marginal_roas_low"] > 0
    assert 0 < s["profit_turning_spend"] < t["spend"].iloc[-1]


def test_paired_neighbours_are_at_least_three_times_tighter(search: ResponseCurve) -> None:
    """Common random numbers: the difference between neighbouring points, taken seed by
    seed, has a CI at least 3x narrower than treating the points as independent."""
    gmv = search.per_seed("gmv")
    n = len(gmv)
    t = stats.t.ppf(0.975, n - 1)
    for i in range(gmv.shape[1] - 1):
        a, b = gmv[i + 1], gmv[i]
        paired = 2 * t * (a - b).std(ddof=1) / np.sqrt(n)
        unpaired = 2 * t * np.sqrt(a.var(ddof=1) / n + b.var(ddof=1) / n)
        assert unpaired > 3 * paired, (i, paired, unpaired)


def test_a_deeper_discount_costs_more_discount() -> None:
    sc = scenarios.load("double11").with_population(3000)
    curve = response_curves(sc, seeds=2, promotions=["main day sitewide"],
                            multiples=[0.0, 1.0, 2.0])[0]
    cost = [r.totals()["discount_cost"].mean() for r in curve.results]
    assert curve.values == [0.0, 0.1, 0.2]
    assert cost[0] < cost[1] < cost[2]
    assert np.isnan(curve.summary()["marginal_roas"])  # a depth has no ROAS


def test_bad_levers_are_refused() -> None:
    sc = scenarios.load("double11").with_population(2000)
    with pytest.raises(ValueError, match="no promotion with a depth named nope"):
        response_curves(sc, seeds=1, promotions=["nope"])
    with pytest.raises(ValueError, match="multiples must be 0 or more"):
        response_curves(sc, seeds=1, channels=["search"], multiples=[-1.0, 1.0])


@pytest.mark.slow
def test_the_readme_figures() -> None:
    """README, "Response curves": the command's two channel lines."""
    sc = scenarios.load("double11").with_population(20000)
    found = response_curves(sc, seeds=8, channels=["search", "kol"], jobs=2)
    s, k = found[0].summary(), found[1].summary()
    assert (round(s["marginal_roas"], 2), round(s["marginal_roas_low"], 2),
            round(s["marginal_roas_high"], 2), round(s["current"] / 1e6, 2),
            round(s["profit_turning_spend"] / 1e6, 2)) == (2.01, 1.57, 2.45, 2.52, 1.48)
    assert (round(k["marginal_roas"], 2), round(k["current"] / 1e6, 2),
            k["profit_turning_spend"]) == (0.53, 1.98, 0.0)
