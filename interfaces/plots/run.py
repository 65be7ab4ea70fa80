"""Plots of one run's results: the daily KPIs, channels, funnel, lifecycle and customers;
``save_all`` writes every plot the run's plan calls for as PNG files."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from agents._config import STAGES
from interfaces.plots._style import (
    band,
    date_axis,
    money_axis,
    money_label,
    save_figures,
    shade_phases,
)
from interfaces.plots.mechanisms import inventory, loyalty, promotions
from sim.results import Results

__all__ = ["channels", "customers", "funnel", "gmv_orders", "lifecycle", "save_all"]


def gmv_orders(res: Results) -> Figure:
    """GMV and orders per day: mean over seeds with a 95% confidence band, phases shaded."""
    cur = res.scenario.currency
    fig, axes = plt.subplots(2, 1, figsize=(11, 6.5), sharex=True)
    for ax, col, label, colour in ((axes[0], "gmv", f"GMV per day ({cur})", "#c0392b"),
                                   (axes[1], "orders", "Orders per day", "#2c3e50")):
        b = band(res.daily, col)
        shade_phases(ax, res)
        ax.fill_between(b.index, b["low"], b["high"], color=colour, alpha=0.25, lw=0,
                        label="95% CI over seeds")
        ax.plot(b.index, b["mean"], color=colour, lw=1.6, label="mean")
        ax.set_ylabel(label)
        money_axis(ax.yaxis)
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
    money_axis(ax.yaxis)
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
        money_axis(ax.yaxis)
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
    positive = cs[[c for c, _ in steps]].to_numpy()
    positive = positive[positive > 0]
    if positive.size:  # zero counts (an owned channel wins no new customers) draw no bar
        ax.set_xscale("log")  # nothing positive (no spend at all): a linear axis of zeros
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
    money_axis(ax.yaxis)
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
    money_axis(ax.yaxis)
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
    makers = [("gmv_orders", gmv_orders), ("channels", channels), ("lifecycle", lifecycle),
              ("funnel", funnel), ("customers", customers)]
    if res.strategy.promotions:
        makers.append(("promotions", promotions))
    if res.strategy.loyalty is not None:
        makers.append(("loyalty", loyalty))
    if res.strategy.stock:
        makers.append(("inventory", inventory))
    return save_figures(makers, res, out_dir)
