"""Type and range checks of profile fields, shared by TOML, mappings and Python construction.

Each check normalises a value without raising (an ``int`` where a number is expected
becomes a ``float``; a table becomes a read-only mapping) and then checks it, raising
:class:`BadValue` with the problem and, inside a table, the key path below the field. The
same check object is a field's attrs converter and validator (:func:`profile_field`) and
the field's cattrs structure hook in :mod:`livable.profile`, so a profile built from TOML,
from a mapping, with ``Profile(...)`` or with ``derive`` meets the same rules. No value is
coerced: a boolean is never a number, a text is never a number, a number is never a text.

>>> RADIUS = Number(low=0, high=10_000, low_open=True, unit="m")
>>> RADIUS.describe()
'number, 0 < x <= 10,000 (m)'
>>> RADIUS.check(RADIUS.normalize(1200))
1200.0
>>> RADIUS.check(True)
Traceback (most recent call last):
...
livable._profile_checks.BadValue: must be a number (m), not the boolean true
"""

from __future__ import annotations

import datetime
import difflib
import math
import re
import types
from collections.abc import Callable, Collection, Mapping
from typing import Any, Protocol

import attrs

from livable._text import show
from livable.errors import ProfileError

__all__ = [
    "ID_RE",
    "BadValue",
    "Check",
    "Choice",
    "Date",
    "Flag",
    "IdList",
    "Number",
    "Table",
    "Text",
    "did_you_mean",
    "profile_field",
    "shown",
]

ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
"""Facility type, size class and indicator ids: lower-case letters, digits and ``_``."""


class BadValue(Exception):
    """A value a check refuses: ``path`` is the key path below the field (``""``, ``".x"``)."""

    def __init__(self, problem: str, path: str = "") -> None:
        super().__init__(problem)
        self.problem = problem
        self.path = path

    def within(self, key: str) -> BadValue:
        """The same problem one table level further down, under ``key``."""
        return BadValue(self.problem, f".{key}{self.path}")


def shown(value: object) -> str:
    """A value as a message quotes it: TOML spelling, at most 40 characters, escaped.

    >>> shown(True), shown(None), shown("a\\x1b[2J"), shown(1.5)
    ('true', 'off (none)', "'a\\\\x1b[2J'", '1.5')
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "off (none)"
    if isinstance(value, int | float | str):
        return show(value)  # the one sanitiser: escaped, cut to 40 characters
    return type(value).__name__


def did_you_mean(word: str, known: Collection[str]) -> str:
    """``" (did you mean x?)"`` for the closest known word, or ``""``.

    >>> did_you_mean("shoping", ["shopping", "leisure"])
    ' (did you mean shopping?)'
    """
    close = difflib.get_close_matches(word, list(known), n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""


def _type_problem(value: object, what: str) -> str:
    if isinstance(value, bool):
        return f"must be {what}, not the boolean {shown(value)}"
    if isinstance(value, str):
        return f"must be {what}, not the text {shown(value)}"
    if value is None:
        return f"must be {what}, not off (none)"
    if isinstance(value, int | float):
        return f"must be {what}, not the number {shown(value)}"
    return f"must be {what}, not {'a table' if isinstance(value, Mapping) else shown(value)}"


class Check(Protocol):
    """What every check offers: normalise, check, describe."""

    def normalize(self, value: Any) -> Any:
        """The value in its stored form, or unchanged when it cannot be (never raises)."""

    def check(self, value: Any) -> Any:
        """The value if it is allowed, else raise :class:`BadValue`."""

    def describe(self) -> str:
        """The allowed values, for the profile fields reference."""


@attrs.frozen
class Number:
    """A finite number in ``[low, high]`` (``(low, high]`` with ``low_open``).

    ``whole`` asks for an ``int``; otherwise an ``int`` is accepted and stored as a
    ``float``. ``optional`` allows ``None`` (``"off"`` in TOML).
    """

    low: float
    high: float
    whole: bool = False
    low_open: bool = False
    optional: bool = False
    unit: str = ""

    @property
    def _what(self) -> str:
        kind = "a whole number" if self.whole else "a number"
        return f"{kind} ({self.unit})" if self.unit else kind

    def normalize(self, value: Any) -> Any:
        if not self.whole and type(value) is int:
            try:
                return float(value)
            except OverflowError:  # 10**400: left as it is, refused as too large
                return value
        return value

    def check(self, value: Any) -> Any:
        if value is None and self.optional:
            return value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise BadValue(_type_problem(value, self._what))
        if self.whole and not isinstance(value, int):
            raise BadValue(f"must be {self._what}, not {shown(value)}")
        if isinstance(value, float) and not math.isfinite(value):
            raise BadValue(f"must be a finite number, not {shown(value)}")
        if value > self.high or value < self.low or (self.low_open and value == self.low):
            raise BadValue(f"must be {self._range()}, not {shown(value)}")
        return value

    def _range(self) -> str:
        low = f"{_bound(self.low)} <" if self.low_open else f"{_bound(self.low)} <="
        return f"{low} x <= {_bound(self.high)}" + (f" ({self.unit})" if self.unit else "")

    def describe(self) -> str:
        kind = "whole number" if self.whole else "number"
        return ("off or " if self.optional else "") + f"{kind}, {self._range()}"


def _bound(value: float) -> str:
    return f"{int(value):,}" if value == int(value) else f"{value:g}"


@attrs.frozen
class Flag:
    """``true`` or ``false``, never a number or a text."""

    def normalize(self, value: Any) -> Any:
        return value

    def check(self, value: Any) -> Any:
        if not isinstance(value, bool):
            raise BadValue(_type_problem(value, "true or false"))
        return value

    def describe(self) -> str:
        return "true or false"


@attrs.frozen
class Text:
    """A text; ``non_empty`` refuses blank text, ``id_syntax`` asks for an id."""

    non_empty: bool = False
    optional: bool = False
    id_syntax: bool = False
    known: tuple[str, ...] = ()
    """Ids to suggest when an id is misspelt."""

    def normalize(self, value: Any) -> Any:
        return value

    def check(self, value: Any) -> Any:
        if value is None and self.optional:
            return value
        if not isinstance(value, str):
            raise BadValue(_type_problem(value, "a text"))
        if self.non_empty and not value.strip():
            raise BadValue("must not be empty")
        if self.id_syntax and not ID_RE.match(value):
            raise BadValue(
                f"{shown(value)} is not an id: use lower-case letters, digits and '_', "
                f"starting with a letter{did_you_mean(value, self.known)}"
            )
        return value

    def describe(self) -> str:
        if self.id_syntax:
            kind = "an id (lower-case letters, digits, `_`)"
        else:
            kind = "non-empty text" if self.non_empty else "text"
        return ("off or " if self.optional else "") + kind


@attrs.frozen
class Choice:
    """One of a fixed set of texts."""

    options: tuple[str, ...]
    convert: Callable[[str], Any] | None = None
    """Applied to an allowed text to give the stored value (an enum)."""
    noun: str = ""
    """What the texts are (``"service category"``): a long list is named, not listed."""

    def normalize(self, value: Any) -> Any:
        if self.convert is not None and isinstance(value, str) and value in self.options:
            return self.convert(value)
        return value

    def check(self, value: Any) -> Any:
        if not isinstance(value, str):
            raise BadValue(_type_problem(value, f"one of {', '.join(self.options)}"))
        if value not in self.options:
            hint = did_you_mean(value, self.options)
            if self.noun:
                hint = hint or f" ({', '.join(self.options)})"
                raise BadValue(f"{shown(value)} is not a {self.noun}{hint}")
            raise BadValue(f"{shown(value)} is not one of {', '.join(self.options)}{hint}")
        return value

    def describe(self) -> str:
        return "one of " + ", ".join(f"`{o}`" for o in self.options)


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@attrs.frozen
class Date:
    """A calendar date: a TOML date or a ``"YYYY-MM-DD"`` text, stored as that text."""

    def normalize(self, value: Any) -> Any:
        if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
            return value.isoformat()
        return value

    def check(self, value: Any) -> Any:
        if isinstance(value, datetime.datetime):
            raise BadValue(f"must be a date (YYYY-MM-DD), not the date and time {value}")
        if not isinstance(value, str):
            raise BadValue(_type_problem(value, "a date (YYYY-MM-DD)"))
        try:
            if not _ISO_DATE.match(value):
                raise ValueError(value)
            datetime.date.fromisoformat(value)
        except ValueError:
            raise BadValue(f"must be a date (YYYY-MM-DD), not {shown(value)}") from None
        return value

    def describe(self) -> str:
        return "a date, `YYYY-MM-DD` (a TOML date or a text)"


@attrs.frozen
class IdList:
    """A list of ids (TOML array), stored as a tuple."""

    item: Text

    def normalize(self, value: Any) -> Any:
        return tuple(value) if isinstance(value, list | tuple) else value

    def check(self, value: Any) -> Any:
        if not isinstance(value, tuple):
            raise BadValue(_type_problem(value, "a list of ids"))
        for i, item in enumerate(value):
            try:
                self.item.check(item)
            except BadValue as exc:
                raise BadValue(exc.problem, f"[{i}]") from None
        return value

    def describe(self) -> str:
        return "a list of ids"


@attrs.frozen
class Table:
    """A TOML table: keys checked by ``key`` and values by ``value``, stored read-only."""

    key: Check
    value: Check
    what: str = ""
    """What the keys are, for the reference (``"category id"``)."""

    def normalize(self, value: Any) -> Any:
        if not isinstance(value, Mapping):
            return value
        return types.MappingProxyType({k: self.value.normalize(v) for k, v in value.items()})

    def check(self, value: Any) -> Any:
        if not isinstance(value, Mapping):
            raise BadValue(_type_problem(value, "a table"))
        for key, item in value.items():
            try:
                self.key.check(key)
            except BadValue as exc:
                raise BadValue(exc.problem, f".{key}") from None
            try:
                self.value.check(item)
            except BadValue as exc:
                raise exc.within(str(key)) from None
        return value

    def describe(self) -> str:
        keys = self.what or self.key.describe()
        return f"a table: {keys} → {self.value.describe()}"


def profile_field(check: Check, default: Any = attrs.NOTHING, **kwargs: Any) -> Any:
    """An attrs field whose converter and validator are ``check`` (kept in its metadata).

    A value the check refuses raises :class:`~livable.errors.ProfileError` naming the
    field, whether the profile is built from TOML or directly in Python.
    """
    extra: Callable[[Any, attrs.Attribute[Any], Any], None] | None = kwargs.pop("also", None)

    def validate(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        try:
            check.check(value)
        except BadValue as exc:
            raise ProfileError(f"{attribute.name}{exc.path}: {exc.problem}") from None
        if extra is not None:
            extra(inst, attribute, value)

    return attrs.field(
        default=default,
        converter=check.normalize,
        validator=validate,
        metadata={"check": check},
        **kwargs,
    )
