"""What one day of the market produced: the record the ledger books.

The goods in an order (``order_units``) are its list value over its category's unit
price, rounded, at least one: the unit the inventory serves and counts (times
``scale`` at real scale).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["DayOutcome", "order_units"]


def order_units(list_value: np.ndarray, price: np.ndarray) -> np.ndarray:
    """Goods in each order: its list value over the unit ``price`` of its category,
    rounded, at least one.

    Args:
        list_value: each order's list value (currency).
        price: the unit price of each order's category (currency).

    Returns:
        Units per simulated order (float, whole numbers); a real order's too, since
        each simulated order stands for ``scale`` real ones of the same size.
    """
    return np.maximum(1.0, np.rint(list_value / price))


@dataclass
class DayOutcome:
    """What one day produced, at simulated (not real) scale.

    Per-order arrays are aligned with ``buyers``; ``order_channel`` is a channel index,
    or ``n_channels`` for orders no channel brought (organic).

    Attributes:
        stages: every shopper's lifecycle stage code at the end of the day.
        unsubscribes: subscribers who left a message channel today.
        referrals: (friends, their referrers) of the day's referred first orders (None:
            no referral programme).
        promotions: per order, the plan's promotions it used, bool ``(orders,
            promotions)`` (None: no order log asked for it, or the plan has none).
    """

    buyers: np.ndarray
    visitors: np.ndarray
    channel_visits: np.ndarray
    reach: np.ndarray
    order_channel: np.ndarray
    category: np.ndarray
    list_value: np.ndarray
    gmv: np.ndarray
    cogs: np.ndarray
    new: np.ndarray
    repeat: np.ndarray
    stages: np.ndarray
    unsubscribes: int = 0
    tally: dict[str, float] = field(default_factory=dict)
    per_promotion: np.ndarray | None = None
    referrals: tuple[np.ndarray, np.ndarray] | None = None
    promotions: np.ndarray | None = None
