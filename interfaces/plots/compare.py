"""Plots of strategies side by side on the same seeds: daily GMV per strategy, and a
plan's promotion effect against the same plan without promotions."""

from __future__ import annotations

import matplotlib.dates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from interfaces.plots._style import band, daily_gmv_axis, money_label
from sim.calendar import build_calendar
from sim.decompose import Decomposition
from sim.plan import promotion_window
from sim.results import Results

__all__ = ["compare_gmv", "decomposition"]


def compare_gmv(results: dict[str, Results]) -> Figure:
    """Daily GMV per strategy (mean over the shared seeds), promotion windows shaded."""
    first = next(iter(results.values()))
    cur = first.scenario.currency
    fig, ax = plt.subplots(figsize=(11, 4.8))
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, (name, res) in enumerate(results.items()):
        colour = colours[i % len(colours)]
        window = promotion_window(res.scenario, res.strategy, res.scenario.horizon.n_days)
        dates = matplotlib.dates.date2num(pd.to_datetime(build_calendar(res.scenario).dates))
        for day in np.flatnonzero(window).tolist():
            ax.axvspan(dates[day] - 0.5, dates[day] + 0.5, color=colour, alpha=0.12, lw=0)
        b = band(res.daily, "gmv")
        n = len(res.strategy.promotions)
        shaded = f"{n} promotion window{'s' if n != 1 else ''} shaded" if n else "no promotion"
        ax.plot(b.index, b["mean"], color=colour, lw=1.6, label=f"{name} ({shaded})")
    daily_gmv_axis(ax, cur)
    ax.set_title(f"{first.scenario.name}: daily GMV by strategy "
                 f"(mean of the same {first.n_seeds} seeds)")
    fig.tight_layout()
    return fig


def decomposition(dec: Decomposition) -> Figure:
    """Daily GMV with and without the promotions (same seeds): bump and dip filled."""
    res = dec.with_promotions
    cur = res.scenario.currency
    a, b = band(res.daily, "gmv")["mean"], band(dec.without.daily, "gmv")["mean"]
    t = dec.table()
    fig, ax = plt.subplots(figsize=(11, 4.8))
    dates = matplotlib.dates.date2num(a.index)
    for day in np.flatnonzero(dec.in_window).tolist():
        ax.axvspan(dates[day] - 0.5, dates[day] + 0.5, color="#fde9b6", lw=0, zorder=0)
    ax.plot(b.index, b, color="#7f8c8d", lw=1.4, label="without promotions (baseline)")
    ax.plot(a.index, a, color="#c0392b", lw=1.6, label="with promotions")
    ax.fill_between(a.index, b, a, where=a >= b, color="#27ae60", alpha=0.35,
                    label=f"bump: {money_label(float(t['mean']['bump_gmv']))} {cur}")
    ax.fill_between(a.index, b, a, where=a < b, color="#e74c3c", alpha=0.35,
                    label=f"lost in the {dec.after} days after (pull-forward, lower reference "
                          f"prices): {money_label(float(t['mean']['pulled_forward_gmv']))} "
                          f"{cur}; later {money_label(float(t['mean']['lost_gmv_later']))}")
    since = dec.since_window()
    ends = np.flatnonzero(since == dec.after)  # the last day counted after a window
    for day in ends.tolist():
        ax.axvline(dates[day] + 0.5, color="#7f8c8d", ls="--", lw=1)
    daily_gmv_axis(ax, cur)
    ax.set_title(f"{res.scenario.name}: promotion effect on the same {res.n_seeds} seeds; net "
                 f"GMV {money_label(float(t['mean']['net_incremental_gmv']))}, net profit "
                 f"{money_label(float(t['mean']['net_incremental_profit']))} {cur}")
    fig.tight_layout()
    return fig

