"""``group_buy`` (拼团): a discount for a group of contacts who buy together."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, ClassVar, Literal

import numpy as np
from pydantic import Field

from agents._config import Share
from agents.promotions._families import DiscountOff
from agents.promotions._orders import Completions, merge
from agents.promotions.registry import register
from agents.streams import GROUP, GROUP_BASKET, GROUP_JOIN

if TYPE_CHECKING:
    from agents.population import ShopperPopulation
    from agents.promotions._orders import Basket, Offer, Running

__all__ = ["GroupBuy"]


@register
class GroupBuy(DiscountOff):
    """A buyer starts a group with probability ``uptake`` and invites their contacts
    (the scenario's ``word_of_mouth`` graph); each joins with probability
    ``join_rate``. With ``group_size`` participants (the starter and ``group_size - 1``
    contacts) the deal completes and all of them pay ``discount`` less, the contacts
    placing orders of their own; otherwise the starter pays the ordinary price."""

    kind: Literal["group_buy"] = "group_buy"
    uptake: Share | None = None
    group_size: Annotated[int, Field(ge=2, le=50)] | None = None
    join_rate: Share | None = None
    needs = ("discount", "group_size")
    may = ("join_rate", "uptake")
    defaults: ClassVar[dict[str, float]] = {"join_rate": 0.3, "uptake": 0.3}
    recruits_contacts = True
    colour = "#34495e"

    def promise(self, agent: Running, pop: ShopperPopulation) -> float | np.ndarray:
        """Discount x uptake x the chance that at least ``group_size - 1`` of a
        shopper's contacts join."""
        from scipy.stats import binom

        wom = agent.model.word_of_mouth  # type: ignore[attr-defined]
        degree = np.full(pop.n, wom.config.mean_degree) if wom.degree is None \
            else wom.degree.astype(np.int64)
        complete = binom.sf((self.group_size or 2) - 2, degree, self.get("join_rate"))
        return (self.get("discount") * self.get("uptake") * complete).astype(np.float32)

    def form(self, offer: Offer, j: int, b: Basket) -> None:
        """Only starters of a completed deal save; the joiners' orders are added."""
        agent = offer.agent
        complete, joined = self.form_groups(agent, b.day, b.pop, b.buyers,
                                            b.takes[j] & ~b.deposit, b.category)
        b.takes[j] = complete
        b.extra = merge(b.extra, joined)
        done = agent.last_groups[1]
        b.tally["group_deals"] = b.tally.get("group_deals", 0.0) + float(done.sum())
        b.tally["group_failed"] = b.tally.get("group_failed", 0.0) + float((~done).sum())
        b.tally["group_orders"] = b.tally.get("group_orders", 0.0) + float(
            joined.shoppers.size)
        b.per_promo[agent.index, 0] += joined.shoppers.size
        b.per_promo[agent.index, 1] += float((joined.list_value - joined.gmv).sum())

    def _joins(self, agent: Running, day: int, pop: ShopperPopulation,
               starters: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Each starter's contacts who join, in random order per group: (group, contact,
        rank within the group)."""
        g = pop.streams.generator(GROUP_JOIN.of(self.name), day)
        wom = agent.model.word_of_mouth  # type: ignore[attr-defined]
        if wom.owner is None:  # full mixing: mean_degree contacts drawn at random
            deg = wom.config.mean_degree
            who = np.repeat(np.arange(starters.size), deg)
            contact = g.integers(0, pop.n, size=who.size)
        else:
            pos = np.full(pop.n, -1, dtype=np.int64)
            pos[starters] = np.arange(starters.size)
            link = pos[wom.owner] >= 0
            who, contact = pos[wom.owner[link]], wom.contact[link].astype(np.int64)
        joins = (g.random(who.size) < self.get("join_rate")) & (contact != starters[who])
        who, contact = who[joins], contact[joins]
        order = np.lexsort((g.random(who.size), who))  # joiners in random order per group
        who, contact = who[order], contact[order]
        rank = np.arange(who.size) - np.searchsorted(who, who)  # 0, 1, ... within a group
        return who, contact, rank

    def form_groups(self, agent: Running, day: int, pop: ShopperPopulation,
                    buyers: np.ndarray, takes: np.ndarray, category: np.ndarray
                    ) -> tuple[np.ndarray, Completions]:
        """Qualifying buyers start a group with probability ``uptake``; a group with
        ``group_size`` participants completes.

        Returns:
            which orders are starters of a completed deal, and the joiners' orders.
        """
        from scipy.special import ndtri

        k = self.group_size or 2
        u = pop.streams.uniform(GROUP.of(self.name), day, pop.n)[buyers]
        start = np.flatnonzero(takes & (u < self.get("uptake")))
        starters = buyers[start]
        who, contact, rank = self._joins(agent, day, pop, starters)
        done = np.bincount(who, minlength=starters.size) >= k - 1
        member = done[who] & (rank < k - 1)
        joiner, of = contact[member], who[member]
        agent.last_groups = (starters, done, joiner, starters[of])
        complete = np.zeros(buyers.size, dtype=bool)
        complete[start[done]] = True
        # the joiners' own orders: the starter's category, their own basket, group price
        ub = np.clip(pop.streams.uniform(GROUP_BASKET.of(self.name), day, pop.n)[joiner],
                     1e-7, 1 - 1e-7)
        sigma = pop.basket_sigma[joiner]
        list_value = (pop.basket_mean[joiner] * np.exp(sigma * ndtri(ub) - 0.5 * sigma**2)
                      ).astype(np.float64)
        gmv = list_value * (1.0 - self.get("discount"))
        extra = Completions(np.full(joiner.size, agent.index), joiner,
                            np.full(joiner.size, len(pop.channels)), category[start][of],
                            list_value, gmv)
        return complete, extra
