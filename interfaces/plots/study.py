"""Plots of a study: history, Pareto front, parameter importances, chosen allocation and
promotion timing. Matplotlib figures; ``save_all`` writes them as PNG."""

from __future__ import annotations

import warnings
from pathlib import Path

import matplotlib.dates
import matplotlib.pyplot as plt
import numpy as np
import optuna
import pandas as pd
from matplotlib.figure import Figure

from agents.promotions import Promotion
from interfaces.plots._style import date_axis, money_axis, money_label, save_figures
from optimize import Optimization, equal_split
from sim.plan import promotion_days

__all__ = ["allocation", "history", "importances", "pareto", "save_all", "timing"]


def history(opt: Optimization) -> Figure:
    """Each trial's value of the first objective and the best feasible value so far;
    pruned trials at their running mean when they were stopped."""
    frame = opt.trials_frame()
    f = frame.query("state == 'COMPLETE'")
    name = opt.objectives[0]
    fig, ax = plt.subplots(figsize=(9, 4.5))
    if "stopped_at" in frame:
        p = frame.query("state == 'PRUNED'")
        ax.scatter(p["trial"], p["stopped_at"], s=10, color="#bdc3c7",
                   label=f"stopped early ({len(p)}; running mean)")
    ok = f["feasible"]
    ax.scatter(f["trial"][ok], f[name][ok], s=14, color="#2c3e50", label="feasible trial")
    if (~ok).any():
        ax.scatter(f["trial"][~ok], f[name][~ok], s=14, color="#e74c3c", marker="x",
                   label="violates a constraint")
    best = f[name].where(ok).cummax()
    ax.step(f["trial"], best, where="post", color="#c0392b", lw=1.8, label="best so far")
    ax.set_xlabel("trial")
    ax.set_ylabel(name)
    money_axis(ax.yaxis)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title(f"{opt.scenario.name}: optimisation history ({len(frame)} trials, "
                 f"{len(f)} run on every seed)")
    fig.tight_layout()
    return fig


def pareto(opt: Optimization) -> Figure:
    """Two objectives: every feasible trial, the non-dominated front highlighted."""
    a, b = opt.objectives
    f = opt.trials_frame().query("state == 'COMPLETE'")
    front = {t.number for t in opt.front}
    fig, ax = plt.subplots(figsize=(8, 5.5))
    on = f["trial"].isin(front)
    ax.scatter(f[a][~on], f[b][~on], s=14, color="#95a5a6", label="dominated or infeasible")
    pts = f[on].sort_values(a)
    ax.plot(pts[a], pts[b], "-o", color="#c0392b", ms=5, label="Pareto front")
    for number, label in ((0, "scenario plan"), (1, "equal split")):  # the warm start
        row = f[f["trial"] == number]
        if len(row):
            ax.scatter(row[a], row[b], s=60, facecolors="none", edgecolors="black")
            ax.annotate(label, (float(row[a].iloc[0]), float(row[b].iloc[0])), fontsize=8,
                        xytext=(6, -10), textcoords="offset points")
    for i, t in enumerate(sorted(opt.front, key=lambda t: -t.values[0])):
        ax.annotate(str(i), (t.values[0], t.values[1]), fontsize=7, xytext=(3, 3),
                    textcoords="offset points")
    ax.set_xlabel(a)
    ax.set_ylabel(b)
    money_axis(ax.xaxis)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title(f"{opt.scenario.name}: {a} vs {b} (front points numbered for --pick)")
    fig.tight_layout()
    return fig


def importances(opt: Optimization) -> Figure:
    """How much each lever parameter matters for reaching a high first objective
    (PED-ANOVA: how differently the top trials set it from the rest)."""
    fig, ax = plt.subplots(figsize=(8, 4.5))
    try:
        # PED-ANOVA (Optuna's default) explains what makes the target *low*: negate it
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # it warns even when negated
            imp = optuna.importance.get_param_importances(
                opt.study, target=lambda t: -t.values[0])
    except (RuntimeError, ValueError, ZeroDivisionError) as exc:  # too few trials
        ax.text(0.5, 0.5, f"importances not available: {exc}", ha="center", wrap=True)
        ax.set_axis_off()
        return fig
    names = list(imp)[::-1]
    ax.barh(names, [imp[n] for n in names], color="#2980b9")
    ax.set_xlabel(f"importance for a high {opt.objectives[0]} (PED-ANOVA)")
    ax.set_title(f"{opt.scenario.name}: parameter importances")
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    return fig


def allocation(opt: Optimization) -> Figure:
    """Budget per channel: the best plan, the scenario's own plan and an equal split."""
    plans = {"best plan": opt.best_strategy, "scenario plan": opt.scenario.strategy,
             "equal split": equal_split(opt.scenario)}
    channels = list(opt.scenario.channels)
    fig, ax = plt.subplots(figsize=(10, 4.8))
    x = np.arange(len(channels))
    colours = ["#c0392b", "#7f8c8d", "#bdc3c7"]
    for i, (name, plan) in enumerate(plans.items()):
        spend = [plan.budget * plan.shares.get(c, 0.0) for c in channels]
        ax.bar(x + (i - 1) * 0.27, spend, width=0.27, color=colours[i],
               label=f"{name} (budget {money_label(plan.budget)})")
    ax.set_xticks(x, channels)
    ax.set_ylabel(f"budget ({opt.scenario.currency})")
    money_axis(ax.yaxis)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title(f"{opt.scenario.name}: budget by channel")
    fig.tight_layout()
    return fig


def timing(opt: Optimization) -> Figure:
    """Promotion calendar of the best plan against the scenario's own plan."""
    sc = opt.scenario
    n = sc.horizon.n_days
    dates = matplotlib.dates.date2num(pd.to_datetime([sc.horizon.day(d) for d in range(n)]))
    names = [p.name for p in sc.strategy.promotions]
    fig, ax = plt.subplots(figsize=(11, 1.2 + 0.6 * max(len(names), 1)))
    for offset, plan, colour, label in ((-0.2, sc.strategy, "#7f8c8d", "scenario plan"),
                                        (0.2, opt.best_strategy, "#c0392b", "best plan")):
        for row, promo in enumerate(plan.promotions):
            days = np.flatnonzero(promotion_days(sc, promo, n))
            ax.broken_barh([(dates[d] - 0.45, 0.9) for d in days.tolist()],
                           (row + offset - 0.18, 0.36), color=colour,
                           label=label if row == 0 else None)
            depth = _depth_label(promo)
            if depth and days.size:
                ax.annotate(depth, (dates[days[-1]] + 0.6, row + offset), va="center",
                            fontsize=7, color=colour)
    ax.set_yticks(range(len(names)), names, fontsize=8)
    ax.invert_yaxis()
    ax.grid(axis="x", alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    date_axis(ax)
    ax.set_title(f"{sc.name}: promotion timing, best plan vs the scenario's plan")
    fig.tight_layout()
    return fig


def _depth_label(promo: Promotion) -> str:
    field = promo.depth_field
    if field == "discount":
        return f"{promo.discount:.0%} off"
    if field == "reduction":
        return f"{promo.reduction:g} off"
    return ""


def save_all(opt: Optimization, out_dir: str | Path) -> list[Path]:
    """Write the study's plots as PNG files into ``out_dir``; return the paths."""
    makers = [("optimization_history", history), ("importances", importances),
              ("allocation", allocation)]
    if len(opt.objectives) == 2:
        makers.append(("pareto_front", pareto))
    if opt.scenario.strategy.promotions:
        makers.append(("promotion_timing", timing))
    return save_figures(makers, opt, out_dir)
