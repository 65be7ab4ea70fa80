"""Input problems as one sentence: the file, the field in it and what is allowed."""

from __future__ import annotations

import difflib
from typing import Any

from pydantic import BaseModel, ValidationError

__all__ = ["InputError", "one_sentence"]


class InputError(ValueError):
    """Bad input: a file, the field in it and what is allowed, as one sentence."""

    def __init__(self, source: str, field: str | None, message: str) -> None:
        self.source, self.field, self.message = source, field, message
        where = f"{source}: {field}" if field else source
        super().__init__(f"{where}: {message}")


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


def one_sentence(exc: ValidationError, model: type[BaseModel], source: str) -> InputError:
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
