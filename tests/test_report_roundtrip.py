"""``read_report(p).to_json()`` gives back the bytes of every report the project writes.

The cases are those of ``report_cases`` (the demo, the fixture inputs, the sample city and
its tiles, a street network with isochrones, resident points, the district plugin, skipped
plugin faults and repaired features); property tests add random cities and summaries. A
document that is not a report fails with a one-line :class:`livable.ReportError` naming
the file and the field.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import livable
from livable import Grade, Report, ReportError, read_report
from livable.plugins import PluginManager
from livable.testing import community, facility, offset

sys.path.insert(0, str(Path(__file__).parent))
import report_cases


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each case's report.json, written to a file."""
    folder = tmp_path_factory.mktemp("roundtrip")
    cwd = Path.cwd()
    os.chdir(folder)
    try:
        reports = report_cases.build()
    finally:
        os.chdir(cwd)
    paths = {}
    for name, text in reports.items():
        paths[name] = folder / f"{name}.json"
        paths[name].write_bytes(text.encode("utf-8"))
    return paths


@pytest.mark.parametrize("case", sorted(report_cases.CASES))
def test_every_report_reads_back_to_its_own_bytes(written: dict[str, Path], case: str) -> None:
    path = written[case]
    raw = path.read_bytes()
    report = read_report(path)
    assert isinstance(report, Report)
    assert report.to_json().encode("utf-8") == raw
    assert read_report(str(path)).to_json().encode("utf-8") == raw
    assert read_report(raw).to_json().encode("utf-8") == raw
    assert read_report(raw.decode("utf-8")).to_json().encode("utf-8") == raw
    assert Report.from_dict(json.loads(raw)).to_json().encode("utf-8") == raw


def test_the_typed_report_carries_what_the_file_holds(written: dict[str, Path]) -> None:
    report = read_report(written["river_network"])
    away = report.community("away")
    assert away.isochrones is not None and set(away.isochrones) == {400, 800, 1200}
    assert away.details["on_network"] is True
    kg = away.access_to("kindergarten")
    assert set(kg.count_within) == {400, 800, 1200}
    assert all(f.type == "kindergarten" for f in kg.nearest)
    assert away.indicator("twelve_ones").id == "twelve_ones"
    # the explanation of the file is kept; explain() works on the typed result too
    assert away.explanation is not None
    assert away.explain("en", full=False) == away.explanation["en"]
    residents = read_report(written["residents"])
    assert residents.rejected_residents is not None and len(residents.rejected_residents) == 1
    assert residents.community("c2").resident_access is None
    odd = read_report(written["skipped_and_repaired"])
    assert odd.repaired and odd.skipped and odd.rejected and odd.rejected_facilities
    plugin = read_report(written["district_plugin"])
    assert plugin.profile == "xian-yanta"
    assert plugin.communities[0].access_to("charging_station").category is None


def test_a_fresh_report_and_its_reading_agree(written: dict[str, Path]) -> None:
    report = read_report(written["sample_city"])
    again = Report.from_dict(report.to_dict())
    assert again.to_dict() == report.to_dict()
    assert {c.id: c.grade for c in again.communities} == {c.id: c.grade for c in report.communities}
    assert again.summary.gap_counts == report.summary.gap_counts


# -- not a report ---------------------------------------------------------------------------


def _demo(written: dict[str, Path]) -> dict:
    return json.loads(written["ok_euclidean"].read_bytes())


def _fails(tmp_path: Path, data: object, *fragments: str) -> str:
    path = tmp_path / "bad.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    with pytest.raises(ReportError) as info:
        read_report(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: ")
    for fragment in fragments:
        assert fragment in message
    return message


def test_not_json_not_an_object_not_found(tmp_path: Path) -> None:
    _fails(tmp_path, "{not json", "not a readable report.json")
    _fails(tmp_path, [1, 2], "not a livable report (a JSON list)")
    with pytest.raises(ReportError, match=r"nowhere\.json: file not found"):
        read_report(tmp_path / "nowhere.json")
    assert issubclass(ReportError, livable.LivableError)


def test_another_schema_version(tmp_path: Path, written: dict[str, Path]) -> None:
    data = _demo(written)
    data["schema_version"] = "2"
    _fails(tmp_path, data, "schema_version '2' is not supported")


def test_a_geojson_file_is_not_a_report(tmp_path: Path) -> None:
    _fails(
        tmp_path,
        {"type": "FeatureCollection", "features": []},
        "extra fields found (features, type) @ $",
        "required field missing @ $.schema_version",
    )


def test_missing_field_names_its_path(tmp_path: Path, written: dict[str, Path]) -> None:
    data = _demo(written)
    del data["communities"][1]["grade"]
    del data["summary"]["targets"]["deadline"]
    _fails(
        tmp_path,
        data,
        "required field missing @ $.communities[1].grade",
        "required field missing @ $.summary.targets.deadline",
    )


def test_extra_key_names_its_path(tmp_path: Path, written: dict[str, Path]) -> None:
    data = _demo(written)
    data["communities"][0]["access"]["clinic"]["nearest"][0]["colour"] = "red"
    data["colour"] = "red"
    _fails(
        tmp_path,
        data,
        "extra fields found (colour) @ $.communities[0].access['clinic'].nearest[0]",
        "extra fields found (colour) @ $",
    )


def test_wrong_types_and_values_name_their_path(tmp_path: Path, written: dict[str, Path]) -> None:
    data = _demo(written)
    data["communities"][0]["grade"] = "excellent"
    data["communities"][0]["population"] = "many"
    data["communities"][0]["access"]["clinic"]["count_within"] = {"four hundred": 1}
    data["communities"][0]["indicators"]["twelve_ones"]["status"] = "maybe"
    _fails(
        tmp_path,
        data,
        "'excellent' is not a valid Grade @ $.communities[0].grade",
        "expected an integer, not str @ $.communities[0].population",
        "@ $.communities[0].access['clinic'].count_within",
        "@ $.communities[0].indicators['twelve_ones']",
    )


def test_from_dict_names_the_source() -> None:
    with pytest.raises(ReportError, match=r"^mine: not a livable report: "):
        Report.from_dict({"communities": []}, where="mine")


# -- property tests -------------------------------------------------------------------------

LON, LAT = 108.94, 34.26
TYPES = ("kindergarten", "clinic", "convenience_store", "bank", "transit_stop")


@settings(max_examples=25)
@given(
    st.lists(
        st.tuples(
            st.floats(-3000, 3000), st.floats(-3000, 3000), st.sampled_from(TYPES),
            st.none() | st.floats(1, 5),
        ),
        max_size=25,
    ),
    st.lists(
        st.tuples(st.floats(-2000, 2000), st.floats(-2000, 2000), st.integers(0, 20_000)),
        min_size=1,
        max_size=4,
    ),
    st.sampled_from(["euclidean", "geodesic"]),
)  # fmt: skip
def test_random_cities_read_back_to_their_bytes(
    facs: list[tuple[float, float, str, float | None]],
    comms: list[tuple[float, float, int]],
    distance: str,
) -> None:
    communities = [
        community(f"c{i}", *offset(LON, LAT, x, y), size_m=300 + i * 170.5, population=p)
        for i, (x, y, p) in enumerate(comms)
    ]
    facilities = [
        facility(f"f{i}", t, *offset(LON, LAT, x, y), **({} if q is None else {"quality": q}))
        for i, (x, y, t, q) in enumerate(facs)
    ]
    text = livable.evaluate(
        communities,
        facilities,
        distance=distance,
        plugins=PluginManager(load_entry_points=False),
    ).to_json()
    assert read_report(text).to_json() == text


@settings(max_examples=200)
@given(
    st.integers(1, 400).flatmap(
        lambda n: st.tuples(
            st.just(n),
            st.integers(0, n),
            st.integers(0, n),
            st.sampled_from([0.3, 0.5, 0.6, 0.8, 0.9, 1.0, 0.35, 0.1234]),
        )
    )
)
def test_summary_shares_and_target_gaps_survive_rounding(
    case: tuple[int, int, int, float],
) -> None:
    """The target gaps are written from the shares; from the rounded shares read back they
    come out the same (``P6`` targets)."""
    n, livable_n, happy_n, target = case
    happy_n = min(happy_n, livable_n)
    summary = livable.Summary(
        communities=n,
        evaluated=n,
        rejected=0,
        not_livable=n - livable_n,
        livable=livable_n - happy_n,
        happy=happy_n,
        livable_share=livable_n / n,
        happy_share=happy_n / n,
        happy_share_central=happy_n / n,
        happy_share_peripheral=(happy_n / 3) / n,
        target_livable_share=target,
        target_happy_share_central=target / 2,
        target_happy_share_peripheral=target / 3,
    )
    report = Report(
        livable_version="0",
        profile="xian-2020",
        profile_sha256="0" * 64,
        distance="euclidean",
        working_crs="EPSG:32649",
        inputs=(),
        plugins=(),
        communities=(),
        rejected=(),
        summary=summary,
    )
    text = report.to_json()
    back = read_report(text)
    assert back.to_json() == text
    assert back.summary.livable + back.summary.happy == livable_n
    assert Grade.HAPPY.value == "happy"
