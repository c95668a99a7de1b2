"""Facility de-duplication: same type, within the tolerance, similar name (issue 7)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from livable.cli import main
from livable.errors import LivableError
from livable.geometry.crs import Projector, choose_working_crs
from livable.io import FacilityLayer
from livable.io.dedupe import concat_facilities, dedupe_facilities, name_similarity
from livable.testing import facility, offset

LON, LAT = 108.94, 34.26


def at(fid: str, ftype: str, east: float, north: float = 0.0, name: str | None = None) -> object:
    return facility(fid, ftype, *offset(LON, LAT, east, north), name=name)


def layer(*items: object) -> FacilityLayer:
    return FacilityLayer.from_facilities(items)  # type: ignore[arg-type]


def test_merges_only_same_type_close_and_similar() -> None:
    result = dedupe_facilities(
        layer(
            at("osm:n1", "convenience_store", 0, name="罗森"),
            at("amap:A", "convenience_store", 20, name="罗森(南大街店)"),  # merged
            at("amap:B", "convenience_store", 45, name="罗森"),  # too far
            at("amap:C", "clinic", 10, name="罗森"),  # another type
            at("amap:D", "convenience_store", 10, name="全家"),  # another name
            at("amap:E", "convenience_store", 5),  # no name
        ),
        tolerance_m=30,
    )
    assert result.facilities.ids.tolist() == ["osm:n1", "amap:B", "amap:C", "amap:D", "amap:E"]
    (merge,) = result.merges
    assert (merge.kept, merge.merged, merge.type) == ("osm:n1", ("amap:A",), "convenience_store")
    assert merge.max_distance_m == pytest.approx(20, rel=0.01)
    assert result.removed == 1
    assert result.facilities.attributes[0]["merged_ids"] == ["amap:A"]
    unnamed = dedupe_facilities(
        layer(at("a", "transit_stop", 0), at("b", "transit_stop", 8)), match_unnamed=True
    )
    assert unnamed.facilities.ids.tolist() == ["a"]


def test_a_drifting_chain_does_not_merge_far_ends() -> None:
    items = [at(f"s{i}", "transit_stop", 25.0 * i, name="幸福里站") for i in range(4)]
    result = dedupe_facilities(layer(*items), tolerance_m=30)
    # s0 absorbs s1 (25 m); s2 is 50 m from s0 so it is kept and absorbs s3
    assert result.facilities.ids.tolist() == ["s0", "s2"]
    assert [(m.kept, m.merged) for m in result.merges] == [("s0", ("s1",)), ("s2", ("s3",))]


def test_name_similarity() -> None:
    assert name_similarity("ＬＡＷＳＯＮ 罗森", "lawson罗森") == 1.0
    assert name_similarity("第一幼儿园（北园）", "第一幼儿园") == 1.0
    assert name_similarity("第一幼儿园", "第二小学") < 0.6
    assert name_similarity("", "x") is None and name_similarity("()", "x") is None


def test_bad_tolerance_and_small_layers() -> None:
    with pytest.raises(LivableError, match="tolerance"):
        dedupe_facilities(layer(at("a", "clinic", 0), at("b", "clinic", 1)), tolerance_m=0)
    single = layer(at("a", "clinic", 0))
    assert dedupe_facilities(single).facilities is single


def test_concat_then_dedupe_two_sources() -> None:
    osm = layer(at("osm:n1", "kindergarten", 0, name="第一幼儿园"))
    amap = layer(
        at("amap:K", "kindergarten", 15, name="西安市第一幼儿园"),
        at("osm:n1", "clinic", 400, name="x"),  # an id clash with the first source
    )
    both = concat_facilities([osm, amap])
    assert both.ids.tolist() == ["osm:n1", "amap:K"]
    assert both.rejected[0].reason.startswith("duplicate id 'osm:n1'")
    result = dedupe_facilities(both, tolerance_m=30)
    assert result.facilities.ids.tolist() == ["osm:n1"]


_NAMES = st.sampled_from([None, "罗森", "罗森(钟楼店)", "全家", "幸福里站", "幸福里菜店"])


@settings(max_examples=60)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["convenience_store", "transit_stop"]),
            st.floats(-80, 80),
            st.floats(-80, 80),
            _NAMES,
        ),
        min_size=0,
        max_size=25,
    ),
    st.floats(5, 60),
)
def test_dedupe_is_sound_complete_and_idempotent(
    rows: list[tuple[str, float, float, str | None]], tol: float
) -> None:
    items = [at(f"f{i}", t, e, n, name) for i, (t, e, n, name) in enumerate(rows)]
    base = layer(*items)
    result = dedupe_facilities(base, tolerance_m=tol)
    kept = result.facilities
    assert len(kept) == len(base) - result.removed
    assert set(kept.ids.tolist()) | {m for g in result.merges for m in g.merged} == set(
        base.ids.tolist()
    )
    if len(base):
        proj = Projector.for_crs(choose_working_crs(base.lon, base.lat))
        x, y = proj.forward(base.lon, base.lat)
        pos = {fid: i for i, fid in enumerate(base.ids.tolist())}
        for g in result.merges:  # sound: every merge obeys the rule, checked by brute force
            k = pos[g.kept]
            for m in (pos[fid] for fid in g.merged):
                assert base.types[m] == base.types[k]
                assert math.hypot(x[m] - x[k], y[m] - y[k]) <= tol + 1e-9
                score = name_similarity(base.names[m], base.names[k])
                assert score is not None and score >= 0.6
    again = dedupe_facilities(kept, tolerance_m=tol)  # nothing left to merge
    assert again.merges == ()
    assert np.array_equal(again.facilities.ids, kept.ids)


def test_evaluate_dedupe_flag(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    feats = []
    for fid, east in (("a", 100.0), ("b", 110.0)):
        lon, lat = offset(LON, LAT, east, 0)
        feats.append(
            {
                "type": "Feature",
                "properties": {"id": fid, "type": "clinic", "name": "柏树林卫生站"},
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
            }
        )
    facilities = tmp_path / "f.geojson"
    facilities.write_text(json.dumps({"type": "FeatureCollection", "features": feats}))
    communities = tmp_path / "c.geojson"
    communities.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"id": "c"},
                        "geometry": {"type": "Point", "coordinates": [LON, LAT]},
                    }
                ],
            }
        )
    )
    out = tmp_path / "r.json"
    base = [
        "evaluate",
        "--communities",
        str(communities),
        "--facilities",
        str(facilities),
        "--out",
        str(out),
    ]
    assert main(base) == 0
    counts = json.loads(out.read_text())["communities"][0]["access"]["clinic"]["count_in_circle"]
    assert counts == 2
    assert main([*base, "--dedupe-m", "30"]) == 0
    assert "a <- b (clinic" in capsys.readouterr().out
    report = json.loads(out.read_text())
    assert report["communities"][0]["access"]["clinic"]["count_in_circle"] == 1
    assert report["inputs"][1]["path"] == str(facilities)
