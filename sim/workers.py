"""Worker processes that a Ctrl-C stops quietly.

A Ctrl-C at a terminal sends SIGINT to every process of the command, workers included:
each would print its own traceback, interleaved. Here the workers are started with SIGINT
ignored (a disposition a child inherits, and Python keeps ignoring), so only the parent
sees the interrupt; it then stops the workers itself and re-raises ``KeyboardInterrupt``
for the command to report in one line.

Workers are spawned, not forked: they inherit no state from the parent, so a replication
gives the same numbers in a worker as in the parent. A worker whose parent is killed
(SIGKILL, out of memory) ends within a fraction of a second (:func:`die_with_parent`)
instead of waiting forever for work that will not come.
"""

from __future__ import annotations

import ctypes
import multiprocessing as mp
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from typing import Any, TypeVar

__all__ = ["die_with_parent", "map_unordered", "quiet_sigint", "spawn_context"]

T = TypeVar("T")

_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def spawn_context() -> Any:
    """The multiprocessing context every worker of growthsim is started from."""
    return mp.get_context("spawn")


@contextmanager
def quiet_sigint() -> Iterator[None]:
    """Start processes inside this block and they ignore SIGINT (from the main thread;
    elsewhere signals cannot be changed and the block does nothing)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    before = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, before)


def die_with_parent(parent: int, poll_seconds: float = 0.2) -> None:
    """Call first thing in a worker process, with the pid of the process that started
    it: the worker ends as soon as that parent is gone (also if it already is). On Linux
    the kernel sends it SIGKILL (``prctl(PR_SET_PDEATHSIG)``, which needs no Python
    thread to run: a worker blocked in a write still ends); elsewhere a thread watches
    for the worker being adopted by another process."""
    linux = sys.platform.startswith("linux")
    if linux:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # gone before the call
        os._exit(1)
    if linux:
        return

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(poll_seconds)
        os._exit(1)

    threading.Thread(target=watch, name="die-with-parent", daemon=True).start()


def map_unordered(func: Callable[..., T], tasks: list[tuple[Any, ...]], jobs: int
                  ) -> Iterator[tuple[int, T]]:
    """``func(*task)`` for each task in ``jobs`` worker processes, yielding ``(index,
    result)`` as each finishes. On Ctrl-C (or any error) the workers still running are
    terminated before the exception goes on."""
    pool = ProcessPoolExecutor(max_workers=min(jobs, len(tasks)), mp_context=spawn_context(),
                               initializer=die_with_parent, initargs=(os.getpid(),))
    try:
        with quiet_sigint():  # the executor starts its workers on the first submit
            futures: dict[Future[T], int] = {pool.submit(func, *task): i
                                              for i, task in enumerate(tasks)}
        for fut in as_completed(futures):
            yield futures[fut], fut.result()
    except BaseException:
        _terminate(pool)
        raise
    pool.shutdown()


def _terminate(pool: ProcessPoolExecutor) -> None:
    """Stop the pool now: no queued task starts, running workers are killed."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for p in processes:
        p.terminate()
    for p in processes:
        p.join(timeout=5)
