"""The KPI registry: every column the engine writes is a registered KPI (or a key column),
its selections are the frames' column lists in their order, additive KPIs add up, derived
ones are what ``derive`` computes, and values are written as the tables write them."""

from __future__ import annotations

import functools
import math

import numpy as np
import pandas as pd
import pytest

import scenarios
import sim
from agents.inventory import DAY_FIELDS
from optimize.objectives import OBJECTIVES, kpi_names
from sim import kpis
from sim.ledger import derive

FRAMES = ("daily", "by_channel", "by_segment", "by_city_tier", "by_promotion", "by_category",
          "by_tier", "by_cohort", "by_source")
#: The recorded columns of each frame (before ``derive`` adds its KPIs).
RECORDED = {"daily": (*kpis.ADDITIVE, *kpis.LEVELS), "by_channel": kpis.BY_CHANNEL,
            "by_segment": kpis.BY_GROUP, "by_city_tier": kpis.BY_GROUP,
            "by_promotion": kpis.BY_PROMOTION, "by_category": kpis.BY_CATEGORY,
            "by_tier": kpis.BY_TIER, "by_cohort": kpis.BY_COHORT, "by_source": kpis.BY_COHORT}
LABEL = {"by_channel": "channel", "by_segment": "segment", "by_city_tier": "city_tier",
         "by_promotion": "promotion", "by_category": "category", "by_tier": "tier",
         "by_cohort": "cohort", "by_source": "source"}


@functools.cache
def _run(name: str) -> sim.Results:
    sc = scenarios.load(name).with_population(1500)
    return sim.simulate(sc, None, seeds=2)


@pytest.mark.parametrize("name", scenarios.names())
def test_every_column_of_every_frame_is_a_kpi_or_a_key(name: str) -> None:
    res = _run(name)
    for frame in FRAMES:
        cols = list(getattr(res, frame).columns)
        keys = ["seed", "day", "date"] + ([LABEL[frame]] if frame in LABEL else [])
        assert cols[:len(keys)] == keys, frame
        assert set(keys) <= set(kpis.KEYS)
        unknown = [c for c in cols[len(keys):] if c not in kpis.REGISTRY]
        assert not unknown, f"{frame}: {unknown} are not registered KPIs"
        # the recorded columns, in the registry's order, then only derived KPIs
        n = len(RECORDED[frame])
        assert tuple(cols[len(keys):len(keys) + n]) == RECORDED[frame], frame
        assert all(kpis.get(c).kind == "derived" for c in cols[len(keys) + n:]), frame
    summary = res.summary()
    assert list(summary.columns) == ["mean", "ci_low", "ci_high"]
    shown = kpis.SUMMARY if res.strategy.stock else [
        k for k in kpis.SUMMARY if k not in kpis.STOCK]
    assert list(summary.index) == list(shown)


def test_the_daily_frame_is_keys_additive_levels_then_derived() -> None:
    res = _run("double11")
    assert list(res.daily.columns) == ["seed", "day", "date", *kpis.ADDITIVE, *kpis.LEVELS,
                                       *kpis.DERIVED]
    assert list(res.totals().columns) == [*kpis.ADDITIVE, *kpis.LEVELS, *kpis.DERIVED]
    assert kpi_names() == sorted(res.totals().columns)


def test_the_summary_tables_columns_are_their_selections() -> None:
    res = _run("double11")
    assert res.strategy.stock, "double11 ships a stock plan"
    assert list(res.channel_summary().columns) == list(kpis.CHANNEL_SUMMARY)
    assert list(res.inventory_summary().columns) == list(kpis.STOCK_TABLE)
    assert list(res.promotion_summary().columns) == list(kpis.BY_PROMOTION)


def test_names_are_unique_and_selections_registered() -> None:
    assert len(kpis.REGISTRY) == len(kpis._ENTRIES)
    assert all(k == v.name for k, v in kpis.REGISTRY.items())
    assert not set(kpis.REGISTRY) & set(kpis.KEYS)
    for sel in (kpis.ADDITIVE, kpis.TALLY, kpis.LEVELS, kpis.DERIVED, kpis.BY_CHANNEL,
                kpis.BY_GROUP, kpis.BY_PROMOTION, kpis.BY_CATEGORY, kpis.BY_COHORT,
                kpis.BY_TIER, kpis.SUMMARY, kpis.STOCK, kpis.COMPARE, kpis.CHANNEL_SUMMARY,
                kpis.STOCK_TABLE, kpis.DECOMPOSITION, kpis.OBJECTIVES):
        assert len(set(sel)) == len(sel)
        assert all(c in kpis.REGISTRY for c in sel)
    with pytest.raises(KeyError, match="'gvm' is not a registered KPI"):
        kpis.get("gvm")


def test_selections_are_queries_on_the_registry() -> None:
    assert set(kpis.TALLY) <= set(kpis.ADDITIVE)
    assert kpis.TALLY[0] == "coupon_cost" and kpis.TALLY[-1] == "group_orders"
    assert len(kpis.TALLY) == 19
    assert kpis.ADDITIVE[:3] == ("visitors", "orders", "repeat_orders")
    assert len(kpis.ADDITIVE) == 39 and len(kpis.LEVELS) == 14 and len(kpis.DERIVED) == 12
    assert kpis.LEVELS[:7] == tuple(f"stage_{s}" for s in sim.STAGES)
    assert set(kpis.STOCK) <= set(kpis.SUMMARY)
    assert tuple(OBJECTIVES) == ("gmv", "profit", "roi", "roas", "new_customers")
    assert kpis.names("derived", unit="share") == ["gross_margin", "conversion_rate",
                                                   "repeat_rate", "stockout_rate",
                                                   "fill_rate"]
    assert kpis.names(format="ratio") == ["roas", "roi"]


def test_every_inventory_field_is_registered() -> None:
    for f in DAY_FIELDS:
        k = kpis.get(f)
        assert k.inventory and k.daily and k.kind in ("additive", "level")
    assert kpis.get("stock_units").kind == "level"  # closing stock: its last day's value
    assert kpis.get("lost_units").kind == "additive"
    assert not kpis.get("gmv").inventory
    assert kpis.BY_CATEGORY[4:] == DAY_FIELDS


@pytest.mark.parametrize("name", ["double11", "membership_relaunch"])
def test_additive_kpis_sum_over_days_to_the_totals(name: str) -> None:
    res = _run(name)
    totals = res.totals()
    g = res.daily.groupby("seed")
    for k in kpis.ADDITIVE:
        np.testing.assert_allclose(g[k].sum(), totals[k], err_msg=k)
    for k in kpis.LEVELS:  # a level's period value is its last day's
        np.testing.assert_allclose(g[k].last(), totals[k], err_msg=k)
    assert totals["gmv"].min() > 0 and totals["orders"].min() > 0
    # additive over groups too: the channels', segments' and city tiers' days add up to it
    day = res.daily.set_index(["seed", "day"])
    for frame, pairs in (("by_channel", {"orders": "orders", "gmv": "gmv",
                                         "spend": "marketing_spend", "visits": "visitors"}),
                         ("by_segment", {c: c for c in kpis.BY_GROUP}),
                         ("by_city_tier", {c: c for c in kpis.BY_GROUP})):
        summed = getattr(res, frame).groupby(["seed", "day"])[list(pairs)].sum()
        for col, total in pairs.items():
            np.testing.assert_allclose(summed[col], day[total], err_msg=f"{frame}.{col}")


def test_every_derived_kpi_is_computed_by_derive() -> None:
    base = pd.DataFrame({c: [10.0, 0.0] for c in (*kpis.ADDITIVE, *kpis.LEVELS)})
    added = [c for c in derive(base).columns if c not in base.columns]
    assert added == list(kpis.DERIVED)
    row = derive(pd.DataFrame({"list_value": [1200.0], "gmv": [1000.0], "cogs": [600.0],
                               "marketing_spend": [200.0], "orders": [20.0],
                               "visitors": [400.0]})).iloc[0]
    assert row["discount_cost"] == 200.0 and row["gross_profit"] == 400.0
    assert row["profit"] == 200.0 and row["roas"] == 5.0 and row["roi"] == 1.0
    assert row["aov"] == 50.0 and row["conversion_rate"] == 0.05
    # a frame without the inputs of a KPI does not get it
    assert list(derive(pd.DataFrame({"orders": [1.0]})).columns) == ["orders"]


def test_captions_and_labels() -> None:
    for k in kpis.REGISTRY.values():
        assert k.caption.endswith(".") and len(k.caption) > 10, k.name
        assert k.label and k.short
    assert kpis.caption("profit") == "gross_profit - marketing_spend."
    assert kpis.label("gmv") == "GMV" and kpis.label("cogs") == "COGS"
    assert kpis.label("marketing_spend") == "Marketing spend"
    assert kpis.label("not_a_kpi") == "Not a kpi"
    assert kpis.short("lost_gmv") == "lost GMV" and kpis.short("days_of_cover") == "cover days"
    assert kpis.short("holding_cost") == "holding"
    assert kpis.short("marketing_spend") == "marketing spend"
    assert kpis.get("gmv").always_shown and not kpis.get("gift_cost").always_shown


def test_formatting_with_numbers() -> None:
    assert kpis.fmt("gmv", 1_234_567.8) == "1,234,568"
    assert kpis.fmt("orders", 1500.4) == "1,500"
    assert kpis.fmt("conversion_rate", 0.03456) == "3.46%"
    assert kpis.fmt("gross_margin", -0.125) == "-12.50%"
    assert kpis.fmt("roi", 1.234) == "1.23" and kpis.fmt("roas", 12.0) == "12.00"
    assert kpis.fmt("aov", 1287.26) == "1,287.3" and kpis.fmt("cac", 41.04) == "41.0"
    assert kpis.fmt("gmv", math.nan) == "–"
    assert kpis.fmt("not_a_kpi", 1234.5, "CNY") == "1,234"  # unregistered: whole
    assert kpis.fmt_stock("fill_rate", 0.9561) == "95.6%"
    assert kpis.fmt_stock("turns", 3.14159) == "3.1"
    assert kpis.fmt_stock("days_of_cover", 12.06, short=True) == "12.1"
    assert kpis.fmt_stock("lost_gmv", 1_250_000.0, short=True) == "1.25M"
    assert kpis.fmt_stock("lost_gmv", 1_250_000.0) == "1,250,000"
    assert kpis.fmt_stock("stockout_days", 1234.0, short=True) == "1,234"
    assert kpis.fmt_stock("demand_units", None) == "–"
    assert kpis.compact(980.0) == "980" and kpis.compact(3.1e9) == "3.10bn"
    assert kpis.compact(-45_600.0) == "-45.60k"
