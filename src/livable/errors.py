"""The exception hierarchy of :mod:`livable`.

Every error the library raises on purpose derives from :class:`LivableError`, so an
embedding system can catch one class. Messages name the file, the feature (index and id)
and the problem, and say how to fix it where that is known.

>>> from livable import LivableError, InputError
>>> issubclass(InputError, LivableError)
True
"""

from __future__ import annotations

from livable._text import show, where

__all__ = [
    "CRSError",
    "InputError",
    "LivableError",
    "PluginError",
    "ProfileError",
    "ReportError",
    "ResourceLimitError",
]


class LivableError(Exception):
    """Root of every error raised by :mod:`livable`."""


class InputError(LivableError, ValueError):
    """An input file or feature collection cannot be used.

    ``source`` names the file (or ``"<memory>"``), ``index`` the feature's position in
    the collection and ``feature_id`` its ``id`` property when these are known.
    """

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        index: int | None = None,
        feature_id: str | None = None,
    ) -> None:
        self.source = source
        self.index = index
        self.feature_id = feature_id
        self.reason = message
        prefix = ""
        if source is not None:
            prefix = where(source if index is None else f"{source}#{index}", feature_id) + ": "
        super().__init__(prefix + message)


class CRSError(InputError):
    """A coordinate reference system or map datum is unknown or unusable."""


class ProfileError(LivableError, ValueError):
    """A rule profile is malformed; the message names the file and the field."""


class ReportError(LivableError, ValueError):
    """A file or text is not a ``report.json`` this release can read.

    The message names the file and the path of each field at fault
    (``$.communities[3].grade``), in one line.
    """


class PluginError(LivableError):
    """A plugin failed; the message names the plugin and the hook."""

    def __init__(self, message: str, *, plugin: str | None = None, hook: str | None = None):
        self.plugin = plugin
        self.hook = hook
        prefix = ""
        if plugin is not None:
            prefix = f"plugin {show(plugin)}"
            if hook is not None:
                prefix += f", hook {hook}"
            prefix += ": "
        super().__init__(prefix + message)


class ResourceLimitError(InputError):
    """An input exceeds a configured limit (file size, feature count)."""
