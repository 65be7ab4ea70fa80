"""BG/NBD: the published CDNOW fit, its holdout, a round trip on simulated customers, errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from cdnow_sample import CALIBRATION_END, HOLDOUT_END, bgnbd_fit, orders, weekly

import calibrate

# FHL 2005, section 4 (CDNOW, weeks): r, alpha, a, b and the log-likelihood
PUBLISHED = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}


def test_cdnow_fit_matches_the_published_values() -> None:
    fit = bgnbd_fit()
    assert fit.n == 2357
    for name, value in PUBLISHED.items():
        assert fit.params[name] == pytest.approx(value, rel=0.01), name
    assert fit.log_likelihood == pytest.approx(-9582.4, rel=0.01)
    assert fit.log_likelihood == pytest.approx(-9582.43, abs=0.01)
    se = fit.std_errors
    assert all(np.isfinite(v) and v > 0 for v in se.values())
    # recorded from this fit (observed information); no published standard errors at hand
    expected_se = {"r": 0.0126, "alpha": 0.378, "a": 0.186, "b": 0.705}
    for name, value in expected_se.items():
        assert se[name] == pytest.approx(value, rel=0.02), name
    table = fit.table()
    assert list(table.columns) == ["parameter", "estimate", "std_error"]
    assert list(table["parameter"]) == ["r", "alpha", "a", "b"]


def test_cdnow_holdout() -> None:
    cdnow_orders, s, fit = orders(), weekly(), bgnbd_fit()
    end, stop = pd.Timestamp(CALIBRATION_END), pd.Timestamp(HOLDOUT_END)
    holdout = cdnow_orders[(cdnow_orders["date"] > end) & (cdnow_orders["date"] <= stop)]
    actual = int(holdout.drop_duplicates(["customer", "date"]).shape[0])
    assert actual == 1882  # repeat purchase days in weeks 40-78, as FHL 2005 count them
    weeks = (stop - end).days / 7
    assert weeks == 39
    expected = fit.conditional_expected(weeks, s["frequency"], s["recency"], s["T"])
    total = float(expected.sum())
    assert total == pytest.approx(1653.4, abs=0.5)
    # the model forecasts 12% fewer repeat purchases than the customers made
    assert total == pytest.approx(actual, rel=0.15)
    # the closed-form aggregate of new customers of those ages tells the same story
    new = fit.expected_purchases(s["T"] + weeks) - fit.expected_purchases(s["T"])
    assert float(new.sum()) == pytest.approx(total, rel=0.02)


def test_p_alive_and_expectations_by_hand() -> None:
    fit = bgnbd_fit()
    assert fit.p_alive(0, 0, 38.86)[0] == 1.0  # no repeat, no chance to drop out
    alive = fit.p_alive([2, 2], [30.43, 5.0], [38.86, 38.86])
    assert 0 < alive[1] < alive[0] < 1  # a long silence makes dropout likelier
    assert fit.expected_purchases(0.0) == pytest.approx(0.0)
    assert fit.expected_purchases(39.0) == pytest.approx(1.195, abs=0.001)


def simulate_bgnbd(params: dict[str, float], n: int, horizon: float,
                   rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(frequency, recency, T) of ``n`` BG/NBD customers, all observed for ``horizon``."""
    lam = rng.gamma(params["r"], 1.0 / params["alpha"], n)
    p = rng.beta(params["a"], params["b"], n)
    x, tx, age = np.zeros(n), np.zeros(n), np.full(n, horizon)
    now, active = np.zeros(n), np.ones(n, dtype=bool)
    while active.any():
        now = now + rng.exponential(1.0, n) / np.maximum(lam, 1e-300)
        active &= now <= age
        x[active] += 1
        tx[active] = now[active]
        active &= rng.random(n) >= p  # drops out after this purchase
    return x, tx, age


def test_round_trip_recovers_the_parameters() -> None:
    truth = {"r": 0.8, "alpha": 20.0, "a": 0.9, "b": 3.0}
    x, tx, age = simulate_bgnbd(truth, 5000, 365.0, np.random.default_rng(7))
    fit = calibrate.fit_bgnbd(x, tx, age)
    for name, value in truth.items():
        z = abs(fit.params[name] - value) / fit.std_errors[name]
        assert z < 3, f"{name}: {fit.params[name]:.3f} vs {value} ({z:.1f} standard errors)"


def test_one_customer_or_no_repeats_cannot_be_fitted() -> None:
    with pytest.raises(ValueError, match=r"^BG/NBD cannot be fitted to 1 customer\(s\)"):
        calibrate.fit_bgnbd([2], [5.0], [10.0])
    with pytest.raises(ValueError, match=r"^BG/NBD cannot be fitted without repeat purchases"):
        calibrate.fit_bgnbd([0, 0, 0], [0.0, 0.0, 0.0], [10.0, 5.0, 3.0])
