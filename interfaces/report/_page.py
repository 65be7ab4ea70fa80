"""The page: which commands wrote the folder, the header line, the sections in order,
and writing the file whole."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from interfaces.report._files import _csv, _figures, _json, _plans, _yaml_mapping
from interfaces.report._html import _e
from interfaces.report._sections import (
    _calibration,
    _comparison,
    _curves,
    _decomposition,
    _incrementality,
    _optimization,
    _run_sections,
)
from sim._folder import atomic_write_text
from sim._io import InputError

__all__ = ["write_report"]

#: The files by which a folder is recognised as each command's output, in page order.
_MARKERS = {"calibrate": ("fit.csv",), "run": ("summary.json",), "compare": ("compare.csv",),
            "decompose": ("decomposition.csv",), "incrementality": ("incrementality.csv",),
            "curves": ("curves.csv",),
            "optimize": ("trials.csv", "best_strategy.yaml")}


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
    """Render an output folder of ``growthsim calibrate``/``run``/``compare``/``decompose``/
    ``optimize``
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
                                            "compare.csv, decomposition.csv, "
                                            "incrementality.csv, curves.csv, trials.csv or "
                                            "fit.csv); "
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



def _page(folder: Path, kinds: list[str]) -> str:
    scenario = _yaml_mapping(folder / "scenario.yaml")
    summary = _json(folder / "summary.json") if "run" in kinds else {}
    name = str(scenario.get("name") or summary.get("scenario") or folder.resolve().name)
    title = f"{name}: growthsim {', '.join(kinds)}"
    sections: list[tuple[str, str, str]] = []
    if "calibrate" in kinds:
        sections.append(("calibrate", "Calibration", _calibration(folder)))
    if "run" in kinds:
        sections += _run_sections(folder, summary)
    if "compare" in kinds:
        sections.append(("compare", "Strategies compared", _comparison(
            folder / "compare.csv", "Each KPI per strategy: mean over the same seeds "
            "(common random numbers)")))
    if "decompose" in kinds:
        sections.append(("decompose", "Promotion effect", _decomposition(folder)))
    if "incrementality" in kinds:
        sections.append(("incrementality", "What each lever really adds",
                         _incrementality(folder)))
    if "curves" in kinds:
        sections.append(("curves", "Response curves", _curves(folder)))
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

