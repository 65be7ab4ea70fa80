"""What every mechanism's configuration shares: the pydantic base, number types, and the
names several mechanisms use (city tiers, lifecycle stages).

Each mechanism's own pydantic model lives in the mechanism's module (``Population`` in
``agents.population``, ``Channel`` in ``agents.channels``, ...); ``sim.schema`` assembles
them into a ``Scenario`` and a ``Strategy``. Units: money in the scenario's currency, time
in days, rates per day, shares as fractions of 1.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "CITY_TIERS",
    "MAX_AMOUNT",
    "MAX_DAYS",
    "SHARE_TOLERANCE",
    "STAGES",
    "WEEKDAYS",
    "CityTier",
    "Config",
    "Count",
    "DateRange",
    "NonNegative",
    "Positive",
    "Share",
    "TargetStage",
    "Weekday",
    "check_distinct",
    "check_sums_to_one",
    "unknown",
]

CityTier = Literal["tier1", "tier2", "tier3", "tier4"]
CITY_TIERS: tuple[CityTier, ...] = ("tier1", "tier2", "tier3", "tier4")
STAGES = ("prospect", "aware", "new", "active", "high_value", "dormant", "churned")
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: Lifecycle stages a promotion may target (a churned customer is out of reach).
TargetStage = Literal["prospect", "aware", "new", "active", "high_value", "dormant"]
SHARE_TOLERANCE = 1e-6
#: The largest amount (money, units, rates) a file may give: a trillion keeps every product
#: and sum the engine forms finite and exact to the cent.
MAX_AMOUNT = 1e12
#: The longest span in days a file may give (a century): dates stay within the calendar.
MAX_DAYS = 36_600

Share = Annotated[float, Field(ge=0.0, le=1.0)]
Positive = Annotated[float, Field(gt=0.0, le=MAX_AMOUNT)]
NonNegative = Annotated[float, Field(ge=0.0, le=MAX_AMOUNT)]
Count = Annotated[int, Field(ge=1, le=int(MAX_AMOUNT))]


class Config(BaseModel):
    """A configuration: unknown fields rejected, frozen, no infinities or NaN."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


def check_sums_to_one(values: dict[str, float], what: str) -> dict[str, float]:
    total = sum(values.values())
    if not math.isclose(total, 1.0, abs_tol=SHARE_TOLERANCE):
        raise ValueError(f"{what} must add up to 1, they add up to {total:.6g}")
    return values


def check_distinct(names: list[str], what: str) -> None:
    """Raise ``ValueError`` naming the first two of ``what`` (e.g. "promotions") that
    share a name, by their positions (0-based, as field paths count them)."""
    seen: dict[str, int] = {}
    for i, name in enumerate(names):
        if name in seen:
            raise ValueError(f"{what} {seen[name]} and {i} are both named '{name}'; each "
                             "needs its own name")
        seen[name] = i


def unknown(name: str, known: list[str], what: str) -> str:
    """"unknown <what> '<name>'", with the closest known name and the allowed ones."""
    hint = difflib.get_close_matches(name, known, n=1)
    did = f"; did you mean '{hint[0]}'?" if hint else "."
    return f"unknown {what} '{name}'{did} Allowed: {', '.join(known)}"


class DateRange(Config):
    """An inclusive range of calendar days."""

    start: dt.date
    end: dt.date

    @model_validator(mode="after")
    def _ordered(self) -> DateRange:
        if self.end < self.start:
            raise ValueError(f"end ({self.end}) is before start ({self.start})")
        return self
