"""The BG/NBD model of repeat buying: maximum-likelihood fit and its expectations.

Fader, Hardie & Lee (2005), "Counting your customers the easy way: an alternative to the
Pareto/NBD model", Marketing Science 24(2). While alive a customer buys as a Poisson
process with rate lambda ~ Gamma(r, alpha); after each purchase she drops out with
probability p ~ Beta(a, b). Times are in the units of the summary (days, or weeks with
``freq_days=7``): ``alpha`` is in those units, ``r``, ``a`` and ``b`` have none.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import betaln, gammaln, hyp2f1

from agents.customers import dropout_odds
from agents.customers import p_alive as engine_p_alive
from calibrate._mle import Fit, maximise

__all__ = ["BGNBDFit", "conditional_expected", "expected_purchases", "fit_bgnbd",
           "log_likelihood", "p_alive", "probability_of_purchases"]

NAMES = ("r", "alpha", "a", "b")


class _Histories:
    """Customers' (x, t_x, T) as indices into their distinct values: the terms of the
    likelihood that depend on one of them are computed once per distinct value (a few
    hundred days, a few dozen frequencies) and gathered, which makes one evaluation over
    200,000 customers several times faster than computing every term per customer."""

    def __init__(self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> None:
        x, tx, age = (np.asarray(v, dtype=float) for v in (frequency, recency, T))
        self.x = x
        self.xs, self.xi = np.unique(x, return_inverse=True)
        self.ts, self.ti = np.unique(age, return_inverse=True)
        self.repeat = np.flatnonzero(x > 0)
        self.rs, self.ri = np.unique(tx[self.repeat], return_inverse=True)

    def log_likelihood(self, params: ArrayLike) -> np.ndarray:
        """Each customer's log-likelihood (FHL 2005, eq. 6), in logs throughout."""
        r, alpha, a, b = np.asarray(params, dtype=float)
        xs, x = self.xs, self.x
        common = (gammaln(r + xs) - gammaln(r) + r * np.log(alpha) - betaln(a, b))[self.xi]
        alive = betaln(a, b + xs)[self.xi] - (r + x) * np.log(alpha + self.ts)[self.ti]
        # the dropout term exists only after a repeat purchase (delta_{x>0} in eq. 6)
        gone = np.full_like(x, -np.inf)
        rep = self.repeat
        with np.errstate(invalid="ignore", divide="ignore"):  # x = 0 rows are not used
            dropped = betaln(a + 1, b + xs - 1)
        gone[rep] = dropped[self.xi[rep]] - (r + x[rep]) * np.log(alpha + self.rs)[self.ri]
        return np.asarray(common + np.logaddexp(alive, gone))


def log_likelihood(params: ArrayLike, frequency: ArrayLike, recency: ArrayLike,
                   T: ArrayLike) -> np.ndarray:
    """Each customer's log-likelihood (FHL 2005, eq. 6), in logs throughout.

    Args:
        params: (r, alpha, a, b).
        frequency: repeat purchases x.
        recency: time of the last repeat purchase t_x (time units).
        T: age of the customer (time units).

    Returns:
        One log-likelihood per customer.
    """
    return _Histories(frequency, recency, T).log_likelihood(params)


@dataclass(frozen=True)
class BGNBDFit(Fit):
    """A fitted BG/NBD model: ``params`` r, alpha (time units), a, b."""

    def expected_purchases(self, t: ArrayLike) -> np.ndarray:
        """Expected purchases of a new customer in ``t`` time units (see the function)."""
        return expected_purchases(self.params, t)

    def conditional_expected(self, t: ArrayLike, frequency: ArrayLike, recency: ArrayLike,
                             T: ArrayLike) -> np.ndarray:
        """Expected purchases in the next ``t`` time units given the history."""
        return conditional_expected(self.params, t, frequency, recency, T)

    def p_alive(self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> np.ndarray:
        """Probability that each customer is still alive at ``T``."""
        return p_alive(self.params, frequency, recency, T)


def fit_bgnbd(frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> BGNBDFit:
    """Fit BG/NBD by maximum likelihood.

    Standard errors are from a numerical Hessian of the negative log-likelihood in the
    natural parameters (r, alpha, a, b) at the optimum.

    Args:
        frequency: repeat purchases per customer.
        recency: time of the last purchase after the first (time units).
        T: age of each customer (time units).

    Returns:
        The fit.

    Raises:
        ValueError: with one customer or with no repeat purchases.
    """
    x, tx, age = (np.asarray(v, dtype=float) for v in (frequency, recency, T))
    if len(x) < 2:
        raise ValueError(f"BG/NBD cannot be fitted to {len(x)} customer(s): it needs at "
                         "least two to tell the spread of rates across customers.")
    if not np.any(x > 0):
        raise ValueError("BG/NBD cannot be fitted without repeat purchases: with every "
                         "frequency 0 the purchase rate and dropout are not identified.")

    histories = _Histories(x, tx, age)

    def nll(theta: np.ndarray) -> float:
        return -float(np.sum(histories.log_likelihood(theta)))

    est = maximise(nll, np.array([1.0, max(float(np.mean(age)), 1e-3), 1.0, 1.0]))
    return BGNBDFit.of(NAMES, est, len(x))


def _values(params: dict[str, float]) -> tuple[float, float, float, float]:
    return params["r"], params["alpha"], params["a"], params["b"]


def expected_purchases(params: dict[str, float], t: ArrayLike) -> np.ndarray:
    """Expected purchases of a new customer in (0, t] (FHL 2005, eq. 7).

    Args:
        params: r, alpha, a, b (``a > 1`` for a finite mean).
        t: length of the period (time units).

    Returns:
        E[X(t)], purchases.
    """
    r, alpha, a, b = _values(params)
    t = np.asarray(t, dtype=float)
    z = t / (alpha + t)
    head = (a + b - 1) / (a - 1)
    return np.asarray(head * (1 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1, z)))


def _dropout_odds(params: dict[str, float], x: np.ndarray, tx: np.ndarray,
                  age: np.ndarray) -> np.ndarray:
    """delta_{x>0} a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x): odds of having dropped out
    (the engine's formula, ``agents.customers.dropout_odds``)."""
    return dropout_odds(*_values(params), x, tx, age)


def p_alive(params: dict[str, float], frequency: ArrayLike, recency: ArrayLike,
            T: ArrayLike) -> np.ndarray:
    """Probability that a customer is alive at ``T`` given (x, t_x, T) (FHL 2005).

    Args:
        params: r, alpha, a, b.
        frequency: repeat purchases.
        recency: time of the last purchase after the first (time units).
        T: age (time units).

    Returns:
        P(alive), one per customer.
    """
    x, tx, age = (np.atleast_1d(np.asarray(v, dtype=float)) for v in (frequency, recency, T))
    return engine_p_alive(*_values(params), x, tx, age)


def conditional_expected(params: dict[str, float], t: ArrayLike, frequency: ArrayLike,
                         recency: ArrayLike, T: ArrayLike) -> np.ndarray:
    """Expected purchases in (T, T+t] given the history (FHL 2005, eq. 10).

    Args:
        params: r, alpha, a, b.
        t: length of the future period (time units).
        frequency: repeat purchases in the calibration period.
        recency: time of the last purchase after the first (time units).
        T: age at the end of the calibration period (time units).

    Returns:
        E[Y(t) | x, t_x, T], purchases per customer.
    """
    r, alpha, a, b = _values(params)
    x, tx, age = (np.atleast_1d(np.asarray(v, dtype=float)) for v in (frequency, recency, T))
    t = np.asarray(t, dtype=float)
    head = (a + b + x - 1) / (a - 1)
    ratio = ((alpha + age) / (alpha + age + t)) ** (r + x)
    tail = 1 - ratio * hyp2f1(r + x, b + x, a + b + x - 1, t / (alpha + age + t))
    return np.asarray(head * tail / (1 + _dropout_odds(params, x, tx, age)))


def probability_of_purchases(params: dict[str, float], x: int, t: ArrayLike) -> np.ndarray:
    """Probability that a new customer makes exactly ``x`` repeat purchases in (0, t]
    (FHL 2005, eq. 8).

    Args:
        params: r, alpha, a, b.
        x: number of repeat purchases (>= 0).
        t: length of the period per customer (time units).

    Returns:
        P(X(t) = x), one per value of ``t``.
    """
    r, alpha, a, b = _values(params)
    t = np.atleast_1d(np.asarray(t, dtype=float))
    share, rest = alpha / (alpha + t), t / (alpha + t)

    def nbd(j: int) -> np.ndarray:  # P(j purchases in (0, t] | alive throughout)
        return np.asarray(np.exp(gammaln(r + j) - gammaln(r) - gammaln(j + 1.0)) * share**r
                          * rest**j)

    still = np.exp(betaln(a, b + x) - betaln(a, b)) * nbd(x)
    if x == 0:
        return np.asarray(still)
    # dropped out right after the x-th purchase: at least x purchases while alive
    gone = np.exp(betaln(a + 1, b + x - 1) - betaln(a, b)) * (1.0 - sum(map(nbd, range(x))))
    return np.asarray(still + gone)
