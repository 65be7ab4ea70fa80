"""``growthsim report`` and ``validate``: commands on files, with no simulation."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

import scenarios
from interfaces.cli._common import console, report_folder, user_input
from sim._io import load_strategy_file, read_yaml

__all__ = ["report_cmd", "validate"]


def report_cmd(
    directory: Annotated[Path, typer.Argument(
        help="The --out folder of a run, compare, decompose or optimize.")],
    out: Annotated[Path | None, typer.Option(
        help="The HTML file to write (default: DIRECTORY/report.html).")] = None,
) -> None:
    """Write one self-contained HTML page of an output folder: tables, plots and plans."""
    report_folder(directory, out)


def validate(
    file: Annotated[Path, typer.Argument(help="A scenario or strategy YAML file.")],
    scenario: Annotated[str | None, typer.Option(
        help="For a strategy file: the scenario whose channels and categories it must "
             "name.")] = None,
) -> None:
    """Check a scenario or strategy file and say what is wrong, if anything."""
    with user_input():
        data = read_yaml(file)
        if "population" in data or "horizon" in data:
            sc = scenarios.load(file)
            console.print(f"{file}: a valid scenario '{sc.name}' ({sc.horizon.n_days} days, "
                          f"{sc.population.size:,} shoppers x {sc.population.scale:g}, "
                          f"{len(sc.channels)} channels).")
        else:
            base = scenarios.load(scenario) if scenario else None
            plan = load_strategy_file(file, base)
            against = f" for scenario '{base.name}'" if base else \
                " (channel names not checked: pass --scenario)"
            console.print(f"{file}: a valid strategy{against}, budget {plan.budget:,.0f} over "
                          f"{len(plan.shares)} channels.")
