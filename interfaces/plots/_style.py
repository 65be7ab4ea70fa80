"""What every plot shares: number and date axes, the 95% band over seeds, phase shading,
the colours of promotion kinds, and writing figures to PNG files.

The figures are made with pyplot, which leaves the backend to whoever draws them: inline
in a notebook, a window in a script, Agg in the ``growthsim`` command (see
``interfaces.cli.main``). Nothing here selects one.

Promotion names are often Chinese: importing this module registers Noto Sans SC (shipped
by the ``pylopdf-fonts-zh-cn`` dependency, SIL OFL 1.1) with matplotlib and appends it to
``font.family`` as a fallback, so Latin text keeps the font it had and only the glyphs that
font lacks come from Noto Sans SC.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

import matplotlib
import matplotlib.axis
import matplotlib.dates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pylopdf_fonts_zh_cn
from matplotlib import font_manager
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter
from scipy import stats

from sim.calendar import PHASES, build_calendar
from sim.results import Results

__all__ = ["CJK_FONT", "DPI", "band", "daily_gmv_axis", "date_axis", "money_axis",
           "money_label", "save_figures", "shade_phases"]

#: Resolution of every PNG written (dots per inch).
DPI = 110

_PHASE_COLOURS = {"warmup": "#fde9b6", "burst": "#f7b6a8", "hangover": "#d9d9e8"}


def _add_cjk_fallback() -> str:
    """Register the Simplified Chinese font and put it last in ``font.family``; matplotlib
    (3.6+) draws each glyph with the first family in that list that has it."""
    path = str(pylopdf_fonts_zh_cn.sans_path())
    font_manager.fontManager.addfont(path)
    name = font_manager.FontProperties(fname=path).get_name()
    families = list(matplotlib.rcParams["font.family"])
    if name not in families:
        matplotlib.rcParams["font.family"] = [*families, name]
    return name


#: The family name of the fallback font for Chinese text ("Noto Sans SC").
CJK_FONT = _add_cjk_fallback()


def money_label(x: float, _pos: object = None) -> str:
    """A tick or cell label in three significant digits: 1.25M, 980k, 3.1bn."""
    for div, unit in ((1e9, "bn"), (1e6, "M"), (1e3, "k")):
        if abs(x) >= div:
            return f"{x / div:.3g}{unit}"
    return f"{x:.3g}"


def money_axis(axis: matplotlib.axis.Axis) -> None:
    """Label an axis (``ax.yaxis``, ``ax.xaxis``) with :func:`money_label`."""
    axis.set_major_formatter(FuncFormatter(money_label))


def date_axis(ax: plt.Axes) -> None:
    """Concise date ticks (at most eight) on the x axis."""
    locator = AutoDateLocator(maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))


def daily_gmv_axis(ax: plt.Axes, currency: str) -> None:
    """The axis of a daily-GMV plot: money ticks from zero, grid, legend, dates."""
    ax.set_ylabel(f"GMV per day ({currency})")
    money_axis(ax.yaxis)
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    date_axis(ax)


def band(daily: pd.DataFrame, column: str, level: float = 0.95) -> pd.DataFrame:
    """Mean and t-interval of a daily KPI across seeds, per date."""
    g = daily.groupby("date")[column]
    mean, sd, n = g.mean(), g.std(ddof=1), g.count()
    half = sd / np.sqrt(n) * stats.t.ppf(0.5 + level / 2, np.maximum(n - 1, 1))
    return pd.DataFrame({"mean": mean, "low": mean - half.fillna(0), "high": mean + half.fillna(0)})


def shade_phases(ax: plt.Axes, res: Results) -> None:
    """Shade the days of each campaign phase (warm-up, burst, hangover)."""
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


T = TypeVar("T")


def save_figures(makers: Sequence[tuple[str, Callable[[T], Figure]]], subject: T,
                 out_dir: str | Path) -> list[Path]:
    """Draw ``make(subject)`` for each ``(name, make)``, write it as ``out_dir/name.png``
    and close it (a long session keeps no figures open); return the paths."""
    paths = []
    for name, make in makers:
        fig = make(subject)
        path = Path(out_dir) / f"{name}.png"
        fig.savefig(path, dpi=DPI)
        plt.close(fig)
        paths.append(path)
    return paths
