"""The interfaces through which mechanisms plug into the stages of the day.

The demand and checkout stages know shoppers and channels only; what changes buying
(outreach fatigue, loyalty tiers, word of mouth, the day's offers, stock) reaches them
through these small protocols, which the mechanisms satisfy structurally. A stage thus
imports no mechanism, and a new mechanism plugs in by offering the methods its slot needs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

import numpy as np

if TYPE_CHECKING:
    from agents.population import ShopperPopulation

__all__ = ["AddedOrders", "AfterOrders", "CheckoutResult", "ContactHazard",
           "ConversionModifier", "DayOffers", "DropoutModifier", "Fulfil", "Membership",
           "PriceModifier", "RateModifier", "ReferralProgramme", "RewardTerms", "Stock"]

#: What checkout asks of stock for the orders still kept, each worth ``value``:
#: ``(keep, value) -> keep`` without the sales lost to stock-outs.
Fulfil = Callable[[np.ndarray, np.ndarray], np.ndarray]


class RateModifier(Protocol):
    """Scales each shopper's own buying rate (fatigue, tier benefits, goal gradient)."""

    def rate_multiplier(self, pop: ShopperPopulation) -> np.ndarray | float: ...


class PriceModifier(Protocol):
    """A permanent price cut for some shoppers (member prices) and value given back."""

    def price_index(self, pop: ShopperPopulation) -> np.ndarray:
        """Share of the post-offer price each shopper pays (float32, 1 for none)."""
        ...

    def points_share(self, pop: ShopperPopulation) -> np.ndarray:
        """Value earned back on what a shopper pays, as a share of it (float32)."""
        ...


class ConversionModifier(Protocol):
    """Scales the chance that a channel visit ends in an order; None: no change."""

    def conversion_multiplier(self, pop: ShopperPopulation) -> np.ndarray | None: ...


class Membership(RateModifier, PriceModifier, ConversionModifier, Protocol):
    """A programme that changes rate, price and conversion of its members (loyalty)."""


class DropoutModifier(Protocol):
    """Scales the BG/NBD dropout probability of the day's buyers."""

    def dropout_multiplier(self, buyers: np.ndarray) -> np.ndarray: ...


class AfterOrders(Protocol):
    """Books the day's paid orders (points, tier upgrades); returns day totals."""

    def after_orders(self, pop: ShopperPopulation, buyers: np.ndarray, gmv: np.ndarray
                     ) -> dict[str, float]: ...


class ContactHazard(Protocol):
    """Adds a first-order hazard from a shopper's contacts (word of mouth)."""

    def hazard(self, pop: ShopperPopulation) -> np.ndarray | float: ...


class RewardTerms(Protocol):
    """What a referral pays: off the friend's first order, credit to the referrer."""

    @property
    def reward_friend(self) -> float: ...

    @property
    def reward_referrer(self) -> float: ...


class ReferralProgramme(ContactHazard, Protocol):
    """Word of mouth with rewards: its first orders are a source of their own."""

    @property
    def referral(self) -> RewardTerms | None: ...

    def referrers(self, pop: ShopperPopulation, friends: np.ndarray, day: int,
                  leaving: np.ndarray | None = None) -> np.ndarray:
        """Who referred each friend (-1: nobody); ``leaving`` customers refer nobody."""
        ...


class Stock(Protocol):
    """Serves orders from stock; returns ``keep`` without lost sales and the customers
    who leave disappointed (the lifecycle stage applies their departure)."""

    def fulfil(self, day: int, pop: ShopperPopulation, buyers: np.ndarray,
               category: np.ndarray, list_value: np.ndarray, keep: np.ndarray,
               value: np.ndarray) -> tuple[np.ndarray, np.ndarray]: ...


class AddedOrders(Protocol):
    """Orders placed before today and completed today (presales), or added by offers
    (group-deal joiners)."""

    @property
    def shoppers(self) -> np.ndarray: ...

    @property
    def channel(self) -> np.ndarray: ...

    @property
    def category(self) -> np.ndarray: ...

    @property
    def list_value(self) -> np.ndarray: ...

    @property
    def gmv(self) -> np.ndarray: ...


class CheckoutResult(Protocol):
    """What the day's offers did to its orders (``agents.promotions.Checkout``)."""

    @property
    def gmv(self) -> np.ndarray: ...

    @property
    def keep(self) -> np.ndarray: ...

    @property
    def tally(self) -> dict[str, float]: ...

    @property
    def per_promotion(self) -> np.ndarray | None: ...

    @property
    def extra(self) -> AddedOrders | None: ...


class DayOffers(Protocol):
    """The day's offers as shoppers meet them (``agents.promotions.Offers``)."""

    @property
    def share(self) -> np.ndarray | None:
        """Saving per shopper and category as a share of list price, perks included."""
        ...

    @property
    def price_share(self) -> np.ndarray | None:
        """The same, price offers only (what a visitor sees as the price)."""
        ...

    def checkout(self, day: int, pop: ShopperPopulation, buyers: np.ndarray,
                 channel: np.ndarray, category: np.ndarray, list_value: np.ndarray,
                 fulfil: Fulfil | None = None) -> CheckoutResult: ...
