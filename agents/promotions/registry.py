"""The one registry of promotion kinds, and the union type that validates a promotion.

``register`` adds a kind class under its ``kind`` literal; everything that needs the
kinds (validation, the depth lever, messages listing the kinds or the fields) reads them
from here, so a new kind is one class, registered, and nothing else. A promotion is
validated as a pydantic discriminated union of the registered classes on ``kind``
(``percent`` when a file leaves ``kind`` out), built when first needed after a kind is
registered. The base ``Promotion`` reads the kinds through ``Kinds``, plugged in here (the
base does not import the registry).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Annotated, Any, Literal, NoReturn, TypeVar, Union

from pydantic import (
    ConfigDict,
    Discriminator,
    PlainValidator,
    SerializeAsAny,
    Tag,
    TypeAdapter,
    ValidationError,
    create_model,
)
from pydantic_core import PydanticKnownError

from agents.promotions._base import Promotion

__all__ = ["DEFAULT_KIND", "DEPTH_FIELD", "AnyPromotion", "depth_fields", "field_names", "kinds",
           "lookup", "register", "validate"]

#: The kind of a promotion whose ``kind`` is left out.
DEFAULT_KIND = "percent"
_KINDS: dict[str, type[Promotion]] = {}
_CACHE: dict[str, Any] = {}  # what is built from the kinds, cleared when one is added
P = TypeVar("P", bound=type[Promotion])


def register(cls: P) -> P:
    """Add a kind class to the registry, under its ``kind`` literal (a class decorator)."""
    kind = cls.__pydantic_fields__["kind"].default
    if not isinstance(kind, str) or (kind in _KINDS and _KINDS[kind] is not cls):
        raise ValueError(f"promotion kind {kind!r} is not a new kind's name")
    _KINDS[kind] = cls
    _CACHE.clear()
    return cls


def kinds() -> dict[str, type[Promotion]]:
    """The registered kinds, ``{kind: class}``, in the order they were registered."""
    return dict(_KINDS)


def lookup(kind: str) -> type[Promotion]:
    """The class of a kind."""
    return _KINDS[kind]


def depth_fields() -> dict[str, str]:
    """``{kind: field}`` for the kinds with a depth lever: discount kinds, then amounts."""
    found = [(k, c.depth_field) for k, c in _KINDS.items() if c.depth_field is not None]
    return {k: f for k, f in sorted(found, key=lambda kf: kf[1])}


class _DepthFields(Mapping[str, str]):
    """``depth_fields()`` as a mapping that follows the registry."""

    def __getitem__(self, kind: str) -> str:
        return depth_fields()[kind]

    def __iter__(self) -> Iterator[str]:
        return iter(depth_fields())

    def __len__(self) -> int:
        return len(depth_fields())


#: ``{kind: field}`` that ``levers.depth`` searches, read from the kinds' ``depth_field``.
DEPTH_FIELD: Mapping[str, str] = _DepthFields()


def _built(key: str, build: Any) -> Any:
    if key not in _CACHE:
        _CACHE[key] = build()
    return _CACHE[key]


def field_names() -> list[str]:
    """Every field a promotion of some kind may have: the common ones, then each kind's."""
    def build() -> list[str]:
        names = list(Promotion.model_fields)
        for cls in _KINDS.values():
            names += [f for f in cls.kind_fields() if f not in names]
        return names

    return list(_built("names", build))


def kind_field_names() -> frozenset[str]:
    """The fields that belong to some kind, not to every promotion."""
    return _built("kind_names", lambda: frozenset(field_names()) - set(Promotion.model_fields))


def field_errors(name: str, value: Any) -> list[Any]:
    """The errors of a kind's field ``name`` holding ``value`` (empty: valid), as in
    the kind that owns it."""
    def build() -> dict[str, TypeAdapter[Any]]:
        adapters: dict[str, TypeAdapter[Any]] = {}
        for cls in _KINDS.values():
            for f in cls.kind_fields():
                info = cls.model_fields[f]
                tp: Any = Annotated[info.annotation, *info.metadata] if info.metadata \
                    else info.annotation  # type: ignore[name-defined]
                adapters.setdefault(f, TypeAdapter(tp, config=ConfigDict(allow_inf_nan=False)))
        return adapters

    try:
        _built("adapters", build)[name].validate_python(value)
    except ValidationError as exc:
        return [{**e, "loc": (name, *e["loc"])} for e in exc.errors(include_url=False)]
    return []


def raise_in_order(errors: list[Any]) -> NoReturn:
    """Raise field errors together, ordered by field as one flat model would give them."""
    order = {n: i for i, n in enumerate(field_names())}
    errors = sorted(errors, key=lambda e: order.get(str(e["loc"][0]) if e["loc"] else "",
                                                     len(order)))
    details: list[Any] = [{"type": e["type"], "loc": e["loc"], "input": e["input"],
                           **({"ctx": e["ctx"]} if "ctx" in e else {})} for e in errors]
    raise ValidationError.from_exception_data("Promotion", details)


def _tag(value: Any) -> str:
    return value.get("kind", DEFAULT_KIND) if isinstance(value, dict) else value.kind


def union() -> Any:
    """The registered kinds as a pydantic discriminated union on ``kind``."""
    def build() -> Any:
        members = tuple(Annotated[cls, Tag(k)] for k, cls in _KINDS.items())
        return Annotated[Union[members], Discriminator(_tag)]  # noqa: UP007

    return _built("union", build)


def validate(value: Any) -> Promotion:
    """A promotion of the kind ``value`` names (a mapping, as in a file)."""
    if isinstance(value, Promotion):
        return value
    if not isinstance(value, dict):
        raise PydanticKnownError("model_type", {"class_name": "Promotion"})
    kind = value.get("kind", DEFAULT_KIND)
    if not isinstance(kind, str) or kind not in _KINDS:  # the kinds allowed, as a literal
        allowed: Any = Literal[tuple(_KINDS)]
        _built("kind", lambda: create_model("Promotion", kind=(allowed, ...))
               ).model_validate({"kind": kind})
    adapter = _built("adapter", lambda: TypeAdapter(union()))
    try:
        return adapter.validate_python(value)  # type: ignore[no-any-return]
    except ValidationError as exc:  # the union names the kind in the location: drop it
        raise_in_order([{**e, "loc": e["loc"][1:]} for e in exc.errors(include_url=False)])


#: The type of a strategy's promotions: any registered kind, found by ``kind``.
AnyPromotion = Annotated[Promotion, PlainValidator(validate), SerializeAsAny()]


class _Registry:
    """The registry as the base reads it (``agents.promotions._base.Kinds``)."""

    validate = staticmethod(validate)
    field_names = staticmethod(field_names)
    kind_field_names = staticmethod(kind_field_names)
    field_errors = staticmethod(field_errors)
    raise_in_order = staticmethod(raise_in_order)


Promotion.plug_in(_Registry())
