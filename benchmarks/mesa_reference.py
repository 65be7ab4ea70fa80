"""The per-agent Mesa reference: the shopper rule with one ``mesa.Agent`` per shopper.

``agents.population.ShopperPopulation`` steps all shoppers as numpy arrays. This script
writes the same daily rule the plain Mesa way, one ``Shopper(mesa.Agent)`` per shopper
stepped by ``model.agents.do("step")``. By default it runs the scenario's own plan with its
paid channels (see ``Shopper.step_with_marketing``: exposure through the engine's own
``ChannelAgent`` s, adstock, awareness from exposure, saturating visits, conversion;
e-mail/SMS removed); ``--no-marketing`` runs only the repeat-buying rule below (strategy
budget 0, no channel active, no promotion). It checks two things:

1. Agreement. Both models run the same scenario on several seeds over the same horizon.
   They do not share random numbers, so the check is statistical: for each KPI (GMV,
   orders, new customers, COGS, customers lost to dropout) the means over seeds must agree
   within sampling error, ``|z| < 3`` with ``z = (mean_vec - mean_ref) / sqrt(se_vec**2 +
   se_ref**2)``.
2. Speed. The wall time (construction + run) of the vectorised engine against the per-agent
   model at the same size and horizon; target: the engine is at least 50x faster.

The no-marketing rule (``ShopperPopulation.__init__``, ``_update_awareness`` and ``shop`` with
no exposure, no discount and no fatigue); the default mode adds the channels on top:

* traits per shopper: segment ~ Categorical(segment shares); purchase rate
  lambda ~ Gamma(r, scale 1/alpha); dropout probability p ~ Beta(a, b); basket mean ~
  Gamma(shape, scale mean/shape); category preferences ~ Dirichlet(concentration x segment
  weights); initial customer with probability ``initial_customer_share`` (alive), else
  aware with probability ``initial_aware_share``;
* each day, with demand multiplier D from the calendar: a non-customer who is not aware
  learns of the shop with probability ``1 - exp(-discovery_rate)``; one who is aware forgets
  with probability ``forget_rate`` (one uniform decides both, as in the engine);
* purchase hazard H = lambda x D for an alive customer, ``aware_purchase_factor`` x lambda x
  D for an aware non-customer, 0 for a prospect or a churned customer; one order that day
  with probability ``1 - exp(-H)``;
* an order's list value = basket mean x exp(sigma z - sigma^2 / 2), z ~ N(0, 1),
  sigma^2 = log(1 + cv^2); its category ~ preferences; GMV = list value (no discount),
  COGS = list value x unit_cost / price of the category;
* a first order makes the shopper an (alive, aware) customer; after a repeat order an
  alive customer drops out for good with probability p.

Each agent draws its traits and its daily numbers from its own generator, a
``random.Random`` seeded from the run's ``SeedSequence`` (scalar draws from the standard
library are several times cheaper than numpy's, so the reference is not slowed by them;
``--agent-rng numpy`` gives each agent a ``numpy.random.Generator`` instead).

Usage::

    .venv/bin/python benchmarks/mesa_reference.py                 # 20k shoppers, 90 days, 5 seeds
    .venv/bin/python benchmarks/mesa_reference.py --seeds 10 --json out/mesa_reference.json
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import resource
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path
from typing import Any

import mesa
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _machine import machine_cpu, own_cpu

import scenarios
import sim
from sim.calendar import build_calendar
from sim.schema import Scenario

TARGET_RATIO = 50.0
BUSY_CORES = 0.2  # other work above this many cores on average: flag the timing
Z_LIMIT = 3.0
KPIS = ("gmv", "orders", "new_customers", "cogs", "dropouts")
#: salt mixed into the reference's seeds so that it never reuses the engine's streams
_SALT = 0x4D455341


@dataclass(frozen=True)
class SegmentParams:
    """A segment's trait distributions, as plain floats for the agents' scalar draws."""

    index: int
    r: float  # lambda ~ Gamma(r, scale 1 / alpha)
    alpha: float
    a: float  # p ~ Beta(a, b)
    b: float
    mean: float  # basket mean ~ Gamma(shape, scale mean / shape)
    shape: float
    sigma: float  # order value: log-normal with this sigma around the basket mean
    conc: list[float]  # Dirichlet concentration per category


class Shopper(mesa.Agent):
    """One shopper, stepped once a day."""

    def __init__(self, model: ReferenceMarket, seed: int) -> None:
        super().__init__(model)
        rand: Callable[[], float]
        gauss: Callable[[float, float], float]
        gamma: Callable[[float, float], float]
        beta: Callable[[float, float], float]
        if model.agent_rng == "numpy":
            g = np.random.default_rng(seed)
            rand, gauss, gamma, beta = g.random, g.normal, g.gamma, g.beta
        else:
            r = random.Random(seed)
            rand, gauss, gamma, beta = r.random, r.gauss, r.gammavariate, r.betavariate
        self.rand, self.gauss = rand, gauss  # the agent's own generator
        seg = model.segment_params[_pick(model.segment_cum, rand())]
        self.segment = seg.index
        self.lam = gamma(seg.r, 1.0 / seg.alpha)
        self.p_drop = beta(seg.a, seg.b)
        self.basket_mean = gamma(seg.shape, seg.mean / seg.shape)
        self.sigma = seg.sigma
        draws = [gamma(c, 1.0) if c > 0 else 0.0 for c in seg.conc]
        self.pref_cum = list(accumulate(draws)) if sum(draws) > 0 else [1.0] * len(draws)
        if model.marketing:
            tier = _pick(model.tier_cum[seg.index], rand())
            self.affinity = [a[seg.index] * t[tier] for a, t in
                             zip(model.seg_aff, model.tier_aff, strict=True)]
            self.adstock = [0.0] * len(self.affinity)
        self.customer = rand() < model.initial_customer_share
        self.aware = self.customer or rand() < model.initial_aware_share
        self.alive = self.customer

    def step(self) -> None:
        if self.model.marketing:
            self.step_with_marketing()
            return
        m = self.model
        rand = self.rand
        if not self.customer:  # awareness: discovery, or forgetting
            u = rand()
            if self.aware:
                if u < m.forget_rate:
                    self.aware = False
            elif u < m.learn:
                self.aware = True
        if self.customer:
            if not self.alive:
                return
            hazard = self.lam * m.demand
        elif self.aware:
            hazard = self.lam * m.demand * m.aware_factor
        else:
            return
        if rand() >= 1.0 - math.exp(-hazard):
            return
        sigma = self.sigma
        value = self.basket_mean * math.exp(sigma * self.gauss(0.0, 1.0) - 0.5 * sigma * sigma)
        k = _pick(self.pref_cum, rand())
        m.gmv += value
        m.cogs += value * m.cost_ratio[k]
        m.orders += 1
        if self.customer:  # a repeat order by an alive customer: BG/NBD dropout
            if rand() < self.p_drop:
                self.alive = False
                m.dropouts += 1
        else:
            self.customer = self.alive = self.aware = True
            m.new_customers += 1


    def step_with_marketing(self) -> None:
        """The engine's full rule with channels: exposure, adstock, awareness, visits, orders."""
        m = self.model
        rand = self.rand
        exposed = visits = buys = 0.0
        churned = self.customer and not self.alive
        for c, coef in enumerate(m.coef):
            eligible = m.audience[c] == "all" or (
                (m.audience[c] == "prospects") == (not self.customer) and not churned)
            a = self.adstock[c] * m.decay[c]
            if coef > 0 and eligible:
                inten = coef * self.affinity[c]
                a += (1.0 - m.decay[c]) * inten
                exposed += inten
            self.adstock[c] = a
            if a > 0:
                v = m.ctr_sat[c] * (1.0 - math.exp(-a / m.sat[c]))
                visits += v
                buys += v * m.conv[c]
        u = rand()
        if not self.customer:
            if self.aware:
                if u < m.forget_rate:
                    self.aware = False
            elif u < 1.0 - math.exp(-(m.discovery + m.per_exposure * exposed)):
                self.aware = True
        if self.customer:
            base = 0.0 if churned else self.lam * m.demand
        elif self.aware:
            base = self.lam * m.demand * m.aware_factor
        else:
            base = 0.0
        hazard = base + (0.0 if churned else buys)
        visit = base / m.organic_conversion + visits
        u = rand()
        if u >= 1.0 - math.exp(-visit):
            return
        if u >= 1.0 - math.exp(-min(hazard, visit)):
            self.aware = True  # a visitor who did not buy now knows the shop
            return
        self._order()

    def _order(self) -> None:
        m = self.model
        sigma = self.sigma
        value = self.basket_mean * math.exp(sigma * self.gauss(0.0, 1.0) - 0.5 * sigma * sigma)
        k = _pick(self.pref_cum, self.rand())
        m.gmv += value
        m.cogs += value * m.cost_ratio[k]
        m.orders += 1
        if self.customer:
            if self.alive and self.rand() < self.p_drop:
                self.alive = False
                m.dropouts += 1
        else:
            self.customer = self.alive = self.aware = True
            m.new_customers += 1


def _pick(cum: list[float], u: float) -> int:
    """Index of the first cumulative weight above ``u * total`` (categorical draw)."""
    target = u * cum[-1]
    for i, c in enumerate(cum):
        if target < c:
            return i
    return len(cum) - 1


class ReferenceMarket(mesa.Model):
    """The no-marketing market with one Mesa agent per shopper.

    Args:
        scenario: a scenario without active marketing (see ``check_no_marketing``).
        seed: the replication's seed.
        agent_rng: each agent's own generator: ``"python"`` (``random.Random``) or
            ``"numpy"`` (``numpy.random.Generator``, slower scalar draws).
        activation: ``"do"`` (fixed order) or ``"shuffle_do"`` (random order each day;
            shoppers do not interact, so the order changes nothing but the cost).
    """

    def __init__(self, scenario: Scenario, seed: int, agent_rng: str = "python",
                 activation: str = "do", marketing: bool = False) -> None:
        root = np.random.SeedSequence([seed, _SALT])
        super().__init__(rng=np.random.default_rng(root))
        self.marketing = marketing
        if marketing:
            self._setup_channels(scenario)
        self.agent_rng = agent_rng
        self.activation = activation
        pop, cat = scenario.population, scenario.catalog
        self.scale = pop.scale
        self.demand_by_day = build_calendar(scenario).demand
        self.n_days = len(self.demand_by_day)
        self.day = 0
        self.demand = float(self.demand_by_day[0])
        self.learn = 1.0 - math.exp(-pop.discovery_rate)
        self.forget_rate = pop.forget_rate
        self.aware_factor = pop.aware_purchase_factor
        self.initial_customer_share = pop.initial_customer_share
        self.initial_aware_share = pop.initial_aware_share
        cats = cat.categories
        self.cost_ratio = [c.unit_cost / c.price for c in cats.values()]
        self.segment_params = []
        for i, seg in enumerate(pop.segments.values()):
            w = np.array([c.weight * (seg.categories.get(k, 0.0) if seg.categories else 1.0)
                          for k, c in cats.items()])
            self.segment_params.append(SegmentParams(
                index=i, r=seg.purchase.r, alpha=seg.purchase.alpha, a=seg.dropout.a,
                b=seg.dropout.b, mean=seg.basket.mean, shape=seg.basket.shape,
                sigma=math.sqrt(math.log1p(seg.basket.cv ** 2)),
                conc=[float(x) for x in pop.category_concentration * w / w.sum()]))
        self.segment_cum = list(accumulate(s.share for s in pop.segments.values()))
        self.gmv = self.cogs = 0.0
        self.orders = self.new_customers = self.dropouts = 0
        seeds = root.generate_state(pop.size, dtype=np.uint64)
        for s in seeds.tolist():
            Shopper(self, s)
        self.running = self.n_days > 0

    def _setup_channels(self, scenario: Scenario) -> None:
        from agents._config import CITY_TIERS
        from agents.channels import ChannelAgent
        from sim.plan import daily_budgets

        pop, chans = scenario.population, scenario.channels
        budgets = daily_budgets(scenario, scenario.strategy, build_calendar(scenario))
        self.channel_agents = [ChannelAgent(self, n, cfg, budgets[:, c])
                               for c, (n, cfg) in enumerate(chans.items())]
        segs = list(pop.segments.values())
        self.seg_aff = [[s.channel_affinity.get(n, 1.0) for s in segs] for n in chans]
        self.tier_aff = [[ch.city_tier_affinity.get(t, 1.0) for t in CITY_TIERS]
                         for ch in chans.values()]
        self.tier_cum = [list(accumulate(s.city_tiers.get(t, 0.0) for t in CITY_TIERS))
                         for s in segs]
        self.audience = [ch.audience for ch in chans.values()]
        self.decay = [ch.decay for ch in chans.values()]
        self.sat = [ch.saturation for ch in chans.values()]
        self.ctr_sat = [ch.ctr * ch.saturation for ch in chans.values()]
        self.conv_base = [ch.conversion for ch in chans.values()]
        self.discovery = pop.discovery_rate
        self.per_exposure = pop.awareness_per_exposure
        self.organic_conversion = pop.organic_conversion
        self.coef = [0.0] * len(chans)
        self.conv = list(self.conv_base)

    def _expose(self) -> None:
        """Each channel's exposures per unit of affinity over its eligible audience today."""
        shoppers = [a for a in self.agents if isinstance(a, Shopper)]
        for c, ch in enumerate(self.channel_agents):
            e = ch.buy(self.day) / self.scale
            aud = self.audience[c]
            total = sum(s.affinity[c] for s in shoppers if aud == "all" or (
                (aud == "prospects") == (not s.customer) and (s.alive or not s.customer)))
            self.coef[c] = e / total if e > 0 and total > 0 else 0.0
            self.conv[c] = min(1.0, self.conv_base[c] * self.demand)

    def step(self) -> None:
        """One day: every shopper learns/forgets, then maybe buys."""
        self.demand = float(self.demand_by_day[self.day])
        if self.marketing:
            self._expose()
        shoppers = self.agents_by_type[Shopper]
        if self.activation == "shuffle_do":
            shoppers.shuffle_do("step")
        else:
            shoppers.do("step")
        self.day += 1
        self.running = self.day < self.n_days

    def run(self) -> ReferenceMarket:
        while self.running:
            self.step()
        return self

    def totals(self) -> dict[str, float]:
        """Horizon totals at real scale (x ``population.scale``), like the engine's ledger."""
        s = self.scale
        return {"gmv": self.gmv * s, "orders": self.orders * s,
                "new_customers": self.new_customers * s, "cogs": self.cogs * s,
                "dropouts": self.dropouts * s}


def no_marketing_scenario(name: str, size: int, days: int) -> Scenario:
    """The scenario with strategy budget 0 and no channel shares, checked to be quiet."""
    sc = scenarios.load(name).with_overrides({
        "population.size": size, "horizon.days": days,
        "strategy.budget": 0, "strategy.shares": {}, "strategy.promotions": []})
    check_no_marketing(sc)
    return sc


def marketing_scenario(name: str, size: int, days: int) -> Scenario:
    """The scenario's own plan without its message channels (the reference does not model
    fatigue and unsubscribes), the budget kept and the other shares rescaled."""
    sc = scenarios.load(name).with_overrides({"population.size": size, "horizon.days": days,
                                              "strategy.promotions": []})
    owned = {n for n, ch in sc.channels.items() if ch.pricing == "per_message"}
    shares = {n: v for n, v in sc.strategy.shares.items() if n not in owned}
    total = sum(shares.values())
    return sc.with_overrides({"strategy.shares": {n: v / total for n, v in shares.items()}})


def check_no_marketing(sc: Scenario) -> None:
    """Raise unless the scenario's strategy buys no exposure and offers no discount."""
    st = sc.strategy
    if st.budget != 0 or any(v > 0 for v in st.shares.values()) or st.promotions:
        raise ValueError("the reference covers only the no-marketing case: "
                         f"budget={st.budget}, shares={st.shares}, "
                         f"promotions={len(st.promotions)}")


def engine_totals(sc: Scenario, seed: int) -> tuple[dict[str, float], float, float]:
    """Run the vectorised engine once; return its totals, build and run seconds."""
    t0 = time.perf_counter()
    model = sim.MarketModel(sc, seed=seed)
    t_build = time.perf_counter() - t0
    t0 = time.perf_counter()
    model.run()
    t_run = time.perf_counter() - t0
    d = model.ledger.daily
    # customers lost to dropout: the ledger counts churned shoppers at the end of each day
    totals = {"gmv": float(d["gmv"].sum()), "orders": float(d["orders"].sum()),
              "new_customers": float(d["new_customers"].sum()), "cogs": float(d["cogs"].sum()),
              "dropouts": float(d["churned"][-1])}
    return totals, t_build, t_run


def reference_totals(sc: Scenario, seed: int, agent_rng: str = "python",
                     activation: str = "do", marketing: bool = False
                     ) -> tuple[dict[str, float], float, float]:
    """Run the per-agent model once; return its totals, build and run seconds."""
    t0 = time.perf_counter()
    model = ReferenceMarket(sc, seed, agent_rng, activation, marketing)
    t_build = time.perf_counter() - t0
    t0 = time.perf_counter()
    model.run()
    t_run = time.perf_counter() - t0
    return model.totals(), t_build, t_run


def compare(vec: list[dict[str, float]], ref: list[dict[str, float]]) -> dict[str, Any]:
    """Per KPI: both means, their standard errors and the z-score of the difference."""
    out = {}
    for k in KPIS:
        a = np.array([r[k] for r in vec])
        b = np.array([r[k] for r in ref])
        se_a = a.std(ddof=1) / math.sqrt(a.size) if a.size > 1 else math.nan
        se_b = b.std(ddof=1) / math.sqrt(b.size) if b.size > 1 else math.nan
        se = math.sqrt(se_a**2 + se_b**2)
        diff = float(a.mean() - b.mean())
        z = diff / se if se > 0 else (0.0 if diff == 0 else math.inf)
        out[k] = {"vectorised_mean": float(a.mean()), "reference_mean": float(b.mean()),
                  "vectorised_se": se_a, "reference_se": se_b, "difference": diff,
                  "relative_difference": diff / float(b.mean()) if b.mean() else math.nan,
                  "difference_se": se,
                  "z": z, "pass": bool(abs(z) < Z_LIMIT)}
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scenario", default="baseline", help="scenario name or path")
    ap.add_argument("--size", type=int, default=20_000, help="shoppers (default: 20000)")
    ap.add_argument("--days", type=int, default=90, help="simulated days (default: 90)")
    ap.add_argument("--seeds", type=int, default=5, help="replications per model (default: 5)")
    ap.add_argument("--agent-rng", choices=("python", "numpy"), default="python",
                    help="each agent's generator: random.Random (default) or numpy Generator")
    ap.add_argument("--activation", choices=("do", "shuffle_do"), default="do",
                    help="how the per-agent model steps its agents (default: do)")
    ap.add_argument("--no-marketing", dest="marketing", action="store_false",
                    help="only the repeat-buying rule, no channel active (default: the full "
                         "daily rule with the scenario's paid channels)")
    ap.add_argument("--json", type=Path, default=None, help="also write the figures here")
    ap.add_argument("--strict", action="store_true",
                    help="exit with status 1 when a check fails (default: report only)")
    args = ap.parse_args(argv)

    sc = (marketing_scenario if args.marketing else no_marketing_scenario)(
        args.scenario, args.size, args.days)
    mode = "with paid channels" if args.marketing else "no-marketing"
    cpu0, own0, t0 = machine_cpu(), own_cpu(resource.RUSAGE_SELF), time.perf_counter()
    vec, ref, vec_t, ref_t = [], [], [], []
    for seed in range(args.seeds):
        print(f"seed {seed}: vectorised ...", end=" ", file=sys.stderr, flush=True)
        totals, b, r = engine_totals(sc, seed)
        vec.append(totals)
        vec_t.append((b, r))
        print(f"{b + r:.2f} s; per-agent ...", end=" ", file=sys.stderr, flush=True)
        totals, b, r = reference_totals(sc, seed, args.agent_rng, args.activation,
                                        args.marketing)
        ref.append(totals)
        ref_t.append((b, r))
        print(f"{b + r:.1f} s", file=sys.stderr, flush=True)

    cpu1, own1, elapsed = machine_cpu(), own_cpu(resource.RUSAGE_SELF), \
        time.perf_counter() - t0
    others = steal = math.nan
    if cpu0 is not None and cpu1 is not None:
        others = max(0.0, cpu1[0] - cpu0[0] - (own1 - own0)) / elapsed
        steal = (cpu1[1] - cpu0[1]) / elapsed
    stats = compare(vec, ref)
    vb, vr = (float(np.median(x)) for x in zip(*vec_t, strict=True))
    rb, rr = (float(np.median(x)) for x in zip(*ref_t, strict=True))
    ratio_wall = (rb + rr) / (vb + vr)
    ratio_run = rr / vr
    shopper_days = args.size * args.days

    print(f"{mode} {args.scenario}: {args.size:,} shoppers x {args.days} days, "
          f"{args.seeds} seeds each (real-scale totals, mean over seeds); per-agent model: "
          f"{args.agent_rng} generator per agent, agents.{args.activation}")
    head = (f"{'KPI':<14} {'vectorised':>16} {'per-agent Mesa':>16} {'diff %':>8} "
            f"{'3 SE %':>7} {'z':>7}")
    print(head)
    print("-" * len(head))
    for k, s in stats.items():
        print(f"{k:<14} {s['vectorised_mean']:>16,.0f} {s['reference_mean']:>16,.0f} "
              f"{100 * s['relative_difference']:>7.2f}% "
              f"{300 * s['difference_se'] / abs(s['reference_mean']):>6.2f}% {s['z']:>7.2f}"
              f"  {'ok' if s['pass'] else 'MISMATCH'}")
    agree = all(s["pass"] for s in stats.values())
    print(f"\nagreement (|z| < {Z_LIMIT:g} for every KPI; GMV z = {stats['gmv']['z']:.2f}): "
          f"{'PASS' if agree else 'FAIL'}")
    print(f"\ntiming, median over seeds   {'build s':>8} {'run s':>8} {'wall s':>8} "
          f"{'shopper-days/s':>15}")
    print(f"  vectorised engine         {vb:>8.3f} {vr:>8.3f} {vb + vr:>8.3f} "
          f"{shopper_days / vr:>15,.0f}")
    print(f"  per-agent Mesa            {rb:>8.3f} {rr:>8.3f} {rb + rr:>8.3f} "
          f"{shopper_days / rr:>15,.0f}")
    fast = ratio_wall >= TARGET_RATIO
    print(f"speed ratio (wall, construction + run): {ratio_wall:.0f}x "
          f"(run only: {ratio_run:.0f}x); target >= {TARGET_RATIO:.0f}x: "
          f"{'PASS' if fast else 'FAIL'}")
    if not math.isnan(others):
        print(f"other processes used {others:.2f} cores on average while measuring, "
              f"hypervisor steal {steal:.2f} cores"
              + ("  <- busy machine: timings may be inflated"
                 if others > BUSY_CORES or steal > BUSY_CORES else ""))

    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        payload = {
            "benchmark": "mesa_reference", "scenario": args.scenario, "size": args.size,
            "days": args.days, "seeds": args.seeds, "python": platform.python_version(),
            "mesa": mesa.__version__, "cpus": os.cpu_count(),
            "agent_rng": args.agent_rng, "activation": args.activation,
            "marketing": args.marketing,
            "other_cores": others, "steal_cores": steal,
            "vectorised": [{**t, "build_s": b, "run_s": r}
                           for t, (b, r) in zip(vec, vec_t, strict=True)],
            "reference": [{**t, "build_s": b, "run_s": r}
                          for t, (b, r) in zip(ref, ref_t, strict=True)],
            "agreement": stats, "agreement_pass": agree,
            "speed": {"vectorised_build_s": vb, "vectorised_run_s": vr,
                      "reference_build_s": rb, "reference_run_s": rr,
                      "ratio_wall": ratio_wall, "ratio_run": ratio_run,
                      "target_ratio": TARGET_RATIO, "pass": fast},
        }
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return 0 if (agree and fast) or not args.strict else 1


if __name__ == "__main__":
    sys.exit(main())
