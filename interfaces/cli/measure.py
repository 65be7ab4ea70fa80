"""``growthsim incrementality``: what each channel and promotion really adds, against
what last touch credits it with."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

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
from interfaces.cli._tables import incrementality_table, interactions_table
from sim._io import InputError, strategy_to_yaml
from sim.incrementality import incrementality

__all__ = ["incrementality_cmd"]


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
    seeds: Annotated[int | None, typer.Option(
        help="Replications shared by every run (default: the scenario's 'seeds', else 8).")
    ] = None,
    population: PopulationOpt = None,
    days: DaysOpt = None,
    jobs: JobsOpt = 1,
    seed: SeedOpt = None,
    out: Annotated[Path, typer.Option(help="Folder for the tables and the plot.")] = Path("out"),
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
