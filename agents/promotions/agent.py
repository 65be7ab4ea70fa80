"""``PromotionAgent``: one promotion of the plan as a Mesa agent.

On a day it runs it makes an ``Offer``: who may use it (targeting by segment, lifecycle
stage and loyalty tier, narrowed by its kind), on which categories, and the saving its
kind promises. The kind's own state over the run (a flash sale's units, a presale's
deposits) lives here, set up by the kind.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from agents._config import STAGES
from agents.promotions._orders import Completions, Offer

if TYPE_CHECKING:
    from agents.population import ShopperPopulation
    from agents.promotions._base import Promotion

__all__ = ["PromotionAgent"]


class PromotionAgent(mesa.Agent):
    """One promotion of the plan.

    Args:
        model: the market model.
        index: position in the plan's ``promotions``.
        promo: the validated promotion (an instance of its kind).
        days: bool per day, the days it runs (see ``sim.plan.promotion_days``).
        category_names: the scenario's categories.
        segment_names: the scenario's segments.
        scale: real shoppers per simulated shopper (flash-sale units are real).

    Its run state (deposits booked, flash-sale units left, the last groups, ...) is what
    ``agents.promotions._orders.Running`` describes: the attributes its kind's steps read
    and write.
    """

    last_groups: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]

    def __init__(self, model: mesa.Model, index: int, promo: Promotion, days: np.ndarray,
                 category_names: list[str], segment_names: list[str], scale: float) -> None:
        super().__init__(model)
        self.index = index
        self.promo = promo
        self.days = days
        self.categories = np.array([promo.categories == "all" or c in promo.categories
                                    for c in category_names], dtype=bool)
        self._segments = None if promo.segments == "all" else np.array(
            [segment_names.index(s) for s in promo.segments])
        stages = promo.default_stages if promo.stages == "all" else promo.stages
        self._stages = None if stages is None else np.array([STAGES.index(s) for s in stages])
        loyalty = model.strategy.loyalty  # type: ignore[attr-defined]
        self._tiers = None if promo.tiers == "all" or loyalty is None else np.array(
            [[t.name for t in loyalty.tiers].index(n) for n in promo.tiers])
        self.final_day: int | None = None
        self.book: list[tuple[np.ndarray, ...]] = []
        self.deposit_room = np.inf
        self.unit_limit = 0.0
        self.units_left = 0.0
        self.refilled = -1
        self._share: float | np.ndarray | None = None  # what it promises (constant)
        promo.setup(self, model, scale)

    # --------------------------------------------------------------- the offer
    def needs_stages(self) -> bool:
        return self._stages is not None

    def offer(self, day: int, pop: ShopperPopulation, stages: np.ndarray | None,
              tiers: np.ndarray | None = None) -> Offer | None:
        """Today's terms, or None when the promotion does not run or promises nothing.

        ``stages``: each shopper's lifecycle stage code; ``tiers``: their loyalty tier
        (members only count: pass the programme's tier array, non-customers excluded).
        """
        if not self.days[day] or day == self.final_day or not self.promo.opens(self, day):
            return None
        eligible = self._targets(pop, stages, tiers)
        if self._share is None:  # baskets and contacts do not change over a run
            self._share = self.promo.promise(self, pop)
        eligible = self.promo.narrow(self, day, pop, eligible)
        if np.max(self._share) <= 0:
            return None
        return Offer(self, self._share, eligible)

    def _targets(self, pop: ShopperPopulation, stages: np.ndarray | None,
                 tiers: np.ndarray | None = None) -> np.ndarray | None:
        mask = None
        if self._tiers is not None:
            assert tiers is not None
            mask = pop.customer & np.isin(tiers, self._tiers)
        if self._segments is not None:
            in_segment = np.isin(pop.segment, self._segments)
            mask = in_segment if mask is None else mask & in_segment
        if self._stages is not None:
            assert stages is not None
            in_stage = np.isin(stages, self._stages)
            mask = in_stage if mask is None else mask & in_stage
        return mask

    # ---------------------------------------------------------------- deposits
    def booked(self) -> tuple[np.ndarray, np.ndarray]:
        """The category and list value of each deposit not yet due."""
        if not self.book:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        return (np.concatenate([b[2] for b in self.book]).astype(np.int64),
                np.concatenate([b[3] for b in self.book]))

    def complete(self, day: int, pop: ShopperPopulation) -> tuple[Completions, float, int]:
        """Orders the promotion completes today (a presale's final day).

        Returns:
            the completed orders, the forfeited deposits (currency) and their number.
        """
        return self.promo.complete(self, day, pop)
