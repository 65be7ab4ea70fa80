"""A shop's own customers: a customer table seeds the shoppers' state on day 0.

A calibrated scenario names a customer table (``population.customers``), one row per
real customer with their history up to the as-of date (day -1, the day before the
horizon starts): repeat purchase days x (``frequency``), days from the first to the
last purchase t_x (``recency``), days from the first purchase to the as-of date
(``T``), mean repeat order value m (``monetary``), purchase days, trailing spend, and
optionally orders per category. ``sim.customer_table`` reads and checks the file and
hands the columns over as a ``History``; this module turns them into shoppers:

* BG/NBD posterior (Fader, Hardie and Lee 2005, "Counting your customers the easy way",
  Marketing Science 24(2)). Given (x, t_x, T) and the segment's (r, alpha, a, b), in
  days, the customer is alive with probability
  ``1 / (1 + [x > 0] a / (b + x - 1) ((alpha + T) / (alpha + t_x)) ** (r + x))``.
  Alive: lambda ~ Gamma(r + x, rate alpha + T) and p ~ Beta(a, b + x); dropped out
  after the last purchase: lambda ~ Gamma(r + x, rate alpha + t_x) and
  p ~ Beta(a + 1, b + x - 1).
* Gamma-Gamma spend (Fader, Hardie and Lee 2005, "RFM and CLV: using iso-value curves",
  JMR 42(4)): a segment with ``spend`` (p, q, gamma) gives each table customer
  nu ~ Gamma(q + p x, rate gamma + x m) and a mean basket p / nu; the segment's other
  shoppers draw nu from the prior Gamma(q, rate gamma).
* Category preferences: Dirichlet(category_concentration x segment weights + the
  customer's orders per category).
* Scale: a table row is one real customer. At population scale s the run simulates
  ``round(k / s)`` of the k rows, a sample without replacement drawn per seed (all rows
  at s = 1).

Every draw comes from the ``CUSTOMERS`` stream, so a scenario without a table and
without ``spend`` draws exactly what it drew before.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike
from pydantic import ValidationInfo, field_validator

from agents._config import Config

__all__ = ["CustomerTable", "History", "Seeded", "SegmentModels", "draw_basket_mean",
           "draw_posterior", "dropout_odds", "p_alive", "seed_customers"]


class CustomerTable(Config):
    """``population.customers``: the file of the shop's customers (CSV or Parquet).

    Attributes:
        file: the table; a relative path is relative to the scenario file's folder when
            a scenario file is loaded, else to the current directory. It is stored
            resolved (absolute), so a written-out scenario still finds it.
    """

    file: Path

    @field_validator("file")
    @classmethod
    def _resolved(cls, v: Path, info: ValidationInfo) -> Path:
        # ``sim._io.load_scenario_file`` passes the scenario file's folder as ``base``
        base = (info.context or {}).get("base")
        v = v.expanduser()
        return (v if v.is_absolute() else Path(base or Path.cwd()) / v).resolve()


@dataclass(frozen=True, eq=False)
class History:
    """The rows of a checked customer table, one per real customer (table order).

    Attributes:
        source: the table's file (for messages).
        ids: customer ids (str).
        segment: index into ``population.segments`` (int8).
        city_tier: index into ``CITY_TIERS``, -1 where the table gives none (int8).
        frequency: repeat purchase days x (int64).
        recency: days from the first to the last purchase t_x (float64, whole days).
        T: days from the first purchase to the as-of date, day -1 (float64, whole days).
        monetary: mean value of the repeat orders m (currency; 0 without repeats).
        n_orders: purchase days (int32, at least 1).
        spend: trailing spend at the as-of date (currency).
        categories: orders per (customer, catalog category), catalog order; None when
            the table has no ``categories.*`` columns.
    """

    source: str
    ids: np.ndarray
    segment: np.ndarray
    city_tier: np.ndarray
    frequency: np.ndarray
    recency: np.ndarray
    T: np.ndarray
    monetary: np.ndarray
    n_orders: np.ndarray
    spend: np.ndarray
    categories: np.ndarray | None

    @property
    def size(self) -> int:
        """Number of customers in the table."""
        return int(self.ids.size)

    def used(self, scale: float) -> int:
        """How many rows a population of ``scale`` real shoppers per shopper simulates."""
        return round(self.size / scale)


@dataclass(frozen=True)
class SegmentModels:
    """What seeding reads of each segment, one row per segment (population order).

    Attributes:
        bgnbd: (r, alpha, a, b) per segment, alpha in days.
        basket: (shape, mean) of the segment's basket model (``BasketParams``).
        spend: (p, q, gamma) of its Gamma-Gamma spend model, NaN without one.
        tiers: city tier shares (``CITY_TIERS`` order).
        prefs: Dirichlet prior of category preferences: concentration x weights.
    """

    bgnbd: np.ndarray
    basket: np.ndarray
    spend: np.ndarray
    tiers: np.ndarray
    prefs: np.ndarray


@dataclass(frozen=True)
class Seeded:
    """The table shoppers of one run (population rows 0..size-1): traits and state."""

    ids: np.ndarray
    segment: np.ndarray
    city_tier: np.ndarray
    lam: np.ndarray
    p_drop: np.ndarray
    basket_mean: np.ndarray
    prefs: np.ndarray
    alive: np.ndarray
    first_day: np.ndarray
    last_day: np.ndarray
    n_orders: np.ndarray
    spend: np.ndarray

    @property
    def size(self) -> int:
        return int(self.ids.size)


def dropout_odds(r: ArrayLike, alpha: ArrayLike, a: ArrayLike, b: ArrayLike,
                 x: ArrayLike, tx: ArrayLike, T: ArrayLike) -> np.ndarray:
    """Odds of having dropped out given (x, t_x, T) (BG/NBD; FHL 2005):
    ``[x > 0] a / (b + x - 1) ((alpha + T) / (alpha + t_x)) ** (r + x)``.

    Args:
        r, alpha, a, b: BG/NBD parameters (alpha in the time unit of t_x and T),
            scalars or one per customer.
        x: repeat purchases; tx: time of the last purchase after the first; T: age.

    Returns:
        The odds, one per customer (0 without repeat purchases).
    """
    r_, al, a_, b_, x_, tx_, age = np.broadcast_arrays(
        *(np.asarray(v, dtype=float) for v in (r, alpha, a, b, x, tx, T)))
    odds = np.zeros(x_.shape)
    m = x_ > 0
    # a heavy buyer silent for long has odds beyond floating point: inf, P(alive) 0
    with np.errstate(over="ignore"):
        odds[m] = a_[m] / (b_[m] + x_[m] - 1) * np.exp(
            (r_[m] + x_[m]) * (np.log(al[m] + age[m]) - np.log(al[m] + tx_[m])))
    return odds


def p_alive(r: ArrayLike, alpha: ArrayLike, a: ArrayLike, b: ArrayLike,
            x: ArrayLike, tx: ArrayLike, T: ArrayLike) -> np.ndarray:
    """Probability that a customer is alive at ``T`` given (x, t_x, T) (arguments as for
    ``dropout_odds``)."""
    return np.asarray(1.0 / (1.0 + dropout_odds(r, alpha, a, b, x, tx, T)))


def draw_posterior(g: np.random.Generator, r: ArrayLike, alpha: ArrayLike, a: ArrayLike,
                   b: ArrayLike, x: ArrayLike, tx: ArrayLike, T: ArrayLike
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Draw each customer's state from the BG/NBD posterior given (x, t_x, T).

    Alive ~ Bernoulli(``p_alive``); lambda ~ Gamma(r + x, rate alpha + T) if alive,
    else Gamma(r + x, rate alpha + t_x); dropout p ~ Beta(a, b + x) if alive, else
    Beta(a + 1, b + x - 1) (arguments as for ``dropout_odds``, one value per customer).

    Returns:
        alive (bool), lambda (per time unit) and p, one per customer.
    """
    r_, al, a_, b_, x_, tx_, age = np.broadcast_arrays(
        *(np.asarray(v, dtype=float) for v in (r, alpha, a, b, x, tx, T)))
    alive = g.random(x_.shape) < p_alive(r_, al, a_, b_, x_, tx_, age)
    lam = g.gamma(r_ + x_, 1.0 / np.where(alive, al + age, al + tx_))
    p = g.beta(np.where(alive, a_, a_ + 1), np.where(alive, b_ + x_, b_ + x_ - 1))
    return alive, lam, p


def draw_basket_mean(g: np.random.Generator, p: ArrayLike, q: ArrayLike, gamma: ArrayLike,
                     x: ArrayLike = 0, m: ArrayLike = 0) -> np.ndarray:
    """Mean order value p / nu with nu ~ Gamma(q + p x, rate gamma + x m) (Gamma-Gamma).

    With x = 0 (the default) nu is drawn from the prior Gamma(q, rate gamma).

    Args:
        p, q, gamma: the Gamma-Gamma parameters (gamma in currency).
        x: repeat orders; m: their mean value (currency).

    Returns:
        One mean order value per customer (currency).
    """
    p_, q_, g_, x_, m_ = np.broadcast_arrays(
        *(np.asarray(v, dtype=float) for v in (p, q, gamma, x, m)))
    return np.asarray(p_ / g.gamma(q_ + p_ * x_, 1.0 / (g_ + x_ * m_)))


def seed_customers(history: History, models: SegmentModels, scale: float,
                   g: np.random.Generator) -> Seeded:
    """The table shoppers of one run: which rows, their traits and their day-0 state.

    Args:
        history: the customer table.
        models: the segments' models.
        scale: real shoppers per simulated shopper (``round(k / scale)`` rows are used).
        g: the run's ``CUSTOMERS`` generator.
    """
    k, used = history.size, history.used(scale)
    rows = np.arange(k) if used >= k else np.sort(g.choice(k, size=used, replace=False))
    seg = history.segment[rows]
    x, tx, age = history.frequency[rows], history.recency[rows], history.T[rows]
    r, alpha, a, b = models.bgnbd[seg].T
    alive, lam, p = draw_posterior(g, r, alpha, a, b, x, tx, age)
    tier = history.city_tier[rows].copy()
    missing = np.flatnonzero(tier < 0)
    if missing.size:  # drawn from the segment's shares, as for any other shopper
        cum = np.cumsum(models.tiers[seg[missing]], axis=1)
        u = g.random(missing.size) * cum[:, -1]
        tier[missing] = (u[:, None] >= cum[:, :-1]).sum(axis=1)
    counts = None if history.categories is None else history.categories[rows]
    return Seeded(
        ids=history.ids[rows], segment=seg.astype(np.int8), city_tier=tier.astype(np.int8),
        lam=lam.astype(np.float32), p_drop=p.astype(np.float32),
        basket_mean=_basket_means(g, models, seg, x, history.monetary[rows]),
        prefs=_preferences(g, models.prefs[seg], counts), alive=alive,
        first_day=(-age - 1).astype(np.int32), last_day=(-(age - tx) - 1).astype(np.int32),
        n_orders=history.n_orders[rows].astype(np.int32),
        spend=history.spend[rows].astype(np.float32))


def _basket_means(g: np.random.Generator, models: SegmentModels, seg: np.ndarray,
                  x: np.ndarray, m: np.ndarray) -> np.ndarray:
    """Each table customer's mean basket: the Gamma-Gamma posterior where the segment has
    a spend model, else a draw from the segment's basket model."""
    out = np.empty(seg.size, dtype=np.float32)
    spend = models.spend[seg]
    gg = ~np.isnan(spend[:, 0])
    if gg.any():
        p, q, gamma = spend[gg].T
        out[gg] = draw_basket_mean(g, p, q, gamma, x[gg], m[gg])
    shape, mean = models.basket[seg[~gg]].T
    out[~gg] = g.gamma(shape, mean / shape)
    return out


def _preferences(g: np.random.Generator, prior: np.ndarray,
                 counts: np.ndarray | None) -> np.ndarray:
    """Dirichlet(prior + orders per category) per customer (rows of ``prior``)."""
    conc = prior if counts is None else prior + counts
    pos = conc > 0
    draws = np.where(pos, g.gamma(np.where(pos, conc, 1.0)), 0.0)
    return (draws / np.maximum(draws.sum(axis=1, keepdims=True), 1e-12)).astype(np.float32)
