"""Without marketing, an established customer base repeat-buys like the BG/NBD model.

A CDNOW-style cohort (tests/data/bgnbd_cohort.yaml): every shopper made a first purchase
on day -1 and is then watched for 39 weeks with no channels funded, no promotions and a
flat calendar. Fitting BG/NBD by maximum likelihood (Fader, Hardie and Lee 2005,
"Counting your customers the easy way", eq. 6) to the simulated (x, t_x, T) must give
back the segment's {r, alpha} and {a, b}.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy import optimize, special

import scenarios
import sim

COHORT = Path(__file__).resolve().parents[1] / "data" / "bgnbd_cohort.yaml"


def bgnbd_neg_log_likelihood(log_params: np.ndarray, x: np.ndarray, t_x: np.ndarray,
                             T: np.ndarray, weight: np.ndarray) -> float:
    """Negative BG/NBD log-likelihood of (x, t_x, T) rows with multiplicities ``weight``.

    ``log_params`` = log(r, alpha, a, b); time in days (alpha in days).
    """
    r, alpha, a, b = np.exp(log_params)
    ln_a1 = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha)
    ln_a2 = special.betaln(a, b + x) - special.betaln(a, b)
    ln_a3 = -(r + x) * np.log(alpha + T)
    repeat = x > 0
    ln_a4 = np.full(x.shape, -np.inf)
    ln_a4[repeat] = (np.log(a) - np.log(b + x[repeat] - 1)
                     - (r + x[repeat]) * np.log(alpha + t_x[repeat]))
    ll = ln_a1 + ln_a2 + np.logaddexp(ln_a3, ln_a4)
    return -float(np.dot(weight, ll))


def fit_bgnbd(x: np.ndarray, t_x: np.ndarray, T: float) -> dict[str, float]:
    """Maximum-likelihood BG/NBD parameters, optimised over their logarithms."""
    rows, weight = np.unique(np.column_stack([x, t_x]), axis=0, return_counts=True)
    xs, txs = rows[:, 0].astype(float), rows[:, 1].astype(float)
    Ts = np.full(xs.shape, float(T))
    w = weight.astype(float)
    start = np.log([1.0, 10.0, 1.0, 1.0])
    fit = optimize.minimize(bgnbd_neg_log_likelihood, start, args=(xs, txs, Ts, w),
                            method="L-BFGS-B")
    assert fit.success, fit.message
    r, alpha, a, b = np.exp(fit.x)
    return {"r": r, "alpha": alpha, "a": a, "b": b}


def test_likelihood_recovers_parameters_of_its_own_process() -> None:
    # The fitting code itself, checked on data drawn exactly from BG/NBD (continuous time)
    # so that a failure of the engine test below cannot be a fitting bug.
    g = np.random.default_rng(7)
    n, T, r, alpha, a, b = 20_000, 274.0, 0.8, 40.0, 0.8, 3.0
    lam, p = g.gamma(r, 1 / alpha, n), g.beta(a, b, n)
    x, t_x = np.zeros(n, dtype=int), np.zeros(n)
    t, alive = np.zeros(n), np.ones(n, dtype=bool)
    while alive.any():
        t[alive] += g.exponential(1 / lam[alive])
        buys = alive & (t <= T)
        x[buys] += 1
        t_x[buys] = t[buys]
        alive = buys & (g.random(n) >= p)
    est = fit_bgnbd(x, np.round(t_x, 6), T)
    truth = {"r": r, "alpha": alpha, "a": a, "b": b}
    for k, v in truth.items():
        assert est[k] == pytest.approx(v, rel=0.10 if k in ("r", "alpha") else 0.25), k


@pytest.fixture(scope="module")
def cohort() -> tuple[sim.Scenario, sim.MarketModel]:
    sc = scenarios.load(COHORT).with_overrides({"population.size": 30_000})
    return sc, sim.MarketModel(sc, None, seed=2005).run()


def test_cohort_is_set_up_as_specified(cohort) -> None:
    sc, model = cohort
    pop = model.population
    assert sc.horizon.n_days == 273
    assert pop.n >= 20_000
    assert pop.customer.all() and (pop.first_day == -1).all()
    assert model.ledger.daily["marketing_spend"].sum() == 0
    assert model.ledger.daily["new_customers"].sum() == 0
    # orders in the ledger are exactly the cohort's repeat purchases
    assert model.ledger.daily["orders"].sum() == pop.n_orders.sum()
    assert pop.alive[pop.n_orders == 0].all()  # only a repeat order can end a life
    assert not pop.alive.all()


@pytest.mark.slow
def test_engine_repeat_buying_recovers_bgnbd_parameters(cohort) -> None:
    sc, model = cohort
    pop = model.population
    seg = next(iter(sc.population.segments.values()))
    x = pop.n_orders.astype(np.int64)
    t_x = np.where(x > 0, pop.last_day + 1, 0)  # days since the cohort's first purchase
    T = sc.horizon.n_days + 1
    assert (t_x <= T - 1).all() and (t_x[x > 0] >= x[x > 0]).all()  # one order a day

    est = fit_bgnbd(x, t_x, T)
    truth = {"r": seg.purchase.r, "alpha": seg.purchase.alpha,
             "a": seg.dropout.a, "b": seg.dropout.b}
    print("BG/NBD fit:", {k: round(v, 3) for k, v in est.items()}, "truth:", truth)
    assert est["r"] == pytest.approx(truth["r"], rel=0.10)
    assert est["alpha"] == pytest.approx(truth["alpha"], rel=0.10)
    assert est["a"] == pytest.approx(truth["a"], rel=0.25)
    assert est["b"] == pytest.approx(truth["b"], rel=0.25)
