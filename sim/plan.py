"""A strategy laid over the calendar: daily budget per channel, daily discount per category."""

from __future__ import annotations

import numpy as np

from sim.calendar import DayCalendar
from sim.schema import PHASES, Promotion, Scenario, Strategy

__all__ = ["daily_budgets", "daily_discounts", "daily_thresholds"]


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
    days, and one with no active day in the horizon plans nothing.
    """
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
    return out


def daily_discounts(scenario: Scenario, strategy: Strategy, n_days: int) -> np.ndarray:
    """Discount (share of list price) per day and category, shape ``(days, categories)``.

    Overlapping promotions do not stack: the deepest one applies (best single offer).
    """
    cats = list(scenario.catalog.categories)
    out = np.zeros((n_days, len(cats)))
    for promo in strategy.promotions:
        if promo.kind != "percent" or promo.discount is None:
            continue
        lo = max(scenario.horizon.day_of(promo.start), 0)
        hi = min(scenario.horizon.day_of(promo.end), n_days - 1)
        if lo > hi:
            continue
        cols = range(len(cats)) if promo.categories == "all" else [
            cats.index(c) for c in promo.categories]
        for k in cols:
            out[lo:hi + 1, k] = np.maximum(out[lo:hi + 1, k], promo.discount)
    return out


def daily_thresholds(scenario: Scenario, strategy: Strategy, n_days: int
                     ) -> list[Promotion | None]:
    """The threshold offer (满减) running on each day, or None.

    Overlapping threshold offers do not stack: the richest (largest ``reduction / threshold``)
    applies.
    """
    out: list[Promotion | None] = [None] * n_days
    for promo in strategy.promotions:
        if promo.kind != "threshold":
            continue
        lo = max(scenario.horizon.day_of(promo.start), 0)
        hi = min(scenario.horizon.day_of(promo.end), n_days - 1)
        for day in range(lo, hi + 1):
            cur = out[day]
            if cur is None or _rate(promo) > _rate(cur):
                out[day] = promo
    return out


def _rate(promo: Promotion) -> float:
    assert promo.reduction is not None and promo.threshold is not None
    return promo.reduction / promo.threshold
