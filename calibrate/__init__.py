"""Calibration: from an order log to fitted repeat-buying and spend models.

``summarise(orders, "customer", "date", "value", until, freq_days=7)`` turns an order log
into one row per customer (frequency, recency, T, monetary); ``fit_bgnbd`` fits the BG/NBD
model of repeat buying and ``fit_gamma_gamma`` the Gamma-Gamma model of spend, both by
maximum likelihood with standard errors. ``read_orders`` reads a shop's order log (CSV or
Parquet, streamed and checked) into an ``OrderLog`` of customer-days; ``fit_calendar``
fits its weekly, monthly and event calendar of demand.
"""

from calibrate.bgnbd import (
    BGNBDFit,
    conditional_expected,
    expected_purchases,
    fit_bgnbd,
    log_likelihood,
    p_alive,
)
from calibrate.gamma_gamma import (
    GammaGammaFit,
    conditional_expected_value,
    fit_gamma_gamma,
    gamma_gamma_log_likelihood,
)
from calibrate.orders import OrderLog, read_orders
from calibrate.rfm import customer_days, summarise, summarise_days
from calibrate.seasonality import CalendarFit, FittedEvent, fit_calendar

__all__ = ["BGNBDFit", "CalendarFit", "FittedEvent", "GammaGammaFit", "OrderLog",
           "conditional_expected", "conditional_expected_value", "customer_days",
           "expected_purchases", "fit_bgnbd", "fit_calendar", "fit_gamma_gamma",
           "gamma_gamma_log_likelihood", "log_likelihood", "p_alive", "read_orders",
           "summarise", "summarise_days"]
