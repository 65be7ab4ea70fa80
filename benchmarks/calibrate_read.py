"""Reading an order log: rows per second and peak memory of ``calibrate.read_orders``.

A synthetic order log is written as CSV into a temporary directory (one row per order
line: order id, customer id, payment time with seconds, amount, category; about 5 rows
per customer over two years) and read by ``read_orders(path, "user_id", "paid_at",
"amount")`` in a fresh Python process, so that its peak RSS (``ru_maxrss`` of the child,
read with ``os.wait4``) is its own. The file is deleted afterwards.

* default: 1,000,000 rows from 200,000 customers (about 45 MB). Target: a few seconds.
* ``--big``: also a CSV of 2 GB (about 40 million rows, 9 million customers), written
  block by block so that it is never held in memory. Target: read without running out
  of memory, peak RSS well below the 24 GiB of the machine.

Measured (2 cores with other work running, load about 5): 1M rows in 1.7-2.2 s
(450,000-570,000 rows/s), peak RSS 0.43 GiB; 2 GB (40.5M rows, 8.8M customers, 40.4M
customer-days) in 156 s (259,000 rows/s), peak RSS 4.70 GiB for a 0.90 GiB result.

Usage::

    .venv/bin/python benchmarks/calibrate_read.py                 # ~10 s
    .venv/bin/python benchmarks/calibrate_read.py --big           # a few minutes, 2 GB disk
    .venv/bin/python benchmarks/calibrate_read.py --json out/read.json
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
GIB = 1024**3
BLOCK = 500_000  # rows generated and written at a time
ROWS_PER_CUSTOMER = 5
BIG_BYTES = 2 * 10**9
CATEGORIES = np.array(["books", "toys", "home", "beauty", "food", "sports"])


def _maxrss_bytes(ru_maxrss: int) -> int:
    """``ru_maxrss`` is in KiB on Linux and in bytes on macOS."""
    return ru_maxrss if sys.platform == "darwin" else ru_maxrss * 1024


def _block(rng: np.random.Generator, start: int, rows: int, customers: int) -> pd.DataFrame:
    seconds = rng.integers(0, 730 * 86400, rows)
    return pd.DataFrame({
        "order_id": np.arange(start, start + rows),
        "user_id": pd.Series(rng.integers(0, customers, rows)).map("u{:07d}".format),
        "paid_at": (pd.Timestamp("2024-01-01") + pd.to_timedelta(seconds, unit="s"))
        .strftime("%Y-%m-%d %H:%M:%S"),
        "amount": rng.gamma(2.0, 20.0, rows).round(2),
        "category": CATEGORIES[rng.integers(0, len(CATEGORIES), rows)],
    })


def write_log(path: Path, *, rows: int | None = None, size_bytes: int | None = None,
              customers: int, seed: int = 0) -> int:
    """Write a synthetic order log block by block, up to ``rows`` rows or ``size_bytes``
    bytes; return the rows written."""
    rng = np.random.default_rng(seed)
    written = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        while (rows is None or written < rows) and (
                size_bytes is None or fh.tell() < size_bytes):
            n = BLOCK if rows is None else min(BLOCK, rows - written)
            _block(rng, written, n, customers).to_csv(fh, index=False, header=written == 0)
            written += n
    return written


def _child(path: str) -> dict[str, Any]:
    """Read the log in this (fresh) process; return the figures."""
    sys.path.insert(0, str(ROOT))
    import calibrate

    rss_import = _maxrss_bytes(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    t0 = time.perf_counter()
    log = calibrate.read_orders(path, "user_id", "paid_at", "amount")
    seconds = time.perf_counter() - t0
    return {"read_s": seconds, "customer_days": len(log.days),
            "customers": log.n_customers, "rss_after_import_bytes": rss_import,
            "days_frame_bytes": int(log.days.memory_usage(deep=True).sum())}


def measure(path: Path, rows: int) -> dict[str, Any]:
    """Read ``path`` in a fresh interpreter; add its peak RSS as the parent sees it."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", str(path)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert proc.stdout is not None
    out = proc.stdout.read()
    proc.stdout.close()
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"reading {path} failed (exit {os.waitstatus_to_exitcode(status)})")
    fig = json.loads(out.strip().splitlines()[-1])
    fig |= {"rows": rows, "file_bytes": path.stat().st_size,
            "rows_per_s": rows / fig["read_s"],
            "peak_rss_bytes": _maxrss_bytes(usage.ru_maxrss)}
    return fig


def report(results: list[dict[str, Any]]) -> str:
    head = (f"{'rows':>12} {'file':>9} {'customers':>10} {'cust-days':>11} {'read s':>7} "
            f"{'rows/s':>11} {'peak RSS':>9} {'days frame':>10}")
    lines = [head, "-" * len(head)]
    for r in results:
        lines.append(f"{r['rows']:>12,} {r['file_bytes'] / 1e6:>7.0f}MB {r['customers']:>10,} "
                     f"{r['customer_days']:>11,} {r['read_s']:>7.1f} {r['rows_per_s']:>11,.0f} "
                     f"{r['peak_rss_bytes'] / GIB:>7.2f}Gi "
                     f"{r['days_frame_bytes'] / GIB:>8.2f}Gi")
    lines.append(f"(imports take {results[0]['rss_after_import_bytes'] / GIB:.2f} GiB RSS; "
                 f"the days frame is the result, one row per customer-day)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--big", action="store_true", help="also read a 2 GB CSV")
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the small log")
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(_child(args.child)))
        return 0
    results = []
    with tempfile.TemporaryDirectory(prefix="growthsim-read-") as tmp:
        small = Path(tmp) / "orders.csv"
        rows = write_log(small, rows=args.rows, customers=args.rows // ROWS_PER_CUSTOMER)
        results.append(measure(small, rows))
        small.unlink()
        if args.big:
            big = Path(tmp) / "orders_2gb.csv"
            t0 = time.perf_counter()
            rows = write_log(big, size_bytes=BIG_BYTES,
                             customers=int(BIG_BYTES / 45 / ROWS_PER_CUSTOMER))
            print(f"wrote {big.stat().st_size / 1e9:.2f} GB ({rows:,} rows) in "
                  f"{time.perf_counter() - t0:.0f} s", flush=True)
            results.append(measure(big, rows))
    print(report(results))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
