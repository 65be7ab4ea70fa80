"""The report's sections per command: the KPI, channel, promotion and stock tables of a
run, strategies compared, a promotion's effect, and an optimisation's trials and check."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from interfaces.report._files import _csv, _yaml_mapping
from interfaces.report._html import _e, _interval, _missing, _signed, _table, _unused
from sim import kpis


def _run_sections(folder: Path, summary: dict[str, Any]) -> list[tuple[str, str, str]]:
    currency = str(summary.get("currency", ""))
    seeds = summary.get("seeds", "?")
    rows = []
    for kpi, v in (summary.get("kpis") or {}).items():
        if _unused(kpi, [v["mean"], v["ci_low"], v["ci_high"]]):
            continue
        rows.append([kpis.label(kpi), kpis.fmt(kpi, v["mean"]), _interval(kpi, v)])
    sections = [("kpis", "Key figures", _table(
        f"KPIs over the horizon: mean of {seeds} seeds and 95% confidence interval"
        + (f" (money in {currency})" if currency else ""),
        ["KPI", "mean", "95% CI"], rows, numeric={1, 2}))]
    cols = ["spend", "reach", "visits", "orders", "new_customers", "gmv", "roas", "cac",
            "conversion_rate"]
    channels = summary.get("channels") or {}
    if channels:
        shown = [c for c in cols if c in next(iter(channels.values()))]
        rows = [[ch, *(kpis.fmt(c, v[c]) for c in shown)] for ch, v in channels.items()]
        sections.append(("channels", "By channel", _table(
            "Last-touch attribution, mean over seeds ('organic' is no channel)",
            ["channel", *map(kpis.label, shown)], rows, numeric=set(range(1, len(shown) + 1)))))
    promotions = summary.get("promotions") or {}
    if promotions:
        kinds = {p.get("name"): p.get("kind", "") for p in
                 _yaml_mapping(folder / "strategy.yaml").get("promotions") or []}
        rows = [[name, str(kinds.get(name, "")), kpis.fmt("orders", v["orders"]),
                 kpis.fmt("discount_cost", v["discount_cost"]),
                 kpis.fmt("loyalty_cost", v["loyalty_cost"])]
                for name, v in promotions.items()]
        sections.append(("promotions", "By promotion", _table(
            "Orders that used each promotion and what it cost, mean over seeds",
            ["promotion", "kind", "orders", "discount cost", "loyalty cost"], rows,
            numeric={2, 3, 4})))
    inventory = summary.get("inventory") or {}
    if inventory:
        sections.append(("inventory", "Stock", _inventory(inventory, currency)))
    return sections


def _inventory(inventory: dict[str, dict[str, float]], currency: str) -> str:
    """Per category with a stock plan: rates as %, turns and cover to one decimal, units
    and money whole."""
    cols = list(next(iter(inventory.values())))
    rows = [[cat, *(kpis.fmt_stock(c, v[c]) for c in cols)] for cat, v in inventory.items()]
    return _table("Per category with a stock plan, mean over seeds (units; shares of demand "
                  "served as asked, by a substitute, lost" + (f"; money in {currency})"
                                                               if currency else ")"),
                  ["category", *(kpis.short(c) for c in cols)], rows,
                  numeric=set(range(1, len(cols) + 1)))


def _comparison(path: Path, caption: str) -> str:
    """A ``compare.csv``-shaped table: KPIs down, strategies across, each non-reference
    cell with its paired difference, bold when the 95% CI excludes zero."""
    frame = _csv(path)
    strategies = list(dict.fromkeys(frame["strategy"]))
    cells: dict[tuple[str, str], dict[str, Any]] = {
        (str(r["kpi"]), str(r["strategy"])): {str(k): v for k, v in r.items()}
        for r in frame.to_dict("records")}
    rows = []
    for kpi in dict.fromkeys(frame["kpi"].astype(str)):
        means = [cells[(kpi, s)]["mean"] for s in strategies if (kpi, s) in cells]
        if _unused(kpi, means):
            continue
        row = [_e(kpis.label(kpi))]
        for s in strategies:
            r = cells.get((kpi, s))
            row.append("" if r is None else _compared_cell(kpi, r))
        rows.append(row)
    note = (f'<p class="muted">Under each value: the paired difference against '
            f"{_e(strategies[0])} (Δ) and its 95% CI, in bold when the interval excludes 0 "
            "(a real difference), in grey when it does not (not significant).</p>")
    return note + _table(caption, ["KPI", *strategies], rows,
                         numeric=set(range(1, len(strategies) + 1)), escaped=True)


def _compared_cell(kpi: str, r: dict[str, Any]) -> str:
    text = _e(kpis.fmt(kpi, r["mean"]))
    if _missing(r.get("diff_mean")):
        return text
    cls = "sig" if str(r.get("significant")) == "True" else "ns"
    ci = f"[{kpis.fmt(kpi, r['diff_ci_low'])}, {kpis.fmt(kpi, r['diff_ci_high'])}]"
    return (f'{text}<span class="diff {cls}">Δ {_e(_signed(kpi, r["diff_mean"]))}</span>'
            f'<span class="diff {cls}">{_e(ci)}</span>')


def _decomposition(folder: Path) -> str:
    frame = _csv(folder / "decomposition.csv")
    rows = [[str(r["component"]).replace("_", " "), kpis.fmt("gmv", r["mean"]),
             _interval("gmv", r),
             "–" if pd.isna(r["share_of_bump"]) else f"{r['share_of_bump']:.0%}"]
            for r in frame.to_dict("records")]
    return _table("The plan against the same plan without promotions on the same seeds "
                  "(money in the scenario's currency, 95% CI)",
                  ["component", "mean", "95% CI", "share of bump"], rows, numeric={1, 2, 3})


def _optimization(folder: Path) -> str:
    parts = []
    if (folder / "trials.csv").is_file():
        parts.append(_trials(_csv(folder / "trials.csv")))
    if (folder / "check.csv").is_file():
        objective = _objectives(list(_csv(folder / "trials.csv", nrows=0).columns))[:1] \
            if (folder / "trials.csv").is_file() else []
        rule = (f"; best_strategy.yaml is the trial with the highest {objective[0]} here "
                "among those that meet the constraints" if objective else "")
        parts.append(_comparison(folder / "check.csv", "The best plans re-run on more seeds "
                                 f"with the same random numbers{rule}"))
    return "".join(parts) or "<p class=\"muted\">No trials table in this folder.</p>"


def _trials(frame: pd.DataFrame) -> str:
    """How the study went, and its ten best finished feasible trials."""
    cols = list(frame.columns)
    objectives = _objectives(cols)
    states = frame["state"].value_counts()
    done = ", ".join(f"{n} {str(s).lower()}" for s, n in states.items())
    intro = (f"<p>{len(frame)} trials ({_e(done)}); objective: "
             f"{_e(', '.join(objectives) or 'unknown')}, maximised.</p>")
    if not objectives:
        return intro
    best = frame[frame["state"] == "COMPLETE"]
    if "feasible" in cols:
        best = best[best["feasible"].astype(str) == "True"]
    best = best.sort_values(objectives[0], ascending=False).head(10)
    extra = [k for k in ("profit", "roi", "gross_margin", "marketing_spend")
             if f"kpi:{k}" in cols and k not in objectives]
    rows = [[str(int(r["trial"])), *(kpis.fmt(o, r[o]) for o in objectives),
             *(kpis.fmt(k, r[f"kpi:{k}"]) for k in extra)] for r in best.to_dict("records")]
    heads = ["trial", *map(kpis.label, objectives), *map(kpis.label, extra)]
    return intro + _table(f"The {len(rows)} best trials run on every seed that meet the "
                          "constraints (mean over the trial's seeds)", heads, rows,
                          numeric=set(range(1, len(heads))))


def _objectives(columns: list[str]) -> list[str]:
    """The objective columns of ``trials.csv``: between ``state`` and ``feasible``."""
    end = columns.index("feasible") if "feasible" in columns else len(columns)
    return [c for c in columns[:end] if c not in ("trial", "state")
            and not c.startswith(("kpi:", "param:"))]



def _calibration(folder: Path) -> str:
    """A calibration's fit (``fit.csv``) and its back-test's totals."""
    fit = _csv(folder / "fit.csv")
    models = {"bgnbd": "BG/NBD", "gamma_gamma": "Gamma-Gamma", "calendar": "calendar",
              "arrivals": "new customers"}
    rows = [[models.get(str(r["model"]), str(r["model"])), str(r["segment"]),
             str(r["parameter"]), f"{r['estimate']:.4g}",
             "" if pd.isna(r["std_error"]) else f"{r['std_error']:.2g}",
             "" if pd.isna(r["unit"]) else str(r["unit"]),
             "" if pd.isna(r["log_likelihood"]) else f"{r['log_likelihood']:,.1f}"]
            for r in fit.to_dict("records") if r["model"] != "calendar"
            or not str(r["parameter"]).startswith("monthly") or r["estimate"] != 1.0]
    parts = [_table("Fitted parameters by maximum likelihood, standard errors from the "
                    "observed information (calendar months of 1 and no error: not fitted)",
                    ["model", "segment", "parameter", "estimate", "std. error", "unit",
                     "log-likelihood"], rows, numeric={3, 4, 6})]
    totals = folder / "backtest_totals.csv"
    if totals.is_file():
        labels = {"orders": "repeat orders", "gmv": "GMV", "buyers": "active buyers"}
        rows = [[labels.get(str(r["measure"]), str(r["measure"])), f"{r['actual']:,.0f}",
                 f"{r['simulated']:,.0f}", f"{r['low']:,.0f} – {r['high']:,.0f}",
                 f"{r['simulated_error']:+.1%}",
                 "" if pd.isna(r["closed_form"]) else f"{r['closed_form']:,.0f}",
                 "" if pd.isna(r["closed_form_error"]) else f"{r['closed_form_error']:+.1%}"]
                for r in _csv(totals).to_dict("records")]
        parts.append(_table("Back-test: the calibration period's customers after the "
                            "calibration date, the log against the simulation (mean over "
                            "seeds and the 95% band of one realisation) and the BG/NBD "
                            "closed form", ["measure", "actual", "simulated", "95% band",
                                            "error", "closed form", "error"], rows,
                            numeric={1, 2, 3, 4, 5, 6}))
    return "".join(parts)


def _incrementality(folder: Path) -> str:
    """Each lever's true increment beside last touch's credit, and the parts against the
    whole (``incrementality.csv``, ``interactions.csv``)."""
    def money(x: Any) -> str:
        return kpis.fmt("gmv", x)

    def times(x: Any) -> str:
        return "–" if pd.isna(x) else f"{float(x):.2f}x"

    frame = _csv(folder / "incrementality.csv")
    rows = [[f"{r['lever']} ({r['kind']})", money(r["spend"]), money(r["incremental_gmv"]),
             f"[{money(r['gmv_low'])}, {money(r['gmv_high'])}]",
             money(r.get("attributed_gmv")), times(r.get("gmv_ratio")),
             times(r["incremental_roas"]), kpis.fmt("new_customers",
                                                    r["incremental_new_customers"]),
             money(r["cost_per_incremental_new_customer"])]
            for r in frame.to_dict("records")]
    parts = [_table("Each lever against the same plan without it, on the same seeds: the GMV "
                    "it really adds beside the GMV last touch credits it with (money in the "
                    "scenario's currency, 95% CI)",
                    ["lever", "spend", "incremental GMV", "95% CI", "last-touch GMV", "ratio",
                     "incremental ROAS", "incremental new customers",
                     "cost per incremental new customer"], rows,
                    numeric={1, 2, 3, 4, 5, 6, 7, 8})]
    if (folder / "interactions.csv").is_file():
        inter = _csv(folder / "interactions.csv")
        parts.append(_table(
            "The parts against the whole: the plan against none of its channels (or "
            "promotions), the sum of each one's increment, and the difference (95% CI)",
            ["levers", "KPI", "whole", "sum of parts", "interaction", "95% CI"],
            [[f"{r['levers']} {r['kind']}s", str(r["kpi"]), kpis.fmt(r["kpi"], r["whole"]),
              kpis.fmt(r["kpi"], r["sum_of_parts"]), kpis.fmt(r["kpi"], r["interaction"]),
              f"[{kpis.fmt(r['kpi'], r['interaction_low'])}, "
              f"{kpis.fmt(r['kpi'], r['interaction_high'])}]"]
             for r in inter.to_dict("records")], numeric={2, 3, 4, 5}))
    return "".join(parts)


def _curves(folder: Path) -> str:
    """Per curve, the marginal ROAS at the plan and where marginal profit reaches zero
    (``curves_summary.csv``); the points are in ``curves.csv`` and the plot."""
    def money(x: Any) -> str:
        return kpis.fmt("gmv", x)

    frame = _csv(folder / "curves_summary.csv")
    rows = [[f"{r['lever']} ({r['kind']})", money(r["current"]),
             "–" if pd.isna(r["marginal_roas"]) else
             f"{r['marginal_roas']:.2f} [{r['marginal_roas_low']:.2f}, "
             f"{r['marginal_roas_high']:.2f}]", money(r["profit_turning_spend"])]
            for r in frame.to_dict("records")]
    return _table("Each lever moved from 0 to a multiple of the plan, the rest held, on the "
                  "same seeds: the marginal ROAS at the planned spend (95% CI) and the spend "
                  "where the marginal profit reaches zero (0: the first unit already loses)",
                  ["lever", "planned spend or depth", "marginal ROAS at the plan",
                   "marginal profit 0 at"], rows, numeric={1, 2, 3})
