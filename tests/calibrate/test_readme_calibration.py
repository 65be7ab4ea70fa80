"""The README's calibration snippet runs and prints the numbers the README shows."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_readme_calibration_snippet_prints_what_it_shows() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### The fits on their own", 1)[1].split("\n## ", 1)[0]
    code = re.search(r"```python\n(.*?)```", section, re.S)
    shown = re.search(r"```text\n(.*?)```", section, re.S)
    assert code is not None and shown is not None
    run = subprocess.run([sys.executable, "-c", code.group(1)], cwd=ROOT, check=True,
                         capture_output=True, text=True, timeout=60)
    assert run.stdout == shown.group(1)
