"""What the report reads from an output folder: its PNG figures, its YAML plans, and its
JSON and CSV files (each failure to read one is an ``InputError``)."""

from __future__ import annotations

import base64
import json
import struct
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from interfaces.report._html import _e
from sim._io import InputError

#: A sentence per PNG the commands write, in the order the page shows them; any other
#: PNG in the folder follows, captioned by its file name.
CAPTIONS = {
    "backtest": "The back-test: the calibration period's customers after the calibration "
                "date, week by week: the log, the simulation with the band where one "
                "realisation falls, and the BG/NBD closed form.",
    "diagnostics": "Customers by repeat purchases in the calibration period, actual against "
                   "BG/NBD; mean repeat purchases after the calibration date by calibration "
                   "frequency, actual against BG/NBD and the simulation.",
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
    "incrementality": "Per channel, the GMV last touch credits it with beside the GMV it "
                      "really adds (the plan without it on the same seeds, 95% CI); per "
                      "promotion, what it adds.",
    "curves": "Response curves: GMV and profit against the plan as one lever moves, the "
              "rest held, on paired seeds (95% bands); the plan dashed, where marginal "
              "profit reaches zero dotted.",
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

#: YAML files shown as text, with what they are; other YAML files follow by name.
_YAML = {"strategy.yaml": "The plan that was run (re-run it with growthsim run --strategy).",
         "best_strategy.yaml": "The best plan found (run it with growthsim run --strategy).",
         "strategies.yaml": "The strategies compared, by name."}

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


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

