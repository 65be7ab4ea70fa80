"""The README's ``growthsim calibrate`` example prints what the README shows."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _section() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return readme.split("## Calibrate to your own shop", 1)[1].split("\n## ", 1)[0]


@pytest.mark.slow
def test_the_readme_calibrate_command_prints_what_it_shows(tmp_path: Path) -> None:
    section = _section()
    commands = re.search(r"```bash\n(.*?)```", section, re.S)
    shown = re.search(r"```text\n(.*?)```", section, re.S)
    assert commands is not None and shown is not None
    first = commands.group(1).replace("\\\n", " ").splitlines()[0]
    args = shlex.split(first)
    assert args[:2] == ["growthsim", "calibrate"]
    # the same relative paths as from the repository root, written into tmp_path
    (tmp_path / "tests" / "data").mkdir(parents=True)
    (tmp_path / "tests" / "data" / "cdnow").symlink_to(ROOT / "tests" / "data" / "cdnow")
    run = subprocess.run([sys.executable, "-m", "interfaces.cli", *args[1:]], cwd=tmp_path,
                         capture_output=True, text=True, timeout=300,
                         env=os.environ | {"PYTHONPATH": str(ROOT)})
    assert run.returncode == 0, run.stderr
    assert run.stdout == shown.group(1)
    assert (tmp_path / "my_shop" / "scenario.yaml").is_file()
    # the second command runs the calibrated shop
    second = shlex.split(commands.group(1).replace("\\\n", " ").splitlines()[1])
    assert second[:3] == ["growthsim", "run", "my_shop/scenario.yaml"]
    again = subprocess.run([sys.executable, "-m", "interfaces.cli", *second[1:], "--days",
                            "14", "--out", "run"], cwd=tmp_path, capture_output=True,
                           text=True, timeout=300, env=os.environ | {"PYTHONPATH": str(ROOT)})
    assert again.returncode == 0, again.stderr
