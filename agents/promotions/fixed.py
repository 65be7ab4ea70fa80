"""``fixed``: an amount off each order."""

from __future__ import annotations

from typing import Literal

from agents._config import Positive
from agents.promotions._families import AmountOff
from agents.promotions.registry import register

__all__ = ["Fixed"]


@register
class Fixed(AmountOff):
    """``reduction`` off each order (at most the order's value)."""

    kind: Literal["fixed"] = "fixed"
    reduction: Positive | None = None
    needs = ("reduction",)
    depth_field = "reduction"
    colour = "#e67e22"

    def terms(self) -> tuple[float, float]:
        return 0.0, self.get("reduction")
