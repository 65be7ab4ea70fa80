"""What the machine was doing while a benchmark measured (shared by the benchmark scripts)."""

from __future__ import annotations

import os
import resource


def machine_cpu() -> tuple[float, float] | None:
    """CPU-seconds the whole machine has been busy, and stolen by the hypervisor, so far.

    Read from Linux's ``/proc/stat``; None elsewhere. Busy time minus our own CPU time
    over a measurement tells how much other work competed with it for the cores (and
    for memory bandwidth and cache, which matter as much here).
    """
    try:
        with open("/proc/stat", encoding="ascii") as fh:
            fields = [int(x) for x in fh.readline().split()[1:9]]
    except (OSError, ValueError):
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    hz = os.sysconf("SC_CLK_TCK")
    return (user + nice + system + irq + softirq) / hz, steal / hz


def own_cpu(who: int) -> float:
    """CPU-seconds used so far by this process (RUSAGE_SELF) or its children."""
    ru = resource.getrusage(who)
    return ru.ru_utime + ru.ru_stime
