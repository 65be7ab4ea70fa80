"""The ``growthsim`` command line.

Bad input ends with exit code 2 and one sentence on stderr naming the file, the field and
what is allowed; outputs are written only after a run succeeds, each file atomically.
A Ctrl-C ends with exit code 130 and one line saying what was written (nothing, unless
the files were already in place); worker processes leave the interrupt to the command.
The options the commands share and the steps they share (prepare, publish) are defined
once, in ``interfaces.cli._common``; each module holds the commands of one kind:
``run`` (run, compare, decompose), ``study`` (optimize), ``dashboard``, ``measure``
(incrementality, curves), ``calibrate`` (calibrate) and ``files`` (report, validate);
``_app`` puts them into one application.

This module stays light (the application is imported inside :func:`main`), so a Ctrl-C
while the libraries load is reported like any other.
"""

from __future__ import annotations

import os
import sys
from typing import Any

__all__ = ["app", "main"]

INTERRUPTED = "interrupted; nothing written"


def __getattr__(name: str) -> Any:
    """``interfaces.cli.app``, the typer application, loaded on first use."""
    if name == "app":
        from interfaces.cli._app import app

        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _draw_to_files() -> None:
    """The command writes PNG files and opens no window: unless a backend was chosen
    (MPLBACKEND, a matplotlibrc, ``%matplotlib`` in a notebook), draw with Agg, which
    needs no screen. Only this entry point chooses; the plots never do."""
    import matplotlib

    # None: no backend chosen yet, matplotlib would guess one on the first figure
    if getattr(matplotlib.rcParams, "_get_backend_or_none", lambda: None)() is None:
        matplotlib.use("Agg")


def _interrupt_line(exc: BaseException) -> str | None:
    """The line for an exit that a Ctrl-C caused (typer turns the ``KeyboardInterrupt``
    into exit code 130, raised from it), or None: not an interrupt, or one the command
    has already reported."""
    cause = exc.__context__.__cause__ if exc.__context__ is not None else None
    if not isinstance(cause, KeyboardInterrupt):
        return None
    finished = getattr(cause, "finished", None)  # optimize.StudyInterrupted
    if finished is not None:
        return (f"interrupted; the study keeps {finished} finished trials, run the same "
                "command to continue")
    folder = getattr(cause, "folder", None)  # sim._folder.InterruptedAfterWriting
    return INTERRUPTED if folder is None else f"interrupted; the files were written to {folder}/"


def main() -> None:
    """Entry point of the ``growthsim`` console script."""
    try:
        from interfaces.cli._app import app

        _draw_to_files()
        app()
    except KeyboardInterrupt:  # while loading, before typer runs the command
        _exit_interrupted(INTERRUPTED)
    except SystemExit as exc:
        line = _interrupt_line(exc) if exc.code == 130 else None
        if line:
            _exit_interrupted(line)
        raise


def _exit_interrupted(line: str) -> None:
    """Print ``line`` and end with exit code 130 now. Not by ``sys.exit``: an interrupt
    raised inside code that a library ran with ``exec`` can leave the interpreter
    believing it was never handled, and it would then end by SIGINT (-2) instead."""
    print(line, file=sys.stderr)
    if "multiprocessing" in sys.modules:  # what its exit handler would do: release the
        from multiprocessing import util  # workers' semaphores, so nothing warns of leaks

        getattr(util, "_exit_function", lambda: None)()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(130)
