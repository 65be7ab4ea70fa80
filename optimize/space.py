"""Levers -> Optuna search space: every suggestion maps to a valid plan.

Shares on a simplex (channel budget shares, budget phasing) use Optuna's Dirichlet
recipe: one ``u_i`` in (0, 1] per part, ``x_i = -log(u_i)`` (an exponential draw), shares
``x_i / sum(x)``. Uniform ``u`` gives a uniform distribution on the simplex, every part
has its own parameter (so importances and the TPE model see each channel), and any
suggestion is a valid split. Stick-breaking would do the same with an order-dependent
meaning of each parameter, which confuses both. Per-channel bounds are applied after:
``share = min + (1 - sum(min)) x p``, then shares above their ``max`` are cut to it and
the excess goes to the others in proportion (repeated until none is above its max).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import optuna

from agents.promotions.registry import DEPTH_FIELD
from optimize.levers import Levers, StockLever, levers_of
from sim.schema import Scenario, Strategy

__all__ = ["equal_split", "params_of", "suggest_strategy"]

_U_LOW = 1e-6  # u in [1e-6, 1]: a share can come arbitrarily close to 0


def _share_channels(scenario: Scenario, levers: Levers) -> list[str]:
    assert levers.shares is not None
    if levers.shares.channels:
        return list(levers.shares.channels)
    funded = [c for c, v in scenario.strategy.shares.items() if v > 0]
    return funded or list(scenario.channels)


def _bounded(p: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Shares ``p`` (a simplex) moved into [low, high], still adding up to 1."""
    share = low + (1.0 - low.sum()) * p
    for _ in range(len(p)):
        over = share > high + 1e-12
        if not over.any():
            break
        excess = float((share[over] - high[over]).sum())
        share[over] = high[over]
        room = ~over & (share < high)
        weights = share[room] - low[room] + 1e-12
        share[room] += excess * weights / weights.sum()
    return share / share.sum()


def _shares(levers: Levers, names: list[str], p: np.ndarray) -> dict[str, float]:
    """Channel shares from a point ``p`` of the simplex, moved into the lever's bounds."""
    assert levers.shares is not None
    low = np.array([levers.shares.min.get(n, 0.0) for n in names])
    high = np.array([levers.shares.max.get(n, 1.0) for n in names])
    return {n: float(v) for n, v in zip(names, _bounded(p, low, high), strict=True)}


def _simplex(trial: optuna.trial.BaseTrial, prefix: str, names: list[str]) -> np.ndarray:
    x = np.array([-math.log(trial.suggest_float(f"{prefix}{n}", _U_LOW, 1.0)) for n in names])
    return x / x.sum() if x.sum() > 0 else np.full(len(names), 1.0 / len(names))


def suggest_strategy(trial: optuna.trial.BaseTrial, scenario: Scenario) -> Strategy:
    """The plan a trial proposes: the scenario's own plan with each lever set by the trial."""
    levers = levers_of(scenario)
    plan = scenario.strategy.model_dump()
    if levers.shares is not None:
        names = _share_channels(scenario, levers)
        plan["shares"] = _shares(levers, names, _simplex(trial, "share:", names))
    if levers.budget is not None:
        b = levers.budget
        plan["budget"] = trial.suggest_float("budget", b.min, b.max, step=b.step)
    if levers.phasing:
        share = _simplex(trial, "phase:", list(levers.phasing))
        plan["phasing"] = _phasing(plan.get("phasing"), levers.phasing, share)
    promos = plan["promotions"]
    by_name = {p["name"]: p for p in promos}
    for name, b in levers.depth.items():
        field = DEPTH_FIELD[by_name[name]["kind"]]
        by_name[name][field] = trial.suggest_float(f"depth:{name}", b.min, b.max, step=b.step)
    for name, t in levers.timing.items():
        start = trial.suggest_int(f"start:{name}", 0, (t.latest - t.earliest).days)
        days = trial.suggest_int(f"days:{name}", t.min_days, t.max_days)
        first = t.earliest + dt.timedelta(days=start)
        by_name[name]["start"] = first
        by_name[name]["end"] = first + dt.timedelta(days=days - 1)
        if by_name[name].get("final_day") is not None and \
                by_name[name]["final_day"] <= by_name[name]["end"]:
            by_name[name]["end"] = by_name[name]["final_day"] - dt.timedelta(days=1)
    if levers.loyalty is not None:
        _suggest_loyalty(trial, levers, plan["loyalty"])
    for name, b in levers.referral.items():
        plan["referral"][name] = trial.suggest_float(f"referral:{name}", b.min, b.max,
                                                     step=b.step)
    for name, lever in levers.stock.items():
        _suggest_stock(trial, name, lever, plan["stock"][name])
    return Strategy.model_validate(plan)


def _suggest_stock(trial: optuna.trial.BaseTrial, name: str, lever: StockLever,
                   stock: dict[str, Any]) -> None:
    """Set a category's stock plan (a plan's dumped ``stock.<name>``) in place: initial
    units, and the planned deliveries scaled together to the suggested total."""
    if lever.initial is not None:
        b = lever.initial
        stock["initial"] = trial.suggest_float(f"stock:{name}", b.min, b.max, step=b.step)
    if lever.deliveries is not None:
        b = lever.deliveries
        total = trial.suggest_float(f"deliveries:{name}", b.min, b.max, step=b.step)
        planned = sum(d["units"] for d in stock["deliveries"])
        for d in stock["deliveries"]:
            d["units"] = total * (d["units"] / planned if planned > 0
                                  else 1.0 / len(stock["deliveries"]))
    rule = stock["replenishment"]
    for key in ("reorder_point", "level"):
        if (b := getattr(lever, key)) is not None:
            rule[key] = trial.suggest_float(f"{key}:{name}", b.min, b.max, step=b.step)
    if lever.level is not None and rule.get("reorder_point") is not None:
        rule["reorder_point"] = min(rule["reorder_point"], rule["level"])  # min <= max


def _suggest_loyalty(trial: optuna.trial.BaseTrial, levers: Levers, loyalty: dict[str, Any]
                     ) -> None:
    """Set the programme's levers in ``loyalty`` (a plan's dumped programme), in place.

    Thresholds are kept rising: a tier's threshold is at least the one below plus 1, so
    every suggestion is a valid programme.
    """
    lv = levers.loyalty
    assert lv is not None
    tiers = {t["name"]: t for t in loyalty["tiers"]}
    for name, b in lv.thresholds.items():
        tiers[name]["threshold"] = trial.suggest_float(f"threshold:{name}", b.min, b.max,
                                                       step=b.step)
    for name, b in lv.price.items():
        tiers[name]["price"] = trial.suggest_float(f"price:{name}", b.min, b.max, step=b.step)
    if lv.points_per_currency is not None:
        b = lv.points_per_currency
        loyalty["points_per_currency"] = trial.suggest_float("points_per_currency", b.min,
                                                             b.max, step=b.step)
    floor = 0.0
    for i, tier in enumerate(loyalty["tiers"]):
        if i:
            tier["threshold"] = max(tier["threshold"], floor + 1.0)
        floor = tier["threshold"]


def _u_for(shares: np.ndarray) -> list[float]:
    """Recipe parameters that give ``shares`` (the inverse of ``_simplex``, up to scale)."""
    return [min(1.0, max(_U_LOW, math.exp(-float(v)))) for v in shares]


def params_of(scenario: Scenario, strategy: Strategy) -> dict[str, Any]:
    """Trial parameters that reproduce ``strategy`` (for enqueueing a known plan).

    Shares are reproduced exactly when no per-channel bound binds; levers the plan
    leaves at the scenario's values come out as those values.
    """
    levers = levers_of(scenario)
    params: dict[str, Any] = {}
    if levers.shares is not None:
        names = _share_channels(scenario, levers)
        low = np.array([levers.shares.min.get(n, 0.0) for n in names])
        want = np.array([strategy.shares.get(n, 0.0) for n in names])
        p = np.clip((want - low) / max(1.0 - low.sum(), 1e-12), 0, None)
        p = p / p.sum() if p.sum() > 0 else np.full(len(names), 1.0 / len(names))
        params |= {f"share:{n}": u for n, u in zip(names, _u_for(p), strict=True)}
    if levers.budget is not None:
        params["budget"] = min(max(strategy.budget, levers.budget.min), levers.budget.max)
    if levers.phasing:
        phasing = strategy.phasing or {}
        want = np.array([phasing.get(p, 0.0) for p in levers.phasing])  # scale-free
        want = want / want.sum() if want.sum() > 0 else np.full(len(want), 1 / len(want))
        params |= {f"phase:{p}": u for p, u in zip(levers.phasing, _u_for(want), strict=True)}
    by_name = {p.name: p for p in strategy.promotions}
    for name, b in levers.depth.items():
        value = getattr(by_name[name], by_name[name].depth_field or "")
        params[f"depth:{name}"] = min(max(float(value), b.min), b.max)
    if levers.loyalty is not None and strategy.loyalty is not None:
        tiers = {t.name: t for t in strategy.loyalty.tiers}
        lv = levers.loyalty
        params |= {f"threshold:{n}": min(max(tiers[n].threshold, b.min), b.max)
                   for n, b in lv.thresholds.items()}
        params |= {f"price:{n}": min(max(tiers[n].price, b.min), b.max)
                   for n, b in lv.price.items()}
        if lv.points_per_currency is not None:
            b = lv.points_per_currency
            params["points_per_currency"] = min(max(strategy.loyalty.points_per_currency,
                                                    b.min), b.max)
    if strategy.referral is not None:
        params |= {f"referral:{k}": min(max(getattr(strategy.referral, k), b.min), b.max)
                   for k, b in levers.referral.items()}
    for name, lever in levers.stock.items():
        plan = strategy.stock[name]
        rule = plan.replenishment
        for key, bounds, value in (("stock", lever.initial, plan.initial),
                                   ("deliveries", lever.deliveries,
                                    sum(d.units for d in plan.deliveries)),
                                   ("reorder_point", lever.reorder_point,
                                    rule and rule.reorder_point),
                                   ("level", lever.level, rule and rule.level)):
            if bounds is not None:
                params[f"{key}:{name}"] = min(max(value or 0.0, bounds.min), bounds.max)
    for name, t in levers.timing.items():
        promo = by_name[name]
        span = (t.latest - t.earliest).days
        params[f"start:{name}"] = min(max((promo.start - t.earliest).days, 0), span)
        params[f"days:{name}"] = min(max((promo.end - promo.start).days + 1, t.min_days),
                                     t.max_days)
    return params


def equal_split(scenario: Scenario) -> Strategy:
    """The scenario's plan with its budget split equally over the share lever's channels
    (and, when phasing is a lever, equally over those phases)."""
    levers = levers_of(scenario)
    plan = scenario.strategy.model_dump()
    if levers.shares is not None:
        names = _share_channels(scenario, levers)
        plan["shares"] = _shares(levers, names, np.full(len(names), 1.0 / len(names)))
    if levers.phasing:
        even = np.full(len(levers.phasing), 1.0 / len(levers.phasing))
        plan["phasing"] = _phasing(plan.get("phasing"), levers.phasing, even)
    return Strategy.model_validate(plan)


def _phasing(current: dict[str, float] | None, searched: Sequence[str], share: np.ndarray
             ) -> dict[str, float]:
    """Phase shares: the searched phases split what the others leave."""
    fixed = {p: v for p, v in (current or {}).items() if p not in searched}
    rest = 1.0 - sum(fixed.values())
    return fixed | {p: float(rest * v) for p, v in zip(searched, share, strict=True)}

