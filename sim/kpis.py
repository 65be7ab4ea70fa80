"""The KPI registry: every KPI the engine reports, once, with its unit, kind, format and caption.

One entry per KPI (``REGISTRY``, in the order the output frames show them). Everything that
books, sums, prints or bounds a KPI reads it from here:

* ``kind``: ``additive`` (a day's amount: a period's value is the sum over its days),
  ``level`` (a state at the end of a day: a period's value is its last day's), ``derived``
  (a formula of others, computed in one place: ``sim.ledger.derive``) or ``summary``
  (computed by one of ``Results``' summary tables, e.g. turns per category);
* ``unit``: ``currency``, ``count`` (shoppers, orders, events), ``units`` (goods), ``share``
  (0 to 1), ``ratio`` (money per money), ``days`` or ``times``;
* ``format``: how a value is written for people (``fmt``): ``money`` and ``integer`` whole
  with thousands separators, ``percent`` with two decimals, ``ratio`` with two decimals,
  ``average`` (money per order or customer) and ``decimal`` with one.

The named selections (``ADDITIVE``, ``SUMMARY``, ``BY_CHANNEL``, ...) are the column lists of
the engine's frames, in their column order. ``agents.inventory`` declares the fields it
records (``DAY_FIELDS``; ``agents`` does not import ``sim``); they are registered here.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Literal

from agents._config import STAGES
from agents.inventory import DAY_FIELDS

__all__ = ["ADDITIVE", "ALWAYS_SHOWN", "BY_CATEGORY", "BY_CHANNEL", "BY_COHORT", "BY_GROUP",
           "BY_PROMOTION", "BY_TIER", "CHANNEL_SUMMARY", "COMPARE", "DECOMPOSITION",
           "DERIVED", "KEYS", "KPI", "LEVELS", "OBJECTIVES", "REGISTRY", "STOCK", "STOCK_TABLE",
           "SUMMARY", "TALLY", "caption", "compact", "fmt", "fmt_stock", "get", "label", "names",
           "short"]

Kind = Literal["additive", "level", "derived", "summary"]
Unit = Literal["currency", "count", "units", "share", "ratio", "days", "times"]
Format = Literal["money", "integer", "percent", "ratio", "average", "decimal"]

_SPECS: dict[str, str] = {"money": ",.0f", "integer": ",.0f", "percent": ".2%",
                          "ratio": ".2f", "average": ",.1f", "decimal": ".1f"}
_DEFAULT_FORMAT: dict[str, Format] = {"currency": "money", "count": "integer",
                                      "units": "integer", "share": "percent",
                                      "ratio": "ratio", "days": "integer", "times": "decimal"}


@dataclass(frozen=True)
class KPI:
    """One KPI.

    Attributes:
        name: its column name.
        unit: what it counts (money at real scale in the scenario's currency, shoppers,
            goods, a share ...).
        kind: ``additive``, ``level``, ``derived`` or ``summary`` (module docstring).
        caption: one sentence saying what it is.
        format: how ``fmt`` writes it.
        label: its name for people (acronyms upper case).
        short: its heading in narrow tables (the stock table).
        daily: a column of ``Results.daily`` and ``Results.totals()``.
        tally: booked from the day totals a checkout reports (``DayOutcome.tally``).
        always_shown: shown even when zero on every seed (a zero elsewhere means a
            mechanism the plan does not use).
    """

    name: str
    unit: Unit
    kind: Kind
    caption: str
    format: Format
    label: str
    short: str
    daily: bool = True
    tally: bool = False
    always_shown: bool = False

    @property
    def inventory(self) -> bool:
        """Recorded by the inventory (``agents.inventory.DAY_FIELDS``)."""
        return self.name in DAY_FIELDS


_ACRONYMS = {"gmv": "GMV", "aov": "AOV", "roas": "ROAS", "roi": "ROI", "cac": "CAC",
             "cogs": "COGS"}


def _kpi(name: str, unit: Unit, caption: str, *, kind: Kind, format: Format | None = None,
         short: str = "", daily: bool = True, tally: bool = False,
         always: bool = False) -> KPI:
    return KPI(name, unit, kind, caption, format or _DEFAULT_FORMAT[unit],
               _ACRONYMS.get(name) or name.replace("_", " ").capitalize(),
               short or name.replace("_", " "), daily, tally, always)


_add = partial(_kpi, kind="additive")
_tally = partial(_kpi, kind="additive", tally=True)
_level = partial(_kpi, kind="level")
_derived = partial(_kpi, kind="derived")
_summary = partial(_kpi, kind="summary", daily=False)

_ENTRIES: tuple[KPI, ...] = (
    # --- additive, by channel only (a channel's own figures; the day's total spend is
    # marketing_spend, its visitors visitors)
    _add("spend", "currency", "What a channel spent: fees, CPM/CPC, commissions.", daily=False),
    _add("exposures", "count", "Ads or messages a channel delivered.", daily=False),
    _add("reach", "count", "Shoppers a channel exposed (real scale).", daily=False),
    _add("visits", "count", "Visits a channel brought; organic: visits no channel brought.",
         daily=False),
    # --- additive, per day (the ledger's column order)
    _add("visitors", "count", "Shoppers who visited the shop.", always=True),
    _add("orders", "count", "Orders paid.", always=True),
    _add("repeat_orders", "count", "Orders by shoppers who had bought before."),
    _add("new_customers", "count", "Shoppers who bought for the first time.", always=True),
    _add("list_value", "currency", "The orders at list price."),
    _add("gmv", "currency", "Paid order value after all price discounts (promotion, coupon, "
         "tier), before returns.", always=True),
    _add("cogs", "currency", "Units sold times their unit cost."),
    _add("marketing_spend", "currency", "All channel costs: fees, CPM/CPC, commissions.",
         always=True),
    _add("loyalty_cost", "currency", "Gifts with purchase, points of a points promotion "
         "(issued times their expected redemption), points redeemed, birthday gifts and "
         "referrer credits: gift_cost + points_cost + points_redeemed + birthday_gifts + "
         "referral_credit."),
    _add("holding_cost", "currency", "Inventory carrying cost: the closing stock's units "
         "times the category's rate, each day.", short="holding"),
    _add("unsubscribes", "count", "Shoppers who opted out of owned outreach."),
    _tally("coupon_cost", "currency", "The part of the discount cost new-user coupons gave."),
    _tally("gift_cost", "currency", "Gifts with purchase, at cost."),
    _tally("points_cost", "currency", "Points of a points promotion, issued times their "
           "expected redemption."),
    _tally("deposits", "count", "Presale deposits paid."),
    _tally("deposit_value", "currency", "Money paid as presale deposits."),
    _tally("presale_orders", "count", "Presale orders completed with the final payment."),
    _tally("forfeits", "count", "Presale deposits never completed."),
    _tally("forfeited_deposits", "currency", "Deposits never completed, kept by the shop with "
           "no goods shipped."),
    _tally("flash_units", "units", "Units sold in flash sales."),
    _tally("tier_discount", "currency", "Member prices given by loyalty tiers (part of the "
           "discount cost)."),
    _tally("points_issued", "currency", "Loyalty programme points earned, at their value."),
    _tally("points_redeemed", "currency", "Loyalty programme points redeemed, at their value."),
    _tally("birthday_gifts", "currency", "Birthday gifts of the loyalty programme."),
    _tally("referrals", "count", "Friends who bought through a referral."),
    _tally("referral_discount", "currency", "Referred friends' rewards (discount cost)."),
    _tally("referral_credit", "currency", "Referrers' credits (loyalty cost)."),
    _tally("group_deals", "count", "Group deals that reached their size."),
    _tally("group_failed", "count", "Group deals that did not reach their size."),
    _tally("group_orders", "count", "Orders placed in completed group deals."),
    _add("demand_units", "units", "Units asked of a stock.", short="demand"),
    _add("served_units", "units", "Units served from the SKU group asked for."),
    _add("substituted_units", "units", "Units served by a substitute group."),
    _add("lost_units", "units", "Units asked for and not served (stock-outs)."),
    _add("lost_orders", "count", "Orders lost to stock-outs."),
    _add("lost_gmv", "currency", "What the orders lost to stock-outs would have paid.",
         short="lost GMV"),
    _add("arrivals", "units", "Units of replenishment deliveries arrived."),
    _add("reorder_units", "units", "Units ordered for replenishment."),
    _add("backorders_shipped", "units", "Owed units shipped when stock arrived."),
    # --- levels at the end of a day
    *(_level(f"stage_{s}", "count", f"Shoppers in the '{s}' lifecycle stage.")
      for s in STAGES),
    _level("customers", "count", "Customers who have not churned (active and dormant).",
           always=True),
    _level("active_customers", "count", "Customers new, active or high value.", always=True),
    _level("churned", "count", "Customers who churned.", always=True),
    _level("points_liability", "currency", "The value of loyalty points not yet redeemed."),
    _level("stock_units", "units", "Units on hand at the end of the day."),
    _level("stock_value", "currency", "Stock on hand at the end of the day, at cost."),
    _level("backlog_units", "units", "Units owed to shoppers (backorders) at the end of the day."),
    _level("members", "count", "Members of a loyalty tier (customers who have not churned).",
           daily=False),
    _level("acquired", "count", "Customers acquired so far, by cohort or source.", daily=False),
    _level("alive", "count", "Customers acquired so far still alive, by cohort or source.",
           daily=False),
    # --- derived (sim.ledger.derive, in its order)
    _derived("discount_cost", "currency", "list_value - gmv: promotions, coupons, member "
             "prices, presale deposit bonuses, referral rewards.", always=True),
    _derived("gross_profit", "currency", "gmv + forfeited_deposits - cogs - loyalty_cost - "
             "holding_cost."),
    _derived("gross_margin", "share", "gross_profit / gmv."),
    _derived("profit", "currency", "gross_profit - marketing_spend.", always=True),
    _derived("roas", "ratio", "gmv / marketing_spend."),
    _derived("roi", "ratio", "profit / marketing_spend."),
    _derived("conversion_rate", "share", "orders / visitors (by channel: orders / visits)."),
    _derived("aov", "currency", "Average order value: gmv / orders.", format="average"),
    _derived("cac", "currency", "Customer acquisition cost: marketing_spend / new_customers.",
             format="average"),
    _derived("repeat_rate", "share", "repeat_orders / orders."),
    _derived("stockout_rate", "share", "lost_units / demand_units: the share of demand not "
             "served (0 when nothing was asked).", short="lost"),
    _derived("fill_rate", "share", "served_units / demand_units: the share served from the "
             "SKU group asked for (1 when nothing was asked).", short="fill"),
    # --- per category with a stock plan (Results.inventory_summary)
    _summary("substitution_rate", "share", "substituted_units / demand_units.",
             short="subst."),
    _summary("stockout_days", "days", "Days with a lost sale.", short="out days"),
    _summary("closing_stock", "units", "Units on hand at the end of the horizon.",
             short="closing units"),
    _summary("closing_value", "currency", "Stock on hand at the end of the horizon, at cost.",
             short="closing value"),
    _summary("turns", "times", "Inventory turns: units sold / average units on hand."),
    _summary("days_of_cover", "days", "Closing stock / average units sold per day.",
             format="decimal", short="cover days"),
    # --- a promotion plan against the same plan without promotions (sim.decompose)
    _summary("baseline_gmv_in_window", "currency", "GMV without the promotions in their "
             "windows."),
    _summary("bump_gmv", "currency", "GMV the promotions added in their windows."),
    _summary("pulled_forward_gmv", "currency", "GMV lost in the days after the promotion "
             "windows (28 unless decompose is given another --after), outside the windows."),
    _summary("net_incremental_gmv", "currency", "GMV the promotions added over the horizon."),
    _summary("net_incremental_orders", "count", "Orders the promotions added over the "
             "horizon."),
    _summary("net_incremental_profit", "currency", "Profit the promotions added over the "
             "horizon."),
)
#: Every KPI by name, in registration order.
REGISTRY: dict[str, KPI] = {k.name: k for k in _ENTRIES}
if len(REGISTRY) != len(_ENTRIES):
    raise RuntimeError("a KPI is registered twice")
if missing := [f for f in DAY_FIELDS if f not in REGISTRY]:
    raise RuntimeError(f"inventory fields without a KPI entry: {missing}")


def get(name: str) -> KPI:
    """The entry of ``name``; KeyError names the KPI when it is not registered."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise KeyError(f"'{name}' is not a registered KPI") from None


def names(kind: Kind | None = None, *, unit: Unit | None = None, format: Format | None = None,
          daily: bool | None = None, tally: bool | None = None,
          always_shown: bool | None = None) -> list[str]:
    """Registered KPIs matching every filter given, in registration order."""
    want = {"kind": kind, "unit": unit, "format": format, "daily": daily, "tally": tally,
            "always_shown": always_shown}
    return [k.name for k in _ENTRIES
            if all(v is None or getattr(k, f) == v for f, v in want.items())]


def _selection(*cols: str) -> tuple[str, ...]:
    for c in cols:
        get(c)
    return cols


#: Additive KPIs of a day, in ``Results.daily``'s column order.
ADDITIVE = tuple(names("additive", daily=True))
#: The day totals a checkout reports (``DayOutcome.tally``, simulated scale).
TALLY = tuple(names(tally=True))
#: Levels at the end of a day, in ``Results.daily``'s column order (after ``ADDITIVE``).
LEVELS = tuple(names("level", daily=True))
#: The KPIs ``sim.ledger.derive`` adds, in its order.
DERIVED = tuple(names("derived"))
#: Recorded per channel and day (``Results.by_channel``, before the derived KPIs).
BY_CHANNEL = _selection("spend", "exposures", "reach", "visits", "orders", "new_customers",
                        "list_value", "gmv", "cogs")
#: Recorded per segment or city tier and day.
BY_GROUP = _selection("visitors", "orders", "new_customers", "list_value", "gmv", "cogs",
                      "customers")
#: Recorded per promotion and day: orders that used it, the discount and loyalty cost it gave.
BY_PROMOTION = _selection("orders", "discount_cost", "loyalty_cost")
#: Recorded per category and day: the orders, and what the inventory recorded.
BY_CATEGORY = _selection("orders", "list_value", "gmv", "cogs", *DAY_FIELDS)
#: Recorded per acquisition cohort (or source) and day.
BY_COHORT = _selection("acquired", "alive")
#: Recorded per loyalty tier and day.
BY_TIER = _selection("members")
#: ``Results.summary()``, in the order a planner reads them.
SUMMARY = _selection(
    "gmv", "orders", "visitors", "conversion_rate", "aov", "new_customers", "repeat_rate",
    "marketing_spend", "roas", "roi", "profit", "gross_profit", "gross_margin", "list_value",
    "discount_cost", "cogs", "loyalty_cost", "holding_cost", "cac", "customers",
    "active_customers", "churned", "unsubscribes", "coupon_cost", "gift_cost", "points_cost",
    "deposits", "deposit_value", "presale_orders", "forfeits", "forfeited_deposits",
    "flash_units", "tier_discount", "points_issued", "points_redeemed", "points_liability",
    "birthday_gifts", "referrals", "referral_discount", "referral_credit", "group_deals",
    "group_failed", "group_orders", "stockout_rate", "fill_rate", "lost_orders", "lost_gmv",
    "stock_value")
#: KPIs of a stock plan: without one there is nothing to report (no stock, nothing lost).
STOCK = _selection("stockout_rate", "fill_rate", "lost_orders", "lost_gmv", "stock_value")
#: The KPIs a comparison of strategies shows on the terminal.
COMPARE = _selection("gmv", "orders", "new_customers", "marketing_spend", "discount_cost",
                     "profit", "roi", "gross_margin", "customers")
#: ``Results.channel_summary()``.
CHANNEL_SUMMARY = _selection("spend", "exposures", "reach", "visits", "orders",
                             "new_customers", "gmv", "roas", "cac", "conversion_rate")
#: ``Results.inventory_summary()``.
STOCK_TABLE = _selection("demand_units", "fill_rate", "substitution_rate", "stockout_rate",
                         "lost_gmv", "stockout_days", "holding_cost", "closing_stock",
                         "closing_value", "turns", "days_of_cover")
#: ``Decomposition.per_seed()``.
DECOMPOSITION = _selection("baseline_gmv_in_window", "bump_gmv", "pulled_forward_gmv",
                           "net_incremental_gmv", "net_incremental_orders",
                           "net_incremental_profit", "discount_cost")
#: KPIs a plan may be optimised for (maximised).
OBJECTIVES = _selection("gmv", "profit", "roi", "roas", "new_customers")
#: KPIs shown even when zero on every seed.
ALWAYS_SHOWN = frozenset(names(always_shown=True))
#: Key columns of the frames (not KPIs): the replication, the day and the group of a row.
KEYS = ("seed", "day", "date", "channel", "segment", "city_tier", "promotion", "tier",
        "cohort", "source", "category")


def caption(name: str) -> str:
    """One sentence on what ``name`` is."""
    return get(name).caption


def label(name: str) -> str:
    """``name`` for people: ``GMV``, ``Marketing spend``; an unregistered name likewise."""
    k = REGISTRY.get(name)
    return k.label if k else name.replace("_", " ").capitalize()


def short(name: str) -> str:
    """The heading of ``name`` in narrow tables (``lost GMV``, ``fill``, ``cover days``)."""
    k = REGISTRY.get(name)
    return k.short if k else name.replace("_", " ")


def fmt(name: str, value: float | None, currency: str = "") -> str:
    """``value`` of ``name`` as text by its format: shares as %, ratios with two decimals,
    averages (AOV, CAC) with one, money and counts whole with thousands separators. NaN or
    None (JSON's null) is a dash; an unregistered name is written whole. ``currency`` is
    accepted so a caller may pass it, and not written."""
    if value is None or value != value:  # missing or NaN
        return "–"
    k = REGISTRY.get(name)
    spec = _SPECS[k.format if k else "integer"]
    return f"{value:{spec}}"


def fmt_stock(name: str, value: float | None, short: bool = False) -> str:
    """A cell of the stock table: shares as % with one decimal, turns and days of cover with
    one decimal, units and money whole (``short``: compact, as the terminal writes them;
    stock-out days stay whole)."""
    if value is None or value != value:  # missing or NaN
        return "–"
    k = REGISTRY.get(name)
    f = k.format if k else "integer"
    if f == "percent":
        return f"{value:.1%}"
    if f == "decimal":
        return f"{value:.1f}"
    if short and not (k and k.unit == "days"):
        return compact(value)
    return fmt(name, value)


def compact(value: float) -> str:
    """A large amount in three significant-ish digits: 1.25M, 980.00k, 3.10bn."""
    for div, unit in ((1e9, "bn"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= div:
            return f"{value / div:.2f}{unit}"
    return f"{value:.0f}"
