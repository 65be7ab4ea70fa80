"""The ``growthsim`` command line.

Bad input ends with exit code 2 and one sentence on stderr naming the file, the field and
what is allowed; outputs are written only after a run succeeds, each file atomically.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

import scenarios
from sim._format import ALWAYS_SHOWN as _ALWAYS
from sim._format import STOCK_HEADS, format_stock
from sim._format import compact as _compact
from sim._format import format_kpi as _format
from sim._io import (
    InputError,
    load_strategy_file,
    read_yaml,
    scenario_to_yaml,
    strategies_to_yaml,
    strategy_to_yaml,
)
from sim.compare import Comparison, compare
from sim.decompose import decompose
from sim.report import write_report
from sim.results import Results
from sim.runner import simulate
from sim.schema import Scenario, Strategy

__all__ = ["app", "main"]

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  rich_markup_mode=None,
                  help="growthsim: try e-commerce growth plans on a simulated market.")
# a file or pipe gets a width that fits the tables; a terminal keeps its own
console = Console() if sys.stdout.isatty() else Console(width=110)
err_console = Console(stderr=True, soft_wrap=True)

def _fail(message: str) -> typer.Exit:
    err_console.print(f"error: {message}", markup=False, highlight=False)
    return typer.Exit(code=2)


def _check_counts(**options: int | None) -> None:
    """Each of --seeds, --population, --days, --jobs given must be at least 1."""
    for name, value in options.items():
        if value is not None and value < 1:
            raise InputError("command line", f"--{name}", f"must be a whole number of at "
                                                          f"least 1 (got {value})")


ScenarioArg = Annotated[str, typer.Argument(help="Shipped scenario name or path to a YAML file.")]
PopulationOpt = Annotated[int | None, typer.Option(
    help="Simulated shoppers (the real market size is kept).")]
DaysOpt = Annotated[int | None, typer.Option(help="Simulate only the first N days.")]
JobsOpt = Annotated[int, typer.Option(help="Worker processes.")]
SeedOpt = Annotated[int | None, typer.Option(help="Root seed (default: the scenario's).")]
ReportOpt = Annotated[bool, typer.Option(
    "--report", help="Also write OUT/report.html: the tables, plots and plans in one file.")]


def _progress(*extra: TextColumn) -> Progress:
    """A progress bar on stderr (only on a terminal): description, bar, count, ``extra``
    columns, elapsed time; it disappears when done."""
    return Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                    *extra, TimeElapsedColumn(), console=err_console, transient=True,
                    disable=not err_console.is_terminal)


def _prepare(scenario: str, strategy: Path | None, population: int | None, days: int | None
             ) -> tuple[Scenario, Strategy]:
    sc = scenarios.load(scenario)
    if population is not None:
        sc = sc.with_population(population)
    if days is not None:
        sc = sc.with_overrides({"horizon.days": days})
    plan = sc.strategy if strategy is None else load_strategy_file(strategy, sc)
    return sc, plan


def _summary_table(res: Results) -> Table:
    cur = res.scenario.currency
    table = Table(title=f"{res.scenario.name}: {res.scenario.horizon.n_days} days, "
                        f"{res.n_seeds} seeds, 95% confidence intervals (money in {cur})")
    for col, just in (("KPI", "left"), ("mean", "right"), ("95% CI", "right")):
        table.add_column(col, justify=just)  # type: ignore[arg-type]
    totals = res.totals()
    for kpi, row in res.summary().iterrows():
        if kpi in totals and (totals[kpi] == 0).all() and kpi not in _ALWAYS:
            continue  # a mechanism the plan does not use (no gifts, no presale, ...)
        ci = f"{_format(str(kpi), row.ci_low, cur)} – {_format(str(kpi), row.ci_high, cur)}"
        table.add_row(str(kpi), _format(str(kpi), row["mean"], cur), ci)
    return table


def _promotion_table(res: Results) -> Table:
    ps = res.promotion_summary()
    cur = res.scenario.currency
    table = Table(title=f"By promotion (mean over seeds, money in {cur})")
    table.add_column("promotion")
    table.add_column("kind")
    for col in ("orders", "discount_cost", "loyalty_cost"):
        table.add_column(col, justify="right")
    kinds = {p.name: p.kind for p in res.strategy.promotions}
    for name, row in ps.iterrows():
        table.add_row(str(name), kinds.get(str(name), ""), _format("orders", row["orders"], ""),
                      _compact(row["discount_cost"]), _compact(row["loyalty_cost"]))
    return table


def _inventory_table(res: Results) -> Table:
    inv = res.inventory_summary().drop(columns="closing_value")
    table = Table(title=f"Stock by category (units; share of demand served from the group "
                        f"asked for, by a substitute, lost; money in {res.scenario.currency})")
    table.add_column("category")
    for col in inv.columns:
        table.add_column(STOCK_HEADS[col], justify="right")
    for name, row in inv.iterrows():
        table.add_row(str(name), *[format_stock(c, row[c], short=True) for c in inv.columns])
    return table


def _channel_table(res: Results) -> Table:
    cs = res.channel_summary()
    table = Table(title="By channel (last-touch attribution, mean over seeds)")
    table.add_column("channel")
    for col in ("spend", "visits", "orders", "new_customers", "gmv", "roas", "cac"):
        table.add_column(col, justify="right")
    for name, row in cs.iterrows():
        table.add_row(str(name), *[_compact(row[c]) if c in ("spend", "gmv") else
                                   _format(c, row[c], "") for c in
                                   ("spend", "visits", "orders", "new_customers", "gmv",
                                    "roas", "cac")])
    return table


def _publish(out: Path, write: Callable[[Path], None]) -> list[Path]:
    """Let ``write`` fill a scratch folder, then move each file into ``out`` whole."""
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out, prefix=".growthsim-") as tmp:
        scratch = Path(tmp)
        write(scratch)
        written = []
        for path in sorted(scratch.iterdir()):
            target = out / path.name
            shutil.move(str(path), str(target))  # same folder: an atomic rename
            written.append(target)
    return written


def _scenario_yaml(sc: Scenario, seed: int | None) -> str:
    """The scenario as run; with --seed, that root seed, so the file alone reproduces it."""
    return scenario_to_yaml(sc if seed is None else sc.model_copy(update={"seed": seed}))


def _report(folder: Path, out: Path | None = None) -> None:
    """The output folder ``folder`` as one HTML page (``out``: default in the folder)."""
    try:
        path = write_report(folder, out)
    except InputError as exc:
        raise _fail(str(exc)) from None
    console.print(f"Wrote {path}", markup=False, highlight=False, soft_wrap=True)


def _write_outputs(res: Results, out: Path, seed: int | None = None) -> list[Path]:
    """The files of one run: CSV frames, summary.json, the scenario, the strategy and the
    plots."""
    from sim import plots

    def write(scratch: Path) -> None:
        res.daily.to_csv(scratch / "daily.csv", index=False)
        res.by_channel.to_csv(scratch / "by_channel.csv", index=False)
        res.by_segment.to_csv(scratch / "by_segment.csv", index=False)
        res.by_city_tier.to_csv(scratch / "by_city_tier.csv", index=False)
        if res.strategy.promotions:
            res.by_promotion.to_csv(scratch / "by_promotion.csv", index=False)
        res.by_category.to_csv(scratch / "by_category.csv", index=False)
        if res.strategy.stock:
            res.inventory_summary().to_csv(scratch / "inventory.csv")
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
        (scratch / "summary.json").write_text(json.dumps(summary, indent=2, default=float))
        (scratch / "strategy.yaml").write_text(strategy_to_yaml(res.strategy))
        (scratch / "scenario.yaml").write_text(_scenario_yaml(res.scenario, seed))
        plots.save_all(res, scratch)

    return _publish(out, write)


@app.command()
def run(
    scenario: ScenarioArg,
    strategy: Annotated[Path | None, typer.Option(help="Strategy YAML replacing the "
                                                       "scenario's own plan.")] = None,
    seeds: Annotated[int, typer.Option(help="Replications (seeds).")] = 4,
    population: PopulationOpt = None,
    days: DaysOpt = None,
    jobs: JobsOpt = 1,
    seed: SeedOpt = None,
    out: Annotated[Path, typer.Option(help="Folder for CSV, JSON and PNG outputs.")] = Path("out"),
    with_report: ReportOpt = False,
) -> None:
    """Run a scenario on several seeds; print KPIs with 95% CIs and write files to --out."""
    try:
        _check_counts(seeds=seeds, population=population, days=days, jobs=jobs)
        sc, plan = _prepare(scenario, strategy, population, days)
    except InputError as exc:
        raise _fail(str(exc)) from None
    total = sc.horizon.n_days * seeds
    with _progress(TextColumn("shopper-days")) as progress:
        task = progress.add_task(f"{sc.name} x {seeds} seeds", total=total)
        res = simulate(sc, plan, seeds=seeds, seed=seed, jobs=jobs,
                       progress=lambda n: progress.advance(task, n))
    console.print(_summary_table(res))
    console.print(_channel_table(res))
    if res.strategy.promotions:
        console.print(_promotion_table(res))
    if res.strategy.stock:
        console.print(_inventory_table(res))
    written = _write_outputs(res, out, seed)
    console.print(f"Wrote {len(written)} files to {out}/: " + ", ".join(p.name for p in written))
    if with_report:
        _report(out)


_COMPARE_KPIS = ["gmv", "orders", "new_customers", "marketing_spend", "discount_cost",
                 "profit", "roi", "gross_margin", "customers"]


def _compare_table(cmp: Comparison) -> Table:
    t = {(r["kpi"], r["strategy"]): r for r in cmp.table().to_dict("records")}
    table = Table(title=f"{cmp.scenario.name}: paired differences against "
                        f"'{cmp.reference}' on the same {next(iter(cmp.results.values())).n_seeds}"
                        f" seeds (95% CI)")
    table.add_column("KPI")
    for name in cmp.results:
        table.add_column(name, justify="right")
    for kpi in _COMPARE_KPIS:
        cells = []
        for name in cmp.results:
            row = t[(kpi, name)]
            text = _format(kpi, row["mean"], "")
            if name != cmp.reference:
                lo, hi = _format(kpi, row["diff_ci_low"], ""), _format(kpi, row["diff_ci_high"], "")
                verdict = "" if row["significant"] else ", not significant"
                text += f"\nΔ {_format(kpi, row['diff_mean'], '')} [{lo}, {hi}]{verdict}"
            cells.append(text)
        table.add_row(kpi, *cells)
    return table


@app.command(name="compare")
def compare_cmd(
    scenario: ScenarioArg,
    strategy: Annotated[list[Path], typer.Option(
        help="Strategy YAML (repeat). With one, it is compared with the scenario's own plan; "
             "the first is the reference.")],
    seeds: Annotated[int, typer.Option(help="Replications shared by every strategy.")] = 8,
    population: PopulationOpt = None,
    days: DaysOpt = None,
    jobs: JobsOpt = 1,
    seed: SeedOpt = None,
    out: Annotated[Path, typer.Option(help="Folder for compare.csv and the plot.")] = Path("out"),
    with_report: ReportOpt = False,
) -> None:
    """Run strategies on the same seeds and report each KPI with paired differences."""
    from sim import plots

    try:
        _check_counts(seeds=seeds, population=population, days=days, jobs=jobs)
        sc, _ = _prepare(scenario, None, population, days)
        plans: dict[str, Strategy | None] = {} if len(strategy) > 1 else {"scenario plan": None}
        for path in strategy:
            name = path.stem if path.stem not in plans else str(path)
            plans[name] = load_strategy_file(path, sc)
    except InputError as exc:
        raise _fail(str(exc)) from None
    with _progress() as progress:
        progress.add_task(f"{len(plans)} strategies x {seeds} seeds", total=None)
        cmp = compare(sc, plans, seeds, seed=seed, jobs=jobs)
    console.print(_compare_table(cmp))

    def write(scratch: Path) -> None:
        cmp.table().to_csv(scratch / "compare.csv", index=False)
        daily = pd.concat([r.daily.assign(strategy=n) for n, r in cmp.results.items()])
        daily.to_csv(scratch / "compare_daily.csv", index=False)
        fig = plots.compare_gmv(cmp.results)
        fig.savefig(scratch / "compare_gmv.png", dpi=110)
        (scratch / "scenario.yaml").write_text(_scenario_yaml(sc, seed))
        (scratch / "strategies.yaml").write_text(strategies_to_yaml(
            {n: r.strategy for n, r in cmp.results.items()}))

    written = _publish(out, write)
    console.print(f"Wrote {len(written)} files to {out}/: " + ", ".join(p.name for p in written))
    if with_report:
        _report(out)


@app.command(name="decompose")
def decompose_cmd(
    scenario: ScenarioArg,
    strategy: Annotated[Path | None, typer.Option(help="Strategy YAML with promotions "
                                                       "(default: the scenario's plan).")] = None,
    seeds: Annotated[int, typer.Option(help="Replications shared by both runs.")] = 8,
    population: PopulationOpt = None,
    days: DaysOpt = None,
    jobs: JobsOpt = 1,
    seed: SeedOpt = None,
    out: Annotated[Path, typer.Option(help="Folder for the table and the plot.")] = Path("out"),
    with_report: ReportOpt = False,
) -> None:
    """Split a plan's promotion effect into bump, pull-forward and net incremental GMV/profit."""
    from sim import plots

    try:
        _check_counts(seeds=seeds, population=population, days=days, jobs=jobs)
        sc, plan = _prepare(scenario, strategy, population, days)
        if not plan.promotions:
            raise InputError(str(strategy or scenario), "promotions",
                             "the plan has no promotions to decompose; add at least one")
    except InputError as exc:
        raise _fail(str(exc)) from None
    dec = decompose(sc, plan, seeds, seed=seed, jobs=jobs)
    t = dec.table()
    table = Table(title=f"{sc.name}: promotion effect against the same plan without "
                        f"promotions, {seeds} seeds (95% CI, money in {sc.currency})")
    for col in ("component", "mean", "95% CI", "share of bump"):
        table.add_column(col, justify="left" if col == "component" else "right")
    for name, row in t.iterrows():
        table.add_row(str(name), _compact(row["mean"]),
                      f"{_compact(row['ci_low'])} – {_compact(row['ci_high'])}",
                      f"{row['share_of_bump']:.0%}")
    console.print(table)

    def write(scratch: Path) -> None:
        t.to_csv(scratch / "decomposition.csv", index_label="component")
        plots.decomposition(dec).savefig(scratch / "decomposition.png", dpi=110)
        (scratch / "scenario.yaml").write_text(_scenario_yaml(sc, seed))
        (scratch / "strategy.yaml").write_text(strategy_to_yaml(plan))

    written = _publish(out, write)
    console.print(f"Wrote {len(written)} files to {out}/: " + ", ".join(p.name for p in written))
    if with_report:
        _report(out)


@app.command(name="optimize")
def optimize_cmd(
    scenario: ScenarioArg,
    objective: Annotated[str, typer.Option(
        help="KPI to maximise: gmv, profit, roi, roas, new_customers; two separated by a "
             "comma (gmv,roi) give a Pareto front.")] = "gmv",
    trials: Annotated[int, typer.Option(
        help="Finished trials (run on every seed or stopped early) the study should have; "
             "a rerun continues the study up to this number.")] = 100,
    seeds: Annotated[int, typer.Option(help="Replications per trial (the same for all).")] = 3,
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
    out: Annotated[Path, typer.Option(help="Folder for the study and its outputs.")] = Path("out"),
    with_report: ReportOpt = False,
) -> None:
    """Search the scenario's levers for the plan that maximises the objective."""
    import optimize
    from optimize import plots as opt_plots

    try:
        _check_counts(trials=trials, seeds=seeds, population=population, days=days, jobs=jobs)
        sc, _ = _prepare(scenario, None, population, days)
        names = _parse("--objective", optimize.parse_objectives, objective)
        cons = [_parse("--constraint", optimize.parse_constraint, c) for c in constraint or []]
    except InputError as exc:
        raise _fail(str(exc)) from None
    with _progress(TextColumn("trials  best {task.fields[best]}")) as progress:
        task = progress.add_task(f"{sc.name}: {','.join(names)}", total=trials, best="–")

        def report(done: int, best: float | None) -> None:
            progress.update(task, completed=done,
                            best="–" if best is None else _format(names[0], best, ""))

        try:
            opt = optimize.optimize(sc, names, trials=trials, seeds=seeds, constraints=cons,
                                    jobs=jobs, storage=storage, study_name=study, out=out,
                                    sampler_seed=sampler_seed, seed=seed,
                                    check_seeds=check_seeds, progress=report,
                                    pick=None if pick is None or len(names) < 2 else
                                    int(pick) if pick.isdigit() else pick)
        except RuntimeError as exc:
            raise _fail(f"{sc.name}: {exc}; relax a --constraint or widen the levers") \
                from None
        except ValueError as exc:  # --pick names no point of the front
            raise _fail(f"command line: --pick: {exc}; the study is kept, run again with "
                        "another --pick") from None
    chosen = opt.best_strategy
    if opt.interrupted:
        err_console.print("interrupted: the study keeps every completed trial; run the same "
                          "command again to continue")
    console.print(_optimize_summary(opt))
    for line in _optimize_verdict(opt):
        console.print(line, markup=False, highlight=False)

    def write(scratch: Path) -> None:
        (scratch / "best_strategy.yaml").write_text(strategy_to_yaml(chosen))
        opt.trials_frame().to_csv(scratch / "trials.csv", index=False)
        if opt.check is not None:
            opt.check.table().to_csv(scratch / "check.csv", index=False)
        (scratch / "scenario.yaml").write_text(_scenario_yaml(sc, seed))
        opt_plots.save_all(opt, scratch)

    written = _publish(out, write)
    console.print(f"Wrote {len(written)} files to {out}/ (the study is in "
                  f"{storage or out / 'study.journal'}): " + ", ".join(p.name for p in written))
    if with_report:
        _report(out)


def _parse(option: str, parse: Callable[[str], object], text: str):  # type: ignore[no-untyped-def]
    try:
        return parse(text)
    except ValueError as exc:
        raise InputError("command line", option, str(exc)) from None


def _optimize_verdict(opt) -> list[str]:  # type: ignore[no-untyped-def]
    """The table's message in words: how much better, and whether it is more than noise."""
    if opt.check is None:
        return []
    kpi, best = opt.objectives[0], f"trial {opt.best_trial.number}"
    n = next(iter(opt.check.results.values())).n_seeds
    lines = []
    for ref in ("scenario plan", "equal split"):
        if ref == "scenario plan" and opt.best_strategy == opt.scenario.strategy:
            lines.append("No trial beat the scenario's own plan: it is the best plan found.")
            continue
        d = opt.check.paired(best, ref, kpi)
        base = float(opt.check.results[ref].totals()[kpi].mean())
        rel = f" ({d['mean'] / base:+.1%})" if base else ""
        ci = f"95% CI {_format(kpi, d['low'], '')} to {_format(kpi, d['high'], '')}"
        if d["significant"] and d["mean"] > 0:
            verdict = f"the best plan beats the {ref} on {kpi} by {_format(kpi, d['mean'], '')}"
        elif d["significant"]:
            verdict = (f"the best plan does worse than the {ref} on {kpi}, by "
                       f"{_format(kpi, -d['mean'], '')}")
        else:
            verdict = (f"the best plan is not significantly different from the {ref} on "
                       f"{kpi} ({_format(kpi, d['mean'], '')})")
        lines.append(f"{verdict[0].upper()}{verdict[1:]}{rel}, {ci} over {n} paired seeds.")
    return lines


def _optimize_summary(opt) -> Table:  # type: ignore[no-untyped-def]
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
            table.add_row(o, _format(o, opt.best_trial.values[i], ""))
        return table
    t = opt.check.table().set_index(["kpi", "strategy"])
    best = f"trial {opt.best_trial.number}"
    n = next(iter(opt.check.results.values())).n_seeds
    table = Table(title=f"{opt.scenario.name}: best of {done}, {best}, re-run on "
                        f"{n} seeds with the same random numbers (constraints: {cons})")
    table.add_column("KPI")
    for col in ("best plan", "vs scenario plan, 95% CI", "vs equal split, 95% CI"):
        table.add_column(col, justify="right")
    kpis = list(dict.fromkeys([*opt.objectives, "gmv", "profit", "roi", "gross_margin",
                               "marketing_spend", *[c.kpi for c in opt.constraints]]))
    for kpi in kpis:
        if (kpi, best) not in t.index:
            continue
        cells = [_format(kpi, t.loc[(kpi, best), "mean"], "")]
        for ref in ("scenario plan", "equal split"):
            d = opt.check.paired(best, ref, kpi)
            verdict = "" if d["significant"] else "\nnot significant"
            cells.append(f"{_format(kpi, d['mean'], '')}\n[{_format(kpi, d['low'], '')}, "
                         f"{_format(kpi, d['high'], '')}]{verdict}")
        table.add_row(kpi, *cells)
    return table



@app.command(name="report")
def report_cmd(
    directory: Annotated[Path, typer.Argument(
        help="The --out folder of a run, compare, decompose or optimize.")],
    out: Annotated[Path | None, typer.Option(
        help="The HTML file to write (default: DIRECTORY/report.html).")] = None,
) -> None:
    """Write one self-contained HTML page of an output folder: tables, plots and plans."""
    _report(directory, out)


@app.command()
def validate(
    file: Annotated[Path, typer.Argument(help="A scenario or strategy YAML file.")],
    scenario: Annotated[str | None, typer.Option(
        help="For a strategy file: the scenario whose channels and categories it must "
             "name.")] = None,
) -> None:
    """Check a scenario or strategy file and say what is wrong, if anything."""
    try:
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
    except InputError as exc:
        raise _fail(str(exc)) from None


def main() -> None:
    """Entry point of the ``growthsim`` console script."""
    try:
        app()
    except KeyboardInterrupt:
        err_console.print("interrupted: nothing was written")
        sys.exit(130)


if __name__ == "__main__":
    main()
