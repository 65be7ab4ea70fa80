"""The calendar fit: a known weekday, month and event pattern recovered from Poisson days."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from cdnow_sample import CALIBRATION_END, orders
from scipy.special import gammaln, xlogy

from calibrate import CalendarFit, fit_calendar, read_orders
from calibrate.seasonality import MONTHS, WEEKDAYS, trend_degree
from sim.calendar import Calendar, DayCalendar, Horizon, build_calendar

WEEK = np.array([1.0, 1.0, 1.0, 1.0, 1.0, 1.3, 1.3])  # weekend 1.3x
MONTH = 1.0 + 0.25 * np.sin(2 * np.pi * np.arange(12) / 12)  # +25% in April, -25% in October
EVENTS = ("2024-11-11", "2025-06-18")


def _geometric(x: np.ndarray) -> np.ndarray:
    return x / np.exp(np.mean(np.log(x)))


def _series(days: int, *, level: float = 150.0, weekly: np.ndarray = WEEK,
            monthly: np.ndarray = MONTH, events: tuple[str, ...] = EVENTS,
            seed: int = 1) -> pd.Series:
    """Poisson orders per day with a growing-then-saturating trend (quadratic in logs)."""
    index = pd.date_range("2024-01-01", periods=days, freq="D")
    t = np.linspace(-1, 1, days)
    mu = level * np.exp(0.4 * t - 0.2 * t**2)
    mu *= weekly[index.day_of_week] * monthly[index.month - 1]
    for day in events:
        mu[index.get_loc(pd.Timestamp(day))] *= 4.0
    rng = np.random.default_rng(seed)
    return pd.Series(rng.poisson(mu), index=index, name="orders")


@pytest.fixture(scope="module")
def two_years() -> CalendarFit:
    return fit_calendar(_series(731))


def test_weekday_and_month_multipliers_are_recovered_within_3_se(
        two_years: CalendarFit) -> None:
    fit = two_years
    assert fit.n_days == 731 and fit.monthly_fitted and fit.trend_degree == 2
    for name, got, want in zip(WEEKDAYS, fit.weekly, _geometric(WEEK), strict=True):
        se = fit.std_errors[f"weekly.{name}"]
        assert 0 < se < 0.02 and abs(got - want) < 3 * se, (name, got, want, se)
    for name, got, want in zip(MONTHS, fit.monthly, _geometric(MONTH), strict=True):
        se = fit.std_errors[f"monthly.{name}"]
        assert 0 < se < 0.03 and abs(got - want) < 3 * se, (name, got, want, se)
    assert np.prod(fit.weekly) == pytest.approx(1.0) and np.prod(fit.monthly) == pytest.approx(1.0)
    assert fit.weekly[5] / fit.weekly[0] == pytest.approx(1.3, abs=0.05)
    assert fit.dispersion == pytest.approx(1.0, abs=0.15)  # Poisson days


def test_the_two_event_days_are_found_with_their_multiplier(two_years: CalendarFit) -> None:
    events = two_years.events
    assert [e.start.isoformat() for e in events] == list(EVENTS)
    for event in events:
        assert event.end == event.start
        assert abs(event.multiplier - 4.0) < 3 * event.std_error, event
        assert 0.1 < event.std_error < 0.6  # about 4 / sqrt(600 orders) plus the model's
        assert event.orders / event.expected == pytest.approx(event.multiplier)
    table = two_years.table()
    assert list(table.columns) == ["parameter", "estimate", "std_error"]
    assert list(table["parameter"][:8]) == ["weekly.Mon", "weekly.Tue", "weekly.Wed",
                                            "weekly.Thu", "weekly.Fri", "weekly.Sat",
                                            "weekly.Sun", "monthly.Jan"]
    assert list(table["parameter"][-2:]) == ["event.2024-11-11", "event.2025-06-18"]
    assert len(table) == 7 + 12 + 2 and table["std_error"].notna().all()


def test_the_log_likelihood_is_the_poisson_one_of_the_fitted_days(
        two_years: CalendarFit) -> None:
    # a saturated model (one rate per day) is the upper bound; 21 + 2 parameters are
    # about half a unit per day below it for Poisson counts (deviance ~ n - p)
    y = _series(731).to_numpy(dtype=float)
    saturated = float(np.sum(xlogy(y, y) - y - gammaln(y + 1)))
    deviance = 2 * (saturated - two_years.log_likelihood)
    assert 731 - 23 - 4 * np.sqrt(2 * 731) < deviance < 731 - 23 + 4 * np.sqrt(2 * 731)


def test_no_false_events_on_a_flat_series() -> None:
    flat = np.ones(12)
    for seed in (1, 2, 3):
        fit = fit_calendar(_series(730, weekly=np.ones(7), monthly=flat, events=(),
                                   seed=seed))
        assert fit.events == []
        assert all(abs(w - 1) < 3 * fit.std_errors[f"weekly.{d}"]
                   for d, w in zip(WEEKDAYS, fit.weekly, strict=True))


def test_a_short_log_fits_no_months() -> None:
    fit = fit_calendar(_series(200, events=("2024-05-01",)))
    assert not fit.monthly_fitted and fit.monthly == [1.0] * 12
    assert np.isnan(fit.std_errors["monthly.Mar"])
    assert [e.start for e in fit.events] == [dt.date(2024, 5, 1)]
    assert fit.weekly[6] / fit.weekly[2] == pytest.approx(1.3, abs=0.1)


def test_a_long_run_of_high_days_is_a_level_change_not_an_event() -> None:
    days = _series(800, events=())
    days.iloc[100:130] *= 3  # a month at three times the level
    fit = fit_calendar(days)
    assert all(e.start < dt.date(2024, 4, 10) or e.start > dt.date(2024, 5, 9)
               for e in fit.events)
    longer = fit_calendar(days, max_event_days=31).events
    assert any(dt.date(2024, 4, 10) <= e.start <= dt.date(2024, 5, 9) for e in longer)


def test_events_repeat_on_their_calendar_dates_in_a_later_year(
        two_years: CalendarFit) -> None:
    events = two_years.events_on(dt.date(2026, 1, 1), 365)
    assert [e.name for e in events] == ["log event 06-18", "log event 11-11"]
    june, november = (e.phases[0] for e in events)
    assert (june.start, june.end, june.phase) == (dt.date(2026, 6, 18), dt.date(2026, 6, 18),
                                                  "burst")
    assert november.demand == pytest.approx(two_years.events[0].multiplier)
    assert two_years.events_on(dt.date(2026, 7, 1), 30) == []
    later = two_years.events_on(dt.date(2026, 11, 1), 400)
    assert [e.name for e in later] == ["log event 11-11", "log event 06-18", "log event 11-11"]
    assert [e.phases[0].start.year for e in later] == [2026, 2027, 2027]
    # the lead's calendar: straight into sim.calendar
    calendar = Calendar(weekly=two_years.weekly, monthly=two_years.monthly, events=events)
    days: DayCalendar = build_calendar(_Dated(Horizon(start=dt.date(2026, 1, 1), days=365),
                                              calendar))
    nov11 = (dt.date(2026, 11, 11) - dt.date(2026, 1, 1)).days
    assert days.phase_name(nov11) == "burst" and days.phase_name(nov11 + 1) == "normal"
    assert days.demand[nov11] == pytest.approx(
        november.demand * two_years.weekly[2] * two_years.monthly[10])


def test_a_yearly_event_seen_twice_is_applied_once() -> None:
    days = _series(731, events=("2024-11-11", "2025-11-11"))
    fit = fit_calendar(days)
    assert [e.start.isoformat() for e in fit.events] == ["2024-11-11", "2025-11-11"]
    future = fit.events_on(dt.date(2026, 11, 1), 30)
    assert len(future) == 1  # the most recent occurrence
    assert future[0].phases[0].demand == pytest.approx(fit.events[1].multiplier)


class _Dated:
    def __init__(self, horizon: Horizon, calendar: Calendar) -> None:
        self.horizon, self.calendar = horizon, calendar


def test_trend_degree_and_bad_series() -> None:
    assert [trend_degree(n) for n in (200, 731, 800, 1100, 3000)] == [2, 2, 3, 4, 4]
    with pytest.raises(ValueError, match="at least 28 days"):
        fit_calendar(_series(20, events=()))
    gappy = _series(100, events=()).drop(pd.Timestamp("2024-02-01"))
    with pytest.raises(ValueError, match="consecutive days"):
        fit_calendar(gappy)
    closed = _series(100, events=())
    closed[closed.index.day_of_week == 6] = 0
    with pytest.raises(ValueError, match="no orders on any day of weekday Sun"):
        fit_calendar(closed)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_ramp_at_the_start_is_no_event(seed: int) -> None:
    # 20 days without orders, then a cohort recruited over 90 days (square-root ramp to
    # a plateau): a shape the quadratic trend follows only roughly
    index = pd.date_range("2024-01-01", periods=400, freq="D")
    t = np.arange(400)
    mu = 150.0 * np.sqrt(np.clip((t - 10) / 90, 0, 1)) * WEEK[index.day_of_week]
    mu[:20] = 0.0
    mu[300] *= 4.0  # one real event on the plateau
    fit = fit_calendar(pd.Series(np.random.default_rng(seed).poisson(mu), index=index))
    assert fit.n_days == 400 - 20  # from the first day with orders
    assert [e.start for e in fit.events] == [index[300].date()]
    assert fit.weekly[5] / fit.weekly[0] == pytest.approx(1.3, abs=0.06)


def test_cdnow_repeat_orders_give_a_plain_calendar() -> None:
    # CDNOW's customers all first bought in January to March 1997: the repeat orders ramp
    # up from zero, then fall as the cohort lapses; 273 days, so no months
    log = read_orders(orders(), "customer", "date", "value")
    repeat = log.daily(CALIBRATION_END) - log.first_orders_per_day(CALIBRATION_END)
    assert len(repeat) == 273 and int(repeat.sum()) == 2457
    fit = fit_calendar(repeat)
    assert fit.n_days == 273 - 7  # the first repeat order is on 8 January
    assert not fit.monthly_fitted and len(fit.events) <= 3
    assert all(np.isfinite(fit.weekly)) and np.prod(fit.weekly) == pytest.approx(1.0)
    assert all(0.8 < w < 1.25 for w in fit.weekly)  # CDNOW has no strong weekday pattern
    assert all(0 < fit.std_errors[f"weekly.{d}"] < 0.1 for d in WEEKDAYS)
    assert np.isfinite(fit.log_likelihood)
