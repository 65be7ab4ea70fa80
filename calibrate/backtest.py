"""The back-test: the calibrated shop simulated over the log's holdout, against what happened.

When the log continues past the calibration date, the shop is simulated from the day
after it to the log's last day on several seeds, and its customers' orders are compared
week by week with the log's: repeat orders, GMV and active buyers (distinct customers who
ordered in the week) of the customers of the calibration period. New customers of the
holdout are left out on both sides, as in Fader, Hardie & Lee (2005).

* The band is where one realisation of the market falls: the mean over seeds plus or
  minus 1.96 standard deviations across them (a normal approximation; it holds the
  randomness of the shoppers, not the uncertainty of the fitted parameters).
* The BG/NBD closed form (``calibrate.bgnbd.conditional_expected``, the Gamma-Gamma
  expected order value for GMV) is drawn beside the simulation: it knows neither the
  calendar (weekdays, months, events) nor the engine's at most one order a day.
* The classic diagnostics of the fit (FHL 2005, figures 3 and 4): customers by repeat
  purchases in the calibration period, actual against the model, and the mean holdout
  purchases by calibration frequency, actual against the model and the simulation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from calibrate.bgnbd import probability_of_purchases
from calibrate.orders import OrderLog
from calibrate.shop import SegmentFit
from sim.runner import simulate
from sim.schema import Scenario

__all__ = ["MEASURES", "Backtest", "repeat_histogram", "run_backtest"]

#: what the back-test compares per week: repeat orders, GMV, active buyers
MEASURES = ("orders", "gmv", "buyers")
TOP = 7  # calibration frequencies from TOP up are one bin ("7+")


@dataclass(frozen=True)
class Backtest:
    """What the back-test measured.

    Attributes:
        weekly: one row per week of the holdout: ``week``, ``start``, ``days`` and per
            measure ``actual_<m>``, ``simulated_<m>``, ``low_<m>``, ``high_<m>``, and
            ``closed_form_orders``, ``closed_form_gmv``; ``cum_low_orders`` and
            ``cum_high_orders`` band the repeat orders to date.
        totals: per measure (orders, GMV; buyers: distinct customers over the holdout)
            the actual, the simulated mean and band, the closed form, and their errors
            (simulated / actual - 1).
        conditional: per calibration frequency (0 .. 7+): customers, their mean holdout
            repeat orders, actual, BG/NBD and simulated.
        seeds: replications simulated.
        days: length of the holdout.
    """

    weekly: pd.DataFrame
    totals: pd.DataFrame
    conditional: pd.DataFrame
    seeds: int
    days: int


def _bins(frequency: np.ndarray) -> np.ndarray:
    return np.minimum(frequency, TOP)


def _bin_labels() -> list[str]:
    return [str(x) for x in range(TOP)] + [f"{TOP}+"]


def repeat_histogram(summary: pd.DataFrame, fits: dict[str, SegmentFit],
                     segment: pd.Series) -> pd.DataFrame:
    """Customers by repeat purchases in the calibration period (0 .. 7+), actual and
    BG/NBD (each customer's own age, summed; FHL 2005, figure 3)."""
    actual = np.bincount(_bins(summary["frequency"].to_numpy()), minlength=TOP + 1)
    model = np.zeros(TOP + 1)
    seg = segment.reindex(summary.index).to_numpy()
    for name, fit in fits.items():
        age = summary["T"].to_numpy()[seg == name]
        probs = np.array([probability_of_purchases(fit.bgnbd.params, x, age).sum()
                          for x in range(TOP)])
        model[:TOP] += probs
        model[TOP] += age.size - probs.sum()
    return pd.DataFrame({"frequency": _bin_labels(), "actual": actual, "model": model})


def _actual(log: OrderLog, cohort: pd.Index, until: pd.Timestamp) -> pd.DataFrame:
    """The cohort's holdout orders: customer code, day index after ``until``, value."""
    d = log.days[(log.days["date"] > until) & log.days["customer"].isin(cohort)]
    day = (d["date"] - until).dt.days.to_numpy() - 1
    return pd.DataFrame({"customer": d["customer"].to_numpy(), "day": day,
                         "gmv": d["value"].to_numpy()})


def _per_week(orders: pd.DataFrame, n_weeks: int) -> pd.DataFrame:
    """Orders, GMV and distinct buyers per week of one realisation."""
    week = orders["day"].to_numpy() // 7
    g = orders.assign(week=week).groupby("week")
    out = pd.DataFrame({"orders": g.size(), "gmv": g["gmv"].sum(),
                        "buyers": g["customer"].nunique()})
    return out.reindex(range(n_weeks), fill_value=0).astype(float)


def _closed_form(summary: pd.DataFrame, fits: dict[str, SegmentFit], segment: pd.Series,
                 edges: np.ndarray) -> pd.DataFrame:
    """BG/NBD expected repeat orders and GMV per week (between ``edges`` in days)."""
    seg = segment.reindex(summary.index).to_numpy()
    orders = np.zeros(len(edges) - 1)
    gmv = np.zeros(len(edges) - 1)
    for name, fit in fits.items():
        s = summary[seg == name]
        x, tx, age = s["frequency"].to_numpy(), s["recency"].to_numpy(), s["T"].to_numpy()
        cum = np.array([fit.bgnbd.conditional_expected(t, x, tx, age) if t > 0
                        else np.zeros(len(s)) for t in edges])
        value = fit.spend.conditional_expected_value(x, s["monetary"].to_numpy())
        per = np.diff(cum, axis=0)
        orders += per.sum(axis=1)
        gmv += per @ value
    return pd.DataFrame({"closed_form_orders": orders, "closed_form_gmv": gmv})


def _band(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean over seeds (axis 0) and the 95% band of one realisation."""
    mean = values.mean(axis=0)
    sd = values.std(axis=0, ddof=1) if values.shape[0] > 1 else np.zeros_like(mean)
    return mean, np.maximum(mean - 1.96 * sd, 0.0), mean + 1.96 * sd


def run_backtest(scenario: Scenario, log: OrderLog, summary: pd.DataFrame,
                 fits: dict[str, SegmentFit], segment: pd.Series, until: pd.Timestamp,
                 seeds: int, jobs: int = 1) -> Backtest:
    """Simulate the holdout (``until`` + 1 to the log's last day) and compare.

    Args:
        scenario: the calibrated shop (its horizon is cut to the holdout).
        log: the order log.
        summary: its per-customer summary to ``until`` in days (index: customer code).
        fits: the fits by segment; ``segment``: each customer's segment (by code).
        until: the calibration date.
        seeds: replications; ``jobs``: worker processes.
    """
    days = int((pd.Timestamp(log.last) - until).days)
    n_weeks = -(-days // 7)
    res = simulate(scenario.with_overrides({"horizon.days": days}), seeds=seeds, jobs=jobs,
                   orders=True)
    assert res.orders is not None
    ids = pd.Index(np.asarray(log.ids)[summary.index.to_numpy()])
    sim_orders = res.orders[res.orders["customer"].isin(ids)]
    by_seed = [_per_week(part, n_weeks) for _, part in sim_orders.groupby("seed")]
    by_seed += [_per_week(sim_orders.iloc[:0], n_weeks)] * (seeds - len(by_seed))
    actual_orders = _actual(log, summary.index, until)
    actual = _per_week(actual_orders, n_weeks)
    edges = np.minimum(np.arange(n_weeks + 1) * 7, days).astype(float)
    weekly = pd.DataFrame({"week": np.arange(1, n_weeks + 1),
                           "start": [until + pd.Timedelta(days=int(e) + 1) for e in edges[:-1]],
                           "days": np.diff(edges).astype(int)})
    for m in MEASURES:
        per_seed = np.stack([w[m].to_numpy() for w in by_seed])
        weekly[f"actual_{m}"] = actual[m].to_numpy()
        weekly[f"simulated_{m}"], weekly[f"low_{m}"], weekly[f"high_{m}"] = _band(per_seed)
    # the repeat orders to date: the band of the running sum, seed by seed
    per_seed = np.stack([w["orders"].to_numpy().cumsum() for w in by_seed])
    _, weekly["cum_low_orders"], weekly["cum_high_orders"] = _band(per_seed)
    weekly = pd.concat([weekly, _closed_form(summary, fits, segment, edges)], axis=1)
    sim_cust = sim_orders.groupby(["seed", "customer"]).size()
    totals = _totals(weekly, actual_orders, sim_orders, seeds)
    return Backtest(weekly, totals, _conditional(summary, fits, segment, days,
                                                 actual_orders, sim_cust, ids, seeds),
                    seeds, days)


def _totals(weekly: pd.DataFrame, actual: pd.DataFrame, simulated: pd.DataFrame,
            seeds: int) -> pd.DataFrame:
    """Holdout totals per measure: actual, simulated (mean and band), closed form."""
    rows = []
    for m in MEASURES:
        if m == "buyers":  # distinct customers over the whole holdout
            per_seed = simulated.groupby("seed")["customer"].nunique() \
                .reindex(range(seeds), fill_value=0).to_numpy(dtype=float)
            act, closed = float(actual["customer"].nunique()), np.nan
        else:
            g = simulated.groupby("seed")
            per_seed = (g["gmv"].sum() if m == "gmv" else g.size()).reindex(
                range(seeds), fill_value=0).to_numpy(dtype=float)
            act = float(weekly[f"actual_{m}"].sum())
            closed = float(weekly[f"closed_form_{m}"].sum())
        mean, low, high = _band(per_seed[:, None])
        rows.append({"measure": m, "actual": act, "simulated": float(mean[0]),
                     "low": float(low[0]), "high": float(high[0]),
                     "simulated_error": float(mean[0]) / act - 1 if act else np.nan,
                     "closed_form": closed,
                     "closed_form_error": closed / act - 1 if act else np.nan})
    return pd.DataFrame(rows)


def _conditional(summary: pd.DataFrame, fits: dict[str, SegmentFit], segment: pd.Series,
                 days: int, actual: pd.DataFrame, sim_per_customer: pd.Series,
                 ids: pd.Index, seeds: int) -> pd.DataFrame:
    """Mean holdout repeat orders by calibration frequency: actual, BG/NBD, simulated
    (FHL 2005, figure 4)."""
    seg = segment.reindex(summary.index).to_numpy()
    model = np.zeros(len(summary))
    for name, fit in fits.items():
        m = seg == name
        s = summary[m]
        model[m] = fit.bgnbd.conditional_expected(days, s["frequency"], s["recency"], s["T"])
    act = actual.groupby("customer").size().reindex(summary.index, fill_value=0)
    sim_total = sim_per_customer.groupby(level="customer").sum().reindex(ids, fill_value=0)
    frame = pd.DataFrame({"bin": _bins(summary["frequency"].to_numpy()),
                          "actual": act.to_numpy(dtype=float), "model": model,
                          "simulated": sim_total.to_numpy(dtype=float) / seeds})
    g = frame.groupby("bin")
    out = pd.DataFrame({"customers": g.size(), "actual": g["actual"].mean(),
                        "model": g["model"].mean(), "simulated": g["simulated"].mean()})
    out = out.reindex(range(TOP + 1))
    out.insert(0, "frequency", _bin_labels())
    return out.reset_index(drop=True)
