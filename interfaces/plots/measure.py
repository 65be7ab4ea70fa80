"""Plots of what each lever really adds: incremental against last-touch GMV."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from interfaces.plots._style import money_axis, money_label
from sim.incrementality import Incrementality

__all__ = ["incrementality"]


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
