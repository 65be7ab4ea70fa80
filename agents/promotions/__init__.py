"""Promotions: one class per kind, found through one registry; the day's offers.

A promotion kind is a pydantic model (its fields, their defaults, its depth lever) and
its behaviour: the saving it promises shoppers, the saving of an order at checkout and
its own step there (a presale's deposits, a threshold's top-ups, a group deal's groups,
a flash sale's units, a gift's or points' cost). ``Promotion`` is the base with what
every promotion has; ``registry`` finds a kind by name and validates a promotion as a
discriminated union on ``kind`` (``percent`` when left out). ``PromotionAgent`` runs one
promotion of a plan; ``Offers`` is what a day's offers do to shoppers and their orders.

Adding a kind is one class in one file, registered (and imported here, after the
others, so that it is registered when the package is)::

    from typing import Literal
    from agents._config import Share
    from agents.promotions import DiscountOff, register

    @register
    class Clearance(DiscountOff):
        \"\"\"``discount`` off, for shoppers who did not buy for a while.\"\"\"
        kind: Literal["clearance"] = "clearance"
        needs = ("discount",)
        default_stages = ("dormant",)

It validates from YAML (``kind: clearance``), runs through checkout, and its depth is a
lever, with no change anywhere else. Override the steps of ``Promotion`` it takes.
"""

# isort: off
# the kinds register as they are imported: in the order messages list them
from agents.promotions.percent import Percent
from agents.promotions.fixed import Fixed
from agents.promotions.threshold import Threshold
from agents.promotions.coupon import Coupon
from agents.promotions.presale import Presale
from agents.promotions.flash_sale import FlashSale
from agents.promotions.gift import Gift
from agents.promotions.member_day import MemberDay
from agents.promotions.points import Points
from agents.promotions.group_buy import GroupBuy
# isort: on
from agents.promotions._base import Promotion
from agents.promotions._families import AmountOff, DiscountOff
from agents.promotions._orders import Basket, Completions, Offer, expected_saving, merge
from agents.promotions.agent import PromotionAgent
from agents.promotions.offers import MAX_SHARE, Checkout, Fulfil, Offers, Stacking
from agents.promotions.registry import (
                                      DEFAULT_KIND,
                                      AnyPromotion,
                                      depth_fields,
                                      kinds,
                                      lookup,
                                      register,
)

__all__ = ["DEFAULT_KIND", "MAX_SHARE", "AmountOff", "AnyPromotion", "Basket", "Checkout",
           "Completions", "Coupon", "DiscountOff", "Fixed", "FlashSale", "Fulfil", "Gift",
           "GroupBuy", "MemberDay", "Offer", "Offers", "Percent", "Points", "Presale",
           "Promotion", "PromotionAgent", "Stacking", "Threshold", "depth_fields",
           "expected_saving", "kinds", "lookup", "merge", "register"]
