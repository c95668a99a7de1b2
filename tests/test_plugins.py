"""The plugin system: entry points, allow/block lists, validation, faults, and every hook.

Entry points are installed for real: a ``*.dist-info`` folder with ``METADATA`` and
``entry_points.txt`` on a temporary ``sys.path`` entry, which ``importlib.metadata`` finds
exactly as it finds a pip-installed distribution.
"""

from __future__ import annotations

import importlib
import itertools
import json
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import jsonschema
import pytest

import livable
from livable import (
    FacilityType,
    Grade,
    Indicator,
    LivableError,
    PluginError,
    PluginManager,
    hookimpl,
)
from livable.cli import main
from livable.geometry.providers import EuclideanProvider
from livable.plugins import BUILTIN_NAMES, BUILTIN_PLUGIN
from livable.schemas import load_schema
from livable.testing import community, facility, offset, ring_of_facilities

LON, LAT = 108.94, 34.26
Install = Callable[..., str]
_serial = itertools.count()

CHARGER = FacilityType(
    id="charging_station",
    label_en="EV charging station",
    label_zh="充电站",
    category=None,
    key_content="ecology",
    clause="P2.C3",
)


@pytest.fixture
def install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Install]:
    """Install a plugin module under an entry point of group ``livable``, without pip."""
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    modules: list[str] = []

    def _install(source: str, *, name: str = "district", version: str = "1.2.3") -> str:
        module = f"livable_test_plugin_{next(_serial)}"
        (site / f"{module}.py").write_text(textwrap.dedent(source), encoding="utf-8")
        dist = f"livable_test_{name}"
        info = site / f"{dist}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n", encoding="utf-8"
        )
        (info / "entry_points.txt").write_text(f"[livable]\n{name} = {module}\n", encoding="utf-8")
        modules.append(module)
        return module

    yield _install
    for module in modules:
        sys.modules.pop(module, None)


CHARGER_PLUGIN = """
    from livable import FacilityType, hookimpl

    @hookimpl
    def livable_facility_types():
        return [FacilityType(id="charging_station", label_en="EV charging station",
                             label_zh="充电站", category=None, key_content="ecology")]
"""


def _pm(*plugins: object, mode: str = "fail") -> PluginManager:
    return PluginManager(load_entry_points=False, plugins=plugins, fault_mode=mode)  # type: ignore[arg-type]


def _evaluate(pm: PluginManager, *, n: int = 1, **kwargs: object) -> livable.Report:
    """``n`` small communities 5 km apart, each with the 12 ones (2 of each) 300 m away."""
    comms, facs = [], []
    for i in range(n):
        lon = LON + 0.05 * i
        comms.append(community(f"c{i}", lon, LAT, population=3000))
        facs += ring_of_facilities(
            lon, LAT, livable.TWELVE_ONES, radius_m=300.0, count=2, prefix=f"c{i}f"
        )
    return livable.evaluate(comms, facs, plugins=pm, **kwargs)  # type: ignore[arg-type]


# -- entry points, allow and block lists ---------------------------------------------------
def test_an_installed_entry_point_is_loaded_with_its_distribution_version(
    install: Install,
) -> None:
    install(CHARGER_PLUGIN, name="yanta", version="2.0.1")
    pm = PluginManager(allow=["yanta"])
    assert [(p.name, p.version) for p in pm.plugins()] == [
        (BUILTIN_PLUGIN, livable.__version__),
        ("yanta", "2.0.1"),
    ]
    assert pm.owner("livable_facility_types", "charging_station") == "yanta"


def test_entry_points_are_loaded_by_default_and_not_when_switched_off(install: Install) -> None:
    install(CHARGER_PLUGIN, name="yanta")
    assert "charging_station" in PluginManager().facility_types()
    off = PluginManager(load_entry_points=False)
    assert "charging_station" not in off.facility_types()
    assert [p.name for p in off.plugins()] == [BUILTIN_PLUGIN]


def test_the_allow_list_loads_only_named_entry_points(install: Install) -> None:
    install(CHARGER_PLUGIN, name="yanta")
    install("from livable import hookimpl\n", name="beilin")
    names = [p.name for p in PluginManager(allow=["beilin"]).plugins()]
    assert "beilin" in names
    assert "yanta" not in names
    assert [p.name for p in PluginManager(allow=[]).plugins()] == [BUILTIN_PLUGIN]


def test_an_allowed_plugin_that_is_not_installed_is_a_fault() -> None:
    with pytest.raises(PluginError, match=r"plugin 'lianhu'.*allowed but not installed"):
        PluginManager(allow=["lianhu"])
    pm = PluginManager(allow=["lianhu"], fault_mode="record")
    assert [(s.plugin, s.hook) for s in pm.skipped] == [("lianhu", None)]


def test_blocked_plugins_are_never_registered(install: Install) -> None:
    install(CHARGER_PLUGIN, name="yanta")
    pm = PluginManager(block=["yanta"])
    assert "yanta" not in [p.name for p in pm.plugins()]
    no_builtins = PluginManager(block=[BUILTIN_PLUGIN], allow=["yanta"])
    assert list(no_builtins.facility_types()) == ["charging_station"]
    assert no_builtins.profiles() == {}


def test_allow_and_block_take_collections_not_strings() -> None:
    with pytest.raises(TypeError, match="collection"):
        PluginManager(allow="yanta")


def test_embedders_register_objects_directly(install: Install) -> None:
    class Chargers:
        @hookimpl
        def livable_facility_types(self) -> list[FacilityType]:
            return [CHARGER]

    install("raise RuntimeError('must not be imported')\n", name="other")
    pm = PluginManager(load_entry_points=False, allow=["yanta"], plugins=[Chargers()])
    assert [p.name for p in pm.plugins()] == [BUILTIN_PLUGIN, "Chargers"]
    report = livable.evaluate(
        [community("c1", LON, LAT)],
        [facility("e1", "charging_station", LON + 0.001, LAT)],
        plugins=pm,
    )
    assert report.communities[0].access_to("charging_station").count_in_circle == 1


def test_a_plugin_that_cannot_be_imported_is_named(install: Install) -> None:
    install("raise ImportError('no module named district_secrets')\n", name="broken")
    with pytest.raises(PluginError, match=r"plugin 'broken'.*cannot be imported.*secrets"):
        PluginManager(allow=["broken"])
    pm = PluginManager(allow=["broken"], fault_mode="record")
    (skip,) = pm.skipped
    assert (skip.plugin, skip.hook) == ("broken", None)
    assert "cannot be imported" in skip.reason
    assert [p.name for p in pm.plugins()] == [BUILTIN_PLUGIN]


def test_an_invalid_installed_plugin_fails_or_is_skipped_by_mode(install: Install) -> None:
    install(
        """
        from livable import hookimpl

        @hookimpl
        def livable_indicator():
            return []
        """,
        name="typo",
    )
    with pytest.raises(PluginError, match=r"plugin 'typo'.*livable_indicator is not a livable"):
        PluginManager(allow=["typo"])
    pm = PluginManager(allow=["typo"], fault_mode="record")
    assert [s.plugin for s in pm.skipped] == ["typo"]
    assert "typo" not in [p.name for p in pm.plugins()]


def test_a_plugin_name_can_be_registered_only_once() -> None:
    class Twice:
        pass

    pm = _pm(Twice())
    with pytest.raises(PluginError, match="plugin 'Twice': a plugin of this name"):
        pm.register(Twice())
    with pytest.raises(PluginError, match="already registered"):
        pm.register(Twice(), name=BUILTIN_PLUGIN)


def test_unregistering_drops_what_the_plugin_added() -> None:
    class Chargers:
        @hookimpl
        def livable_facility_types(self) -> list[FacilityType]:
            return [CHARGER]

    pm = _pm(Chargers())
    assert "charging_station" in pm.facility_types()
    pm.unregister("Chargers")
    assert "charging_station" not in pm.facility_types()
    with pytest.raises(PluginError, match="no plugin"):
        pm.unregister("Chargers")


# -- validation at load time ---------------------------------------------------------------
def test_an_unknown_marked_hook_fails_with_the_plugin_name_and_a_suggestion() -> None:
    class Typo:
        @hookimpl
        def livable_profile(self) -> list[object]:
            return []

    with pytest.raises(PluginError, match=r"'Typo'.*did you mean livable_profiles\?") as info:
        _pm(Typo())
    assert info.value.plugin == "Typo"


def test_an_unknown_unmarked_livable_function_fails_too() -> None:
    class Stray:
        def livable_thing(self) -> None:
            pass

    with pytest.raises(PluginError, match=r"plugin 'Stray': livable_thing is not a livable hook"):
        _pm(Stray())


def test_a_known_hook_that_is_not_marked_fails_instead_of_being_ignored() -> None:
    class Unmarked:
        def livable_indicators(self) -> list[Indicator]:
            return []

    with pytest.raises(PluginError, match=r"not marked with @livable\.hookimpl"):
        _pm(Unmarked())


def test_a_wrong_signature_fails_with_the_plugin_name() -> None:
    class WrongArgs:
        @hookimpl
        def livable_classify(self, community: object, grade: object) -> None:
            return None

    with pytest.raises(PluginError, match=r"plugin 'WrongArgs': invalid hook.*grade") as info:
        _pm(WrongArgs())
    assert "livable_classify" in str(info.value)


def test_arguments_with_defaults_are_rejected() -> None:
    class Defaults:
        @hookimpl
        def livable_classify(self, results: object, profile: object = None) -> None:
            return None

    with pytest.raises(PluginError, match=r"hook livable_classify: argument\(s\) profile have"):
        _pm(Defaults())


def test_wrappers_are_rejected() -> None:
    class Wrapper:
        @hookimpl(wrapper=True)
        def livable_classify(self) -> Iterator[None]:
            return (yield)

    with pytest.raises(PluginError, match="do not take wrappers"):
        _pm(Wrapper())


def test_a_failed_registration_leaves_nothing_behind() -> None:
    class Half:
        @hookimpl
        def livable_facility_types(self) -> list[FacilityType]:
            return [CHARGER]

        def livable_oops(self) -> None:
            pass

    pm = _pm()
    with pytest.raises(PluginError):
        pm.register(Half())
    assert "charging_station" not in pm.facility_types()
    assert [p.name for p in pm.plugins()] == [BUILTIN_PLUGIN]


# -- faults in registry hooks, both modes --------------------------------------------------
class _Raises:
    def __init__(self, hook: str) -> None:
        def boom() -> None:
            raise ValueError("district data missing")

        setattr(self, hook, hookimpl(boom))


def _ids(answer: object) -> list[str]:
    if isinstance(answer, tuple):  # indicators: fresh instances per manager
        return [i.id for i in answer]
    return list(answer)  # type: ignore[call-overload]


REGISTRY = [
    ("livable_facility_types", "facility_types"),
    ("livable_indicators", "indicators"),
    ("livable_profiles", "profiles"),
    ("livable_distance_providers", "distance_providers"),
]


@pytest.mark.parametrize(("hook", "method"), REGISTRY)
def test_a_raising_registry_hook_is_named_in_both_modes(hook: str, method: str) -> None:
    with pytest.raises(PluginError, match=rf"plugin '_Raises', hook {hook}: raised ValueError"):
        getattr(_pm(_Raises(hook)), method)()
    pm = _pm(_Raises(hook), mode="record")
    assert _ids(getattr(pm, method)()) == _ids(getattr(_pm(), method)())
    (skip,) = pm.skipped
    assert (skip.plugin, skip.hook) == ("_Raises", hook)
    assert "district data missing" in skip.reason


class _Returns:
    def __init__(self, hook: str, value: object) -> None:
        setattr(self, hook, hookimpl(lambda: value))


@pytest.mark.parametrize(
    ("hook", "method", "value", "reason"),
    [
        ("livable_facility_types", "facility_types", 42, "returned int, not an iterable"),
        ("livable_facility_types", "facility_types", CHARGER, "wrap it in a list"),
        ("livable_facility_types", "facility_types", ["charging_station"], "not a FacilityType"),
        ("livable_indicators", "indicators", "ev", "returned str, not an iterable"),
        ("livable_indicators", "indicators", [Indicator], "not an instance: return Indicator()"),
        ("livable_indicators", "indicators", [Indicator()], "has no id"),
        ("livable_profiles", "profiles", [{"id": "x"}], "not a Profile"),
        ("livable_distance_providers", "distance_providers", [], "not a mapping"),
        ("livable_distance_providers", "distance_providers", {"x": 1}, "not a provider name"),
    ],
)
def test_a_wrong_return_type_is_named_in_both_modes(
    hook: str, method: str, value: object, reason: str
) -> None:
    with pytest.raises(PluginError, match=rf"plugin '_Returns', hook {hook}: .*") as info:
        getattr(_pm(_Returns(hook, value)), method)()
    assert reason in str(info.value)
    pm = _pm(_Returns(hook, value), mode="record")
    assert _ids(getattr(pm, method)()) == _ids(getattr(_pm(), method)())
    assert [(s.plugin, s.hook) for s in pm.skipped] == [("_Returns", hook)]
    assert reason in pm.skipped[0].reason


def test_an_indicator_with_an_unknown_key_content_is_rejected() -> None:
    class Odd(Indicator):
        id, label_en, label_zh = "odd", "odd", "奇"
        clause, requirement, key_content = "P2", "convenience", "happiness"

        def evaluate(self, context: livable.CommunityContext) -> livable.IndicatorResult:
            raise NotImplementedError

    with pytest.raises(PluginError, match="unknown key content 'happiness'"):
        _pm(_Returns("livable_indicators", [Odd()])).indicators()


@pytest.mark.parametrize(
    ("hook", "method", "value", "item"),
    [
        ("livable_facility_types", "facility_types", "kindergarten", "kindergarten"),
        ("livable_profiles", "profiles", "xian-2020", "xian-2020"),
        ("livable_distance_providers", "distance_providers", "euclidean", "euclidean"),
        ("livable_indicators", "indicators", "twelve_ones", "twelve_ones"),
    ],
)
def test_a_duplicate_of_a_builtin_id_blames_the_plugin_never_overwrites(
    hook: str, method: str, value: str, item: str
) -> None:
    pm_city = _pm()
    original = {
        "facility_types": lambda: pm_city.facility_types()[value],
        "profiles": lambda: pm_city.profiles()[value],
        "distance_providers": lambda: pm_city.distance_providers()[value],
        "indicators": lambda: next(i for i in pm_city.indicators() if i.id == value),
    }[method]()
    if method == "distance_providers":
        answer: object = {value: lambda **_: EuclideanProvider()}
    elif method == "facility_types":
        answer = [FacilityType(id=value, label_en="x", label_zh="x")]
    elif method == "profiles":
        answer = [original.derive(id="tmp").derive(id=value)]  # type: ignore[attr-defined]
    else:
        answer = [type(original)()]
    with pytest.raises(PluginError) as info:
        getattr(_pm(_Returns(hook, answer)), method)()
    builtin = {  # the built-in plugin that registers it, named in the fault
        "facility_types": "livable.types",
        "profiles": "livable.profiles",
        "distance_providers": "livable.providers",
        "indicators": "livable.indicators",
    }[method]
    assert str(info.value) == (
        f"plugin '_Returns', hook {hook}: duplicate "
        f"{'provider' if method == 'distance_providers' else 'id'} {item!r}, already registered "
        f"by plugin {builtin!r}"
    )
    pm = _pm(_Returns(hook, answer), mode="record")
    kept = {
        "facility_types": lambda: pm.facility_types()[value],
        "profiles": lambda: pm.profiles()[value],
        "distance_providers": lambda: pm.distance_providers()[value],
        "indicators": lambda: next(i for i in pm.indicators() if i.id == value),
    }[method]()
    assert pm.owner(hook, value) == builtin
    if method == "indicators":
        assert type(kept) is type(original)
    else:
        assert kept == original
    assert [s.plugin for s in pm.skipped] == ["_Returns"]


def test_a_duplicate_between_two_plugins_names_both() -> None:
    class First:
        @hookimpl
        def livable_facility_types(self) -> list[FacilityType]:
            return [CHARGER]

    class Second(First):
        pass

    with pytest.raises(PluginError, match=r"plugin 'Second'.*already registered by plugin 'First'"):
        _pm(First(), Second()).facility_types()


# -- livable_classify ----------------------------------------------------------------------
@pytest.mark.parametrize("answer", ["happy", Grade.HAPPY])
def test_a_plugin_overrides_a_grade_with_a_string_or_a_grade(answer: object) -> None:
    class Pilot:
        @hookimpl
        def livable_classify(self, community: livable.Community) -> object:
            return answer if community.id == "c0" else None

    report = _evaluate(_pm(Pilot()), n=2)
    rules = _evaluate(_pm(), n=2)
    assert rules.communities[0].grade == Grade.LIVABLE
    assert report.community("c0").grade is Grade.HAPPY
    assert report.community("c1").grade == rules.community("c1").grade
    assert report.community("c0").details["grade_override"] == {
        "plugin": "Pilot",
        "rule_grade": "livable",
    }
    data = report.to_dict()
    jsonschema.validate(data, load_schema("report"))
    assert data["communities"][0]["grade"] == "happy"
    assert data["communities"][0]["details"]["grade_override"]["plugin"] == "Pilot"
    assert "details" not in data["communities"][1]


def test_the_last_registered_classifier_is_asked_first_and_none_passes_on() -> None:
    calls: list[str] = []

    def classifier(name: str, answer: str | None) -> object:
        class C:
            @hookimpl
            def livable_classify(self) -> str | None:
                calls.append(name)
                return answer

        C.__name__ = name
        return C()

    pm = _pm(classifier("early", "not_livable"), classifier("late", None))
    report = _evaluate(pm)
    assert calls == ["late", "early"]
    assert report.communities[0].grade is Grade.NOT_LIVABLE


def test_a_classifier_receives_the_results_with_their_roles() -> None:
    seen: dict[str, str] = {}

    class Spy:
        @hookimpl
        def livable_classify(
            self, results: tuple[livable.IndicatorResult, ...], profile: livable.Profile
        ) -> None:
            seen.update({r.id: r.role for r in results})
            seen["profile"] = profile.id

    _evaluate(_pm(Spy()))
    assert seen["twelve_ones"] == "livable"
    assert seen["green_ratio"] == "happy"
    assert seen["profile"] == "xian-2020"


@pytest.mark.parametrize("answer", ["great", 3, Grade])
def test_a_wrong_grade_fails_or_falls_back_to_the_rules(answer: object) -> None:
    class Bad:
        @hookimpl
        def livable_classify(self) -> object:
            return answer

    with pytest.raises(PluginError, match=r"plugin 'Bad', hook livable_classify: returned .* on"):
        _evaluate(_pm(Bad()))
    report = _evaluate(_pm(Bad(), mode="record"), n=2)
    assert [c.grade for c in report.communities] == [Grade.LIVABLE, Grade.LIVABLE]
    assert [(s.plugin, s.hook, s.community) for s in report.skipped] == [
        ("Bad", "livable_classify", "c0"),
        ("Bad", "livable_classify", "c1"),
    ]


def test_with_the_builtin_plugin_blocked_the_rules_still_grade() -> None:
    class Everything:
        @hookimpl
        def livable_facility_types(self) -> list[FacilityType]:
            return list(livable.FACILITY_TYPES.values())

        @hookimpl
        def livable_indicators(self) -> list[Indicator]:
            from livable.indicators.builtin import builtin_indicators

            return list(builtin_indicators())

        @hookimpl
        def livable_distance_providers(self) -> dict[str, object]:
            return {"euclidean": lambda **_: EuclideanProvider()}

    pm = PluginManager(load_entry_points=False, block=[BUILTIN_PLUGIN], plugins=[Everything()])
    assert _evaluate(pm).communities[0].grade == Grade.LIVABLE


# -- indicators during an evaluation -------------------------------------------------------
class Flaky(Indicator):
    """Raises on community ``c1`` only; counts for happy in the test profile."""

    id, label_en, label_zh = "flaky", "flaky", "不稳定"
    clause, requirement, key_content = "P5", "convenience", "convenience_services"

    def evaluate(self, context: livable.CommunityContext) -> livable.IndicatorResult:
        if context.community.id == "c1":
            raise ZeroDivisionError("district table empty")
        return self.result("passed", 1, "ok", "好")


class FlakyPlugin:
    @hookimpl
    def livable_indicators(self) -> list[Indicator]:
        return [Flaky()]

    @hookimpl
    def livable_profiles(self) -> list[livable.Profile]:
        city = livable.load_profile("xian-2020")
        happy = {k: "info" for k, v in city.indicator_roles.items() if v == "happy"}
        return [city.derive(id="flaky-happy", indicator_roles={**happy, "flaky": "happy"})]


def test_an_indicator_that_raises_fails_naming_plugin_indicator_and_community() -> None:
    with pytest.raises(PluginError) as info:
        _evaluate(_pm(FlakyPlugin()), n=2, profile="flaky-happy")
    assert (info.value.plugin, info.value.hook) == ("FlakyPlugin", "livable_indicators")
    assert "indicator 'flaky' raised ZeroDivisionError" in str(info.value)
    assert "community 'c1'" in str(info.value)


def test_in_record_mode_a_raising_indicator_is_not_assessed_for_that_community_only() -> None:
    report = _evaluate(_pm(FlakyPlugin(), mode="record"), n=3, profile="flaky-happy")
    statuses = {c.id: c.indicator("flaky").status for c in report.communities}
    assert statuses == {"c0": "passed", "c1": "not_assessed", "c2": "passed"}
    assert report.community("c0").grade is Grade.HAPPY
    assert report.community("c1").grade is Grade.LIVABLE  # not assessed never passes
    assert "FlakyPlugin" in report.community("c1").indicator("flaky").message_en
    (skip,) = report.skipped
    assert (skip.plugin, skip.hook, skip.community) == ("FlakyPlugin", "livable_indicators", "c1")
    assert "ZeroDivisionError" in skip.reason
    jsonschema.validate(report.to_dict(), load_schema("report"))
    assert report.to_dict()["skipped"] == [
        {
            "plugin": "FlakyPlugin",
            "hook": "livable_indicators",
            "community": "c1",
            "reason": skip.reason,
        }
    ]


@pytest.mark.parametrize(
    ("returned", "problem"),
    [(None, "returned NoneType, not an IndicatorResult"), ("twelve_ones", "with id")],
)
def test_an_indicator_returning_the_wrong_thing_is_a_fault(returned: object, problem: str) -> None:
    class Sloppy(Indicator):
        id, label_en, label_zh = "sloppy", "sloppy", "马虎"
        clause, requirement, key_content = "P5", "convenience", "convenience_services"

        def evaluate(self, context: livable.CommunityContext) -> livable.IndicatorResult:
            if returned is None:
                return None  # type: ignore[return-value]
            return livable.IndicatorResult(
                id=str(returned), status="passed", value=1, unit=None, requirement="convenience",
                key_content="convenience_services", message_en="", message_zh="",
            )  # fmt: skip

    plugin = _Returns("livable_indicators", [Sloppy()])
    with pytest.raises(PluginError, match=rf"'_Returns', hook livable_indicators: .*{problem}"):
        _evaluate(_pm(plugin))
    report = _evaluate(_pm(plugin, mode="record"))
    assert report.communities[0].indicator("sloppy").status == "not_assessed"
    assert problem in report.skipped[0].reason


def test_a_profile_role_for_an_unregistered_indicator_is_an_error() -> None:
    class RolesOnly:
        @hookimpl
        def livable_profiles(self) -> list[livable.Profile]:
            city = livable.load_profile("xian-2020")
            return [city.derive(id="needs-ev", indicator_roles={"ev_charging": "happy"})]

    with pytest.raises(LivableError, match=r"ev_charging.*installed and allowed"):
        _evaluate(_pm(RolesOnly()), profile="needs-ev")


def test_faults_recorded_while_building_registries_reach_the_report() -> None:
    report = _evaluate(_pm(_Raises("livable_facility_types"), mode="record"))
    assert [(s.plugin, s.hook, s.community) for s in report.skipped] == [
        ("_Raises", "livable_facility_types", None)
    ]
    again = _evaluate(_pm(_Raises("livable_facility_types"), mode="record"))
    assert len(again.skipped) == 1


def test_per_community_faults_do_not_leak_into_the_next_evaluation() -> None:
    pm = _pm(FlakyPlugin(), mode="record")
    assert len(_evaluate(pm, n=2, profile="flaky-happy").skipped) == 1
    assert len(_evaluate(pm, n=2, profile="flaky-happy").skipped) == 1
    assert pm.skipped == ()


# -- distance providers --------------------------------------------------------------------
def test_a_provider_factory_that_raises_is_named_in_either_mode() -> None:
    def broken(**_: object) -> object:
        raise OSError("tile server down")

    plugin = _Returns("livable_distance_providers", {"tiles": broken})
    for mode in ("fail", "record"):
        with pytest.raises(PluginError, match=r"'_Returns', hook livable_distance_providers: .*"):
            _evaluate(_pm(plugin, mode=mode), distance="tiles")


def test_a_provider_that_answers_with_the_wrong_shape_is_named() -> None:
    class Short:
        name = "short"

        def measure(self, origins: object, facilities: object, query: object) -> object:
            return EuclideanProvider().measure(
                livable.geometry.access.Origins([0.0], [0.0]),
                facilities,  # type: ignore[arg-type]
                query,  # type: ignore[arg-type]
            )

    plugin = _Returns("livable_distance_providers", {"short": lambda **_: Short()})
    with pytest.raises(PluginError, match=r"provider 'short': .* not \(2, 18\)"):
        _evaluate(_pm(plugin), n=2, distance="short")
    not_a_provider = _Returns("livable_distance_providers", {"odd": lambda **_: 42})
    with pytest.raises(PluginError, match="returned int, not an object with name and measure"):
        _evaluate(_pm(not_a_provider), distance="odd")


# -- one test per hook (the docs test checks they exist) -----------------------------------
def test_hook_livable_facility_types() -> None:
    class Chargers:
        @hookimpl
        def livable_facility_types(self) -> list[FacilityType]:
            return [CHARGER]

    pm = _pm(Chargers())
    assert list(pm.facility_types())[-1] == "charging_station"
    near = offset(LON, LAT, 250.0, 0.0)
    report = livable.evaluate(
        [community("c1", LON, LAT)], [facility("e1", "charging_station", *near)], plugins=pm
    )
    access = report.communities[0].access_to("charging_station")
    assert access.nearest_m == pytest.approx(250.0, rel=0.01)
    with pytest.raises(LivableError, match="charging_station"):
        livable.evaluate(
            [community("c1", LON, LAT)], [facility("e1", "charging_station", *near)],
            plugins=_pm(),
        )  # fmt: skip


def test_hook_livable_indicators() -> None:
    class Population(Indicator):
        id, label_en, label_zh = "has_population", "population given", "人口已填报"
        clause, requirement, key_content = "P7", "smart", "smart_living"
        inputs = frozenset({"community_attributes"})

        def evaluate(self, context: livable.CommunityContext) -> livable.IndicatorResult:
            known = context.community.population is not None
            return self.result("passed" if known else "failed", known, "", "")

    report = _evaluate(_pm(_Returns("livable_indicators", [Population()])))
    result = report.communities[0].indicator("has_population")
    assert (result.status, result.role, result.requirement) == ("passed", "info", "smart")
    assert report.to_dict()["communities"][0]["indicators"]["has_population"]["value"] is True


def test_hook_livable_distance_providers() -> None:
    class Doubled:
        name = "doubled"

        def measure(self, origins, facilities, query):  # type: ignore[no-untyped-def]
            from livable.geometry.access import access_from_pairs
            from livable.geometry.providers import candidate_pairs

            o, f, d = candidate_pairs(origins, facilities, query.max_radius_m / 2)
            return access_from_pairs(
                o, f, 2 * d, facility_types=facilities.type_codes, n_origins=len(origins),
                query=query,
            )  # fmt: skip

    pm = _pm(_Returns("livable_distance_providers", {"doubled": lambda **_: Doubled()}))
    plain = _evaluate(pm).communities[0].access_to("clinic").nearest_m
    report = _evaluate(pm, distance="doubled")
    assert report.distance == "doubled"
    doubled = report.communities[0].access_to("clinic")
    assert doubled.nearest_m == pytest.approx(2 * plain)
    assert dict(doubled.count_within) == {400: 0, 800: 2, 1200: 2}  # 300 m doubled is 600 m
    assert pm.owner("livable_distance_providers", "doubled") == "_Returns"


def test_hook_livable_profiles() -> None:
    city = livable.load_profile("xian-2020")
    small = city.derive(id="xian-small-circle", circle_radius_m=200.0)
    report = _evaluate(_pm(_Returns("livable_profiles", [small])), profile="xian-small-circle")
    assert report.profile == "xian-small-circle"
    assert report.profile_sha256 == small.sha256
    assert report.communities[0].grade == Grade.NOT_LIVABLE  # facilities are 300 m away
    assert _evaluate(_pm()).communities[0].grade == Grade.LIVABLE


def test_hook_livable_classify() -> None:
    class Strict:
        @hookimpl
        def livable_classify(
            self, community: livable.Community, results: tuple[livable.IndicatorResult, ...]
        ) -> Grade | None:
            if community.attributes.get("complaints", 0) > 10:
                return Grade.NOT_LIVABLE
            return None

    comms = [
        community("quiet", LON, LAT, population=3000),
        community("loud", LON, LAT, population=3000, complaints=12),
    ]
    facs = ring_of_facilities(LON, LAT, livable.TWELVE_ONES, radius_m=300.0, count=2)
    report = livable.evaluate(comms, facs, plugins=_pm(Strict()))
    assert report.community("quiet").grade == Grade.LIVABLE
    assert report.community("loud").grade == Grade.NOT_LIVABLE


# -- the report and the command line -------------------------------------------------------
def test_report_json_records_plugins_with_versions(install: Install) -> None:
    install(CHARGER_PLUGIN, name="yanta", version="0.3.0")
    data = _evaluate(PluginManager(allow=["yanta"])).to_dict()
    assert data["plugins"] == [
        {"name": BUILTIN_PLUGIN, "version": livable.__version__},
        {"name": "yanta", "version": "0.3.0"},
    ]
    assert data["skipped"] == []
    assert "charging_station" in data["communities"][0]["access"]


def _write(folder: Path) -> list[str]:
    def fc(features: list[dict[str, object]]) -> str:
        return json.dumps({"type": "FeatureCollection", "features": features})

    def point(props: dict[str, object], lon: float, lat: float) -> dict[str, object]:
        return {
            "type": "Feature",
            "properties": props,
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
        }

    (folder / "c.geojson").write_text(fc([point({"id": "c1"}, LON, LAT)]))
    lon, lat = offset(LON, LAT, 100.0, 0.0)
    (folder / "f.geojson").write_text(
        fc([point({"id": "e1", "type": "charging_station"}, lon, lat)])
    )
    return ["--communities", str(folder / "c.geojson"), "--facilities", str(folder / "f.geojson")]


def test_cli_evaluate_loads_allowed_entry_points_and_records_them(
    install: Install, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    install(CHARGER_PLUGIN, name="yanta", version="0.3.0")
    out = tmp_path / "report.json"
    argv = ["evaluate", *_write(tmp_path), "--out", str(out), "--quiet"]
    assert main([*argv, "--allow-plugin", "yanta", "--allow-plugin", "other"]) == 1
    assert "plugin 'other'" in capsys.readouterr().err
    assert main([*argv, "--allow-plugin", "yanta"]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert {"name": "yanta", "version": "0.3.0"} in data["plugins"]
    assert data["communities"][0]["access"]["charging_station"]["count_in_circle"] == 1
    # without the plugin its type is unknown: no usable facility is an error (issue 24)
    assert main([*argv, "--no-entry-points", "--out", str(tmp_path / "none.json")]) == 1
    err = capsys.readouterr().err
    assert "none of the 1 facilities is usable" in err and "'charging_station'" in err
    assert not (tmp_path / "none.json").exists()


def test_cli_plugin_faults_record_lists_skips_on_stderr_and_in_the_report(
    install: Install, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    install(CHARGER_PLUGIN, name="yanta")
    install("raise RuntimeError('half-installed')\n", name="broken")
    out = tmp_path / "report.json"
    argv = ["evaluate", *_write(tmp_path), "--out", str(out), "--quiet"]
    assert main(argv) == 1
    assert "plugin 'broken'" in capsys.readouterr().err
    assert main([*argv, "--plugin-faults", "record"]) == 0
    err = capsys.readouterr().err
    assert "warning: skipped plugin 'broken'" in err
    assert "half-installed" in err
    data = json.loads(out.read_text(encoding="utf-8"))
    jsonschema.validate(data, load_schema("report"))
    skipped = data["skipped"]
    assert [(s["plugin"], s["hook"]) for s in skipped] == [("broken", None)]


def test_cli_plugins_lists_versions_and_contributions(
    install: Install, capsys: pytest.CaptureFixture[str]
) -> None:
    install(CHARGER_PLUGIN, name="yanta", version="0.3.0")
    assert main(["plugins", "--allow-plugin", "yanta"]) == 0
    text = capsys.readouterr().out
    for name in BUILTIN_NAMES:  # each built-in plugin on its own line
        assert f"\n  {name} {livable.__version__}\n" in text
    assert "yanta 0.3.0" in text
    assert "facility type charging_station: EV charging station / 充电站" in text
    assert "profile xian-2020" in text
    assert "indicator twelve_ones" in text
    assert "distance providers: euclidean, geodesic" in text
    assert main(["plugins", "--no-entry-points", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [p["name"] for p in data["plugins"]] == [
        "livable.types",
        "livable.indicators",
        "livable.providers",
        "livable.network",
        "livable.profiles",
        "livable.classify",
    ]
    assert [p["name"] for p in data["plugins"] if p["classify"]] == ["livable.classify"]


def test_cli_plugins_record_mode_shows_skips(
    install: Install, capsys: pytest.CaptureFixture[str]
) -> None:
    install("raise RuntimeError('half-installed')\n", name="broken")
    assert main(["plugins", "--allow-plugin", "broken"]) == 1
    assert main(["plugins", "--allow-plugin", "broken", "--plugin-faults", "record"]) == 0
    assert "skipped: plugin 'broken': cannot be imported" in capsys.readouterr().out


def test_a_module_registered_directly_is_not_loaded_again_from_its_entry_point(
    install: Install,
) -> None:
    module = install(CHARGER_PLUGIN, name="yanta")
    direct = importlib.import_module(module)
    pm = PluginManager(plugins=[direct], allow=["yanta"])
    assert [p.name for p in pm.plugins()] == [BUILTIN_PLUGIN, module]
    assert pm.owner("livable_facility_types", "charging_station") == module
    with pytest.raises(PluginError, match=f"already registered as '{module}'"):
        pm.register(direct, name="again")
