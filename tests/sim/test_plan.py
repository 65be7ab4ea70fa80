"""Laying a strategy over the calendar: budgets per day and channel, discounts per day."""

from __future__ import annotations

import numpy as np
import pytest

import scenarios
from agents.promotions import Promotion
from sim.calendar import PHASES, build_calendar
from sim.plan import daily_budgets, promotion_days


@pytest.fixture(scope="module")
def d11():
    return scenarios.load("double11")


def test_budget_is_planned_in_full_and_by_share(d11) -> None:
    cal = build_calendar(d11)
    plan = daily_budgets(d11, d11.strategy, cal)
    assert plan.sum() == pytest.approx(d11.strategy.budget, rel=1e-12)
    for c, name in enumerate(d11.channels):
        assert plan[:, c].sum() == pytest.approx(
            d11.strategy.budget * d11.strategy.shares.get(name, 0.0), rel=1e-12)
    assert (plan >= 0).all()


def test_phasing_shares_hold_for_unflighted_channels(d11) -> None:
    cal = build_calendar(d11)
    plan = daily_budgets(d11, d11.strategy, cal)
    search = plan[:, list(d11.channels).index("search")]
    for code, phase in enumerate(PHASES):
        share = d11.strategy.phasing.get(phase, 0.0)
        assert search[cal.phase == code].sum() == pytest.approx(
            search.sum() * share, rel=1e-9)


def test_flighted_kol_spends_only_on_its_stream_days(d11) -> None:
    cal = build_calendar(d11)
    kol = daily_budgets(d11, d11.strategy, cal)[:, list(d11.channels).index("kol")]
    active = [cal.dates[d].isoformat() for d in np.flatnonzero(kol > 0)]
    assert active == ["2026-10-24", "2026-11-01", "2026-11-02", "2026-11-03", "2026-11-11"]
    # a burst day carries more than the warm-up day (phase weights)
    assert kol[np.flatnonzero(kol > 0)[-1]] > kol[np.flatnonzero(kol > 0)[0]]


def test_phase_absent_from_horizon_passes_its_share_on(d11) -> None:
    short = d11.with_overrides({"horizon.days": 15})  # 1-15 Oct: no event phases at all
    cal = build_calendar(short)
    plan = daily_budgets(short, short.strategy, cal)
    assert plan.sum() == pytest.approx(short.strategy.budget - short.strategy.budget
                                       * short.strategy.shares["kol"], rel=1e-9)
    # kol's stream days all fall after the horizon: it plans nothing
    assert plan[:, list(short.channels).index("kol")].sum() == 0


def _days(d11, **promo) -> list[int]:
    p = Promotion.model_validate({"name": "p", "discount": 0.1, **promo})
    return np.flatnonzero(promotion_days(d11, p, d11.horizon.n_days)).tolist()


def test_promotion_days_follow_dates_weekdays_and_days_of_month(d11) -> None:
    # the horizon starts on Thursday 1 October 2026
    assert _days(d11, start="2026-10-05", end="2026-10-10") == [4, 5, 6, 7, 8, 9]
    fridays = _days(d11, start="2026-10-01", end="2026-10-31", weekdays=["fri"])
    assert fridays == [1, 8, 15, 22, 29]
    assert _days(d11, start="2026-10-01", end="2026-11-30", days_of_month=[1, 15]) == [
        0, 14, 31, 45]
    assert _days(d11, kind="member_day", day_of_month=18, start="2026-10-01",
                 end="2026-11-30") == [17, 48]
    presale = _days(d11, kind="presale", discount=None, deposit=50, start="2026-10-20",
                    end="2026-10-31", final_day="2026-11-11")
    assert presale == [*range(19, 31), 41]
    # outside the horizon nothing runs
    assert _days(d11, start="2027-01-01", end="2027-01-31") == []
