"""``presale`` (定金膨胀): a deposit now that counts several times at final payment."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, ClassVar, Literal

import numpy as np
from pydantic import Field

from agents._config import Count, Positive, Share
from agents.promotions._families import AmountOff
from agents.promotions._orders import Completions
from agents.promotions.registry import register
from agents.streams import FORFEIT, PRESALE

if TYPE_CHECKING:
    import mesa

    from agents.population import ShopperPopulation
    from agents.promotions._orders import Basket, Offer, Running

__all__ = ["Presale"]


@register
class Presale(AmountOff):
    """Between ``start`` and ``end`` a buyer may pay a ``deposit`` instead of buying now
    (with probability ``uptake``); the deposit counts ``multiplier`` times at final
    payment on ``final_day``. A share ``forfeit_share`` of deposits is never completed:
    the shop keeps them. ``max_deposits`` (real deposits) sizes the presale to the stock
    it sells: deposits stop there."""

    kind: Literal["presale"] = "presale"
    deposit: Positive | None = None
    final_day: dt.date | None = None
    multiplier: Annotated[float, Field(ge=1.0, le=10.0)] | None = None
    forfeit_share: Share | None = None
    uptake: Share | None = None
    max_deposits: Count | None = None
    needs = ("deposit", "final_day")
    defaults: ClassVar[dict[str, float]] = {"multiplier": 2.0, "forfeit_share": 0.1, "uptake": 0.3}
    repeats = False
    takes_deposits = True
    colour = "#2980b9"

    def _check(self) -> None:
        if self.final_day is not None and self.final_day <= self.end:
            raise ValueError(f"final_day ({self.final_day}) must come after the deposit "
                             f"window ends ({self.end})")

    def due_date(self) -> dt.date | None:
        return self.final_day

    def terms(self) -> tuple[float, float]:
        m, deposit = self.get("multiplier"), self.get("deposit")
        return m * deposit, (m - 1) * deposit

    def promise(self, agent: Running, pop: ShopperPopulation) -> float | np.ndarray:
        share = super().promise(agent, pop)
        assert isinstance(share, np.ndarray)
        share *= np.float32(self.get("uptake"))  # only buyers who take it up save
        return share

    def setup(self, agent: Running, model: mesa.Model, scale: float) -> None:
        assert self.final_day is not None
        final = model.scenario.horizon.day_of(self.final_day)  # type: ignore[attr-defined]
        agent.final_day = final if 0 <= final < agent.days.size else None
        agent.deposit_room = np.inf if self.max_deposits is None else \
            self.max_deposits / scale

    def saving(self, takes: np.ndarray, list_value: np.ndarray, new: np.ndarray
               ) -> np.ndarray:
        return np.zeros(takes.size)  # its saving comes at completion, not today

    def reserve(self, offer: Offer, j: int, b: Basket) -> None:
        """Qualifying buyers pay a deposit instead of ordering."""
        agent = offer.agent
        u = b.pop.streams.uniform(PRESALE.of(self.name), b.day, b.pop.n)[b.buyers]
        threshold, _ = self.terms()
        dep = (b.takes[j] & ~b.deposit) & (b.list_value >= threshold) & (
            u < self.get("uptake"))
        taken = np.flatnonzero(dep)
        if taken.size > agent.deposit_room:  # sized to stock: the first ones get in
            late = taken[np.argsort(u[taken], kind="stable")][int(agent.deposit_room):]
            dep[late] = False
        agent.deposit_room -= int(dep.sum())
        if dep.any():
            agent.book.append((b.buyers[dep], b.channel[dep], b.category[dep],
                               b.list_value[dep]))
        b.deposit |= dep
        b.tally["deposits"] += float(dep.sum())
        b.tally["deposit_value"] += float(dep.sum()) * self.get("deposit")

    def complete(self, agent: Running, day: int, pop: ShopperPopulation
                 ) -> tuple[Completions, float, int]:
        """Final day: deposits become orders (saving ``(multiplier - 1) x deposit``
        each) or are forfeited."""
        if day != agent.final_day or not agent.book:
            return super().complete(agent, day, pop)
        shoppers, channel, category, list_value = (
            np.concatenate(a) for a in zip(*agent.book, strict=True))
        agent.book = []
        u = pop.streams.generator(FORFEIT.of(self.name), day).random(shoppers.size)
        done = u >= self.get("forfeit_share")
        deposit, m = self.get("deposit"), self.get("multiplier")
        lv = list_value[done]
        gmv = lv - (m - 1) * deposit
        lost = int((~done).sum())
        return (Completions(np.full(lv.size, agent.index), shoppers[done], channel[done],
                            category[done], lv, gmv), lost * deposit, lost)
