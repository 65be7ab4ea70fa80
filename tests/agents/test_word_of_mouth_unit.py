"""Word of mouth alone: the hazard over each graph, the referral boost and who refers a
friend, on a hand-made population (no market model)."""

from __future__ import annotations

from typing import Any

import mesa
import numpy as np
import pytest
from conftest import population, tiny_scenario

from agents.population import ShopperPopulation
from agents.word_of_mouth import Referral, WordOfMouth, WordOfMouthConfig

BUZZ = 0.05


def _pop(n: int = 40, customers: tuple[int, ...] = (), churned: tuple[int, ...] = ()
         ) -> ShopperPopulation:
    """Alive customers ``customers``, churned customers ``churned``, the rest prospects."""
    pop = population(tiny_scenario(n), customer=False, alive=False)
    pop.customer[list(customers + churned)] = True
    pop.alive[list(customers)] = True
    return pop


def _wom(pop: ShopperPopulation, referral: Referral | None = None, **config: Any
         ) -> WordOfMouth:
    cfg = WordOfMouthConfig.model_validate({"buzz": BUZZ, **config})
    return WordOfMouth(mesa.Model(), cfg, pop, referral)


def _contacts(wom: WordOfMouth, i: int) -> np.ndarray:
    assert wom.owner is not None and wom.contact is not None
    return wom.contact[wom.owner == i]


# ------------------------------------------------------------------------- full mixing
def test_mixed_hazard_is_buzz_times_the_share_of_shoppers_who_are_alive_customers() -> None:
    pop = _pop(customers=tuple(range(8)), churned=(8, 9))
    wom = _wom(pop, graph="mixed")
    assert wom.owner is None  # no graph is drawn
    h = wom.hazard(pop)
    np.testing.assert_allclose(h[10:], BUZZ * 8 / 40, rtol=1e-6)
    assert (h[:10] == 0.0).all()  # customers, alive or churned, adopt no more


def test_a_referral_programme_multiplies_buzz_by_one_plus_boost() -> None:
    pop = _pop(customers=tuple(range(8)), churned=(8, 9))
    h = _wom(pop, Referral(boost=0.5), graph="mixed").hazard(pop)
    np.testing.assert_allclose(h[10:], BUZZ * 1.5 * 8 / 40, rtol=1e-6)
    h0 = _wom(pop, Referral(boost=0.0), graph="mixed").hazard(pop)
    np.testing.assert_allclose(h0[10:], BUZZ * 8 / 40, rtol=1e-6)


def test_without_buzz_there_is_no_word_of_mouth() -> None:
    pop = _pop(customers=tuple(range(20)))
    assert _wom(pop, graph="mixed", buzz=0.0).hazard(pop) == 0.0
    assert _wom(pop, Referral(boost=2.0), graph="random", buzz=0.0).hazard(pop) == 0.0


def test_mixed_referrers_are_alive_customers_who_are_not_leaving() -> None:
    pop = _pop(customers=(0, 1, 2, 3), churned=(4,))
    wom = _wom(pop, graph="mixed")
    friends = np.arange(10, 40).repeat(10)  # 300 referred first orders
    got = wom.referrers(pop, friends, 3, leaving=np.array([3]))
    assert got.shape == friends.shape
    assert set(got.tolist()) == {0, 1, 2}  # all three are drawn, never 3 (leaving) or 4
    np.testing.assert_array_equal(wom.referrers(pop, friends, 3, np.array([3])), got)


# ------------------------------------------------------------------------------ graphs
def test_graph_hazard_on_a_hand_made_graph() -> None:
    pop = _pop(customers=(1, 2, 5), churned=(3,))
    wom = _wom(pop, graph="random", mean_degree=2)
    # replace the drawn graph: 0 knows 1, 2, 3; 4 knows 5; 6 knows nobody
    a, b = np.array([0, 0, 0, 4]), np.array([1, 2, 3, 5])
    wom.owner, wom.contact = np.r_[a, b], np.r_[b, a]
    wom.degree = np.bincount(wom.owner, minlength=pop.n).astype(np.float32)
    h = wom.hazard(pop)
    assert h[0] == pytest.approx(BUZZ * 2 / 3)  # 3 is churned: not a customer contact
    assert h[4] == pytest.approx(BUZZ * 1.0)
    assert h[6] == 0.0  # no contacts
    assert h[1] == h[3] == 0.0  # customers


@pytest.mark.parametrize("graph", ["random", "small_world"])
def test_graph_hazard_is_buzz_times_customer_contacts_over_degree(graph: str) -> None:
    pop = _pop(n=60, customers=tuple(range(0, 60, 4)), churned=(1, 5, 9))
    wom = _wom(pop, Referral(boost=1.0), graph=graph, mean_degree=6)
    h = wom.hazard(pop)
    adopted = pop.customer & pop.alive
    shares = []
    for i in [2, 3, 6, 7, 10, 31, 59]:
        c = _contacts(wom, i)
        shares.append(adopted[c].sum() / c.size if c.size else 0.0)
        assert h[i] == pytest.approx(2 * BUZZ * shares[-1], rel=1e-6), i
    assert len(set(shares)) > 1  # the shares differ: the hazard is not the market's
    assert (h[pop.customer] == 0.0).all()


@pytest.mark.parametrize("graph", ["random", "small_world"])
def test_every_link_is_listed_under_both_ends_and_nobody_knows_themselves(graph: str) -> None:
    pop = _pop(n=200)
    wom = _wom(pop, graph=graph, mean_degree=8)
    assert wom.owner is not None and wom.contact is not None and wom.degree is not None
    assert not (wom.owner == wom.contact).any()
    there = sorted(zip(wom.owner.tolist(), wom.contact.tolist(), strict=True))
    back = sorted(zip(wom.contact.tolist(), wom.owner.tolist(), strict=True))
    assert there == back
    np.testing.assert_array_equal(wom.degree, np.bincount(wom.owner, minlength=200))
    assert wom.degree.mean() == pytest.approx(8.0, rel=0.02)  # few self-links dropped


def test_an_unrewired_small_world_is_a_ring_of_the_nearest_neighbours() -> None:
    pop = _pop(n=30)
    wom = _wom(pop, graph="small_world", mean_degree=4, rewire=0.0)
    assert wom.degree is not None and (wom.degree == 4).all()
    for i in [0, 1, 15, 29]:
        assert sorted(_contacts(wom, i).tolist()) == sorted((i + d) % 30
                                                            for d in (-2, -1, 1, 2))


def test_graph_referrers_are_a_friends_alive_customer_contacts_or_minus_one() -> None:
    pop = _pop(n=40, customers=(11, 12, 19, 31, 33), churned=(9,))
    wom = _wom(pop, graph="small_world", mean_degree=4, rewire=0.0)
    # ring contacts: 10 -> 8, 9, 11, 12; 20 -> 18, 19, 21, 22; 25 -> 23, 24, 26, 27;
    # 30 -> 28, 29, 31, 32; 32 -> 30, 31, 33, 34
    friends = np.array([10, 20, 25, 30, 32])
    picks = np.array([wom.referrers(pop, friends, day) for day in range(40)])
    assert set(picks[:, 0].tolist()) == {11, 12}  # 9 is churned
    assert (picks[:, 1] == 19).all()
    assert (picks[:, 2] == -1).all()  # no customer among 25's contacts
    assert (picks[:, 3] == 31).all()
    assert set(picks[:, 4].tolist()) == {31, 33}
    # customers leaving today refer nobody; 30 had only 31
    left = wom.referrers(pop, friends, 0, leaving=np.array([31, 19]))
    assert left[1] == -1 and left[3] == -1 and left[4] == 33
    assert left[0] in (11, 12) and left[2] == -1


def test_a_friend_never_refers_another_friend_or_themselves() -> None:
    # 5 and 6 are referred today while (already booked as) customers, as 7 is
    pop = _pop(n=40, customers=(5, 6, 7))
    ring = _wom(pop, graph="small_world", mean_degree=4, rewire=0.0)
    friends = np.array([5, 6])
    picks = np.array([ring.referrers(pop, friends, day) for day in range(30)])
    # 5 knows 3, 4, 6, 7 and 6 knows 4, 5, 7, 8: of their customer contacts only 7 is
    # not a friend
    assert (picks == 7).all()
    mixed = _wom(pop, graph="mixed")
    picks = np.array([mixed.referrers(pop, friends, day) for day in range(30)])
    assert (picks == 7).all()


def test_mixed_referrers_are_minus_one_when_every_customer_is_leaving() -> None:
    pop = _pop(customers=(0, 1))
    got = _wom(pop, graph="mixed").referrers(pop, np.array([10, 11, 12]), 5,
                                             leaving=np.array([0, 1]))
    np.testing.assert_array_equal(got, [-1, -1, -1])  # as on a graph: nobody to credit
