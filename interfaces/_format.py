"""How a KPI value is written for people: the terminal tables and the HTML report share it."""

from __future__ import annotations

__all__ = ["ALWAYS_SHOWN", "PERCENT_KPIS", "RATIO_KPIS", "STOCK_HEADS", "compact", "format_kpi",
           "format_stock"]

#: KPIs that are shares of something: written as percentages.
PERCENT_KPIS = {"conversion_rate", "repeat_rate", "gross_margin", "stockout_rate", "fill_rate",
                "substitution_rate"}
#: KPIs that are ratios of money to money: two decimals.
RATIO_KPIS = {"roas", "roi"}
#: KPIs shown even when they are zero on every seed (others then mean an unused mechanism).
ALWAYS_SHOWN = {"gmv", "orders", "visitors", "new_customers", "marketing_spend", "profit",
                "discount_cost", "customers", "active_customers", "churned"}


def format_kpi(kpi: str, value: float, currency: str = "") -> str:
    """``value`` of ``kpi`` as text: shares as %, ratios with two decimals, average order
    value and CAC with one, everything else (money, counts) whole with thousands separators.
    NaN is a dash. ``currency`` is accepted for symmetry and not written."""
    if value != value:  # NaN
        return "–"
    if kpi in PERCENT_KPIS:
        return f"{value:.2%}"
    if kpi in RATIO_KPIS:
        return f"{value:.2f}"
    if kpi in ("aov", "cac"):
        return f"{value:,.1f}"
    return f"{value:,.0f}"


def compact(value: float) -> str:
    """A large amount in three significant-ish digits: 1.25M, 980.00k, 3.10bn."""
    for div, unit in ((1e9, "bn"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= div:
            return f"{value / div:.2f}{unit}"
    return f"{value:.0f}"


#: Columns of ``Results.inventory_summary()`` and their short table headings.
STOCK_HEADS = {"demand_units": "demand", "fill_rate": "fill", "substitution_rate": "subst.",
               "stockout_rate": "lost", "lost_gmv": "lost GMV", "stockout_days": "out days",
               "holding_cost": "holding", "closing_stock": "closing units",
               "closing_value": "closing value", "turns": "turns",
               "days_of_cover": "cover days"}


def format_stock(col: str, value: float | None, short: bool = False) -> str:
    """A cell of the stock table: rates as %, turns and cover to one decimal, units and
    money whole (``short``: compact, as the terminal writes them)."""
    if value is None or value != value:  # missing or NaN
        return "–"
    if col.endswith("_rate"):
        return f"{value:.1%}"
    if col in ("turns", "days_of_cover"):
        return f"{value:.1f}"
    if short and col != "stockout_days":
        return compact(value)
    return format_kpi(col, value)
