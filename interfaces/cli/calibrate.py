"""``growthsim calibrate``: from a shop's order log to a scenario, with its back-test."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.table import Table

import scenarios
from calibrate.calibration import Calibration, from_orders
from calibrate.orders import columns_of
from interfaces.cli._common import (
    JobsOpt,
    ReportOpt,
    check_out,
    console,
    fail,
    parse,
    report_after_writing,
    user_input,
)
from optimize.levers import ScenarioWithLevers
from sim._folder import move_into
from sim.errors import InputError

__all__ = ["calibrate_cmd"]

ColumnOpt = Annotated[str | None, typer.Option(help="Optional column (see the README).")]


def _column(option: str, value: str | None, orders: Path, what: str) -> str:
    """A required column option, or a sentence listing the columns the log has."""
    if value is None:
        cols = ", ".join(columns_of(orders))
        raise InputError("command line", option, f"is needed: name the column of {what} "
                                                 f"({orders} has the columns {cols})")
    return value


def calibrate_cmd(
    orders: Annotated[Path, typer.Argument(help="The order log: CSV (or .csv.gz) or Parquet, "
                                                "one row per order or order line.")],
    customer: Annotated[str | None, typer.Option(help="Column of the customer id.")] = None,
    date: Annotated[str | None, typer.Option(help="Column of the order date or time.")] = None,
    value: Annotated[str | None, typer.Option(help="Column of the order value.")] = None,
    until: Annotated[str | None, typer.Option(
        help="Calibration date (YYYY-MM-DD, included); the log after it is back-tested.")
    ] = None,
    out: Annotated[Path, typer.Option(help="Folder for the scenario, its customer table, "
                                           "the fit and the back-test.")] = Path("my_shop"),
    category: ColumnOpt = None,
    channel: ColumnOpt = None,
    city_tier: ColumnOpt = None,
    segment: ColumnOpt = None,
    promotion: ColumnOpt = None,
    template: Annotated[str, typer.Option(
        help="Scenario whose channels and shopper behaviour the shop takes.")] = "baseline",
    days: Annotated[int, typer.Option(help="Horizon of the calibrated scenario.")] = 365,
    prospects: Annotated[int | None, typer.Option(
        help="Shoppers who are not customers yet (default: as many as customers).")] = None,
    margin: Annotated[float, typer.Option(
        help="Share of the price that is not unit cost (the log has no costs).")] = 0.3,
    currency: Annotated[str | None, typer.Option(
        help="The log's currency (default: the template's).")] = None,
    seeds: Annotated[int, typer.Option(help="Replications of the back-test.")] = 8,
    jobs: JobsOpt = 1,
    backtest: Annotated[bool, typer.Option(
        help="Simulate the log after --until and compare.")] = True,
    with_report: ReportOpt = False,
) -> None:
    """Calibrate a scenario to a shop's order log; back-test it on the rest of the log."""
    with user_input():
        _check(seeds, jobs, days, margin, prospects)
        check_out(out)
        base = _template(template)
        if not orders.exists():
            raise InputError(str(orders), None, "no such file")
        cols = {opt: _column(f"--{opt}", v, orders, what) for opt, v, what in (
            ("customer", customer, "the customer id"), ("date", date, "the order time"),
            ("value", value, "the order value"))}
        end = parse("--until", _date, until or "")
        cal = from_orders(orders, cols["customer"], cols["date"], cols["value"], end,
                          category=category, channel=channel, city_tier=city_tier,
                          segment=segment, promotion=promotion, template=base,
                          days=days, prospects=prospects, margin=margin, seeds=seeds,
                          jobs=jobs, backtest=backtest, currency=currency,
                          name=out.resolve().name)
    _print(cal)
    try:
        written = _write(cal, out)
    except OSError as exc:  # refused by the system after the checks: nothing was moved in
        raise fail(f"{out}: --out: cannot be written ({exc.strerror or exc}); nothing "
                   "was written") from None
    console.print(f"Wrote {len(written)} files to {out}/: "
                  + ", ".join(p.name for p in written))
    if with_report:
        report_after_writing(out)


def _check(seeds: int, jobs: int, days: int, margin: float, prospects: int | None) -> None:
    for name, v in (("seeds", seeds), ("jobs", jobs), ("days", days)):
        if v < 1:
            raise InputError("command line", f"--{name}",
                             f"must be a whole number of at least 1 (got {v})")
    if not 0.0 < margin < 1.0:
        raise InputError("command line", "--margin", f"must be between 0 and 1 (got {margin})")
    if prospects is not None and prospects < 0:
        raise InputError("command line", "--prospects", f"must be 0 or more (got {prospects})")


def _date(text: str) -> dt.date:
    if not text:
        raise ValueError("is needed: the calibration date, YYYY-MM-DD")
    return dt.date.fromisoformat(text)


def _template(template: str) -> ScenarioWithLevers:
    try:
        return scenarios.load(template)
    except InputError as exc:
        raise InputError("command line", "--template", str(exc)) from None


def _write(cal: Calibration, out: Path) -> list[Path]:
    """Write the calibration and its plots into ``out``, each file whole."""
    from interfaces.plots import calibration as plots

    def write(scratch: Path) -> None:
        cal.write(scratch)
        plots.save_all(cal, scratch)

    return move_into(out, write)


def _print(cal: Calibration) -> None:
    """The fits per segment, the calendar, arrivals and the back-test's totals."""
    cur = cal.scenario.currency
    repeat = Table(title=f"BG/NBD repeat buying, fitted to {cal.until} ({cal.source})")
    spend = Table(title=f"Gamma-Gamma spend per order ({cur})")
    for table, cols in ((repeat, ("segment", "customers", "r", "alpha (days)", "a", "b",
                                  "log-lik")),
                        (spend, ("segment", "repeat buyers", "p", "q", "gamma",
                                 f"mean order ({cur})", "log-lik"))):
        for col in cols:
            table.add_column(col, justify="left" if col == "segment" else "right")
    for name, seg in cal.segments.items():
        b, bse = seg.bgnbd.params, seg.bgnbd.std_errors
        g, gse = seg.spend.params, seg.spend.std_errors
        repeat.add_row(name, f"{seg.customers:,}",
                       *(f"{b[k]:.4g} ± {bse[k]:.2g}" for k in ("r", "alpha", "a", "b")),
                       f"{seg.bgnbd.log_likelihood:,.1f}")
        mean = g["p"] * g["gamma"] / (g["q"] - 1) if g["q"] > 1 else float("nan")
        spend.add_row(name, f"{seg.spend.n:,}",
                      *(f"{g[k]:.4g} ± {gse[k]:.2g}" for k in ("p", "q", "gamma")),
                      f"{mean:,.2f}", f"{seg.spend.log_likelihood:,.1f}")
    console.print(repeat)
    console.print(spend)
    c, a = cal.calendar, cal.arrivals
    week = " ".join(f"{d} {m:.2f}" for d, m in zip(("Mon", "Tue", "Wed", "Thu", "Fri", "Sat",
                                                      "Sun"), c.weekly, strict=True))
    console.print(f"Weekdays: {week}; months fitted: {'yes' if c.monthly_fitted else 'no'}; "
                  f"event days: {len(c.events)}")
    if cal.notes:
        console.print(f"Note: {cal.notes}.")
    console.print(f"New customers: {a.per_day:.2f} a day ± {a.std_error:.2f} "
                  f"({a.first_orders:,} first orders in the last {a.days} days)")
    if cal.backtest is not None:
        console.print(_totals_table(cal))


def _totals_table(cal: Calibration) -> Table:
    bt = cal.backtest
    assert bt is not None
    t = Table(title=f"Back-test: {bt.days} days after {cal.until}, {bt.seeds} seeds "
                    "(customers of the calibration period)")
    for col in ("measure", "actual", "simulated", "95% band", "error", "BG/NBD closed form",
                "error "):
        t.add_column(col, justify="left" if col == "measure" else "right")
    labels = {"orders": "repeat orders", "gmv": f"GMV ({cal.scenario.currency})",
              "buyers": "active buyers"}
    for row in bt.totals.to_dict("records"):
        closed = "" if pd.isna(row["closed_form"]) else f"{row['closed_form']:,.0f}"
        closed_err = "" if pd.isna(row["closed_form_error"]) \
            else f"{row['closed_form_error']:+.1%}"
        t.add_row(labels[row["measure"]], f"{row['actual']:,.0f}", f"{row['simulated']:,.0f}",
                  f"{row['low']:,.0f} – {row['high']:,.0f}", f"{row['simulated_error']:+.1%}",
                  closed, closed_err)
    return t
