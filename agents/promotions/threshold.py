"""``threshold`` (满减): an amount off orders that reach a threshold; baskets just below it
top up to reach it."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal

from agents._config import NonNegative, Positive, Share
from agents.promotions._families import AmountOff
from agents.promotions.registry import register
from agents.streams import TOPUP

if TYPE_CHECKING:
    from agents.promotions._orders import Basket, Offer

__all__ = ["Threshold"]


@register
class Threshold(AmountOff):
    """``reduction`` off any order whose list value reaches ``threshold``; a shopper
    whose basket falls within ``top_up_range`` (a share of the threshold) below it tops
    up to reach it with probability ``top_up_share``."""

    kind: Literal["threshold"] = "threshold"
    reduction: Positive | None = None
    threshold: NonNegative | None = None
    top_up_range: Share | None = None
    top_up_share: Share | None = None
    needs = ("threshold", "reduction")
    defaults: ClassVar[dict[str, float]] = {"top_up_range": 0.2, "top_up_share": 0.5}
    depth_field = "reduction"
    colour = "#d35400"

    def _check(self) -> None:
        if self.get("reduction") >= self.get("threshold"):
            raise ValueError(f"reduction ({self.reduction:g}) must be below threshold "
                             f"({self.threshold:g})")

    def terms(self) -> tuple[float, float]:
        return self.get("threshold"), self.get("reduction")

    def top_up_terms(self) -> tuple[float, float]:
        return self.get("top_up_range"), self.get("top_up_share")

    def top_up_rank(self) -> float | None:
        # the richest offer first, so a basket tops up to the best one it can reach
        return -self.get("reduction") / self.get("threshold")

    def top_up(self, offer: Offer, j: int, b: Basket) -> None:
        threshold = self.get("threshold")
        u = b.pop.streams.uniform(TOPUP.of(self.name), b.day, b.pop.n)[b.buyers]
        near = (b.takes[j] & ~b.deposit) & (
            b.list_value >= threshold * (1 - self.get("top_up_range"))) & (
            b.list_value < threshold)
        b.list_value[near & (u < self.get("top_up_share"))] = threshold
