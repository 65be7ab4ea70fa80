"""Reading scenario and strategy files, and turning every input problem into one sentence.

All files are read here, with a safe YAML loader; everything else gets validated objects.
"""

from __future__ import annotations

import difflib
import os
import uuid
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from sim.schema import Scenario, Strategy, strategy_problems

__all__ = [
    "InputError",
    "apply_overrides",
    "atomic_write_text",
    "load_scenario_file",
    "load_strategy_file",
    "read_yaml",
    "scenario_to_yaml",
    "strategies_to_yaml",
    "strategy_to_yaml",
]


class InputError(ValueError):
    """Bad input: a file, the field in it and what is allowed, as one sentence."""

    def __init__(self, source: str, field: str | None, message: str) -> None:
        self.source, self.field, self.message = source, field, message
        where = f"{source}: {field}" if field else source
        super().__init__(f"{where}: {message}")


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


def _fields_at(model: type[BaseModel], loc: tuple[int | str, ...]) -> list[str]:
    """The field names allowed at ``loc`` inside ``model`` (best effort, for hints)."""
    import typing

    current: Any = model
    for part in loc:
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(str(part))
            if field is None:
                return []
            current = field.annotation
        else:
            args = [a for a in typing.get_args(current) if a is not type(None)]
            # dict[str, X] / list[X] / X | None: step into the value type
            current = args[-1] if args else None
        while typing.get_origin(current) is typing.Union or str(typing.get_origin(current)) \
                == "<class 'types.UnionType'>":
            current = next(a for a in typing.get_args(current) if a is not type(None))
    if typing.get_origin(current) in (dict, list):
        current = typing.get_args(current)[-1]
    if typing.get_origin(current) is typing.Annotated:  # e.g. a promotion of any kind
        current = typing.get_args(current)[0]
    if isinstance(current, type) and issubclass(current, BaseModel):
        every = getattr(current, "all_field_names", None)  # a union: the fields of all kinds
        return list(every() if every is not None else current.model_fields)
    return []


def _one_sentence(exc: ValidationError, model: type[BaseModel], source: str) -> InputError:
    err = exc.errors(include_url=False)[0]
    # pydantic names the branch of a union ("list[literal[...]]") and a dict key's
    # check ("[key]") in the location; a user knows neither
    loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and "[" in p))
    msg = str(err["msg"]).removeprefix("Value error, ")
    if msg.startswith("@"):  # a cross-reference problem that names its own field
        named, _, msg = msg[1:].partition("@ ")
        return InputError(source, named, msg)
    field = ".".join(str(p) for p in loc) or None
    kind = err["type"]
    if kind == "extra_forbidden":
        name = str(loc[-1])
        allowed = _fields_at(model, loc[:-1])
        hint = difflib.get_close_matches(name, allowed, n=1)
        did = f"; did you mean '{hint[0]}'?" if hint else "."
        return InputError(source, field, f"unknown field '{name}'{did} "
                                         f"Allowed here: {', '.join(allowed)}")
    if kind == "missing":
        return InputError(source, field, "this required field is missing")
    if kind == "literal_error":
        return InputError(source, field, f"got {err.get('input')!r}; {msg[0].lower()}{msg[1:]}")
    given = err.get("input")
    shown = "" if isinstance(given, dict | list) else f" (got {given!r})"
    return InputError(source, field, f"{msg[0].lower()}{msg[1:]}{shown}")


def load_scenario_file(path: str | Path, *, source: str | None = None) -> Scenario:
    """Load and validate a scenario YAML file."""
    data = read_yaml(path)
    return validate_scenario(data, source or str(path))


def validate_scenario(data: dict[str, Any], source: str) -> Scenario:
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise _one_sentence(exc, Scenario, source) from None


def load_strategy_file(path: str | Path, scenario: Scenario | None = None) -> Strategy:
    """Load a strategy YAML file; with a scenario, also check its channel and category names.

    A file may hold the strategy fields at the top level or under a ``strategy:`` key.
    """
    data = read_yaml(path)
    if set(data) == {"strategy"} and isinstance(data["strategy"], dict):
        data = data["strategy"]
    try:
        strategy = Strategy.model_validate(data)
    except ValidationError as exc:
        raise _one_sentence(exc, Strategy, str(path)) from None
    if scenario is not None:
        problems = strategy_problems(strategy, list(scenario.channels),
                                     list(scenario.catalog.categories),
                                     list(scenario.population.segments),
                                     scenario.horizon.start)
        if problems:
            field, msg = problems[0]
            raise InputError(str(path), field, msg)
    return strategy


def _set_dotted(data: dict[str, Any], dotted: str, value: Any) -> None:
    parts = dotted.split(".")
    node: Any = data
    for i, part in enumerate(parts[:-1]):
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        elif isinstance(node, dict) and part in node and isinstance(node[part], dict | list):
            node = node[part]
        else:
            raise InputError("overrides", dotted,
                             f"'{'.'.join(parts[: i + 1])}' is not a section of the scenario")
    last = parts[-1]
    if isinstance(node, list) and last.isdigit():
        node[int(last)] = value
    else:
        node[last] = value
        # horizon length can be given as days or as end: an override of one replaces the other
        horizon = data.get("horizon")
        if node is horizon and isinstance(horizon, dict) and last in ("days", "end"):
            horizon.pop("end" if last == "days" else "days", None)


def apply_overrides(scenario: Scenario, overrides: dict[str, Any]) -> Scenario:
    """Replace dotted-path fields of a scenario and validate the result."""
    data = scenario.model_dump(mode="python", exclude_none=True)
    for key, value in overrides.items():
        _set_dotted(data, key, value)
    return validate_scenario(data, "overrides")


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
    """A scenario as YAML text that ``load_scenario_file`` reads back unchanged."""
    data = scenario.model_dump(mode="json", exclude_none=True)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def atomic_write_text(path: str | Path, text: str) -> None:
    """Write a file so that readers see the old or the new content, never a half."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".{path.name}.{uuid.uuid4().hex[:12]}.tmp"
    # os.open with 0o666 honours the umask: the file gets the permissions of any other
    # output (mkstemp would make it readable by its owner only)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
