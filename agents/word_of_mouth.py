"""Word of mouth: customers bring their contacts, over a social graph (a Mesa agent).

A non-customer's daily hazard of a first order gains ``buzz x c_i``, where ``c_i`` is the
share of their contacts who are customers (alive). The graph is stored as flat arrays
(each link under both ends: ``owner``, ``contact``), so the shares of all shoppers are
one weighted ``bincount``:

* ``mixed``: everyone is everyone's contact, ``c_i = F`` (the share of all shoppers who
  are customers): with a constant outside hazard p this is the Bass model,
  ``dF/dt = (p + q F)(1 - F)``, with ``q = buzz`` (per day);
* ``random``: each shopper names ``mean_degree`` contacts at random (links both ways);
* ``small_world``: a ring where each shopper knows the ``mean_degree`` nearest, with a
  share ``rewire`` of links moved to random shoppers (Watts-Strogatz).

Mapping to Bass's p and q (per day; divide a per-period p, q by the days in the period):
q is ``buzz``; p is the outside hazard of a non-customer's first order, which in the
engine is ``aware_purchase_factor x lambda x demand`` for an aware shopper plus what the
channels bring. A market where every shopper is aware, lambda is the same for all (a
Gamma with a very large shape) and no channel runs has a constant p: that is how the
Bass test is set up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import mesa
import numpy as np
from pydantic import Field

from agents._config import Config, NonNegative, Share
from agents.streams import GRAPH, REFERRER

if TYPE_CHECKING:
    from agents.population import ShopperPopulation

__all__ = ["Referral", "WordOfMouth", "WordOfMouthConfig"]


class WordOfMouthConfig(Config):
    """Word of mouth among shoppers: a non-customer adopts (places a first order) at a
    daily hazard ``buzz`` x the share of their contacts who are customers (alive).

    ``graph``: ``mixed`` (everyone is everyone's contact: the share is the market's),
    ``random`` (``mean_degree`` random contacts each) or ``small_world`` (a ring of
    ``mean_degree`` neighbours with a share ``rewire`` of links moved at random).
    """

    graph: Literal["mixed", "random", "small_world"] = "mixed"
    mean_degree: int = Field(default=10, ge=2, le=200)
    rewire: Share = 0.1
    buzz: NonNegative = 0.0

class Referral(Config):
    """A referral programme ("invite a friend, both get a reward").

    Word of mouth (the scenario's ``word_of_mouth``) is ``1 + boost`` times as strong
    while it runs. A first order that word of mouth brought is a referral: one of the
    friend's contacts who is a customer referred them. The friend gets ``reward_friend``
    off that order (at most its value: discount cost), the referrer a credit of
    ``reward_referrer`` (loyalty cost).
    """

    reward_referrer: NonNegative = 20.0
    reward_friend: NonNegative = 20.0
    boost: NonNegative = 0.5


class WordOfMouth(mesa.Agent):
    """The social graph and the word-of-mouth hazard it gives non-customers.

    Args:
        model: the market model.
        config: the validated settings.
        pop: the shoppers (the graph is drawn from their ``graph`` stream).
    """

    def __init__(self, model: mesa.Model, config: WordOfMouthConfig,
                 pop: ShopperPopulation, referral: Referral | None = None) -> None:
        super().__init__(model)
        self.config = config
        self.referral = referral
        self._buzz = config.buzz * (1.0 + (referral.boost if referral else 0.0))
        self.owner: np.ndarray | None = None
        self.contact: np.ndarray | None = None
        self.degree: np.ndarray | None = None
        if config.graph != "mixed":
            self.owner, self.contact = _graph(config, pop.n, pop.streams.generator(GRAPH))
            self.degree = np.bincount(self.owner, minlength=pop.n).astype(np.float32)

    def hazard(self, pop: ShopperPopulation) -> np.ndarray | float:
        """Daily first-order hazard from word of mouth, per shopper (0 for customers)."""
        if self._buzz <= 0:
            return 0.0
        adopted = pop.customer & pop.alive
        if self.owner is None:
            share: np.ndarray | float = float(adopted.mean())
        else:
            assert self.contact is not None and self.degree is not None
            counts = np.bincount(self.owner, weights=adopted[self.contact],
                                 minlength=pop.n).astype(np.float32)
            share = np.divide(counts, self.degree, out=np.zeros_like(counts),
                              where=self.degree > 0)
        return np.where(pop.customer, np.float32(0.0),
                        np.float32(self._buzz) * share).astype(np.float32)

    def referrers(self, pop: ShopperPopulation, friends: np.ndarray, day: int,
                  leaving: np.ndarray | None = None) -> np.ndarray:
        """For each referred friend, the contact who referred them: one of their contacts
        who is a customer, at random (never the friend themselves); customers
        ``leaving`` today (after a stock-out) refer nobody."""
        adopted = pop.customer & pop.alive
        if leaving is not None:
            adopted[leaving] = False
        adopted[friends] = False  # a friend does not refer themselves (or another friend)
        g = pop.streams.generator(REFERRER, day)
        if self.owner is None:  # full mixing: any customer
            pool = np.flatnonzero(adopted)
            if pool.size == 0:  # nobody left who could have referred them
                return np.full(friends.size, -1, dtype=np.int64)
            return pool[g.integers(0, pool.size, size=friends.size)]
        assert self.contact is not None
        pos = np.full(pop.n, -1, dtype=np.int64)
        pos[friends] = np.arange(friends.size)
        link = (pos[self.owner] >= 0) & adopted[self.contact]
        who, contact = pos[self.owner[link]], self.contact[link]
        order = np.lexsort((g.random(who.size), who))  # a random contact first per friend
        who, contact = who[order], contact[order]
        first = np.r_[True, who[1:] != who[:-1]] if who.size else np.zeros(0, dtype=bool)
        out = np.full(friends.size, -1, dtype=np.int64)
        out[who[first]] = contact[first]
        return out


def _graph(config: WordOfMouthConfig, n: int, g: np.random.Generator
           ) -> tuple[np.ndarray, np.ndarray]:
    """Undirected contacts: (owner, contact) pairs, each link listed under both ends."""
    k = config.mean_degree
    if config.graph == "random":
        # n * k / 2 links between random pairs: mean degree k, Poisson-like spread
        m = n * k // 2
        a, b = g.integers(0, n, size=m), g.integers(0, n, size=m)
    else:  # small world: ring lattice of k nearest (k/2 each side), some links rewired
        half = max(k // 2, 1)
        a = np.repeat(np.arange(n), half)
        b = (a + np.tile(np.arange(1, half + 1), n)) % n
        moved = g.random(a.size) < config.rewire
        b = np.where(moved, g.integers(0, n, size=a.size), b)
    keep = a != b  # nobody is their own contact
    owner = np.concatenate([a[keep], b[keep]]).astype(np.int32)
    contact = np.concatenate([b[keep], a[keep]]).astype(np.int32)
    return owner, contact
