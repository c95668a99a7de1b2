"""Turning results into the JSON documents of the output contract (one module, one place).

Floats are rounded to a documented precision so the same inputs give the same bytes:
distances to 0.1 m, coordinates to 1e-7 degrees (about 1 cm), shares to 1e-4.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import orjson
import shapely
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from livable.io import Rejection
from livable.report import (
    ClosestCommunity,
    CommunityResult,
    CommunityScore,
    Gap,
    GapCount,
    IndicatorResult,
    NearbyFacility,
    Report,
    Summary,
    TypeAccess,
    ZoneSummary,
)

DISTANCE_DECIMALS = 1
COORD_DECIMALS = 7
SHARE_DECIMALS = 4


def _m(value: float | None) -> float | None:
    return None if value is None else round(float(value), DISTANCE_DECIMALS)


def _share(value: float | None) -> float | None:
    return None if value is None else round(float(value), SHARE_DECIMALS)


def _deg(value: float) -> float:
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


def _nearby(f: NearbyFacility) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": f.id,
        "name": f.name,
        "lon": _deg(f.lon),
        "lat": _deg(f.lat),
        "distance_m": _m(f.distance_m),
    }
    if f.brand is not None:
        out["brand"] = f.brand
    if f.quality is not None:
        out["quality"] = f.quality
    return out


def _access(a: TypeAccess) -> dict[str, Any]:
    return {
        "category": a.category,
        "nearest_m": _m(a.nearest_m),
        "count_within": {str(k): v for k, v in a.count_within.items()},
        "count_in_circle": a.count_in_circle,
        "nearest": [_nearby(f) for f in a.nearest],
    }


def _gap(g: Gap) -> dict[str, Any]:
    return {
        "rule": g.rule,
        "grade": None if g.grade is None else g.grade.value,
        "facility_type": g.facility_type,
        "category": g.category,
        "distance_m": _m(g.distance_m),
        "required": g.required,
        "found": g.found,
        "message_en": g.message_en,
        "message_zh": g.message_zh,
    }


def _value(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 6)
    return value


def _indicator(r: IndicatorResult) -> dict[str, Any]:
    return {
        "status": r.status,
        "value": _value(r.value),
        "unit": r.unit,
        "requirement": r.requirement,
        "key_content": r.key_content,
        "role": r.role,
        "decisive": r.decisive,
        "message_en": r.message_en,
        "message_zh": r.message_zh,
        "label_en": r.label_en,
        "label_zh": r.label_zh,
        "clause": r.clause,
        "score": None if r.score is None else round(r.score, SHARE_DECIMALS),
    }


def _score(s: CommunityScore | None) -> dict[str, Any] | None:
    if s is None:
        return None
    value = None if s.value is None else round(s.value, 1)
    return {"value": value, "assessed": s.assessed, "of": s.total}


def community_to_dict(c: CommunityResult, *, residents: bool = False) -> dict[str, Any]:
    """One community's entry of ``report.json``; ``residents``: resident points were given,
    so ``resident_access`` is written (``null`` for a community without any)."""
    out: dict[str, Any] = {
        "id": c.id,
        "name": c.name,
        "grade": c.grade.value,
        "center": [_deg(c.center[0]), _deg(c.center[1])],
        "center_inside": c.center_inside,
        "center_source": c.center_source,
        "radius_m": _m(c.radius_m),
        "radius_reason": c.radius_reason,
        "district": c.district,
        "subdistrict": c.subdistrict,
        "zone": None if c.zone is None else c.zone.value,
        "population": c.population,
        "size_class": c.size_class,
        "geometry": geometry_to_geojson(c.geometry),
        "access": {a.facility_type: _access(a) for a in c.access},
        "gaps": [_gap(g) for g in c.gaps],
        "indicators": {r.id: _indicator(r) for r in c.indicators},
        "score": _score(c.score),
        "explanation": {"en": c.explain("en", full=False), "zh": c.explain("zh", full=False)},
    }
    if c.isochrones is not None:
        out["isochrones"] = {str(k): geometry_to_geojson(g) for k, g in c.isochrones.items()}
    if c.details:
        out["details"] = dict(c.details)
    if residents or c.resident_access is not None:
        out["resident_access"] = (
            None
            if c.resident_access is None
            else {k: _share(v) for k, v in c.resident_access.items()}
        )
    return out


def _rejection(r: Rejection) -> dict[str, Any]:
    return {"id": r.id, "source": r.source, "reason": r.reason}


def _group(g: ZoneSummary) -> dict[str, Any]:
    return {
        "level": g.level,
        "key": g.key,
        "parent": g.parent,
        "zone": None if g.zone is None else g.zone.value,
        "communities": g.communities,
        "not_livable": g.not_livable,
        "livable": g.livable,
        "happy": g.happy,
        "shares": {k: _share(v) for k, v in g.grade_shares.items()},
        "livable_share": _share(g.livable_share),
        "happy_share": _share(g.happy_share),
        "targets": {
            "livable_share": g.target_livable_share,
            "happy_share": g.target_happy_share,
        },
        "target_gaps": {
            "livable_share": _share(g.livable_gap),
            "happy_share": _share(g.happy_gap),
        },
        "needed": {"livable": g.livable_needed, "happy": g.happy_needed},
        "mean_score": None if g.mean_score is None else round(g.mean_score, 1),
        "score_coverage": _share(g.score_coverage),
        "top_gaps": [{"gap": k, "communities": n} for k, n in g.top_gaps],
    }


def _gap_count(g: GapCount) -> dict[str, Any]:
    return {
        "gap": g.key,
        "communities": g.communities,
        "share": _share(g.share),
        "rule": g.rule,
        "grade": None if g.grade is None else g.grade.value,
        "facility_type": g.facility_type,
        "category": g.category,
        "label_en": g.label_en,
        "label_zh": g.label_zh,
    }


def _closest(c: ClosestCommunity) -> dict[str, Any]:
    return {
        "id": c.id,
        "name": c.name,
        "district": c.district,
        "subdistrict": c.subdistrict,
        "zone": None if c.zone is None else c.zone.value,
        "grade": c.grade.value,
        "next_grade": c.next_grade.value,
        "gaps": c.gaps,
        "shortfall": c.shortfall,
        "missing": list(c.missing),
    }


def summary_to_dict(s: Summary) -> dict[str, Any]:
    """The ``summary`` member of ``report.json``.

    ``top_gaps`` lists the most common gaps city-wide (``gap`` and ``communities`` as
    before, with share, rule, blocked grade and labels); ``groups`` the city, zone, district
    and subdistrict rows with their targets; ``closest`` the communities closest to their
    next grade.
    """

    def gap(actual: float | None, target: float) -> float | None:
        return None if actual is None else _share(max(0.0, target - actual))

    top_gaps = (
        [_gap_count(g) for g in s.gap_counts]
        if s.gap_counts
        else [{"gap": k, "communities": n} for k, n in s.top_gaps]
    )
    return {
        "communities": s.communities,
        "evaluated": s.evaluated,
        "rejected": s.rejected,
        "unzoned": s.unzoned,
        "grades": {"not_livable": s.not_livable, "livable": s.livable, "happy": s.happy},
        "livable_share": _share(s.livable_share),
        "happy_share": _share(s.happy_share),
        "happy_share_central": _share(s.happy_share_central),
        "happy_share_peripheral": _share(s.happy_share_peripheral),
        "mean_score": None if s.mean_score is None else round(s.mean_score, 1),
        "score_coverage": _share(s.score_coverage),
        "targets": {
            "livable_share": s.target_livable_share,
            "happy_share_central": s.target_happy_share_central,
            "happy_share_peripheral": s.target_happy_share_peripheral,
            "deadline": s.deadline,
        },
        "target_gaps": {
            "livable_share": gap(s.livable_share, s.target_livable_share),
            "happy_share_central": gap(s.happy_share_central, s.target_happy_share_central),
            "happy_share_peripheral": gap(
                s.happy_share_peripheral, s.target_happy_share_peripheral
            ),
        },
        "groups": [_group(g) for g in s.groups],
        "top_gaps": top_gaps,
        "closest": [_closest(c) for c in s.closest],
    }


def report_to_dict(report: Report) -> dict[str, Any]:
    """The whole ``report.json`` document."""
    return {
        "schema_version": report.schema_version,
        "livable_version": report.livable_version,
        "profile": report.profile,
        "profile_sha256": report.profile_sha256,
        "distance": report.distance,
        "working_crs": report.working_crs,
        "inputs": [{"path": s.path, "sha256": s.sha256} for s in report.inputs],
        "plugins": [{"name": p.name, "version": p.version} for p in report.plugins],
        "communities": [
            community_to_dict(c, residents=report.rejected_residents is not None)
            for c in report.communities
        ],
        "rejected": [_rejection(r) for r in report.rejected],
        "rejected_facilities": [_rejection(r) for r in report.rejected_facilities],
        **(
            {"rejected_residents": [_rejection(r) for r in report.rejected_residents]}
            if report.rejected_residents is not None
            else {}
        ),
        "repaired": [_rejection(r) for r in report.repaired],
        "skipped": [
            {"plugin": s.plugin, "hook": s.hook, "community": s.community, "reason": s.reason}
            for s in report.skipped
        ],
        "summary": summary_to_dict(report.summary),
        **({"details": dict(report.details)} if report.details else {}),
    }


def dumps(data: Any, *, indent: bool = True) -> str:
    """JSON text, UTF-8 characters kept (Chinese names stay readable)."""
    option = orjson.OPT_INDENT_2 if indent else 0
    return orjson.dumps(data, option=option).decode("utf-8") + ("\n" if indent else "")
