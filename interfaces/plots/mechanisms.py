"""Plots of the market's mechanisms a plan uses: the promotion calendar and its cost,
loyalty tiers and points, stock by category."""

from __future__ import annotations

import matplotlib.dates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from interfaces.plots._style import date_axis, money_axis, money_label
from sim.calendar import build_calendar
from sim.plan import promotion_days
from sim.results import Results

__all__ = ["inventory", "loyalty", "promotions"]


def promotions(res: Results) -> Figure:
    """The promotion calendar (one row per promotion, coloured by kind) above what the
    offers cost per day (discount and loyalty cost) and the presale's deposits and
    completions."""
    cur, n_days = res.scenario.currency, res.scenario.horizon.n_days
    plan = res.strategy.promotions
    dates = pd.to_datetime(build_calendar(res.scenario).dates)
    num = matplotlib.dates.date2num(dates)
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(11, 2.2 + 0.35 * len(plan) + 3.2),
                                      sharex=True, height_ratios=[0.5 + 0.35 * len(plan), 3])
    for row, promo in enumerate(plan):
        days = np.flatnonzero(promotion_days(res.scenario, promo, n_days))
        top.broken_barh([(num[d] - 0.45, 0.9) for d in days.tolist()], (row - 0.4, 0.8),
                        color=promo.colour)
        if promo.takes_deposits and days.size:
            top.plot(num[days[-1]], row, marker="*", color="black", ms=9)
    top.set_yticks(range(len(plan)), [f"{p.name} ({p.kind})" for p in plan], fontsize=8)
    top.invert_yaxis()
    top.grid(axis="x", alpha=0.3)
    top.set_title(f"{res.scenario.name}: promotions (★ presale final payment) and what they "
                  f"cost per day (mean of {res.n_seeds} seeds)")
    mean = res.daily.groupby("date")[["discount_cost", "loyalty_cost", "deposits",
                                      "presale_orders"]].mean()
    x = matplotlib.dates.date2num(mean.index)
    bottom.bar(x, mean["discount_cost"], width=0.85, color="#c0392b",
               label=f"discount cost ({cur})")
    bottom.bar(x, mean["loyalty_cost"], width=0.85, bottom=mean["discount_cost"],
               color="#16a085", label=f"gifts and points ({cur})")
    bottom.set_ylabel(f"cost per day ({cur})")
    money_axis(bottom.yaxis)
    bottom.grid(alpha=0.3)
    handles, labels = bottom.get_legend_handles_labels()
    if mean["deposits"].any():
        twin = bottom.twinx()
        twin.plot(x, mean["deposits"], color="#2980b9", lw=1.6, label="presale deposits")
        done = mean["presale_orders"] > 0
        twin.plot(x[done], mean["presale_orders"][done], color="#2980b9", ls="", marker="o",
                  label="presale orders completed")
        twin.set_ylabel("deposits, completions")
        money_axis(twin.yaxis)
        twin.set_ylim(bottom=0)
        more = twin.get_legend_handles_labels()
        handles, labels = handles + more[0], labels + more[1]
    bottom.legend(handles, labels, loc="upper left", fontsize=8)
    date_axis(bottom)
    fig.tight_layout()
    return fig


def loyalty(res: Results) -> Figure:
    """Members per loyalty tier over time, and the points liability with the points
    issued and redeemed (value, cumulative)."""
    cur = res.scenario.currency
    tiers = res.by_tier.groupby(["date", "tier"], sort=False)["members"].mean().unstack()
    tiers = tiers[[t.name for t in res.strategy.loyalty.tiers]] if res.strategy.loyalty \
        else tiers
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(11, 6.5), sharex=True)
    top.stackplot(tiers.index, tiers.T.to_numpy(), labels=list(tiers.columns),
                  colors=["#bdc3c7", "#f1c40f", "#8e44ad", "#2c3e50"][:len(tiers.columns)])
    top.set_ylabel("members")
    money_axis(top.yaxis)
    top.legend(loc="upper left", fontsize=8)
    top.grid(alpha=0.3)
    top.set_title(f"{res.scenario.name}: loyalty tiers and points (mean of {res.n_seeds} "
                  "seeds)")
    d = res.daily.groupby("date")[["points_liability", "points_issued",
                                   "points_redeemed"]].mean()
    bottom.plot(d.index, d["points_liability"], color="#c0392b", lw=1.8,
                label="points liability (outstanding)")
    bottom.plot(d.index, d["points_issued"].cumsum(), color="#2980b9", lw=1.2, ls="--",
                label="points issued, cumulative")
    bottom.plot(d.index, d["points_redeemed"].cumsum(), color="#27ae60", lw=1.2, ls="--",
                label="points redeemed, cumulative (loyalty cost)")
    bottom.set_ylabel(f"value ({cur})")
    money_axis(bottom.yaxis)
    bottom.legend(loc="upper left", fontsize=8)
    bottom.grid(alpha=0.3)
    date_axis(bottom)
    fig.tight_layout()
    return fig


def inventory(res: Results) -> Figure:
    """Stock per category with a stock plan: units on hand per day (mean over seeds),
    reorders and arrivals marked, stock-out days shaded (darker: more seeds lost sales
    that day); then lost GMV per category with its fill rate and days of cover."""
    cats = list(res.strategy.stock)
    f = res.by_category[res.by_category["category"].isin(cats)]
    mean = f.groupby(["date", "category"], sort=False)[
        ["stock_units", "reorder_units", "arrivals"]].mean()
    out_share = (f.assign(out=f["lost_units"] > 0)
                 .groupby(["date", "category"], sort=False)["out"].mean())
    table = res.inventory_summary()
    cols = 2
    rows = (len(cats) + 1 + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(12, 3.1 * rows), squeeze=False)
    flat = axes.ravel()
    for ax, cat in zip(flat, cats, strict=False):
        _stock_axis(ax, cat, mean.xs(cat, level="category"),
                    out_share.xs(cat, level="category"), table)
    flat[0].legend(fontsize=7, loc="upper left")
    _lost_gmv_axis(flat[len(cats)], table, res.scenario.currency)
    spare = flat[len(cats) + 1:]
    for extra in spare:
        extra.axis("off")
    if len(spare):
        _stock_table(spare[0], table)
    fig.suptitle(f"{res.scenario.name}: stock by category (mean of {res.n_seeds} seeds; "
                 "red: days with lost sales)", fontsize=11)
    fig.tight_layout()
    return fig


def _stock_axis(ax: plt.Axes, cat: str, m: pd.DataFrame | pd.Series,
                shares: pd.DataFrame | pd.Series, table: pd.DataFrame) -> None:
    """One category: units on hand, reorders and arrivals, stock-out days shaded."""
    dates = m.index
    for date, share in zip(pd.to_datetime(shares.index), shares.to_numpy(), strict=True):
        if share > 0:
            day = float(matplotlib.dates.date2num(date))
            ax.axvspan(day - 0.5, day + 0.5, color="#e74c3c", alpha=0.12 + 0.4 * share, lw=0)
    ax.plot(dates, m["stock_units"], color="#2c3e50", lw=1.6, label="on hand")
    top = max(float(m["stock_units"].max()), 1.0)
    orders = m.index[m["reorder_units"] > 0]
    arrive = m.index[m["arrivals"] > 0]
    ax.plot(orders, np.full(len(orders), top * 1.06), "v", color="#2980b9", ms=6,
            label="reorder placed")
    ax.plot(arrive, np.full(len(arrive), top * 1.13), "^", color="#27ae60", ms=6,
            label="delivery arrives")
    ax.set_ylim(0, top * 1.22)
    ax.set_title(f"{cat}: fill rate {table['fill_rate'][cat]:.0%}, "
                 f"{table['stockout_days'][cat]:.0f} stock-out days", fontsize=10)
    ax.set_ylabel("units")
    money_axis(ax.yaxis)
    ax.grid(alpha=0.3)
    date_axis(ax)


def _lost_gmv_axis(ax: plt.Axes, table: pd.DataFrame, cur: str) -> None:
    """Lost GMV per category, each bar with its fill rate and days of cover."""
    lost = table["lost_gmv"]
    bars = ax.bar(lost.index, lost.to_numpy(), color="#c0392b")
    for bar, cat in zip(bars, lost.index, strict=True):
        ax.annotate(f"fill {table['fill_rate'][cat]:.0%}\n"
                    f"cover {table['days_of_cover'][cat]:.0f} d",
                    (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                    ha="center", va="bottom", fontsize=8)
    ax.set_ylim(0, max(float(lost.max()), 1.0) * 1.3)
    ax.set_ylabel(f"lost GMV ({cur})")
    money_axis(ax.yaxis)
    ax.set_title("GMV lost to stock-outs (days of cover: closing stock)", fontsize=10)
    ax.grid(alpha=0.3, axis="y")


def _stock_table(ax: plt.Axes, table: pd.DataFrame) -> None:
    """The stock KPIs per category as a table in a spare panel."""
    cells = [[f"{r['fill_rate']:.1%}", f"{r['stockout_rate']:.1%}",
              money_label(float(r["lost_gmv"])), f"{r['stockout_days']:.0f}",
              f"{r['turns']:.1f}", f"{r['days_of_cover']:.0f}",
              money_label(float(r["holding_cost"]))] for _, r in table.iterrows()]
    tab = ax.table(cellText=cells, rowLabels=list(table.index),
                   colLabels=["fill rate", "stock-out\nrate", "lost GMV",
                              "stock-out\ndays", "turns", "days of\ncover",
                              "holding\ncost"], loc="center", cellLoc="center")
    tab.auto_set_font_size(False)
    tab.set_fontsize(8)
    tab.scale(1, 1.9)
