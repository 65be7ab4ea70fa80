"""``Results``: the KPI frames of replicated runs and their summary with confidence intervals."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from sim import kpis
from sim.ledger import derive
from sim.schema import Scenario, Strategy

__all__ = ["STOCK_KPIS", "SUMMARY_KPIS", "Results", "mean_ci"]

#: KPIs in ``summary()``, in the order a planner reads them (``sim.kpis.SUMMARY``).
SUMMARY_KPIS = list(kpis.SUMMARY)
#: KPIs of a stock plan: without one there is nothing to report (``sim.kpis.STOCK``).
STOCK_KPIS = list(kpis.STOCK)


def mean_ci(values: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """Mean and Student-t confidence interval of each column over rows (one row per seed).

    With a single seed the interval is NaN: one run says nothing about its uncertainty.
    """
    n = len(values)
    mean = values.mean()
    half = pd.Series(np.nan, index=values.columns)
    if n > 1:
        half = values.std(ddof=1) / np.sqrt(n) * stats.t.ppf(0.5 + level / 2, n - 1)
    return pd.DataFrame({"mean": mean, "ci_low": mean - half, "ci_high": mean + half})


class Results:
    """What ``sim.simulate`` returns.

    Attributes:
        daily: one row per (seed, day) with every KPI.
        by_channel: one row per (seed, day, channel); ``organic`` holds orders no channel
            brought (last-touch attribution).
        by_segment: one row per (seed, day, segment).
        by_city_tier: one row per (seed, day, city tier).
        by_promotion: one row per (seed, day, promotion): orders that used it, the
            discount and loyalty cost it gave.
        by_tier: one row per (seed, day, loyalty tier): members (customers who have not
            churned) at the end of the day.
        by_cohort: one row per (seed, day, cohort): customers acquired in that month
            (``before``: before the horizon) so far, and how many are still alive.
        by_source: the same by acquisition source: a channel, ``organic``, ``referral`` or
            ``existing`` (customers before the horizon).
        by_category: one row per (seed, day, category): orders, GMV, COGS, and with a
            stock plan the inventory's day (units asked for, served, substituted, lost,
            lost GMV, arrivals, reorders, closing stock, holding cost).
        orders: with ``simulate(..., orders=True)`` one row per simulated order (simulated
            scale), columns ``sim.order_log.COLUMNS``: seed, day, date, customer,
            channel, promotion, category, units, list_value, gmv, new; None otherwise.
        scenario: the scenario run.
        strategy: the strategy run.
    """

    def __init__(self, scenario: Scenario, strategy: Strategy,
                 frames: dict[str, pd.DataFrame]) -> None:
        self.scenario = scenario
        self.strategy = strategy
        self.daily = derive(frames["daily"])
        self.by_channel = derive(frames["by_channel"])
        self.by_segment = derive(frames["by_segment"])
        self.by_city_tier = derive(frames["by_city_tier"])
        self.by_promotion = frames["by_promotion"]
        self.by_tier = frames["by_tier"]
        self.by_cohort = frames["by_cohort"]
        self.by_source = frames["by_source"]
        self.by_category = derive(frames["by_category"])
        self.orders: pd.DataFrame | None = frames.get("orders")
        self._totals: pd.DataFrame | None = None

    @property
    def n_seeds(self) -> int:
        return int(self.daily["seed"].nunique())

    def totals(self) -> pd.DataFrame:
        """One row per seed: additive KPIs summed over the horizon, levels at its end."""
        if self._totals is None:  # computed once: comparisons ask for it per KPI
            g = self.daily.groupby("seed")
            self._totals = derive(pd.concat([g[list(kpis.ADDITIVE)].sum(),
                                           g[list(kpis.LEVELS)].last()], axis=1))
        return self._totals.copy()

    def summary(self, level: float = 0.95) -> pd.DataFrame:
        """One row per KPI over the horizon: ``mean``, ``ci_low``, ``ci_high`` across seeds
        (the stock KPIs only when the plan has a stock plan)."""
        shown = list(kpis.SUMMARY) if self.strategy.stock else [
            k for k in kpis.SUMMARY if k not in kpis.STOCK]
        return mean_ci(self.totals()[shown], level)

    def retention(self, by: str = "cohort") -> pd.DataFrame:
        """Share of each cohort (``by="cohort"``: acquisition month) or acquisition source
        (``by="source"``) still alive, by date: mean over seeds of alive / acquired."""
        frame = self.by_cohort if by == "cohort" else self.by_source
        label = "cohort" if by == "cohort" else "source"
        g = frame.groupby(["date", label], sort=False)[["alive", "acquired"]].mean()
        share = (g["alive"] / g["acquired"].where(g["acquired"] > 0)).unstack()
        return share.dropna(axis=1, how="all")

    def acquisition_summary(self) -> pd.DataFrame:
        """Per acquisition source over the horizon, mean over seeds: new customers, what
        acquiring them cost (channel spend; for ``referral`` the rewards to both sides),
        CAC, and the share still alive at the end."""
        end = self.by_source[self.by_source["day"] == self.by_source["day"].max()]
        alive = end.groupby("source", sort=False)["alive"].mean()
        acquired = end.groupby("source", sort=False)["acquired"].mean()
        spend = self.by_channel.groupby(["seed", "channel"], sort=False)["spend"].sum() \
            .groupby("channel", sort=False).mean()
        t = self.totals().mean()
        rewards = float(t.get("referral_discount", 0.0) + t.get("referral_credit", 0.0))
        # every source but 'existing' acquired its customers within the horizon
        out = pd.DataFrame({"new_customers": acquired, "retained": alive / acquired})
        out["cost"] = [float(spend.get(s, 0.0)) if s != "referral" else rewards
                       for s in out.index]
        out["cac"] = out["cost"] / out["new_customers"].where(out["new_customers"] > 0)
        return out[["new_customers", "cost", "cac", "retained"]].drop(index="existing")

    def clv_by_segment(self) -> pd.DataFrame:
        """Per segment, mean over seeds: gross contribution (GMV - COGS) over the horizon,
        customers (alive, averaged over the days), and the contribution per customer: the
        value a customer of the segment brought over the horizon."""
        per_seed = self.by_segment.groupby(["seed", "segment"], sort=False).agg(
            gmv=("gmv", "sum"), cogs=("cogs", "sum"), customers=("customers", "mean"))
        m = per_seed.groupby("segment", sort=False).mean()
        m["contribution"] = m["gmv"] - m["cogs"]
        m["value_per_customer"] = m["contribution"] / m["customers"]
        return m[["customers", "contribution", "value_per_customer"]]

    def promotion_summary(self) -> pd.DataFrame:
        """Per promotion over the horizon, mean over seeds: orders that used it and what it
        cost (discount given, gifts and points)."""
        per_seed = self.by_promotion.groupby(["seed", "promotion"], sort=False)[
            list(kpis.BY_PROMOTION)].sum()
        return per_seed.groupby("promotion", sort=False).mean()

    def inventory_summary(self) -> pd.DataFrame:
        """Per category with a stock plan over the horizon, mean over seeds: demand, fill
        rate (served from the SKU group asked for), substitution and stock-out rates, lost
        GMV, stock-out days (days with a lost sale), holding cost, closing stock (units and
        at cost), inventory turns (units sold / average units on hand) and days of cover
        (closing stock / average units sold per day)."""
        f = self.by_category[self.by_category["category"].isin(list(self.strategy.stock))]
        if f.empty:
            return pd.DataFrame()
        g = f.groupby(["seed", "category"], sort=False)
        per_seed = g[["demand_units", "served_units", "substituted_units", "lost_units",
                      "lost_gmv", "holding_cost"]].sum()
        per_seed["stockout_days"] = g["lost_units"].apply(lambda x: int((x > 0).sum()))
        per_seed["sold_per_day"] = (per_seed["served_units"] + per_seed["substituted_units"]
                                    + g["backorders_shipped"].sum()) / g.size()
        per_seed["average_stock"] = g["stock_units"].mean()
        per_seed["closing_stock"] = g["stock_units"].last()
        per_seed["closing_value"] = g["stock_value"].last()
        m = per_seed.groupby("category", sort=False).mean()
        out = pd.DataFrame(index=m.index)
        out["demand_units"] = m["demand_units"]
        out["fill_rate"] = m["served_units"] / m["demand_units"].where(m["demand_units"] > 0)
        out["substitution_rate"] = m["substituted_units"] / m["demand_units"].where(
            m["demand_units"] > 0)
        out["stockout_rate"] = m["lost_units"] / m["demand_units"].where(m["demand_units"] > 0)
        out["lost_gmv"] = m["lost_gmv"]
        out["stockout_days"] = m["stockout_days"]
        out["holding_cost"] = m["holding_cost"]
        out["closing_stock"] = m["closing_stock"]
        out["closing_value"] = m["closing_value"]
        n_days = f["day"].nunique()
        out["turns"] = m["sold_per_day"] * n_days / m["average_stock"].where(
            m["average_stock"] > 0)
        out["days_of_cover"] = m["closing_stock"] / m["sold_per_day"].where(
            m["sold_per_day"] > 0)
        return out[list(kpis.STOCK_TABLE)]

    def channel_summary(self) -> pd.DataFrame:
        """Per channel over the horizon, mean over seeds: spend, reach, visits, orders, ROAS."""
        per_seed = self.by_channel.groupby(["seed", "channel"], sort=False)[
            list(kpis.BY_CHANNEL)].sum()
        mean = per_seed.groupby("channel", sort=False).mean()
        return derive(mean)[list(kpis.CHANNEL_SUMMARY)]
