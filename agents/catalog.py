"""The catalog: the categories the shop sells, their prices, costs, seasonality and supply.

The shoppers read prices, basket weights and seasonality (``agents.population``,
``agents.demand``); the inventory reads SKU groups, substitution, lead times, capacity and
holding cost (``agents.inventory``).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, field_validator, model_validator

from agents._config import Config, NonNegative, Positive, Share, check_sums_to_one

__all__ = ["Catalog", "Category"]


class Category(Config):
    """A product category: average list price and unit cost per item, its weight in
    baskets, and how it is supplied.

    Attributes:
        price, unit_cost: average list price and unit cost of one item.
        weight: the category's weight in baskets.
        seasonality: 12 demand multipliers, January to December (default: flat). They
            scale the category's share of each shopper's buying.
        skus: SKU groups and their shares of the category's orders (default: one group).
            A shopper who finds their group sold out takes another group of the category
            (the one with most stock left) with probability ``substitution``.
        lead_time_days: days from a replenishment order to its arrival.
        capacity: most units the supplier delivers per order (default: no limit).
        holding_cost: carrying cost per unit on hand per day (currency).
    """

    price: Positive
    unit_cost: NonNegative
    weight: Positive = 1.0
    seasonality: Annotated[list[NonNegative], Field(min_length=12, max_length=12)] | None = None
    skus: dict[str, Share] | None = None
    substitution: Share = 0.5
    lead_time_days: int = Field(default=14, ge=1, le=365)
    capacity: Positive | None = None
    holding_cost: NonNegative = 0.0

    @field_validator("skus")
    @classmethod
    def _sku_shares(cls, v: dict[str, float] | None) -> dict[str, float] | None:
        return check_sums_to_one(v, "the shares of SKU groups") if v else None

    @model_validator(mode="after")
    def _cost_below_price(self) -> Category:
        if self.unit_cost >= self.price:
            raise ValueError(
                f"unit_cost ({self.unit_cost:g}) must be below price ({self.price:g})"
            )
        return self


class Catalog(Config):
    """The categories the shop sells. ``stockout_dropout``: the chance that a customer
    who finds nothing in stock (no substitute either) drops out (churns)."""

    categories: dict[str, Category] = Field(min_length=1)
    stockout_dropout: Share = 0.05
