"""The calendar: for each simulated day, its date, demand multiplier and campaign phase."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal, Protocol

import numpy as np
from pydantic import Field, model_validator

from agents._config import Config, DateRange, Positive

__all__ = ["PHASES", "Calendar", "DayCalendar", "Event", "EventPhase", "Horizon", "Phase",
           "build_calendar"]

Phase = Literal["normal", "warmup", "burst", "hangover"]
PHASES: tuple[Phase, ...] = ("normal", "warmup", "burst", "hangover")


class Horizon(Config):
    """The planned period: ``start`` and either ``days`` or an inclusive ``end``; with
    ``run_days``, only its first days are simulated (``--days``), each spending what the
    plan over the whole period gives it."""

    start: dt.date
    days: int | None = Field(default=None, ge=1, le=3660)
    end: dt.date | None = None
    run_days: int | None = Field(default=None, ge=1, le=3660)

    @model_validator(mode="after")
    def _one_length(self) -> Horizon:
        if (self.days is None) == (self.end is None):
            raise ValueError("give exactly one of 'days' or 'end'")
        if self.end is not None and self.end < self.start:
            raise ValueError(f"end ({self.end}) is before start ({self.start})")
        if self.run_days is not None and self.run_days > self.planned_days:
            raise ValueError(f"run_days ({self.run_days}) must be at most the horizon's "
                             f"{self.planned_days} days")
        return self

    @property
    def planned_days(self) -> int:
        """Number of days the plan covers (budgets are spread over these)."""
        if self.days is not None:
            return self.days
        assert self.end is not None
        return (self.end - self.start).days + 1

    @property
    def n_days(self) -> int:
        """Number of simulated days: the planned ones, or the first ``run_days``."""
        return self.planned_days if self.run_days is None else self.run_days

    def day_of(self, date: dt.date) -> int:
        """Day index (0-based, may fall outside the horizon) of a calendar date."""
        return (date - self.start).days

    def day(self, index: int) -> dt.date:
        """Calendar date of a day index (the inverse of ``day_of``)."""
        return self.start + dt.timedelta(days=index)


class EventPhase(DateRange):
    phase: Literal["warmup", "burst", "hangover"]
    demand: Positive = 1.0


class Event(Config):
    """A big sale event: phases with a demand multiplier each."""

    name: str
    phases: list[EventPhase] = Field(min_length=1)


class Calendar(Config):
    """Demand seasonality: ``weekly`` (Monday first) and ``monthly`` multipliers, events."""

    weekly: list[Positive] = Field(default_factory=lambda: [1.0] * 7, min_length=7, max_length=7)
    monthly: list[Positive] = Field(
        default_factory=lambda: [1.0] * 12, min_length=12, max_length=12
    )
    events: list[Event] = Field(default_factory=list)

# When event phases overlap, the more intense one names the day (indexed like PHASES).
_PRIORITY = np.array([{"normal": 0, "hangover": 1, "warmup": 2, "burst": 3}[p] for p in PHASES])


@dataclass(frozen=True)
class DayCalendar:
    """Per-day arrays over the horizon (index = day number, 0 = horizon start).

    Attributes:
        dates: calendar date of each day.
        demand: demand multiplier (weekly x monthly x event phase), 1 = an ordinary day.
        phase: index into ``PHASES`` of each day's campaign phase.
    """

    dates: list[dt.date]
    demand: np.ndarray
    phase: np.ndarray

    @property
    def n_days(self) -> int:
        return len(self.dates)

    def phase_name(self, day: int) -> str:
        return PHASES[int(self.phase[day])]


class _Dated(Protocol):
    """What the calendar reads of a scenario."""

    @property
    def horizon(self) -> Horizon: ...

    @property
    def calendar(self) -> Calendar: ...


def build_calendar(scenario: _Dated, days: int | None = None) -> DayCalendar:
    """Lay the scenario's seasonality and events over its simulated days (or its first
    ``days``, e.g. all the planned ones)."""
    hz, cal = scenario.horizon, scenario.calendar
    n = hz.n_days if days is None else days
    dates = [hz.start + dt.timedelta(days=d) for d in range(n)]
    weekly = np.asarray(cal.weekly)[[d.weekday() for d in dates]]
    monthly = np.asarray(cal.monthly)[[d.month - 1 for d in dates]]
    demand = weekly * monthly
    phase = np.zeros(n, dtype=np.int8)
    for event in cal.events:
        for ph in event.phases:
            lo, hi = max(hz.day_of(ph.start), 0), min(hz.day_of(ph.end), n - 1)
            if lo > hi:
                continue
            demand[lo:hi + 1] *= ph.demand
            code = PHASES.index(ph.phase)
            window = phase[lo:hi + 1]
            window[_PRIORITY[code] > _PRIORITY[window]] = code
    return DayCalendar(dates=dates, demand=demand, phase=phase)
