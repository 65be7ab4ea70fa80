"""``growthsim optimize``: search the scenario's levers with Optuna, re-check the best
plan, print how much better it is, write the study's files."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, cast

import typer
from rich.progress import TextColumn
from rich.table import Table

from interfaces.cli._common import (
    DaysOpt,
    JobsOpt,
    Options,
    PopulationOpt,
    ReportOpt,
    ScenarioArg,
    SeedOpt,
    StudyOutOpt,
    StudySeedsOpt,
    check_seed,
    console,
    fail,
    parse,
    prepare,
    progress_bar,
    publish,
    user_input,
)
from sim import kpis
from sim._io import strategy_to_yaml
from sim.compare import Comparison
from sim.errors import InputError
from sim.schema import Scenario

if TYPE_CHECKING:  # the optimiser (and Optuna) load only when the command runs
    from optimize import Constraint, Optimization

__all__ = ["optimize_cmd"]

#: The references the best plan is re-checked against, in the order of the table.
_REFERENCES = ("scenario plan", "equal split")


def optimize_cmd(
    scenario: ScenarioArg,
    objective: Annotated[str, typer.Option(
        help="KPI to maximise: gmv, profit, roi, roas, new_customers; two separated by a "
             "comma (gmv,roi) give a Pareto front.")] = "gmv",
    trials: Annotated[int, typer.Option(
        help="Finished trials (run on every seed or stopped early) the study should have; "
             "a rerun continues the study up to this number.")] = 100,
    seeds: StudySeedsOpt = 3,
    constraint: Annotated[list[str] | None, typer.Option(
        help="A KPI bound on the mean over seeds, e.g. margin>=0.3 or roi>=1 (repeat).")
    ] = None,
    jobs: JobsOpt = 1,
    storage: Annotated[str | None, typer.Option(
        help="Journal file or database URL (postgresql://...) shared by the workers "
             "(default: OUT/study.journal).")] = None,
    study: Annotated[str | None, typer.Option(help="Study name in the storage.")] = None,
    pick: Annotated[str | None, typer.Option(
        help="Two objectives: the front point to export, by index (0 = highest first "
             "objective) or by a rule such as 'max gmv with roi>=1.5'.")] = None,
    check_seeds: Annotated[int | None, typer.Option(
        help="Replications for re-checking the best plans (default max(6, 2 x seeds)).")
    ] = None,
    sampler_seed: Annotated[int, typer.Option(help="Seed of the TPE sampler.")] = 0,
    population: PopulationOpt = None,
    days: DaysOpt = None,
    seed: SeedOpt = None,
    out: StudyOutOpt = Path("out"),
    with_report: ReportOpt = False,
) -> None:
    """Search the scenario's levers for the plan that maximises the objective."""
    import optimize

    opts = Options(seeds, population, days, jobs, seed, out, with_report)
    with user_input():
        check_seed(sampler_seed, "--sampler-seed")
        if check_seeds is not None and check_seeds < 1:
            raise InputError("command line", "--check-seeds", f"must be a whole number of at "
                                                              f"least 1 (got {check_seeds})")
        if storage is not None:
            parse("--storage", optimize.check_storage, storage)
        sc, _ = prepare(scenario, None, opts, trials=trials)
        names = parse("--objective", optimize.parse_objectives, objective)
        cons = [parse("--constraint", optimize.parse_constraint, c) for c in constraint or []]
    opt = _search(sc, names, cons, trials, opts, storage=storage, study_name=study,
                  sampler_seed=sampler_seed, check_seeds=check_seeds,
                  pick=None if pick is None or len(names) < 2 else
                  int(pick) if pick.isdigit() else pick)
    console.print(_summary(opt))
    for line in _verdict(opt):
        console.print(line, markup=False, highlight=False)
    publish(opts, sc, lambda scratch: _write_study(opt, scratch),
            where=f" (the study is in {storage or out / 'study.journal'})")


def _search(sc: Scenario, names: list[str], cons: list[Constraint], trials: int,
            opts: Options, **settings: Any) -> Optimization:
    """Run the study with a progress bar showing the best value so far; a study that
    finds no feasible plan, or a ``--pick`` naming no point of the front, is exit 2."""
    import optimize

    with progress_bar(TextColumn("trials  best {task.fields[best]}")) as progress:
        task = progress.add_task(f"{sc.name}: {','.join(names)}", total=trials, best="–")

        def report(done: int, best: float | None) -> None:
            progress.update(task, completed=done,
                            best="–" if best is None else kpis.fmt(names[0], best, ""))

        try:
            return optimize.optimize(sc, names, trials=trials, seeds=opts.with_seeds_of(sc, 3)[1],
                                     constraints=cons, jobs=opts.jobs, out=opts.out,
                                     seed=opts.seed, progress=report, **settings)
        except RuntimeError as exc:
            raise fail(f"{sc.name}: {exc}; relax a --constraint or widen the levers") \
                from None
        except ValueError as exc:  # --pick names no point of the front
            raise fail(f"command line: --pick: {exc}; the study is kept, run again with "
                       "another --pick") from None


def _write_study(opt: Optimization, scratch: Path) -> None:
    """The chosen plan, every trial, the re-check and the study's plots."""
    from interfaces.plots import study as study_plots

    (scratch / "best_strategy.yaml").write_text(strategy_to_yaml(opt.best_strategy))
    opt.trials_frame().to_csv(scratch / "trials.csv", index=False)
    if opt.check is not None:
        opt.check.table().to_csv(scratch / "check.csv", index=False)
    study_plots.save_all(opt, scratch)


def _verdict(opt: Optimization) -> list[str]:
    """The table's message in words: how much better, and whether it is more than noise."""
    if opt.check is None:
        return []
    kpi, best = opt.objectives[0], f"trial {opt.best_trial.number}"
    n = next(iter(opt.check.results.values())).n_seeds
    lines = []
    for ref in _REFERENCES:
        if ref == "scenario plan" and opt.best_strategy == opt.scenario.strategy:
            lines.append("No trial beat the scenario's own plan: it is the best plan found.")
            continue
        d = opt.check.paired(best, ref, kpi)
        base = float(opt.check.results[ref].totals()[kpi].mean())
        rel = f" ({d['mean'] / base:+.1%})" if base else ""
        ci = f"95% CI {kpis.fmt(kpi, d['low'], '')} to {kpis.fmt(kpi, d['high'], '')}"
        if d["significant"] and d["mean"] > 0:
            verdict = f"the best plan beats the {ref} on {kpi} by {kpis.fmt(kpi, d['mean'], '')}"
        elif d["significant"]:
            verdict = (f"the best plan does worse than the {ref} on {kpi}, by "
                       f"{kpis.fmt(kpi, -d['mean'], '')}")
        else:
            verdict = (f"the best plan is not significantly different from the {ref} on "
                       f"{kpi} ({kpis.fmt(kpi, d['mean'], '')})")
        lines.append(f"{verdict[0].upper()}{verdict[1:]}{rel}, {ci} over {n} paired seeds.")
    return lines


def _summary(opt: Optimization) -> Table:
    """The best plan against the scenario's plan and an equal split, paired on more seeds."""
    frame = opt.trials_frame()
    full = int((frame["state"] == "COMPLETE").sum())
    done = f"{len(frame)} trials ({full} run on every seed)"
    cons = ", ".join(c.label for c in opt.constraints) or "none"
    if opt.check is None:
        table = Table(title=f"{opt.scenario.name}: best of {done} (constraints: {cons})")
        table.add_column("objective")
        table.add_column("best", justify="right")
        for i, o in enumerate(opt.objectives):
            table.add_row(o, kpis.fmt(o, opt.best_trial.values[i], ""))
        return table
    best = f"trial {opt.best_trial.number}"
    n = next(iter(opt.check.results.values())).n_seeds
    table = Table(title=f"{opt.scenario.name}: best of {done}, {best}, re-run on "
                        f"{n} seeds with the same random numbers (constraints: {cons})")
    table.add_column("KPI")
    for col in ("best plan", "vs scenario plan, 95% CI", "vs equal split, 95% CI"):
        table.add_column(col, justify="right")
    _add_checked_rows(table, opt, opt.check, best)
    return table


def _add_checked_rows(table: Table, opt: Optimization, check: Comparison, best: str) -> None:
    """One row per KPI worth a look: the best plan's mean and its paired differences."""
    t = check.table().set_index(["kpi", "strategy"])
    shown = list(dict.fromkeys([*opt.objectives, "gmv", "profit", "roi", "gross_margin",
                               "marketing_spend", *[c.kpi for c in opt.constraints]]))
    for kpi in shown:
        if (kpi, best) not in t.index:
            continue
        cells = [kpis.fmt(kpi, cast(float, t.loc[(kpi, best), "mean"]), "")]
        for ref in _REFERENCES:
            d = check.paired(best, ref, kpi)
            verdict = "" if d["significant"] else "\nnot significant"
            cells.append(f"{kpis.fmt(kpi, d['mean'], '')}\n[{kpis.fmt(kpi, d['low'], '')}, "
                         f"{kpis.fmt(kpi, d['high'], '')}]{verdict}")
        table.add_row(kpi, *cells)
