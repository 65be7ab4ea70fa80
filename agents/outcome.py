"""What one day of the market produced: the record the ledger books."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["DayOutcome"]


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
