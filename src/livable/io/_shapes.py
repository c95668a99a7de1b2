"""Reading one feature's geometry strictly: GeoJSON positions, rings, (Multi)Polygons,
Points and (Multi)LineStrings become shapely geometries, or the reason they cannot.

Each ``*_geometry`` function returns ``(geometry, problem, repair note)``: a geometry
(or, for point layers, the ``(x, y)`` of a Point) and ``None``, or ``None`` and the reason
the feature is rejected; the note says what was repaired (an unclosed ring closed).

>>> position_problem(["108.9", 34.2])
"coordinate '108.9' is text, not a number: write it without quotes"
>>> line_geometry({"type": "LineString", "coordinates": [[0, 0], [0, 0]]})[1]
'the street has zero length: all its positions coincide'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import shapely
from shapely.errors import GEOSException
from shapely.geometry.base import BaseGeometry

from livable._numbers import finite_float, is_number, number_kind
from livable._text import show
from livable.io._geojson import GEOJSON_GEOMETRIES, show_value
from livable.io._validate import Collector, is_plain_number

__all__ = [
    "COMMUNITY_GEOMETRIES",
    "FACILITY_GEOMETRIES",
    "Geometry",
    "community_geometry",
    "facility_geometry",
    "line_geometry",
    "parse_geometry",
    "point_coords",
    "position_problem",
    "repair_polygons",
    "resident_geometry",
    "street_geometry",
]

Geometry = tuple[BaseGeometry | tuple[float, float] | None, str | None, str | None]
"""What a geometry reader returns: the geometry (or a Point's ``(x, y)``), the problem
that rejects the feature, and a repair note."""

COMMUNITY_GEOMETRIES = ("Polygon", "MultiPolygon", "Point")
FACILITY_GEOMETRIES = ("Point", "Polygon", "MultiPolygon")


def position_problem(pos: Any) -> str | None:
    if not isinstance(pos, list | tuple) or not 2 <= len(pos) <= 3:
        return f"position {show_value(pos)} is not [x, y] or [x, y, z]"
    for v in pos:
        if not is_number(v):
            if isinstance(v, str):
                return f"coordinate {show_value(v)} is text, not a number: write it without quotes"
            return f"coordinate {show_value(v)} is not a number"
        kind = number_kind(v)
        if kind == "too large":
            return f"coordinate out of range: {show(v)}, not a longitude, latitude or metres"
        if kind is not None:
            return "coordinates contain NaN or infinity"
    return None


def _ring(ring: Any, what: str) -> tuple[list[Any] | None, str | None, bool]:
    """A checked ring (closed if it was not), its problem, and whether it was closed.

    Positions become ``(x, y)``: a ``z`` is dropped, so a ring mixing 2D and 3D positions
    (RFC 7946 allows it) reads like any other; nothing downstream uses heights.
    """
    if not isinstance(ring, list | tuple):
        return None, f"{what} is not a list of positions", False
    for pos in ring:
        problem = position_problem(pos)
        if problem:
            return None, problem, False
    positions = [(float(pos[0]), float(pos[1])) for pos in ring]
    closed = False
    if positions and positions[0] != positions[-1]:
        positions.append(positions[0])
        closed = True
    if len(positions) < 4:
        return None, f"{what} has {len(ring)} positions; a ring needs at least 4 (closed)", False
    return positions, None, closed


def _polygon(coords: Any, what: str) -> tuple[BaseGeometry | None, str | None, bool]:
    if not isinstance(coords, list | tuple):
        return None, f"{what} coordinates must be a list of rings", False
    if not coords:
        return shapely.Polygon(), None, False
    rings: list[list[Any]] = []
    any_closed = False
    for r, raw in enumerate(coords):
        ring, problem, closed = _ring(raw, f"ring {r} of the {what}")
        if problem or ring is None:
            return None, problem, False
        rings.append(ring)
        any_closed |= closed
    try:
        geom = shapely.Polygon(rings[0], rings[1:])
    except (ValueError, TypeError, GEOSException) as exc:
        return None, f"malformed {what}: {exc}", False
    return geom, None, any_closed


def parse_geometry(
    raw: Any, allowed: tuple[str, ...], noun: str
) -> tuple[BaseGeometry | None, str | None, str | None]:
    """``(geometry, problem, repair note)`` of a GeoJSON geometry, checked strictly.

    Coordinates must be numbers (not text, not booleans), finite, 2 or 3 per position;
    an unclosed ring is closed (a repair); empty geometries are a problem.
    """
    kinds = ", ".join(allowed[:-1]) + " or " + allowed[-1]
    if raw is None:
        return None, f"feature has no geometry (null): give its {kinds}", None
    if not isinstance(raw, Mapping):
        return None, f"geometry is not a GeoJSON geometry object: {show_value(raw)}", None
    gtype = raw.get("type")
    if gtype not in allowed:
        if isinstance(gtype, str) and gtype in GEOJSON_GEOMETRIES:
            return None, f"a {noun} must be a {kinds}, not a {gtype}", None
        return None, f"unknown geometry type {show_value(gtype)}: a {noun} must be a {kinds}", None
    coords = raw.get("coordinates")
    closed = False
    geom: BaseGeometry | None
    if gtype == "Point":
        if isinstance(coords, list | tuple) and not coords:
            return None, "geometry is empty (a Point without coordinates)", None
        problem = position_problem(coords)
        if problem or not isinstance(coords, list | tuple):
            return None, problem, None
        geom = shapely.Point(*(float(v) for v in coords))
    elif gtype == "Polygon":
        geom, problem, closed = _polygon(coords, "Polygon")
        if problem:
            return None, problem, None
    else:
        if not isinstance(coords, list | tuple):
            return None, "MultiPolygon coordinates must be a list of polygons", None
        parts: list[BaseGeometry] = []
        for p, part_coords in enumerate(coords):
            part, problem, part_closed = _polygon(part_coords, f"polygon {p} of the MultiPolygon")
            if problem or part is None:
                return None, problem, None
            closed |= part_closed
            if not part.is_empty:
                parts.append(part)
        geom = shapely.MultiPolygon(parts) if parts else shapely.MultiPolygon()
    if geom is None or geom.is_empty:
        return None, f"geometry is empty (a {gtype} without coordinates)", None
    note = "a polygon ring was not closed; closed it (GeoJSON rings end at their start)"
    return geom, None, note if closed else None


def polygonal(geom: BaseGeometry) -> BaseGeometry:
    """The polygonal part of a repaired geometry (make_valid may add lines or points)."""
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def repair_polygons(
    entries: list[tuple[int, str | None, BaseGeometry]], out: Collector
) -> dict[int, BaseGeometry]:
    """Repair invalid polygons with make_valid; returns the (repaired) geometry per index.

    A polygon whose repair has no area (its points are collinear or repeated) is rejected.
    """
    fixed: dict[int, BaseGeometry] = {}
    if not entries:
        return fixed
    geoms = np.array([g for _, _, g in entries], dtype=object)
    areas = np.array([g.geom_type != "Point" for g in geoms], dtype=bool)
    valid = np.ones(len(geoms), dtype=bool)
    valid[areas] = shapely.is_valid(geoms[areas])
    for k, (index, fid, geom) in enumerate(entries):
        if valid[k]:
            fixed[index] = geom
            continue
        why = shapely.is_valid_reason(geom)
        repaired = polygonal(shapely.make_valid(geom))
        if repaired.is_empty or repaired.area == 0.0:
            out.reject(
                index,
                fid,
                f"invalid polygon that cannot be repaired: it has no area ({why}); redraw it",
            )
            continue
        out.repair(
            index, fid, f"invalid polygon ({why}) repaired with shapely.make_valid; check it"
        )
        fixed[index] = repaired
    return fixed


def point_coords(raw: Any) -> tuple[float, float] | None:
    """Fast path for clean GeoJSON Points: the two coordinates, without building a geometry."""
    if not isinstance(raw, Mapping) or raw.get("type") != "Point":
        return None
    coords = raw.get("coordinates")
    if (
        isinstance(coords, list | tuple)
        and 2 <= len(coords) <= 3
        and type(coords[0]) in (int, float)
        and type(coords[1]) in (int, float)
        and (len(coords) == 2 or type(coords[2]) in (int, float))
    ):
        x, y = finite_float(coords[0]), finite_float(coords[1])
        if x is not None and y is not None and (len(coords) == 2 or is_plain_number(coords[2])):
            return x, y
    return None


def line_geometry(raw: Any) -> tuple[BaseGeometry | None, str | None]:
    """A street's LineString or MultiLineString, checked strictly, or its problem."""
    kinds = "LineString or MultiLineString"
    if raw is None:
        return None, f"feature has no geometry (null): give its {kinds}"
    if not isinstance(raw, Mapping):
        return None, f"geometry is not a GeoJSON geometry object: {show_value(raw)}"
    gtype = raw.get("type")
    if gtype not in ("LineString", "MultiLineString"):
        if isinstance(gtype, str) and gtype in GEOJSON_GEOMETRIES:
            return None, f"a street must be a {kinds}, not a {gtype}"
        return None, f"unknown geometry type {show_value(gtype)}: a street must be a {kinds}"
    coords = raw.get("coordinates")
    lines = [coords] if gtype == "LineString" else coords
    if not isinstance(lines, list | tuple) or not lines:
        return None, f"geometry is empty (a {gtype} without coordinates)"
    parts = []
    for part in lines:
        if not isinstance(part, list | tuple) or len(part) < 2:
            return None, f"a line needs at least two positions, not {show_value(part)}"
        for pos in part:
            problem = position_problem(pos)
            if problem:
                return None, problem
        parts.append([[float(v) for v in pos[:2]] for pos in part])
    geom = shapely.LineString(parts[0]) if gtype == "LineString" else shapely.MultiLineString(parts)
    if not shapely.length(geom) > 0.0:
        return None, "the street has zero length: all its positions coincide"
    return geom, None


def community_geometry(raw: Any) -> Geometry:
    """A community's Polygon, MultiPolygon or Point (a Point stays a geometry).

    >>> community_geometry({"type": "LineString", "coordinates": []})[1]
    'a community must be a Polygon, MultiPolygon or Point, not a LineString'
    """
    return parse_geometry(raw, COMMUNITY_GEOMETRIES, "community")


def facility_geometry(raw: Any) -> Geometry:
    """A facility's Point (as ``(x, y)``, a fast path for clean ones) or area.

    >>> facility_geometry({"type": "Point", "coordinates": [108.9, 34.2]})
    ((108.9, 34.2), None, None)
    """
    point = point_coords(raw)
    if point is not None:
        return point, None, None
    geom, problem, note = parse_geometry(raw, FACILITY_GEOMETRIES, "facility")
    if geom is not None and geom.geom_type == "Point":
        return (geom.x, geom.y), problem, note
    return geom, problem, note


def street_geometry(raw: Any) -> Geometry:
    """A street's LineString or MultiLineString (see :func:`line_geometry`)."""
    geom, problem = line_geometry(raw)
    return geom, problem, None


def resident_geometry(raw: Any) -> Geometry:
    """A resident point's Point as ``(x, y)``, or why it is not one.

    >>> resident_geometry({"type": "Polygon", "coordinates": []})[1]
    "a resident point must be a Point, not 'Polygon'"
    """
    point = point_coords(raw)
    if point is not None:
        return point, None, None
    # not a plain Point: a usable one (numpy numbers, say), or why not
    kind = raw.get("type") if isinstance(raw, Mapping) else None
    if raw is None:
        problem: str | None = "feature has no geometry (null): give its Point"
    elif kind != "Point":
        problem = f"a resident point must be a Point, not {show_value(kind)}"
    else:
        problem = position_problem(raw.get("coordinates"))
    if problem or not isinstance(raw, Mapping):
        return None, problem or "bad geometry", None
    coords = raw["coordinates"]
    return (float(coords[0]), float(coords[1])), None, None
