"""The checks of one feature's envelope and properties: reject with the reason.

:class:`Collector` gathers every reader's rejections and repairs by feature index (and
raises for the first one in strict mode); :func:`admit` is the envelope check every reader
makes first; the ``*_problem`` functions check a layer kind's properties, each returning
the reason a feature is rejected or ``None``.

>>> community_problem({"population": -1})
'population must be >= 0, not -1'
>>> duplicate_reason("a", [0, 3])
"duplicate id 'a': 2 features share it (#0, #3); ids must be unique, so all of them ..."
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from livable._numbers import FLOAT_MAX, finite_float, is_number, number_kind
from livable._text import show
from livable.errors import InputError
from livable.io._geojson import json_kind, show_value
from livable.models import FACILITY_TYPES, FLAG_QUALIFIERS, Zone, qualifier_flag
from livable.models.results import Rejection, SourceInfo

__all__ = [
    "COMMUNITY_KEYS",
    "MAX_POPULATION",
    "QUALITY_MAX",
    "QUALITY_MIN",
    "RADIUS_KEYS",
    "Collector",
    "admit",
    "community_problem",
    "duplicate_reason",
    "duplicates",
    "facility_problem",
    "fast_id",
    "feature_id",
    "is_plain_number",
    "plain_point",
    "resident_problem",
]

MAX_POPULATION = 1_000_000_000
"""The largest ``population`` accepted (more than any city; larger is a data error)."""

QUALITY_MIN, QUALITY_MAX = 1, 5
"""The scale of a facility's ``quality`` (``happy.min_quality`` is on it); a score outside
is a data error (a percentage, a 0-100 rating) and rejects the facility."""

COMMUNITY_KEYS = ("id", "name", "population", "district", "subdistrict", "zone")
RADIUS_KEYS = ("radius_m", "radius_reason")
"""A community's approved radius and its reason (``P6.circle``), kept as attributes."""
"""The community properties read into fields; the others are its ``attributes``."""


class Collector:
    """Collects rejections and repairs by feature index.

    The checks run in passes (structure, then coordinates, then polygon validity), so in
    strict mode :meth:`check_strict` raises, after the passes, for the problem of the
    lowest feature index: the first problem in file order.
    """

    def __init__(
        self,
        info: SourceInfo,
        *,
        strict: bool,
        noun: str,
        collection: Mapping[str, Any] | None = None,
    ):
        self.info = info
        self.strict = strict
        self.noun = noun
        self.rejected: list[tuple[int, Rejection]] = []
        self.repaired: list[tuple[int, Rejection]] = []
        # GIS loaders name their rows ("f.csv:line 7") and may already know a problem
        self.labels: Sequence[str] | None = getattr(collection, "labels", None)
        self.problems: Mapping[int, str] = getattr(collection, "problems", {})

    def where(self, index: int) -> str:
        """How reports name feature ``index``: ``file#index``, or the loader's label."""
        return self.labels[index] if self.labels else f"{self.info.path}#{index}"

    def reject(self, index: int, fid: str | None, reason: str) -> None:
        self.rejected.append((index, Rejection(fid, self.where(index), reason)))

    def repair(self, index: int, fid: str | None, note: str) -> None:
        self.repaired.append((index, Rejection(fid, self.where(index), note)))

    def known_problem(self, index: int, fid: str | None) -> bool:
        """Reject a feature the loader already found unusable."""
        problem = self.problems.get(index)
        if problem is not None:
            self.reject(index, fid, problem)
        return problem is not None

    def check_strict(self) -> None:
        """In strict mode, raise :class:`InputError` for the first problem in file order."""
        if not self.strict:
            return
        problems = [(i, r, "") for i, r in self.rejected]
        problems += [(i, r, " (without --strict it would be repaired)") for i, r in self.repaired]
        if problems:
            index, first, suffix = min(problems, key=lambda item: item[0])
            if self.labels:
                raise InputError(first.reason + suffix, source=first.source, feature_id=first.id)
            raise InputError(
                first.reason + suffix, source=self.info.path, index=index, feature_id=first.id
            )

    def result(self) -> tuple[tuple[Rejection, ...], tuple[Rejection, ...]]:
        """Rejections and repairs in file order; repairs of rejected features are dropped."""
        gone = {index for index, _ in self.rejected}

        def ordered(items: list[tuple[int, Rejection]]) -> tuple[Rejection, ...]:
            return tuple(r for _, r in sorted(items, key=lambda item: item[0]))

        return ordered(self.rejected), ordered([x for x in self.repaired if x[0] not in gone])


def raw_id(feature: Mapping[str, Any]) -> Any:
    props = feature.get("properties")
    raw = props.get("id") if isinstance(props, Mapping) else None
    if raw is None:
        raw = feature.get("id")
    return raw


def feature_id(feature: Any) -> str | None:
    """The feature's id as text (``properties.id``, else the Feature's ``id``), if usable."""
    if not isinstance(feature, Mapping):
        return None
    raw = raw_id(feature)
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        return None
    if isinstance(raw, int) and number_kind(raw) is not None:
        return None  # str() refuses an int of more than 4,300 digits; no id is that long
    text = str(raw).strip()
    return text or None


def id_problem(feature: Mapping[str, Any], noun: str) -> str:
    raw = raw_id(feature)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return f"missing id: every {noun} needs a unique 'id' property (text or a whole number)"
    if is_number(raw) and number_kind(raw) == "too large":
        return f"id is out of range: {show(raw)} is no usable id; give text"
    return f"id must be text or a whole number, not {show_value(raw)}"


def duplicates(ids: Sequence[str | None]) -> dict[str, list[int]]:
    counts = Counter(i for i in ids if i is not None)
    dupes: dict[str, list[int]] = {}
    for index, fid in enumerate(ids):
        if fid is not None and counts[fid] > 1:
            dupes.setdefault(fid, []).append(index)
    return dupes


def duplicate_reason(fid: str, indices: Sequence[int]) -> str:
    shown = ", ".join(f"#{i}" for i in indices[:5]) + (", ..." if len(indices) > 5 else "")
    return (
        f"duplicate id {show_value(fid)}: {len(indices)} features share it ({shown}); ids must be "
        "unique, so all of them are rejected: give each its own id or drop the copies"
    )


def not_a_feature(feature: Any) -> str:
    if isinstance(feature, Mapping):
        found = f"an object of type {show_value(feature.get('type'))}"
    else:
        found = f"a JSON {json_kind(feature)}"
    return (
        f'not a GeoJSON Feature (found {found}); each item of "features" must be '
        '{"type": "Feature", "geometry": ..., "properties": {...}}'
    )


def text_problem(props: Mapping[str, Any], key: str) -> str | None:
    value = props.get(key)
    if value is None or isinstance(value, str):
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return None  # a numeric code (a district code, a house number) is kept as text
    return f"{key} must be text, not {show_value(value)}"


def number_problem(key: str, value: Any, *, what: str) -> str | None:
    """Why ``value`` is not a usable number (``None`` when it is, or is absent)."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            float(value.strip())
        except ValueError:
            return f"{key} must be a number ({what}), not the text {show_value(value)}"
        return (
            f"{key} must be a number ({what}), not the text {show_value(value)}: write it without "
            f"quotes, e.g. {value.strip()}"
        )
    if not is_number(value):
        return f"{key} must be a number ({what}), not {show_value(value)}"
    kind = number_kind(value)
    if kind == "too large":
        return (
            f"{key} is out of range: {show(value)} is beyond the largest number a float "
            f"holds ({FLOAT_MAX:.3g})"
        )
    if kind is not None:
        return f"{key} must be a finite number, not {value!r}"
    return None


def population_problem(value: Any) -> str | None:
    problem = number_problem("population", value, what="residents")
    if problem or value is None:
        return problem
    if value < 0:
        return f"population must be >= 0, not {value!r}"
    if value > MAX_POPULATION:  # before the whole-number test: 2**70 is whole, and too many
        return (
            f"population {value!r} is out of range: more than {MAX_POPULATION:,} residents "
            "is not plausible"
        )
    if value != int(value):
        return f"population must be a whole number of residents, not {value!r}"
    return None


def zone_problem(value: Any) -> str | None:
    if value is None or value in (z.value for z in Zone):
        return None
    return (
        f"zone {show_value(value)} is not 'central' or 'peripheral' (lower case); leave it out to "
        "use the profile's district table"
    )


def radius_problem(props: Mapping[str, Any]) -> str | None:
    """Why a community's approved radius (``radius_m`` with ``radius_reason``, ``P6.circle``)
    is not usable; the profile's ``circle.approved_max_radius_m`` is checked by the engine.

    >>> radius_problem({"radius_m": 1800})
    'radius_m 1800 needs a radius_reason: say who approved the larger circle and why'
    >>> radius_problem({"radius_m": 1800, "radius_reason": "特大社区，区政府批准"}) is None
    True
    """
    radius, reason = props.get("radius_m"), props.get("radius_reason")
    if radius is None:
        if reason is not None:
            return "radius_reason without radius_m: give the approved radius in metres"
        return None
    problem = number_problem("radius_m", radius, what="metres")
    if problem:
        return problem
    if not radius > 0:
        return f"radius_m must be > 0 metres, not {radius!r}"
    if not isinstance(reason, str) or not reason.strip():
        what = "" if reason is None else f" (text, not {show_value(reason)})"
        return (
            f"radius_m {radius!r} needs a radius_reason{what}: say who approved the larger "
            "circle and why"
        )
    return None


def community_problem(props: Mapping[str, Any]) -> str | None:
    for key in ("name", "district", "subdistrict"):
        problem = text_problem(props, key)
        if problem:
            return problem
    return (
        population_problem(props.get("population"))
        or zone_problem(props.get("zone"))
        or radius_problem(props)
    )


def facility_problem(props: Mapping[str, Any], known: Collection[str]) -> str | None:
    ftype = props.get("type")
    if ftype is None or (isinstance(ftype, str) and not ftype.strip()):
        return (
            "missing facility 'type' property: give a facility type id such as 'clinic' "
            "(`livable plugins` lists them all)"
        )
    if not isinstance(ftype, str):
        return f"facility type must be text (a type id such as 'clinic'), not {show_value(ftype)}"
    if ftype not in known:
        close = type_suggestion(ftype, known)
        hint = f"did you mean {close!r}? " if close else ""
        return (
            f"unknown facility type {show_value(ftype)} ({hint}`livable plugins` lists the known "
            "types; a plugin can add more)"
        )
    for key in ("name", "brand"):
        problem = text_problem(props, key)
        if problem:
            return problem
    for key in FLAG_QUALIFIERS:
        try:
            qualifier_flag(props.get(key))
        except ValueError as exc:
            return f"{key} (P4: {_QUALIFIER_WHAT[key]}) {exc}, or leave it out"
    quality = props.get("quality")
    problem = number_problem("quality", quality, what="a 1-5 score")
    if problem is None and quality is not None and not QUALITY_MIN <= quality <= QUALITY_MAX:
        return (
            f"quality {quality!r} is outside the {QUALITY_MIN}-{QUALITY_MAX} scale: give a "
            f"score from {QUALITY_MIN} to {QUALITY_MAX}, or leave it out"
        )
    return problem


_QUALIFIER_WHAT = {
    "certified": "an outlet of the trusted-breakfast programme, 放心早餐",
    "specialty": "a specialty restaurant, 特色餐馆",
}


def type_suggestion(text: str, known: Collection[str]) -> str | None:
    """The known type id closest to ``text``, matched against the ids and the English and
    Chinese labels of :data:`~livable.models.FACILITY_TYPES` (``'幼儿园'`` and
    ``'kindergarden'`` both give ``'kindergarten'``), or ``None``.

    >>> known = {"kindergarten", "clinic"}
    >>> type_suggestion("幼儿园", known), type_suggestion("Community Clinic", known)
    ('kindergarten', 'clinic')
    """
    names: dict[str, str] = {}
    for type_id in sorted(known):
        names[type_id] = type_id
        ftype = FACILITY_TYPES.get(type_id)
        if ftype is not None:
            names.setdefault(ftype.label_en.lower(), type_id)
            names.setdefault(ftype.label_zh, type_id)
    wanted = text.strip().lower()
    if wanted in names:
        return names[wanted]
    close = difflib.get_close_matches(wanted, list(names), n=1, cutoff=0.75)
    return names[close[0]] if close else None


def fast_id(feature: Any) -> str | None:
    """:func:`feature_id`, with a fast path for the usual ``properties.id`` text."""
    if type(feature) is dict:
        props = feature.get("properties")
        if type(props) is dict:
            raw = props.get("id")
            if type(raw) is str:
                return raw.strip() or None
    return feature_id(feature)


def is_plain_number(value: Any) -> bool:
    return (type(value) is float or type(value) is int) and finite_float(value) is not None


def plain_point(feature: Any, known: Collection[str]) -> bool:
    """True for the common case that the checks below would pass without a word: a
    Feature whose properties are an object with a known ``type``, text (or no) ``name``
    and ``brand``, no or a boolean ``certified`` and ``specialty``, no or a finite numeric
    ``quality``, and a Point of two or three finite
    numbers. Anything else takes the full checks (same outcome, with the reason)."""
    if type(feature) is not dict or feature.get("type") != "Feature":
        return False
    props = feature.get("properties")
    geom = feature.get("geometry")
    if type(props) is not dict or type(geom) is not dict or geom.get("type") != "Point":
        return False
    ftype = props.get("type")
    if type(ftype) is not str or ftype not in known:
        return False
    for key in ("name", "brand"):
        value = props.get(key)
        if not (value is None or type(value) is str or type(value) is int):
            return False
    for key in FLAG_QUALIFIERS:
        if not (props.get(key) is None or type(props[key]) is bool):
            return False
    quality = props.get("quality")
    if quality is not None and not (
        is_plain_number(quality) and QUALITY_MIN <= quality <= QUALITY_MAX
    ):
        return False
    coords = geom.get("coordinates")
    return (
        type(coords) is list
        and 2 <= len(coords) <= 3
        and is_plain_number(coords[0])
        and is_plain_number(coords[1])
        and (len(coords) == 2 or is_plain_number(coords[2]))
    )


def resident_problem(props: Mapping[str, Any]) -> str | None:
    owner = props.get("community")
    if owner is None or (isinstance(owner, str) and not owner.strip()):
        return "missing 'community' property: the id of the community the residents live in"
    if isinstance(owner, bool) or not isinstance(owner, str | int):
        return f"community must be a community id (text or a whole number), not {show_value(owner)}"
    pop = props.get("population")
    if pop is None:
        return "missing 'population' property: the residents at this point"
    problem = number_problem("population", pop, what="residents")
    if problem:
        return problem
    if pop < 0:
        return f"population must be >= 0, not {pop!r}"
    return None


def admit(
    out: Collector,
    index: int,
    fid: str | None,
    feature: Any,
    *,
    noun: str,
    dupes: Mapping[str, Sequence[int]] | None,
    properties: str,
) -> Mapping[str, Any] | None:
    """The properties of a feature whose envelope is sound, else ``None`` once rejected.

    The checks every reader makes first, in this order: a problem the loader already
    knows, a GeoJSON Feature, properties an object (``properties``: ``"optional"``, null
    read as no properties; ``"required"``; ``"ignored"``, not looked at), then, for readers
    keyed by id (``dupes`` not ``None``), an id and an id no other feature shares.

    >>> out = Collector(SourceInfo("f.geojson"), strict=False, noun="street")
    >>> admit(out, 0, None, {"type": "Feature"}, noun="street", dupes={}, properties="ignored")
    >>> out.result()[0][0].reason
    "missing id: every street needs a unique 'id' property (text or a whole number)"
    """
    if out.known_problem(index, fid):
        return None
    if not isinstance(feature, Mapping) or feature.get("type") != "Feature":
        out.reject(index, fid, not_a_feature(feature))
        return None
    props = None if properties == "ignored" else feature.get("properties")
    if (props is not None or properties == "required") and not isinstance(props, Mapping):
        out.reject(index, fid, f"properties must be a JSON object, not {show_value(props)}")
        return None
    if dupes is not None:
        if fid is None:
            out.reject(index, None, id_problem(feature, noun))
            return None
        if fid in dupes:
            out.reject(index, fid, duplicate_reason(fid, dupes[fid]))
            return None
    return props or {}
