"""``growthsim incrementality`` (what each channel and promotion really adds, against
what last touch credits it with) and ``growthsim curves`` (response curves)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from interfaces.cli._common import (
    DaysOpt,
    JobsOpt,
    Options,
    PopulationOpt,
    ReportOpt,
    ScenarioArg,
    SeedOpt,
    console,
    parse,
    prepare,
    progress_bar,
    publish,
    user_input,
)
from interfaces.cli._tables import (
    curve_margins,
    curves_table,
    incrementality_table,
    interactions_table,
)
from sim._io import InputError, strategy_to_yaml
from sim.curves import response_curves
from sim.incrementality import incrementality

__all__ = ["curves_cmd", "incrementality_cmd"]

SeedsOpt = Annotated[int | None, typer.Option(
    help="Replications shared by every run (default: the scenario's 'seeds', else 8).")]
OutOpt = Annotated[Path, typer.Option(help="Folder for the tables and the plot.")]


def _channel_list(text: str) -> list[str]:
    names = [n.strip() for n in text.split(",") if n.strip()]
    if not names:
        raise ValueError("give channel names separated by commas, e.g. search,kol")
    return names


def incrementality_cmd(
    scenario: ScenarioArg,
    strategy: Annotated[Path | None, typer.Option(help="Strategy YAML to measure (default: "
                                                       "the scenario's plan).")] = None,
    channel: Annotated[str | None, typer.Option(
        help="Channels to measure, comma-separated (default: every channel with spend).")
    ] = None,
    promotions: Annotated[bool, typer.Option(
        "--promotions/--no-promotions", help="Also measure each promotion.")] = True,
    seeds: SeedsOpt = None,
    population: PopulationOpt = None,
    days: DaysOpt = None,
    jobs: JobsOpt = 1,
    seed: SeedOpt = None,
    out: OutOpt = Path("out"),
    with_report: ReportOpt = False,
) -> None:
    """Re-run the plan without each channel and each promotion on the same seeds: the
    true incremental orders, new customers, GMV and profit beside last touch's credit."""
    from interfaces import plots
    from interfaces.plots import measure

    opts = Options(seeds, population, days, jobs, seed, out, with_report)
    with user_input():
        names = None if channel is None else parse("--channel", _channel_list, channel)
        sc, plan = prepare(scenario, strategy, opts)
        opts, seeds = opts.with_seeds_of(sc, 8)
        try:
            with progress_bar() as progress:
                progress.add_task(f"{sc.name}: each lever removed x {seeds} seeds", total=None)
                inc = incrementality(sc, plan, seeds, channels=names, promotions=promotions,
                                     seed=seed, jobs=jobs)
        except ValueError as exc:
            raise InputError("command line", "--channel" if names else "--strategy",
                             str(exc)) from None
    console.print(incrementality_table(inc))
    console.print(interactions_table(inc))

    def write(scratch: Path) -> None:
        inc.table().to_csv(scratch / "incrementality.csv", index=False)
        inc.interactions().to_csv(scratch / "interactions.csv", index=False)
        plots.save_figures([("incrementality", measure.incrementality)], inc, scratch)
        (scratch / "strategy.yaml").write_text(strategy_to_yaml(plan))

    publish(opts, sc.model_copy(update={"strategy": plan}), write)


def _points(text: str) -> int:
    if int(text) < 3:
        raise ValueError(f"must be at least 3 (got {text})")
    return int(text)


def _top(text: str) -> float:
    if not 1.0 < float(text) <= 10.0:
        raise ValueError(f"must be above 1 and at most 10 (got {float(text):g})")
    return float(text)


def curves_cmd(
    scenario: ScenarioArg,
    strategy: Annotated[Path | None, typer.Option(help="Strategy YAML (default: the "
                                                       "scenario's plan).")] = None,
    channel: Annotated[str | None, typer.Option(
        help="Channels whose spend to vary, comma-separated (default: every channel with "
             "spend, unless --promotion is given).")] = None,
    promotion: Annotated[list[str] | None, typer.Option(
        help="A promotion whose depth to vary (repeat).")] = None,
    points: Annotated[int, typer.Option(help="Points per curve, from 0 to --max times "
                                             "the plan (the plan is always one).")] = 9,
    top: Annotated[float, typer.Option("--max", help="The last point, as a multiple of "
                                                     "the plan.")] = 2.0,
    seeds: SeedsOpt = None,
    population: PopulationOpt = None,
    days: DaysOpt = None,
    jobs: JobsOpt = 1,
    seed: SeedOpt = None,
    out: OutOpt = Path("out"),
    with_report: ReportOpt = False,
) -> None:
    """Response curves: GMV, profit and new customers as one channel's spend (or one
    promotion's depth) moves from 0 to a multiple of the plan, the rest held, on paired
    seeds; the marginal ROAS at the plan and where marginal profit reaches zero."""
    from interfaces import plots
    from interfaces.plots import measure

    opts = Options(seeds, population, days, jobs, seed, out, with_report)
    with user_input():
        names = None if channel is None else parse("--channel", _channel_list, channel)
        n, last = parse("--points", _points, str(points)), parse("--max", _top, str(top))
        grid = [last * i / (n - 1) for i in range(n)]
        sc, plan = prepare(scenario, strategy, opts)
        opts, seeds = opts.with_seeds_of(sc, 8)
        try:
            with progress_bar() as progress:
                progress.add_task(f"{sc.name}: {points} points x {seeds} seeds", total=None)
                found = response_curves(sc, plan, seeds, channels=names, promotions=promotion,
                                        multiples=grid, seed=seed, jobs=jobs)
        except ValueError as exc:
            option = "--promotion" if "promotion" in str(exc) else "--channel"
            raise InputError("command line", option, str(exc)) from None
    console.print(curves_table(found))
    for line in curve_margins(found):
        console.print(line, markup=False, highlight=False)

    def write(scratch: Path) -> None:
        pd.concat([c.table() for c in found]).to_csv(scratch / "curves.csv", index=False)
        pd.DataFrame([{"lever": c.lever.name, "kind": c.lever.kind, **c.summary()}
                      for c in found]).to_csv(scratch / "curves_summary.csv", index=False)
        plots.save_figures([("curves", measure.curves)], found, scratch)
        (scratch / "strategy.yaml").write_text(strategy_to_yaml(plan))

    publish(opts, sc.model_copy(update={"strategy": plan}), write)
