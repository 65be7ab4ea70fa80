"""The calendar: for each simulated day, its date, demand multiplier and campaign phase."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from sim.schema import PHASES, Scenario

__all__ = ["DayCalendar", "build_calendar"]

# When event phases overlap, the more intense one names the day (indexed like PHASES).
_PRIORITY = np.array([{"normal": 0, "hangover": 1, "warmup": 2, "burst": 3}[p] for p in PHASES])


@dataclass(frozen=True)
class DayCalendar:
    """Per-day arrays over the horizon (index = day number, 0 = horizon start).

    Attributes:
        dates: calendar date of each day.
        demand: demand multiplier (weekly x monthly x event phase), 1 = an ordinary day.
        phase: index into ``sim.schema.PHASES`` of each day's campaign phase.
    """

    dates: list[dt.date]
    demand: np.ndarray
    phase: np.ndarray

    @property
    def n_days(self) -> int:
        return len(self.dates)

    def phase_name(self, day: int) -> str:
        return PHASES[int(self.phase[day])]


def build_calendar(scenario: Scenario) -> DayCalendar:
    """Lay the scenario's seasonality and events over its horizon."""
    hz, cal = scenario.horizon, scenario.calendar
    n = hz.n_days
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
