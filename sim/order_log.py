"""The order log: one row per simulated order, in the shape ``calibrate`` reads.

A run asked for its orders (``MarketModel(..., orders=True)``, ``sim.simulate(...,
orders=True)``) keeps each day's orders as compact arrays (shopper indices, channel and
category codes, money, first-order flags, the promotions used as bits) and builds the
frame once, at the end. Rows are at simulated scale: one simulated shopper is one
customer of the log, and one row is one order (not ``scale`` of them), so per day the
rows are the ``orders`` KPI / scale, their ``gmv`` the ``gmv`` KPI / scale and their
``new`` the ``new_customers`` KPI / scale.

Columns (``COLUMNS``), one row per order, by seed and day; within a day the checkout's
order: the day's own orders, then presale orders completed today, then orders the offers
added (a group deal's joiners):

* ``seed``: replication index (as in the other frames); ``day``: day index; ``date``:
  the day (midnight; an ISO date ``YYYY-MM-DD`` in a CSV file);
* ``customer``: the shop's own id of a calibrated customer (``ShopperPopulation.ids``),
  ``s<index>`` for every other shopper (``s1234``; ``ss1234`` when an own id starts with
  ``s``, and so on, so that the two never meet);
* ``channel``: the last-touch channel, ``organic`` when none brought the order;
* ``promotion``: the promotions the order used, in the plan's order joined by ``+``
  (``""``: none): a price offer whose saving it got under the stacking rule, a perk
  (gift, points) it got, the presale it completes, the group deal that added it; per
  promotion these are the orders ``by_promotion`` counts. A name may hold a ``+`` itself
  (double11's ``main day gift 500+``): ``split_promotions`` splits a label by the plan's
  names;
* ``category``; ``units``: goods in the order, its list value over the category's unit
  price, rounded, at least one (``agents.outcome.order_units``: as
  ``agents.inventory`` counts the units it serves and owes);
* ``list_value``: currency before offers (after a threshold top-up); ``gmv``: what the
  customer paid (after offers, member prices, a referral reward); ``new``: a first order.

``seed``, ``day`` and ``units`` are int64, ``date`` datetime64 (as in the other frames), the
money float64, ``new`` bool; ``customer``, ``channel``, ``promotion`` and ``category`` are
pandas categoricals of str (a code per row, each label stored once).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from agents.outcome import DayOutcome, order_units

if TYPE_CHECKING:
    from agents.checkout import Orders
    from agents.promotions import Completions

__all__ = ["COLUMNS", "OrderLog", "concat", "promotions_used", "split_promotions"]

#: The order log's columns, in order.
COLUMNS = ("seed", "day", "date", "customer", "channel", "promotion", "category", "units",
           "list_value", "gmv", "new")

#: How a day's orders are kept: shopper index, channel and category codes, money, first order.
_DTYPES = {"buyer": np.int32, "channel": np.int16, "category": np.int16,
           "list_value": np.float64, "gmv": np.float64, "new": np.bool_}


def promotions_used(n_promotions: int, orders: Orders, completions: Completions | None,
                    used: np.ndarray | None) -> np.ndarray | None:
    """Per order of the day, in the rows of ``orders`` (own orders, presale completions,
    orders the offers added), the promotions it used.

    Args:
        n_promotions: promotions in the plan.
        orders: the day's orders.
        completions: the presale orders completed today (each uses its presale).
        used: what the day's offers recorded (``Offers.used``: own orders kept, then the
            orders they added); None: no offers ran.

    Returns:
        bool ``(orders, n_promotions)``; None for a plan without promotions.
    """
    if n_promotions == 0:
        return None
    n_own = orders.n_own
    if used is None:
        used = np.zeros((n_own, n_promotions), dtype=bool)
    done = np.zeros((0, n_promotions), dtype=bool) if completions is None else \
        np.eye(n_promotions, dtype=bool)[completions.promotion]
    return np.concatenate([used[:n_own], done, used[n_own:]])


def split_promotions(label: str, names: Sequence[str]) -> list[str]:
    """The promotions of a ``promotion`` label: the plan's ``names`` it joins by ``+``,
    in the plan's order (a name may itself hold a ``+``: "gift 500+").

    Raises:
        ValueError: if ``label`` is not such a join.
    """
    def parts(rest: str, start: int) -> list[str] | None:
        if not rest:
            return []
        for k in range(start, len(names)):
            name = names[k]
            if rest == name:
                return [name]
            if rest.startswith(name + "+") and (tail := parts(
                    rest[len(name) + 1:], k + 1)) is not None:
                return [name, *tail]
        return None

    found = parts(label, 0)
    if found is None:
        raise ValueError(f"{label!r} joins names that are not promotions of the plan, "
                         f"in its order, by '+'")
    return found


def _categorical(labels: Sequence[str] | np.ndarray, codes: np.ndarray) -> pd.Categorical:
    """``labels[codes]`` as a categorical of str, without a string per row (labels keep
    their order; equal ones become one category)."""
    given = pd.Index(np.asarray(labels, dtype=object))
    names = given.unique()
    return pd.Categorical.from_codes(names.get_indexer(given)[codes], categories=names)


def other_prefix(ids: np.ndarray | None) -> str:
    """The prefix of the ids of shoppers who are not the shop's own: ``s``, or as many
    more ``s`` as it takes for no own id to start with it (a simulated log calibrated and
    simulated again keeps its customers apart from the new ones)."""
    prefix = "s"
    if ids is not None:
        own = pd.Index(np.asarray(ids, dtype=object)).astype(str)
        while own.str.startswith(prefix).any():
            prefix += "s"
    return prefix


def _customers(buyer: np.ndarray, ids: np.ndarray | None) -> pd.Categorical:
    """The customer of each order: its shopper's own id (``ids``), else ``s<index>``
    (``other_prefix``: ``ss<index>`` when an own id starts with ``s``, ...)."""
    shoppers, codes = np.unique(buyer, return_inverse=True)
    labels = other_prefix(ids) + shoppers.astype(str).astype(object)
    if ids is not None:
        own = shoppers < len(ids)
        labels[own] = np.asarray(ids, dtype=object)[shoppers[own]]
    # one label per shopper, all distinct (own ids are unique and never take the
    # others' prefix): no look-up needed
    return pd.Categorical.from_codes(codes.reshape(-1), categories=pd.Index(labels))


class OrderLog:
    """One run's orders, recorded day by day and built into a frame at the end.

    Args:
        channels: channel names (an order no channel brought is ``organic``).
        categories: category names.
        promotions: promotion names, in the plan's order.
        prices: unit price per category (currency).
    """

    def __init__(self, channels: list[str], categories: list[str], promotions: list[str],
                 prices: Sequence[float] | np.ndarray) -> None:
        self.channels = [*channels, "organic"]
        self.categories = categories
        self.promotions = promotions
        self.prices = np.asarray(prices, dtype=np.float64)
        self._days: list[int] = []
        self._cols: dict[str, list[np.ndarray]] = {k: [] for k in _DTYPES}
        self._used: list[np.ndarray | None] = []

    def add(self, day: int, out: DayOutcome) -> None:
        """Keep the orders of ``day`` (copies: the arrays of a day may be reused)."""
        self._days.append(day)
        for k, values in (("buyer", out.buyers), ("channel", out.order_channel),
                          ("category", out.category), ("list_value", out.list_value),
                          ("gmv", out.gmv), ("new", out.new)):
            self._cols[k].append(np.array(values, dtype=_DTYPES[k]))
        used = out.promotions
        self._used.append(None if used is None or not used.any() else
                          np.packbits(used, axis=1, bitorder="little"))

    def frame(self, dates: Sequence[dt.date], replication: int,
              ids: np.ndarray | None = None) -> pd.DataFrame:
        """The orders as a frame with ``COLUMNS``.

        Args:
            dates: the date of each day of the horizon.
            replication: the ``seed`` column.
            ids: the shop's own ids of the first ``len(ids)`` shoppers (calibrated
                customers); the others are ``s<index>``. None: all are.
        """
        counts = np.array([b.size for b in self._cols["buyer"]], dtype=np.int64)
        day = np.repeat(np.array(self._days, dtype=np.int64), counts)
        col = {k: np.concatenate(v) if v else np.zeros(0, dtype=_DTYPES[k])
               for k, v in self._cols.items()}
        category, list_value = col["category"], col["list_value"]
        return pd.DataFrame({
            "seed": np.full(day.size, replication, dtype=np.int64),
            "day": day,
            "date": pd.to_datetime(list(dates)).to_numpy()[day],
            "customer": _customers(col["buyer"], ids),
            "channel": _categorical(self.channels, col["channel"]),
            "promotion": self._promotion_labels(counts),
            "category": _categorical(self.categories, category),
            "units": order_units(list_value, self.prices[category]).astype(np.int64),
            "list_value": list_value,
            "gmv": col["gmv"],
            "new": col["new"],
        }, columns=list(COLUMNS), copy=False)  # the columns are fresh: no copy

    def _promotion_labels(self, counts: np.ndarray) -> pd.Categorical:
        """Each order's promotions, joined by ``+`` in the plan's order (``""``: none)."""
        n_promotions = len(self.promotions)
        width = (n_promotions + 7) // 8
        bits = np.zeros((int(counts.sum()), width), dtype=np.uint8)
        starts = np.r_[0, np.cumsum(counts)]
        for k, packed in enumerate(self._used):
            if packed is not None:
                bits[starts[k]:starts[k + 1]] = packed
        if width == 0 or not bits.any():
            return _categorical([""], np.zeros(bits.shape[0], dtype=np.int64))
        keys, codes = np.unique(bits, axis=0, return_inverse=True)
        names = np.array(self.promotions, dtype=object)
        flags = np.unpackbits(keys, axis=1, count=n_promotions, bitorder="little").astype(bool)
        return _categorical(["+".join(names[f]) for f in flags], codes.reshape(-1))


def concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Order logs of several replications as one, in the order given (categories
    united: a customer or promotion only some replications have stays categorical)."""
    from pandas.api.types import union_categoricals

    if len(frames) == 1:  # one replication: nothing to unite, no copy
        return frames[0]
    cols: dict[str, object] = {}
    for name in COLUMNS:
        parts = [f[name] for f in frames]
        if isinstance(parts[0].dtype, pd.CategoricalDtype):
            cols[name] = union_categoricals(parts)
        else:
            cols[name] = np.concatenate([p.to_numpy() for p in parts])
    return pd.DataFrame(cols, columns=list(COLUMNS))
