"""``percent``: a share off the list price."""

from __future__ import annotations

from typing import Literal

from agents.promotions._families import DiscountOff
from agents.promotions.registry import register

__all__ = ["Percent"]


@register
class Percent(DiscountOff):
    """``discount`` off the list price of ``categories``."""

    kind: Literal["percent"] = "percent"
    needs = ("discount",)
    colour = "#c0392b"
