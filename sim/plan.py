"""A strategy laid over the calendar: daily budget per channel, the days each promotion runs."""

from __future__ import annotations

import numpy as np

from agents._config import WEEKDAYS
from agents.promotions import Promotion
from sim.calendar import PHASES, DayCalendar, build_calendar
from sim.schema import Scenario, Strategy

__all__ = ["daily_budgets", "promotion_days", "promotion_window"]


def _phase_weights(strategy: Strategy, cal: DayCalendar) -> np.ndarray:
    """Weight of each day in the budget: a phase's share spread evenly over its days."""
    if strategy.phasing is None:
        return np.ones(cal.n_days)
    counts = np.bincount(cal.phase, minlength=len(PHASES))
    share = np.array([strategy.phasing.get(p, 0.0) for p in PHASES])
    per_day = np.divide(share, counts, out=np.zeros(len(PHASES)), where=counts > 0)
    return per_day[cal.phase]


def daily_budgets(scenario: Scenario, strategy: Strategy, cal: DayCalendar) -> np.ndarray:
    """Planned spend (currency) per day and channel, shape ``(days, channels)``.

    A channel's budget is ``budget x share``; it is spread over the days it is active
    (its flighting, or every day) in proportion to the phase weights. Phases that do not
    occur in the horizon give their share to the days that do, so the whole budget is
    planned; a channel active only in unweighted phases spreads evenly over its active
    days, and one with no active day in the horizon plans nothing. A run of the first days
    only (``horizon.run_days``) spends on each what the plan over the whole horizon gives
    it: the plan is laid over every planned day, then cut to ``cal``'s days.
    """
    simulated = cal.n_days
    if scenario.horizon.planned_days != simulated:
        cal = build_calendar(scenario, scenario.horizon.planned_days)
    names = list(scenario.channels)
    base = _phase_weights(strategy, cal)
    out = np.zeros((cal.n_days, len(names)))
    for c, name in enumerate(names):
        amount = strategy.budget * strategy.shares.get(name, 0.0)
        if amount <= 0:
            continue
        active = np.ones(cal.n_days, dtype=bool)
        if name in strategy.flighting:
            active[:] = False
            for rng in strategy.flighting[name]:
                lo = max(scenario.horizon.day_of(rng.start), 0)
                hi = min(scenario.horizon.day_of(rng.end), cal.n_days - 1)
                active[lo:hi + 1] = True
        weights = base * active
        if weights.sum() <= 0:  # active only in phases given no share: spread evenly
            weights = active.astype(float)
        total = weights.sum()
        if total > 0:
            out[:, c] = amount * weights / total
    return out[:simulated]


def promotion_days(scenario: Scenario, promo: Promotion, n_days: int) -> np.ndarray:
    """Days (bool per day) on which a promotion runs.

    Its dates, narrowed to its ``weekdays`` and ``days_of_month`` when given; a member
    day runs on ``day_of_month`` of each month; a presale runs over its deposit window
    and on its ``final_day``.
    """
    dates = [scenario.horizon.day(d) for d in range(n_days)]
    on = np.array([promo.start <= d <= promo.end for d in dates], dtype=bool)
    if promo.weekdays:
        on &= np.isin([d.weekday() for d in dates], [WEEKDAYS.index(w) for w in promo.weekdays])
    days_of_month = promo.month_days()
    if days_of_month:
        on &= np.isin([d.day for d in dates], days_of_month)
    due = promo.due_date()
    if due is not None:
        on |= np.array([d == due for d in dates], dtype=bool)
    return on


def promotion_window(scenario: Scenario, strategy: Strategy, n_days: int) -> np.ndarray:
    """Days (bool per day) on which any of the strategy's promotions runs."""
    window = np.zeros(n_days, dtype=bool)
    for promo in strategy.promotions:
        window |= promotion_days(scenario, promo, n_days)
    return window
