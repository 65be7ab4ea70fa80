"""The base of every promotion kind: the fields all promotions have, the checks of a
kind's own fields, and the default (do-nothing) steps at offer time and at checkout.

A kind subclasses ``Promotion`` (or one of the families in ``_families``), declares its
``kind`` literal and its own fields (all ``None`` by default: a needed field left out
gets the kind's own message, not pydantic's), names the fields it ``needs``, their
``defaults``, and overrides the steps it takes. Validation keeps the flat schema's
messages: a field of another kind is "does not apply", a needed one missing is "needs".

The base does not import the registry (which imports it): what it reads of the
registered kinds, ``Kinds``, is plugged in by ``registry`` when that is imported (always
with the package).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, NoReturn, Protocol

import numpy as np
from pydantic import Field, ModelWrapValidatorHandler, ValidationError, model_validator

from agents._config import DateRange, TargetStage, Weekday
from agents.promotions._orders import Completions

if TYPE_CHECKING:
    import datetime as dt

    import mesa

    from agents.population import ShopperPopulation
    from agents.promotions._orders import Basket, Offer, Running

__all__ = ["Kinds", "Promotion"]


class Kinds(Protocol):
    """What the base reads of the registered kinds (``registry`` plugs it in)."""

    def validate(self, value: Any) -> Promotion:
        """A promotion of the kind ``value`` names."""

    def field_names(self) -> list[str]:
        """Every field a promotion of some kind may have."""

    def kind_field_names(self) -> frozenset[str]:
        """The fields that belong to some kind, not to every promotion."""

    def field_errors(self, name: str, value: Any) -> list[Any]:
        """The errors of a kind's field ``name`` holding ``value``."""

    def raise_in_order(self, errors: list[Any]) -> NoReturn:
        """Raise field errors together, ordered by field."""


class Promotion(DateRange):
    """An offer that runs between two dates (inclusive); the base of every kind.

    Any promotion may be limited to ``segments``, lifecycle ``stages`` and loyalty
    ``tiers`` (members of those tiers), and repeated on ``weekdays`` or
    ``days_of_month`` within its dates. ``Promotion(...)`` and
    ``Promotion.model_validate(...)`` build the kind named by ``kind`` (default
    ``percent``).

    Class attributes of a kind:
        needs: the fields it cannot do without.
        may: its optional fields in the order messages list them (None: as declared).
        defaults: values of its optional fields when a file leaves them out.
        depth_field: the field ``levers.depth`` searches (None: no depth).
        repeats: whether it may repeat on ``weekdays`` or ``days_of_month``.
        is_perk: not a price offer (gifts, points): it comes on top of any price offer.
        takes_deposits: it takes deposits that fall due on a final day (presale).
        default_stages: the lifecycle stages it targets when ``stages`` is ``all``.
        recruits_contacts: it needs the scenario's word-of-mouth graph (group deals).
        colour: its colour in plots.
    """

    name: str
    kind: str = "percent"
    categories: list[str] | Literal["all"] = "all"
    segments: list[str] | Literal["all"] = "all"
    stages: list[TargetStage] | Literal["all"] = "all"
    tiers: list[str] | Literal["all"] = "all"
    weekdays: list[Weekday] | None = None
    days_of_month: list[Annotated[int, Field(ge=1, le=31)]] | None = None

    needs: ClassVar[tuple[str, ...]] = ()
    may: ClassVar[tuple[str, ...] | None] = None
    defaults: ClassVar[dict[str, float]] = {}
    depth_field: ClassVar[str | None] = None
    repeats: ClassVar[bool] = True
    is_perk: ClassVar[bool] = False
    takes_deposits: ClassVar[bool] = False
    default_stages: ClassVar[tuple[str, ...] | None] = None
    recruits_contacts: ClassVar[bool] = False
    colour: ClassVar[str] = "#7f8c8d"
    #: The registered kinds, set by ``registry`` (see ``plug_in``).
    _kinds: ClassVar[Kinds]

    @classmethod
    def plug_in(cls, kinds: Kinds) -> None:
        """Give the base the registry of kinds it validates against."""
        Promotion._kinds = kinds

    def __new__(cls, *args: Any, **data: Any) -> Promotion:
        if cls is Promotion and data:  # the kind named in the data, as a file would give it
            return Promotion._kinds.validate(data)
        return super().__new__(cls)

    @classmethod
    def model_validate(cls, obj: Any, **kwargs: Any) -> Any:
        if cls is Promotion:
            return Promotion._kinds.validate(obj)
        return super().model_validate(obj, **kwargs)

    def __getattr__(self, name: str) -> Any:
        try:
            return super().__getattr__(name)  # type: ignore[misc]
        except AttributeError:
            # a field of another kind: not set, as in a flat schema
            if name in Promotion._kinds.kind_field_names():
                return None
            raise

    @classmethod
    def kind_fields(cls) -> tuple[str, ...]:
        """The fields of this kind beyond those every promotion has (as declared: the
        order they are written out in)."""
        return tuple(f for f in cls.model_fields if f not in Promotion.model_fields)

    @classmethod
    def all_field_names(cls) -> list[str]:
        """The fields a promotion may have: this kind's, or every kind's for the base."""
        if cls is not Promotion:
            return list(cls.model_fields)
        return Promotion._kinds.field_names()

    @classmethod
    def listed_fields(cls) -> tuple[str, ...]:
        """The kind's fields as messages list them: ``needs``, then ``may``."""
        may = cls.may if cls.may is not None else tuple(
            f for f in cls.kind_fields() if f not in cls.needs)
        return cls.needs + may

    @model_validator(mode="wrap")
    @classmethod
    def _fields_of_kind(cls, data: Any, handler: ModelWrapValidatorHandler[Promotion]
                        ) -> Promotion:
        if not isinstance(data, dict):
            return handler(data)
        kinds = Promotion._kinds
        foreign = {k: v for k, v in data.items()
                   if k not in cls.model_fields and k in kinds.kind_field_names()}
        errors = [e for k, v in foreign.items() if v is not None
                  for e in kinds.field_errors(k, v)]
        try:
            promo = handler({k: v for k, v in data.items() if k not in foreign})
        except ValidationError as exc:
            if not errors:
                raise
            errors += exc.errors(include_url=False)
        if errors:  # field errors first, in the order of the fields, as pydantic gives them
            kinds.raise_in_order(errors)
        promo._check_kind(sorted(k for k, v in foreign.items() if v is not None))
        return promo

    def _check_kind(self, foreign: list[str]) -> None:
        missing = [f for f in self.needs if getattr(self, f) is None]
        if missing:
            names = " and ".join(f"'{f}'" for f in missing)
            raise ValueError(f"a {self.kind} promotion needs {names}")
        if foreign:
            raise ValueError(f"'{foreign[0]}' does not apply to a {self.kind} promotion "
                             f"(its fields: {', '.join(self.listed_fields())})")
        self._check()
        if (self.weekdays or self.days_of_month) and not self.repeats:
            raise ValueError(f"a {self.kind} promotion cannot repeat on 'weekdays' or "
                             "'days_of_month'")

    def _check(self) -> None:
        """A kind's own rules across its fields (raise ValueError)."""

    def get(self, field: str) -> float:
        """A numeric field, or its default for this kind when the file left it out."""
        value = getattr(self, field)
        return float(self._default(field) if value is None else value)

    def _default(self, field: str) -> float:
        return self.defaults[field]

    # ------------------------------------------------------------ the calendar
    def month_days(self) -> list[int] | None:
        """The days of the month it runs on (None: every day of its dates)."""
        return self.days_of_month

    def due_date(self) -> dt.date | None:
        """A day after its dates on which it still acts (a presale's final payment)."""
        return None

    # -------------------------------------------------------- on the offer day
    def setup(self, agent: Running, model: mesa.Model, scale: float) -> None:
        """Set the kind's state on its agent (``scale``: real shoppers per simulated one)."""

    def opens(self, agent: Running, day: int) -> bool:
        """Whether it has anything to offer on a day it runs."""
        return True

    def promise(self, agent: Running, pop: ShopperPopulation) -> float | np.ndarray:
        """The saving it promises, as a share of list value: a number or one per shopper
        (constant over a run: the agent keeps it)."""
        raise NotImplementedError

    def narrow(self, agent: Running, day: int, pop: ShopperPopulation,
               eligible: np.ndarray | None) -> np.ndarray | None:
        """Who may use it today, beyond its targeting (None: everyone)."""
        return eligible

    # ----------------------------------------------------------- at checkout
    # Offers.checkout calls these in order for every offer of the day; see there.
    def reserve(self, offer: Offer, j: int, b: Basket) -> None:
        """Orders it takes out of the day before any saving (deposits)."""

    def form(self, offer: Offer, j: int, b: Basket) -> None:
        """Orders it adds or conditions it sets before the savings (group deals)."""

    def top_up_rank(self) -> float | None:
        """Where it tops baskets up among the offers that do (lowest first; None: never)."""
        return None

    def top_up(self, offer: Offer, j: int, b: Basket) -> None:
        """Baskets it makes grow (in place in ``b.list_value``)."""

    def saving(self, takes: np.ndarray, list_value: np.ndarray, new: np.ndarray
               ) -> np.ndarray:
        """Saving (currency) of each order from this price offer, 0 where it does not
        apply (``takes``: orders that may use it; ``new``: first orders)."""
        raise NotImplementedError

    def cap(self, offer: Offer, j: int, b: Basket) -> None:
        """Savings it cannot give (stock of the offer itself), before stock is served."""

    def sold(self, offer: Offer, j: int, b: Basket) -> None:
        """What it records of the orders served (after stock)."""

    def settle(self, offer: Offer, j: int, b: Basket) -> None:
        """Its day totals, once the orders' credit is final."""

    def perk(self, offer: Offer, takes: np.ndarray, b: Basket) -> np.ndarray:
        """A perk's cost (loyalty cost, currency) per order that gets it."""
        raise NotImplementedError

    def complete(self, agent: Running, day: int, pop: ShopperPopulation
                 ) -> tuple[Completions, float, int]:
        """Orders it completes today, deposits forfeited (currency) and their number."""
        empty = np.zeros(0, dtype=np.int64)
        return Completions(empty, empty, empty, empty, np.zeros(0), np.zeros(0)), 0.0, 0
