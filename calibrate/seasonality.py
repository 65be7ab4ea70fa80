"""The calendar of demand, fitted to a shop's orders per day.

A Poisson log-linear model, fitted by maximum likelihood (iteratively reweighted least
squares)::

    log mu_d = trend(d) + weekday(d) + month(d),  orders_d ~ Poisson(mu_d)

* The trend absorbs the growth and decline of the customer base. It is a polynomial in
  time, of degree 2 for logs of up to two years and one degree more for each further
  year (at most 4). A shop's base has one or two bends over two years (a ramp-up, then
  saturation or decline), which degree 2 follows; a polynomial that stiff cannot bend
  within a year, so it cannot take over the monthly pattern (a spline or a moving
  average would, by an amount set by its smoothing). It is written in Legendre
  polynomials over the log's span for a well-conditioned fit.
* Weekday: 7 multipliers (Monday first) with geometric mean 1. Month: 12 multipliers
  with geometric mean 1, fitted only when the log covers at least two years
  (``MONTHS_FROM`` days: every month then appears twice, so a month is told apart from
  the trend; with a year and a half, a flat shop whose base grows showed a spurious
  1.23 in June); shorter logs keep all 12 at 1 and ``monthly_fitted`` False.
* A log often starts with a ramp (the first customers being recruited; the repeat
  orders of a new cohort start at 0). The fit starts on the first day with an order,
  and the days before it are left out (``n_days`` counts the days fitted).
* Events: days far above the model (orders / fitted >= ``min_event_ratio`` and an
  upper-tail probability below 1e-6), found iteratively: fit, flag, refit without the
  flagged days, until the flagged days no longer change. Consecutive flagged days are one
  event with ONE multiplier, their orders over what the model expects on them without
  the event (the maximum-likelihood multiplier common to those days): it is what a
  ``sim.calendar.EventPhase`` holds. A run longer than ``max_event_days`` is no event
  but a change of level the trend misses, and stays in the fit. The tail is Poisson,
  or, when the days vary more than Poisson counts around the model (a ramp or a bend
  the trend does not follow), a negative binomial with that robust variance-to-mean
  ratio (the median squared Pearson residual over its chi-square median, which the
  events themselves hardly move), so that a misfit is not taken for events.
* Standard errors: delta method from the inverse Fisher information, scaled by the
  Pearson dispersion when it exceeds 1 (quasi-Poisson: days vary more than Poisson counts
  when whole days are busier, and the plain Poisson errors would then be too small).

Events repeat yearly on their calendar dates: a Double 11 seen on 2025-11-11 falls on
2026-11-11 (``CalendarFit.events_on``); a sale on 29 February falls on 28 February in
other years.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.polynomial import legendre
from scipy.special import gammaln
from scipy.stats import chi2, nbinom, poisson

from sim.calendar import Event, EventPhase

__all__ = ["MONTHS", "WEEKDAYS", "CalendarFit", "FittedEvent", "fit_calendar",
           "trend_degree"]

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
TAIL = 1e-6  # Poisson upper-tail probability below which a high day may be an event
MIN_DAYS = 28
MONTHS_FROM = 730  # days of log from which the months are fitted
_ROUNDS, _ITERATIONS = 20, 100
_CHI2_MEDIAN = float(chi2.ppf(0.5, 1))


@dataclass(frozen=True)
class FittedEvent:
    """Consecutive days far above the model.

    Attributes:
        start: first day.
        end: last day, included.
        multiplier: orders over those days / orders the model expects without the event.
        std_error: its standard error (delta method).
        orders: orders observed on those days.
        expected: orders the model expects on them without the event.
    """

    start: dt.date
    end: dt.date
    multiplier: float
    std_error: float
    orders: int
    expected: float


@dataclass(frozen=True)
class CalendarFit:
    """A fitted calendar of demand.

    Attributes:
        weekly: 7 multipliers, Monday first, geometric mean 1.
        monthly: 12 multipliers, January first, geometric mean 1 (all 1 if not fitted).
        events: the events found, in date order.
        std_errors: by parameter name (``weekly.Mon``, ``monthly.Jan``,
            ``event.2025-11-11``); NaN for months not fitted.
        log_likelihood: Poisson log-likelihood of the days fitted under the fitted model
            (events at their multipliers).
        n_days: days fitted: from the series' first day with an order to its end.
        monthly_fitted: whether the months were fitted (``MONTHS_FROM`` days or more).
        trend_degree: degree of the trend polynomial.
        dispersion: Pearson chi-square over degrees of freedom (1 for Poisson counts).
    """

    weekly: list[float]
    monthly: list[float]
    events: list[FittedEvent]
    std_errors: dict[str, float]
    log_likelihood: float
    n_days: int
    monthly_fitted: bool
    trend_degree: int
    dispersion: float

    def table(self) -> pd.DataFrame:
        """The estimates as a frame with columns parameter, estimate, std_error."""
        names = [f"weekly.{d}" for d in WEEKDAYS] + [f"monthly.{m}" for m in MONTHS]
        values = self.weekly + self.monthly
        names += [f"event.{e.start.isoformat()}" for e in self.events]
        values += [e.multiplier for e in self.events]
        return pd.DataFrame({"parameter": names, "estimate": values,
                             "std_error": [self.std_errors[n] for n in names]})

    def events_on(self, start: dt.date, days: int) -> list[Event]:
        """The events as they fall in the horizon of ``days`` days from ``start``.

        Each event repeats on its calendar dates every year; one ``Event`` per occurrence
        that overlaps the horizon (named ``log event MM-DD`` after its first day), with
        one "burst" phase over its days at the event's multiplier. When occurrences seen
        in several years fall on overlapping days (Double 11 in 2024 and 2025), the most
        recent one is kept, so that their multipliers are not applied twice.
        """
        first, last = start, start + dt.timedelta(days=days - 1)
        placed: list[tuple[dt.date, dt.date, FittedEvent]] = []
        for event in sorted(self.events, key=lambda e: e.start, reverse=True):
            for year in range(first.year - 1, last.year + 1):
                lo = _same_day(event.start, year)
                hi = lo + (event.end - event.start)
                if hi < first or lo > last or any(lo <= b and a <= hi for a, b, _ in placed):
                    continue
                placed.append((lo, hi, event))
        return [Event(name=f"log event {lo:%m-%d}",
                      phases=[EventPhase(start=lo, end=hi, phase="burst",
                                         demand=event.multiplier)])
                for lo, hi, event in sorted(placed, key=lambda p: p[0])]


def _same_day(day: dt.date, year: int) -> dt.date:
    """``day``'s month and day in ``year`` (29 February becomes the 28th)."""
    try:
        return day.replace(year=year)
    except ValueError:
        return day.replace(year=year, day=28)


def trend_degree(n_days: int) -> int:
    """Degree of the trend polynomial: 2 up to two years (731 days), one more per further
    year or part of one, at most 4."""
    return min(2 + max(0, math.ceil((n_days - 731) / 365)), 4)


def _effects(codes: np.ndarray, levels: int) -> tuple[np.ndarray, np.ndarray]:
    """Effect-coded columns of a factor (log effects summing to 0) and the contrast that
    turns their coefficients into all ``levels`` log effects."""
    contrast = np.vstack([np.eye(levels - 1), -np.ones(levels - 1)])
    return contrast[codes], contrast


def _irls(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Poisson maximum likelihood: the coefficients and the inverse Fisher information."""
    beta = np.linalg.lstsq(X, np.log(y + 0.5), rcond=None)[0]
    for _ in range(_ITERATIONS):
        mu = np.exp(X @ beta)
        step = np.linalg.solve((X.T * mu) @ X, X.T @ (y - mu))
        beta = beta + step
        if np.max(np.abs(step)) < 1e-10:
            break
    mu = np.exp(X @ beta)
    return beta, np.linalg.inv((X.T * mu) @ X)


@dataclass(frozen=True)
class _Model:
    """The design of the calendar model over the days of a series."""

    X: np.ndarray
    weekday: np.ndarray  # contrast of the weekday coefficients
    month: np.ndarray | None
    degree: int

    @classmethod
    def of(cls, index: pd.DatetimeIndex) -> _Model:
        n = len(index)
        degree = trend_degree(n)
        trend = legendre.legvander(np.linspace(-1.0, 1.0, n), degree)
        week_cols, week = _effects(index.day_of_week.to_numpy(), 7)
        cols, month = [trend, week_cols], None
        if n >= MONTHS_FROM:
            month_cols, month = _effects(index.month.to_numpy() - 1, 12)
            cols.append(month_cols)
        return cls(np.hstack(cols), week, month, degree)

    def multipliers(self, beta: np.ndarray, cov: np.ndarray, first: int,
                    contrast: np.ndarray) -> tuple[list[float], list[float]]:
        """Multipliers of a factor whose coefficients start at ``first``, and their
        standard errors (delta method: d exp(w) = exp(w) dw)."""
        k = contrast.shape[1]
        logs = contrast @ beta[first:first + k]
        var = np.einsum("ij,jk,ik->i", contrast, cov[first:first + k, first:first + k],
                        contrast)
        mult = np.exp(logs)
        return list(map(float, mult)), list(map(float, mult * np.sqrt(var)))


def _check(daily: pd.Series) -> tuple[pd.DatetimeIndex, np.ndarray]:
    """The days to fit and their orders: from the first day with an order to the end."""
    if not isinstance(daily.index, pd.DatetimeIndex):
        raise ValueError("the daily orders need a DatetimeIndex of consecutive days")
    index = daily.index.normalize()
    if len(index) > 1 and not (np.diff(index.values) == np.timedelta64(1, "D")).all():
        raise ValueError("the daily orders must be consecutive days, zero-filled")
    y = daily.to_numpy(dtype=float)
    if not np.isfinite(y).all() or (y < 0).any():
        raise ValueError("the daily orders must be finite counts of 0 or more")
    start = int(np.argmax(y > 0)) if (y > 0).any() else len(y)
    index, y = index[start:], y[start:]
    if len(index) < MIN_DAYS:
        raise ValueError(f"a calendar needs at least {MIN_DAYS} days from the first day "
                         f"with orders, not {len(index)}")
    for name, codes, labels in (("weekday", index.day_of_week, WEEKDAYS),
                                ("month", index.month - 1, MONTHS)):
        seen = np.bincount(codes, minlength=len(labels))
        totals = np.bincount(codes, weights=y, minlength=len(labels))
        empty = [labels[i] for i in range(len(labels)) if seen[i] and totals[i] == 0]
        if empty and (name == "weekday" or len(index) >= MONTHS_FROM):
            raise ValueError(f"no orders on any day of {name} {empty[0]}: its multiplier "
                             f"would be 0, which a calendar cannot hold")
    return index, y


def _runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """(first, last) positions of the runs of True."""
    edges = np.diff(np.r_[0, flags.astype(np.int8), 0])
    return list(zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1) - 1,
                    strict=True))


def _spread(y: np.ndarray, mu: np.ndarray) -> float:
    """Robust variance-to-mean ratio of the days around the model (1 for Poisson counts):
    the median squared Pearson residual over its chi-square(1) median, so that the events
    themselves do not inflate it."""
    return max(1.0, float(np.median((y - mu) ** 2 / mu)) / _CHI2_MEDIAN)


def _upper_tail(y: np.ndarray, mu: np.ndarray, spread: float) -> np.ndarray:
    """P(Y >= y) for counts of mean ``mu``: Poisson, or a negative binomial with the same
    mean and variance ``spread * mu`` when the days vary more than Poisson counts."""
    if spread <= 1.0 + 1e-9:
        return np.asarray(poisson.sf(y - 1, mu))
    return np.asarray(nbinom.sf(y - 1, mu / (spread - 1.0), 1.0 / spread))


def _flag(y: np.ndarray, mu: np.ndarray, keep: np.ndarray, ratio: float,
          longest: int) -> np.ndarray:
    """Event days: far above the model, in runs of at most ``longest`` days."""
    spread = _spread(y[keep], mu[keep])
    high = (y >= ratio * mu) & (_upper_tail(y, mu, spread) < TAIL)
    for lo, hi in _runs(high):
        if hi - lo + 1 > longest:
            high[lo:hi + 1] = False
    return high


def fit_calendar(daily: pd.Series, *, min_event_ratio: float = 1.5,
                 max_event_days: int = 7) -> CalendarFit:
    """Fit weekday, month and event multipliers to orders per day (see the module).

    Args:
        daily: orders per calendar day (a DatetimeIndex of consecutive days,
            zero-filled), e.g. ``OrderLog.daily()``.
        min_event_ratio: how many times the model's orders a day needs to be an event.
        max_event_days: longest run of high days taken as one event.

    Returns:
        The fitted calendar.

    Raises:
        ValueError: fewer than 28 days, gaps in the days, negative counts, or a weekday
            (or a fitted month) without a single order.
    """
    index, y = _check(daily)
    model = _Model.of(index)
    flagged = np.zeros(len(y), dtype=bool)
    for _ in range(_ROUNDS):
        keep = ~flagged
        beta, cov = _irls(model.X[keep], y[keep])
        mu = np.exp(model.X @ beta)
        new = _flag(y, mu, keep, min_event_ratio, max_event_days)
        if (new == flagged).all():
            break
        flagged = new
    p = model.X.shape[1]
    dispersion = float(np.sum((y[keep] - mu[keep]) ** 2 / mu[keep]) / max(keep.sum() - p, 1))
    cov = cov * max(dispersion, 1.0)
    return _assemble(index, y, mu, beta, cov, flagged, model, dispersion)


def _assemble(index: pd.DatetimeIndex, y: np.ndarray, mu: np.ndarray, beta: np.ndarray,
              cov: np.ndarray, flagged: np.ndarray, model: _Model,
              dispersion: float) -> CalendarFit:
    first = model.degree + 1
    weekly, week_se = model.multipliers(beta, cov, first, model.weekday)
    monthly, month_se = [1.0] * 12, [math.nan] * 12
    if model.month is not None:
        monthly, month_se = model.multipliers(beta, cov, first + 6, model.month)
    errors = {f"weekly.{d}": s for d, s in zip(WEEKDAYS, week_se, strict=True)}
    errors |= {f"monthly.{m}": s for m, s in zip(MONTHS, month_se, strict=True)}
    events, fitted = [], mu.copy()
    for lo, hi in _runs(flagged):
        days = slice(lo, hi + 1)
        observed, expected = float(y[days].sum()), float(mu[days].sum())
        mult = observed / expected
        # var log m = 1 / orders (Poisson) + var log(expected) from the model's fit
        grad = (mu[days] @ model.X[days]) / expected
        se = mult * math.sqrt(1.0 / observed + float(grad @ cov @ grad))
        fitted[days] *= mult
        start = index[lo].date()
        events.append(FittedEvent(start, index[hi].date(), mult, se, int(observed), expected))
        errors[f"event.{start.isoformat()}"] = se
    loglik = float(np.sum(y * np.log(fitted) - fitted - gammaln(y + 1)))
    return CalendarFit(weekly, monthly, events, errors, loglik, len(y),
                       model.month is not None, model.degree, dispersion)
