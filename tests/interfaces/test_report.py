"""`growthsim report` and `--report`: one self-contained HTML page per output folder.

The commands run in this process through the CLI's own entry point (as in
tests/interfaces/test_cli_optimize.py) on 2,000 shoppers and 20 days, which keeps them to a few
seconds. The page is checked as text (every PNG embedded, nothing loaded from elsewhere,
the KPI table, the plans) and, when a Chromium is installed, in a real headless browser:
every image decodes, nothing overflows a narrow window, no script error.
"""

from __future__ import annotations

import base64
import html
import io
import json
import re
import shutil
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

import scenarios
import sim
from interfaces import cli
from interfaces.report import CAPTIONS, write_report
from sim._io import strategy_to_yaml

SMALL = ["--population", "2000", "--days", "20"]


def _cli(*args: str) -> tuple[int, str, str]:
    """Run ``growthsim ARGS`` in this process: exit code, stdout, stderr."""
    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as mp, redirect_stdout(out), redirect_stderr(err):
        mp.setattr(sys, "argv", ["growthsim", *args])
        try:
            cli.main()
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("run")
    code, stdout, err = _cli("run", "baseline", "--seeds", "2", *SMALL, "--seed", "5",
                             "--out", str(out), "--report")
    assert code == 0, err
    assert f"Wrote {out / 'report.html'}" in stdout
    return out


def _pngs(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.png"))


def _assert_self_contained(page: str, folder: Path) -> None:
    """Every PNG of the folder is in the page as a data URI, and the page loads nothing."""
    pngs = _pngs(folder)
    assert pngs, "the folder should have plots"
    for png in pngs:
        uri = "data:image/png;base64," + base64.b64encode(png.read_bytes()).decode()
        assert f'src="{uri}"' in page, f"{png.name} is not embedded"
    sources = re.findall(r'src="([^"]*)"', page)
    assert len(sources) == len(pngs)
    assert all(s.startswith("data:image/png;base64,") for s in sources)
    for banned in ("http://", "https://", "<script", "<link", "url(", "@import", "file:"):
        assert banned not in page, f"the page refers to something outside it: {banned}"
    assert len(re.findall(r"<img ", page)) == len(pngs)


# ---------------------------------------------------------------- run


def test_run_report_embeds_every_png_and_loads_nothing(run_dir: Path) -> None:
    page = (run_dir / "report.html").read_text(encoding="utf-8")
    _assert_self_contained(page, run_dir)
    assert {"gmv_orders.png", "channels.png", "lifecycle.png", "funnel.png",
            "customers.png"} <= {p.name for p in _pngs(run_dir)}
    assert CAPTIONS["gmv_orders"] in page  # a sentence, not just the file name
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "<title>baseline: growthsim run</title>" in page


def test_run_report_has_the_kpi_table_with_means_and_intervals(run_dir: Path) -> None:
    page = (run_dir / "report.html").read_text(encoding="utf-8")
    kpis = json.loads((run_dir / "summary.json").read_text())["kpis"]
    gmv = kpis["gmv"]
    assert "<td>GMV</td>" in page
    # money with thousands separators, the CI as "low – high"
    assert f'<td class="num">{gmv["mean"]:,.0f}</td>' in page
    assert f"{gmv['ci_low']:,.0f} – {gmv['ci_high']:,.0f}" in page
    assert gmv["mean"] > 1_000_000 and f"{gmv['mean']:,.0f}".count(",") >= 2
    # shares as percentages
    assert f"{kpis['conversion_rate']['mean']:.2%}" in page
    assert "money in CNY" in page
    # per-channel totals
    for channel in ("search", "social", "affiliate", "organic"):
        assert f"<td>{channel}</td>" in page


def test_run_report_shows_the_plan_and_the_scenario_as_yaml(run_dir: Path) -> None:
    page = (run_dir / "report.html").read_text(encoding="utf-8")
    strategy = (run_dir / "strategy.yaml").read_text(encoding="utf-8")
    scenario = (run_dir / "scenario.yaml").read_text(encoding="utf-8")
    assert f"<pre>{html.escape(strategy)}</pre>" in page
    assert f"<pre>{html.escape(scenario)}</pre>" in page
    assert "budget:" in strategy and "shares:" in strategy


def test_scenario_yaml_is_the_scenario_that_ran(run_dir: Path) -> None:
    """--population, --days, --seed and --seeds are in the saved scenario, so it runs the
    same world the same number of times."""
    saved = scenarios.load(run_dir / "scenario.yaml")
    ran = scenarios.load("baseline").with_population(2000).with_first_days(20).with_overrides(
        {"seed": 5, "seeds": 2})
    assert saved == ran


@pytest.mark.slow
def test_saved_scenario_alone_reproduces_the_run(run_dir: Path, tmp_path: Path) -> None:
    """No option needed: the seed count and the plan are in scenario.yaml."""
    code, _, err = _cli("run", str(run_dir / "scenario.yaml"), "--out", str(tmp_path))
    assert code == 0, err
    assert (tmp_path / "daily.csv").read_text() == (run_dir / "daily.csv").read_text()
    assert (tmp_path / "scenario.yaml").read_text() == (run_dir / "scenario.yaml").read_text()


@pytest.mark.slow
def test_saved_scenario_of_a_strategy_run_runs_that_strategy(tmp_path: Path) -> None:
    first, again = tmp_path / "first", tmp_path / "again"
    own = scenarios.load("baseline").strategy
    half = tmp_path / "half.yaml"
    half.write_text(strategy_to_yaml(own.model_copy(update={"budget": own.budget / 2})))
    code, _, err = _cli("run", "baseline", "--strategy", str(half), *SMALL, "--seeds", "1",
                        "--out", str(first))
    assert code == 0, err
    code, _, err = _cli("run", str(first / "scenario.yaml"), "--out", str(again))
    assert code == 0, err
    assert (again / "daily.csv").read_text() == (first / "daily.csv").read_text()
    assert (again / "strategy.yaml").read_text() == (first / "strategy.yaml").read_text()


def test_report_command_writes_where_asked_and_atomically(run_dir: Path,
                                                          tmp_path: Path) -> None:
    target = tmp_path / "sub" / "page.html"
    code, stdout, err = _cli("report", str(run_dir), "--out", str(target))
    assert code == 0, err
    assert stdout.strip() == f"Wrote {target}"
    assert target.read_text(encoding="utf-8") == (run_dir / "report.html").read_text(
        encoding="utf-8")
    assert [p.name for p in target.parent.iterdir()] == ["page.html"]  # no temporary left
    assert not [p for p in run_dir.iterdir() if p.name.startswith(".")]
    assert write_report(run_dir) == run_dir / "report.html"


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize("case", ["missing", "empty", "file", "unrelated"])
def test_report_on_a_folder_without_outputs_exits_2_with_one_sentence(
        case: str, tmp_path: Path) -> None:
    folder = tmp_path / "out"
    if case == "empty":
        folder.mkdir()
    elif case == "file":
        folder.write_text("not a folder")
    elif case == "unrelated":
        folder.mkdir()
        (folder / "notes.txt").write_text("hello")
    code, stdout, err = _cli("report", str(folder))
    assert code == 2
    assert stdout == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {folder}: "), err
    assert "Traceback" not in err
    assert not (tmp_path / "out" / "report.html").exists()
    with pytest.raises(sim.InputError):
        write_report(folder)


def test_report_out_naming_a_folder_exits_2(run_dir: Path, tmp_path: Path) -> None:
    code, _, err = _cli("report", str(run_dir), "--out", str(tmp_path))
    assert code == 2
    assert err.strip() == f"error: {tmp_path}: is a folder; give a file name such as report.html"


# ---------------------------------------------------------------- hand-made folders


def test_names_from_the_files_are_escaped_and_a_fake_png_is_left_out(tmp_path: Path) -> None:
    (tmp_path / "compare.csv").write_text(
        "kpi,strategy,mean,ci_low,ci_high,diff_mean,diff_ci_low,diff_ci_high,significant\n"
        "gmv,<b>plan</b>,100,90,110,,,,\n"
        "gmv,deep & wide,130,120,140,30,20,40,True\n"
        "gift_cost,<b>plan</b>,0,0,0,,,,\n"
        "gift_cost,deep & wide,0,0,0,0,0,0,False\n")
    (tmp_path / "broken.png").write_bytes(b"GIF89a not a png")
    page = write_report(tmp_path).read_text(encoding="utf-8")
    assert "&lt;b&gt;plan&lt;/b&gt;" in page and "<b>plan</b>" not in page
    assert "deep &amp; wide" in page
    assert '<span class="diff sig">Δ +30</span><span class="diff sig">[20, 40]</span>' in page
    assert "Gift cost" not in page  # unused mechanisms are left out, as in the terminal
    assert "broken.png is not a PNG image; left out" in page and "<img" not in page


def test_a_hand_made_run_summary_gives_kpis_stock_and_leaves_out_unused_kpis(
        tmp_path: Path) -> None:
    nan = float("nan")
    summary = {
        "scenario": "shop", "currency": "EUR", "days": 30, "seeds": 3,
        "population": {"size": 1000, "scale": 50},
        "kpis": {"gmv": {"mean": 1234567.8, "ci_low": 1200000.0, "ci_high": 1300000.0},
                 "gross_margin": {"mean": 0.4123, "ci_low": 0.4, "ci_high": 0.42},
                 "gift_cost": {"mean": 0.0, "ci_low": 0.0, "ci_high": 0.0},
                 "fill_rate": {"mean": nan, "ci_low": nan, "ci_high": nan}},
        "channels": {}, "promotions": {},
        "inventory": {"fashion": {"demand_units": 5000.0, "fill_rate": 0.9, "turns": 4.25}},
    }
    (tmp_path / "summary.json").write_text(json.dumps(summary))
    page = write_report(tmp_path).read_text(encoding="utf-8")
    assert "<title>shop: growthsim run</title>" in page
    assert "30 days · 3 seeds · 1,000 simulated shoppers standing for 50,000 · money in EUR" \
        in page
    assert '<td class="num">1,234,568</td>' in page and "1,200,000 – 1,300,000" in page
    assert "41.23%" in page and "40.00% – 42.00%" in page
    assert "Gift cost" not in page and "Fill rate" not in page  # zero or undefined: unused
    assert "<td>fashion</td>" in page and '<td class="num">90.0%</td>' in page
    assert '<td class="num">5,000</td><td class="num">90.0%</td><td class="num">4.2</td>' in page
    assert "No PNG figures in this folder." in page


# ---------------------------------------------------------------- compare, decompose, optimize


@pytest.mark.slow
def test_compare_report_shows_the_paired_differences_and_both_plans(run_dir: Path,
                                                                    tmp_path: Path) -> None:
    code, stdout, err = _cli("compare", "baseline", "--strategy", str(run_dir / "strategy.yaml"),
                             "--seeds", "2", *SMALL, "--out", str(tmp_path), "--report")
    assert code == 0, err
    assert f"Wrote {tmp_path / 'report.html'}" in stdout
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    _assert_self_contained(page, tmp_path)
    assert "compare_gmv.png" in page and "Strategies compared" in page
    assert "<th class=\"num\">scenario plan</th>" in page and ">strategy</th>" in page
    strategies = (tmp_path / "strategies.yaml").read_text(encoding="utf-8")
    assert strategies.startswith("scenario plan:") and "\nstrategy:\n" in strategies
    assert html.escape(strategies) in page
    # the same plan on the same seeds: every difference is exactly zero, never significant
    assert 'class="diff sig"' not in page and "Δ +0</span>" in page


@pytest.mark.slow
def test_decompose_report_shows_the_components(tmp_path: Path) -> None:
    code, _, err = _cli("decompose", "weekly_flash_sale", "--seeds", "2", *SMALL,
                        "--out", str(tmp_path), "--report")
    assert code == 0, err
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    _assert_self_contained(page, tmp_path)
    for component in ("bump gmv", "net incremental profit", "discount cost"):
        assert f"<td>{component}</td>" in page


@pytest.mark.slow
def test_optimize_report_shows_trials_the_check_and_the_best_plan(tmp_path: Path) -> None:
    code, stdout, err = _cli("optimize", "baseline", "--population", "2000", "--days", "10",
                             "--seeds", "1", "--trials", "3", "--check-seeds", "2",
                             "--out", str(tmp_path), "--report")
    assert code == 0, err
    assert f"Wrote {tmp_path / 'report.html'}" in stdout
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    _assert_self_contained(page, tmp_path)
    assert "3 trials (3 complete); objective: gmv" in page
    assert ">equal split</th>" in page and ">scenario plan</th>" in page
    best = (tmp_path / "best_strategy.yaml").read_text(encoding="utf-8")
    assert f"<pre>{html.escape(best)}</pre>" in page
    assert "study.journal" in page  # listed among the folder's files, not embedded


# ---------------------------------------------------------------- a real browser

CHROMIUM = next((p for p in map(shutil.which, ("chromium", "chromium-browser",
                                               "google-chrome")) if p), None)
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium binary on PATH (CI installs it with "
                             ".ci/chromium.sh; apt-get install chromium)")

#: Appended to a copy of the page: after load, writes what the browser saw into <div id=check>.
_CHECK = """<script>
window.addEventListener("load", () => {
  const imgs = Array.from(document.images);
  const out = {
    images: imgs.length,
    broken: imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.alt),
    wider_than_their_box: imgs.filter(
      i => i.getBoundingClientRect().width > i.parentElement.clientWidth + 0.5).length,
    page_overflow: document.documentElement.scrollWidth - window.innerWidth,
    tables: document.querySelectorAll("table").length,
    fetched: performance.getEntriesByType("resource").map(e => e.name),
  };
  const div = document.createElement("div");
  div.id = "check";
  div.textContent = JSON.stringify(out);
  document.body.appendChild(div);
  console.log("report-check-done");
});
</script>"""


def _chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    return subprocess.run(
        [CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu",
         "--disable-dev-shm-usage", f"--user-data-dir={tmp_path / 'profile'}",
         "--enable-logging=stderr", "--v=0", *args],
        capture_output=True, text=True, timeout=120,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})


@needs_chromium
@pytest.mark.slow
def test_every_image_decodes_and_fits_in_a_real_browser(run_dir: Path, tmp_path: Path) -> None:
    page = (run_dir / "report.html").read_text(encoding="utf-8")
    probe = tmp_path / "probe.html"
    probe.write_text(page.replace("</body>", _CHECK + "</body>"), encoding="utf-8")
    proc = _chromium(tmp_path, "--virtual-time-budget=10000", "--window-size=800,600",
                     "--dump-dom", probe.as_uri())
    assert proc.returncode == 0, proc.stderr[-2000:]
    found = re.search(r'<div id="check">(.*?)</div>', proc.stdout)
    assert found, f"the check did not run; stderr: {proc.stderr[-2000:]}"
    check = json.loads(html.unescape(found.group(1)))
    assert check["images"] == len(_pngs(run_dir)) >= 5
    assert check["broken"] == []
    assert check["wider_than_their_box"] == 0  # max-width: 100% at an 800 px window
    assert check["page_overflow"] <= 0  # wide tables scroll in their own box
    assert check["tables"] >= 2
    assert check["fetched"] == []  # nothing loaded from anywhere
    # the browser's console reaches us (the probe's own message), and it saw no error
    assert "report-check-done" in proc.stderr
    assert "Uncaught" not in proc.stderr


@needs_chromium
@pytest.mark.slow
def test_the_rendered_page_is_not_blank(run_dir: Path, tmp_path: Path) -> None:
    from PIL import Image

    shot = tmp_path / "report.png"
    proc = _chromium(tmp_path, "--hide-scrollbars", "--window-size=1280,2400",
                     f"--screenshot={shot}", (run_dir / "report.html").as_uri())
    assert proc.returncode == 0 and shot.exists(), proc.stderr[-2000:]
    with Image.open(shot) as image:
        assert image.size == (1280, 2400)
        colours = image.convert("RGB").getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) > 200  # text, tables and plots, not a void
