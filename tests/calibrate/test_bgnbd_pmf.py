"""BG/NBD's distribution of repeat purchases (FHL 2005, eq. 8) and the CDNOW histogram."""

from __future__ import annotations

import numpy as np
import pytest
from cdnow_sample import bgnbd_fit, weekly

from calibrate.bgnbd import expected_purchases, probability_of_purchases

PARAMS = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}


def test_the_probabilities_sum_to_one_and_have_the_closed_form_mean() -> None:
    t = np.array([0.0, 1.0, 39.0, 78.0, 200.0])
    probs = np.array([probability_of_purchases(PARAMS, x, t) for x in range(600)])
    assert probs.min() >= 0.0
    np.testing.assert_allclose(probs.sum(axis=0), 1.0, atol=1e-9)
    mean = (np.arange(600)[:, None] * probs).sum(axis=0)
    np.testing.assert_allclose(mean, expected_purchases(PARAMS, t), rtol=1e-6)
    assert probability_of_purchases(PARAMS, 0, 0.0)[0] == 1.0


def test_cdnow_calibration_histogram_matches_the_model() -> None:
    """FHL 2005, figure 3: customers by repeat purchases in the 39 weeks, actual against
    the model summed over each customer's own age."""
    s, fit = weekly(), bgnbd_fit()
    actual = np.bincount(np.minimum(s["frequency"], 7), minlength=8)
    model = np.array([probability_of_purchases(fit.params, x, s["T"]).sum()
                      for x in range(7)])
    model = np.append(model, len(s) - model.sum())
    assert actual[0] == 1411
    assert model.sum() == pytest.approx(2357)
    # the model reproduces the histogram within 15% in every bin holding 50+ customers
    big = actual >= 50
    np.testing.assert_allclose(model[big], actual[big], rtol=0.15)
