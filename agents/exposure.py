"""Exposure: paid and owned reach, adstock and awareness.

* Targeting. A channel's exposures reach its audience (prospects, customers, everyone;
  a campaign aimed at lifecycle stages only those stages; a message channel only its
  subscribers), spread in proportion to affinity (segment x city tier).
* Adstock. Each shopper keeps a geometric adstock per channel,
  ``A <- decay * A + (1 - decay) * exposures``, so a burst keeps working after it ends.
  A channel quiet long enough that its adstock fell below ``1e-4`` of its last level
  is dropped (set to 0) to save work.
* Reach. A shopper with expected exposures x today is reached with probability
  ``1 - exp(-x)`` (Poisson exposures); reach is summed over (segment, city tier) groups,
  within which affinity is the same.
* Awareness. Prospects learn of the shop by chance (``discovery_rate``) or through
  exposures (``awareness_per_exposure``); aware non-customers forget at ``forget_rate``,
  so without marketing awareness settles at learn / (learn + forget).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from agents._config import CITY_TIERS
from agents._numeric import one_minus_exp
from agents.population import ShopperPopulation
from agents.streams import AWARENESS

__all__ = ["Exposure", "Reached"]

_QUIET = 1e-4  # adstock below this share of its last level is dropped (saves work)


@dataclass
class Reached:
    """What the day's exposures did, per channel.

    Attributes:
        reach: expected shoppers reached (simulated scale).
        found: 1 where the exposures found an audience (or none were bought), else 0.
        intensity: per message channel that sent today, expected exposures per shopper.
        quiet: channels not sending today whose adstock still decayed (was live).
    """

    reach: np.ndarray
    found: np.ndarray
    intensity: dict[int, np.ndarray]
    quiet: np.ndarray


class Exposure:
    """Spreads each channel's exposures over its audience; keeps adstock and awareness.

    Args:
        pop: the shoppers (segment, city tier; their ``adstock`` and ``aware`` state).
    """

    def __init__(self, pop: ShopperPopulation) -> None:
        chans = pop.channels
        seg_cfg = list(pop.params.segments.values())
        seg_aff = np.array([[s.channel_affinity.get(c, 1.0) for s in seg_cfg]
                            for c in pop.channel_names], dtype=np.float32).reshape(
                                len(chans), len(seg_cfg))
        tier_aff = np.array([[ch.city_tier_affinity.get(t, 1.0) for t in CITY_TIERS]
                             for ch in chans], dtype=np.float32).reshape(
                                 len(chans), len(CITY_TIERS))
        self.affinity = seg_aff[:, pop.segment] * tier_aff[:, pop.city_tier]
        # affinity depends only on (segment, city tier): reach is summed over these groups
        self._group = pop.segment.astype(np.int64) * len(CITY_TIERS) + pop.city_tier
        n_groups = len(seg_cfg) * len(CITY_TIERS)
        self._group_size = np.bincount(self._group, minlength=n_groups).astype(np.float64)
        self._group_affinity = (seg_aff[:, :, None] * tier_aff[:, None, :]).reshape(
            len(chans), n_groups).astype(np.float64)
        self._affinity_total = self.affinity.sum(axis=1, dtype=np.float64)
        self.channels = chans
        #: channels whose adstock is still worth stepping (True from the first exposure)
        self.live = np.zeros(len(chans), dtype=bool)
        self._quiet_days = np.zeros(len(chans), dtype=np.int64)
        self._tmp = np.empty(pop.n, dtype=np.float32)
        # message channels keep their intensity for the outreach stage (fatigue)
        self._owned_tmp = {c: np.empty(pop.n, dtype=np.float32) for c in pop.owned}
        self._exposed = np.zeros(pop.n, dtype=np.float32)

    def audiences(self, pop: ShopperPopulation, exposures: np.ndarray,
                  stages: dict[int, list[int]] | None = None,
                  codes: np.ndarray | None = None) -> list[np.ndarray | None]:
        """Who each channel buying exposures today may reach (None: its whole audience).

        Args:
            exposures: exposures per channel today (simulated scale).
            stages: per channel index, the lifecycle stage codes it aims at.
            codes: every shopper's lifecycle stage code today (needed with ``stages``).
        """
        in_stage: dict[int, np.ndarray] = {}
        if stages:
            assert codes is not None
            in_stage = {c: np.isin(codes, s) for c, s in stages.items() if exposures[c] > 0}
        out: list[np.ndarray | None] = []
        for c, ch in enumerate(self.channels):
            mask: np.ndarray | None = None
            if exposures[c] <= 0:
                out.append(None)
                continue
            if ch.audience == "prospects":
                mask = ~pop.customer
            elif ch.audience == "customers":
                mask = pop.customer & pop.alive
                if c in pop.owned:
                    mask = mask & pop.subscribed[pop.owned.index(c)]
            if c in in_stage:  # a campaign aimed at lifecycle stages (e.g. win-back)
                mask = in_stage[c] if mask is None else mask & in_stage[c]
            out.append(mask)
        return out

    def expose(self, day: int, pop: ShopperPopulation, exposures: np.ndarray,
               audience: list[np.ndarray | None]) -> Reached:
        """Spread each channel's exposures (simulated scale, after any delivery cap) over
        ``audience`` (see ``audiences``); update adstock and awareness."""
        self._exposed[:] = 0.0
        n_ch = len(self.channels)
        reached = Reached(np.zeros(n_ch), np.ones(n_ch), {}, np.zeros(n_ch, dtype=bool))
        for c, ch in enumerate(self.channels):
            e, elig = float(exposures[c]), audience[c]
            total = 0.0
            if e > 0:
                total = self._affinity_total[c] if elig is None else \
                    float(np.dot(self.affinity[c], elig.astype(np.float32)))
            if e > 0 and total <= 0:
                reached.found[c] = 0.0
            if e > 0 and total > 0:
                # intensity = expected exposures per shopper today, in proportion to affinity
                tmp = self._owned_tmp.get(c, self._tmp)
                np.multiply(self.affinity[c], np.float32(e / total), out=tmp)
                if elig is not None:
                    tmp *= elig
                pop.adstock[c] *= np.float32(ch.decay)
                pop.adstock[c] += np.float32(1.0 - ch.decay) * tmp
                self._exposed += tmp
                sizes = self._group_size if elig is None else np.bincount(
                    self._group, weights=elig, minlength=self._group_size.size)
                per_shopper = self._group_affinity[c] * (e / total)
                reached.reach[c] = float(sizes @ -np.expm1(-per_shopper))
                if c in self._owned_tmp:
                    reached.intensity[c] = tmp
                self.live[c], self._quiet_days[c] = True, 0
            elif self.live[c]:
                pop.adstock[c] *= np.float32(ch.decay)
                reached.quiet[c] = True
                self._quiet_days[c] += 1
                if ch.decay ** self._quiet_days[c] < _QUIET:
                    pop.adstock[c] = 0.0
                    self.live[c] = False
        self._update_awareness(day, pop)
        return reached

    def _update_awareness(self, day: int, pop: ShopperPopulation) -> None:
        p = pop.params
        u = pop.streams.uniform(AWARENESS, day, pop.n)
        learn = one_minus_exp(np.float32(p.discovery_rate)
                              + np.float32(p.awareness_per_exposure) * self._exposed)
        forget = pop.aware & ~pop.customer & (u < p.forget_rate)
        pop.aware |= ~pop.aware & (u < learn)
        pop.aware &= ~forget
