"""Reading scenario and strategy files, and turning every input problem into one sentence.

All files are read here, with a safe YAML loader; everything else gets validated objects.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import ValidationError

from sim.customer_table import input_error_in
from sim.errors import InputError, one_sentence
from sim.schema import Scenario, Strategy, outside_plan, strategy_problems

__all__ = [
    "InputError",
    "load_scenario_file",
    "load_strategy_file",
    "read_yaml",
    "scenario_to_yaml",
    "strategies_to_yaml",
    "strategy_to_yaml",
]

S = TypeVar("S", bound=Scenario)


class _Loader(yaml.SafeLoader):
    """Safe YAML without implicit timestamps: dates reach pydantic as text, so an
    impossible date (30 February) is a field error, not a crash inside the parser."""


_Loader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}


def read_yaml(path: str | Path) -> dict[str, Any]:
    """Read a YAML mapping, raising ``InputError`` for missing, empty or non-YAML files."""
    path = Path(path)
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(source, None, "no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(source, None, f"cannot be read as UTF-8 text ({exc})") from None
    try:
        _check_keys_once(yaml.compose(text, Loader=_Loader), source, ())
        data = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "invalid syntax"
        raise InputError(source, None, f"is not valid YAML{where}: {problem}") from None
    if data is None:
        raise InputError(source, None, "the file is empty; a scenario or strategy is a "
                                       "YAML mapping of fields")
    if not isinstance(data, dict):
        raise InputError(source, None, f"the top level must be a mapping of fields, "
                                       f"not a {type(data).__name__}")
    return data


def _check_keys_once(node: yaml.Node | None, source: str, path: tuple[str, ...]) -> None:
    """Refuse a key given twice in one mapping (YAML would keep the last silently),
    naming the field and both lines."""
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key, value in node.value:
            name = str(key.value)
            line = key.start_mark.line + 1
            if name in seen and name != "<<":
                raise InputError(source, ".".join((*path, name)),
                                 f"given twice, at lines {seen[name]} and {line}; a key may "
                                 "appear once in a mapping")
            seen[name] = line
            _check_keys_once(value, source, (*path, name))
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _check_keys_once(item, source, (*path, str(i)))


def load_scenario_file(path: str | Path, model: type[S], *, source: str | None = None) -> S:
    """Load a scenario YAML file and validate it as ``model`` (a ``Scenario`` or a
    subclass that knows more sections, such as ``optimize.ScenarioWithLevers``).

    A relative path in the file (``population.customers.file``) is relative to the
    file's folder; the scenario keeps it resolved. A customer table is read and checked
    here too: its problems name the table, not the scenario file.
    """
    data = read_yaml(path)
    try:
        scenario = model.model_validate(data, context={"base": Path(path).resolve().parent})
    except ValidationError as exc:
        raise input_error_in(exc) or one_sentence(exc, model, source or str(path)) from None
    problems = outside_plan(scenario.strategy, scenario.horizon)
    if problems:
        field, msg = problems[0]
        raise InputError(source or str(path), f"strategy.{field}", msg)
    return scenario


def load_strategy_file(path: str | Path, scenario: Scenario | None = None) -> Strategy:
    """Load a strategy YAML file; with a scenario, also check it against the scenario
    (``strategy_problems``: names, dates within the horizon, word of mouth).

    A file may hold the strategy fields at the top level or under a ``strategy:`` key.
    """
    data = read_yaml(path)
    if set(data) == {"strategy"} and isinstance(data["strategy"], dict):
        data = data["strategy"]
    try:
        strategy = Strategy.model_validate(data)
    except ValidationError as exc:
        raise one_sentence(exc, Strategy, str(path)) from None
    if scenario is not None:
        problems = strategy_problems(strategy, scenario)
        if problems:
            field, msg = problems[0]
            raise InputError(str(path), field, msg)
    return strategy


def strategy_to_yaml(strategy: Strategy) -> str:
    """A strategy as YAML text that ``load_strategy_file`` reads back unchanged."""
    data = strategy.model_dump(mode="json", exclude_none=True)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def strategies_to_yaml(strategies: dict[str, Strategy]) -> str:
    """Several named strategies as one YAML mapping (name -> the fields of its plan)."""
    data = {name: plan.model_dump(mode="json", exclude_none=True)
            for name, plan in strategies.items()}
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def scenario_to_yaml(scenario: Scenario) -> str:
    """A scenario as YAML text that ``load_scenario_file`` reads back unchanged (a
    customer table's path is written absolute, so a copy elsewhere still finds it)."""
    data = scenario.model_dump(mode="json", exclude_none=True)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
