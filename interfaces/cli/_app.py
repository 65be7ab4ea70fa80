"""The ``growthsim`` typer application: one command per function of the command modules."""

from __future__ import annotations

import typer

from interfaces.cli.calibrate import calibrate_cmd
from interfaces.cli.dashboard import dashboard_cmd
from interfaces.cli.files import report_cmd, validate
from interfaces.cli.measure import curves_cmd, incrementality_cmd
from interfaces.cli.run import compare_cmd, decompose_cmd, run
from interfaces.cli.study import optimize_cmd

__all__ = ["app"]

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  rich_markup_mode=None,
                  help="growthsim: try e-commerce growth plans on a simulated market.")
app.command()(run)
app.command(name="compare")(compare_cmd)
app.command(name="decompose")(decompose_cmd)
app.command(name="optimize")(optimize_cmd)
app.command(name="dashboard")(dashboard_cmd)
app.command(name="incrementality")(incrementality_cmd)
app.command(name="curves")(curves_cmd)
app.command(name="calibrate")(calibrate_cmd)
app.command(name="report")(report_cmd)
app.command()(validate)
