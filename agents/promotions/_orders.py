"""The plain data a promotion's steps and the checkout share: an ``Offer``, the day's
orders (``Basket``), orders added on a day (``Completions``); and the two protocols a
kind's steps are typed against, so that nothing here names the agent or the base.

``Running`` is what a kind's steps read and write of its running promotion (the state
``PromotionAgent`` holds over a run); ``Kind`` is what the checkout calls on a kind
(the steps of ``Promotion``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, Protocol

import numpy as np
from scipy.special import ndtr

if TYPE_CHECKING:
    import mesa

    from agents.population import ShopperPopulation

__all__ = ["Basket", "Completions", "Kind", "Offer", "Running", "expected_saving", "merge"]

_TALLY = ("coupon_cost", "gift_cost", "points_cost", "deposits", "deposit_value",
          "flash_units")


class Running(Protocol):
    """A promotion over a run, as its kind's steps see it (``PromotionAgent``).

    Attributes:
        final_day: the day (index) deposits fall due, None without one in the horizon.
        book: deposits not yet due: (shoppers, channel, category, list value) batches.
        deposit_room: deposits (simulated) still taken.
        unit_limit, units_left, refilled: a flash sale's units per day, those left
            today, and the day they were last refilled.
        last_groups: a group deal's last groups (starters, completed, joiners, whose).
    """

    final_day: int | None
    book: list[tuple[np.ndarray, ...]]
    deposit_room: float
    unit_limit: float
    units_left: float
    refilled: int
    last_groups: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]

    @property
    def model(self) -> mesa.Model:
        """The market model."""

    @property
    def index(self) -> int:
        """Position in the plan's ``promotions``."""

    @property
    def days(self) -> np.ndarray:
        """Bool per day, the days it runs."""

    @property
    def categories(self) -> np.ndarray:
        """Bool per category, those it applies to."""

    @property
    def promo(self) -> Kind:
        """The promotion (an instance of its kind)."""


class Kind(Protocol):
    """What the checkout calls on a promotion's kind (see ``Promotion``)."""

    is_perk: ClassVar[bool]

    def reserve(self, offer: Offer, j: int, b: Basket) -> None: ...

    def form(self, offer: Offer, j: int, b: Basket) -> None: ...

    def top_up_rank(self) -> float | None: ...

    def top_up(self, offer: Offer, j: int, b: Basket) -> None: ...

    def saving(self, takes: np.ndarray, list_value: np.ndarray, new: np.ndarray
               ) -> np.ndarray: ...

    def cap(self, offer: Offer, j: int, b: Basket) -> None: ...

    def sold(self, offer: Offer, j: int, b: Basket) -> None: ...

    def settle(self, offer: Offer, j: int, b: Basket) -> None: ...

    def perk(self, offer: Offer, takes: np.ndarray, b: Basket) -> np.ndarray: ...


def expected_saving(mean: np.ndarray, sigma: np.ndarray, threshold: float, amount: float,
                    top_up_range: float = 0.0, top_up_share: float = 0.0) -> np.ndarray:
    """Expected saving, as a share of list value, of ``amount`` off orders of at least
    ``threshold``, for shoppers with log-normal baskets (``mean``, log-sd ``sigma``).

    A basket within ``top_up_range`` (share of the threshold) below it is topped up to
    reach it with probability ``top_up_share``.
    """
    sigma = np.maximum(sigma, np.float32(1e-6))
    mean = np.maximum(mean, np.float32(1e-6))

    def above(x: float) -> np.ndarray:
        if x <= 0:
            return np.ones_like(mean)
        return ndtr(-(np.log(np.float32(x) / mean) + sigma**2 / 2) / sigma)

    reach = above(threshold)
    near = above(threshold * (1 - top_up_range)) - reach if top_up_share > 0 else 0.0
    p = reach + top_up_share * near
    return (amount / np.maximum(mean, max(threshold, amount)) * p).astype(np.float32)


@dataclass
class Offer:
    """One promotion's terms on one day.

    Attributes:
        agent: the promotion.
        share: promised saving as a share of list value: a number, or one per shopper.
        eligible: who may use it (bool per shopper), None for everyone.
    """

    agent: Running
    share: float | np.ndarray
    eligible: np.ndarray | None

    def matrix(self, n: int) -> np.ndarray:
        """The promised share per shopper and category, shape ``(n, categories)``."""
        cats = self.agent.categories.astype(np.float32)
        share = np.broadcast_to(np.asarray(self.share, dtype=np.float32), (n,))
        if self.eligible is not None:
            share = share * self.eligible
        return share[:, None] * cats[None, :]

    def takes(self, buyers: np.ndarray, category: np.ndarray) -> np.ndarray:
        """Which orders (buyers, their categories) may use the offer."""
        ok = self.agent.categories[category]
        return ok if self.eligible is None else ok & self.eligible[buyers]


@dataclass
class Completions:
    """Presale orders completed on their final day (simulated scale); ``promotion`` is
    the index of each order's presale in the plan."""

    promotion: np.ndarray
    shoppers: np.ndarray
    channel: np.ndarray
    category: np.ndarray
    list_value: np.ndarray
    gmv: np.ndarray


def merge(a: Completions | None, b: Completions | None) -> Completions | None:
    """Two batches of added orders as one."""
    if a is None or b is None:
        return a if b is None else b
    return Completions(*(np.concatenate([x, y]) for x, y in zip(
        vars(a).values(), vars(b).values(), strict=True)))


def _none() -> np.ndarray:
    return np.zeros(0)


@dataclass
class Basket:
    """A day's orders while the offers work on them: what each kind's checkout step
    reads and changes (money at simulated scale; one entry per order unless said).

    Attributes:
        takes: per price offer, the orders that may use it.
        new: first orders (the buyer was no customer yet).
        deposit: orders that became presale deposits.
        savings: per order and price offer, its saving before stacking.
        credit: the same under the stacking rule (``combine``).
        keep: orders still placed.
        gmv: paid value.
        per_promo: ``(promotions, 3)`` orders, discount cost, loyalty cost.
    """

    day: int
    pop: ShopperPopulation
    buyers: np.ndarray
    channel: np.ndarray
    category: np.ndarray
    list_value: np.ndarray
    combine: Callable[[np.ndarray, np.ndarray], np.ndarray]
    takes: list[np.ndarray]
    new: np.ndarray
    deposit: np.ndarray
    per_promo: np.ndarray
    tally: dict[str, float] = field(default_factory=lambda: dict.fromkeys(_TALLY, 0.0))
    extra: Completions | None = None
    savings: np.ndarray = field(default_factory=_none)
    credit: np.ndarray = field(default_factory=_none)
    keep: np.ndarray = field(default_factory=_none)
    gmv: np.ndarray = field(default_factory=_none)
