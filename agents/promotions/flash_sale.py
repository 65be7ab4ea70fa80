"""``flash_sale``: a discount for a few hours a day, until the day's units are sold."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, ClassVar, Literal

import numpy as np
from pydantic import Field

from agents._config import Count
from agents.promotions._families import DiscountOff
from agents.promotions.registry import register
from agents.streams import FLASH, FLASH_GONE, FLASH_ORDER

if TYPE_CHECKING:
    import mesa

    from agents.population import ShopperPopulation
    from agents.promotions._orders import Basket, Offer, Running

__all__ = ["FlashSale"]


@register
class FlashSale(DiscountOff):
    """``discount`` for ``hours`` of each day it runs (a shopper is around then with
    probability hours / 24), until that day's ``units`` (real orders, one unit each)
    are sold. A shopper who finds them gone buys at the ordinary price only if they
    would have bought without the flash price."""

    kind: Literal["flash_sale"] = "flash_sale"
    units: Count | None = None
    hours: Annotated[float, Field(gt=0.0, le=24.0)] | None = None
    needs = ("discount", "units")
    defaults: ClassVar[dict[str, float]] = {"hours": 2.0}
    colour = "#e74c3c"

    def setup(self, agent: Running, model: mesa.Model, scale: float) -> None:
        agent.unit_limit = (self.units or 0) / scale

    def opens(self, agent: Running, day: int) -> bool:
        if agent.refilled != day:  # each day of the sale has its units
            agent.units_left, agent.refilled = agent.unit_limit, day
        return agent.units_left >= 1

    def narrow(self, agent: Running, day: int, pop: ShopperPopulation,
               eligible: np.ndarray | None) -> np.ndarray | None:
        around = pop.streams.uniform(FLASH.of(self.name), day, pop.n) < \
            self.get("hours") / 24  # around during the sale's hours
        return around if eligible is None else eligible & around

    def cap(self, offer: Offer, j: int, b: Basket) -> None:
        """No more orders at the flash price than the units left."""
        agent, pop, buyers = offer.agent, b.pop, b.buyers
        users = np.flatnonzero((b.credit[:, j] > 0) & b.keep)
        if users.size <= agent.units_left:
            return
        u = pop.streams.uniform(FLASH_ORDER.of(self.name), b.day, pop.n)
        late = users[np.argsort(u[buyers[users]], kind="stable")][int(agent.units_left):]
        b.savings[late, j] = 0.0
        # a shopper who came for the flash price buys anyway only with probability
        # 1 / lift (as if no other offer ran)
        lift = (1.0 - self.get("discount")) ** -pop.price_sensitivity[buyers[late]]
        gone = pop.streams.uniform(FLASH_GONE.of(self.name), b.day,
                                   pop.n)[buyers[late]] >= 1.0 / lift
        b.keep[late[gone]] = False
        b.credit = b.combine(b.savings, b.list_value)

    def sold(self, offer: Offer, j: int, b: Basket) -> None:
        sold = int(np.count_nonzero((b.credit[:, j] > 0) & b.keep))
        offer.agent.units_left -= sold
        b.tally["flash_units"] += sold
