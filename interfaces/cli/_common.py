"""What the commands share: the consoles, the options, preparing the market and
publishing the files.

Every simulating command (``run``, ``compare``, ``decompose``, ``optimize``) takes the same
options, defined once here as ``Annotated`` aliases, goes through the same three steps,
and reports bad input the same way:

1. :func:`prepare` checks the counts and loads the scenario (and a strategy file);
2. the command computes and prints its tables;
3. :func:`publish` lets the command write its files into a scratch folder, adds the
   scenario as run, moves each file into ``--out`` whole, names them, and with
   ``--report`` renders the folder as one HTML page.

Bad input raises :class:`sim.InputError`; inside :func:`user_input` it becomes one
sentence on stderr and exit code 2, before anything is written.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

import scenarios
from interfaces.report import write_report
from sim._folder import InterruptedAfterWriting, move_into
from sim._io import InputError, load_strategy_file, scenario_to_yaml
from sim.schema import Scenario, Strategy

__all__ = [
    "CompareOutOpt",
    "CompareSeedsOpt",
    "DaysOpt",
    "DecomposeOutOpt",
    "DecomposeSeedsOpt",
    "JobsOpt",
    "Options",
    "OrdersOpt",
    "PopulationOpt",
    "ReportOpt",
    "RunOutOpt",
    "RunSeedsOpt",
    "ScenarioArg",
    "SeedOpt",
    "StudyOutOpt",
    "StudySeedsOpt",
    "check_out",
    "check_seed",
    "console",
    "err_console",
    "fail",
    "parse",
    "prepare",
    "progress_bar",
    "publish",
    "report_after_writing",
    "report_folder",
    "user_input",
]

# a file or pipe gets a width that fits the tables; a terminal keeps its own
console = Console() if sys.stdout.isatty() else Console(width=110)
err_console = Console(stderr=True, soft_wrap=True)

# ---------------------------------------------------------------- the options

ScenarioArg = Annotated[str, typer.Argument(help="Shipped scenario name or path to a YAML file.")]
PopulationOpt = Annotated[int | None, typer.Option(
    help="Simulated shoppers (the real market size is kept).")]
DaysOpt = Annotated[int | None, typer.Option(
    help="Simulate only the first N days of the plan, at its daily spend.")]
JobsOpt = Annotated[int, typer.Option(help="Worker processes.")]
SeedOpt = Annotated[int | None, typer.Option(help="Root seed (default: the scenario's).")]
ReportOpt = Annotated[bool, typer.Option(
    "--report", help="Also write OUT/report.html: the tables, plots and plans in one file.")]
OrdersOpt = Annotated[bool, typer.Option(
    "--orders", help="Also write OUT/orders.csv: every simulated order, one row each (seed, "
                     "day, date, customer, channel, promotion, category, units, list_value, "
                     "gmv, new), at simulated scale.")]
# --seeds and --out say, per command, what the seeds are shared by and what is written
# (run, compare, decompose: default the scenario's ``seeds``, so its scenario.yaml re-runs alike)
RunSeedsOpt = Annotated[int | None, typer.Option(
    help="Replications (seeds; default: the scenario's 'seeds', else 4).")]
CompareSeedsOpt = Annotated[int | None, typer.Option(
    help="Replications shared by every strategy (default: the scenario's 'seeds', else 8).")]
DecomposeSeedsOpt = Annotated[int | None, typer.Option(
    help="Replications shared by both runs (default: the scenario's 'seeds', else 8).")]
StudySeedsOpt = Annotated[int, typer.Option(help="Replications per trial (the same for all).")]
RunOutOpt = Annotated[Path, typer.Option(help="Folder for CSV, JSON and PNG outputs.")]
CompareOutOpt = Annotated[Path, typer.Option(help="Folder for compare.csv and the plot.")]
DecomposeOutOpt = Annotated[Path, typer.Option(help="Folder for the table and the plot.")]
StudyOutOpt = Annotated[Path, typer.Option(help="Folder for the study and its outputs.")]


@dataclass(frozen=True)
class Options:
    """The options every simulating command takes, as given on the command line."""

    seeds: int | None
    population: int | None
    days: int | None
    jobs: int
    seed: int | None
    out: Path
    with_report: bool

    def with_seeds_of(self, sc: Scenario, default: int) -> tuple[Options, int]:
        """These options with ``--seeds`` settled, and the count: as given, else the
        scenario's ``seeds``, else ``default``."""
        seeds = self.seeds or sc.seeds or default
        return replace(self, seeds=seeds), seeds


# ---------------------------------------------------------------- errors


def fail(message: str) -> typer.Exit:
    """Print ``error: message`` on stderr; the exit (code 2) for the caller to raise."""
    err_console.print(f"error: {message}", markup=False, highlight=False)
    return typer.Exit(code=2)


@contextmanager
def user_input() -> Iterator[None]:
    """Turn an ``InputError`` raised inside into one sentence on stderr and exit code 2."""
    try:
        yield
    except InputError as exc:
        raise fail(str(exc)) from None


T = TypeVar("T")


def parse(option: str, parse_text: Callable[[str], T], text: str) -> T:
    """``parse_text(text)``, its ``ValueError`` as an ``InputError`` naming ``option``."""
    try:
        return parse_text(text)
    except ValueError as exc:
        raise InputError("command line", option, str(exc)) from None


def _check_counts(**options: int | None) -> None:
    """Each of --seeds, --population, --days, --jobs given must be at least 1."""
    for name, value in options.items():
        if value is not None and value < 1:
            raise InputError("command line", f"--{name}", f"must be a whole number of at "
                                                          f"least 1 (got {value})")


# ---------------------------------------------------------------- the steps


def check_out(out: Path) -> None:
    """``--out`` is a folder, or can be made: refused before any work, not after it."""
    if out.exists() and not out.is_dir():
        raise InputError(str(out), "--out", "is a file; give a folder for the outputs")
    parent = out.resolve()
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        raise InputError(str(out), "--out", f"cannot be written: {parent} is not a folder "
                                            "this user may write in")


def check_seed(seed: int | None, option: str = "--seed") -> None:
    """A root seed is a whole number of 0 or more (numpy's seed sequences take no sign)."""
    if seed is not None and seed < 0:
        raise InputError("command line", option, f"must be a whole number of 0 or more "
                                                 f"(got {seed})")


def prepare(scenario: str, strategy: Path | None, opts: Options, trials: int | None = None
            ) -> tuple[Scenario, Strategy]:
    """Check the counts (``--trials`` first, when the command has it), ``--seed`` and
    ``--out`` (a folder that can be written), load the scenario
    with ``--population`` and ``--days`` applied, and the plan: the strategy file, or the
    scenario's own."""
    counts = {} if trials is None else {"trials": trials}
    _check_counts(**counts, seeds=opts.seeds, population=opts.population, days=opts.days,
                  jobs=opts.jobs)
    check_seed(opts.seed)
    check_out(opts.out)
    sc = scenarios.load(scenario)
    if opts.population is not None:
        sc = sc.with_population(opts.population)
    if opts.days is not None:
        if opts.days > sc.horizon.planned_days:
            raise InputError("command line", "--days", f"must be at most the "
                             f"{sc.horizon.planned_days} days of {sc.name}'s horizon "
                             f"(got {opts.days})")
        sc = sc.with_first_days(opts.days)
    plan = sc.strategy if strategy is None else load_strategy_file(strategy, sc)
    return sc, plan


def progress_bar(*extra: TextColumn) -> Progress:
    """A progress bar on stderr (only on a terminal): description, bar, count, ``extra``
    columns, elapsed time; it disappears when done."""
    return Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                    *extra, TimeElapsedColumn(), console=err_console, transient=True,
                    disable=not err_console.is_terminal)


def publish(opts: Options, sc: Scenario, write: Callable[[Path], None], where: str = "") -> None:
    """Write a command's files into ``--out``: those of ``write(scratch)`` and
    ``scenario.yaml`` (the scenario as run, with the root seed and the seed count used, so
    the file alone reproduces it); name them (``where``: a note after the folder); then
    the report if ``--report`` asked for it."""
    def write_all(scratch: Path) -> None:
        write(scratch)
        as_run = sc.model_copy(update={"seed": sc.seed if opts.seed is None else opts.seed,
                                       "seeds": opts.seeds})
        (scratch / "scenario.yaml").write_text(scenario_to_yaml(as_run))

    written = move_into(opts.out, write_all)
    console.print(f"Wrote {len(written)} files to {opts.out}/{where}: "
                  + ", ".join(p.name for p in written))
    if opts.with_report:
        report_after_writing(opts.out)


def report_after_writing(folder: Path) -> None:
    """The report of a folder whose files were just written: a Ctrl-C now says so."""
    try:
        report_folder(folder)
    except KeyboardInterrupt:
        raise InterruptedAfterWriting(folder) from None


def report_folder(folder: Path, out: Path | None = None) -> None:
    """The output folder ``folder`` as one HTML page (``out``: default in the folder)."""
    with user_input():
        path = write_report(folder, out)
    console.print(f"Wrote {path}", markup=False, highlight=False, soft_wrap=True)
