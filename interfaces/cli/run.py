"""``growthsim run``, ``compare`` and ``decompose``: simulate, print the tables, write the
files."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated

import numpy as np
import pandas as pd
import typer
from rich.progress import TextColumn

from interfaces.cli._common import (
    CompareOutOpt,
    CompareSeedsOpt,
    DaysOpt,
    DecomposeOutOpt,
    DecomposeSeedsOpt,
    JobsOpt,
    Options,
    OrdersOpt,
    PopulationOpt,
    ReportOpt,
    RunOutOpt,
    RunSeedsOpt,
    ScenarioArg,
    SeedOpt,
    console,
    prepare,
    progress_bar,
    publish,
    user_input,
)
from interfaces.cli._tables import (
    channel_table,
    compare_table,
    decomposition_table,
    inventory_table,
    promotion_table,
    summary_table,
)
from sim._io import InputError, load_strategy_file, strategies_to_yaml, strategy_to_yaml
from sim.compare import compare
from sim.decompose import AFTER_DAYS, check_after, decompose
from sim.results import Results
from sim.runner import simulate
from sim.schema import Strategy

__all__ = ["compare_cmd", "decompose_cmd", "run"]


def run(
    scenario: ScenarioArg,
    strategy: Annotated[Path | None, typer.Option(help="Strategy YAML replacing the "
                                                       "scenario's own plan.")] = None,
    seeds: RunSeedsOpt = None,
    population: PopulationOpt = None,
    days: DaysOpt = None,
    jobs: JobsOpt = 1,
    seed: SeedOpt = None,
    out: RunOutOpt = Path("out"),
    with_report: ReportOpt = False,
    orders: OrdersOpt = False,
) -> None:
    """Run a scenario on several seeds; print KPIs with 95% CIs and write files to --out."""
    opts = Options(seeds, population, days, jobs, seed, out, with_report)
    with user_input():
        sc, plan = prepare(scenario, strategy, opts)
    opts, seeds = opts.with_seeds_of(sc, 4)
    total = sc.horizon.n_days * seeds
    with progress_bar(TextColumn("shopper-days")) as progress:
        task = progress.add_task(f"{sc.name} x {seeds} seeds", total=total)
        res = simulate(sc, plan, seeds=seeds, seed=seed, jobs=jobs,
                       progress=lambda n: progress.advance(task, n), orders=orders)
    console.print(summary_table(res))
    console.print(channel_table(res))
    if res.strategy.promotions:
        console.print(promotion_table(res))
    if res.strategy.stock:
        console.print(inventory_table(res))
    # the plan run becomes the scenario's own, so scenario.yaml alone re-runs it
    as_run = res.scenario.model_copy(update={"strategy": res.strategy})
    publish(opts, as_run, lambda scratch: _write_run(res, scratch))


def _strict(value: object) -> object:
    """``value`` as strict JSON takes it: numbers as floats, an undefined ratio (NaN, e.g.
    the CAC of a channel that won no customer) or an infinite one as null."""
    if isinstance(value, dict):
        return {str(k): _strict(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_strict(v) for v in value]
    if isinstance(value, bool | str) or value is None:
        return value
    if isinstance(value, int | float | np.number):
        number = float(value)
        return number if math.isfinite(number) else None
    return value


def _write_run(res: Results, scratch: Path) -> None:
    """The files of one run: CSV frames (and with ``--orders`` the order log),
    summary.json, the strategy and the plots."""
    from interfaces import plots

    res.daily.to_csv(scratch / "daily.csv", index=False)
    res.by_channel.to_csv(scratch / "by_channel.csv", index=False)
    res.by_segment.to_csv(scratch / "by_segment.csv", index=False)
    res.by_city_tier.to_csv(scratch / "by_city_tier.csv", index=False)
    if res.strategy.promotions:
        res.by_promotion.to_csv(scratch / "by_promotion.csv", index=False)
    res.by_category.to_csv(scratch / "by_category.csv", index=False)
    if res.strategy.stock:
        res.inventory_summary().to_csv(scratch / "inventory.csv")
    if res.orders is not None:
        res.orders.to_csv(scratch / "orders.csv", index=False)
    summary = {
        "scenario": res.scenario.name,
        "currency": res.scenario.currency,
        "days": res.scenario.horizon.n_days,
        "seeds": res.n_seeds,
        "population": {"size": res.scenario.population.size,
                       "scale": res.scenario.population.scale},
        "kpis": res.summary().to_dict(orient="index"),
        "channels": res.channel_summary().to_dict(orient="index"),
        "promotions": res.promotion_summary().to_dict(orient="index"),
        "inventory": res.inventory_summary().to_dict(orient="index"),
    }
    (scratch / "summary.json").write_text(json.dumps(_strict(summary), indent=2,
                                                     allow_nan=False))
    (scratch / "strategy.yaml").write_text(strategy_to_yaml(res.strategy))
    plots.save_all(res, scratch)


def compare_cmd(
    scenario: ScenarioArg,
    strategy: Annotated[list[Path], typer.Option(
        help="Strategy YAML (repeat). With one, it is compared with the scenario's own plan; "
             "the first is the reference.")],
    seeds: CompareSeedsOpt = None,
    population: PopulationOpt = None,
    days: DaysOpt = None,
    jobs: JobsOpt = 1,
    seed: SeedOpt = None,
    out: CompareOutOpt = Path("out"),
    with_report: ReportOpt = False,
) -> None:
    """Run strategies on the same seeds and report each KPI with paired differences."""
    from interfaces import plots

    opts = Options(seeds, population, days, jobs, seed, out, with_report)
    with user_input():
        sc, _ = prepare(scenario, None, opts)
        plans: dict[str, Strategy | None] = {} if len(strategy) > 1 else {"scenario plan": None}
        for path in strategy:
            name = path.stem if path.stem not in plans else str(path)
            plans[name] = load_strategy_file(path, sc)
    opts, seeds = opts.with_seeds_of(sc, 8)
    with progress_bar() as progress:
        progress.add_task(f"{len(plans)} strategies x {seeds} seeds", total=None)
        cmp = compare(sc, plans, seeds, seed=seed, jobs=jobs)
    console.print(compare_table(cmp))

    def write(scratch: Path) -> None:
        cmp.table().to_csv(scratch / "compare.csv", index=False)
        daily = pd.concat([r.daily.assign(strategy=n) for n, r in cmp.results.items()])
        daily.to_csv(scratch / "compare_daily.csv", index=False)
        plots.save_figures([("compare_gmv", plots.compare_gmv)], cmp.results, scratch)
        (scratch / "strategies.yaml").write_text(strategies_to_yaml(
            {n: r.strategy for n, r in cmp.results.items()}))

    publish(opts, sc, write)


def decompose_cmd(
    scenario: ScenarioArg,
    strategy: Annotated[Path | None, typer.Option(help="Strategy YAML with promotions "
                                                       "(default: the scenario's plan).")] = None,
    seeds: DecomposeSeedsOpt = None,
    population: PopulationOpt = None,
    days: DaysOpt = None,
    after: Annotated[int, typer.Option(
        help="Days after each promotion window over which the GMV lost afterwards is "
             "counted, and reported week by week.")] = AFTER_DAYS,
    jobs: JobsOpt = 1,
    seed: SeedOpt = None,
    out: DecomposeOutOpt = Path("out"),
    with_report: ReportOpt = False,
) -> None:
    """Split a plan's promotion effect into bump, pull-forward and net incremental GMV/profit."""
    from interfaces import plots

    opts = Options(seeds, population, days, jobs, seed, out, with_report)
    with user_input():
        sc, plan = prepare(scenario, strategy, opts)
        if not plan.promotions:
            raise InputError(str(strategy or scenario), "promotions",
                             "the plan has no promotions to decompose; add at least one")
        try:
            check_after(after)
        except ValueError as exc:
            raise InputError("command line", "--after", str(exc)) from None
    opts, seeds = opts.with_seeds_of(sc, 8)
    dec = decompose(sc, plan, seeds, seed=seed, jobs=jobs, after=after)
    console.print(decomposition_table(dec, sc, seeds))

    def write(scratch: Path) -> None:
        dec.table().to_csv(scratch / "decomposition.csv", index_label="component")
        plots.save_figures([("decomposition", plots.decomposition)], dec, scratch)
        (scratch / "strategy.yaml").write_text(strategy_to_yaml(plan))

    publish(opts, sc.model_copy(update={"strategy": plan}), write)
