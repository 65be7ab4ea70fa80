"""Word of mouth: under full mixing, adoption follows the Bass curve; graphs are sound."""

from __future__ import annotations

import numpy as np
import pytest

import scenarios
import sim
from sim.schema import Scenario

DAYS_PER_UNIT = 20  # one Bass time unit is 20 simulated days: a small enough step


def _bass_market(p: float, q: float, units: float, n: int = 20_000, graph: str = "mixed"
                 ) -> Scenario:
    """Everyone aware, the same outside hazard p for all, no marketing, no churn, no
    seasonality: adoption (a first order) at p + q x (share of contacts adopted)."""
    data = scenarios.load("baseline").model_dump()
    p_day, q_day = p / DAYS_PER_UNIT, q / DAYS_PER_UNIT
    seg = data["population"]["segments"]["family"]
    seg |= {"share": 1.0, "purchase": {"r": 1e5, "alpha": 1e5 / p_day},  # lambda = p
            "dropout": {"a": 1e-3, "b": 1e3}}
    data["population"] |= {
        "size": n, "scale": 1.0, "initial_customer_share": 0.0, "initial_aware_share": 1.0,
        "forget_rate": 0.0, "discovery_rate": 0.0, "aware_purchase_factor": 1.0,
        "segments": {"family": seg}}
    data["calendar"] = {}
    data["horizon"] = {"start": "2026-01-01", "days": int(units * DAYS_PER_UNIT)}
    data["strategy"] = {}
    data["levers"] = None
    data["word_of_mouth"] = {"graph": graph, "buzz": q_day, "mean_degree": 10}
    return Scenario.model_validate(data)


def _bass(t: np.ndarray, p: float, q: float) -> np.ndarray:
    e = np.exp(-(p + q) * t)
    return (1 - e) / (1 + q / p * e)


def _adopted(res: sim.Results, n: int) -> np.ndarray:
    """Share of shoppers who have adopted, per (day, seed)."""
    d = res.daily
    ever = (d["customers"] + d["churned"]) / n
    return ever.to_numpy().reshape(res.n_seeds, -1).T


@pytest.mark.slow
def test_full_mixing_follows_the_bass_curve_within_3_points() -> None:
    p, q, units = 0.03, 0.38, 15.0
    sc = _bass_market(p, q, units)
    res = sim.simulate(sc, seeds=20, jobs=2)
    mean = _adopted(res, 20_000).mean(axis=1)
    t = (np.arange(sc.horizon.n_days) + 1) / DAYS_PER_UNIT  # end of each day
    gap = np.abs(mean - _bass(t, p, q))
    assert gap.max() < 0.03, (gap.max(), t[gap.argmax()])
    assert mean[-1] > 0.95  # the whole curve, nearly everyone adopted by the end


def test_without_buzz_adoption_is_the_outside_hazard_alone() -> None:
    p, units = 0.03, 5.0
    sc = _bass_market(p, 0.0, units, n=10_000)
    mean = _adopted(sim.simulate(sc, seeds=4), 10_000).mean(axis=1)
    t = (np.arange(sc.horizon.n_days) + 1) / DAYS_PER_UNIT
    assert np.abs(mean - (1 - np.exp(-p * t))).max() < 0.01


@pytest.mark.parametrize("graph", ["random", "small_world"])
def test_graphs_have_the_mean_degree_and_no_self_links(graph: str) -> None:
    sc = _bass_market(0.03, 0.38, 1.0, n=5000, graph=graph)
    model = sim.MarketModel(sc, seed=1)
    wom = model.word_of_mouth
    assert wom is not None and wom.owner is not None and wom.contact is not None
    assert (wom.owner != wom.contact).all()
    assert wom.degree.mean() == pytest.approx(10, rel=0.05)
    # links go both ways
    fwd = set(zip(wom.owner.tolist(), wom.contact.tolist(), strict=True))
    assert all((b, a) in fwd for a, b in list(fwd)[:2000])


@pytest.mark.slow
def test_word_of_mouth_spreads_slower_on_a_sparse_clustered_graph() -> None:
    # the same p and q: full mixing spreads fastest; a small world (clustered) slower
    p, q, units = 0.01, 0.5, 6.0
    shares = {}
    for graph in ("mixed", "small_world"):
        sc = _bass_market(p, q, units, n=10_000, graph=graph)
        sc = sc.with_overrides({"word_of_mouth.rewire": 0.01})
        shares[graph] = _adopted(sim.simulate(sc, seeds=3), 10_000).mean(axis=1)[-1]
    assert shares["small_world"] < shares["mixed"] - 0.05, shares
