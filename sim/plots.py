"""Plots of a run's results (matplotlib): each returns a Figure; ``save_all`` writes PNGs."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import matplotlib.dates

matplotlib.use("Agg")  # files, not windows: the CLI and CI have no screen

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter
from scipy import stats

from agents._config import STAGES
from sim.calendar import PHASES, build_calendar
from sim.decompose import Decomposition
from sim.plan import promotion_days, promotion_window
from sim.results import Results

__all__ = ["channels", "compare_gmv", "customers", "date_axis", "decomposition", "funnel",
           "gmv_orders", "inventory", "lifecycle", "loyalty", "money_label", "promotions",
           "save_all"]

_PHASE_COLOURS = {"warmup": "#fde9b6", "burst": "#f7b6a8", "hangover": "#d9d9e8"}


def money_label(x: float, _pos: object = None) -> str:
    for div, unit in ((1e9, "bn"), (1e6, "M"), (1e3, "k")):
        if abs(x) >= div:
            return f"{x / div:.3g}{unit}"
    return f"{x:.3g}"


def date_axis(ax: plt.Axes) -> None:
    locator = AutoDateLocator(maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))


def _daily_gmv_axis(ax: plt.Axes, currency: str) -> None:
    ax.set_ylabel(f"GMV per day ({currency})")
    ax.yaxis.set_major_formatter(FuncFormatter(money_label))
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    date_axis(ax)


def _band(daily: pd.DataFrame, column: str, level: float = 0.95) -> pd.DataFrame:
    """Mean and t-interval of a daily KPI across seeds, per date."""
    g = daily.groupby("date")[column]
    mean, sd, n = g.mean(), g.std(ddof=1), g.count()
    half = sd / np.sqrt(n) * stats.t.ppf(0.5 + level / 2, np.maximum(n - 1, 1))
    return pd.DataFrame({"mean": mean, "low": mean - half.fillna(0), "high": mean + half.fillna(0)})


def _shade_phases(ax: plt.Axes, res: Results) -> None:
    cal = build_calendar(res.scenario)
    dates = matplotlib.dates.date2num(pd.to_datetime(cal.dates))
    seen: set[str] = set()
    for code, name in enumerate(PHASES):
        if name not in _PHASE_COLOURS:
            continue
        for day in np.flatnonzero(cal.phase == code).tolist():
            label = name if name not in seen else None
            seen.add(name)
            ax.axvspan(dates[day] - 0.5, dates[day] + 0.5,
                       color=_PHASE_COLOURS[name], lw=0, zorder=0, label=label)


def gmv_orders(res: Results) -> Figure:
    """GMV and orders per day: mean over seeds with a 95% confidence band, phases shaded."""
    cur = res.scenario.currency
    fig, axes = plt.subplots(2, 1, figsize=(11, 6.5), sharex=True)
    for ax, col, label, colour in ((axes[0], "gmv", f"GMV per day ({cur})", "#c0392b"),
                                   (axes[1], "orders", "Orders per day", "#2c3e50")):
        b = _band(res.daily, col)
        _shade_phases(ax, res)
        ax.fill_between(b.index, b["low"], b["high"], color=colour, alpha=0.25, lw=0,
                        label="95% CI over seeds")
        ax.plot(b.index, b["mean"], color=colour, lw=1.6, label="mean")
        ax.set_ylabel(label)
        ax.yaxis.set_major_formatter(FuncFormatter(money_label))
        ax.grid(alpha=0.3)
        ax.set_ylim(bottom=0)
    axes[0].legend(loc="upper left", fontsize=8, ncol=5)
    axes[1].set_xlabel("Date")
    date_axis(axes[1])
    fig.suptitle(f"{res.scenario.name}: GMV and orders per day ({res.n_seeds} seeds)")
    fig.tight_layout()
    return fig


def channels(res: Results) -> Figure:
    """Spend and last-touch attributed GMV per channel over the horizon, with ROAS."""
    cur = res.scenario.currency
    cs = res.channel_summary()
    paid = cs.drop(index="organic", errors="ignore")
    fig, ax = plt.subplots(figsize=(10, 5))
    x = np.arange(len(paid))
    ax.bar(x - 0.2, paid["spend"], width=0.4, color="#7f8c8d", label=f"Spend ({cur})")
    ax.bar(x + 0.2, paid["gmv"], width=0.4, color="#27ae60", label=f"Attributed GMV ({cur})")
    for i, (roas, gmv) in enumerate(zip(paid["roas"], paid["gmv"], strict=True)):
        if np.isfinite(roas):
            ax.annotate(f"ROAS {roas:.1f}", (i + 0.2, gmv), ha="center", va="bottom", fontsize=8)
    ax.set_xticks(x, paid.index)
    ax.set_ylabel(cur)
    ax.yaxis.set_major_formatter(FuncFormatter(money_label))
    organic = float(cs["gmv"].get("organic", 0.0))
    ax.set_title(f"{res.scenario.name}: spend and attributed GMV by channel "
                 f"(mean of {res.n_seeds} seeds; unattributed GMV {money_label(organic)} {cur})")
    ax.legend()
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    return fig


def lifecycle(res: Results) -> Figure:
    """Shoppers per lifecycle stage over time (real scale, mean over seeds); prospects apart."""
    cols = [f"stage_{s}" for s in STAGES]
    mean = res.daily.groupby("date")[cols].mean()
    fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(12, 4.8), width_ratios=[1, 2.2])
    ax0.plot(mean.index, mean["stage_prospect"], color="#95a5a6", label="prospect")
    ax0.plot(mean.index, mean["stage_aware"], color="#3498db", label="aware")
    ax0.set_title("Not yet customers")
    ax0.set_ylabel("Shoppers (real scale)")
    ax0.legend(fontsize=8)
    stages = ["new", "active", "high_value", "dormant", "churned"]
    colours = ["#f1c40f", "#27ae60", "#8e44ad", "#e67e22", "#7f8c8d"]
    ax1.stackplot(mean.index, *[mean[f"stage_{s}"] for s in stages], labels=stages,
                  colors=colours, alpha=0.85)
    ax1.set_title("Customers by lifecycle stage")
    ax1.legend(loc="upper left", fontsize=8, ncol=5)
    for ax in (ax0, ax1):
        ax.yaxis.set_major_formatter(FuncFormatter(money_label))
        ax.grid(alpha=0.3)
        ax.set_xlabel("Date")
        date_axis(ax)
    fig.suptitle(f"{res.scenario.name}: lifecycle stages (mean of {res.n_seeds} seeds)")
    fig.tight_layout()
    return fig


def funnel(res: Results) -> Figure:
    """From reach to orders, per channel, over the horizon (log scale), with step rates."""
    cs = res.channel_summary().drop(index="organic", errors="ignore")
    steps = [("reach", "Reach (shopper-days)"), ("visits", "Visits"), ("orders", "Orders"),
             ("new_customers", "New customers")]
    fig, ax = plt.subplots(figsize=(10, 0.9 + 0.9 * len(cs)))
    height = 0.8 / len(steps)
    colours = ["#bdc3c7", "#5dade2", "#2874a6", "#1b4f72"]
    y = np.arange(len(cs))
    for j, ((col, label), colour) in enumerate(zip(steps, colours, strict=True)):
        values = cs[col].to_numpy()
        ax.barh(y + j * height, values, height=height, color=colour, label=label)
        if j:
            prev = cs[steps[j - 1][0]].to_numpy()
            for i, (v, p) in enumerate(zip(values, prev, strict=True)):
                if p > 0 and v > 0:
                    ax.annotate(f"{v / p:.1%}", (v, i + j * height), va="center", fontsize=7,
                                xytext=(3, 0), textcoords="offset points")
    ax.set_xscale("log")
    positive = cs[[c for c, _ in steps]].to_numpy()
    positive = positive[positive > 0]
    if positive.size:  # zero counts (an owned channel wins no new customers) draw no bar
        ax.set_xlim(positive.min() / 3, positive.max() * 3)
    ax.set_yticks(y + 1.5 * height, cs.index)
    ax.invert_yaxis()
    ax.set_xlabel("Count over the horizon (real scale, log); labels: rate from the step above")
    ax.set_title(f"{res.scenario.name}: funnel by channel (mean of {res.n_seeds} seeds)",
                 pad=28)
    ax.legend(fontsize=8, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=len(steps),
              frameon=False)
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    return fig


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
        b = _band(res.daily, "gmv")
        n = len(res.strategy.promotions)
        shaded = f"{n} promotion window{'s' if n != 1 else ''} shaded" if n else "no promotion"
        ax.plot(b.index, b["mean"], color=colour, lw=1.6, label=f"{name} ({shaded})")
    _daily_gmv_axis(ax, cur)
    ax.set_title(f"{first.scenario.name}: daily GMV by strategy "
                 f"(mean of the same {first.n_seeds} seeds)")
    fig.tight_layout()
    return fig


def decomposition(dec: Decomposition) -> Figure:
    """Daily GMV with and without the promotions (same seeds): bump and dip filled."""
    res = dec.with_promotions
    cur = res.scenario.currency
    a, b = _band(res.daily, "gmv")["mean"], _band(dec.without.daily, "gmv")["mean"]
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
                    label=f"lost afterwards (pull-forward, lower reference prices): "
                          f"{money_label(float(t['mean']['pulled_forward_gmv']))} {cur}")
    _daily_gmv_axis(ax, cur)
    ax.set_title(f"{res.scenario.name}: promotion effect on the same {res.n_seeds} seeds; net "
                 f"GMV {money_label(float(t['mean']['net_incremental_gmv']))}, net profit "
                 f"{money_label(float(t['mean']['net_incremental_profit']))} {cur}")
    fig.tight_layout()
    return fig


_KIND_COLOURS = {"percent": "#c0392b", "fixed": "#e67e22", "threshold": "#d35400",
                 "coupon": "#8e44ad", "presale": "#2980b9", "flash_sale": "#e74c3c",
                 "gift": "#16a085", "member_day": "#27ae60", "points": "#f1c40f",
                 "group_buy": "#34495e"}


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
        colour = _KIND_COLOURS.get(promo.kind, "#7f8c8d")
        top.broken_barh([(num[d] - 0.45, 0.9) for d in days.tolist()], (row - 0.4, 0.8),
                        color=colour)
        if promo.final_day is not None and days.size:
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
    bottom.yaxis.set_major_formatter(FuncFormatter(money_label))
    bottom.grid(alpha=0.3)
    handles, labels = bottom.get_legend_handles_labels()
    if mean["deposits"].any():
        twin = bottom.twinx()
        twin.plot(x, mean["deposits"], color="#2980b9", lw=1.6, label="presale deposits")
        done = mean["presale_orders"] > 0
        twin.plot(x[done], mean["presale_orders"][done], color="#2980b9", ls="", marker="o",
                  label="presale orders completed")
        twin.set_ylabel("deposits, completions")
        twin.yaxis.set_major_formatter(FuncFormatter(money_label))
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
    top.yaxis.set_major_formatter(FuncFormatter(money_label))
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
    bottom.yaxis.set_major_formatter(FuncFormatter(money_label))
    bottom.legend(loc="upper left", fontsize=8)
    bottom.grid(alpha=0.3)
    date_axis(bottom)
    fig.tight_layout()
    return fig


def inventory(res: Results) -> Figure:
    """Stock per category with a stock plan: units on hand per day (mean over seeds),
    reorders and arrivals marked, stock-out days shaded (darker: more seeds lost sales
    that day); then lost GMV per category with its fill rate and days of cover."""
    cur = res.scenario.currency
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
        m = mean.xs(cat, level="category")
        dates = m.index
        shares = out_share.xs(cat, level="category")
        for date, share in zip(pd.to_datetime(shares.index), shares.to_numpy(), strict=True):
            if share > 0:
                ax.axvspan(date - pd.Timedelta(hours=12), date + pd.Timedelta(hours=12),
                           color="#e74c3c", alpha=0.12 + 0.4 * share, lw=0)
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
        ax.yaxis.set_major_formatter(FuncFormatter(money_label))
        ax.grid(alpha=0.3)
        date_axis(ax)
    flat[0].legend(fontsize=7, loc="upper left")
    ax = flat[len(cats)]
    lost = table["lost_gmv"]
    bars = ax.bar(lost.index, lost.to_numpy(), color="#c0392b")
    for bar, cat in zip(bars, lost.index, strict=True):
        ax.annotate(f"fill {table['fill_rate'][cat]:.0%}\n"
                    f"cover {table['days_of_cover'][cat]:.0f} d",
                    (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                    ha="center", va="bottom", fontsize=8)
    ax.set_ylim(0, max(float(lost.max()), 1.0) * 1.3)
    ax.set_ylabel(f"lost GMV ({cur})")
    ax.yaxis.set_major_formatter(FuncFormatter(money_label))
    ax.set_title("GMV lost to stock-outs (days of cover: closing stock)", fontsize=10)
    ax.grid(alpha=0.3, axis="y")
    spare = flat[len(cats) + 1:]
    for extra in spare:
        extra.axis("off")
    if len(spare):
        cells = [[f"{r['fill_rate']:.1%}", f"{r['stockout_rate']:.1%}",
                  money_label(float(r["lost_gmv"])), f"{r['stockout_days']:.0f}",
                  f"{r['turns']:.1f}", f"{r['days_of_cover']:.0f}",
                  money_label(float(r["holding_cost"]))] for _, r in table.iterrows()]
        tab = spare[0].table(cellText=cells, rowLabels=list(table.index),
                             colLabels=["fill rate", "stock-out\nrate", "lost GMV",
                                        "stock-out\ndays", "turns", "days of\ncover",
                                        "holding\ncost"], loc="center", cellLoc="center")
        tab.auto_set_font_size(False)
        tab.set_fontsize(8)
        tab.scale(1, 1.9)
    fig.suptitle(f"{res.scenario.name}: stock by category (mean of {res.n_seeds} seeds; "
                 "red: days with lost sales)", fontsize=11)
    fig.tight_layout()
    return fig


def customers(res: Results) -> Figure:
    """Retention by acquisition month and by source, new customers from referrals per day,
    CAC by source (referral rewards included) and value per customer by segment."""
    cur = res.scenario.currency
    fig, axes = plt.subplots(2, 3, figsize=(15, 8))
    for ax, by, title in ((axes[0, 0], "cohort", "Retention by acquisition month"),
                          (axes[0, 1], "source", "Retention by acquisition source")):
        r = res.retention(by)
        for col in r.columns:
            ax.plot(r.index, r[col], lw=1.4, label=str(col))
        ax.set_ylim(0, 1.02)
        ax.set_ylabel("share of the group still a customer")
        ax.set_title(title)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, ncol=2)
        date_axis(ax)
    ref = res.daily.groupby("date")["referrals"].mean()
    ax = axes[0, 2]
    ax.bar(ref.index, ref, width=0.9, color="#8e44ad")
    ax.set_title(f"New customers from referrals per day (total {money_label(ref.sum())})")
    ax.yaxis.set_major_formatter(FuncFormatter(money_label))
    ax.grid(alpha=0.3)
    date_axis(ax)
    acq = res.acquisition_summary().dropna(subset=["cac"])
    acq = acq[acq["new_customers"] > 0]
    ax = axes[1, 0]
    ax.bar(acq.index, acq["cac"], color=["#8e44ad" if s == "referral" else "#2c3e50"
                                          for s in acq.index])
    ax.set_title(f"CAC by source ({cur}; referral: rewards to both sides)")
    ax.tick_params(axis="x", rotation=30)
    ax.grid(axis="y", alpha=0.3)
    ax = axes[1, 1]
    ax.bar(acq.index, acq["new_customers"], color="#27ae60")
    ax.set_title("New customers by source")
    ax.yaxis.set_major_formatter(FuncFormatter(money_label))
    ax.tick_params(axis="x", rotation=30)
    ax.grid(axis="y", alpha=0.3)
    clv = res.clv_by_segment()
    ax = axes[1, 2]
    ax.bar(clv.index, clv["value_per_customer"], color="#c0392b")
    ax.set_title(f"Value per customer over the horizon ({cur}, GMV - COGS)")
    ax.grid(axis="y", alpha=0.3)
    fig.suptitle(f"{res.scenario.name}: customers, retention and acquisition "
                 f"(mean of {res.n_seeds} seeds)")
    fig.tight_layout()
    return fig


def save_all(res: Results, out_dir: str | Path) -> list[Path]:
    """Write every plot as a PNG into ``out_dir``; return the paths."""
    out = Path(out_dir)
    paths = []
    makers = [("gmv_orders", gmv_orders), ("channels", channels), ("lifecycle", lifecycle),
              ("funnel", funnel), ("customers", customers)]
    if res.strategy.promotions:
        makers.append(("promotions", promotions))
    if res.strategy.loyalty is not None:
        makers.append(("loyalty", loyalty))
    if res.strategy.stock:
        makers.append(("inventory", inventory))
    for name, make in makers:
        fig = make(res)
        path = out / f"{name}.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        paths.append(path)
    return paths
