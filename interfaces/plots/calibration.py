"""Plots of a calibration: the back-test against the log, and the fit's diagnostics.

* ``backtest``: per week of the holdout, the customers' repeat orders (weekly and
  cumulative), GMV and active buyers: the log, the simulation's mean with the band where
  one realisation falls, and the BG/NBD closed form.
* ``diagnostics``: customers by repeat purchases in the calibration period, actual against
  BG/NBD (Fader, Hardie & Lee 2005, figure 3), and the mean holdout purchases by
  calibration frequency, actual against BG/NBD and the simulation (figure 4).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from calibrate.calibration import Calibration
from interfaces.plots._style import date_axis, money_axis, save_figures

__all__ = ["backtest", "diagnostics", "save_all"]

_ACTUAL, _SIM, _CLOSED = "#2c3e50", "#c0392b", "#2980b9"


def backtest(cal: Calibration) -> Figure:
    """The back-test: the log against the simulation and the closed form, per week (the
    weekly panels leave out a last, partial week; the cumulative one counts it)."""
    bt = cal.backtest
    if bt is None:
        raise ValueError("this calibration has no back-test: the log ends at its "
                         "calibration date")
    cur = cal.scenario.currency
    full = bt.weekly[bt.weekly["days"] == 7]  # a last, partial week would look like a drop
    fig, axes = plt.subplots(2, 2, figsize=(12, 7.5), sharex=True)
    panels = ((axes[0, 0], "orders", "Repeat orders per week", True),
              (axes[0, 1], "orders", "Cumulative repeat orders", True),
              (axes[1, 0], "gmv", f"GMV per week ({cur})", True),
              (axes[1, 1], "buyers", "Active buyers per week", False))
    for i, (ax, m, title, closed) in enumerate(panels):
        cum = i == 1
        w = bt.weekly if cum else full
        pick = (lambda s: s.cumsum()) if cum else (lambda s: s)
        low, high = (w["cum_low_orders"], w["cum_high_orders"]) if cum else \
            (w[f"low_{m}"], w[f"high_{m}"])
        ax.fill_between(w["start"], low, high, color=_SIM, alpha=0.2, lw=0,
                        label="95% band of one realisation")
        ax.plot(w["start"], pick(w[f"simulated_{m}"]), color=_SIM, lw=1.6,
                label=f"simulated (mean of {bt.seeds} seeds)")
        ax.plot(w["start"], pick(w[f"actual_{m}"]), color=_ACTUAL, lw=1.8, marker="o",
                ms=2.5, label="actual (the log)")
        if closed:
            ax.plot(w["start"], pick(w[f"closed_form_{m}"]), color=_CLOSED, lw=1.4,
                    ls="--", label="BG/NBD closed form")
        ax.set_title(title, fontsize=10)
        money_axis(ax.yaxis)
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
    axes[0, 0].legend(fontsize=8, loc="upper right")
    for ax in axes[1]:
        date_axis(ax)
    t = bt.totals.set_index("measure").loc["orders"].to_dict()
    fig.suptitle(f"{cal.scenario.name}: back-test over {bt.days} days after {cal.until} "
                 f"(repeat orders: actual {float(t['actual']):,.0f}, simulated "
                 f"{float(t['simulated']):,.0f}, closed form "
                 f"{float(t['closed_form']):,.0f})", fontsize=11)
    fig.tight_layout()
    return fig


def diagnostics(cal: Calibration) -> Figure:
    """The fit's diagnostics: the calibration-period histogram and, with a back-test,
    the conditional expectation of holdout purchases."""
    bt = cal.backtest
    fig, axes = plt.subplots(1, 2 if bt is not None else 1, figsize=(12, 4.6),
                             squeeze=False)
    h = cal.histogram
    x = np.arange(len(h))
    ax = axes[0, 0]
    ax.bar(x - 0.2, h["actual"], width=0.4, color=_ACTUAL, label="actual")
    ax.bar(x + 0.2, h["model"], width=0.4, color=_CLOSED, label="BG/NBD")
    ax.set_xticks(x, h["frequency"])
    ax.set_xlabel(f"Repeat purchases to {cal.until}")
    ax.set_ylabel("Customers")
    ax.set_title("Calibration period: customers by repeat purchases", fontsize=10)
    ax.legend(fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    if bt is not None:
        c = bt.conditional
        ax = axes[0, 1]
        ax.plot(x, c["actual"], color=_ACTUAL, marker="o", label="actual")
        ax.plot(x, c["model"], color=_CLOSED, marker="s", ls="--", label="BG/NBD")
        ax.plot(x, c["simulated"], color=_SIM, marker="^", label="simulated")
        ax.set_xticks(x, c["frequency"])
        ax.set_xlabel(f"Repeat purchases to {cal.until}")
        ax.set_ylabel(f"Mean repeat purchases in the {bt.days} days after")
        ax.set_title("Holdout: conditional expectation by calibration frequency",
                     fontsize=10)
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3)
    fig.suptitle(f"{cal.scenario.name}: BG/NBD diagnostics", fontsize=11)
    fig.tight_layout()
    return fig


def save_all(cal: Calibration, out_dir: str | Path) -> list[Path]:
    """Write ``backtest.png`` (with a back-test) and ``diagnostics.png``."""
    makers = [("diagnostics", diagnostics)]
    if cal.backtest is not None:
        makers.insert(0, ("backtest", backtest))
    return save_figures(makers, cal, out_dir)
