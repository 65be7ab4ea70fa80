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
    data.pop("levers")  # the optimiser's section: not part of a plain sim.Scenario
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


def _referral_market() -> Scenario:
    sc = scenarios.load("baseline").with_population(10_000).with_overrides({
        "horizon.days": 40, "word_of_mouth": {"graph": "random", "mean_degree": 8,
                                              "buzz": 0.004}})
    return sc.with_strategy(sc.strategy.model_copy(update={"referral": sim.schema.Referral(
        reward_referrer=25, reward_friend=15, boost=1.0)}))


def test_referral_rewards_paid_equal_rewards_earned_and_nobody_refers_themselves() -> None:
    sc = _referral_market()
    model = sim.MarketModel(sc, seed=2)
    pop = model.population
    n_pairs = 0
    while model.running:
        before = pop.customer.copy()
        model.step()
        out = model.last_outcome
        d = {k: model.ledger.daily[k][model.day - 1] for k in (
            "referrals", "referral_discount", "referral_credit")}
        pairs = out.referrals
        if d["referrals"] == 0:
            continue
        friends, referrer = pairs
        n_pairs += friends.size
        assert (friends != referrer).all()  # nobody refers themselves
        assert before[referrer].all() and not before[friends].any()
        # each referrer is one of the friend's contacts
        wom = model.word_of_mouth
        links = set(zip(wom.owner.tolist(), wom.contact.tolist(), strict=True))
        assert all((f, r) in links for f, r in zip(friends.tolist(), referrer.tolist(),
                                                   strict=True))
        scale = sc.population.scale
        assert d["referrals"] == pytest.approx(friends.size * scale)
        assert d["referral_credit"] == pytest.approx(friends.size * 25 * scale)
        # every referred first order got its 15 off (baskets are above 15 here)
        referred = np.isin(out.buyers, friends) & out.new
        saving = out.list_value[referred] - out.gmv[referred]
        assert (saving >= 15 - 1e-9).all()
        assert d["referral_discount"] == pytest.approx(15 * friends.size * scale)
    assert n_pairs > 20


def test_referral_costs_are_in_the_ledger_and_raise_new_customers() -> None:
    sc = _referral_market()
    plain = sc.strategy.model_copy(update={"referral": None})
    cmp = sim.compare(sc, {"plain": plain, "referral": None}, seeds=3)
    t = cmp.results["referral"].totals()
    assert (t["referrals"] > 0).all()
    np.testing.assert_allclose(t["loyalty_cost"], t["referral_credit"])
    assert cmp.paired("referral", "plain", "new_customers")["low"] > 0
    with pytest.raises(ValueError, match="add word_of_mouth"):
        scenarios.load("baseline").with_overrides(
            {"strategy.referral": {"reward_referrer": 10}})


def _group_market(size: int, join_rate: float) -> Scenario:
    sc = scenarios.load("baseline").with_population(10_000).with_overrides({
        "horizon.days": 14, "word_of_mouth": {"graph": "random", "mean_degree": 8}})
    deal = {"name": "3 together 40% off", "kind": "group_buy", "discount": 0.4,
            "group_size": size, "join_rate": join_rate, "uptake": 0.5,
            "start": "2026-01-03", "end": "2026-01-12"}
    return sc.with_overrides({"strategy.promotions": [deal]})


@pytest.mark.parametrize(("size", "join_rate"), [(3, 0.3), (5, 0.2), (2, 0.05)])
def test_group_deals_complete_only_with_k_participants(size: int, join_rate: float) -> None:
    sc = _group_market(size, join_rate)
    model = sim.MarketModel(sc, seed=3)
    agent = model.promotions[0]
    wom = model.word_of_mouth
    links = set(zip(wom.owner.tolist(), wom.contact.tolist(), strict=True))
    deals = failed = 0
    while model.running:
        model.step()
        out = model.last_outcome
        if not hasattr(agent, "last_groups") or not (2 <= model.day - 1 <= 11):
            continue
        starters, done, joiner, of = agent.last_groups
        agent.last_groups = (starters[:0], done[:0], joiner[:0], of[:0])
        counts = {s: int((of == s).sum()) for s in starters[done].tolist()}
        assert all(c == size - 1 for c in counts.values())  # exactly k participants
        assert not np.isin(of, starters[~done]).any()  # a failed group has no joiners
        assert all((s, j) in links for s, j in zip(of.tolist(), joiner.tolist(),
                                                   strict=True))
        assert (joiner != of).all()
        # starters of a completed deal save 40%, of a failed one pay list price; the
        # joiners' own orders come last in the day's orders, at the group price
        m = out.buyers.size - joiner.size
        regular, gmv, lv = out.buyers[:m], out.gmv[:m], out.list_value[:m]
        won = np.isin(regular, starters[done])
        lost = np.isin(regular, starters[~done])
        assert np.allclose(gmv[won], 0.6 * lv[won]) and np.allclose(gmv[lost], lv[lost])
        assert (out.buyers[m:] == joiner).all()
        assert np.allclose(out.gmv[m:], 0.6 * out.list_value[m:])
        deals += int(done.sum())
        failed += int((~done).sum())
    assert deals > 5 and failed > 5
    t = model.ledger.daily
    assert t["group_deals"].sum() == pytest.approx(deals * sc.population.scale)
    assert t["group_orders"].sum() == pytest.approx(deals * (size - 1) * sc.population.scale)


def test_group_buying_needs_contacts() -> None:
    deal = {"name": "g", "kind": "group_buy", "discount": 0.3, "group_size": 3,
            "start": "2026-01-03", "end": "2026-01-12"}
    with pytest.raises(ValueError, match="add word_of_mouth"):
        scenarios.load("baseline").with_overrides({"strategy.promotions": [deal]})
