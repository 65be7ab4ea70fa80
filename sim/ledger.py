"""The ledger: what each day produced, and the one place where KPI formulas are computed.

Money and counts are recorded at real scale (simulated figures times
``population.scale``); spend and exposures are real already. Which KPIs there are, their
units and the columns of each table come from the registry, ``sim.kpis``; ``derive`` adds
its derived KPIs. The formulas are DESIGN.md's contract:

* ``discount_cost = list_value - gmv`` (promotions, coupons, presale deposit bonuses);
  ``coupon_cost`` is the part new-user coupons gave
* ``loyalty_cost = gift_cost + points_cost + points_redeemed + birthday_gifts``: gifts
  with purchase, points of a points promotion (issued times their expected redemption),
  the loyalty programme's points redeemed and birthday gifts; ``tier_discount`` (member
  prices) is part of ``discount_cost``; ``points_liability`` is the value of the
  programme's points not yet redeemed; a referral programme's friend rewards
  (``referral_discount``) are discount cost and its referrer credits
  (``referral_credit``) loyalty cost
* ``gross_profit = gmv + forfeited_deposits - cogs - loyalty_cost - holding_cost``: a
  presale deposit never completed is kept by the shop, with no goods shipped;
  ``holding_cost`` is the closing stock's units times the category's rate, each day
* ``stockout_rate = lost_units / demand_units`` (the share of demand not served);
  ``fill_rate = served_units / demand_units`` (served from the SKU group asked for;
  the rest went to a substitute); ``lost_gmv``: what the lost orders would have paid
* ``profit = gross_profit - marketing_spend``
* ``roas = gmv / marketing_spend``; ``roi = profit / marketing_spend``
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from agents._config import CITY_TIERS, STAGES
from sim import kpis

if TYPE_CHECKING:
    from agents.loyalty import LoyaltyProgramme
    from agents.outcome import DayOutcome
    from agents.population import ShopperPopulation

__all__ = ["ADDITIVE", "LEVELS", "Ledger", "derive"]

#: KPIs that add up over days, seeds' days, channels or segments (``sim.kpis.ADDITIVE``).
ADDITIVE = list(kpis.ADDITIVE)
#: KPIs that are a level at the end of a day (a period's value is its last day's).
LEVELS = list(kpis.LEVELS)


def _ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    return num.div(den.where(den != 0))


def derive(frame: pd.DataFrame) -> pd.DataFrame:
    """Add the derived KPIs to a frame of additive ones (days, totals, channels, ...).

    Columns a frame lacks are skipped; a ratio whose denominator is 0 is NaN.
    """
    f = frame.copy()
    cols = set(f.columns)
    spend = "marketing_spend" if "marketing_spend" in cols else "spend"
    if {"list_value", "gmv"} <= cols:
        f["discount_cost"] = f["list_value"] - f["gmv"]
    if {"gmv", "cogs"} <= cols:
        f["gross_profit"] = f["gmv"] + f.get("forfeited_deposits", 0.0) - f["cogs"] \
            - f.get("loyalty_cost", 0.0) - f.get("holding_cost", 0.0)
        f["gross_margin"] = _ratio(f["gross_profit"], f["gmv"])
        if spend in cols:
            f["profit"] = f["gross_profit"] - f[spend]
            f["roas"] = _ratio(f["gmv"], f[spend])
            f["roi"] = _ratio(f["profit"], f[spend])
    visits = "visitors" if "visitors" in cols else "visits"
    if {"orders", visits} <= cols:
        f["conversion_rate"] = _ratio(f["orders"], f[visits])
    if {"gmv", "orders"} <= cols:
        f["aov"] = _ratio(f["gmv"], f["orders"])
    if {"new_customers", spend} <= cols:
        f["cac"] = _ratio(f[spend], f["new_customers"])
    if {"repeat_orders", "orders"} <= cols:
        f["repeat_rate"] = _ratio(f["repeat_orders"], f["orders"])
    if {"demand_units", "lost_units", "served_units"} <= cols:
        # nothing asked of a stock (no stock plan, or a quiet day): nothing lost
        f["stockout_rate"] = _ratio(f["lost_units"], f["demand_units"]).fillna(0.0)
        f["fill_rate"] = _ratio(f["served_units"], f["demand_units"]).fillna(1.0)
    return f


class Ledger:
    """Day-by-day records of one run.

    Args:
        n_days: days in the horizon.
        channels: channel names (an ``organic`` row is added for unattributed orders).
        segments: segment names.
        promotions: promotion names, in the plan's order.
        scale: real shoppers per simulated shopper.
    """

    def __init__(self, n_days: int, channels: list[str], segments: list[str],
                 promotions: list[str], scale: float, tiers: list[str] | None = None,
                 months: list[str] | None = None, month_of_day: np.ndarray | None = None,
                 categories: list[str] | None = None) -> None:
        self.scale = scale
        self.channels = [*channels, "organic"]
        self.segments = segments
        self.promotions = promotions
        self.by_promotion = {k: np.zeros((n_days, len(promotions))) for k in kpis.BY_PROMOTION}
        self.tiers = tiers or []
        self.by_tier = {k: np.zeros((n_days, len(self.tiers))) for k in kpis.BY_TIER}
        # cohorts: customers from before the horizon, then one per month of acquisition
        self.cohorts = ["before", *(months or [])]
        self._month_of_day = month_of_day if month_of_day is not None else np.zeros(
            n_days, dtype=np.int64)
        self.by_cohort = {k: np.zeros((n_days, len(self.cohorts))) for k in kpis.BY_COHORT}
        # acquisition sources: channels (no 'organic' row), organic, referral, existing
        self.sources = [*channels, "organic", "referral", "existing"]
        self.by_source = {k: np.zeros((n_days, len(self.sources))) for k in kpis.BY_COHORT}
        self.daily = {k: np.zeros(n_days) for k in (*kpis.ADDITIVE, *kpis.LEVELS)}
        self.categories = categories or []
        self.by_category = {k: np.zeros((n_days, len(self.categories)))
                            for k in kpis.BY_CATEGORY}
        self.by_channel = {k: np.zeros((n_days, len(self.channels))) for k in kpis.BY_CHANNEL}
        self.by_segment = {k: np.zeros((n_days, len(segments))) for k in kpis.BY_GROUP}
        self.by_city_tier = {k: np.zeros((n_days, len(CITY_TIERS))) for k in kpis.BY_GROUP}

    def record(self, day: int, out: DayOutcome, spend: np.ndarray, exposures: np.ndarray,
               pop: ShopperPopulation, loyalty: LoyaltyProgramme | None = None,
               stock: dict[str, np.ndarray] | None = None) -> None:
        """Book one day: the outcome of the day (its orders, visits, lifecycle stages),
        what channels spent, the population's state and (``stock``: per category, real
        scale) the inventory's day."""
        s = self.scale
        d = self.daily
        d["visitors"][day] = out.visitors.size * s
        d["orders"][day] = out.buyers.size * s
        d["repeat_orders"][day] = (~out.new).sum() * s
        d["new_customers"][day] = out.new.sum() * s
        d["list_value"][day] = out.list_value.sum() * s
        d["gmv"][day] = out.gmv.sum() * s
        d["cogs"][day] = out.cogs.sum() * s
        d["marketing_spend"][day] = spend.sum()
        d["unsubscribes"][day] = out.unsubscribes * s
        for key in kpis.TALLY:
            d[key][day] = out.tally.get(key, 0.0) * s
        d["loyalty_cost"][day] = d["gift_cost"][day] + d["points_cost"][day] \
            + d["points_redeemed"][day] + d["birthday_gifts"][day] + d["referral_credit"][day]
        self._record_cohorts(day, pop)
        self._record_categories(day, out, stock)
        if loyalty is not None:
            d["points_liability"][day] = loyalty.liability * s
            self.by_tier["members"][day] = loyalty.counts(pop) * s
        if out.per_promotion is not None:
            for i, key in enumerate(kpis.BY_PROMOTION):
                self.by_promotion[key][day] = out.per_promotion[:, i] * s
        self._record_stages(day, out.stages)
        self._record_channels(day, out, spend, exposures)
        self._record_groups(day, out, pop)

    def _record_categories(self, day: int, out: DayOutcome,
                           stock: dict[str, np.ndarray] | None) -> None:
        """Orders per category, and the inventory's day (per category and in total)."""
        s = self.scale
        cat = self.by_category
        if self.categories:
            k = len(self.categories)
            cat["orders"][day] = np.bincount(out.category, minlength=k) * s
            for key, values in (("list_value", out.list_value), ("gmv", out.gmv),
                                ("cogs", out.cogs)):
                cat[key][day] = np.bincount(out.category, weights=values, minlength=k) * s
        if stock is not None:
            for key, values in stock.items():
                cat[key][day] = values
                self.daily[key][day] = values.sum()

    def _record_stages(self, day: int, stages: np.ndarray) -> None:
        """Shoppers per lifecycle stage (``stages``: each shopper's code at the end of the
        day), and the customer counts they make up."""
        d = self.daily
        counts = np.bincount(stages, minlength=len(STAGES)) * self.scale
        for i, name in enumerate(STAGES):
            d[f"stage_{name}"][day] = counts[i]
        idx = {name: i for i, name in enumerate(STAGES)}
        alive = counts[idx["new"]] + counts[idx["active"]] + counts[idx["high_value"]]
        d["active_customers"][day] = alive
        d["customers"][day] = alive + counts[idx["dormant"]]
        d["churned"][day] = counts[idx["churned"]]

    def _record_channels(self, day: int, out: DayOutcome, spend: np.ndarray,
                         exposures: np.ndarray) -> None:
        """Per channel: spend, exposures, reach, visits and the orders attributed to it."""
        s = self.scale
        n_ch = len(self.channels)
        ch = self.by_channel
        oc = out.order_channel
        ch["spend"][day, :-1] = spend
        ch["exposures"][day, :-1] = exposures
        ch["reach"][day, :-1] = out.reach * s
        ch["visits"][day, :-1] = out.channel_visits * s
        ch["visits"][day, -1] = (out.visitors.size - out.channel_visits.sum()) * s
        ch["orders"][day] = np.bincount(oc, minlength=n_ch) * s
        ch["new_customers"][day] = np.bincount(oc[out.new], minlength=n_ch) * s
        for key, values in (("list_value", out.list_value), ("gmv", out.gmv), ("cogs", out.cogs)):
            ch[key][day] = np.bincount(oc, weights=values, minlength=n_ch) * s

    def _record_groups(self, day: int, out: DayOutcome, pop: ShopperPopulation) -> None:
        """Per segment and per city tier: visitors, orders, money and customers."""
        s = self.scale
        customers = pop.customer & pop.alive
        for table, codes, n in ((self.by_segment, pop.segment, len(self.segments)),
                                (self.by_city_tier, pop.city_tier, len(CITY_TIERS))):
            b = codes[out.buyers]
            table["visitors"][day] = np.bincount(codes[out.visitors], minlength=n) * s
            table["orders"][day] = np.bincount(b, minlength=n) * s
            table["new_customers"][day] = np.bincount(b[out.new], minlength=n) * s
            for key, values in (("list_value", out.list_value), ("gmv", out.gmv),
                                ("cogs", out.cogs)):
                table[key][day] = np.bincount(b, weights=values, minlength=n) * s
            table["customers"][day] = np.bincount(codes, weights=customers, minlength=n) * s

    def _record_cohorts(self, day: int, pop: ShopperPopulation) -> None:
        """Customers acquired so far and still alive, by acquisition month and source."""
        from agents.population import EXISTING, ORGANIC, REFERRAL

        cust = np.flatnonzero(pop.customer)
        alive = pop.alive[cust]
        first = pop.first_day[cust]
        month = np.where(first >= 0, self._month_of_day[np.clip(first, 0, None)] + 1, 0)
        n_ch = len(self.sources) - 3
        src = pop.acquired_by[cust].astype(np.int64)
        src = np.select([src == ORGANIC, src == REFERRAL, src == EXISTING],
                        [n_ch, n_ch + 1, n_ch + 2], src)
        for table, codes, k in ((self.by_cohort, month, len(self.cohorts)),
                                (self.by_source, src, len(self.sources))):
            table["acquired"][day] = np.bincount(codes, minlength=k) * self.scale
            table["alive"][day] = np.bincount(codes, weights=alive, minlength=k) * self.scale

    def frames(self, dates: list, replication: int) -> dict[str, pd.DataFrame]:
        """The run's records as long DataFrames (one row per day, or per day and group)."""
        n_days = len(dates)
        days, stamps = np.arange(n_days), pd.to_datetime(dates)
        daily = pd.DataFrame({"seed": replication, "day": days, "date": stamps, **self.daily})
        out = {"daily": daily}
        for key, table, labels, label in (
                ("by_channel", self.by_channel, self.channels, "channel"),
                ("by_segment", self.by_segment, self.segments, "segment"),
                ("by_city_tier", self.by_city_tier, list(CITY_TIERS), "city_tier"),
                ("by_promotion", self.by_promotion, self.promotions, "promotion"),
                ("by_tier", self.by_tier, self.tiers, "tier"),
                ("by_cohort", self.by_cohort, self.cohorts, "cohort"),
                ("by_source", self.by_source, self.sources, "source"),
                ("by_category", self.by_category, self.categories, "category")):
            k = len(labels)
            out[key] = pd.DataFrame({
                "seed": replication,
                "day": np.repeat(days, k),
                "date": np.repeat(stamps, k),
                label: np.tile(labels, n_days),
                **{col: arr.reshape(-1) for col, arr in table.items()},
            })
        return out
