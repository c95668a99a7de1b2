"""A plugin manager per engine, never a global.

:class:`PluginManager` wraps a ``pluggy.PluginManager``: it registers the six built-in
plugins (``livable.types``, ``livable.indicators``, ``livable.providers``,
``livable.network``, ``livable.profiles``, ``livable.classify``; ``livable.builtin`` names
them all, see :mod:`livable.plugins.builtin`), then the plugin objects the caller gives, then
(unless switched off) the setuptools entry points of group ``livable``, optionally limited to
an allow-list; any of them may be blocked by name. Every plugin is validated when it is
registered: a ``livable_*`` function or method that is not a known hook, one that is not
marked with ``@hookimpl``, an argument the hook does not have, an argument with a default
value, or a wrapper is an error naming the plugin. Hook implementations are called one
plugin at a time, so a failure names its plugin and hook; every answer is type-checked.

>>> pm = PluginManager(load_entry_points=False)
>>> "kindergarten" in pm.facility_types()
True
>>> sorted(pm.distance_providers())
['euclidean', 'geodesic', 'network']
>>> [p.name for p in pm.plugins()]
['livable.builtin']
>>> [c.name for c in pm.contributions()][:3]
['livable.types', 'livable.indicators', 'livable.providers']
"""

from __future__ import annotations

import difflib
import importlib.metadata
import inspect
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import Any, Literal, TypeVar

import attrs
import pluggy

from livable._version import __version__
from livable.errors import PluginError
from livable.geometry.providers import DistanceProvider, ProviderFactory
from livable.indicators.base import INPUT_KINDS, Indicator
from livable.models import (
    CATEGORIES,
    KEY_CONTENTS,
    REQUIREMENTS,
    Community,
    FacilityType,
    Grade,
    IndicatorResult,
    PluginInfo,
    Skipped,
)
from livable.plugins import builtin, hookspecs
from livable.plugins.builtin import BUILTIN_NAMES, BUILTIN_PLUGIN, BUILTIN_PROVIDERS
from livable.profile import Profile

__all__ = ["BUILTIN_NAMES", "BUILTIN_PLUGIN", "FaultMode", "PluginContributions", "PluginManager"]

FaultMode = Literal["fail", "record"]
"""``"fail"`` raises :class:`~livable.PluginError` at a plugin's first fault;
``"record"`` skips the faulty contribution and lists it as :class:`~livable.Skipped`."""

_T = TypeVar("_T")

_REGISTRY_HOOKS = (
    "livable_facility_types",
    "livable_indicators",
    "livable_distance_providers",
    "livable_profiles",
)


@attrs.frozen
class PluginContributions:
    """What one registered plugin adds (``livable plugins`` lists these).

    >>> pm = PluginManager(load_entry_points=False)
    >>> c = {c.name: c for c in pm.contributions()}
    >>> c["livable.profiles"].profiles, "twelve_ones" in c["livable.indicators"].indicators
    (('xian-2020',), True)
    >>> c["livable.classify"].classify, c["livable.network"].distance_providers
    (True, ('network',))
    """

    name: str
    version: str | None
    facility_types: tuple[str, ...] = ()
    indicators: tuple[str, ...] = ()
    distance_providers: tuple[str, ...] = ()
    profiles: tuple[str, ...] = ()
    classify: bool = False
    """Whether the plugin implements ``livable_classify`` (may decide grades)."""


class PluginManager:
    """Loads plugins and answers the hooks with typed, validated results.

    :param load_entry_points: load plugins installed under the entry-point group
        ``livable`` (switch off to run only what the embedder registers).
    :param allow: if given, only entry points with these names are loaded; a name that is
        not installed is a fault.
    :param plugins: plugin objects (modules, classes' instances) to register directly,
        after the built-in plugins and before entry points; their validation errors always
        raise.
    :param block: plugin names never to register: an installed plugin's, a built-in one's
        (``livable.network``, ...) or ``livable.builtin`` for all six built-ins. A provider of
        a blocked built-in (``network``) is then an error naming the plugin.
    :param fault_mode: ``"fail"`` (default) raises :class:`~livable.PluginError` at
        a plugin's first fault; ``"record"`` skips the faulty contribution (an entry point
        that cannot be loaded, an answer of the wrong type, a duplicate id, an indicator
        that raises on a community) and lists it in :attr:`skipped` and the report's
        ``skipped``.

    >>> from livable import hookimpl
    >>> class Broken:
    ...     @hookimpl
    ...     def livable_profiles(self):
    ...         return ["not a profile"]
    >>> pm = PluginManager(load_entry_points=False, plugins=[Broken()])
    >>> pm.profiles()
    Traceback (most recent call last):
    ...
    livable.errors.PluginError: plugin 'Broken', hook livable_profiles: returned ...
    >>> pm = PluginManager(load_entry_points=False, plugins=[Broken()], fault_mode="record")
    >>> sorted(pm.profiles()), pm.skipped[0].reason
    (['xian-2020'], "returned 'not a profile', not a Profile")
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
        if isinstance(allow, str) or isinstance(block, str):
            raise TypeError("allow and block take a collection of plugin names, not a string")
        self.fault_mode: FaultMode = fault_mode
        self._load_skipped: list[Skipped] = []
        self._skipped: list[Skipped] = []
        self._cache: dict[str, dict[str, Any]] = {}
        self._owners: dict[str, dict[str, str]] = {}
        self._versions: dict[str, str | None] = {}
        self._order: dict[str, int] = {}
        self._pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
        self._pm.add_hookspecs(hookspecs)
        blocked = list(block)
        if BUILTIN_PLUGIN in blocked:
            blocked += [name for name, _ in builtin.PLUGINS]
        for name in blocked:
            self._pm.set_blocked(name)
        for name, module in builtin.PLUGINS:
            self.register(module, name=name, version=__version__)
        for plugin in plugins:
            self.register(plugin)
        if load_entry_points:
            self._load_entry_points(allow)

    # -- registration -------------------------------------------------------------------
    def register(
        self, plugin: object, *, name: str | None = None, version: str | None = None
    ) -> str:
        """Register a plugin object and return its name; validates its hooks at once.

        The name defaults to a module's ``__name__`` or the object's class name; the
        version to the plugin's ``__version__`` or its distribution's version. Raises
        :class:`~livable.PluginError` naming the plugin if the name is taken or a
        hook implementation is invalid (unknown hook name, unmarked hook, argument not in
        the hook, argument with a default, wrapper). A blocked name is not registered.

        >>> from livable import hookimpl
        >>> class Typo:
        ...     @hookimpl
        ...     def livable_indicator(self):
        ...         return []
        >>> PluginManager(load_entry_points=False).register(Typo())
        Traceback (most recent call last):
        ...
        livable.errors.PluginError: plugin 'Typo': livable_indicator is not a livable hook (did ...
        """
        name = name or _default_name(plugin)
        if name == BUILTIN_PLUGIN and not self._pm.is_blocked(name):
            taken = any(self._pm.has_plugin(n) for n in BUILTIN_NAMES)
            raise PluginError(
                "a plugin of this name is already registered"
                if taken
                else "this name stands for the six built-in plugins together: choose another",
                plugin=name,
            )
        if self._pm.has_plugin(name):
            raise PluginError("a plugin of this name is already registered", plugin=name)
        if self._pm.is_registered(plugin):
            other = self._pm.get_name(plugin)
            raise PluginError(f"this object is already registered as {other!r}", plugin=name)
        if self._pm.is_blocked(name):
            return name
        self._check_names(plugin, name)
        try:
            self._pm.register(plugin, name=name)
            self._pm.check_pending()
            self._check_impls(name)
        except (pluggy.PluginValidationError, PluginError) as exc:
            if self._pm.is_registered(plugin):
                self._pm.unregister(plugin)
            if isinstance(exc, PluginError):
                raise
            message = " ".join(str(exc).split("\n")[1:]) or str(exc)
            raise PluginError(f"invalid hook implementation: {message}", plugin=name) from exc
        self._versions[name] = version or _version_of(plugin)
        self._order[name] = len(self._order)
        self._clear()
        return name

    def unregister(self, name: str) -> None:
        """Remove a registered plugin by name (``livable.builtin``: every built-in one).

        >>> pm = PluginManager(load_entry_points=False)
        >>> pm.unregister("livable.network"); sorted(pm.distance_providers())
        ['euclidean', 'geodesic']
        >>> pm.unregister("livable.builtin"); pm.plugins()
        ()
        """
        names = [name]
        if name == BUILTIN_PLUGIN:
            names = [n for n, _ in builtin.PLUGINS if self._pm.get_plugin(n) is not None]
        plugins = [self._pm.get_plugin(n) for n in names]
        if not names or plugins[0] is None:
            raise PluginError("no plugin of this name is registered", plugin=name)
        for each, plugin in zip(names, plugins, strict=True):
            self._pm.unregister(plugin)
            self._versions.pop(each, None)
            self._order.pop(each, None)
        self._clear()

    def _clear(self) -> None:
        self._cache.clear()
        self._owners.clear()
        self._skipped.clear()

    def _check_names(self, plugin: object, name: str) -> None:
        """Every ``livable_*`` callable must be a known hook marked with ``@hookimpl``."""
        for attr in dir(plugin):
            if not attr.startswith("livable_"):
                continue
            try:
                value = getattr(plugin, attr)
            except Exception:
                continue
            if not callable(value):
                continue
            if attr not in hookspecs.HOOKS:
                close = difflib.get_close_matches(attr, hookspecs.HOOKS, n=1)
                hint = f"did you mean {close[0]}?" if close else f"known: {', '.join(_hooks())}"
                raise PluginError(f"{attr} is not a livable hook ({hint})", plugin=name)
            if self._pm.parse_hookimpl_opts(plugin, attr) is None:
                raise PluginError(
                    f"{attr} is not marked with @livable.hookimpl, so it would never be called",
                    plugin=name,
                )

    def _check_impls(self, name: str) -> None:
        for hook in hookspecs.HOOKS:
            for impl in getattr(self._pm.hook, hook).get_hookimpls():
                if impl.plugin_name != name:
                    continue
                if impl.wrapper or impl.hookwrapper:
                    raise PluginError("livable hooks do not take wrappers", plugin=name, hook=hook)
                if impl.kwargnames:
                    raise PluginError(
                        f"argument(s) {', '.join(impl.kwargnames)} have default values, which "
                        "pluggy never passes: remove the defaults",
                        plugin=name,
                        hook=hook,
                    )

    def _load_entry_points(self, allow: Collection[str] | None) -> None:
        seen: dict[str, str] = {}
        for ep in importlib.metadata.entry_points(group=hookspecs.PROJECT_NAME):
            if allow is not None and ep.name not in allow:
                continue
            if ep.name in seen:
                if seen[ep.name] != ep.value:  # the same distribution twice on the path is fine
                    self.fault(
                        f"entry point {ep.value!r} has the name of another plugin "
                        f"({seen[ep.name]!r})",
                        plugin=ep.name,
                        hook=None,
                        sink=self._load_skipped,
                    )
                continue
            seen[ep.name] = ep.value
            if self._pm.is_blocked(ep.name):
                continue
            if self._pm.has_plugin(ep.name):
                self.fault(
                    "a plugin of this name is already registered",
                    plugin=ep.name,
                    hook=None,
                    sink=self._load_skipped,
                )
                continue
            try:
                plugin = ep.load()
            except Exception as exc:
                self.fault(
                    f"cannot be imported ({ep.value}): {exc!r}",
                    plugin=ep.name,
                    hook=None,
                    sink=self._load_skipped,
                )
                continue
            if self._pm.is_registered(plugin):  # the embedder registered this module directly
                continue
            version = ep.dist.version if ep.dist is not None else None
            try:
                self.register(plugin, name=ep.name, version=version)
            except PluginError as exc:
                if self.fault_mode == "fail":
                    raise
                entry = Skipped(plugin=ep.name, hook=exc.hook, reason=_reason(exc))
                self._load_skipped.append(entry)
        for name in sorted(set(allow or ()) - set(seen)):
            self.fault(
                f"allowed but not installed (no entry point {name!r} in group 'livable')",
                plugin=name,
                hook=None,
                sink=self._load_skipped,
            )

    # -- faults -------------------------------------------------------------------------
    def fault(
        self,
        reason: str,
        *,
        plugin: str,
        hook: str | None,
        community: str | None = None,
        sink: list[Skipped] | None = None,
    ) -> None:
        """Report a plugin's fault: raise in ``fail`` mode, record it in ``record`` mode.

        Recorded faults go to ``sink`` (an evaluation's own list) or to :attr:`skipped`.

        >>> pm = PluginManager(load_entry_points=False, fault_mode="record")
        >>> pm.fault("raised ValueError()", plugin="p", hook="livable_indicators")
        >>> pm.skipped[0].plugin, pm.skipped[0].reason
        ('p', 'raised ValueError()')
        """
        if self.fault_mode == "fail":
            where = f" on community {community!r}" if community is not None else ""
            raise PluginError(reason + where, plugin=plugin, hook=hook)
        entry = Skipped(plugin=plugin, hook=hook, reason=reason, community=community)
        (self._skipped if sink is None else sink).append(entry)

    @property
    def skipped(self) -> tuple[Skipped, ...]:
        """Faults recorded while loading plugins and building the registries (``record``)."""
        return tuple(self._load_skipped) + tuple(self._skipped)

    # -- calling ------------------------------------------------------------------------
    def _impls(self, hook: str) -> list[pluggy.HookImpl]:
        impls = getattr(self._pm.hook, hook).get_hookimpls()
        if hook in _REGISTRY_HOOKS:  # registration order, the built-in plugins first
            return sorted(impls, key=lambda i: self._order.get(i.plugin_name, 0))
        return list(reversed(impls))  # pluggy's order: last registered (or tryfirst) first

    def _call(
        self,
        impl: pluggy.HookImpl,
        hook: str,
        kwargs: Mapping[str, Any],
        *,
        community: str | None = None,
        sink: list[Skipped] | None = None,
    ) -> tuple[bool, Any]:
        """Call one implementation; ``(False, None)`` if it raised in record mode."""
        try:
            return True, impl.function(*[kwargs[a] for a in impl.argnames])
        except Exception as exc:
            reason = f"raised {exc!r}"
            if self.fault_mode == "fail":
                where = f" on community {community!r}" if community is not None else ""
                raise PluginError(reason + where, plugin=impl.plugin_name, hook=hook) from exc
            self.fault(reason, plugin=impl.plugin_name, hook=hook, community=community, sink=sink)
            return False, None

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
        for impl in self._impls(hook):
            plugin = impl.plugin_name
            ok, answer = self._call(impl, hook, {})
            if not ok or answer is None:
                continue
            problem = _not_iterable(answer, kind)
            if problem:
                self.fault(problem, plugin=plugin, hook=hook)
                continue
            for item in list(answer):
                if not isinstance(item, kind):  # plugins may return anything
                    self.fault(_wrong_item(item, kind), plugin=plugin, hook=hook)
                    continue
                problem = check(item)
                if problem:
                    self.fault(problem, plugin=plugin, hook=hook)
                    continue
                item_id = key(item)
                if item_id in found:
                    self.fault(
                        f"duplicate id {item_id!r}, already registered by plugin "
                        f"{owner[item_id]!r}",
                        plugin=plugin,
                        hook=hook,
                    )
                    continue
                found[item_id] = item
                owner[item_id] = plugin
        self._cache[hook] = found
        self._owners[hook] = owner
        return dict(found)

    def facility_types(self) -> Mapping[str, FacilityType]:
        """Every registered facility type, by id (``livable_facility_types``)."""
        return self._collect(
            "livable_facility_types", FacilityType, lambda t: t.id, _check_facility_type
        )

    def indicators(self) -> tuple[Indicator, ...]:
        """Every registered indicator, in registration order (``livable_indicators``)."""
        found = self._collect("livable_indicators", Indicator, lambda i: i.id, _check_indicator)
        return tuple(found.values())

    def profiles(self) -> Mapping[str, Profile]:
        """Every registered profile, by id (``livable_profiles``)."""
        return self._collect("livable_profiles", Profile, lambda p: p.id)

    def distance_providers(self) -> Mapping[str, ProviderFactory]:
        """Every registered distance provider factory, by name (``livable_distance_providers``)."""
        hook = "livable_distance_providers"
        if hook in self._cache:
            return dict(self._cache[hook])
        found: dict[str, ProviderFactory] = {}
        owner: dict[str, str] = {}
        for impl in self._impls(hook):
            plugin = impl.plugin_name
            ok, answer = self._call(impl, hook, {})
            if not ok or answer is None:
                continue
            if not isinstance(answer, Mapping):
                self.fault(
                    f"returned {type(answer).__name__}, not a mapping of name to factory",
                    plugin=plugin,
                    hook=hook,
                )
                continue
            for name, factory in answer.items():
                if not isinstance(name, str) or not name or not callable(factory):
                    self.fault(
                        f"entry {name!r}: {factory!r} is not a provider name and a factory",
                        plugin=plugin,
                        hook=hook,
                    )
                elif name in found:
                    self.fault(
                        f"duplicate provider {name!r}, already registered by plugin "
                        f"{owner[name]!r}",
                        plugin=plugin,
                        hook=hook,
                    )
                else:
                    found[name], owner[name] = factory, plugin
        self._cache[hook] = found
        self._owners[hook] = owner
        return dict(found)

    def owner(self, hook: str, item_id: str) -> str | None:
        """The plugin that registered an id through a registry hook, or ``None``.

        >>> PluginManager(load_entry_points=False).owner("livable_profiles", "xian-2020")
        'livable.profiles'
        """
        if hook not in _REGISTRY_HOOKS:
            raise ValueError(f"{hook!r} is not one of {_REGISTRY_HOOKS}")
        {
            "livable_facility_types": self.facility_types,
            "livable_indicators": self.indicators,
            "livable_distance_providers": self.distance_providers,
            "livable_profiles": self.profiles,
        }[hook]()
        return self._owners.get(hook, {}).get(item_id)

    def make_provider(self, name: str, **kwargs: Any) -> DistanceProvider:
        """Build the distance provider registered as ``name``, checking what it returns.

        A factory that raises or returns no provider raises
        :class:`~livable.PluginError` naming its plugin in either fault mode (there
        is nothing to continue with); a :class:`~livable.LivableError` it raises (a
        problem with the caller's input) passes through.

        >>> PluginManager(load_entry_points=False).make_provider("euclidean").name
        'euclidean'
        """
        from livable.errors import LivableError

        factories = self.distance_providers()
        if name not in factories:
            raise LivableError(self.missing_provider(name))
        plugin = self.owner("livable_distance_providers", name) or "?"
        hook = "livable_distance_providers"
        try:
            provider = factories[name](**kwargs)
        except LivableError:
            raise
        except Exception as exc:
            raise PluginError(
                f"factory of provider {name!r} raised {exc!r}", plugin=plugin, hook=hook
            ) from exc
        if not isinstance(provider, DistanceProvider):
            raise PluginError(
                f"factory of provider {name!r} returned {type(provider).__name__}, not an "
                "object with name and measure(origins, facilities, query)",
                plugin=plugin,
                hook=hook,
            )
        return provider

    def blocked_provider(self, name: str) -> str | None:
        """The blocked built-in plugin that would register distance provider ``name``, or
        ``None`` (the provider is registered, or no built-in plugin has it).

        >>> PluginManager(load_entry_points=False, block=["livable.network"]).blocked_provider(
        ...     "network")
        'livable.network'
        >>> PluginManager(load_entry_points=False).blocked_provider("network") is None
        True
        """
        plugin = BUILTIN_PROVIDERS.get(name)
        if plugin is None or name in self.distance_providers():
            return None
        return plugin if self._pm.is_blocked(plugin) else None

    def missing_provider(self, name: str) -> str:
        """Why ``name`` is not a distance provider one can use: the message of the error.

        >>> pm = PluginManager(load_entry_points=False, block=["livable.network"])
        >>> pm.missing_provider("network")
        "distance provider 'network' is not available: its plugin 'livable.network' is \
blocked; available: euclidean, geodesic"
        >>> pm.missing_provider("walk")
        "unknown distance provider 'walk'; available: euclidean, geodesic"
        """
        available = ", ".join(sorted(self.distance_providers()))
        plugin = self.blocked_provider(name)
        if plugin is not None:
            return (
                f"distance provider {name!r} is not available: its plugin {plugin!r} is "
                f"blocked; available: {available}"
            )
        return f"unknown distance provider {name!r}; available: {available}"

    def classify(
        self,
        community: Community,
        results: Sequence[IndicatorResult],
        profile: Profile,
        *,
        skipped: list[Skipped] | None = None,
    ) -> tuple[str, Grade] | None:
        """The first grade a plugin decides, with the plugin's name (``livable_classify``).

        Plugins are asked in pluggy's order (last registered first, the built-in
        ``livable.classify`` with the profile's rules last); ``None`` when no plugin answers
        (only if ``livable.classify`` is blocked). Faults in ``record`` mode go to
        ``skipped`` and the next plugin is asked.
        """
        hook = "livable_classify"
        args = {"community": community, "results": results, "profile": profile}
        for impl in self._impls(hook):
            ok, answer = self._call(impl, hook, args, community=community.id, sink=skipped)
            if not ok or answer is None:
                continue
            if isinstance(answer, str):  # Grade is a StrEnum
                try:
                    return impl.plugin_name, Grade(answer)
                except ValueError:
                    pass
            self.fault(
                f"returned {answer!r}, not a Grade or one of {[g.value for g in Grade]}",
                plugin=impl.plugin_name,
                hook=hook,
                community=community.id,
                sink=skipped,
            )
        return None

    def plugins(self) -> tuple[PluginInfo, ...]:
        """The registered plugins and their versions, in registration order (built-ins
        first), as ``report.json`` lists them.

        When all six built-in plugins are registered they are one entry, ``livable.builtin``;
        when any is blocked or unregistered, the others are listed each under its own name,
        so a report always says which built-ins ran. :meth:`contributions` always lists
        every plugin separately.

        >>> [p.name for p in PluginManager(load_entry_points=False).plugins()]
        ['livable.builtin']
        >>> pm = PluginManager(load_entry_points=False, block=["livable.network"])
        >>> [p.name for p in pm.plugins()]
        ['livable.types', 'livable.indicators', 'livable.providers', 'livable.profiles', \
'livable.classify']
        """
        names = self._registered()
        infos = [PluginInfo(name, self._versions.get(name)) for name in names]
        if set(names) >= BUILTIN_NAMES:
            first = min(i for i, name in enumerate(names) if name in BUILTIN_NAMES)
            versions = {self._versions.get(n) for n in BUILTIN_NAMES}
            version = versions.pop() if len(versions) == 1 else __version__
            infos = [i for i in infos if i.name not in BUILTIN_NAMES]
            infos.insert(first, PluginInfo(BUILTIN_PLUGIN, version))
        return tuple(infos)

    def _registered(self) -> list[str]:
        """Every registered (not blocked) plugin's name, in registration order."""
        registered = (n for n, p in self._pm.list_name_plugin() if p is not None)
        return sorted(registered, key=self._order.__getitem__)

    def contributions(self) -> tuple[PluginContributions, ...]:
        """What each registered plugin adds, in registration order (each built-in plugin
        separately: ``livable plugins`` lists these)."""
        self.facility_types(), self.indicators(), self.distance_providers(), self.profiles()

        def of(hook: str, plugin: str) -> tuple[str, ...]:
            return tuple(i for i, p in self._owners.get(hook, {}).items() if p == plugin)

        classifiers = {i.plugin_name for i in self._impls("livable_classify")}
        return tuple(
            PluginContributions(
                name=name,
                version=self._versions.get(name),
                facility_types=of("livable_facility_types", name),
                indicators=of("livable_indicators", name),
                distance_providers=of("livable_distance_providers", name),
                profiles=of("livable_profiles", name),
                classify=name in classifiers,
            )
            for name in self._registered()
        )


def _hooks() -> list[str]:
    return list(hookspecs.HOOKS)


def _default_name(plugin: object) -> str:
    name = getattr(plugin, "__name__", None)
    if isinstance(name, str) and inspect.ismodule(plugin):
        return name
    if isinstance(name, str) and inspect.isclass(plugin):
        return name
    return type(plugin).__name__


def _version_of(plugin: object) -> str | None:
    """A plugin's ``__version__``, else the version of the distribution that ships it."""
    version = getattr(plugin, "__version__", None)
    if isinstance(version, str):
        return version
    module = plugin.__name__ if inspect.ismodule(plugin) else type(plugin).__module__
    top = module.partition(".")[0]
    if top == "livable":
        return __version__
    for dist in importlib.metadata.packages_distributions().get(top, []):
        try:
            return importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:  # pragma: no cover - racing uninstall
            continue
    return None


def _reason(exc: PluginError) -> str:
    text = str(exc)
    prefix = f"plugin {exc.plugin!r}" + (f", hook {exc.hook}" if exc.hook else "") + ": "
    return text.removeprefix(prefix)


def _not_iterable(answer: object, kind: type) -> str | None:
    name = kind.__name__
    if isinstance(answer, str | bytes | Mapping | kind):
        return f"returned {type(answer).__name__}, not an iterable of {name} (wrap it in a list)"
    try:
        iter(answer)  # type: ignore[call-overload]
    except TypeError:
        return f"returned {type(answer).__name__}, not an iterable of {name}"
    return None


def _wrong_item(item: object, kind: type) -> str:
    if inspect.isclass(item) and issubclass(item, kind):
        return f"returned the class {item.__name__}, not an instance: return {item.__name__}()"
    return f"returned {item!r}, not a {kind.__name__}"


def _check_facility_type(ftype: FacilityType) -> str | None:
    if ftype.category is not None and ftype.category not in CATEGORIES:
        return (
            f"facility type {ftype.id!r}: unknown category {ftype.category!r} "
            f"(one of {', '.join(CATEGORIES)}, or None)"
        )
    if ftype.key_content not in KEY_CONTENTS:
        return f"facility type {ftype.id!r}: unknown key content {ftype.key_content!r}"
    return None


def _check_indicator(indicator: Indicator) -> str | None:
    for attr in ("id", "label_en", "label_zh", "clause", "requirement", "key_content"):
        if not isinstance(getattr(indicator, attr, None), str):
            return f"indicator {type(indicator).__name__} has no {attr}"
    if indicator.requirement not in REQUIREMENTS:
        return f"indicator {indicator.id!r}: unknown requirement {indicator.requirement!r}"
    if indicator.key_content not in KEY_CONTENTS:
        return f"indicator {indicator.id!r}: unknown key content {indicator.key_content!r}"
    if not set(indicator.inputs) <= INPUT_KINDS:
        unknown = sorted(set(indicator.inputs) - INPUT_KINDS)
        return f"indicator {indicator.id!r}: unknown inputs {unknown}"
    if type(indicator).evaluate is Indicator.evaluate:
        return f"indicator {indicator.id!r} does not implement evaluate(context)"
    return None
