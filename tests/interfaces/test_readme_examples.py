"""The README's command-line examples work as printed: the quoted commands run and print
what the README shows, and every strategy file a README command names is shipped."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

import scenarios
from interfaces.cli import app
from sim._io import load_strategy_file

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
SECTION = README.split("\n## Command line\n", 1)[1].split("\n## ", 1)[0]


def _examples() -> list[tuple[str, str]]:
    """(command, what it prints) for each ``$ growthsim ...`` in the section's text blocks;
    a line ``...`` in the shown output stands for any lines."""
    pairs = []
    for block in re.findall(r"```text\n(.*?)```", SECTION, re.S):
        for chunk in re.split(r"^\$ ", block, flags=re.M)[1:]:
            command, _, shown = chunk.partition("\n")
            pairs.append((command, shown))
    return pairs


EXAMPLES = _examples()


def test_the_section_quotes_the_examples() -> None:
    commands = [c.split()[1] for c, _ in EXAMPLES]
    assert commands.count("validate") == 3 and commands.count("compare") == 1
    assert commands.count("decompose") == 1


@pytest.mark.parametrize(("command", "shown"), EXAMPLES, ids=[c[:60] for c, _ in EXAMPLES])
def test_a_quoted_command_prints_what_the_readme_shows(command: str, shown: str,
                                                       tmp_path: Path) -> None:
    args = shlex.split(command)
    assert args[0] == "growthsim"
    # the same relative paths as from the repository's folder; outputs land in tmp_path
    for name in ("scenarios", "tests"):
        (tmp_path / name).symlink_to(ROOT / name)
    run = subprocess.run([sys.executable, "-m", "interfaces.cli", *args[1:]], cwd=tmp_path,
                         capture_output=True, text=True, timeout=120,
                         env=os.environ | {"PYTHONPATH": str(ROOT), "COLUMNS": "200"})
    printed = run.stdout + run.stderr
    pattern = "".join("(?:.*\n)*?" if line == "..." else re.escape(line) + "\n"
                      for line in shown.splitlines())
    assert re.fullmatch(pattern, printed), printed
    assert run.returncode == (2 if shown.startswith("error: ") else 0)


def test_the_usage_block_names_only_real_commands() -> None:
    usage = re.search(r"```bash\n(.*?)```", SECTION, re.S)
    assert usage is not None
    named = set(re.findall(r"^growthsim (\w+)", usage.group(1), re.M))
    registered = {c.name or c.callback.__name__ for c in app.registered_commands}
    assert named <= registered and len(named) >= 7
    assert "dashboard" in named


STRATEGIES = sorted(set(re.findall(r"growthsim compare ([a-z0-9_]+)[^\n`]*?--strategy (\S+\.yaml)",
                                   README)))


def test_the_readme_names_shipped_strategy_files() -> None:
    assert ("double11", "scenarios/strategies/double11_deeper_discount.yaml") in STRATEGIES
    assert len(STRATEGIES) >= 3


@pytest.mark.parametrize(("scenario", "path"), STRATEGIES)
def test_every_strategy_file_a_readme_compare_names_is_valid(scenario: str, path: str) -> None:
    plan = load_strategy_file(ROOT / path, scenarios.load(scenario))
    assert sum(plan.shares.values()) == pytest.approx(1.0)
