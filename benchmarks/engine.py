"""Engine speed and memory: one replication of a scenario at several population sizes.

For each size N this builds ``scenarios.load(SCENARIO).with_overrides({"population.size": N})``
(and ``horizon.days`` when ``--days`` differs from the scenario's horizon) and runs ONE
replication, ``sim.MarketModel(sc, seed=0).run()``, in a fresh Python process, so that every
size starts from a clean heap and its peak memory is its own. It reports:

* build seconds (``MarketModel(...)`` construction) and run seconds (``.run()``), separately;
* shopper-days per second = N x days / run seconds;
* peak RSS of the child process (``ru_maxrss`` from ``os.wait4``, the per-child form of
  ``getrusage(RUSAGE_CHILDREN)``), which counts numpy's allocations, unlike tracemalloc;
  also the RSS after imports and after construction, to tell the model's own share.

Targets: 1M shoppers x 365 days in at most 60 s wall (construction + run) and at most
3 GiB peak memory. When 1M was measured over fewer days the wall target is judged on a
linear extrapolation to 365 days and marked as such.

Usage::

    .venv/bin/python benchmarks/engine.py                      # 100k and 1M, 365 days
    .venv/bin/python benchmarks/engine.py --sizes 1000000 --days 60 --json out/engine.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from _machine import machine_cpu, own_cpu

ROOT = Path(__file__).resolve().parent.parent
TARGET_SIZE = 1_000_000
TARGET_DAYS = 365
TARGET_WALL_S = 60.0
TARGET_PEAK_BYTES = 3 * 1024**3
GIB = 1024**3
BUSY_CORES = 0.2  # other work above this many cores on average: flag the timing


def _maxrss_bytes(ru_maxrss: int) -> int:
    """``ru_maxrss`` is in KiB on Linux and in bytes on macOS."""
    return ru_maxrss if sys.platform == "darwin" else ru_maxrss * 1024


def _child(size: int, days: int | None, scenario: str, seed: int) -> dict[str, Any]:
    """Measure one size in this (fresh) process; return the figures."""
    t0 = time.perf_counter()
    sys.path.insert(0, str(ROOT))
    import scenarios
    import sim

    t_import = time.perf_counter() - t0
    rss_import = _maxrss_bytes(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    t0 = time.perf_counter()
    base = scenarios.load(scenario)
    overrides: dict[str, Any] = {"population.size": size}
    if days is not None and days != base.horizon.n_days:
        overrides["horizon.days"] = days
    sc = base.with_overrides(overrides)
    t_load = time.perf_counter() - t0

    t0 = time.perf_counter()
    model = sim.MarketModel(sc, seed=seed)
    t_build = time.perf_counter() - t0
    rss_build = _maxrss_bytes(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    t0 = time.perf_counter()
    model.run()
    t_run = time.perf_counter() - t0
    rss_peak = _maxrss_bytes(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    n_days = model.calendar.n_days
    return {
        "size": size,
        "days": n_days,
        "scenario": scenario,
        "seed": seed,
        "import_s": t_import,
        "load_s": t_load,
        "build_s": t_build,
        "run_s": t_run,
        "wall_s": t_build + t_run,
        "shopper_days_per_s": size * n_days / t_run,
        "ms_per_day": 1e3 * t_run / n_days,
        "rss_after_import_bytes": rss_import,
        "rss_after_build_bytes": rss_build,
        "rss_self_peak_bytes": rss_peak,
        "gmv_total": float(model.ledger.daily["gmv"].sum()),
        "orders_total": float(model.ledger.daily["orders"].sum()),
    }


def measure(size: int, days: int | None, scenario: str, seed: int,
            timeout: float | None) -> dict[str, Any]:
    """Run ``_child`` in a fresh interpreter and add its peak RSS as seen by the parent."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", str(size),
           "--scenario", scenario, "--seed", str(seed)]
    if days is not None:
        cmd += ["--days", str(days)]
    cpu0, own0 = machine_cpu(), own_cpu(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert proc.stdout is not None
    timer = threading.Timer(timeout, proc.kill) if timeout else None
    if timer is not None:
        timer.start()
    try:
        out = proc.stdout.read()
    finally:
        proc.stdout.close()
    # wait4 reaps this child and returns its own rusage (RUSAGE_CHILDREN would give the
    # maximum over every child reaped so far, i.e. that of the largest size measured yet)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.perf_counter() - t0
    cpu1, own1 = machine_cpu(), own_cpu(resource.RUSAGE_SELF)
    if timer is not None:
        timer.cancel()
    if proc.returncode != 0:
        why = f"killed after {timeout} s" if timeout and elapsed >= timeout else \
            f"exited with code {proc.returncode}"
        raise RuntimeError(f"size {size}: the child process {why}")
    fig = json.loads(out.strip().splitlines()[-1])
    fig["peak_rss_bytes"] = _maxrss_bytes(usage.ru_maxrss)
    fig["process_wall_s"] = elapsed
    fig["process_cpu_s"] = usage.ru_utime + usage.ru_stime
    if cpu0 is not None and cpu1 is not None:
        busy = cpu1[0] - cpu0[0]
        fig["other_cpu_s"] = max(0.0, busy - fig["process_cpu_s"] - (own1 - own0))
        fig["steal_s"] = cpu1[1] - cpu0[1]
    return fig


def targets(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Judge the 1M x 365 targets from the measured figures (extrapolating days if needed)."""
    at = [r for r in results if r["size"] == TARGET_SIZE]
    if not at:
        return {"measured": False}
    r = at[-1]
    extrapolated = r["days"] != TARGET_DAYS
    wall = r["build_s"] + r["run_s"] * TARGET_DAYS / r["days"]
    return {
        "measured": True,
        "days_measured": r["days"],
        "wall_extrapolated": extrapolated,
        "wall_s": wall,
        "wall_target_s": TARGET_WALL_S,
        "wall_pass": wall <= TARGET_WALL_S,
        "peak_rss_bytes": r["peak_rss_bytes"],
        "peak_target_bytes": TARGET_PEAK_BYTES,
        "peak_pass": r["peak_rss_bytes"] <= TARGET_PEAK_BYTES,
    }


def report(results: list[dict[str, Any]], verdict: dict[str, Any]) -> str:
    head = (f"{'shoppers':>10} {'days':>5} {'build s':>8} {'run s':>8} {'wall s':>8} "
            f"{'ms/day':>8} {'shopper-days/s':>15} {'RSS build':>10} {'peak RSS':>10} "
            f"{'CPU/wall':>8}")
    lines = [head, "-" * len(head)]
    for r in results:
        lines.append(
            f"{r['size']:>10,} {r['days']:>5} {r['build_s']:>8.2f} {r['run_s']:>8.2f} "
            f"{r['wall_s']:>8.2f} {r['ms_per_day']:>8.1f} {r['shopper_days_per_s']:>15,.0f} "
            f"{r['rss_after_build_bytes'] / GIB:>8.2f}Gi {r['peak_rss_bytes'] / GIB:>8.2f}Gi "
            f"{r['process_cpu_s'] / r['process_wall_s']:>8.2f}")
    lines.append(f"(imports take {results[0]['rss_after_import_bytes'] / GIB:.2f} GiB RSS and "
                 f"{results[0]['import_s']:.1f} s per process; wall = construction + run; "
                 "CPU/wall above 1: the child used more than one core)")
    for r in results:
        if "other_cpu_s" not in r:
            continue
        others = r["other_cpu_s"] / r["process_wall_s"]
        steal = r["steal_s"] / r["process_wall_s"]
        lines.append(f"{r['size']:>10,}: other processes used {others:.2f} cores on average "
                     f"while measuring, hypervisor steal {steal:.2f} cores"
                     + ("  <- busy machine: timings may be inflated"
                        if others > BUSY_CORES or steal > BUSY_CORES else ""))
    lines.append("")
    if not verdict["measured"]:
        lines.append(f"targets: not judged ({TARGET_SIZE:,} shoppers not in --sizes)")
        return "\n".join(lines)
    how = (f"extrapolated from {verdict['days_measured']} days" if verdict["wall_extrapolated"]
           else "measured")
    lines.append(f"target 1M x {TARGET_DAYS} days wall <= {TARGET_WALL_S:.0f} s: "
                 f"{verdict['wall_s']:.1f} s ({how})  "
                 f"{'PASS' if verdict['wall_pass'] else 'FAIL'}")
    lines.append(f"target peak memory <= {TARGET_PEAK_BYTES / GIB:.0f} GiB: "
                 f"{verdict['peak_rss_bytes'] / GIB:.2f} GiB  "
                 f"{'PASS' if verdict['peak_pass'] else 'FAIL'}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000],
                    help="population sizes to measure (default: 100000 1000000)")
    ap.add_argument("--days", type=int, default=TARGET_DAYS,
                    help=f"simulated days (default: {TARGET_DAYS})")
    ap.add_argument("--scenario", default="baseline", help="scenario name or path")
    ap.add_argument("--seed", type=int, default=0, help="replication seed (default: 0)")
    ap.add_argument("--timeout", type=float, default=None,
                    help="give up on a size after this many seconds")
    ap.add_argument("--json", type=Path, default=None, help="also write the figures here")
    ap.add_argument("--strict", action="store_true",
                    help="exit with status 1 when a target fails (default: report only)")
    ap.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.child is not None:
        print(json.dumps(_child(args.child, args.days, args.scenario, args.seed)), flush=True)
        return 0

    results = []
    for size in args.sizes:
        print(f"measuring {size:,} shoppers x {args.days} days ...", file=sys.stderr, flush=True)
        try:
            results.append(measure(size, args.days, args.scenario, args.seed, args.timeout))
        except RuntimeError as err:
            print(f"engine.py: {err}", file=sys.stderr)
            return 2
    verdict = targets(results)
    print(report(results, verdict))
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        payload = {"benchmark": "engine", "python": platform.python_version(),
                   "machine": platform.machine(), "cpus": os.cpu_count(),
                   "results": results, "targets": verdict}
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    ok = not verdict["measured"] or (verdict["wall_pass"] and verdict["peak_pass"])
    return 0 if ok or not args.strict else 1


if __name__ == "__main__":
    sys.exit(main())
