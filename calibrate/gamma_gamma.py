"""The Gamma-Gamma model of spend per order: maximum-likelihood fit and expected spend.

Fader, Hardie & Lee (2005), "RFM and CLV: using iso-value curves for customer base
analysis", Journal of Marketing Research 42(4); the (p, q, gamma) parametrisation of
``lifetimes.GammaGammaFitter``. A customer's order values are Gamma(p, nu) with her own
scale nu ~ Gamma(q, gamma), independent of how often she buys. It is fitted on the
customers with repeat purchases, ``monetary`` being the mean value of their repeat
orders (currency); ``gamma`` is in currency, ``p`` and ``q`` have none.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import gammaln

from calibrate._mle import Fit, maximise

__all__ = ["GammaGammaFit", "conditional_expected_value", "fit_gamma_gamma",
           "gamma_gamma_log_likelihood"]

NAMES = ("p", "q", "gamma")


class _Spends:
    """Repeat buyers' (x, m), with the terms of one x computed once per distinct x and
    the logarithms of the data taken once (see ``calibrate.bgnbd._Histories``)."""

    def __init__(self, frequency: ArrayLike, monetary: ArrayLike) -> None:
        self.x = np.asarray(frequency, dtype=float)
        self.m = np.asarray(monetary, dtype=float)
        self.xs, self.xi = np.unique(self.x, return_inverse=True)
        self.log_m, self.log_x = np.log(self.m), np.log(self.x)
        self.xm = self.x * self.m

    def log_likelihood(self, params: ArrayLike) -> np.ndarray:
        """Each customer's log-likelihood."""
        p, q, g = np.asarray(params, dtype=float)
        pxs = p * self.xs
        per_x = (gammaln(pxs + q) - gammaln(pxs))[self.xi]
        px = p * self.x
        return np.asarray(per_x - gammaln(q) + q * np.log(g) + (px - 1) * self.log_m
                          + px * self.log_x - (px + q) * np.log(self.xm + g))


def gamma_gamma_log_likelihood(params: ArrayLike, frequency: ArrayLike,
                               monetary: ArrayLike) -> np.ndarray:
    """Each customer's log-likelihood of the mean spend ``monetary`` over ``frequency`` orders.

    The density of the mean of x Gamma(p, nu) values, integrated over nu ~ Gamma(q, gamma),
    as in ``lifetimes.GammaGammaFitter``.

    Args:
        params: (p, q, gamma).
        frequency: repeat orders x (all > 0).
        monetary: their mean value m (currency, all > 0).

    Returns:
        One log-likelihood per customer.
    """
    return _Spends(frequency, monetary).log_likelihood(params)


def conditional_expected_value(params: dict[str, float], frequency: ArrayLike,
                               monetary: ArrayLike) -> np.ndarray:
    """Expected value of a customer's next order given her history (currency).

    E[M | x, m] = p (gamma + x m) / (p x + q - 1); with x = 0 it is the population mean
    p gamma / (q - 1).

    Args:
        params: p, q, gamma.
        frequency: repeat orders x.
        monetary: their mean value m (currency; ignored where x = 0).

    Returns:
        The expected order value per customer (currency).
    """
    p, q, g = params["p"], params["q"], params["gamma"]
    x, m = np.asarray(frequency, dtype=float), np.asarray(monetary, dtype=float)
    return np.asarray(p * (g + x * m) / (p * x + q - 1))


@dataclass(frozen=True)
class GammaGammaFit(Fit):
    """A fitted Gamma-Gamma model: ``params`` p, q, gamma (currency); ``n`` counts the
    customers with repeat orders."""

    def conditional_expected_value(self, frequency: ArrayLike,
                                   monetary: ArrayLike) -> np.ndarray:
        """Expected value of each customer's next order (currency)."""
        return conditional_expected_value(self.params, frequency, monetary)


def fit_gamma_gamma(frequency: ArrayLike, monetary: ArrayLike) -> GammaGammaFit:
    """Fit Gamma-Gamma by maximum likelihood on the customers with ``frequency > 0``.

    Standard errors are from a numerical Hessian of the negative log-likelihood in the
    natural parameters (p, q, gamma) at the optimum.

    Args:
        frequency: repeat orders per customer (customers with 0 are left out).
        monetary: mean value of the repeat orders (currency).

    Returns:
        The fit.

    Raises:
        ValueError: with fewer than two customers with repeat orders, or a repeat
            spend that is not positive.
    """
    x, m = np.asarray(frequency, dtype=float), np.asarray(monetary, dtype=float)
    keep = x > 0
    x, m = x[keep], m[keep]
    if len(x) < 2:
        raise ValueError(f"Gamma-Gamma cannot be fitted to {len(x)} customer(s) with repeat "
                         "orders: it needs at least two to tell the spread of spend.")
    if np.any(m <= 0):
        raise ValueError("Gamma-Gamma cannot be fitted to a mean repeat spend that is not "
                         "positive: order values are Gamma distributed.")

    spends = _Spends(x, m)

    def nll(theta: np.ndarray) -> float:
        return -float(np.sum(spends.log_likelihood(theta)))

    est = maximise(nll, np.array([1.0, 1.0, float(np.mean(m))]))
    return GammaGammaFit.of(NAMES, est, len(x))
