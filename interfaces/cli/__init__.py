"""The ``growthsim`` command line.

Bad input ends with exit code 2 and one sentence on stderr naming the file, the field and
what is allowed; outputs are written only after a run succeeds, each file atomically.
The options the commands share and the steps they share (prepare, publish) are defined
once, in ``interfaces.cli._common``; each module holds the commands of one kind:
``run`` (run, compare, decompose), ``study`` (optimize), ``calibrate`` (calibrate) and
``files`` (report, validate).
"""

from __future__ import annotations

import sys

import typer

from interfaces.cli._common import err_console
from interfaces.cli.calibrate import calibrate_cmd
from interfaces.cli.dashboard import dashboard_cmd
from interfaces.cli.files import report_cmd, validate
from interfaces.cli.run import compare_cmd, decompose_cmd, run
from interfaces.cli.study import optimize_cmd

__all__ = ["app", "main"]

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  rich_markup_mode=None,
                  help="growthsim: try e-commerce growth plans on a simulated market.")
app.command()(run)
app.command(name="compare")(compare_cmd)
app.command(name="decompose")(decompose_cmd)
app.command(name="optimize")(optimize_cmd)
app.command(name="dashboard")(dashboard_cmd)
app.command(name="calibrate")(calibrate_cmd)
app.command(name="report")(report_cmd)
app.command()(validate)


def _draw_to_files() -> None:
    """The command writes PNG files and opens no window: unless a backend was chosen
    (MPLBACKEND, a matplotlibrc, ``%matplotlib`` in a notebook), draw with Agg, which
    needs no screen. Only this entry point chooses; the plots never do."""
    import matplotlib

    # None: no backend chosen yet, matplotlib would guess one on the first figure
    if getattr(matplotlib.rcParams, "_get_backend_or_none", lambda: None)() is None:
        matplotlib.use("Agg")


def main() -> None:
    """Entry point of the ``growthsim`` console script."""
    _draw_to_files()
    try:
        app()
    except KeyboardInterrupt:
        err_console.print("interrupted: nothing was written")
        sys.exit(130)
