"""Response curves: what a channel's spend (or a promotion's depth) buys, point by point,
on common random numbers.

A marketing-mix model fits a saturating curve to history; here each point is the plan
run with one lever set to a multiple of its planned value, every other lever as planned,
on the same seeds. Neighbouring points share their randomness, so the seed-by-seed
difference between them (the marginal return) has a narrow interval and the curve is
smooth even with few seeds.

* a **channel**: its budget times ``multiples`` (0 = off, 1 = the plan), the other
  channels' spend unchanged (:func:`sim.incrementality.scaled`);
* a **promotion**: its depth field (``discount`` of a percent-off promotion, the
  ``reduction`` of a coupon, ...) times ``multiples``; a discount is capped at 90%.

For a channel, :meth:`ResponseCurve.summary` gives the marginal ROAS at the planned spend
(the GMV slope between the points around it) and the spend where the marginal profit
crosses zero: beyond it, the next unit of spend costs more than the profit it brings.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.incrementality import Lever, scaled
from sim.results import Results, mean_ci
from sim.runner import simulate_many
from sim.schema import Scenario, Strategy

__all__ = ["CURVE_KPIS", "ResponseCurve", "response_curves"]

#: The KPIs drawn along a curve, over the whole horizon.
CURVE_KPIS = ("gmv", "profit", "new_customers")


@dataclass
class ResponseCurve:
    """One lever at several multiples of its planned value, on the same seeds.

    Attributes:
        lever: the channel or promotion.
        multiples: the factors applied, ascending; 1 is the plan.
        values: per point, the channel's spend (mean over seeds) or the promotion's depth.
        results: per point, its ``Results``.
    """

    lever: Lever
    multiples: list[float]
    values: list[float]
    results: list[Results]

    def per_seed(self, kpi: str) -> pd.DataFrame:
        """One column per point, one row per seed: ``kpi`` over the horizon."""
        return pd.DataFrame({i: r.totals()[kpi] for i, r in enumerate(self.results)})

    def table(self, level: float = 0.95) -> pd.DataFrame:
        """One row per point: the value, the multiple, and for each KPI of
        :data:`CURVE_KPIS` its mean with CI (``*_low``, ``*_high``) and the paired
        difference from the planned point with its CI (``*_vs_plan``, ...)."""
        plan = self.multiples.index(1.0) if 1.0 in self.multiples else None
        rows = []
        for i, (m, v) in enumerate(zip(self.multiples, self.values, strict=True)):
            row: dict[str, object] = {"lever": self.lever.name, "kind": self.lever.kind,
                                      "point": i, "multiple": m,
                                      "spend" if self.lever.kind == "channel" else "depth": v}
            for kpi in CURVE_KPIS:
                seeds = self.per_seed(kpi)
                row |= dict(zip((kpi, f"{kpi}_low", f"{kpi}_high"),
                                _ci(seeds[i], level), strict=True))
                if plan is not None:
                    row |= dict(zip((f"{kpi}_vs_plan", f"{kpi}_vs_plan_low",
                                     f"{kpi}_vs_plan_high"),
                                    _ci(seeds[i] - seeds[plan], level), strict=True))
            rows.append(row)
        return pd.DataFrame(rows)

    def marginal(self, kpi: str, level: float = 0.95) -> pd.DataFrame:
        """Between neighbouring points: the change in ``kpi`` per unit of spend (a
        channel) or of depth (a promotion), seed by seed, with its CI; ``at`` is the
        midpoint."""
        seeds = self.per_seed(kpi)
        rows = []
        for i in range(len(self.values) - 1):
            step = float(self.values[i + 1] - self.values[i])
            if step <= 0:
                continue
            mean, low, high = _ci((seeds[i + 1] - seeds[i]) / step, level)
            rows.append({"at": (self.values[i] + self.values[i + 1]) / 2, "from": i,
                         "marginal": mean, "low": low, "high": high})
        return pd.DataFrame(rows)

    def summary(self, level: float = 0.95) -> dict[str, float]:
        """For a channel: the planned spend, the marginal ROAS there (GMV slope between
        the points around it, with CI) and the spend where the marginal profit crosses
        zero (linear between the midpoints around the crossing; 0 when the first unit of
        spend already loses profit, NaN when every point still gains)."""
        plan = self.multiples.index(1.0) if 1.0 in self.multiples else None
        out = {"current": self.values[plan] if plan is not None else float("nan"),
               "marginal_roas": float("nan"), "marginal_roas_low": float("nan"),
               "marginal_roas_high": float("nan"), "profit_turning_spend": float("nan")}
        if self.lever.kind != "channel" or plan is None:
            return out
        lo, hi = max(plan - 1, 0), min(plan + 1, len(self.values) - 1)
        step = float(self.values[hi] - self.values[lo])
        if step > 0:
            seeds = self.per_seed("gmv")
            m, low, high = _ci((seeds[hi] - seeds[lo]) / step, level)
            out |= {"marginal_roas": m, "marginal_roas_low": low, "marginal_roas_high": high}
        # profit per unit of spend; the spend itself is in profit, so this is 0 where the
        # next unit of spend just pays for itself
        mp = self.marginal("profit", level)
        at, slope = mp["at"].to_numpy(dtype=float), mp["marginal"].to_numpy(dtype=float)
        if slope.size and slope[0] <= 0:  # the first unit already loses
            out["profit_turning_spend"] = 0.0
        for i in range(slope.size - 1):
            if slope[i] > 0 >= slope[i + 1]:
                out["profit_turning_spend"] = float(
                    at[i] + (at[i + 1] - at[i]) * slope[i] / (slope[i] - slope[i + 1]))
                break
        return out


def _ci(per_seed: pd.Series, level: float) -> tuple[float, float, float]:
    mean, low, high = mean_ci(per_seed.to_frame(), level).to_numpy(dtype=float)[0]
    return float(mean), float(low), float(high)


def response_curves(scenario: Scenario, strategy: Strategy | None = None, seeds: int = 8, *,
                    channels: list[str] | None = None, promotions: list[str] | None = None,
                    multiples: list[float] | None = None, seed: int | None = None,
                    jobs: int = 1) -> list[ResponseCurve]:
    """Response curves of channels' spend and promotions' depth, on the same seeds.

    Args:
        scenario: the validated scenario.
        strategy: the plan; None uses the scenario's own.
        seeds: replications shared by every point of every curve.
        channels: channels the plan spends on (default: every one, unless promotions
            are named).
        promotions: promotions of the plan whose depth to vary.
        multiples: the factors, default 0, 0.25, ..., 2 (nine points); 1 is always added.
        seed: root seed; None uses the scenario's.
        jobs: worker processes (one pool for every point and seed).

    Raises:
        ValueError: a channel the plan does not spend on, a promotion it lacks or one
            without a depth, or a negative multiple.
    """
    plan = scenario.strategy if strategy is None else strategy
    grid = sorted({*(np.linspace(0.0, 2.0, 9).tolist() if multiples is None else multiples),
                   1.0})
    if grid[0] < 0:
        raise ValueError(f"multiples must be 0 or more (got {grid[0]:g})")
    spending = [ch for ch in scenario.channels if plan.budget * plan.shares.get(ch, 0.0) > 0]
    if channels is None:
        channels = [] if promotions else spending
    unknown = [ch for ch in channels if ch not in spending]
    if unknown:
        raise ValueError(f"the plan spends nothing on {', '.join(unknown)}; it spends on "
                         f"{', '.join(spending) or 'no channel'}")
    deep = [p.name for p in plan.promotions if p.depth_field is not None]
    missing = [p for p in promotions or [] if p not in deep]
    if missing:
        raise ValueError(f"the plan has no promotion with a depth named "
                         f"{', '.join(missing)}; it has {', '.join(deep) or 'none'}")
    levers = [Lever("channel", ch) for ch in dict.fromkeys(channels)]
    levers += [Lever("promotion", p) for p in dict.fromkeys(promotions or [])]
    runs: dict[str, Strategy | None] = {
        f"{lv.kind} {lv.name} x{m:g}": scaled(plan, lv, m) for lv in levers for m in grid}
    results = simulate_many(scenario, runs, seeds, seed=seed, jobs=jobs)
    curves = []
    for lv in levers:
        res = [results[f"{lv.kind} {lv.name} x{m:g}"] for m in grid]
        curves.append(ResponseCurve(lv, list(grid), [_value(lv, r) for r in res], res))
    return curves


def _value(lever: Lever, res: Results) -> float:
    """A point's x: the channel's spend (mean over seeds), or the promotion's depth."""
    if lever.kind == "channel":
        rows = res.by_channel[res.by_channel["channel"] == lever.name]
        return float(rows.groupby("seed")["spend"].sum().mean()) if len(rows) else 0.0
    promo = next(p for p in res.strategy.promotions if p.name == lever.name)
    assert promo.depth_field is not None
    return float(getattr(promo, promo.depth_field) or 0.0)

