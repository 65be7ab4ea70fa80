"""Calibration: from a shop's order log to a scenario of that shop, checked by a back-test.

``from_orders(orders, customer=..., date=..., value=..., until=...)`` reads the log, fits
BG/NBD repeat buying and Gamma-Gamma spend per segment, the calendar of demand and new
customers per day, and returns a ``Calibration``: the fits with standard errors, the
scenario (``.scenario``, ready for ``sim.simulate``), the back-test over the rest of the
log and ``.save(folder)``.

The pieces are public too: ``read_orders`` (the log, streamed and checked),
``summarise`` (one row per customer: frequency, recency, T, monetary), ``fit_bgnbd``,
``fit_gamma_gamma`` and ``fit_calendar``.
"""

from calibrate.bgnbd import (
    BGNBDFit,
    conditional_expected,
    expected_purchases,
    fit_bgnbd,
    log_likelihood,
    p_alive,
    probability_of_purchases,
)
from calibrate.calibration import Calibration, from_orders
from calibrate.gamma_gamma import (
    GammaGammaFit,
    conditional_expected_value,
    fit_gamma_gamma,
    gamma_gamma_log_likelihood,
)
from calibrate.orders import OrderLog, read_orders
from calibrate.rfm import summarise
from calibrate.seasonality import CalendarFit, fit_calendar

__all__ = ["BGNBDFit", "CalendarFit", "Calibration", "GammaGammaFit", "OrderLog",
           "conditional_expected", "conditional_expected_value", "expected_purchases",
           "fit_bgnbd", "fit_calendar", "fit_gamma_gamma", "from_orders",
           "gamma_gamma_log_likelihood", "log_likelihood", "p_alive",
           "probability_of_purchases", "read_orders", "summarise"]
