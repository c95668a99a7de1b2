"""OpenStreetMap extracts (``.osm.pbf``, ``.osm``) into facilities and walkable streets.

Tags become facility types through a mapping shipped as data
(``livable/data/osm_tags.toml``, see :func:`load_osm_mapping`), which a file of your own
can extend or replace. Nodes are point facilities; closed ways and multipolygons are
reduced to a point inside them (``point_on_surface``) unless ``keep_areas`` keeps the
polygon, so that distances reach its edge. Ways tagged ``highway=*`` that people may walk
on become the street network. Reading needs the ``osm`` extra (pyosmium).

>>> m = load_osm_mapping()
>>> m.classify({"shop": "greengrocer"}).type
'vegetable_store'
>>> m.classify({"amenity": "social_facility", "social_facility:for": "senior"}).type
'elderly_care_station'
>>> m.classify({"amenity": "bench"}) is None
True
>>> m.walkable({"highway": "residential"}), m.walkable({"highway": "motorway"})
(True, False)
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

import attrs
import numpy as np
import shapely

from livable.errors import InputError, LivableError
from livable.io._common import (
    ImportResult,
    bytes_info,
    check_types,
    load_toml,
    rows_to_layer,
    source_info,
    top,
    type_counts,
)
from livable.io.layers import StreetLayer
from livable.models import FACILITY_TYPES

__all__ = [
    "OsmMapping",
    "StreetRules",
    "TagRule",
    "load_osm_mapping",
    "mapping_table_markdown",
    "read_osm",
]

_ANY = "*"


def _values(raw: Any, *, where: str, allow_empty: bool = False) -> tuple[str, ...]:
    if isinstance(raw, str):
        return (raw,)
    if isinstance(raw, list) and (raw or allow_empty) and all(isinstance(v, str) for v in raw):
        return tuple(raw)
    raise InputError(f"{where}: tag values must be a string or a list of strings, not {raw!r}")


def _tag_table(raw: Any, *, where: str) -> Mapping[str, tuple[str, ...]]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise InputError(f"{where}: expected a table of tags, like {{ shop = ['convenience'] }}")
    return {str(k): _values(v, where=f"{where}.{k}") for k, v in raw.items()}


def _tag_matches(tags: Mapping[str, str], key: str, allowed: tuple[str, ...]) -> bool:
    value = tags.get(key)
    if value is None:
        return False
    if _ANY in allowed:
        return True
    return any(part.strip() in allowed for part in value.split(";"))


@attrs.frozen
class TagRule:
    """One row of the tag mapping: tags (and optionally a name pattern) -> a facility type.

    ``type`` is ``None`` for a ``skip`` row. Values ``"*"`` match any value.

    >>> r = TagRule(type="clinic", tags={"amenity": ("clinic", "doctors")})
    >>> r.matches({"amenity": "doctors"}), r.matches({"amenity": "pharmacy"})
    (True, False)
    """

    type: str | None
    tags: Mapping[str, tuple[str, ...]]
    unless: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict)
    name: re.Pattern[str] | None = None
    note: str = ""

    @property
    def label(self) -> str:
        """The rule's conditions as text, e.g. ``amenity=clinic|doctors``."""
        parts = [f"{k}={'|'.join(v)}" for k, v in self.tags.items()]
        if self.unless:
            parts += [f"not {k}={'|'.join(v)}" for k, v in self.unless.items()]
        if self.name is not None:
            parts.append(f"name ~ {self.name.pattern}")
        return " + ".join(parts)

    def matches(self, tags: Mapping[str, str], name: str | None = None) -> bool:
        """Whether an object with these tags (and name) matches the rule."""
        if not all(_tag_matches(tags, k, v) for k, v in self.tags.items()):
            return False
        if any(_tag_matches(tags, k, v) for k, v in self.unless.items()):
            return False
        if self.name is not None:
            text = name if name is not None else _name(tags)
            return text is not None and self.name.search(text) is not None
        return True


@attrs.frozen
class StreetRules:
    """Which ``highway=*`` ways are walkable (see ``[streets]`` in ``osm_tags.toml``)."""

    exclude_highway: frozenset[str]
    exclude_access: frozenset[str]
    exclude_foot: frozenset[str]
    foot_allows: frozenset[str]

    def walkable(self, tags: Mapping[str, str]) -> bool:
        """Whether a way with these tags is a walkable street.

        >>> load_osm_mapping().streets.walkable({"highway": "trunk", "foot": "yes"})
        True
        """
        highway = tags.get("highway")
        if highway is None:
            return False
        foot = tags.get("foot")
        if foot in self.foot_allows:
            return True
        if foot in self.exclude_foot:
            return False
        if highway in self.exclude_highway:
            return False
        return tags.get("access") not in self.exclude_access


@attrs.frozen
class OsmMapping:
    """The tag-to-type mapping: ordered rules (first match wins) and street rules."""

    rules: tuple[TagRule, ...]
    report_keys: tuple[str, ...]
    streets: StreetRules
    source: str = "livable/data/osm_tags.toml"
    _index: Mapping[tuple[str, str], tuple[int, ...]] = attrs.field(
        init=False, repr=False, eq=False
    )

    def __attrs_post_init__(self) -> None:
        # each rule is indexed by its first tag: (key, value), or (key, "*") for any value
        index: dict[tuple[str, str], list[int]] = {}
        for i, rule in enumerate(self.rules):
            key, values = next(iter(rule.tags.items()))
            for value in (_ANY,) if _ANY in values else values:
                index.setdefault((key, value), []).append(i)
        object.__setattr__(self, "_index", {k: tuple(v) for k, v in index.items()})

    @property
    def keys(self) -> frozenset[str]:
        """Every tag key a rule, a report or the street network looks at."""
        keys = {k for r in self.rules for k in r.tags} | set(self.report_keys) | {"highway"}
        return frozenset(keys)

    def classify(self, tags: Mapping[str, str], name: str | None = None) -> TagRule | None:
        """The first rule that matches, or ``None``."""
        index = self._index
        candidates: list[int] = []
        for key, value in tags.items():
            found = index.get((key, _ANY))
            if found:
                candidates.extend(found)
            if ";" in value:
                for part in value.split(";"):
                    found = index.get((key, part.strip()))
                    if found:
                        candidates.extend(found)
            else:
                found = index.get((key, value))
                if found:
                    candidates.extend(found)
        if not candidates:
            return None
        for i in sorted(set(candidates)):
            if self.rules[i].matches(tags, name):
                return self.rules[i]
        return None

    def walkable(self, tags: Mapping[str, str]) -> bool:
        """Whether a way with these tags belongs to the walkable street network."""
        return self.streets.walkable(tags)


def _rule(raw: Any, index: int, source: str) -> TagRule:
    where = f"{source}: rule {index + 1}"
    if not isinstance(raw, Mapping):
        raise InputError(f"{where}: each [[rule]] must be a table")
    unknown = set(raw) - {"type", "skip", "tags", "unless", "name", "note"}
    if unknown:
        raise InputError(f"{where}: unknown field(s) {sorted(unknown)}")
    tags = _tag_table(raw.get("tags"), where=f"{where}.tags")
    if not tags:
        raise InputError(f"{where}: a rule needs at least one tag in `tags`")
    skip = raw.get("skip", False)
    ftype = raw.get("type")
    if skip is True:
        if ftype is not None:
            raise InputError(f"{where}: a skip rule has no type")
    elif not isinstance(ftype, str) or not ftype:
        raise InputError(f"{where}: needs `type` (a facility type id) or `skip = true`")
    pattern = raw.get("name")
    try:
        name = re.compile(pattern) if isinstance(pattern, str) else None
    except re.error as exc:
        raise InputError(f"{where}: bad name pattern {pattern!r}: {exc}") from None
    return TagRule(
        type=None if skip is True else ftype,
        tags=tags,
        unless=_tag_table(raw.get("unless"), where=f"{where}.unless"),
        name=name,
        note=str(raw.get("note", "")),
    )


def _street_rules(raw: Mapping[str, Any], base: StreetRules | None, source: str) -> StreetRules:
    def field(name: str) -> frozenset[str]:
        if name in raw:
            return frozenset(
                _values(raw[name], where=f"{source}: streets.{name}", allow_empty=True)
            )
        if base is None:
            raise InputError(f"{source}: [streets] needs `{name}`")
        return frozenset(getattr(base, name))

    return StreetRules(
        exclude_highway=field("exclude_highway"),
        exclude_access=field("exclude_access"),
        exclude_foot=field("exclude_foot"),
        foot_allows=field("foot_allows"),
    )


def load_osm_mapping(
    path: str | Path | None = None, *, known_types: Collection[str] | None = None
) -> OsmMapping:
    """The tag mapping: the built-in table, or a TOML file of your own.

    A file with ``extends = "builtin"`` puts its ``[[rule]]`` rows before the built-in ones
    (so they win), adds its ``report_keys`` and overrides the ``[streets]`` fields it names;
    without ``extends`` it replaces the table. Every ``type`` must be a known facility type
    (``known_types``, default the built-in ones; pass a plugin manager's types to use
    types a plugin adds). A plugin can ship such a file and pass it here.

    >>> len(load_osm_mapping().rules) > 30
    True
    """
    known = FACILITY_TYPES.keys() if known_types is None else known_types
    builtin = path is None
    source = "livable/data/osm_tags.toml" if builtin else str(path)
    data = load_toml("" if builtin else Path(path), package_default="osm_tags.toml")  # type: ignore[arg-type]
    base: OsmMapping | None = None
    extends = data.get("extends")
    if extends is not None:
        if extends != "builtin":
            raise InputError(f'{source}: extends must be "builtin", not {extends!r}')
        base = load_osm_mapping(known_types=known)
    raw_rules = data.get("rule", [])
    if not isinstance(raw_rules, list):
        raise InputError(f"{source}: `rule` must be an array of tables ([[rule]])")
    rules = tuple(_rule(r, i, source) for i, r in enumerate(raw_rules))
    check_types((r.type for r in rules if r.type is not None), known, source=source)
    report_keys = _values(
        data.get("report_keys", []), where=f"{source}: report_keys", allow_empty=True
    )
    streets_raw = data.get("streets", {})
    if not isinstance(streets_raw, Mapping):
        raise InputError(f"{source}: [streets] must be a table")
    if base is not None:
        return OsmMapping(
            rules=rules + base.rules,
            report_keys=tuple(dict.fromkeys(base.report_keys + report_keys)),
            streets=_street_rules(streets_raw, base.streets, source),
            source=source,
        )
    if not rules:
        raise InputError(f'{source}: no [[rule]] rows (add extends = "builtin" to extend)')
    return OsmMapping(
        rules=rules,
        report_keys=report_keys,
        streets=_street_rules(streets_raw, None, source),
        source=source,
    )


def mapping_table_markdown(mapping: OsmMapping | None = None) -> str:
    """The mapping as a Markdown table (the how-to page embeds the built-in one).

    >>> print(mapping_table_markdown().splitlines()[2])
    | 1 | `highway=bus_stop` | `transit_stop` | Bus stop pole or shelter; ... |
    """
    m = mapping or load_osm_mapping()
    lines = ["| # | OSM tags | facility type | note |", "| --- | --- | --- | --- |"]
    for i, rule in enumerate(m.rules, 1):
        target = "(skipped)" if rule.type is None else f"`{rule.type}`"
        note = rule.note.replace("|", "\\|")
        label = rule.label.replace("|", "\\|")
        lines.append(f"| {i} | `{label}` | {target} | {note} |")
    return "\n".join(lines)


def _name(tags: Mapping[str, str]) -> str | None:
    for key in ("name", "name:zh", "name:zh-Hans", "name:en"):
        value = tags.get(key)
        if value:
            return value
    return None


def _brand(tags: Mapping[str, str]) -> str | None:
    return tags.get("brand") or tags.get("brand:zh") or None


class _Collector:
    """Classifies objects and keeps the matched ones; geometry is decoded in bulk later."""

    def __init__(self, mapping: OsmMapping):
        self.mapping = mapping
        self.rows: list[dict[str, Any]] = []
        self.points: list[tuple[float, float]] = []  # for nodes
        self.wkb: list[str | None] = []  # hex WKB of ways and areas
        self.is_node: list[bool] = []
        self.unmatched: Counter[str] = Counter()
        self.skipped = 0

    def rule(self, tags: Mapping[str, str]) -> TagRule | None:
        """The facility rule for these tags (``None`` when none or a skip rule), counting."""
        rule = self.mapping.classify(tags, _name(tags))
        if rule is None:
            for key in self.mapping.report_keys:
                if key in tags:
                    self.unmatched[f"{key}={tags[key]}"] += 1
            return None
        if rule.type is None:
            self.skipped += 1
            return None
        return rule

    def keep(
        self,
        oid: str,
        tags: Mapping[str, str],
        rule: TagRule,
        *,
        point: tuple[float, float] | None = None,
        wkb: str | None = None,
    ) -> None:
        self.rows.append(
            {
                "id": f"osm:{oid}",
                "type": rule.type,
                "name": _name(tags),
                "brand": _brand(tags),
                "attributes": {"source": "osm", "osm_id": oid, "osm_match": rule.label},
            }
        )
        self.is_node.append(point is not None)
        self.points.append(point if point is not None else (math.nan, math.nan))
        self.wkb.append(wkb)

    def finish(self, keep_areas: bool) -> list[dict[str, Any]]:
        """Rows with ``lon``/``lat`` (and ``area``), decoding way and area geometry in bulk."""
        if not self.rows:
            return []
        xy = np.array(self.points, dtype=np.float64).reshape(-1, 2)
        geoms = np.full(len(self.rows), None, dtype=object)
        has_wkb = np.array([w is not None for w in self.wkb], dtype=bool)
        if has_wkb.any():
            geoms[has_wkb] = shapely.from_wkb([w for w in self.wkb if w is not None])
        kinds = shapely.get_type_id(geoms)  # -1 for None
        polygonal = np.isin(kinds, (3, 6))
        lines = np.isin(kinds, (1, 2, 5))
        if polygonal.any():
            xy[polygonal] = shapely.get_coordinates(shapely.point_on_surface(geoms[polygonal]))
        if lines.any():
            mid = shapely.line_interpolate_point(geoms[lines], 0.5, normalized=True)
            xy[lines] = shapely.get_coordinates(mid)
        rows: list[dict[str, Any]] = []
        for i, row in enumerate(self.rows):
            if not np.isfinite(xy[i]).all():
                self.unmatched[f"{row['type']} without usable geometry ({row['id']})"] += 1
                continue
            row["lon"], row["lat"] = float(xy[i, 0]), float(xy[i, 1])
            if keep_areas and polygonal[i]:
                geom = geoms[i]
                row["area"] = geom.geoms[0] if len(geom.geoms) == 1 else geom
            rows.append(row)
        return rows


OsmFormat = Literal["pbf", "osm"]
"""The formats of OpenStreetMap data given as bytes: PBF, or ``osm`` (the XML)."""


def read_osm(
    path: str | Path | bytes,
    *,
    mapping: OsmMapping | str | Path | None = None,
    keep_areas: bool = False,
    streets: bool = True,
    known_types: Collection[str] | None = None,
    format: OsmFormat = "pbf",
) -> ImportResult:
    """Read an OpenStreetMap file into facilities (and the walkable streets).

    ``path`` may also be the bytes of the data in the ``format`` given (``pbf`` or ``osm``,
    the XML; named ``<bytes>`` in messages, e.g. standard input).

    ``mapping`` is an :class:`OsmMapping` or a TOML path (default the built-in table).
    Facility ids are ``osm:n<id>`` for nodes, ``osm:w<id>`` for ways and closed ways,
    ``osm:r<id>`` for multipolygon relations; street ids are ``osm:w<id>``. The result's
    ``unmatched`` lists ``key=value`` of the report keys (``amenity``, ``shop``, ...) on
    objects that matched no rule, most common first. Needs the ``osm`` extra.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "tiny.osm"
    >>> _ = p.write_text('''<osm version="0.6">
    ... <node id="1" lat="34.26" lon="108.94"><tag k="amenity" v="kindergarten"/></node>
    ... </osm>''')
    >>> result = read_osm(p)
    >>> result.facilities.ids.tolist(), result.counts["kindergarten"]
    (['osm:n1'], 1)
    >>> read_osm(p.read_bytes(), format="osm").facilities.ids.tolist()
    ['osm:n1']
    """
    try:
        import osmium
        import osmium.filter
        import osmium.geom
        import osmium.osm
    except ImportError:
        raise LivableError(
            "reading OpenStreetMap files needs pyosmium: pip install 'livable[osm]'"
        ) from None
    if isinstance(path, bytes):
        info = bytes_info(path)
        name = info.path
        data: Any = osmium.io.FileBuffer(path, format)
    else:
        name, data = str(path), str(path)
        info = source_info(Path(path))
    known = FACILITY_TYPES.keys() if known_types is None else known_types
    if not isinstance(mapping, OsmMapping):
        mapping = load_osm_mapping(mapping, known_types=known)
    else:
        check_types(
            (r.type for r in mapping.rules if r.type is not None), known, source=mapping.source
        )
    out = _Collector(mapping)
    wkb = osmium.geom.WKBFactory()
    street_ids: list[str] = []
    street_wkb: list[str] = []
    street_props: list[dict[str, Any]] = []
    pending: dict[int, tuple[dict[str, str], str | None]] = {}
    broken = 0
    keys = sorted(mapping.keys)
    processor = (
        osmium.FileProcessor(data)
        .with_areas(osmium.filter.KeyFilter(*keys))
        .with_filter(osmium.filter.KeyFilter(*keys))
    )

    def line_of(way: Any) -> str | None:
        try:
            return wkb.create_linestring(way)
        except (RuntimeError, osmium.InvalidLocationError):
            return None

    try:
        for obj in processor:
            tags = {t.k: t.v for t in obj.tags}
            if isinstance(obj, osmium.osm.Node):
                rule = out.rule(tags)
                if rule is not None and obj.location.valid():
                    out.keep(f"n{obj.id}", tags, rule, point=(obj.location.lon, obj.location.lat))
            elif isinstance(obj, osmium.osm.Way):
                closed = obj.is_closed() and len(obj.nodes) >= 4
                line = None
                if streets and mapping.walkable(tags):
                    line = line_of(obj)
                    if line is None:
                        broken += 1
                    else:
                        street_ids.append(f"osm:w{obj.id}")
                        street_wkb.append(line)
                        street_props.append(
                            {
                                k: tags[k]
                                for k in ("highway", "name", "foot", "sidewalk")
                                if k in tags
                            }
                        )
                if closed:  # wait for its area, which the area pass builds later
                    pending[obj.id] = (tags, line)
                    continue
                rule = out.rule(tags)
                if rule is not None:
                    out.keep(
                        f"w{obj.id}", tags, rule, wkb=line if line is not None else line_of(obj)
                    )
            elif isinstance(obj, osmium.osm.Area):
                from_way = obj.from_way()
                if from_way and pending.pop(obj.orig_id(), None) is None:
                    continue  # a closed way the filter dropped (no relevant tags)
                rule = out.rule(tags)
                if rule is not None:
                    try:
                        area: str | None = wkb.create_multipolygon(obj)
                    except (RuntimeError, osmium.InvalidLocationError):
                        area = None
                    oid = f"{'w' if from_way else 'r'}{obj.orig_id()}"
                    out.keep(oid, tags, rule, wkb=area)
    except RuntimeError as exc:
        raise InputError(f"cannot read OpenStreetMap data: {exc}", source=name) from None
    for way_id, (tags, line) in pending.items():  # closed ways that formed no area
        rule = out.rule(tags)
        if rule is not None:
            out.keep(f"w{way_id}", tags, rule, wkb=line)
    if broken:
        out.unmatched["(highway ways with missing node locations, not in streets)"] = broken
    layer = rows_to_layer(out.finish(keep_areas), source=info)
    street_layer = None
    if streets:
        street_layer = StreetLayer.from_lines(
            street_ids, shapely.from_wkb(street_wkb), street_props
        )
    return ImportResult(
        facilities=layer,
        counts=type_counts(layer.types.tolist(), known),
        unmatched=top(+out.unmatched),
        skipped=out.skipped,
        streets=street_layer,
    )


def describe(result: ImportResult, *, top_n: int = 20) -> Iterable[str]:
    """Lines for the terminal: counts per type and the most common unmatched tags.

    >>> from livable.io._common import rows_to_layer
    >>> r = ImportResult(rows_to_layer([]), {"clinic": 0}, (("shop=bakery", 3),))
    >>> print("\\n".join(describe(r)))
    facilities: 0
      clinic                              0
    tags that matched no rule (top 20):
          3  shop=bakery
    """
    yield f"facilities: {len(result.facilities)}"
    for t, n in result.counts.items():
        yield f"  {t:<30}{n:>7}"
    if result.unmatched:
        yield f"tags that matched no rule (top {top_n}):"
        for label, n in result.unmatched[:top_n]:
            yield f"  {n:>5}  {label}"
