"""The six built-in plugins: registered through the hooks like any other, each blockable.

``livable.builtin`` names all six together: in ``block``, in ``unregister`` and in the report
when all six ran (so a report of livable 0.1's shape stays byte-identical); with one
blocked, the report lists the five that ran by their own names.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

import livable
from livable import FacilityType, LivableError, PluginError, PluginManager, hookimpl
from livable.cli import main
from livable.geometry.providers import EuclideanProvider
from livable.indicators.builtin import builtin_indicators
from livable.plugins import BUILTIN_NAMES, BUILTIN_PLUGIN
from livable.plugins.builtin import BUILTIN_PROVIDERS, PLUGINS
from livable.schemas import load_schema
from livable.testing import community, offset, ring_of_facilities

ROOT = Path(__file__).resolve().parents[1]
LON, LAT = 108.94, 34.26
BUILTINS = (
    "livable.types",
    "livable.indicators",
    "livable.providers",
    "livable.network",
    "livable.profiles",
    "livable.classify",
)


def _pm(*plugins: object, block: tuple[str, ...] = ()) -> PluginManager:
    return PluginManager(load_entry_points=False, plugins=plugins, block=block)


def _evaluate(pm: PluginManager, **kwargs: object) -> livable.Report:
    """One community with two of each of the 12 ones 300 m away (``livable``)."""
    comms = [community("c1", LON, LAT, population=3000)]
    facs = ring_of_facilities(LON, LAT, livable.TWELVE_ONES, radius_m=300.0, count=2)
    return livable.evaluate(comms, facs, plugins=pm, **kwargs)  # type: ignore[arg-type]


def test_the_builtins_are_six_plugins_each_adding_one_kind_of_thing() -> None:
    pm = _pm()
    added = {c.name: c for c in pm.contributions()}
    assert tuple(added) == BUILTINS == tuple(name for name, _ in PLUGINS)
    assert set(BUILTINS) == BUILTIN_NAMES
    assert set(added["livable.types"].facility_types) == set(livable.FACILITY_TYPES)
    assert added["livable.indicators"].indicators == tuple(i.id for i in builtin_indicators())
    assert added["livable.providers"].distance_providers == ("euclidean", "geodesic")
    assert added["livable.network"].distance_providers == ("network",)
    assert added["livable.profiles"].profiles == ("xian-2020",)
    assert [name for name, c in added.items() if c.classify] == ["livable.classify"]
    for name, c in added.items():  # one kind of contribution each
        kinds = [c.facility_types, c.indicators, c.distance_providers, c.profiles, c.classify]
        assert sum(bool(k) for k in kinds) == 1, name
        assert c.version == livable.__version__
    for provider, plugin in BUILTIN_PROVIDERS.items():
        assert pm.owner("livable_distance_providers", provider) == plugin


def test_with_nothing_blocked_the_report_lists_the_builtins_as_one_plugin() -> None:
    report = _evaluate(_pm())
    assert report.to_dict()["plugins"] == [{"name": BUILTIN_PLUGIN, "version": livable.__version__}]


@pytest.mark.parametrize("blocked", BUILTINS)
def test_blocking_one_builtin_registers_the_five_others_and_lists_them(blocked: str) -> None:
    pm = _pm(block=(blocked,))
    rest = [name for name in BUILTINS if name != blocked]
    assert [c.name for c in pm.contributions()] == rest
    assert [p.name for p in pm.plugins()] == rest  # as the report lists them


@pytest.mark.parametrize("blocked", ["livable.network", "livable.classify", "livable.profiles"])
def test_a_report_with_a_builtin_blocked_names_the_builtins_that_ran(blocked: str) -> None:
    report = _evaluate(_pm(block=(blocked,)))
    assert report.communities[0].grade == _evaluate(_pm()).communities[0].grade
    data = report.to_dict()
    assert [p["name"] for p in data["plugins"]] == [n for n in BUILTINS if n != blocked]
    assert BUILTIN_PLUGIN not in report.to_json()
    jsonschema.validate(data, load_schema("report"))
    text = report.to_json()
    assert livable.read_report(text).to_json() == text


def test_blocking_the_network_plugin_makes_the_network_distance_an_error_naming_it() -> None:
    pm = _pm(block=("livable.network",))
    assert sorted(pm.distance_providers()) == ["euclidean", "geodesic"]
    assert pm.blocked_provider("network") == "livable.network"
    message = (
        "distance provider 'network' is not available: its plugin 'livable.network' is "
        "blocked; available: euclidean, geodesic"
    )
    with pytest.raises(LivableError) as info:
        _evaluate(pm, distance="network", streets={"type": "FeatureCollection", "features": []})
    assert str(info.value) == message
    with pytest.raises(LivableError) as info:
        pm.make_provider("network")
    assert str(info.value) == message
    page = (ROOT / "docs" / "reference" / "hooks.md").read_text(encoding="utf-8")
    assert message in " ".join(page.split())  # the reference quotes it exactly
    unknown = _pm()  # a provider no built-in has keeps its old message
    with pytest.raises(LivableError, match=r"^unknown distance provider 'walk'; available: "):
        _evaluate(unknown, distance="walk")


def test_blocking_the_providers_plugin_names_it_for_euclidean() -> None:
    with pytest.raises(LivableError, match=r"'euclidean' .* its plugin 'livable\.providers'"):
        _evaluate(_pm(block=("livable.providers",)))


@pytest.mark.parametrize(
    ("blocked", "problem"),
    [
        ("livable.types", "requires unknown facility types"),
        ("livable.indicators", "gives a grade role to indicators no plugin registers"),
    ],
)
def test_blocking_what_the_profile_needs_is_an_error_not_a_weaker_grade(
    blocked: str, problem: str
) -> None:
    with pytest.raises(LivableError, match=problem):
        _evaluate(_pm(block=(blocked,)))


def test_a_deployment_may_block_the_network_plugin_and_bring_its_own_network() -> None:
    class OwnNetwork:
        @hookimpl
        def livable_distance_providers(self) -> dict[str, object]:
            return {"network": lambda **_: EuclideanProvider(name="network")}

    pm = _pm(OwnNetwork(), block=("livable.network",))
    assert pm.owner("livable_distance_providers", "network") == "OwnNetwork"
    report = _evaluate(pm, distance="network")
    assert report.distance == "network"
    assert [p.name for p in report.plugins][-1] == "OwnNetwork"
    with pytest.raises(PluginError, match="duplicate provider 'network', already registered by "):
        _pm(OwnNetwork()).distance_providers()


def test_livable_builtin_names_all_six_to_block_and_to_unregister() -> None:
    class Chargers:
        @hookimpl
        def livable_facility_types(self) -> list[FacilityType]:
            return [FacilityType(id="ev", label_en="EV", label_zh="充电", key_content="ecology")]

    none = _pm(Chargers(), block=(BUILTIN_PLUGIN,))
    assert [c.name for c in none.contributions()] == ["Chargers"]
    assert list(none.facility_types()) == ["ev"]
    assert none.blocked_provider("network") == "livable.network"
    pm = _pm(Chargers())
    pm.unregister(BUILTIN_PLUGIN)
    assert [p.name for p in pm.plugins()] == ["Chargers"]
    with pytest.raises(PluginError, match="no plugin of this name"):
        pm.unregister(BUILTIN_PLUGIN)
    with pytest.raises(PluginError, match="stands for the six built-in plugins together"):
        pm.register(Chargers(), name=BUILTIN_PLUGIN)


def test_unregistering_one_builtin_is_listed_truthfully_too() -> None:
    pm = _pm()
    pm.unregister("livable.network")
    assert "network" not in pm.distance_providers()
    assert pm.blocked_provider("network") is None  # not blocked: just not registered
    assert [p.name for p in pm.plugins()] == [n for n in BUILTINS if n != "livable.network"]


def _inputs(folder: Path) -> list[str]:
    def fc(features: list[dict[str, object]]) -> str:
        return json.dumps({"type": "FeatureCollection", "features": features})

    def point(props: dict[str, object], lon: float, lat: float) -> dict[str, object]:
        geometry = {"type": "Point", "coordinates": [lon, lat]}
        return {"type": "Feature", "properties": props, "geometry": geometry}

    (folder / "c.geojson").write_text(fc([point({"id": "c1"}, LON, LAT)]), encoding="utf-8")
    lon, lat = offset(LON, LAT, 100.0, 0.0)
    shop = point({"id": "s1", "type": "convenience_store"}, lon, lat)
    (folder / "f.geojson").write_text(fc([shop]), encoding="utf-8")
    return ["--communities", str(folder / "c.geojson"), "--facilities", str(folder / "f.geojson")]


def test_cli_block_plugin(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "report.json"
    argv = ["evaluate", *_inputs(tmp_path), "--out", str(out), "--quiet", "--no-entry-points"]
    with pytest.raises(SystemExit) as exited:  # a usage error, exit status 2
        main([*argv, "--distance", "network", "--block-plugin", "livable.network"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert (
        "argument --distance: distance provider 'network' is not available: its plugin "
        "'livable.network' is blocked (available: euclidean, geodesic)"
    ) in err
    assert main([*argv, "--block-plugin", "livable.network"]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert [p["name"] for p in data["plugins"]] == [n for n in BUILTINS if n != "livable.network"]
    assert main([*argv]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["plugins"][0]["name"] == BUILTIN_PLUGIN
    capsys.readouterr()
    assert main(["plugins", "--no-entry-points", "--block-plugin", "livable.network"]) == 0
    listed = [line.split()[0] for line in capsys.readouterr().out.splitlines()[1:]]
    assert [n for n in listed if n.startswith("livable.")] == [
        n for n in BUILTINS if n != "livable.network"
    ]
