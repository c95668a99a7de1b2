"""What the HTTP service answers, loaded and indexed once, with no web framework in sight.

:class:`Service` holds a report (read from ``report.json``, or evaluated once at start-up
from communities and facilities), the facilities it was measured on and their index (the
k-d trees per type and the R-tree of :class:`~livable.geometry.proximity.PreparedFacilities`),
the working-CRS :class:`~livable.geometry.crs.Projector` and an R-tree of the communities'
boxes. Each question is then a query on those indexes:

* :meth:`Service.near`: for a point (WGS84, GCJ-02 or BD-09), per facility type the nearest
  facilities and the counts within each tier and within the circle, computed live by the
  same code that builds a community's ``access`` in ``report.json``
  (:func:`livable.engine.access_entries`), plus the community that contains the point;
* :meth:`Service.community`, :meth:`Service.communities`, :meth:`Service.summary`: the
  report's own entries.

Bad questions raise :class:`RequestError`, whose message comes in English and Chinese and
never names a file on the server.

>>> import livable
>>> from livable.testing import community, facility, offset
>>> report = livable.evaluate([community("c1", 108.94, 34.26, size_m=600, name="福寿社区")],
...                           [facility("k1", "kindergarten", *offset(108.94, 34.26, 300, 0))])
>>> service = Service.from_report(report, [facility("k1", "kindergarten",
...                                         *offset(108.94, 34.26, 300, 0))])
>>> answer = service.near(108.94, 34.26)
>>> answer.community, answer.to_dict()["access"]["kindergarten"]["nearest_m"]
('c1', 300.3)
"""

from __future__ import annotations

import hashlib
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import shapely

from livable.engine import (
    EvaluationSettings,
    Inputs,
    LayerSpec,
    access_entries,
    as_facility_layer,
    canonical_order,
    evaluate_inputs,
    facility_columns,
    resolve_profile,
)
from livable.errors import LivableError
from livable.geometry.access import AccessQuery, Origins
from livable.geometry.crs import Projector
from livable.geometry.index import FacilityIndex
from livable.geometry.proximity import PreparedFacilities, proximity_table
from livable.io.crs import resolve_crs
from livable.io.datums import Datum, from_wgs84, to_wgs84
from livable.io.readers import FacilityLayer
from livable.io.streets import read_streets
from livable.models import (
    CommunityResult,
    FacilityType,
    Grade,
    NearbyFacility,
    Report,
    TypeAccess,
)
from livable.models.results import read_report
from livable.models.serialize import dump_with
from livable.plugins.manager import PluginManager
from livable.profile import Profile

__all__ = [
    "MAX_PAGE_SIZE",
    "MAX_QUERY_CHARS",
    "MAX_TYPES",
    "CommunityPage",
    "NearAnswer",
    "RequestError",
    "Service",
]

MAX_PAGE_SIZE = 200
"""The most communities one page of ``/api/communities`` lists."""
MAX_QUERY_CHARS = 100
"""The longest name search (``q``) and the longest id accepted."""
MAX_TYPES = 64
"""The most entries ``types`` may list."""


class RequestError(LivableError):
    """A question the service cannot answer: an HTTP status and a message in en and zh.

    >>> e = RequestError(404, "not_found", "no community 'x'", "没有社区“x”")
    >>> e.status, e.to_dict()["error"]["message_zh"]
    (404, '没有社区“x”')
    """

    def __init__(self, status: int, code: str, message_en: str, message_zh: str) -> None:
        super().__init__(message_en)
        self.status, self.code = status, code
        self.message_en, self.message_zh = message_en, message_zh

    def to_dict(self) -> dict[str, Any]:
        """The JSON body of the error response."""
        return {
            "error": {
                "status": self.status,
                "code": self.code,
                "message_en": self.message_en,
                "message_zh": self.message_zh,
            }
        }


def _round(value: float) -> float:
    return round(float(value), 7)


@attrs.frozen
class NearAnswer:
    """The answer of ``/api/near``: the point as asked, the containing community, and
    ``access`` shaped as a community's ``access`` in ``report.json`` (positions in
    ``datum``); ``walk_min`` gives the walking minutes of each listed nearest facility."""

    point: tuple[float, float]
    datum: Datum
    community: str | None
    access: tuple[TypeAccess, ...]
    walking_speed_m_per_min: float

    def to_dict(self) -> dict[str, Any]:
        """The JSON body (``{"point", "datum", "community", "access", "walk_min"}``).

        >>> a = NearAnswer((108.9, 34.2), Datum.WGS84, None, (), 80.0)
        >>> a.to_dict()
        {'point': [108.9, 34.2], 'datum': 'wgs84', 'community': None, 'access': {}, 'walk_min': {}}
        """
        speed = self.walking_speed_m_per_min
        return {
            "point": [self.point[0], self.point[1]],
            "datum": self.datum.value,
            "community": self.community,
            "access": {a.facility_type: dump_with(a) for a in self.access},
            "walk_min": {
                a.facility_type: [round(f.distance_m / speed, 1) for f in a.nearest]
                for a in self.access
            },
        }


@attrs.frozen
class CommunityPage:
    """One page of ``/api/communities``: the matching communities' headlines."""

    total: int
    offset: int
    limit: int
    items: tuple[CommunityResult, ...]

    def to_dict(self) -> dict[str, Any]:
        """The JSON body: ``total``, ``offset``, ``limit`` and ``items``."""
        return {
            "total": self.total,
            "offset": self.offset,
            "limit": self.limit,
            "items": [_headline(c) for c in self.items],
        }


def _headline(c: CommunityResult) -> dict[str, Any]:
    return {
        "id": c.id,
        "name": c.name,
        "district": c.district,
        "subdistrict": c.subdistrict,
        "grade": c.grade.value,
        "center": [_round(c.center[0]), _round(c.center[1])],
        "gaps": len(c.gaps),
    }


def _parse_datum(value: str) -> Datum:
    try:
        return Datum(value.strip().lower())
    except ValueError:
        raise RequestError(
            422,
            "bad_datum",
            f"datum must be one of {', '.join(d.value for d in Datum)}, not {value[:20]!r}",
            f"datum 必须是 {', '.join(d.value for d in Datum)} 之一，而不是 {value[:20]!r}",
        ) from None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _report_facilities(report: Report, report_path: Path | None) -> Path:
    """The facilities file a report was made from, found beside it and checked by SHA-256."""
    if len(report.inputs) < 2:
        raise LivableError("the report does not name its facilities file; give --facilities FILE")
    source = report.inputs[1]
    given = Path(source.path)
    candidates = [given]
    if report_path is not None and not given.is_absolute():
        candidates += [report_path.parent / given, report_path.parent / given.name]
    for path in candidates:
        if path.is_file():
            if source.sha256 is not None and _sha256(path) != source.sha256:
                raise LivableError(
                    f"{path}: not the facilities the report was made from (SHA-256 differs); "
                    "give --facilities FILE"
                )
            return path
    raise LivableError(f"{source.path}: the report's facilities file is not found")


class Service:
    """A report and its facilities, indexed once; answers the service's questions.

    Build it with :meth:`from_report` (a ``report.json`` and the facilities it was made
    from) or :meth:`evaluate` (communities and facilities, evaluated once).
    """

    def __init__(
        self,
        report: Report,
        facilities: FacilityLayer,
        *,
        profile: Profile,
        plugins: PluginManager,
        streets: Any = None,
    ) -> None:
        self.report, self.profile, self.plugins = report, profile, plugins
        self.types: Mapping[str, FacilityType] = plugins.facility_types()
        self.type_ids = tuple(self.types)
        self.facilities = canonical_order(facilities)
        self.projector = Projector.for_crs(resolve_crs(report.working_crs))
        self.columns = facility_columns(self.facilities, self.type_ids, self.projector)
        self.prepared = PreparedFacilities.build(self.columns)
        self.provider = None
        if report.distance != "euclidean":
            spec = None if streets is None else LayerSpec.of(streets)
            self.provider = plugins.make_provider(
                report.distance,
                profile=profile,
                projector=self.projector,
                streets=None if spec is None else spec.source,
                streets_crs=None if spec is None else spec.crs,
                streets_datum=Datum.WGS84 if spec is None else spec.datum,
                strict=False,
            )
        self.streets: tuple[Any, ...] = ()
        if streets is not None:
            spec = LayerSpec.of(streets)
            self.streets = tuple(read_streets(spec.source, crs=spec.crs, datum=spec.datum).lines)
        comms = report.communities
        self._dicts: dict[str, dict[str, Any]] = {}
        self._by_id = {c.id: c for c in comms}
        self._geoms = np.array([c.geometry for c in comms], dtype=object)
        self._communities: FacilityIndex | None = None
        if comms:
            b = shapely.bounds(self._geoms)
            self._communities = FacilityIndex(b[:, 0], b[:, 1], b[:, 2], b[:, 3])
        self._search = [
            " ".join(str(v) for v in (c.id, c.name, c.district, c.subdistrict) if v).casefold()
            for c in comms
        ]
        self._category_types: dict[str, tuple[str, ...]] = {}
        for t, ft in self.types.items():
            if ft.category is not None:
                self._category_types.setdefault(ft.category, ())
                self._category_types[ft.category] += (t,)

    # -- building -------------------------------------------------------------------------

    @classmethod
    def from_report(
        cls,
        report: Report | str | os.PathLike[str],
        facilities: Any = None,
        *,
        streets: Any = None,
        profile: str | Path | Profile | None = None,
        plugins: PluginManager | None = None,
    ) -> Service:
        """A service for a report (a :class:`~livable.report.Report` or a ``report.json``
        path) and the facilities it was measured on (any source
        :func:`~livable.evaluate` reads; default: the report's facilities file, found as
        recorded or beside the report and checked by its SHA-256)."""
        pm = plugins if plugins is not None else PluginManager()
        report_path = None
        if not isinstance(report, Report):
            report_path = Path(report)
            report = read_report(report_path)
        prof = resolve_profile(profile if profile is not None else report.profile, pm)
        if prof.sha256 != report.profile_sha256:
            raise LivableError(
                f"profile {prof.id!r} is not the one the report was made with "
                "(its SHA-256 differs); give the report's profile with --profile"
            )
        if facilities is None:
            facilities = _report_facilities(report, report_path)
        settings = EvaluationSettings(profile=prof)
        layer = as_facility_layer(
            LayerSpec.of(facilities), settings, known_types=pm.facility_types()
        )
        return cls(report, layer, profile=prof, plugins=pm, streets=streets)

    @classmethod
    def evaluate(
        cls,
        communities: Any,
        facilities: Any,
        *,
        streets: Any = None,
        profile: str | Path | Profile = "xian-2020",
        distance: str | None = None,
        plugins: PluginManager | None = None,
    ) -> Service:
        """Evaluate communities and facilities once (:func:`livable.evaluate`) and serve the
        report; with ``streets`` the distance is the street network's unless named."""
        pm = plugins if plugins is not None else PluginManager()
        prof = resolve_profile(profile, pm)
        dist = distance or ("network" if streets is not None else "euclidean")
        settings = EvaluationSettings(profile=prof, distance=dist)
        layer = as_facility_layer(
            LayerSpec.of(facilities), settings, known_types=pm.facility_types()
        )
        inputs = Inputs(communities, layer, streets=streets)
        report = evaluate_inputs(inputs, settings, plugins=pm)
        return cls(report, layer, profile=prof, plugins=pm, streets=streets)

    # -- questions ------------------------------------------------------------------------

    def community(self, community_id: str) -> CommunityResult:
        """A community's report entry; :class:`RequestError` 404 if there is none."""
        found = self._by_id.get(community_id)
        if found is None:
            shown = community_id[:MAX_QUERY_CHARS]
            raise RequestError(
                404,
                "no_community",
                f"no community {shown!r} in the report",
                f"报告中没有社区 {shown!r}",
            )
        return found

    def community_dict(self, community_id: str) -> dict[str, Any]:
        """A community's entry exactly as in ``report.json`` (built once, then kept)."""
        found = self._dicts.get(community_id)
        if found is None:
            found = self._dicts[community_id] = dump_with(self.community(community_id))
        return found

    def streets_geojson(self) -> tuple[Any, ...]:
        """The streets (WGS84 shapely lines) given at start, for the map page."""
        return self.streets

    def communities(
        self,
        *,
        district: str | None = None,
        subdistrict: str | None = None,
        grade: str | None = None,
        q: str | None = None,
        offset: int = 0,
        limit: int = 50,
    ) -> CommunityPage:
        """The communities matching every filter given (``q``: a case-insensitive part of
        the id, name, district or subdistrict), in id order, one page."""
        if grade is not None and grade not in {g.value for g in Grade}:
            raise RequestError(
                422,
                "bad_grade",
                "grade must be one of not_livable, livable, happy",
                "grade 必须是 not_livable、livable、happy 之一",
            )
        if q is not None and len(q) > MAX_QUERY_CHARS:
            raise RequestError(
                422,
                "query_too_long",
                f"q is at most {MAX_QUERY_CHARS} characters",
                f"q 最多 {MAX_QUERY_CHARS} 个字符",
            )
        if not offset >= 0 or not 1 <= limit <= MAX_PAGE_SIZE:
            raise RequestError(
                422,
                "bad_page",
                f"offset must be >= 0 and limit 1 to {MAX_PAGE_SIZE}",
                f"offset 须 >= 0，limit 须在 1 到 {MAX_PAGE_SIZE} 之间",
            )
        needle = None if not q else q.casefold()
        hits = [
            c
            for c, text in zip(self.report.communities, self._search, strict=True)
            if (district is None or c.district == district)
            and (subdistrict is None or c.subdistrict == subdistrict)
            and (grade is None or c.grade.value == grade)
            and (needle is None or needle in text)
        ]
        return CommunityPage(len(hits), offset, limit, tuple(hits[offset : offset + limit]))

    def summary(self) -> dict[str, Any]:
        """The report's city summary, with the plan's targets and the gaps to them."""
        data: dict[str, Any] = self.report.to_dict()["summary"]
        return data

    def containing(self, lon: float, lat: float) -> CommunityResult | None:
        """The community whose polygon contains (or touches) a WGS84 point, if any (the
        first by id where communities overlap)."""
        if self._communities is None:
            return None
        x, y = np.array([lon]), np.array([lat])
        _q, cand = self._communities.query_boxes(x, y, x, y)
        if cand.size == 0:
            return None
        cand = np.sort(cand)
        hit = shapely.intersects_xy(self._geoms[cand], lon, lat)
        if not hit.any():
            return None
        return self.report.communities[int(cand[np.argmax(hit)])]

    def parse_types(self, types: Iterable[str]) -> tuple[str, ...]:
        """Facility type ids and service category ids, as the facility types they name."""
        out: list[str] = []
        for raw in types:
            name = raw.strip()
            if not name:
                continue
            if name in self.types:
                out.append(name)
            elif name in self._category_types:
                out.extend(self._category_types[name])
            else:
                shown = name[:40]
                raise RequestError(
                    422,
                    "bad_type",
                    f"{shown!r} is neither a facility type nor a service category",
                    f"{shown!r} 既不是设施类型也不是服务类别",
                )
        if len(out) > MAX_TYPES * 4:
            raise RequestError(422, "too_many_types", "too many types", "类型过多")
        return tuple(dict.fromkeys(out))

    def near(
        self,
        lon: float,
        lat: float,
        *,
        datum: Datum | str = Datum.WGS84,
        types: Sequence[str] | None = None,
    ) -> NearAnswer:
        """Access from a point, live on the index: see the module docstring."""
        d = datum if isinstance(datum, Datum) else _parse_datum(datum)
        if not (math.isfinite(lon) and math.isfinite(lat)) or not (
            -180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0
        ):
            raise RequestError(
                422,
                "bad_point",
                "lon must be within -180..180 and lat within -90..90",
                "lon 须在 -180..180 之间，lat 须在 -90..90 之间",
            )
        wlon, wlat = to_wgs84(np.array([lon]), np.array([lat]), d)
        w = (float(wlon[0]), float(wlat[0]))
        inside = self.containing(*w)
        radius = inside.radius_m if inside is not None else self.profile.circle_radius_m
        x, y = self.projector.forward(wlon, wlat)
        if not (np.isfinite(x).all() and np.isfinite(y).all()):
            raise RequestError(
                422,
                "point_out_of_area",
                f"the point is outside the working CRS {self.projector.name}",
                f"该点超出工作坐标系 {self.projector.name} 的范围",
            )
        query = AccessQuery(
            type_ids=self.type_ids,
            tier_radii_m=self.profile.tier_distances_m,
            circle_radii_m=[radius],
            search_radius_m=self.profile.search_radius_m,
            k=self.profile.nearest_k,
        )
        origins = Origins(x, y)
        if self.provider is None:
            table = proximity_table(origins, self.columns, query, prepared=self.prepared)
        else:
            table = self.provider.measure(origins, self.columns, query)
        entries = access_entries(
            0, self.type_ids, self.types, table, self.facilities, self.profile.tier_distances_m
        )
        wanted = self.type_ids if not types else self.parse_types(types)
        access = tuple(_in_datum(entries[t], d) for t in wanted)
        return NearAnswer(
            (lon, lat),
            d,
            None if inside is None else inside.id,
            access,
            self.profile.walking_speed_m_per_min,
        )


def _in_datum(entry: TypeAccess, datum: Datum) -> TypeAccess:
    """An access entry with its facilities' positions in ``datum``."""
    if datum is Datum.WGS84 or not entry.nearest:
        return entry
    lon, lat = from_wgs84(
        np.array([f.lon for f in entry.nearest]), np.array([f.lat for f in entry.nearest]), datum
    )
    moved: tuple[NearbyFacility, ...] = tuple(
        attrs.evolve(f, lon=float(x), lat=float(y))
        for f, x, y in zip(entry.nearest, lon.tolist(), lat.tolist(), strict=True)
    )
    return attrs.evolve(entry, nearest=moved)
