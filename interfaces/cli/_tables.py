"""The terminal tables of ``run``, ``compare`` and ``decompose`` (rich tables; money in
the scenario's currency, intervals at 95%)."""

from __future__ import annotations

import math

from rich.table import Table

from sim import kpis
from sim.compare import Comparison
from sim.curves import ResponseCurve
from sim.decompose import Decomposition
from sim.incrementality import Incrementality
from sim.results import Results
from sim.schema import Scenario

__all__ = ["channel_table", "compare_table", "curve_margins", "curves_table", "decomposition_table",
           "incrementality_table", "interactions_table", "inventory_table", "promotion_table",
           "summary_table"]


def summary_table(res: Results) -> Table:
    """The KPIs over the horizon: mean and 95% CI; unused mechanisms left out."""
    cur = res.scenario.currency
    table = Table(title=f"{res.scenario.name}: {res.scenario.horizon.n_days} days, "
                        f"{res.n_seeds} seeds, 95% confidence intervals (money in {cur})")
    for col, just in (("KPI", "left"), ("mean", "right"), ("95% CI", "right")):
        table.add_column(col, justify=just)  # type: ignore[arg-type]
    totals = res.totals()
    for kpi, row in res.summary().iterrows():
        if kpi in totals and (totals[kpi] == 0).all() and kpi not in kpis.ALWAYS_SHOWN:
            continue  # a mechanism the plan does not use (no gifts, no presale, ...)
        ci = f"{kpis.fmt(str(kpi), row.ci_low, cur)} – {kpis.fmt(str(kpi), row.ci_high, cur)}"
        table.add_row(str(kpi), kpis.fmt(str(kpi), row["mean"], cur), ci)
    return table


def promotion_table(res: Results) -> Table:
    """Orders and costs per promotion, mean over seeds."""
    ps = res.promotion_summary()
    cur = res.scenario.currency
    table = Table(title=f"By promotion (mean over seeds, money in {cur})")
    table.add_column("promotion")
    table.add_column("kind")
    for col in kpis.BY_PROMOTION:
        table.add_column(col, justify="right")
    kinds = {p.name: p.kind for p in res.strategy.promotions}
    for name, row in ps.iterrows():
        table.add_row(str(name), kinds.get(str(name), ""), kpis.fmt("orders", row["orders"], ""),
                      kpis.compact(row["discount_cost"]), kpis.compact(row["loyalty_cost"]))
    return table


def inventory_table(res: Results) -> Table:
    """Stock per category with a stock plan."""
    inv = res.inventory_summary().drop(columns="closing_value")
    table = Table(title=f"Stock by category (units; share of demand served from the group "
                        f"asked for, by a substitute, lost; money in {res.scenario.currency})")
    table.add_column("category")
    for col in inv.columns:
        table.add_column(kpis.short(col), justify="right")
    for name, row in inv.iterrows():
        table.add_row(str(name), *[kpis.fmt_stock(c, row[c], short=True) for c in inv.columns])
    return table


def channel_table(res: Results) -> Table:
    """Spend, visits, orders and GMV per channel (last touch)."""
    cs = res.channel_summary()
    table = Table(title="By channel (last-touch attribution, mean over seeds)")
    table.add_column("channel")
    for col in ("spend", "visits", "orders", "new_customers", "gmv", "roas", "cac"):
        table.add_column(col, justify="right")
    for name, row in cs.iterrows():
        table.add_row(str(name), *[kpis.compact(row[c]) if c in ("spend", "gmv") else
                                   kpis.fmt(c, row[c], "") for c in
                                   ("spend", "visits", "orders", "new_customers", "gmv",
                                    "roas", "cac")])
    return table


def compare_table(cmp: Comparison) -> Table:
    """Each KPI per strategy, with the paired difference against the reference."""
    t = {(r["kpi"], r["strategy"]): r for r in cmp.table().to_dict("records")}
    table = Table(title=f"{cmp.scenario.name}: paired differences against "
                        f"'{cmp.reference}' on the same {next(iter(cmp.results.values())).n_seeds}"
                        f" seeds (95% CI)")
    table.add_column("KPI")
    for name in cmp.results:
        table.add_column(name, justify="right")
    for kpi in kpis.COMPARE:
        cells = []
        for name in cmp.results:
            row = t[(kpi, name)]
            text = kpis.fmt(kpi, row["mean"], "")
            if name != cmp.reference:
                lo = kpis.fmt(kpi, row["diff_ci_low"], "")
                hi = kpis.fmt(kpi, row["diff_ci_high"], "")
                verdict = "" if row["significant"] else ", not significant"
                text += f"\nΔ {kpis.fmt(kpi, row['diff_mean'], '')} [{lo}, {hi}]{verdict}"
            cells.append(text)
        table.add_row(kpi, *cells)
    return table



def decomposition_table(dec: Decomposition, sc: Scenario, seeds: int) -> Table:
    """The promotion effect's components with their intervals and shares of the bump."""
    table = Table(title=f"{sc.name}: promotion effect against the same plan without "
                        f"promotions, {seeds} seeds (95% CI, money in {sc.currency})")
    for col in ("component", "mean", "95% CI", "share of bump"):
        table.add_column(col, justify="left" if col == "component" else "right")
    for name, row in dec.table().iterrows():
        table.add_row(str(name), kpis.compact(row["mean"]),
                      f"{kpis.compact(row['ci_low'])} – {kpis.compact(row['ci_high'])}",
                      "–" if math.isnan(row["share_of_bump"]) else f"{row['share_of_bump']:.0%}")
    return table


def incrementality_table(inc: Incrementality) -> Table:
    """Per lever: what it really adds (95% CI) beside what last touch credits it with
    and their ratio; incremental ROAS; cost per incremental new customer. Channels
    first, then promotions (spend: their discount and loyalty cost)."""
    cur = inc.scenario.currency
    table = Table(title=f"{inc.scenario.name}: each lever against the plan without it, "
                        f"{inc.results['plan'].n_seeds} seeds (95% CI, money in {cur})")
    for col in ("lever", "spend", "incr. GMV", "95% CI", "last touch", "ratio", "iROAS",
                "new cust.", "cost/new"):
        table.add_column(col, justify="left" if col == "lever" else "right",
                         no_wrap=col == "95% CI", min_width=12 if col == "lever" else None)
    kind = None
    for r in inc.table().to_dict("records"):
        if kind is not None and r["kind"] != kind:
            table.add_section()
        kind = r["kind"]
        table.add_row(
            str(r["lever"]), kpis.compact(r["spend"]),
            kpis.compact(r["incremental_gmv"]),
            f"{kpis.compact(r['gmv_low'])} – {kpis.compact(r['gmv_high'])}",
            _money(r.get("attributed_gmv", float("nan"))),
            _times(r.get("gmv_ratio", float("nan"))), _times(r["incremental_roas"]),
            kpis.fmt("new_customers", r["incremental_new_customers"], ""),
            _money(r["cost_per_incremental_new_customer"]))
    return table


def interactions_table(inc: Incrementality) -> Table:
    """The whole lift of the channels (and of the promotions) against the sum of each
    one's increment."""
    cur = inc.scenario.currency
    table = Table(title=f"The parts against the whole (95% CI, money in {cur})")
    for col in ("levers", "KPI", "whole", "sum of parts", "interaction", "95% CI"):
        table.add_column(col, justify="left" if col in ("levers", "KPI") else "right")
    for r in inc.interactions().to_dict("records"):
        table.add_row(f"{r['levers']} {r['kind']}s", str(r["kpi"]), kpis.compact(r["whole"]),
                      kpis.compact(r["sum_of_parts"]), kpis.compact(r["interaction"]),
                      f"{kpis.compact(r['interaction_low'])} – "
                      f"{kpis.compact(r['interaction_high'])}")
    return table


def _times(x: float) -> str:
    return "–" if not math.isfinite(x) else f"{x:.2f}x"


def _money(x: float) -> str:
    return "–" if not math.isfinite(x) else kpis.compact(x)


def curves_table(curves: list[ResponseCurve]) -> Table:
    """Per point of each curve: the value and GMV and profit against the plan (95% CI);
    for a channel, its marginal ROAS at the plan and where marginal profit reaches 0."""
    first = curves[0].results[0]
    cur = first.scenario.currency
    table = Table(title=f"{first.scenario.name}: response curves, {first.n_seeds} paired "
                        f"seeds (against the plan, 95% CI, money in {cur})")
    for col in ("lever", "x plan", "spend / depth", "GMV", "95% CI", "profit", "95% CI ",
                "new cust."):
        table.add_column(col, justify="left" if col == "lever" else "right",
                         no_wrap=col.startswith("95%"))
    for c in curves:
        for r in c.table().to_dict("records"):
            value = r.get("spend", r.get("depth", float("nan")))
            table.add_row(
                c.lever.name if r["point"] == 0 else "", f"{r['multiple']:.2f}",
                kpis.compact(value) if c.lever.kind == "channel" else f"{value:.3g}",
                kpis.compact(r["gmv_vs_plan"]),
                f"{kpis.compact(r['gmv_vs_plan_low'])} – {kpis.compact(r['gmv_vs_plan_high'])}",
                kpis.compact(r["profit_vs_plan"]),
                f"{kpis.compact(r['profit_vs_plan_low'])} – "
                f"{kpis.compact(r['profit_vs_plan_high'])}",
                kpis.fmt("new_customers", r["new_customers_vs_plan"], ""))
        table.add_section()
    return table


def curve_margins(curves: list[ResponseCurve]) -> list[str]:
    """One line per channel curve: its marginal ROAS at the plan and where its marginal
    profit reaches zero."""
    lines = []
    for c in curves:
        if c.lever.kind != "channel":
            continue
        s = c.summary()
        turn = s["profit_turning_spend"]
        where = ("the first unit of spend already loses profit" if turn == 0 else
                 "every point still gains profit" if not math.isfinite(turn) else
                 f"marginal profit reaches 0 at a spend of {kpis.compact(turn)}")
        lines.append(f"{c.lever.name}: marginal ROAS {s['marginal_roas']:.2f} "
                     f"({s['marginal_roas_low']:.2f} – {s['marginal_roas_high']:.2f}) at the "
                     f"plan's {kpis.compact(s['current'])}; {where}")
    return lines
