"""JSON both ways: the one cattrs converter behind ``report.json`` and its rounding rules.

Floats are rounded to a documented precision so the same inputs give the same bytes:
distances to 0.1 m, coordinates to 1e-7 degrees (about 1 cm), shares to 1e-4. Rounding a
rounded value changes nothing, so a report read back writes the same bytes.

:data:`converter` is a :class:`cattrs.Converter` with ``forbid_extra_keys`` and strict
primitive types (``"5"`` is not an int, ``1`` is not a string). A class is put on it with
:func:`register` and a table of :class:`Field` rows, one per JSON key in the order they
are written: the same table unstructures (writes) and structures (reads) the class, so the
two directions cannot drift. :mod:`livable.report` registers the report's classes; this
module knows nothing of them, so the dependency points one way. Failures to structure
become :class:`~livable.errors.ReportError` naming the file and each field's path
(:func:`cattrs.transform_error`).

>>> import attrs
>>> @attrs.frozen
... class Spot:
...     name: str
...     distance_m: float
>>> register(Spot, [Field("name", str), Field("distance_m", float, dump=round_m)])
>>> converter.unstructure(Spot("kindergarten", 523.44))
{'name': 'kindergarten', 'distance_m': 523.4}
>>> try:
...     structure({"name": "clinic", "distance_m": "far", "x": 1}, Spot, where="a.json")
... except ReportError as exc:
...     print(exc)
a.json: not a livable report: extra fields found (x) @ $; expected a number, not str @ $.distance_m
"""

from __future__ import annotations

import enum
import types
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, BinaryIO, TypeVar

import attrs
import cattrs
import numpy as np
import orjson
import shapely
from cattrs.errors import (
    AttributeValidationNote,
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
    IterableValidationNote,
)
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

from livable.errors import ReportError

__all__ = [
    "COORD_DECIMALS",
    "DISTANCE_DECIMALS",
    "SHARE_DECIMALS",
    "Field",
    "converter",
    "dump_with",
    "dumps",
    "geometry_to_geojson",
    "int_key",
    "items",
    "keyed",
    "register",
    "round_deg",
    "round_m",
    "round_share",
    "structure",
    "structure_fields",
]

DISTANCE_DECIMALS = 1
COORD_DECIMALS = 7
SHARE_DECIMALS = 4

T = TypeVar("T")


def round_m(value: float | None) -> float | None:
    """A distance rounded to 0.1 m (``None`` stays ``None``)."""
    return None if value is None else round(float(value), DISTANCE_DECIMALS)


def round_share(value: float | None) -> float | None:
    """A share rounded to 1e-4 (``None`` stays ``None``)."""
    return None if value is None else round(float(value), SHARE_DECIMALS)


def round_deg(value: float) -> float:
    """A longitude or latitude rounded to 1e-7 degree."""
    return round(float(value), COORD_DECIMALS)


def geometry_to_geojson(geom: BaseGeometry) -> dict[str, Any]:
    """A shapely geometry as a GeoJSON mapping with coordinates rounded to 1e-7."""
    rounded = shapely.transform(geom, lambda c: np.round(c, COORD_DECIMALS))
    return _lists(mapping(rounded))  # type: ignore[no-any-return]


def _lists(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _lists(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_lists(v) for v in value]
    return value


def _geometry(value: Any, _type: Any) -> BaseGeometry:
    if not isinstance(value, dict) or not isinstance(value.get("type"), str):
        raise TypeError("expected a GeoJSON geometry object")
    try:
        return shape(value)
    except (ValueError, TypeError, AttributeError, KeyError, IndexError) as exc:
        raise ValueError(f"not a GeoJSON geometry ({exc})") from None


def dumps(data: Any, *, indent: bool = True) -> str:
    """JSON text, UTF-8 characters kept (Chinese names stay readable)."""
    option = orjson.OPT_INDENT_2 if indent else 0
    return orjson.dumps(data, option=option).decode("utf-8") + ("\n" if indent else "")


_SLOT = "\x00livable: the rows go here\x00"
"""A placeholder no report holds (orjson writes the NULs as ``\\u0000``)."""


def write_rows(head: Mapping[str, Any], key: str, rows: Iterable[Any], fh: BinaryIO) -> None:
    """Write ``head`` with ``head[key]`` replaced by ``rows`` as :func:`dumps` would write
    it (the same bytes, UTF-8), making one row's JSON at a time: the whole text is never
    held in memory, nor more than one row's data (``rows`` may be a generator).

    >>> import io
    >>> fh = io.BytesIO()
    >>> write_rows({"a": 1, "rows": None, "z": [2]}, "rows", iter([{"b": 1}, {"b": 2}]), fh)
    >>> fh.getvalue().decode() == dumps({"a": 1, "rows": [{"b": 1}, {"b": 2}], "z": [2]})
    True
    """
    option = orjson.OPT_INDENT_2
    rows = iter(rows)
    first = next(rows, _SLOT)
    if first is _SLOT:
        fh.write(dumps({**head, key: []}).encode("utf-8"))
        return
    text = orjson.dumps({**head, key: [_SLOT]}, option=option)
    before, after = text.split(b"\n    " + orjson.dumps(_SLOT) + b"\n")
    fh.write(before)
    fh.write(b"\n    " + orjson.dumps(first, option=option).replace(b"\n", b"\n    "))
    for row in rows:
        fh.write(b",\n    " + orjson.dumps(row, option=option).replace(b"\n", b"\n    "))
    fh.write(b"\n" + after + b"\n")


# -- the converter -----------------------------------------------------------------------

converter = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)
"""The converter of every document ``livable`` writes as JSON and reads back."""


def _strict(kind: type, name: str) -> Callable[[Any, Any], Any]:
    def hook(value: Any, _type: Any) -> Any:
        if isinstance(value, bool) and kind is not bool:
            raise TypeError(f"expected {name}, not a boolean")
        if kind is float and isinstance(value, int):
            return float(value)
        if not isinstance(value, kind):
            raise TypeError(f"expected {name}, not {type(value).__name__}")
        return value

    return hook


for _kind, _name in (
    (str, "a string"),
    (int, "an integer"),
    (float, "a number"),
    (bool, "true or false"),
):
    converter.register_structure_hook(_kind, _strict(_kind, _name))


def _enum(value: Any, cl: type[enum.Enum]) -> enum.Enum:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, not {type(value).__name__}")
    return cl(value)


# StrEnum before str: Grade and Zone are strings too
converter.register_structure_hook(enum.Enum, _enum)
converter.register_structure_hook(enum.StrEnum, _enum)
converter.register_structure_hook_func(
    lambda t: isinstance(t, type) and issubclass(t, BaseGeometry), _geometry
)
converter.register_unstructure_hook_func(
    lambda t: isinstance(t, type) and issubclass(t, BaseGeometry), geometry_to_geojson
)


@attrs.frozen
class Field:
    """One JSON key of a class's document, in the order it is written.

    - ``type``: what the value structures to (a type for the converter, or a function
      taking the JSON value); ``None`` for a key that is written but not read back (a
      value derived from the others, such as a share computed from counts).
    - ``attr``: the attribute it fills (default: the key); ``None`` with ``load``
      returning a mapping of attributes, for a key that fills several.
    - ``dump``: turns the attribute's value into JSON (default: the converter's
      unstructuring); ``get`` computes the JSON value from the whole object instead.
    - ``omit``: skip the key when it returns true for the object and context (a key written
      only sometimes); such a key is optional when read.
    - ``fields``: a nested JSON object whose keys fill attributes of this same class.
    """

    key: str
    type: Any = None
    attr: str | None = attrs.field(default=attrs.Factory(lambda s: s.key, takes_self=True))
    dump: Callable[[Any], Any] | None = None
    get: Callable[[Any, Mapping[str, Any]], Any] | None = None
    omit: Callable[[Any, Mapping[str, Any]], bool] | None = None
    fields: Sequence[Field] = ()
    many: bool = False
    """``type`` is a callable returning a mapping of several attributes."""


def _dump_fields(obj: Any, fields: Sequence[Field], ctx: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in fields:
        if f.omit is not None and f.omit(obj, ctx):
            continue
        if f.fields:
            out[f.key] = _dump_fields(obj, f.fields, ctx)
        elif f.get is not None:
            out[f.key] = f.get(obj, ctx)
        else:
            assert f.attr is not None
            value = getattr(obj, f.attr)
            out[f.key] = converter.unstructure(value) if f.dump is None else f.dump(value)
    return out


def _note(exc: Exception, note: str) -> Exception:
    exc.add_note(note)
    return exc


def _load_fields(
    data: Any, fields: Sequence[Field], cl: type, kwargs: dict[str, Any], errors: list[Exception]
) -> None:
    if not isinstance(data, Mapping):
        errors.append(TypeError(f"expected a JSON object, not {type(data).__name__}"))
        return
    known = {f.key for f in fields}
    extra = [k for k in data if k not in known]
    if extra:
        errors.append(ForbiddenExtraKeysError("", cl, set(extra)))
    for f in fields:
        if f.key not in data:
            if f.omit is None and (f.type is not None or f.fields):
                errors.append(_note(KeyError(f.key), AttributeValidationNote("", f.key, f.type)))
            continue
        value = data[f.key]
        if f.fields:
            sub: list[Exception] = []
            _load_fields(value, f.fields, cl, kwargs, sub)
            if sub:
                err = ClassValidationError(f"While structuring {f.key}", sub, cl)
                errors.append(_note(err, AttributeValidationNote("", f.key, dict)))
            continue
        if f.type is None:
            continue
        try:
            loaded = (
                f.type(value)
                if isinstance(f.type, types.FunctionType)
                else converter.structure(value, f.type)
            )
        except Exception as exc:
            errors.append(_note(exc, AttributeValidationNote("", f.key, f.type)))
            continue
        if f.many:
            kwargs.update(loaded)
        elif f.attr is not None:
            kwargs[f.attr] = loaded


def structure_fields(data: Any, cl: type[T], fields: Sequence[Field], **inject: Any) -> T:
    """An instance of ``cl`` from its JSON object, with ``inject`` as further attributes
    (those that are keys of an enclosing mapping, such as a facility type)."""
    kwargs: dict[str, Any] = dict(inject)
    errors: list[Exception] = []
    _load_fields(data, fields, cl, kwargs, errors)
    if not errors:
        try:
            return cl(**kwargs)
        except (ValueError, TypeError) as exc:
            errors.append(exc)
    raise ClassValidationError(f"While structuring {cl.__name__}", errors, cl)


_TABLES: dict[type, Sequence[Field]] = {}


def register(
    cl: type[T],
    fields: Sequence[Field],
    *,
    finish: Callable[[T], T] | None = None,
) -> None:
    """Put a class on the converter, read and written by its table of fields.

    ``finish`` adjusts a structured instance (e.g. fills attributes from its parts).
    """
    _TABLES[cl] = fields

    def load(data: Any, _type: Any) -> T:
        obj = structure_fields(data, cl, fields)
        return obj if finish is None else finish(obj)

    converter.register_structure_hook(cl, load)
    converter.register_unstructure_hook(cl, lambda obj: _dump_fields(obj, fields, {}))


def dump_with(obj: Any, **ctx: Any) -> dict[str, Any]:
    """A registered object's JSON object, with ``ctx`` for keys written only sometimes."""
    return _dump_fields(obj, _TABLES[type(obj)], ctx)


def dump_head(obj: Any, key: str, **ctx: Any) -> dict[str, Any]:
    """:func:`dump_with` without making ``key``'s value (``None`` in its place), for
    :func:`write_rows` to stream it."""
    fields = [
        Field(key, get=lambda _o, _c: None) if f.key == key else f for f in _TABLES[type(obj)]
    ]
    return _dump_fields(obj, fields, ctx)


def keyed(data: Any, load: Callable[[str, Any], T]) -> dict[str, T]:
    """Each value of a JSON object loaded with its key (errors name the key)."""
    if not isinstance(data, Mapping):
        raise TypeError(f"expected a JSON object, not {type(data).__name__}")
    out: dict[str, T] = {}
    errors: list[Exception] = []
    for key, value in data.items():
        try:
            out[key] = load(key, value)
        except Exception as exc:
            errors.append(_note(exc, IterableValidationNote("", key, Any)))
    if errors:
        raise IterableValidationError("While structuring a mapping", errors, dict)
    return out


def items(data: Sequence[Any], load: Callable[[Any], T]) -> tuple[T, ...]:
    """Each element of a JSON array loaded (errors name the index)."""
    out: list[T] = []
    errors: list[Exception] = []
    for i, value in enumerate(data):
        try:
            out.append(load(value))
        except Exception as exc:
            errors.append(_note(exc, IterableValidationNote("", i, Any)))
    if errors:
        raise IterableValidationError("While structuring an array", errors, list)
    return tuple(out)


def int_key(key: str) -> int:
    """A whole-metre key (``"400"``) as an int; other spellings are not ours."""
    if not (key.isascii() and key.isdigit()) or str(int(key)) != key:
        raise ValueError(f"expected whole metres as a key, not {key!r}")
    return int(key)


def structure(data: Any, cl: type[T], *, where: str) -> T:
    """Structure ``data`` as ``cl``; a failure is a one-line :class:`ReportError`."""
    try:
        return converter.structure(data, cl)
    except (ClassValidationError, IterableValidationError) as exc:
        problems = cattrs.transform_error(exc, format_exception=_format)
    except (TypeError, ValueError) as exc:
        problems = [f"{_format(exc, None)} @ $"]
    problems.sort(key=lambda p: not p.startswith("extra fields"))  # the telling ones first
    shown = "; ".join(problems[:4]) + (
        f"; ... ({len(problems)} in all)" if len(problems) > 4 else ""
    )
    raise ReportError(f"{where}: not a livable report: {shown}")


def _format(exc: BaseException, type_: Any) -> str:
    if isinstance(exc, KeyError):
        return "required field missing"
    if isinstance(exc, TypeError | ValueError) and str(exc):
        return str(exc)
    return cattrs.v.format_exception(exc, type_)
