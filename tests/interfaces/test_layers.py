"""The interfaces are the top layer: the engine and the optimiser load none of them, and
importing the plots leaves matplotlib's backend to the notebook or script that draws."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


def _modules_after(code: str) -> dict[str, object]:
    """Run ``code`` in a fresh interpreter; which modules it loaded, and the backend."""
    probe = (f"{code}\nimport json, sys\n"
             "mpl = sys.modules.get('matplotlib')\n"
             "backend = mpl.rcParams._get_backend_or_none() if mpl else None\n"
             "print(json.dumps({'modules': sorted(sys.modules), 'backend': backend}))")
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=120, check=True)
    return json.loads(proc.stdout.splitlines()[-1])


def test_engine_and_optimiser_load_no_interface() -> None:
    loaded = _modules_after("import sim, scenarios, optimize, agents")["modules"]
    assert isinstance(loaded, list)
    for top in ("interfaces", "typer", "rich", "matplotlib"):
        assert not [m for m in loaded if m == top or m.startswith(f"{top}.")], top


@pytest.mark.parametrize("code", ["from interfaces import plots",
                                  "from interfaces.plots import study",
                                  "import interfaces.report, interfaces.cli"])
def test_importing_the_interfaces_selects_no_backend(code: str) -> None:
    assert _modules_after(code)["backend"] is None


def test_the_command_draws_with_agg_unless_a_backend_was_chosen() -> None:
    assert _modules_after("from interfaces.cli import _draw_to_files\n"
                          "_draw_to_files()")["backend"] == "Agg"
