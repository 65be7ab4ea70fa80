"""Maximum likelihood shared by the fits: minimise on log-parameters, then standard errors.

The search runs on the logarithms of the (positive) parameters so that it is unconstrained.
Standard errors come from the inverse of a central-difference Hessian of the negative
log-likelihood taken in the natural parameters at the optimum (the observed information).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Self

import numpy as np
import pandas as pd
from scipy.optimize import minimize

__all__ = ["Estimate", "Fit", "maximise"]

NegLogLik = Callable[[np.ndarray], float]


@dataclass(frozen=True)
class Estimate:
    """The optimum of a likelihood: parameters, standard errors, log-likelihood.

    Attributes:
        params: the estimates in natural units.
        std_errors: square roots of the diagonal of the inverse Hessian.
        log_likelihood: the total log-likelihood at the estimates.
    """

    params: np.ndarray
    std_errors: np.ndarray
    log_likelihood: float


@dataclass(frozen=True)
class Fit:
    """A fitted model: named estimates, their standard errors, the log-likelihood.

    Attributes:
        params: the estimates, by parameter name.
        std_errors: their standard errors, same keys.
        log_likelihood: total log-likelihood at the estimates.
        n: number of customers fitted.
    """

    params: dict[str, float]
    std_errors: dict[str, float]
    log_likelihood: float
    n: int

    @classmethod
    def of(cls, names: tuple[str, ...], est: Estimate, n: int) -> Self:
        """The fit of ``est`` with its parameters named ``names``, over ``n`` customers."""
        return cls(dict(zip(names, map(float, est.params), strict=True)),
                   dict(zip(names, map(float, est.std_errors), strict=True)),
                   est.log_likelihood, n)

    def table(self) -> pd.DataFrame:
        """The estimates as a frame with columns parameter, estimate, std_error."""
        return pd.DataFrame({"parameter": list(self.params),
                             "estimate": list(self.params.values()),
                             "std_error": [self.std_errors[k] for k in self.params]})


def _hessian(f: NegLogLik, x: np.ndarray) -> np.ndarray:
    """Central-difference Hessian of ``f`` at ``x``, steps relative to each coordinate."""
    k = len(x)
    h = 1e-4 * np.maximum(np.abs(x), 1e-3)
    out = np.empty((k, k))
    for i in range(k):
        for j in range(i, k):
            ei, ej = np.zeros(k), np.zeros(k)
            ei[i], ej[j] = h[i], h[j]
            val = (f(x + ei + ej) - f(x + ei - ej) - f(x - ei + ej) + f(x - ei - ej))
            out[i, j] = out[j, i] = val / (4.0 * h[i] * h[j])
    return out


def maximise(neg_log_lik: NegLogLik, start: np.ndarray) -> Estimate:
    """Maximise a likelihood over positive parameters.

    Args:
        neg_log_lik: the negative total log-likelihood of the natural parameters.
        start: a starting point (natural units, all positive).

    Returns:
        The estimates with their standard errors and log-likelihood.

    Raises:
        ValueError: if the information matrix at the optimum is not positive definite
            (the standard errors would be meaningless).
    """
    def on_logs(z: np.ndarray) -> float:
        return neg_log_lik(np.exp(z))

    res = minimize(on_logs, np.log(start), method="L-BFGS-B")
    # a polish by Nelder-Mead: L-BFGS-B's numerical gradient stops a little early
    res = minimize(on_logs, res.x, method="Nelder-Mead",
                   options={"xatol": 1e-9, "fatol": 1e-10, "maxiter": 20_000})
    theta = np.exp(res.x)
    cov = np.linalg.inv(_hessian(neg_log_lik, theta))
    var = np.diag(cov)
    if not np.all(np.isfinite(var)) or np.any(var <= 0):
        raise ValueError("the information matrix at the optimum is not positive definite, "
                         "so no standard errors can be given.")
    return Estimate(theta, np.sqrt(var), -float(res.fun))
