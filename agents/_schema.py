"""Configuration primitives every mechanism's schema shares.

The mechanisms in ``agents/`` own their configuration models; ``sim.schema`` assembles
them into ``Scenario`` and ``Strategy``. What they all need lives here, below both: the
strict base model, number types with their bounds, date ranges, lifecycle stages and
weekdays.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["STAGES", "WEEKDAYS", "DateRange", "NonNegative", "Positive", "Share",
           "TargetStage", "Weekday"]

STAGES = ("prospect", "aware", "new", "active", "high_value", "dormant", "churned")
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: Lifecycle stages a promotion may target (a churned customer is out of reach).
TargetStage = Literal["prospect", "aware", "new", "active", "high_value", "dormant"]

Share = Annotated[float, Field(ge=0.0, le=1.0)]
Positive = Annotated[float, Field(gt=0.0)]
NonNegative = Annotated[float, Field(ge=0.0)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class DateRange(_Model):
    """An inclusive range of calendar days."""

    start: dt.date
    end: dt.date

    @model_validator(mode="after")
    def _ordered(self) -> DateRange:
        if self.end < self.start:
            raise ValueError(f"end ({self.end}) is before start ({self.start})")
        return self
