"""livable.testing, the kit for plugin authors: inputs in a line, one indicator, clean loads."""

from __future__ import annotations

import itertools
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import livable
from livable import FacilityType, Indicator, LivableError, PluginError, hookimpl
from livable.plugins import BUILTIN_PLUGIN
from livable.testing import (
    assert_plugin_loads,
    community,
    facility,
    plugin_manager,
    ring_of_facilities,
    run_indicator,
)

LON, LAT = 108.94, 34.26
_serial = itertools.count()


@pytest.fixture
def install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., None]]:
    """Install a plugin module under entry-point group ``livable`` (a real dist-info)."""
    monkeypatch.syspath_prepend(str(tmp_path))
    modules: list[str] = []

    def _install(source: str, *, name: str) -> None:
        module = f"livable_kit_plugin_{next(_serial)}"
        (tmp_path / f"{module}.py").write_text(textwrap.dedent(source), encoding="utf-8")
        info = tmp_path / f"kit_{name}-0.0.1.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: kit-{name}\nVersion: 0.0.1\n", encoding="utf-8"
        )
        (info / "entry_points.txt").write_text(f"[livable]\n{name} = {module}\n", "utf-8")
        modules.append(module)

    yield _install
    for module in modules:
        sys.modules.pop(module, None)


class Wifi(Indicator):
    """Passes when the community attribute ``wifi`` is at least 1."""

    id, label_en, label_zh = "has_wifi", "public wifi", "公共无线网络"
    clause, requirement, key_content = "P2.C4", "smart", "smart_living"
    inputs = frozenset({"community_attributes"})

    def evaluate(self, context: livable.CommunityContext) -> livable.IndicatorResult:
        return self.from_attribute(context, "wifi", lambda v: v >= 1)


# -- building inputs -----------------------------------------------------------------------
@pytest.mark.parametrize("radius_m", [50.0, 400.0, 1150.0])
def test_ring_of_facilities_puts_every_facility_at_the_radius(radius_m: float) -> None:
    ring = ring_of_facilities(LON, LAT, ["clinic", "bank", "school"], radius_m=radius_m, count=3)
    assert len(ring) == 9
    assert len({f.id for f in ring}) == 9
    report = livable.evaluate([community("c", LON, LAT)], ring, plugins=plugin_pm())
    for type_id in ("clinic", "bank", "school"):
        access = report.communities[0].access_to(type_id)
        assert access.count_in_circle == 3
        assert access.nearest_m == pytest.approx(radius_m, rel=1e-3)


def plugin_pm() -> livable.PluginManager:
    return livable.PluginManager(load_entry_points=False)


def test_ring_of_facilities_passes_properties_and_checks_count() -> None:
    (f,) = ring_of_facilities(LON, LAT, ["convenience_store"], brand="Lawson", quality=4.5)
    assert (f.brand, f.quality) == ("Lawson", 4.5)
    with pytest.raises(ValueError, match="count must be at least 1"):
        ring_of_facilities(LON, LAT, ["clinic"], count=0)


# -- run_indicator -------------------------------------------------------------------------
def test_run_indicator_registers_an_unregistered_indicator_for_one_run() -> None:
    c = community("c1", LON, LAT, wifi=2)
    result = run_indicator(Wifi(), c)
    assert (result.id, result.status, result.value, result.role) == (
        "has_wifi",
        "passed",
        2,
        "info",
    )
    assert run_indicator(Wifi(), community("c2", LON, LAT)).status == "not_assessed"


def test_run_indicator_runs_a_builtin_by_id_with_the_profiles_role() -> None:
    c = community("c1", LON, LAT, population=3000)
    facs = ring_of_facilities(LON, LAT, livable.TWELVE_ONES, radius_m=300.0, count=2)
    result = run_indicator("twelve_ones", c, facs)
    assert (result.status, result.value, result.role, result.decisive) == (
        "passed",
        12,
        "livable",
        True,
    )
    small = livable.load_profile("xian-2020").derive(id="tiny", circle_radius_m=100.0)
    assert run_indicator("twelve_ones", c, facs, profile=small).status == "failed"


def test_run_indicator_uses_the_plugins_given() -> None:
    class Chargers:
        @hookimpl
        def livable_facility_types(self) -> list[FacilityType]:
            return [FacilityType(id="charging_station", label_en="EV", label_zh="充电站")]

    c = community("c1", LON, LAT)
    facs = [facility("e1", "charging_station", LON + 0.001, LAT)]
    assert run_indicator("variety", c, facs, plugins=[Chargers()]).value == 1
    with pytest.raises(LivableError, match="charging_station"):
        run_indicator("variety", c, facs)


def test_run_indicator_explains_what_it_cannot_run() -> None:
    c = community("c1", LON, LAT)
    with pytest.raises(LookupError, match="no registered indicator 'has_wifi'"):
        run_indicator("has_wifi", c)

    class Impostor(Wifi):
        id = "twelve_ones"

    with pytest.raises(LookupError, match=r"already registered by plugin 'livable\.indicators'"):
        run_indicator(Impostor(), c)
    off = livable.load_profile("xian-2020").derive(id="no-green", happy={"green_ratio_min": None})
    with pytest.raises(LookupError, match="applies"):
        run_indicator("green_ratio", c, profile=off)


# -- assert_plugin_loads -------------------------------------------------------------------
def test_assert_plugin_loads_an_installed_entry_point(install: Callable[..., None]) -> None:
    install(
        """
        from livable import FacilityType, hookimpl

        @hookimpl
        def livable_facility_types():
            return [FacilityType(id="charging_station", label_en="EV", label_zh="充电站")]
        """,
        name="chargers",
    )
    contributed = assert_plugin_loads("chargers")
    assert (contributed.name, contributed.version) == ("chargers", "0.0.1")
    assert contributed.facility_types == ("charging_station",)


def test_assert_plugin_loads_says_what_is_installed_when_the_name_is_wrong(
    install: Callable[..., None],
) -> None:
    install("from livable import hookimpl\n", name="real")
    with pytest.raises(AssertionError, match=r"no plugin 'raal' is installed.*installed: .*real"):
        assert_plugin_loads("raal")


def test_assert_plugin_loads_fails_readably_for_an_entry_point_that_does_not_import(
    install: Callable[..., None],
) -> None:
    install("import livable_not_there\n", name="broken")
    with pytest.raises(AssertionError, match=r"plugin 'broken': cannot be imported"):
        assert_plugin_loads("broken")


def test_assert_plugin_loads_rejects_a_plugin_that_adds_nothing() -> None:
    class Empty:
        pass

    with pytest.raises(AssertionError, match="registers nothing"):
        assert_plugin_loads(Empty())


def test_assert_plugin_loads_runs_the_plugins_indicators() -> None:
    class Crashes(Wifi):
        id = "crashes"

        def evaluate(self, context: livable.CommunityContext) -> livable.IndicatorResult:
            raise KeyError("wifi_table")

    class Plugin:
        @hookimpl
        def livable_indicators(self) -> list[Indicator]:
            return [Crashes()]

    with pytest.raises(AssertionError, match=r"'Plugin', hook livable_indicators: .*crashes"):
        assert_plugin_loads(Plugin())


def test_assert_plugin_loads_checks_the_plugins_profiles() -> None:
    class Profiles:
        @hookimpl
        def livable_profiles(self) -> list[livable.Profile]:
            city = livable.load_profile("xian-2020")
            return [city.derive(id="needs-pool", required={"swimming_pool": {"small": 1}})]

    with pytest.raises(AssertionError, match=r"needs-pool.*unknown facility types.*swimming"):
        assert_plugin_loads(Profiles())


def test_assert_plugin_loads_runs_providers_unless_they_need_streets() -> None:
    from livable.geometry.providers import EuclideanProvider

    def needs_streets(*, streets: object = None, **_: object) -> EuclideanProvider:
        if streets is None:
            raise LivableError("the 'walk' provider needs --streets")
        return EuclideanProvider(name="walk")  # pragma: no cover

    class Broken:
        name = "broken"

        def measure(self, *args: object) -> object:
            return None

    class Providers:
        @hookimpl
        def livable_distance_providers(self) -> dict[str, object]:
            return {"walk": needs_streets, "straight": lambda **_: EuclideanProvider()}

    assert assert_plugin_loads(Providers()).distance_providers == ("walk", "straight")

    class BrokenProvider:
        @hookimpl
        def livable_distance_providers(self) -> dict[str, object]:
            return {"broken": lambda **_: Broken()}

    with pytest.raises(AssertionError, match=r"provider 'broken'.*not an AccessTable"):
        assert_plugin_loads(BrokenProvider())


def test_assert_plugin_loads_reports_validation_errors() -> None:
    class WrongArgs:
        @hookimpl
        def livable_classify(self, grade: object) -> None:
            return None

    with pytest.raises(AssertionError, match=r"plugin 'WrongArgs': invalid hook.*grade"):
        assert_plugin_loads(WrongArgs())


# -- plugin_manager ------------------------------------------------------------------------
def test_plugin_manager_registers_throwaway_plugins_and_removes_them() -> None:
    class Pilot:
        @hookimpl
        def livable_classify(self) -> str:
            return "happy"

    with plugin_manager(Pilot()) as pm:
        assert [p.name for p in pm.plugins()] == [BUILTIN_PLUGIN, "Pilot"]
        report = livable.evaluate([community("c", LON, LAT)], [], plugins=pm)
        assert report.communities[0].grade == livable.Grade.HAPPY
    assert [p.name for p in pm.plugins()] == [BUILTIN_PLUGIN]


def test_plugin_manager_takes_bare_hook_functions() -> None:
    @hookimpl
    def livable_facility_types() -> list[FacilityType]:
        return [FacilityType(id="charging_station", label_en="EV", label_zh="充电站")]

    with plugin_manager(livable_facility_types) as pm:
        assert "charging_station" in pm.facility_types()
        names = [p.name for p in pm.plugins()]
        assert names[0] == BUILTIN_PLUGIN
        assert "livable_facility_types" in names[1]


def test_plugin_manager_ignores_installed_plugins_unless_asked(
    install: Callable[..., None],
) -> None:
    install("raise RuntimeError('should not load')\n", name="noisy")
    with plugin_manager() as pm:
        assert [p.name for p in pm.plugins()] == [BUILTIN_PLUGIN]
    with (
        pytest.raises(PluginError, match="should not load"),
        plugin_manager(load_entry_points=True, allow=["noisy"]),
    ):
        pass  # pragma: no cover
    with plugin_manager(load_entry_points=True, allow=["noisy"], fault_mode="record") as pm:
        assert [s.plugin for s in pm.skipped] == ["noisy"]
