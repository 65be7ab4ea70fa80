"""``from_orders``: from a shop's order log to a calibrated scenario, checked by a back-test.

The steps, each in its own module: read and check the log (``calibrate.orders``), one
row per customer to the calibration date (``calibrate.rfm``), BG/NBD and Gamma-Gamma per
segment (``calibrate.bgnbd``, ``calibrate.gamma_gamma``), the calendar of demand
(``calibrate.seasonality``), new customers per day of the recent past, the scenario
(``calibrate.shop``), and the back-test over what the log holds after the calibration
date (``calibrate.backtest``).
"""

from __future__ import annotations

import atexit
import datetime as dt
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd
from pydantic import ValidationError

import scenarios
from calibrate.backtest import Backtest, repeat_histogram, run_backtest
from calibrate.bgnbd import fit_bgnbd
from calibrate.gamma_gamma import fit_gamma_gamma
from calibrate.orders import OrderLog, read_orders
from calibrate.seasonality import MONTHS, WEEKDAYS, CalendarFit, fit_calendar
from calibrate.shop import (
    ALL,
    SegmentFit,
    ShopOptions,
    city_tier_shares,
    customer_table,
    scenario_data,
    segment_categories,
)
from optimize.levers import ScenarioWithLevers
from sim._folder import atomic_write_text, move_into
from sim.errors import InputError, one_sentence
from sim.schema import Scenario

__all__ = ["Calibration", "from_orders"]

CUSTOMERS = "customers.csv"  # the customer table's name beside a saved scenario
RECENT_DAYS = 90  # new customers per day are counted over this many days before until


@dataclass(frozen=True)
class Arrivals:
    """New customers per day at an ordinary day's demand, from the first orders of the
    last ``days`` days of the calibration period (0 for a closed cohort)."""

    per_day: float
    std_error: float
    first_orders: int
    days: int


@dataclass
class Calibration:
    """A shop calibrated from its order log.

    Attributes:
        scenario: the shop as a scenario, ready for ``sim.simulate``.
        segments: the fits by segment (BG/NBD in days, Gamma-Gamma).
        calendar: weekday and month multipliers and the log's event days.
        arrivals: new customers per day.
        customers: the customer table (one row per customer of the calibration period).
        histogram: customers by repeat purchases in the calibration period, actual and
            BG/NBD (FHL 2005, figure 3).
        backtest: the back-test over the rest of the log (None: the log ends at ``until``
            or it was not asked for).
        until: the calibration date; ``source``: the log's name.
        notes: what could not be fitted and was set instead (empty: nothing).
    """

    scenario: ScenarioWithLevers
    segments: dict[str, SegmentFit]
    calendar: CalendarFit
    arrivals: Arrivals
    customers: pd.DataFrame
    histogram: pd.DataFrame
    backtest: Backtest | None
    until: dt.date
    source: str
    notes: str
    _scratch: Path = field(repr=False)

    def fit_table(self) -> pd.DataFrame:
        """Every fitted parameter with its standard error and its model's log-likelihood
        (``fit.csv``): model, segment, parameter, estimate, std_error, unit,
        log_likelihood, n."""
        rows: list[dict[str, Any]] = []
        for name, seg in self.segments.items():
            for model, fit, units in (("bgnbd", seg.bgnbd, {"alpha": "days"}),
                                      ("gamma_gamma", seg.spend,
                                       {"gamma": self.scenario.currency})):
                for row in fit.table().to_dict("records"):
                    rows.append({"model": model, "segment": name,
                                 **{str(k): v for k, v in row.items()},
                                 "unit": units.get(str(row["parameter"]), ""),
                                 "log_likelihood": fit.log_likelihood, "n": fit.n})
        cal = self.calendar.table()
        rows += [{"model": "calendar", "segment": "", **{str(k): v for k, v in r.items()},
                  "unit": "multiplier",
                  "log_likelihood": self.calendar.log_likelihood, "n": self.calendar.n_days}
                 for r in cal.to_dict("records")]
        a = self.arrivals
        rows.append({"model": "arrivals", "segment": "", "parameter": "per_day",
                     "estimate": a.per_day, "std_error": a.std_error, "unit": "customers",
                     "log_likelihood": np.nan, "n": a.first_orders})
        return pd.DataFrame(rows)

    def save(self, folder: str | Path) -> list[Path]:
        """Write the calibration into ``folder``: ``scenario.yaml`` (naming the customer
        table by a path relative to it), ``customers.csv``, ``fit.csv``,
        ``repeat_histogram.csv`` and with a back-test ``backtest.csv``,
        ``backtest_totals.csv``, ``conditional_expectation.csv``. Each file is written
        whole; files already in the folder that are not these are left alone.

        Returns:
            the files written.
        """
        return move_into(folder, self.write)

    def write(self, folder: Path) -> None:
        """Write the files of ``save`` into ``folder`` (no care for half-written files:
        ``save`` and the command line write into a scratch folder first)."""
        self.customers.to_csv(folder / CUSTOMERS, index=False)
        data = self.scenario.model_dump(mode="json", exclude_none=True)
        data["population"]["customers"]["file"] = CUSTOMERS
        atomic_write_text(folder / "scenario.yaml", _yaml(data))
        self.fit_table().to_csv(folder / "fit.csv", index=False)
        self.histogram.to_csv(folder / "repeat_histogram.csv", index=False)
        if self.backtest is not None:
            self.backtest.weekly.to_csv(folder / "backtest.csv", index=False)
            self.backtest.totals.to_csv(folder / "backtest_totals.csv", index=False)
            self.backtest.conditional.to_csv(folder / "conditional_expectation.csv",
                                             index=False)


def _yaml(data: dict[str, Any]) -> str:
    import yaml

    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


F = TypeVar("F")


def _fitted(model: str, where: str, source: str, fit: Callable[..., F], *args: Any) -> F:
    """``fit(*args)``, its ``ValueError`` as one sentence naming the model and segment."""
    try:
        return fit(*args)
    except ValueError as exc:
        text = str(exc).rstrip(".")
        if not text.startswith(model):  # the optimum, not the data, failed
            text = (f"{model} cannot be fitted: {text}; there are too few customers or "
                    "repeat purchases to tell its parameters apart")
        raise InputError(source, None, f"{where}: {text}") from None


def _fit_segments(log: OrderLog, summary: pd.DataFrame, segment: pd.Series,
                  recent: pd.Series) -> dict[str, SegmentFit]:
    """BG/NBD and Gamma-Gamma per segment; ``recent``: the segments of the recent new
    customers (their shares become the prospects' segments)."""
    names = sorted(segment.reindex(summary.index).unique())
    counts = segment.reindex(summary.index).value_counts()
    basis = recent if len(recent) else segment.reindex(summary.index)
    share = basis.value_counts().reindex(names, fill_value=0).astype(float) + 1e-6
    share /= share.sum()
    cats = segment_categories(log, segment) if len(names) > 1 else {}
    out = {}
    for name in names:
        s = summary[segment.reindex(summary.index).to_numpy() == name]
        where = f"segment '{name}'" if len(names) > 1 else "the log"
        bgnbd = _fitted("BG/NBD", where, log.source, fit_bgnbd, s["frequency"],
                        s["recency"], s["T"])
        spend = _fitted("Gamma-Gamma", where, log.source, fit_gamma_gamma, s["frequency"],
                        s["monetary"])
        tiers = None if log.city_tier is None else city_tier_shares(
            pd.Series(np.asarray(log.city_tier)[s.index.to_numpy()]))
        out[name] = SegmentFit(name, bgnbd, spend, int(counts[name]), float(share[name]),
                               tiers, cats.get(name))
    return out


def _recent_segments(log: OrderLog, until: pd.Timestamp, recent_days: int) -> pd.Series:
    """The segments of the customers whose first order falls in the recent window."""
    firsts = log.days.groupby("customer")["date"].min()
    codes = firsts[(firsts > until - pd.Timedelta(days=recent_days)) & (firsts <= until)].index
    return pd.Series(np.asarray(log.segment)[codes] if log.segment is not None
                     else [ALL] * len(codes), dtype=object)


def _arrivals(log: OrderLog, calendar: CalendarFit, until: pd.Timestamp,
              recent_days: int) -> Arrivals:
    """New customers per day over the last ``recent_days`` days to ``until``, divided by
    those days' demand multipliers (Poisson standard error)."""
    first = log.first_orders_per_day(until)
    window = first[first.index > until - pd.Timedelta(days=recent_days)]
    dates = pd.DatetimeIndex(window.index)
    demand = float((np.asarray(calendar.weekly)[dates.day_of_week]
                    * np.asarray(calendar.monthly)[dates.month - 1]).sum())
    count = int(window.sum())
    if not len(dates):
        return Arrivals(0.0, 0.0, 0, 0)
    return Arrivals(count / demand, float(np.sqrt(count)) / demand, count, len(dates))


def _calendar(daily: pd.Series) -> tuple[CalendarFit, str]:
    """The calendar of the customers' repeat orders; flat, with the reason, when the log
    is too short or too sparse to fit one."""
    try:
        return fit_calendar(daily), ""
    except ValueError as exc:
        names = [f"weekly.{d}" for d in WEEKDAYS] + [f"monthly.{m}" for m in MONTHS]
        flat = CalendarFit([1.0] * 7, [1.0] * 12, [], dict.fromkeys(names, np.nan), np.nan,
                           int((daily > 0).sum()), False, 0, np.nan)
        return flat, f"the calendar is flat: {exc}"


def _calibration_period(log: OrderLog, until: str | dt.date
                        ) -> tuple[pd.Timestamp, pd.DataFrame, pd.Series]:
    """The calibration date (checked against the log), the customers' summary to it and
    each customer's segment (by code; ``all`` without a segment column)."""
    end = pd.Timestamp(until).normalize()
    problem = log.until_problem(end)
    if problem is not None:
        raise InputError(log.source, "until", problem)
    seg = pd.Series(np.asarray(log.segment) if log.segment is not None
                    else np.full(len(log.ids), ALL, dtype=object))
    return end, log.summary(end), seg


def _scratch(table: pd.DataFrame) -> Path:
    """A folder holding ``customers.parquet``, the table the scenario reads until it is
    saved; removed when this process ends."""
    scratch = Path(tempfile.mkdtemp(prefix="growthsim-calibration-"))
    atexit.register(shutil.rmtree, scratch, True)
    table.to_parquet(scratch / "customers.parquet", index=False)
    return scratch


def _template(template: Scenario | str) -> dict[str, Any]:
    sc = scenarios.load(template) if isinstance(template, str) else template
    return sc.model_dump(mode="json", exclude_none=True)


def from_orders(orders: pd.DataFrame | str | Path, customer: str, date: str, value: str,
                until: str | dt.date, *, category: str | None = None,
                channel: str | None = None, city_tier: str | None = None,
                segment: str | None = None, promotion: str | None = None,
                template: Scenario | str = "baseline", days: int = 365,
                prospects: int | None = None, margin: float = 0.3, seeds: int = 8,
                jobs: int = 1, backtest: bool = True, name: str | None = None,
                currency: str | None = None, recent_days: int = RECENT_DAYS
                ) -> Calibration:
    """Calibrate a shop from its order log.

    Args:
        orders: the log: a CSV or Parquet file, or a frame; a row per order or line.
        customer, date, value: its columns of the customer id, order time and value.
        until: the calibration date (included); the log after it is the back-test's.
        category, channel, city_tier, segment, promotion: optional columns.
        template: the scenario whose channels and shopper behaviour the shop takes
            (a shipped scenario's name, or a scenario).
        days: the calibrated scenario's horizon, from the day after ``until``.
        prospects: shoppers who are not yet customers (default: see ``calibrate.shop``).
        margin: the share of the price that is not unit cost (the log has no costs).
        seeds, jobs, backtest: the back-test's replications and worker processes; run
            it (when the log continues past ``until``).
        name: the scenario's name (default: the log's file name, or ``my_shop``).
        currency: the log's currency (default: the template's).
        recent_days: the days before ``until`` over which new customers are counted.

    Returns:
        The calibration.

    Raises:
        sim.InputError: bad input (a missing column, an unreadable value, ``until``
            outside the log, a segment BG/NBD cannot be fitted to), in one sentence.
    """
    log = read_orders(orders, customer, date, value, category=category, channel=channel,
                      city_tier=city_tier, segment=segment, promotion=promotion)
    end, summary, seg = _calibration_period(log, until)
    fits = _fit_segments(log, summary, seg, _recent_segments(log, end, recent_days))
    # the calendar multiplies the buying of customers: fitted on their repeat orders
    calendar, calendar_note = _calendar(log.daily(end) - log.first_orders_per_day(end))
    arrivals = _arrivals(log, calendar, end, recent_days)
    tpl = _template(template)
    table = customer_table(log, summary, seg, end,
                           int(tpl["population"].get("spend_window_days", 365)))
    scratch = _scratch(table)
    opts = ShopOptions(days, prospects, margin, currency,
                       name or (Path(orders).stem if isinstance(orders, str | Path)
                                else "my_shop"))
    data = scenario_data(log, fits, calendar, arrivals.per_day, table,
                         scratch / "customers.parquet", end, tpl, opts)
    try:
        scenario = ScenarioWithLevers.model_validate(data)
    except ValidationError as exc:
        raise one_sentence(exc, ScenarioWithLevers, log.source) from None
    bt = None
    if backtest and pd.Timestamp(log.last) > end:
        bt = run_backtest(scenario, log, summary, fits, seg, end, seeds, jobs)
    return Calibration(scenario, fits, calendar, arrivals, table,
                       repeat_histogram(summary, fits, seg), bt, end.date(), log.source,
                       calendar_note, scratch)
