"""Gamma-Gamma: the published CDNOW spend fit and the expected value of an order."""

from __future__ import annotations

import numpy as np
import pytest
from cdnow_sample import weekly

import calibrate

# lifetimes' documentation, GammaGammaFitter on the CDNOW summary with mean repeat spend
PUBLISHED = {"p": 6.25, "q": 3.74, "gamma": 15.44}


@pytest.fixture(scope="module")
def spend_fit() -> calibrate.GammaGammaFit:
    return calibrate.fit_gamma_gamma(weekly()["frequency"], weekly()["monetary"])


def test_cdnow_spend_fit_matches_the_published_values(
        spend_fit: calibrate.GammaGammaFit) -> None:
    assert spend_fit.n == 946  # customers with at least one repeat purchase
    for name, value in PUBLISHED.items():
        assert spend_fit.params[name] == pytest.approx(value, rel=0.02), name
    assert spend_fit.log_likelihood == pytest.approx(-4055.92, abs=0.01)
    assert all(np.isfinite(v) and v > 0 for v in spend_fit.std_errors.values())
    assert list(spend_fit.table()["parameter"]) == ["p", "q", "gamma"]


def test_expected_order_value_shrinks_towards_the_population_mean(
        spend_fit: calibrate.GammaGammaFit) -> None:
    p, q, g = (spend_fit.params[k] for k in ("p", "q", "gamma"))
    population = p * g / (q - 1)
    assert population == pytest.approx(35.17, abs=0.05)  # dollars per order
    few, many = spend_fit.conditional_expected_value([1, 20], [100.0, 100.0])
    assert population < few < many < 100.0  # more orders, more weight on her own mean
    assert spend_fit.conditional_expected_value(0, 0.0) == pytest.approx(population)


def test_too_few_customers_with_repeats() -> None:
    with pytest.raises(ValueError, match=r"^Gamma-Gamma cannot be fitted to 1 customer"):
        calibrate.fit_gamma_gamma([3, 0], [20.0, 0.0])
