"""What each channel and each promotion really adds: the plan against the same plan with
that lever removed, on the same seeds, beside what last-touch attribution credits it with.

A marketing-mix model estimates incrementality from history; the simulator knows it. For
each lever the plan is re-run without it on the same replications (common random
numbers), so the seed-by-seed difference is the lever's true effect and its interval is
narrow:

* a **channel** is removed by taking its budget away and leaving every other channel's
  spend as planned (its share goes, the others' shares are rescaled to the smaller
  budget);
* a **promotion** is removed from the plan's promotions, the rest unchanged.

Last touch credits a channel with the orders, new customers and GMV whose last exposure
it was (``Results.by_channel``), a promotion with the orders that used it. The ratio
incremental / attributed says how far that credit is from the truth: below 1, the channel
takes credit for orders that would have come anyway (it reaches existing intent); above
1, it works through orders credited elsewhere (awareness that converts later, through
search or organically).

The parts do not add up to the whole. Channels compete for the same shoppers (removing
one lets the others win some of its orders back: the sum exceeds the whole) and work
together (awareness one builds converts through another, and buyers keep buying: the
whole exceeds the sum); promotions likewise. :meth:`Incrementality.interactions` sets the
sum of the parts beside the whole lift (the plan against no channel at all, and against
no promotion at all), so the difference is reported, not hidden.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from sim.plan import promotion_days
from sim.results import Results, mean_ci
from sim.runner import simulate_many
from sim.schema import Scenario, Strategy

__all__ = ["INCREMENTAL", "Incrementality", "Lever", "incrementality", "scaled", "without"]

#: The KPIs whose increment is measured, over the whole horizon.
INCREMENTAL = ("orders", "new_customers", "gmv", "profit")

_MAX_DISCOUNT = 0.9  # a scaled discount stays a discount

_PLAN = "plan"
_NO_CHANNELS = "no channel"
_NO_PROMOTIONS = "no promotion"


@dataclass(frozen=True)
class Lever:
    """A channel or a promotion of the plan."""

    kind: Literal["channel", "promotion"]
    name: str

    @property
    def run(self) -> str:
        """The name of the run without this lever."""
        return f"without {self.kind} {self.name}"


def without(plan: Strategy, lever: Lever | Literal["channels", "promotions"]) -> Strategy:
    """``plan`` with one lever removed, or with every channel (no marketing spend) or
    every promotion removed; everything else as planned."""
    if lever == "channels":
        return plan.model_copy(update={"budget": 0.0, "shares": {}})
    if lever == "promotions":
        return plan.model_copy(update={"promotions": []})
    if lever.kind == "promotion":
        return plan.model_copy(update={
            "promotions": [p for p in plan.promotions if p.name != lever.name]})
    return scaled(plan, lever, 0.0)


def scaled(plan: Strategy, lever: Lever, factor: float) -> Strategy:
    """``plan`` with one channel's budget, or one promotion's depth, times ``factor``;
    every other channel keeps its planned spend."""
    if lever.kind == "promotion":
        promos = []
        for p in plan.promotions:
            if p.name == lever.name and p.depth_field is not None:
                depth = float(getattr(p, p.depth_field) or 0.0) * factor
                if p.depth_field == "discount":
                    depth = min(depth, _MAX_DISCOUNT)
                p = p.model_copy(update={p.depth_field: depth})
            promos.append(p)
        return plan.model_copy(update={"promotions": promos})
    spend = {ch: plan.budget * s for ch, s in plan.shares.items()}
    spend[lever.name] = spend.get(lever.name, 0.0) * factor
    budget = sum(spend.values())
    if budget <= 0:
        return plan.model_copy(update={"budget": 0.0, "shares": {}})
    return plan.model_copy(update={
        "budget": budget, "shares": {ch: v / budget for ch, v in spend.items() if v > 0}})


@dataclass
class Incrementality:
    """The plan and each run without one lever, on the same seeds.

    Attributes:
        scenario: the scenario.
        plan: the plan measured.
        levers: the channels (with planned spend) and promotions measured, in order.
        results: one ``Results`` per run: ``"plan"``, each ``Lever.run``, and ``"no
            channel"`` / ``"no promotion"`` when the plan has channels / promotions.
    """

    scenario: Scenario
    plan: Strategy
    levers: list[Lever]
    results: dict[str, Results]

    def increments(self, lever: Lever) -> pd.DataFrame:
        """One row per seed: the plan minus the plan without ``lever``, per KPI."""
        return self._diff(self.results[lever.run])

    def attributed(self, lever: Lever) -> pd.DataFrame:
        """One row per seed, in the plan: what last touch credits ``lever`` with
        (``orders``, ``new_customers``, ``gmv``; a promotion only ``orders``, the
        orders that used it) and what it cost (``spend``: a channel's media spend, a
        promotion's discount and loyalty cost)."""
        res = self.results[_PLAN]
        if lever.kind == "channel":
            rows = res.by_channel[res.by_channel["channel"] == lever.name]
            return rows.groupby("seed")[["spend", "orders", "new_customers", "gmv"]].sum()
        rows = res.by_promotion[res.by_promotion["promotion"] == lever.name]
        per_seed = rows.groupby("seed")[["orders", "discount_cost", "loyalty_cost"]].sum()
        return pd.DataFrame({"spend": per_seed["discount_cost"] + per_seed["loyalty_cost"],
                             "orders": per_seed["orders"],
                             "new_customers": np.nan, "gmv": np.nan})

    def table(self, level: float = 0.95) -> pd.DataFrame:
        """One row per lever: its spend; per KPI of :data:`INCREMENTAL` the increment's
        mean and CI (``incremental_*``, ``*_low``, ``*_high``) and, for orders, new
        customers and GMV, the last-touch figure (``attributed_*``) and the ratio
        incremental / attributed (``*_ratio``); the incremental ROAS (incremental GMV /
        spend, with its CI) against the attributed ROAS, and the cost per incremental new
        customer (NaN unless the lever's increment in new customers is above 0 with 95%
        confidence)."""
        rows = []
        for lever in self.levers:
            inc, att = self.increments(lever), self.attributed(lever)
            spend = att["spend"].reindex(inc.index, fill_value=0.0)
            row: dict[str, object] = {"kind": lever.kind, "lever": lever.name,
                                      "spend": float(spend.mean())}
            for kpi in INCREMENTAL:
                mean, low, high = _ci(inc[kpi], level)
                row |= {f"incremental_{kpi}": mean, f"{kpi}_low": low, f"{kpi}_high": high}
                if kpi in att:
                    credit = float(att[kpi].mean())
                    row |= {f"attributed_{kpi}": credit, f"{kpi}_ratio": _ratio(mean, credit)}
            if float(spend.min()) > 0:
                roas = _ci(inc["gmv"] / spend, level)
                row |= dict(zip(("incremental_roas", "roas_low", "roas_high"), roas, strict=True))
            else:
                row |= {"incremental_roas": np.nan, "roas_low": np.nan, "roas_high": np.nan}
            row["attributed_roas"] = _ratio(float(att["gmv"].mean()), float(spend.mean()))
            new, new_low = row["incremental_new_customers"], row["new_customers_low"]
            assert isinstance(new, float) and isinstance(new_low, float)
            row["cost_per_incremental_new_customer"] = (  # only for a lift told from noise
                _ratio(float(spend.mean()), new) if new_low > 0 else np.nan)
            rows.append(row)
        return pd.DataFrame(rows)

    def interactions(self, level: float = 0.95) -> pd.DataFrame:
        """Per kind of lever and KPI: the whole lift (the plan against none of its
        channels, or none of its promotions), the sum of the levers' increments, and the
        interaction (whole minus the sum), each with its CI over the same seeds."""
        rows = []
        for kind, whole_run in (("channel", _NO_CHANNELS), ("promotion", _NO_PROMOTIONS)):
            levers = [lv for lv in self.levers if lv.kind == kind]
            if not levers or whole_run not in self.results:
                continue
            whole = self._diff(self.results[whole_run])
            parts = sum((self.increments(lv) for lv in levers), start=0 * whole)
            for kpi in INCREMENTAL:
                row: dict[str, object] = {"kind": kind, "kpi": kpi, "levers": len(levers)}
                for label, frame in (("whole", whole), ("sum_of_parts", parts),
                                     ("interaction", whole - parts)):
                    row |= dict(zip((label, f"{label}_low", f"{label}_high"),
                                    _ci(frame[kpi], level), strict=True))
                rows.append(row)
        return pd.DataFrame(rows)

    def _diff(self, other: Results) -> pd.DataFrame:
        cols = list(INCREMENTAL)
        return self.results[_PLAN].totals()[cols] - other.totals()[cols]


def _ci(per_seed: pd.Series, level: float) -> tuple[float, float, float]:
    """Mean over seeds and its confidence interval."""
    mean, low, high = mean_ci(per_seed.to_frame(), level).to_numpy(dtype=float)[0]
    return float(mean), float(low), float(high)


def _ratio(num: float, den: float) -> float:
    return num / den if den and np.isfinite(den) else float("nan")


def incrementality(scenario: Scenario, strategy: Strategy | None = None, seeds: int = 8, *,
                   channels: list[str] | None = None, promotions: bool = True,
                   seed: int | None = None, jobs: int = 1) -> Incrementality:
    """Measure each lever of a plan by removing it, on the same seeds.

    Args:
        scenario: the validated scenario.
        strategy: the plan; None measures the scenario's own.
        seeds: replications shared by every run.
        channels: the channels to measure (default: every channel the plan spends on).
        promotions: also measure each of the plan's promotions (those that run on a
            simulated day).
        seed: root seed; None uses the scenario's.
        jobs: worker processes (one pool for every run and seed).

    Raises:
        ValueError: a channel named is not one the plan spends on, or nothing to measure.
    """
    plan = scenario.strategy if strategy is None else strategy
    spending = [ch for ch in scenario.channels if plan.budget * plan.shares.get(ch, 0.0) > 0]
    if channels is None:
        chosen = spending
    else:
        unknown = [ch for ch in channels if ch not in spending]
        if unknown:
            raise ValueError(f"the plan spends nothing on {', '.join(unknown)}; it spends "
                             f"on {', '.join(spending) or 'no channel'}")
        chosen = list(dict.fromkeys(channels))
    levers = [Lever("channel", ch) for ch in chosen]
    if promotions:  # those that run on a simulated day (with --days, some may not)
        n_days = scenario.horizon.n_days
        levers += [Lever("promotion", p.name) for p in plan.promotions
                   if promotion_days(scenario, p, n_days).any()]
    if not levers:
        raise ValueError("the plan has no channel with spend and no promotion to measure")
    runs: dict[str, Strategy | None] = {_PLAN: plan}
    runs |= {lv.run: without(plan, lv) for lv in levers}
    if any(lv.kind == "channel" for lv in levers):
        runs[_NO_CHANNELS] = without(plan, "channels")
    if any(lv.kind == "promotion" for lv in levers):
        runs[_NO_PROMOTIONS] = without(plan, "promotions")
    results = simulate_many(scenario, runs, seeds, seed=seed, jobs=jobs)
    return Incrementality(scenario, plan, levers, results)
