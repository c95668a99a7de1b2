"""A plugin manager per engine, never a global.

:class:`PluginManager` wraps a :class:`pluggy.PluginManager`: it registers the built-in
plugin, then plugin objects the caller gives, then (unless switched off) the setuptools
entry points of group ``livable``, optionally limited to an allow-list. Hook
implementations are called one plugin at a time, so a failure names its plugin and hook.

>>> pm = PluginManager(load_entry_points=False)
>>> "kindergarten" in pm.facility_types()
True
>>> sorted(pm.distance_providers())
['euclidean', 'geodesic', 'network']
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import Any, Literal, TypeVar

import pluggy

from livable._version import __version__
from livable.errors import PluginError
from livable.geometry.providers import ProviderFactory
from livable.indicators.base import INPUT_KINDS, Indicator
from livable.models import Community, FacilityType, Grade
from livable.plugins import builtin, hookspecs
from livable.profile import Profile
from livable.report import IndicatorResult, PluginInfo

__all__ = ["BUILTIN_PLUGIN", "FaultMode", "PluginManager"]

BUILTIN_PLUGIN = "livable.builtin"
"""The name the built-in plugin is registered under."""

FaultMode = Literal["fail", "record"]
_T = TypeVar("_T")


class PluginManager:
    """Loads plugins and answers the hooks with typed, validated results.

    :param load_entry_points: load plugins installed under the entry-point group
        ``livable`` (switch off to run only what the embedder registers).
    :param allow: if given, only entry points with these names are loaded.
    :param plugins: plugin objects (modules or instances) to register directly.
    :param block: plugin names never to register (``livable.builtin`` included).
    :param fault_mode: ``"fail"`` (default) raises :class:`~livable.errors.PluginError` at
        a plugin's first fault; ``"record"`` skips the faulty contribution and lists it in
        :attr:`skipped` (and the report's ``skipped``).
    """

    def __init__(
        self,
        *,
        load_entry_points: bool = True,
        allow: Collection[str] | None = None,
        plugins: Iterable[object] = (),
        block: Collection[str] = (),
        fault_mode: FaultMode = "fail",
    ) -> None:
        if fault_mode not in ("fail", "record"):
            raise ValueError(f"fault_mode must be 'fail' or 'record', not {fault_mode!r}")
        self.fault_mode: FaultMode = fault_mode
        self.skipped: list[str] = []
        self._cache: dict[str, Any] = {}
        self._versions: dict[str, str | None] = {}
        self._pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
        self._pm.add_hookspecs(hookspecs)
        for name in block:
            self._pm.set_blocked(name)
        if BUILTIN_PLUGIN not in block:
            self.register(builtin, name=BUILTIN_PLUGIN, version=__version__)
        for plugin in plugins:
            self.register(plugin)
        if load_entry_points:
            self._load_entry_points(allow)

    # -- registration -------------------------------------------------------------------
    def register(
        self, plugin: object, *, name: str | None = None, version: str | None = None
    ) -> str:
        """Register a plugin object; validates its hooks at once (names and signatures)."""
        name = name or getattr(plugin, "__name__", None) or type(plugin).__name__
        if self._pm.has_plugin(name) or self._pm.is_registered(plugin):
            raise PluginError("a plugin of this name is already registered", plugin=name)
        try:
            registered = self._pm.register(plugin, name=name)
            self._pm.check_pending()
        except pluggy.PluginValidationError as exc:
            if self._pm.is_registered(plugin):
                self._pm.unregister(plugin)
            raise PluginError(f"invalid hook implementation: {exc}", plugin=name) from exc
        if registered is None:  # blocked
            return name
        self._versions[name] = version or getattr(plugin, "__version__", None)
        self._cache.clear()
        return name

    def unregister(self, name: str) -> None:
        """Remove a registered plugin by name."""
        plugin = self._pm.get_plugin(name)
        if plugin is None:
            raise PluginError("no plugin of this name is registered", plugin=name)
        self._pm.unregister(plugin)
        self._versions.pop(name, None)
        self._cache.clear()

    def _load_entry_points(self, allow: Collection[str] | None) -> None:
        for ep in importlib.metadata.entry_points(group=hookspecs.PROJECT_NAME):
            if allow is not None and ep.name not in allow:
                continue
            if self._pm.is_blocked(ep.name) or self._pm.has_plugin(ep.name):
                continue
            try:
                plugin = ep.load()
            except Exception as exc:
                self._fault(f"cannot be imported: {exc!r}", ep.name, "load")
                continue
            version = ep.dist.version if ep.dist is not None else None
            self.register(plugin, name=ep.name, version=version)

    # -- calling ------------------------------------------------------------------------
    def _fault(self, message: str, plugin: str, hook: str) -> None:
        if self.fault_mode == "fail":
            raise PluginError(message, plugin=plugin, hook=hook)
        self.skipped.append(f"plugin {plugin!r}, hook {hook}: {message}")

    def _call_each(self, hook: str, **kwargs: Any) -> list[tuple[str, Any]]:
        """Call every implementation of a hook, naming the plugin of any failure."""
        caller = getattr(self._pm.hook, hook)
        answers: list[tuple[str, Any]] = []
        for impl in reversed(caller.get_hookimpls()):  # registration order
            args = [kwargs[a] for a in impl.argnames]
            try:
                answers.append((impl.plugin_name, impl.function(*args)))
            except Exception as exc:
                self._fault(f"raised {exc!r}", impl.plugin_name, hook)
        return answers

    def _collect(
        self,
        hook: str,
        kind: type[_T],
        key: Callable[[_T], str],
        check: Callable[[_T], str | None] = lambda _: None,
    ) -> dict[str, _T]:
        if hook in self._cache:
            return dict(self._cache[hook])
        found: dict[str, _T] = {}
        owner: dict[str, str] = {}
        for plugin, answer in self._call_each(hook):
            if answer is None:
                continue
            try:
                items = list(answer)
            except TypeError:
                self._fault(f"returned {type(answer).__name__}, not an iterable", plugin, hook)
                continue
            for item in items:
                if not isinstance(item, kind):  # plugins may return anything
                    self._fault(f"returned {item!r}, not a {_kind_name(kind)}", plugin, hook)
                    continue
                problem = check(item)
                if problem:
                    self._fault(problem, plugin, hook)
                    continue
                item_id = key(item)
                if item_id in found:
                    self._fault(
                        f"duplicate id {item_id!r}, already registered by {owner[item_id]!r}",
                        plugin,
                        hook,
                    )
                    continue
                found[item_id] = item
                owner[item_id] = plugin
        self._cache[hook] = found
        return dict(found)

    def facility_types(self) -> Mapping[str, FacilityType]:
        """Every registered facility type, by id."""
        return self._collect("livable_facility_types", FacilityType, lambda t: t.id)

    def indicators(self) -> tuple[Indicator, ...]:
        """Every registered indicator, in registration order."""
        found = self._collect("livable_indicators", Indicator, lambda i: i.id, _check_indicator)
        return tuple(found.values())

    def profiles(self) -> Mapping[str, Profile]:
        """Every registered profile, by id."""
        return self._collect("livable_profiles", Profile, lambda p: p.id)

    def distance_providers(self) -> Mapping[str, ProviderFactory]:
        """Every registered distance provider factory, by name."""
        hook = "livable_distance_providers"
        if hook in self._cache:
            return dict(self._cache[hook])
        found: dict[str, ProviderFactory] = {}
        owner: dict[str, str] = {}
        for plugin, answer in self._call_each(hook):
            if answer is None:
                continue
            if not isinstance(answer, Mapping):
                self._fault(f"returned {type(answer).__name__}, not a mapping", plugin, hook)
                continue
            for name, factory in answer.items():
                if not isinstance(name, str) or not callable(factory):
                    self._fault(f"entry {name!r} is not a name and a factory", plugin, hook)
                elif name in found:
                    self._fault(
                        f"duplicate provider {name!r}, already registered by {owner[name]!r}",
                        plugin,
                        hook,
                    )
                else:
                    found[name], owner[name] = factory, plugin
        self._cache[hook] = found
        return dict(found)

    def classify(
        self, community: Community, results: Sequence[IndicatorResult], profile: Profile
    ) -> Grade | None:
        """The first plugin's grade override, or ``None`` (the ``livable_classify`` hook)."""
        hook = "livable_classify"
        args = {"community": community, "results": results, "profile": profile}
        for plugin, answer in self._call_each(hook, **args):
            if answer is None:
                continue
            try:
                return Grade(answer)
            except ValueError:
                self._fault(f"returned {answer!r}, not a grade", plugin, hook)
        return None

    def plugins(self) -> tuple[PluginInfo, ...]:
        """The registered plugins and their versions, built-in first."""
        names = [name for name, _ in self._pm.list_name_plugin()]
        return tuple(PluginInfo(name, self._versions.get(name)) for name in names)


def _kind_name(kind: type) -> str:
    return kind.__name__


def _check_indicator(indicator: Indicator) -> str | None:
    from livable.models import KEY_CONTENTS, REQUIREMENTS

    for attr in ("id", "label_en", "label_zh", "clause", "requirement", "key_content"):
        if not isinstance(getattr(indicator, attr, None), str):
            return f"indicator {type(indicator).__name__} has no {attr}"
    if indicator.requirement not in REQUIREMENTS:
        return f"indicator {indicator.id!r}: unknown requirement {indicator.requirement!r}"
    if indicator.key_content not in KEY_CONTENTS:
        return f"indicator {indicator.id!r}: unknown key content {indicator.key_content!r}"
    if not set(indicator.inputs) <= INPUT_KINDS:
        return f"indicator {indicator.id!r}: unknown inputs {set(indicator.inputs) - INPUT_KINDS}"
    return None
