"""Tests of the synthetic sample city (``livable.io.sample``).

The oracle below grades the generated GeoJSON by brute force, independently of the
generator: it reads the written files back, projects them into the same local metric frame
(equirectangular around lon 108.94, lat 34.26) and applies the xian-2020 rules with plain
shapely/numpy, then compares with ``SampleCity.expected_grades``.
"""

from __future__ import annotations

import json
import math
import tomllib
from collections import Counter
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pytest
import shapely
from shapely.geometry import shape

from livable.io.sample import SAMPLE_SEED, SampleCity, generate_sample_city, write_sample_city

LON0, LAT0 = 108.94, 34.26
M_LON = 111_320.0 * math.cos(math.radians(LAT0))
M_LAT = 110_574.0

# The xian-2020 numbers, restated for the oracle (checked against the packaged profile below).
REQUIRED = {  # small, medium, large
    "transit_stop": (1, 2, 3),
    "convenience_store": (1, 2, 3),
    "vegetable_store": (1, 2, 3),
    "fitness_venue": (1, 2, 3),
    "leisure_space": (1, 2, 3),
    "community_library": (1, 1, 2),
    "kindergarten": (1, 2, 3),
    "clinic": (1, 2, 2),
    "elderly_care_station": (1, 1, 2),
    "government_service_station": (1, 1, 1),
    "breakfast_outlet": (1, 2, 3),
    "restaurant": (2, 3, 5),
    # P4 大、中型社区适当增加保障品类: the further categories of medium and large communities
    "parcel_point": (0, 1, 2),
    "school": (0, 0, 1),
    "bank": (0, 0, 1),
}
CATEGORY_TIER_MIN = {
    "shopping": 5,
    "leisure": 5,
    "finance": 5,
    "catering": 10,
    "reading": 10,
    "government": 10,
    "accommodation": 10,
    "medical": 15,
    "elderly_care": 15,
    "education": 15,
    "transport": 15,
    "tourism": 15,
    "fitness": 15,
    "entertainment": 15,
}
TYPE_CATEGORY = {
    "transit_stop": "transport",
    "convenience_store": "shopping",
    "vegetable_store": "shopping",
    "fitness_venue": "fitness",
    "leisure_space": "leisure",
    "community_library": "reading",
    "kindergarten": "education",
    "clinic": "medical",
    "elderly_care_station": "elderly_care",
    "government_service_station": "government",
    "breakfast_outlet": "catering",
    "restaurant": "catering",
    "bank": "finance",
    "hotel": "accommodation",
    "attraction": "tourism",
    "entertainment_venue": "entertainment",
    "school": "education",
    "parcel_point": None,
}
ALL_TYPES = set(TYPE_CATEGORY)
DISTRICT_ZONES = {
    "碑林区": "central",
    "雁塔区": "central",
    "长安区": "peripheral",
    "临潼区": "peripheral",
}
WALK_M_PER_MIN = 80.0
RADIUS, ENLARGED_RADIUS = 1200.0, 1600.0
EXTRA_LARGE_POPULATION, EXTRA_LARGE_AREA_M2, DISPERSED_SHARE = 30_000, 3.0e6, 0.2
MEDIUM_MIN, LARGE_MIN = 5000, 12000
HAPPY_EXTRA, MIN_KINDS, MIN_QUALITY = 1, 15, 4.0
HAPPY_ATTRIBUTES = {
    "green_ratio": 0.30,
    "governance_score": 80.0,
    "vitality_score": 80.0,
    "satisfaction": 0.85,
}
BAD_IDS = {"DUP-001", "NOGEOM-001"}


# --- the oracle -----------------------------------------------------------------------
def to_metric(geom: Any) -> Any:
    def project(lonlat: np.ndarray) -> np.ndarray:
        return np.column_stack([(lonlat[:, 0] - LON0) * M_LON, (lonlat[:, 1] - LAT0) * M_LAT])

    return shapely.transform(geom, project)


@attrs.frozen
class Verdict:
    grade: str
    radius: float
    livable_failures: tuple[str, ...]
    happy_failures: tuple[str, ...]


def load(directory: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    def read(name: str) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((directory / name).read_text(encoding="utf-8"))
        return data

    return read("communities.geojson"), read("facilities.geojson")


def grade_all(
    communities: dict[str, Any], facilities: dict[str, Any], *, force_radius: float | None = None
) -> dict[str, Verdict]:
    """Brute-force grades of every valid community (duplicates and null geometries skipped)."""
    ids = Counter(f["properties"]["id"] for f in communities["features"])
    fac_props = [f["properties"] for f in facilities["features"]]
    fac_geoms = np.array([to_metric(shape(f["geometry"])) for f in facilities["features"]])
    fac_types = np.array([p["type"] for p in fac_props])
    fac_quality = np.array(
        [bool(p.get("brand")) or float(p.get("quality") or 0) >= MIN_QUALITY for p in fac_props]
    )
    verdicts = {}
    for feature in communities["features"]:
        props = feature["properties"]
        cid = props["id"]
        if ids[cid] > 1 or feature["geometry"] is None:
            continue
        geom = to_metric(shape(feature["geometry"]))
        centre = geom if geom.geom_type == "Point" else geom.centroid
        population = props.get("population")
        radius = RADIUS
        if geom.geom_type != "Point":
            outside = geom.difference(centre.buffer(RADIUS, 256)).area / geom.area
            big = (population or 0) >= EXTRA_LARGE_POPULATION or geom.area > EXTRA_LARGE_AREA_M2
            if big or outside > DISPERSED_SHARE:
                radius = ENLARGED_RADIUS
        if force_radius is not None:
            radius = force_radius
        size = 0 if population is None or population < MEDIUM_MIN else 1
        size += population is not None and population >= LARGE_MIN
        dist = shapely.distance(fac_geoms, centre)
        inside = dist <= radius
        counts = Counter(fac_types[inside].tolist())
        livable_failures = tuple(t for t, req in REQUIRED.items() if counts[t] < req[size])
        happy_failures = []
        happy_failures += [
            f"more:{t}" for t, r in REQUIRED.items() if r[size] and counts[t] < r[size] + 1
        ]
        if len(counts) < MIN_KINDS:
            happy_failures.append("kinds")
        for category, minutes in CATEGORY_TIER_MIN.items():
            members = [t for t, c in TYPE_CATEGORY.items() if c == category]
            near = dist <= minutes * WALK_M_PER_MIN
            if not np.any(near & np.isin(fac_types, members)):
                happy_failures.append(f"tier:{category}")
        for ftype in ("convenience_store", "breakfast_outlet"):
            if not np.any(inside & fac_quality & (fac_types == ftype)):
                happy_failures.append(f"quality:{ftype}")
        for key, minimum in HAPPY_ATTRIBUTES.items():
            if key not in props:
                happy_failures.append(f"missing:{key}")
            elif props[key] < minimum:
                happy_failures.append(f"low:{key}")
        grade = "not_livable" if livable_failures else "livable" if happy_failures else "happy"
        verdicts[cid] = Verdict(grade, radius, livable_failures, tuple(happy_failures))
    return verdicts


# --- fixtures -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def city() -> SampleCity:
    return generate_sample_city()


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("sample")
    write_sample_city(directory)
    return directory


@pytest.fixture(scope="module")
def verdicts(written: Path) -> dict[str, Verdict]:
    return grade_all(*load(written))


def features_by_id(city: SampleCity) -> dict[str, dict[str, Any]]:
    return {
        f["properties"]["id"]: f
        for f in city.communities["features"]
        if f["properties"]["id"] not in BAD_IDS
    }


# --- determinism and files ------------------------------------------------------------
def test_same_seed_writes_identical_bytes(tmp_path: Path) -> None:
    first = write_sample_city(tmp_path / "a")
    second = write_sample_city(tmp_path / "b", seed=SAMPLE_SEED)
    assert [p.name for p in first] == ["communities.geojson", "facilities.geojson"]
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes()


def test_another_seed_writes_different_files(tmp_path: Path) -> None:
    ours = write_sample_city(tmp_path / "a")
    other = write_sample_city(tmp_path / "b", seed=SAMPLE_SEED + 1)
    for a, b in zip(ours, other, strict=True):
        assert a.read_bytes() != b.read_bytes()


def test_written_files_match_the_generated_city(written: Path, city: SampleCity) -> None:
    communities, facilities = load(written)
    assert communities == city.communities
    assert facilities == city.facilities
    text = (written / "communities.geojson").read_text(encoding="utf-8")
    assert "碑林区" in text  # ensure_ascii=False
    assert text.endswith("\n")


def test_metadata(city: SampleCity) -> None:
    expected = {
        "synthetic": True,
        "generator": "livable.sample",
        "seed": SAMPLE_SEED,
        "note_en": "Synthetic data generated for demonstration; not real places in Xi'an.",
        "note_zh": "演示用的合成数据，并非西安的真实地点。",
    }
    assert city.facilities["metadata"] == expected
    assert city.communities["metadata"] == {
        **expected,
        "deliberately_bad": ["DUP-001", "NOGEOM-001"],
    }
    assert generate_sample_city(5).communities["metadata"]["seed"] == 5


def test_geojson_is_rfc7946(city: SampleCity) -> None:
    for collection in (city.communities, city.facilities):
        assert collection["type"] == "FeatureCollection"
        for feature in collection["features"]:
            assert feature["type"] == "Feature"
            if feature["geometry"] is None:
                continue
            coords = shapely.get_coordinates(shape(feature["geometry"]))
            assert np.all(np.abs(coords[:, 0] - 109.0) < 0.5)  # lon, then lat, around Xi'an
            assert np.all(np.abs(coords[:, 1] - 34.2) < 0.3)
            assert all(round(float(c), 7) == c for c in coords.ravel())
            geom = shape(feature["geometry"])
            assert geom.is_valid
            polygons = list(getattr(geom, "geoms", [geom]))
            for polygon in polygons:
                if polygon.geom_type == "Polygon":
                    assert polygon.exterior.is_ccw  # right-hand rule


# --- content --------------------------------------------------------------------------
def test_community_counts_and_properties(city: SampleCity) -> None:
    features = city.communities["features"]
    good = features_by_id(city)
    assert 60 <= len(good) <= 80
    assert set(good) == set(city.expected_grades)
    assert [f["properties"]["id"] for f in features[-3:]] == ["DUP-001", "DUP-001", "NOGEOM-001"]
    assert features[-1]["geometry"] is None
    for cid, feature in good.items():
        props = feature["properties"]
        assert cid[:2] in {"BL", "YT", "CA", "LT"}
        assert cid[2] == "-"
        assert len(cid) == 6
        assert props["district"] in DISTRICT_ZONES
        assert props["subdistrict"].endswith("街道")
        assert props["name"].endswith("社区")
    assert sum("population" not in f["properties"] for f in good.values()) == 2
    missing = [f for f in good.values() if "satisfaction" not in f["properties"]]
    assert 3 <= len(missing) <= 6
    classes = Counter(
        0 if p < MEDIUM_MIN else 1 if p < LARGE_MIN else 2
        for p in (f["properties"].get("population") for f in good.values())
        if p is not None
    )
    assert set(classes) == {0, 1, 2}


def test_all_facility_types_and_attributes_present(city: SampleCity) -> None:
    props = [f["properties"] for f in city.facilities["features"]]
    assert {p["type"] for p in props} == ALL_TYPES
    ids = [p["id"] for p in props]
    assert len(set(ids)) == len(ids)
    assert all(i.startswith("F-") and len(i) == 8 for i in ids)
    # P4: 品牌便利店, 放心早餐网点, 特色餐馆: every facility of the qualified types says it has
    # the qualifier, so the demo's 12 ones are decided on them and no grade is provisional
    assert all(p.get("brand") for p in props if p["type"] == "convenience_store")
    assert all(p.get("certified") is True for p in props if p["type"] == "breakfast_outlet")
    assert all(p.get("specialty") is True for p in props if p["type"] == "restaurant")
    qualities = {p["quality"] for p in props if p["type"] == "breakfast_outlet" and "quality" in p}
    assert qualities <= {1, 2, 3, 4, 5}
    assert {4, 5} & qualities
    assert {1, 2, 3} & qualities
    areas = Counter(
        p["properties"]["type"]
        for p in city.facilities["features"]
        if p["geometry"]["type"] == "Polygon"
    )
    assert areas["leisure_space"] >= 2
    assert areas["school"] >= 1


def test_both_zones_and_every_grade_present(city: SampleCity) -> None:
    good = features_by_id(city)
    zones = {DISTRICT_ZONES[f["properties"]["district"]] for f in good.values()}
    assert zones == {"central", "peripheral"}
    assert set(city.expected_grades.values()) == {"not_livable", "livable", "happy"}


def test_grade_mix_by_zone_and_district(city: SampleCity) -> None:
    good = features_by_id(city)
    by_zone: dict[str, list[str]] = {"central": [], "peripheral": []}
    by_district: dict[str, list[str]] = {}
    for cid, grade in city.expected_grades.items():
        district = good[cid]["properties"]["district"]
        by_zone[DISTRICT_ZONES[district]].append(grade)
        by_district.setdefault(district, []).append(grade)
    central = by_zone["central"].count("happy") / len(by_zone["central"])
    peripheral = by_zone["peripheral"].count("happy") / len(by_zone["peripheral"])
    assert 0.50 <= central <= 0.60
    assert 0.25 <= peripheral <= 0.35
    assert len(by_district) == 4
    for grades in by_district.values():
        assert grades.count("not_livable") >= 3


def test_special_shapes(city: SampleCity) -> None:
    good = {cid: to_metric(shape(f["geometry"])) for cid, f in features_by_id(city).items()}
    kinds = Counter(g.geom_type for g in good.values())
    assert kinds["Point"] == 1
    assert kinds["MultiPolygon"] == 1
    assert len(next(g for g in good.values() if g.geom_type == "MultiPolygon").geoms) == 2
    polygons = [g for g in good.values() if g.geom_type == "Polygon"]
    outside = [g for g in polygons if not g.contains(g.centroid)]
    assert len(outside) == 1
    assert outside[0].distance(outside[0].centroid) > 50.0  # well outside, not a rounding case
    extents = [max(g.bounds[2] - g.bounds[0], g.bounds[3] - g.bounds[1]) for g in polygons]
    assert sum(300 <= e <= 900 for e in extents) >= len(polygons) - 1
    props = {cid: f["properties"] for cid, f in features_by_id(city).items()}
    extra_large = [
        cid
        for cid, g in good.items()
        if props[cid].get("population", 0) >= EXTRA_LARGE_POPULATION or g.area > EXTRA_LARGE_AREA_M2
    ]
    assert len(extra_large) == 1
    assert good[extra_large[0]].area > EXTRA_LARGE_AREA_M2


# --- the oracle agrees ------------------------------------------------------------------
def test_oracle_agrees_with_expected_grades(city: SampleCity, verdicts: dict[str, Verdict]) -> None:
    assert {cid: v.grade for cid, v in verdicts.items()} == dict(city.expected_grades)


@pytest.mark.parametrize("seed", [1, 99])
def test_oracle_agrees_for_other_seeds(tmp_path: Path, seed: int) -> None:
    write_sample_city(tmp_path, seed=seed)
    verdicts = grade_all(*load(tmp_path))
    expected = generate_sample_city(seed).expected_grades
    assert {cid: v.grade for cid, v in verdicts.items()} == dict(expected)


def test_not_livable_communities_miss_one_or_two_types(verdicts: dict[str, Verdict]) -> None:
    failing = [v for v in verdicts.values() if v.grade == "not_livable"]
    assert failing
    assert all(1 <= len(v.livable_failures) <= 2 for v in failing)
    missing = Counter(t for v in failing for t in v.livable_failures)
    assert missing["kindergarten"] >= 4  # whole areas without a kindergarten


def test_livable_communities_show_varied_reasons(verdicts: dict[str, Verdict]) -> None:
    reasons = {
        r.split(":")[0] for v in verdicts.values() if v.grade == "livable" for r in v.happy_failures
    }
    assert {"low", "missing", "tier", "quality", "more", "kinds"} <= reasons


def test_enlarged_circle_is_decisive_for_the_extra_large_community(
    written: Path, verdicts: dict[str, Verdict]
) -> None:
    enlarged = [cid for cid, v in verdicts.items() if v.radius == ENLARGED_RADIUS]
    assert len(enlarged) == 1
    assert verdicts[enlarged[0]].grade == "happy"
    standard = grade_all(*load(written), force_radius=RADIUS)
    assert standard[enlarged[0]].grade == "not_livable"


def test_no_facility_sits_near_a_boundary(written: Path) -> None:
    """Grades must not hinge on rounding or the projection: distances keep off boundaries."""
    communities, facilities = load(written)
    verdicts = grade_all(communities, facilities)
    geoms = np.array([to_metric(shape(f["geometry"])) for f in facilities["features"]])
    good = {f["properties"]["id"]: f for f in communities["features"]}
    for cid, verdict in verdicts.items():
        geom = to_metric(shape(good[cid]["geometry"]))
        centre = geom if geom.geom_type == "Point" else geom.centroid
        dist = shapely.distance(geoms, centre)
        for boundary in (400.0, 800.0, 1200.0, verdict.radius):
            assert np.min(np.abs(dist - boundary)) > 10.0, (cid, boundary)


def _packaged_profile() -> Mapping[str, Any] | None:
    try:
        text = resources.files("livable").joinpath("data/xian-2020.toml").read_text("utf-8")
    except (OSError, ModuleNotFoundError):
        return None
    return tomllib.loads(text)


def test_oracle_numbers_match_the_packaged_profile() -> None:
    profile = _packaged_profile()
    assert profile is not None, "the xian-2020 profile is not packaged in this tree"
    sizes = ("small", "medium", "large")
    required = {t: tuple(v[s] for s in sizes) for t, v in profile["required"].items()}
    assert required == REQUIRED
    assert profile["category_tiers"] == CATEGORY_TIER_MIN
    assert profile["walking_speed_m_per_min"] == WALK_M_PER_MIN
    assert profile["circle_radius_m"] == RADIUS
    circle = profile["circle"]
    assert circle["enlarged_radius_m"] == ENLARGED_RADIUS
    assert circle["extra_large_population"] == EXTRA_LARGE_POPULATION
    assert circle["extra_large_area_km2"] * 1e6 == EXTRA_LARGE_AREA_M2
    assert circle["dispersed_outside_share"] == DISPERSED_SHARE
    happy = profile["happy"]
    assert happy["more_extra"] == HAPPY_EXTRA
    assert happy["min_kinds"] == MIN_KINDS
    assert happy["min_quality"] == MIN_QUALITY
    assert [c["min_population"] for c in profile["size_classes"]] == [0, MEDIUM_MIN, LARGE_MIN]
    attributes = {
        "green_ratio": happy["green_ratio_min"],
        "governance_score": happy["governance_min"],
        "vitality_score": happy["vitality_min"],
        "satisfaction": happy["satisfaction_min"],
    }
    assert attributes == HAPPY_ATTRIBUTES
    for district, zone in DISTRICT_ZONES.items():
        assert profile["district_zones"][district] == zone
