"""Plots of what each lever really adds: incremental against last-touch GMV, and
response curves of spend and depth."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from interfaces.plots._style import money_axis, money_label
from sim.curves import ResponseCurve
from sim.incrementality import Incrementality

__all__ = ["curves", "incrementality"]


def incrementality(inc: Incrementality) -> Figure:
    """Per channel, the GMV last touch credits it with beside the GMV it really adds (the
    plan against the plan without it, same seeds, 95% CI); per promotion, what it adds."""
    t = inc.table()
    cur = inc.scenario.currency
    n = len(t)
    fig, ax = plt.subplots(figsize=(11, 1.2 + 0.55 * n))
    y = np.arange(n)[::-1]
    channel = (t["kind"] == "channel").to_numpy()
    ax.barh(y[channel] + 0.2, t["attributed_gmv"][channel], height=0.38, color="#95a5a6",
            label="last touch credits it with")
    err = np.vstack([t["incremental_gmv"] - t["gmv_low"], t["gmv_high"] - t["incremental_gmv"]])
    ax.barh(y - np.where(channel, 0.2, 0.0), t["incremental_gmv"], height=0.38,
            color=np.where(t["incremental_gmv"] >= 0, "#2e86c1", "#c0392b"), xerr=err,
            error_kw={"ecolor": "#34495e", "capsize": 3, "lw": 1},
            label="it really adds (without it, same seeds; 95% CI)")
    labels = []
    for row in t.itertuples():
        ratio = getattr(row, "gmv_ratio", np.nan)
        if row.kind == "channel":
            note = f": {ratio:.2f}x its credit" if np.isfinite(ratio) else ""
            labels.append(f"{row.lever}{note}")
        else:
            labels.append(f"{row.lever} (promotion)")
    ax.set_yticks(y, labels)
    ax.axvline(0, color="#34495e", lw=0.8)
    money_axis(ax.xaxis)
    ax.set_xlabel(f"GMV over the horizon ({cur})")
    ax.legend(loc="lower right", frameon=False)
    ax.set_title(f"{inc.scenario.name}: incremental against last-touch GMV, "
                 f"{inc.results['plan'].n_seeds} seeds; total plan GMV "
                 f"{money_label(float(inc.results['plan'].totals()['gmv'].mean()))} {cur}")
    fig.tight_layout()
    return fig


def curves(items: list[ResponseCurve]) -> Figure:
    """One panel per lever: GMV and profit against the plan as its spend (or depth)
    moves, with 95% bands from paired seeds; the planned value marked, and for a
    channel its marginal ROAS there and the spend where marginal profit reaches zero."""
    n = len(items)
    cols = min(n, 2)
    rows = -(-n // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(6.2 * cols, 4.2 * rows), squeeze=False)
    cur = items[0].results[0].scenario.currency
    for ax, c in zip(axes.flat, items, strict=False):
        t = c.table()
        x = t["spend" if c.lever.kind == "channel" else "depth"]
        for kpi, colour, label in (("gmv", "#2e86c1", "GMV"), ("profit", "#27ae60", "profit")):
            ax.fill_between(x, t[f"{kpi}_vs_plan_low"], t[f"{kpi}_vs_plan_high"],
                            color=colour, alpha=0.2, lw=0)
            ax.plot(x, t[f"{kpi}_vs_plan"], "o-", color=colour, ms=3.5, lw=1.6,
                    label=f"{label} against the plan")
        s = c.summary()
        ax.axvline(s["current"], color="#7f8c8d", lw=1, ls="--", label="the plan")
        ax.axhline(0, color="#34495e", lw=0.7)
        title = f"{c.lever.name} ({c.lever.kind})"
        if c.lever.kind == "channel":
            ax.set_xlabel(f"spend over the horizon ({cur})")
            money_axis(ax.xaxis)
            turn = s["profit_turning_spend"]
            if np.isfinite(turn):
                ax.axvline(turn, color="#c0392b", lw=1, ls=":",
                           label=f"marginal profit 0 at {money_label(turn)}")
            title += f": marginal ROAS {s['marginal_roas']:.2f} at the plan"
        else:
            ax.set_xlabel("depth (" + ("share off" if max(x) <= 1 else cur) + ")")
        money_axis(ax.yaxis)
        ax.set_ylabel(f"against the plan ({cur})")
        ax.set_title(title, fontsize=10.5)
        ax.legend(fontsize=8, frameon=False, loc="best")
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    fig.suptitle(f"{items[0].results[0].scenario.name}: response curves, "
                 f"{items[0].results[0].n_seeds} paired seeds (95% bands)")
    fig.tight_layout()
    return fig
