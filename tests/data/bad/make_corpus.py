"""Write the bad-input corpus of this folder (run once; the files are committed).

Each file holds one problem; ``expected.toml`` beside it gives the exit status and the
message ``livable evaluate`` must print or record for it. ``python make_corpus.py`` rewrites
the files; it is not run by the tests.
"""

from __future__ import annotations

import gzip
import json
import warnings
from pathlib import Path
from typing import Any

import pyproj

HERE = Path(__file__).parent
X, Y = 108.94, 34.26  # Xi'an


def square(x: float, y: float, d: float = 0.004) -> dict[str, Any]:
    ring = [[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]
    return {"type": "Polygon", "coordinates": [ring]}


def point(x: Any, y: Any) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [x, y]}


def feature(fid: Any, geometry: Any, **props: Any) -> dict[str, Any]:
    return {"type": "Feature", "properties": {"id": fid, **props}, "geometry": geometry}


def good(i: int) -> dict[str, Any]:
    return feature(f"ok{i}", square(X + 0.01 * i, Y), name=f"社区{i}", population=4000)


def collection(*bad: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": "FeatureCollection", **extra, "features": [good(0), *bad, good(1)]}


def write_json(name: str, data: Any) -> None:
    text = json.dumps(data, ensure_ascii=False, indent=1)
    (HERE / name).write_text(text + "\n", encoding="utf-8")


def main() -> None:
    text = json.dumps(
        collection(feature("gb", square(X, Y), name="雁塔区小寨社区")), ensure_ascii=False
    )
    (HERE / "encoding_gb18030.geojson").write_bytes(text.encode("gb18030"))
    (HERE / "encoding_utf16.geojson").write_bytes(text.encode("utf-16"))
    full = json.dumps(collection())
    (HERE / "json_truncated.geojson").write_bytes(full[: len(full) // 2].encode())
    (HERE / "json_empty.geojson").write_bytes(b"")
    (HERE / "json_nan.geojson").write_bytes(
        b'{"type": "FeatureCollection", "features": [{"type": "Feature", '
        b'"properties": {"id": "n"}, "geometry": {"type": "Point", "coordinates": [NaN, 34.2]}}]}'
    )
    (HERE / "json_deep.geojson").write_bytes(b"[" * 3000 + b"]" * 3000)
    write_json("top_level_array.geojson", [good(0)])
    write_json("single_feature.geojson", good(0))
    write_json("features_not_array.geojson", {"type": "FeatureCollection", "features": {}})
    write_json(
        "crs_unknown.geojson",
        collection(crs={"type": "name", "properties": {"name": "EPSG:999999"}}),
    )
    write_json("too_many_features.geojson", collection(good(2), good(3)))
    write_json("lonlat_swapped.geojson", collection(feature("sw", point(Y, X))))
    write_json("projected_without_crs.geojson", collection(feature("pj", point(500000, 3792000))))
    gk = pyproj.Transformer.from_crs(4326, 4545, always_xy=True)  # CGCS2000 GK CM 108E
    projected = collection(
        feature("far", point(2500000.0, 3792000.0)),
        crs={"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4545"}},
    )
    for f in projected["features"]:
        if f["properties"]["id"] != "far":
            f["geometry"]["coordinates"] = [
                [[round(v, 2) for v in gk.transform(*p)] for p in ring]
                for ring in f["geometry"]["coordinates"]
            ]
    write_json("outside_crs_area.geojson", projected)
    write_json("null_island.geojson", collection(feature("zero", point(0, 0))))
    write_json("community_far_away.geojson", collection(feature("boston", point(-71.06, 42.36))))
    write_json(
        "communities_spread_out.geojson",
        collection(
            feature("boston", point(-71.06, 42.36)), feature("cambridge", point(-71.1, 42.37))
        ),
    )
    write_json("coordinates_text.geojson", collection(feature("txt", point("108.9", "34.2"))))
    write_json(
        "duplicate_ids.geojson",
        collection(feature("same", square(X, Y + 0.01)), feature("same", square(X, Y + 0.02))),
    )
    write_json(
        "missing_id.geojson",
        collection({"type": "Feature", "properties": {"name": "无名"}, "geometry": square(X, Y)}),
    )
    write_json(
        "population_text.geojson", collection(feature("pt", square(X, Y), population="3000"))
    )
    write_json("zone_invalid.geojson", collection(feature("zn", square(X, Y), zone="Central")))
    write_json(
        "name_not_text.geojson", collection(feature("nm", square(X, Y), name={"zh": "社区"}))
    )
    write_json("geometry_null.geojson", collection(feature("ng", None)))
    write_json(
        "geometry_empty.geojson", collection(feature("eg", {"type": "Polygon", "coordinates": []}))
    )
    write_json(
        "geometry_linestring.geojson",
        collection(feature("ls", {"type": "LineString", "coordinates": [[X, Y], [X + 0.01, Y]]})),
    )
    bowtie = [[X, Y], [X + 0.01, Y + 0.01], [X + 0.01, Y], [X, Y + 0.01], [X, Y]]
    write_json(
        "polygon_self_intersecting.geojson",
        collection(feature("bow", {"type": "Polygon", "coordinates": [bowtie]})),
    )
    flat = [[X, Y], [X + 0.01, Y], [X + 0.02, Y], [X, Y]]
    write_json(
        "polygon_no_area.geojson",
        collection(feature("flat", {"type": "Polygon", "coordinates": [flat]})),
    )
    write_json("not_a_feature.geojson", collection({"type": "Point", "coordinates": [X, Y]}))
    fac = {
        "type": "FeatureCollection",
        "features": [
            feature("k1", point(X + 0.002, Y + 0.002), type="kindergarten"),
            feature("c1", point(X + 0.003, Y + 0.002), type="Clinic"),
            feature("c2", point(X + 0.003, Y + 0.003)),
        ],
    }
    write_json("facilities_bad_types.geojson", fac)
    # ids a terminal would act on, each shared by two features so both are rejected and
    # echoed: a window title, clear screen, NUL, CR/LF that fake a report line, a bidi
    # override, C1 CSI, and 5,000 characters
    hostile = [
        "\x1b]0;owned\x07title",
        "\x1b[2J\x1b[Hclear",
        "nul\x00id",
        "cr\rlf\nrejected 未评估 (0):",
        "bidi\u202egnp.exe",
        "c1\x9b31mred",
        "x" * 5000,
    ]
    twice = [feature(fid, square(X + 0.001 * k, Y + 0.02)) for k, fid in enumerate(hostile * 2)]
    write_json("ids_control_characters.geojson", collection(*twice))
    hostile_values()


def hostile_values() -> None:
    """Issue 21's reader cases: numbers past a float, mixed 2D/3D rings, the antimeridian,
    compressed bytes, two byte-order marks, repeated keys, facility labels and quality."""
    (HERE / "json_nan_after_utf8.geojson").write_bytes(
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
        '{"id": "n", "name": "雁塔区小寨路街道小寨社区"}, "geometry": {"type": "Point", '
        '"coordinates": [Infinity, 34.2]}}]}'.encode()
    )
    big = "1" + "0" * 400  # 10**400: json.dumps cannot write it as a float, so as text
    text = json.dumps(collection(feature("big", point("BIG", Y))), ensure_ascii=False, indent=1)
    (HERE / "coordinate_overflow.geojson").write_text(
        text.replace('"BIG"', big) + "\n", encoding="utf-8"
    )
    write_json(
        "population_overflow.geojson", collection(feature("pop", square(X, Y), population=2**70))
    )
    mixed = [[X, Y], [X + 0.004, Y, 410.5], [X + 0.004, Y + 0.004], [X, Y + 0.004, 0], [X, Y]]
    write_json(
        "ring_mixed_dims.geojson",
        collection(feature("z", {"type": "Polygon", "coordinates": [mixed]})),
    )
    fiji = [[179.9, -16.5], [-179.9, -16.5], [-179.9, -16.4], [179.9, -16.4], [179.9, -16.5]]
    write_json(
        "antimeridian.geojson",
        {
            "type": "FeatureCollection",
            "features": [
                feature("east", square(179.9, -16.5, 0.05)),
                feature("fj", {"type": "Polygon", "coordinates": [fiji]}),
                feature("west", square(-179.97, -16.5, 0.05)),
            ],
        },
    )
    (HERE / "gzip_bytes.geojson").write_bytes(
        gzip.compress(json.dumps(collection()).encode(), mtime=0)
    )
    (HERE / "two_boms.geojson").write_bytes(
        b"\xef\xbb\xbf\xef\xbb\xbf" + json.dumps(collection()).encode()
    )
    text = json.dumps(collection(feature("dup", square(X, Y), population=5000)), indent=1)
    (HERE / "duplicate_keys.geojson").write_text(
        text.replace('"population": 5000', '"population": 5000,\n  "population": 50'),
        encoding="utf-8",
    )
    fac = {
        "type": "FeatureCollection",
        "features": [
            feature("k1", point(X + 0.002, Y + 0.002), type="kindergarten"),
            feature("k2", point(X + 0.003, Y + 0.002), type="幼儿园"),
            feature("k3", point(X + 0.003, Y + 0.003), type="kindergarden"),
        ],
    }
    write_json("facility_type_label.geojson", fac)
    fac = {
        "type": "FeatureCollection",
        "features": [
            feature("q1", point(X + 0.002, Y + 0.002), type="clinic", quality=4),
            feature("q2", point(X + 0.003, Y + 0.002), type="clinic", quality=99),
            feature("q3", point(X + 0.003, Y + 0.003), type="clinic", quality=-1),
        ],
    }
    write_json("facility_quality_range.geojson", fac)
    foreign = ("hospital", "shop", "market")  # a foreign vocabulary: nothing is usable
    fac = {
        "type": "FeatureCollection",
        "features": [
            feature(f"u{i}", point(X + 0.002 * i, Y + 0.002), type=t) for i, t in enumerate(foreign)
        ],
    }
    write_json("facilities_all_unknown.geojson", fac)
    fac = {  # one type lost to a typo: the 12 ones then miss it everywhere
        "type": "FeatureCollection",
        "features": [
            feature("c1", point(X + 0.002, Y + 0.002), type="clinic"),
            feature("k1", point(X + 0.003, Y + 0.002), type="kindergarden"),
            feature("k2", point(X + 0.003, Y + 0.003), type="kindergarden"),
        ],
    }
    write_json("facilities_type_misspelt.geojson", fac)
    streets_and_shapefile()


def streets_and_shapefile() -> None:
    """A street file with a detached part holding a facility of ``../ok``, and communities
    as a shapefile whose DBF cut its column names to 10 characters."""
    grid = []  # a noded grid through the ok facilities, every 0.002 degrees
    xs = [round(108.936 + 0.002 * i, 3) for i in range(13)]
    ys = [round(34.258 + 0.002 * j, 3) for j in range(8)]
    school = (108.948, 34.27)  # school-1: no grid street within 100 m of it
    for j, y in enumerate(ys):
        for i in range(len(xs) - 1):
            if y == school[1] and school[0] in (xs[i], xs[i + 1]):
                continue
            line = {"type": "LineString", "coordinates": [[xs[i], y], [xs[i + 1], y]]}
            grid.append(feature(f"h{j}-{i}", line))
    for i, x in enumerate(xs):
        for j in range(len(ys) - 1):
            if x == school[0] and school[1] in (ys[j], ys[j + 1]):
                continue
            line = {"type": "LineString", "coordinates": [[x, ys[j]], [x, ys[j + 1]]]}
            grid.append(feature(f"v{i}-{j}", line))
    stub = [[108.9478, 34.27003], [108.9483, 34.27003]]  # 46 m, 3 m from school-1, on its own
    grid.append(feature("stub", {"type": "LineString", "coordinates": stub}))
    write_json("streets_detached_part.geojson", {"type": "FeatureCollection", "features": grid})

    import geopandas as gpd  # the shapefile as a district GIS system exports it
    import shapely

    rows = [
        {
            "id": f"s{i}",
            "name": f"社区{i}",
            "population": 4000,
            "district": "雁塔区",
            "subdistrict": "小寨路街道",
            "green_ratio": 0.4,
            "governance_score": 90,
        }
        for i in range(3)
    ]
    shapes = [shapely.geometry.shape(square(X + 0.01 * i, Y)) for i in range(3)]
    frame = gpd.GeoDataFrame(rows, geometry=shapes, crs="EPSG:4326")
    with warnings.catch_warnings():  # "Column names longer than 10 characters will be truncated"
        warnings.simplefilter("ignore")
        frame.to_file(HERE / "communities_truncated_names.shp", encoding="utf-8")


if __name__ == "__main__":
    main()
