"""From an order log's fits to the shop as a scenario: segments, catalog, calendar, customers.

What the log tells is fitted (``calibrate.calibration`` runs the fits); what it cannot tell
comes from a *template* scenario (a shipped one, ``baseline`` by default): the marketing
channels and how shoppers respond to them and to prices. The calibrated scenario's own
plan spends nothing: the log already contains the shop's usual marketing, folded into the
purchase rates it shows, so business as usual is the scenario with no extra spend.

* Segments: one per value of the log's segment column (one, ``all``, without). Each gets
  its BG/NBD purchase rate and dropout (in days, the engine's unit), its Gamma-Gamma
  spend model (``spend``) with the engine's basket model set to the same mean and
  per-order variation (``cv = 1/sqrt(p)``), its city-tier shares and category mix, and
  its share of the new customers of the recent past (the prospects' segments).
* Catalog: one category per value of the category column (one, ``all``, without); its
  price is the mean value of the orders that include it, its unit cost that price times
  ``1 - margin`` (the log has no costs).
* The customers: one row each in the customer table (``agents.customers``); the engine
  draws each one's rate, dropout and basket from the posteriors given that history.
* Prospects: shoppers who could still become customers, ``prospects`` of them (by
  default as many as there are customers, and at least 1.5 times the new customers the
  horizon expects); ``arrivals`` new customers a day come from them.
* ``high_value_spend``: the 90th percentile of the customers' trailing spend.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from agents._config import CITY_TIERS
from calibrate.bgnbd import BGNBDFit
from calibrate.gamma_gamma import GammaGammaFit
from calibrate.orders import OrderLog
from calibrate.seasonality import CalendarFit

__all__ = ["ALL", "SegmentFit", "ShopOptions", "catalog_section", "customer_table",
           "population_section", "scenario_data"]

ALL = "all"  # the name of the only segment, or category, when the log has no such column

#: the template population's fields that say how shoppers behave, kept as they are
_BEHAVIOUR = ("awareness_per_exposure", "forget_rate", "aware_purchase_factor",
              "organic_conversion", "reference_adaptation", "pull_forward_share",
              "category_concentration", "new_days", "dormant_after_days",
              "spend_window_days")


@dataclass(frozen=True)
class SegmentFit:
    """The fits of one segment.

    Attributes:
        name: the segment.
        bgnbd: BG/NBD in days (``alpha`` per day).
        spend: Gamma-Gamma spend per order (currency).
        customers: customers of the segment in the calibration period.
        share: the segment's share of the prospects (of recent new customers).
        city_tiers: shares of its customers by city tier (None: the log has none).
        categories: its share of orders by category (None: one category).
    """

    name: str
    bgnbd: BGNBDFit
    spend: GammaGammaFit
    customers: int
    share: float
    city_tiers: dict[str, float] | None
    categories: dict[str, float] | None

    def section(self, template_segment: dict[str, Any]) -> dict[str, Any]:
        """The segment as the scenario's YAML writes it."""
        b, g = self.bgnbd.params, self.spend.params
        p, q, scale = g["p"], g["q"], g["gamma"]
        mean = p * scale / (q - 1) if q > 1 else p * scale
        out: dict[str, Any] = {
            "share": self.share,
            "purchase": {"r": b["r"], "alpha": b["alpha"]},
            "dropout": {"a": b["a"], "b": b["b"]},
            "basket": {"mean": mean, "shape": max(q - 2.0, 0.5),
                       "cv": min(1.0 / math.sqrt(p), 3.0)},
            "spend": {"p": p, "q": q, "gamma": scale},
            "price_sensitivity": template_segment.get("price_sensitivity", 2.5),
        }
        if self.city_tiers is not None:
            out["city_tiers"] = self.city_tiers
        if self.categories is not None:
            out["categories"] = self.categories
        return out


def _shares(values: pd.Series, names: tuple[str, ...] | list[str]) -> dict[str, float]:
    """Shares of ``values`` over ``names`` (each at least 1e-6, so none is impossible)."""
    counts = values.value_counts().reindex(list(names), fill_value=0).astype(float)
    counts = counts.clip(lower=1e-6 * max(float(counts.sum()), 1.0))
    return {str(k): float(v) for k, v in (counts / counts.sum()).items()}


def city_tier_shares(tiers: pd.Series) -> dict[str, float]:
    """The shares of a segment's customers by city tier."""
    return _shares(tiers, CITY_TIERS)


def trailing_spend(log: OrderLog, until: pd.Timestamp, window_days: int) -> pd.Series:
    """Each customer's trailing spend at ``until``, as the engine's lifecycle keeps it: an
    exponential window of ``window_days`` over the order values (by customer code)."""
    days = log.days[log.days["date"] <= until]
    age = (until - days["date"]).dt.days.to_numpy(dtype=float)
    weight = days["value"].to_numpy() * np.exp(-age / window_days)
    return pd.Series(weight, index=days["customer"].to_numpy()).groupby(level=0).sum()


def customer_table(log: OrderLog, summary: pd.DataFrame, segment: pd.Series,
                   until: pd.Timestamp, window_days: int) -> pd.DataFrame:
    """The customer table the engine reads (``agents.customers``), one row per customer
    of the calibration period: id, segment, city tier, history in days, trailing spend,
    orders by category.

    Args:
        log: the order log.
        summary: its per-customer summary to ``until`` in days (index: customer code).
        segment: each customer's segment (index: customer code).
        until: the calibration date.
        window_days: the population's ``spend_window_days``.
    """
    codes = summary.index.to_numpy()
    table = pd.DataFrame({
        "customer": np.asarray(log.ids)[codes],
        "segment": segment.reindex(codes).to_numpy(),
        "frequency": summary["frequency"].to_numpy(dtype=np.int64),
        "recency": summary["recency"].to_numpy(dtype=float),
        "T": summary["T"].to_numpy(dtype=float),
        "monetary": summary["monetary"].to_numpy(dtype=float),
        "n_orders": summary["n_orders"].to_numpy(dtype=np.int64),
        "spend": trailing_spend(log, until, window_days).reindex(codes, fill_value=0.0)
        .to_numpy(),
    })
    if log.city_tier is not None:
        table.insert(2, "city_tier", np.asarray(log.city_tier)[codes])
    if log.categories is not None:
        cats = log.categories[log.categories["customer"].isin(codes)]
        counts = cats.pivot_table(index="customer", columns="category", values="orders",
                                  aggfunc="sum", fill_value=0)
        for name in counts.columns:
            table[f"categories.{name}"] = counts[name].reindex(codes, fill_value=0) \
                .to_numpy(dtype=np.int64)
    return table


def catalog_section(log: OrderLog, margin: float) -> dict[str, Any]:
    """The catalog: one category per value of the category column (``all`` without),
    priced at the mean value of the orders including it, weighted by their share."""
    if log.categories is None:
        price = float(log.days["value"].mean())
        return {"categories": {ALL: {"price": price, "unit_cost": price * (1 - margin),
                                     "weight": 1.0}}}
    per = log.categories.groupby("category")[["orders", "value"]].sum()
    prices = (per["value"] / per["orders"]).to_numpy()
    weights = (per["orders"] / per["orders"].sum()).to_numpy()
    return {"categories": {
        str(name): {"price": float(p), "unit_cost": float(p * (1 - margin)),
                    "weight": float(w)}
        for name, p, w in zip(per.index, prices, weights, strict=True)}}


def segment_categories(log: OrderLog, segment: pd.Series) -> dict[str, dict[str, float]]:
    """Per segment, its weight on each category relative to the catalog's weight (the
    engine multiplies the two), so that the segment's orders split as its own log shows."""
    if log.categories is None:
        return {}
    cats = log.categories.assign(segment=segment.reindex(
        log.categories["customer"].to_numpy()).to_numpy())
    overall = cats.groupby("category")["orders"].sum()
    overall = overall / overall.sum()
    out = {}
    for seg, part in cats.groupby("segment"):
        own = part.groupby("category")["orders"].sum().reindex(overall.index, fill_value=0)
        own = (own / max(float(own.sum()), 1.0)).clip(lower=1e-6)
        out[str(seg)] = {str(k): float(v) for k, v in (own / overall).items()}
    return out


def population_section(template: dict[str, Any], segments: dict[str, dict[str, Any]],
                       customers: int, prospects: int, arrivals: float,
                       high_value_spend: float, file: str) -> dict[str, Any]:
    """The population: the customer table, prospects, arrivals, the segments; how
    shoppers behave comes from the template's population (``template``: its YAML)."""
    out = {k: template[k] for k in _BEHAVIOUR if k in template}
    return out | {
        "size": customers + prospects, "scale": 1.0, "initial_customer_share": 0.0,
        "initial_aware_share": 0.0, "discovery_rate": 0.0, "arrivals": arrivals,
        "high_value_spend": max(high_value_spend, 1e-6),
        "customers": {"file": file}, "segments": segments}


def default_prospects(customers: int, arrivals: float, demand_days: float) -> int:
    """As many prospects as customers, and at least 1.5 times the new customers the
    horizon expects (``demand_days``: the sum of its days' demand multipliers)."""
    return max(customers, math.ceil(1.5 * arrivals * demand_days), 1)


@dataclass(frozen=True)
class ShopOptions:
    """What the planner chooses about the calibrated scenario (see ``from_orders``)."""

    days: int = 365
    prospects: int | None = None
    margin: float = 0.3
    currency: str | None = None
    name: str = "my_shop"


def scenario_data(log: OrderLog, fits: dict[str, SegmentFit], calendar: CalendarFit,
                  arrivals: float, table: pd.DataFrame, table_file: Path,
                  until: pd.Timestamp, template: dict[str, Any], opts: ShopOptions
                  ) -> dict[str, Any]:
    """The calibrated scenario as YAML data: the horizon from the day after ``until``,
    the population of the customer table (``table_file``) and prospects, the catalog,
    the fitted calendar, the template's channels, a plan that spends nothing."""
    start = (until + pd.Timedelta(days=1)).date()
    pop = template["population"]
    first_segment = next(iter(pop["segments"].values()))
    # an ordinary day's demand is 1 and events are few: the horizon expects ~days x arrivals
    prospects = opts.prospects if opts.prospects is not None else default_prospects(
        len(table), arrivals, float(opts.days))
    high_value = float(np.quantile(table["spend"], 0.9)) if len(table) else 1.0
    return {
        "name": opts.name,
        "description": f"Calibrated from {log.source} to {until.date()}.",
        "currency": opts.currency or template.get("currency", "CNY"),
        "seed": template.get("seed", 0),
        "horizon": {"start": start.isoformat(), "days": opts.days},
        "population": population_section(
            pop, {n: f.section(first_segment) for n, f in fits.items()}, len(table),
            prospects, arrivals, high_value, str(table_file)),
        "catalog": catalog_section(log, opts.margin),
        "channels": template.get("channels", {}),
        "calendar": {"weekly": list(calendar.weekly), "monthly": list(calendar.monthly),
                     "events": [e.model_dump(mode="json")
                                for e in calendar.events_on(start, opts.days)]},
        "strategy": {},
    }
