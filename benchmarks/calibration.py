"""Calibration speed and memory: ``calibrate.from_orders`` on a log of 1M orders.

The log is synthetic, drawn here from BG/NBD and Gamma-Gamma with known parameters
(numpy, seeded): ``--customers`` customers (default 200,000) whose first orders fall
uniformly over two years, each buying as a Poisson process at her own rate until she
drops out, with Gamma order values; rates are set so the log holds about ``--orders``
orders (default 1,000,000). It is written as CSV into a temporary folder, then one fresh
Python process times ``from_orders`` on the file (reading, the fits, the calendar, the
customer table and the scenario; the calibration date is the log's last day, so there is
no back-test) and reports its peak RSS. With ``--backtest-days N`` the calibration date
is N days before the end and the back-test (4 seeds) is timed too.

Target: 1M orders from 200k customers in at most 30 s wall on this 2-core machine.

Usage::

    .venv/bin/python benchmarks/calibration.py
    .venv/bin/python benchmarks/calibration.py --customers 20000 --orders 100000
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
TARGET_S = 30.0
GIB = 1024**3
START = pd.Timestamp("2024-10-01")
DAYS = 730
TRUE = {"r": 0.8, "alpha": 60.0, "a": 0.9, "b": 5.0, "p": 5.0, "q": 4.0, "gamma": 400.0}


def _draw(customers: int, rate_scale: float, seed: int) -> pd.DataFrame:
    """Customers' orders over the two years, their rates scaled by ``rate_scale``."""
    g = np.random.default_rng(seed)
    first = g.integers(0, DAYS, customers)
    lam = g.gamma(TRUE["r"], rate_scale / TRUE["alpha"], customers)
    p = g.beta(TRUE["a"], TRUE["b"], customers)
    nu = g.gamma(TRUE["q"], 1.0 / TRUE["gamma"], customers)
    ids, days = [np.arange(customers)], [first.astype(float)]
    alive = np.ones(customers, dtype=bool)
    t = first.astype(float)
    while alive.any():
        idx = np.flatnonzero(alive)
        t[idx] += g.exponential(1.0 / np.maximum(lam[idx], 1e-9))
        idx = idx[t[idx] < DAYS]
        ids.append(idx)
        days.append(t[idx])
        alive[:] = False
        alive[idx[g.random(idx.size) >= p[idx]]] = True
    who, when = np.concatenate(ids), np.concatenate(days)
    value = g.gamma(TRUE["p"], 1.0 / nu[who])
    return pd.DataFrame({"user_id": "u" + pd.Series(who).astype(str),
                         "paid_at": pd.Series(START + pd.to_timedelta(np.floor(when), unit="D"))
                         .dt.strftime("%Y-%m-%d"),
                         "amount": np.round(value, 2)})


def synthetic_log(customers: int, orders: int, seed: int = 7) -> pd.DataFrame:
    """A BG/NBD and Gamma-Gamma shop with about ``orders`` orders: the rates are scaled
    until the draw holds within 2% of that many."""
    scale, log = 1.0, _draw(customers, 1.0, seed)
    for _ in range(6):
        if abs(len(log) / orders - 1) < 0.02:
            break
        scale *= (orders - customers) / max(len(log) - customers, 1)
        log = _draw(customers, scale, seed)
    return log


def _child(path: str, until: str, backtest: bool) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    import calibrate

    t0 = time.perf_counter()
    cal = calibrate.from_orders(path, "user_id", "paid_at", "amount", until, seeds=4,
                                backtest=backtest)
    wall = time.perf_counter() - t0
    fit = cal.segments["all"]
    return {"wall_s": wall,
            "peak_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
            "customers": len(cal.customers),
            "bgnbd": fit.bgnbd.params, "gamma_gamma": fit.spend.params,
            "backtest": None if cal.backtest is None
            else cal.backtest.totals.to_dict("records")}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, default=200_000)
    ap.add_argument("--orders", type=int, default=1_000_000)
    ap.add_argument("--backtest-days", type=int, default=0)
    ap.add_argument("--json", type=Path)
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(_child(args.child[0], args.child[1], args.child[2] == "1")))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        log = synthetic_log(args.customers, args.orders)
        path = Path(tmp) / "orders.csv"
        log.to_csv(path, index=False)
        made = time.perf_counter() - t0
        last = pd.Timestamp(log["paid_at"].max()).normalize()
        until = (last - pd.Timedelta(days=args.backtest_days)).date().isoformat()
        print(f"log: {len(log):,} orders, {log['user_id'].nunique():,} customers, "
              f"{path.stat().st_size / 1e6:.0f} MB CSV (drawn and written in {made:.1f} s); "
              f"calibration date {until}")
        out = subprocess.run([sys.executable, __file__, "--child", str(path), until,
                              "1" if args.backtest_days else "0"], capture_output=True,
                             text=True, check=True, env=os.environ | {"PYTHONHASHSEED": "0"})
    res = json.loads(out.stdout.strip().splitlines()[-1])
    ok = res["wall_s"] <= TARGET_S
    print(f"from_orders: {res['wall_s']:.1f} s wall, peak RSS {res['peak_rss'] / GIB:.2f} GiB, "
          f"{res['customers']:,} customers")
    print("BG/NBD (days):", {k: round(v, 4) for k, v in res["bgnbd"].items()})
    print("Gamma-Gamma:", {k: round(v, 3) for k, v in res["gamma_gamma"].items()})
    if res["backtest"]:
        for row in res["backtest"]:
            print(f"back-test {row['measure']}: actual {row['actual']:,.0f}, simulated "
                  f"{row['simulated']:,.0f} ({row['simulated_error']:+.1%})")
    target = f"{args.orders:,} orders from {args.customers:,} customers"
    print(f"{'PASS' if ok else 'FAIL'}: {target} in {res['wall_s']:.1f} s "
          f"(target {TARGET_S:.0f} s)")
    if args.json:
        args.json.write_text(json.dumps(res, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
