"""``member_day``: a discount for customers on one day of each month."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from agents.promotions._families import DiscountOff
from agents.promotions.registry import register

__all__ = ["MemberDay"]


@register
class MemberDay(DiscountOff):
    """``discount`` for customers on day ``day_of_month`` of each month."""

    kind: Literal["member_day"] = "member_day"
    day_of_month: Annotated[int, Field(ge=1, le=31)] | None = None
    needs = ("discount", "day_of_month")
    repeats = False
    default_stages = ("new", "active", "high_value", "dormant")
    colour = "#27ae60"

    def month_days(self) -> list[int] | None:
        return self.days_of_month or (
            [self.day_of_month] if self.day_of_month is not None else None)
