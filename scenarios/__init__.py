"""The shipped scenarios: ``scenarios.load(name_or_path)`` and ``scenarios.names()``."""

from __future__ import annotations

from pathlib import Path

from optimize.levers import ScenarioWithLevers
from sim._io import InputError, load_scenario_file

__all__ = ["load", "names", "path"]

_HERE = Path(__file__).resolve().parent


def names() -> list[str]:
    """Names of the scenarios shipped with growthsim."""
    return sorted(p.stem for p in _HERE.glob("*.yaml"))


def path(name: str) -> Path:
    """The file of a shipped scenario."""
    return _HERE / f"{name}.yaml"


def load(name_or_path: str | Path) -> ScenarioWithLevers:
    """Load a shipped scenario by name (``"double11"``) or any scenario file by path.

    Raises:
        sim.InputError: the file does not exist or is not a valid scenario; the message
            names the file, the field and what is allowed.
    """
    candidate = Path(name_or_path)
    if isinstance(name_or_path, str) and name_or_path in names():
        return load_scenario_file(path(name_or_path), ScenarioWithLevers)
    if candidate.suffix in (".yaml", ".yml") or candidate.exists():
        return load_scenario_file(candidate, ScenarioWithLevers)
    import difflib

    hint = difflib.get_close_matches(str(name_or_path), names(), n=1)
    did = f"; did you mean '{hint[0]}'?" if hint else "."
    raise InputError(str(name_or_path), None,
                     f"is neither a shipped scenario nor a file{did} "
                     f"Shipped scenarios: {', '.join(names())}")
