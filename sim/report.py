"""One output folder as one HTML page that can be mailed, archived or opened offline.

``write_report(directory)`` reads what ``growthsim run``, ``compare``, ``decompose`` and
``optimize`` wrote into a folder and writes ``report.html``: the KPI tables with their 95%
intervals, every PNG of the folder embedded as a ``data:`` URI, and the scenario and plans
as YAML. The page loads nothing from anywhere (no external CSS, scripts, fonts or images):
a report that needs its folder next to it breaks the first time it is attached to an
e-mail.
"""

from __future__ import annotations

import base64
import html
import json
import math
import struct
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from sim._format import ALWAYS_SHOWN, STOCK_HEADS, format_kpi, format_stock
from sim._io import InputError, atomic_write_text

__all__ = ["CAPTIONS", "write_report"]

#: A sentence per PNG the commands write, in the order the page shows them; any other
#: PNG in the folder follows, captioned by its file name.
CAPTIONS = {
    "gmv_orders": "GMV and orders per day with a 95% band; event phases shaded.",
    "channels": "Spend and attributed GMV per channel, with ROAS.",
    "funnel": "Reach, visits, orders and new customers per channel.",
    "lifecycle": "Shoppers per lifecycle stage over time.",
    "promotions": "The promotion calendar, what the offers cost per day, presale deposits "
                  "and completions.",
    "customers": "Retention by acquisition month and by source, referrals per day, CAC by "
                 "source and value per customer by segment.",
    "loyalty": "Members per loyalty tier over time, the points liability, points issued and "
               "redeemed.",
    "inventory": "Units on hand per category with reorders and arrivals, stock-out days "
                 "shaded; lost GMV per category with its fill rate and days of cover.",
    "compare_gmv": "Daily GMV per strategy on the same seeds; promotion windows shaded.",
    "decomposition": "The promotion effect split into the bump, the GMV lost afterwards and "
                     "the net incremental GMV and profit.",
    "optimization_history": "The objective of each trial and the best feasible value so far; "
                            "pruned trials at their running mean when stopped.",
    "pareto_front": "Every feasible trial on the two objectives; the non-dominated front "
                    "highlighted.",
    "importances": "Which levers separate the best trials from the rest (PED-ANOVA).",
    "allocation": "Budget per channel: the best plan, the scenario's own plan and an equal "
                  "split.",
    "promotion_timing": "When each promotion runs and how deep it is: the best plan against "
                        "the scenario's plan.",
}

#: The files by which a folder is recognised as each command's output, in page order.
_MARKERS = {"run": ("summary.json",), "compare": ("compare.csv",),
            "decompose": ("decomposition.csv",), "optimize": ("trials.csv", "best_strategy.yaml")}

#: YAML files shown as text, with what they are; other YAML files follow by name.
_YAML = {"strategy.yaml": "The plan that was run (re-run it with growthsim run --strategy).",
         "best_strategy.yaml": "The best plan found (run it with growthsim run --strategy).",
         "strategies.yaml": "The strategies compared, by name."}

_ACRONYMS = {"gmv": "GMV", "aov": "AOV", "roas": "ROAS", "roi": "ROI", "cac": "CAC",
             "cogs": "COGS"}
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

_CSS = """
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
       sans-serif; color: #1f2328; max-width: 1100px; margin: 2rem auto; padding: 0 1.25rem; }
h1 { font-size: 1.7rem; margin: 0 0 .25rem; }
h2 { font-size: 1.3rem; margin: 2.2rem 0 .6rem; padding-bottom: .25rem;
     border-bottom: 1px solid #d0d7de; }
.meta, .muted, figcaption { color: #57606a; }
.meta { margin-top: 0; }
nav { font-size: 14px; margin: 1rem 0; }
nav a { color: #0969da; margin-right: 1rem; text-decoration: none; }
.table-wrap { overflow-x: auto; margin: .4rem 0 1.4rem; }
table { border-collapse: collapse; font-size: 14px; font-variant-numeric: tabular-nums; }
.caption { font-weight: 600; margin: 1rem 0 .35rem; }
th, td { padding: .3rem .6rem; border-bottom: 1px solid #d0d7de; vertical-align: top; }
th { background: #f6f8fa; text-align: left; white-space: nowrap; }
tbody tr:nth-child(even) { background: #fafbfc; }
.num, td:first-child { white-space: nowrap; }
.num { text-align: right; }
.diff { display: block; font-size: 12.5px; }
.sig { font-weight: 600; }
.ns { color: #6e7781; }
figure { margin: 1.2rem 0 2rem; }
img { display: block; box-sizing: border-box; max-width: 100%; height: auto;
      border: 1px solid #eaeef2; }
figcaption { font-size: 14px; margin-top: .4rem; }
pre { background: #f6f8fa; border-radius: 6px; padding: .8rem 1rem; overflow: auto;
      font-size: 12.5px; line-height: 1.4; max-height: 36rem; }
summary { cursor: pointer; font-weight: 600; }
@media print { pre { max-height: none; } nav { display: none; } }
"""


def write_report(directory: str | Path, out: str | Path | None = None) -> Path:
    """Render an output folder of ``growthsim run``/``compare``/``decompose``/``optimize``
    into one self-contained HTML file.

    Args:
        directory: the folder the command wrote (its ``--out``).
        out: the HTML file to write; default ``directory/report.html``. Written whole
            (a temporary file moved into place), so a reader never sees half a page.

    Returns:
        The path written.

    Raises:
        sim.InputError: the folder is missing, is a file, holds no growthsim outputs, or
            ``out`` cannot be written; the message is one sentence.
    """
    folder = Path(directory)
    if not folder.exists():
        raise InputError(str(folder), None, "no such folder; give the --out folder of a "
                                            "growthsim run, compare, decompose or optimize")
    if not folder.is_dir():
        raise InputError(str(folder), None, "is a file, not a folder of growthsim outputs")
    kinds = [k for k, files in _MARKERS.items() if any((folder / f).is_file() for f in files)]
    if not kinds:
        raise InputError(str(folder), None, "holds no growthsim outputs (summary.json, "
                                            "compare.csv, decomposition.csv or trials.csv); "
                                            "run a command with --out there first")
    target = folder / "report.html" if out is None else Path(out)
    if target.is_dir():
        raise InputError(str(target), None, "is a folder; give a file name such as "
                                            "report.html")
    page = _page(folder, kinds)
    try:
        atomic_write_text(target, page)
    except OSError as exc:
        raise InputError(str(target), None, f"cannot be written ({exc.strerror or exc})") \
            from None
    return target


# ---------------------------------------------------------------- the page


def _page(folder: Path, kinds: list[str]) -> str:
    scenario = _yaml_mapping(folder / "scenario.yaml")
    summary = _json(folder / "summary.json") if "run" in kinds else {}
    name = str(scenario.get("name") or summary.get("scenario") or folder.resolve().name)
    title = f"{name}: growthsim {', '.join(kinds)}"
    sections: list[tuple[str, str, str]] = []
    if "run" in kinds:
        sections += _run_sections(folder, summary)
    if "compare" in kinds:
        sections.append(("compare", "Strategies compared", _comparison(
            folder / "compare.csv", "Each KPI per strategy: mean over the same seeds "
            "(common random numbers)")))
    if "decompose" in kinds:
        sections.append(("decompose", "Promotion effect", _decomposition(folder)))
    if "optimize" in kinds:
        sections.append(("optimize", "Optimisation", _optimization(folder)))
    sections.append(("figures", "Figures", _figures(folder)))
    sections.append(("plans", "Scenario and plans", _plans(folder)))
    nav = "".join(f'<a href="#{sid}">{_e(head)}</a>' for sid, head, _ in sections)
    body = "".join(f'<section id="{sid}"><h2>{_e(head)}</h2>{content}</section>'
                   for sid, head, content in sections)
    description = str(scenario.get("description") or "").strip()
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        f"<header><h1>{_e(title)}</h1>"
        f'<p class="meta">{_e(_meta(folder, kinds, scenario, summary))}</p>'
        + (f"<p>{_e(description)}</p>" if description else "")
        + f"<nav>{nav}</nav></header>\n<main>{body}</main>\n"
        f'<footer class="meta"><p>Written by growthsim report from {_e(str(folder))}/: '
        f"{_e(', '.join(sorted(p.name for p in folder.iterdir() if _listed(p))))}.</p>"
        "</footer>\n</body>\n</html>\n")


def _meta(folder: Path, kinds: list[str], scenario: dict[str, Any],
          summary: dict[str, Any]) -> str:
    """One line on what was simulated: horizon, seeds, population, currency."""
    horizon = scenario.get("horizon") or {}
    population = summary.get("population") or scenario.get("population") or {}
    days = summary.get("days") or horizon.get("days")
    parts = []
    if days:
        start = f" from {horizon['start']}" if horizon.get("start") else ""
        parts.append(f"{days} days{start}")
    seeds = summary.get("seeds") or _seeds(folder / "compare_daily.csv")
    if seeds:
        parts.append(f"{seeds} seeds" + (" shared by every strategy"
                                          if "compare" in kinds and "run" not in kinds else ""))
    if population.get("size"):
        size, scale = int(population["size"]), float(population.get("scale", 1))
        parts.append(f"{size:,} simulated shoppers standing for {size * scale:,.0f}")
    currency = summary.get("currency") or scenario.get("currency")
    if currency:
        parts.append(f"money in {currency}")
    return " · ".join(parts) or f"outputs in {folder}"


def _seeds(path: Path) -> int | None:
    if not path.is_file():
        return None
    return int(_csv(path, usecols=["seed"])["seed"].nunique())


def _listed(path: Path) -> bool:
    """Outputs worth naming: not hidden scratch files, not this or an earlier report."""
    return path.is_file() and not path.name.startswith(".") and path.suffix != ".html"


# ---------------------------------------------------------------- tables


def _run_sections(folder: Path, summary: dict[str, Any]) -> list[tuple[str, str, str]]:
    currency = str(summary.get("currency", ""))
    seeds = summary.get("seeds", "?")
    rows = []
    for kpi, v in (summary.get("kpis") or {}).items():
        if _unused(kpi, [v["mean"], v["ci_low"], v["ci_high"]]):
            continue
        rows.append([_label(kpi), format_kpi(kpi, v["mean"]), _interval(kpi, v)])
    sections = [("kpis", "Key figures", _table(
        f"KPIs over the horizon: mean of {seeds} seeds and 95% confidence interval"
        + (f" (money in {currency})" if currency else ""),
        ["KPI", "mean", "95% CI"], rows, numeric={1, 2}))]
    cols = ["spend", "reach", "visits", "orders", "new_customers", "gmv", "roas", "cac",
            "conversion_rate"]
    channels = summary.get("channels") or {}
    if channels:
        shown = [c for c in cols if c in next(iter(channels.values()))]
        rows = [[ch, *(format_kpi(c, v[c]) for c in shown)] for ch, v in channels.items()]
        sections.append(("channels", "By channel", _table(
            "Last-touch attribution, mean over seeds ('organic' is no channel)",
            ["channel", *map(_label, shown)], rows, numeric=set(range(1, len(shown) + 1)))))
    promotions = summary.get("promotions") or {}
    if promotions:
        kinds = {p.get("name"): p.get("kind", "") for p in
                 _yaml_mapping(folder / "strategy.yaml").get("promotions") or []}
        rows = [[name, str(kinds.get(name, "")), format_kpi("orders", v["orders"]),
                 format_kpi("discount_cost", v["discount_cost"]),
                 format_kpi("loyalty_cost", v["loyalty_cost"])]
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
    rows = [[cat, *(format_stock(c, v[c]) for c in cols)] for cat, v in inventory.items()]
    return _table("Per category with a stock plan, mean over seeds (units; shares of demand "
                  "served as asked, by a substitute, lost" + (f"; money in {currency})"
                                                               if currency else ")"),
                  ["category", *(STOCK_HEADS.get(c, c.replace("_", " ")) for c in cols)], rows,
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
        row = [_e(_label(kpi))]
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
    text = _e(format_kpi(kpi, r["mean"]))
    if _missing(r.get("diff_mean")):
        return text
    cls = "sig" if str(r.get("significant")) == "True" else "ns"
    ci = f"[{format_kpi(kpi, r['diff_ci_low'])}, {format_kpi(kpi, r['diff_ci_high'])}]"
    return (f'{text}<span class="diff {cls}">Δ {_e(_signed(kpi, r["diff_mean"]))}</span>'
            f'<span class="diff {cls}">{_e(ci)}</span>')


def _decomposition(folder: Path) -> str:
    frame = _csv(folder / "decomposition.csv")
    rows = [[str(r["component"]).replace("_", " "), format_kpi("gmv", r["mean"]),
             _interval("gmv", r),
             f"{r['share_of_bump']:.0%}"]
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
    rows = [[str(int(r["trial"])), *(format_kpi(o, r[o]) for o in objectives),
             *(format_kpi(k, r[f"kpi:{k}"]) for k in extra)] for r in best.to_dict("records")]
    heads = ["trial", *map(_label, objectives), *map(_label, extra)]
    return intro + _table(f"The {len(rows)} best trials run on every seed that meet the "
                          "constraints (mean over the trial's seeds)", heads, rows,
                          numeric=set(range(1, len(heads))))


def _objectives(columns: list[str]) -> list[str]:
    """The objective columns of ``trials.csv``: between ``state`` and ``feasible``."""
    end = columns.index("feasible") if "feasible" in columns else len(columns)
    return [c for c in columns[:end] if c not in ("trial", "state")
            and not c.startswith(("kpi:", "param:"))]


def _table(caption: str, heads: list[str], rows: Iterable[list[str]], *,
           numeric: set[int], escaped: bool = False) -> str:
    """An HTML table; cells are escaped here unless ``escaped`` says they already are."""
    def cell(tag: str, i: int, text: str) -> str:
        cls = ' class="num"' if i in numeric else ""
        return f"<{tag}{cls}>{text if escaped and tag == 'td' else _e(text)}</{tag}>"

    head = "".join(cell("th", i, h) for i, h in enumerate(heads))
    body = "".join("<tr>" + "".join(cell("td", i, c) for i, c in enumerate(row)) + "</tr>"
                   for row in rows)
    return (f'<p class="caption">{_e(caption)}</p><div class="table-wrap"><table>'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>")


# ---------------------------------------------------------------- figures and files


def _figures(folder: Path) -> str:
    pngs = {p.stem: p for p in folder.glob("*.png") if p.is_file()}
    order = [s for s in CAPTIONS if s in pngs] + sorted(s for s in pngs if s not in CAPTIONS)
    parts = []
    for stem in order:
        data = pngs[stem].read_bytes()
        if not data.startswith(_PNG_SIGNATURE) or len(data) < 24:
            parts.append(f'<p class="muted">{_e(pngs[stem].name)} is not a PNG image; '
                         "left out.</p>")
            continue
        width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk comes first
        caption = CAPTIONS.get(stem, stem.replace("_", " ").capitalize() + ".")
        uri = "data:image/png;base64," + base64.b64encode(data).decode("ascii")
        parts.append(f'<figure id="fig-{_e(stem)}"><img src="{uri}" width="{width}" '
                     f'height="{height}" alt="{_e(caption)}"><figcaption><b>'
                     f"{_e(pngs[stem].name)}</b>: {_e(caption)}</figcaption></figure>")
    return "".join(parts) or '<p class="muted">No PNG figures in this folder.</p>'


def _plans(folder: Path) -> str:
    files = {p.name: p for p in folder.glob("*.yaml") if p.is_file()}
    order = [n for n in _YAML if n in files]
    order += sorted(n for n in files if n not in _YAML and n != "scenario.yaml")
    parts = [f"<h3>{_e(n)}</h3><p class=\"muted\">{_e(_YAML.get(n, ''))}</p>"
             f"<pre>{_e(files[n].read_text(encoding='utf-8'))}</pre>" for n in order]
    if "scenario.yaml" in files:
        text = files["scenario.yaml"].read_text(encoding="utf-8")
        lines = text.count("\n")
        parts.append(f"<details><summary>scenario.yaml: the scenario as it was run ({lines} "
                     "lines; growthsim run accepts it as SCENARIO)</summary>"
                     f"<pre>{_e(text)}</pre></details>")
    return "".join(parts) or '<p class="muted">No scenario or plan files in this folder.</p>'


def _json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(str(path), None, f"cannot be read as JSON ({exc})") from None
    return data if isinstance(data, dict) else {}


def _yaml_mapping(path: Path) -> dict[str, Any]:
    """A YAML file as a mapping; {} when absent or not a mapping (the page shows the text)."""
    if not path.is_file():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, yaml.YAMLError):
        return {}
    return data if isinstance(data, dict) else {}


def _csv(path: Path, **kwargs: Any) -> pd.DataFrame:
    try:
        return pd.read_csv(path, **kwargs)
    except (OSError, ValueError) as exc:
        raise InputError(str(path), None, f"cannot be read as a table ({exc})") from None


# ---------------------------------------------------------------- text


def _e(text: str) -> str:
    return html.escape(str(text), quote=True)


def _label(kpi: str) -> str:
    return _ACRONYMS.get(kpi) or kpi.replace("_", " ").capitalize()


def _signed(kpi: str, value: float) -> str:
    text = format_kpi(kpi, value)
    return text if text.startswith(("-", "–")) else f"+{text}"


def _unused(kpi: str, values: list[float]) -> bool:
    """Zero or undefined on every seed: a mechanism the plan does not use (no gifts, no
    presale, no stock), left out as the terminal tables leave it out."""
    return kpi not in ALWAYS_SHOWN and all(v == 0 or _missing(v) for v in values)


def _interval(kpi: str, v: dict[Any, Any]) -> str:
    if _missing(v["ci_low"]) and _missing(v["ci_high"]):
        return "–"
    return f"{format_kpi(kpi, v['ci_low'])} – {format_kpi(kpi, v['ci_high'])}"


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))

